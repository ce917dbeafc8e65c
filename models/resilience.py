"""Standbys and fragility of a roster: who could take each member's place alone."""

from typing import Literal

from pydantic import BaseModel, Field

from models.enums import Slot
from models.ids import CaseId, ProsecutorId
from models.reason import Reason

# The hard rule that keeps a member without a standby, when one does.
BlockingRule = Literal["required", "none_eligible", "capacity", "home_staffing", "coverage"]


class MemberCover(BaseModel):
    """One member of a staffed team, and the best person to take their place alone."""

    prosecutor: ProsecutorId = Field(description="The member.")
    slot: Slot = Field(description="The member's place: leader, prosecutor, assistant or clerk.")
    standby: ProsecutorId | None = Field(
        default=None, description="The best standby: one person who could take this place "
                                  "alone, every hard rule and every other team kept; null "
                                  "when there is none.")
    cost_change: float | None = Field(
        default=None, description="How much the team's own cost terms (travel, off_pair, "
                                  "units, no_junior; weighted) change with the standby in; "
                                  "peak_load, a term of the whole roster, is not counted.")
    blocked_by: BlockingRule | None = Field(
        default=None, description="Without a standby: the rule that keeps the most candidates "
                                  "out (required: the case requires this member; "
                                  "none_eligible: nobody else may fill the place at all).")
    reason: Reason = Field(description="The standby and why, or 'no standby: the case falls "
                                       "if this member is absent, because ...', in words.")


class TeamResilience(BaseModel):
    """A staffed team's standbys and its fragility."""

    case: CaseId = Field(description="The case.")
    mandatory: bool = Field(description="Whether the case must be staffed.")
    members: list[MemberCover] = Field(description="Each member, leader first.")
    without_standby: int = Field(description="How many members have no standby: the team's "
                                             "fragility.")
    falls_if_absent: list[ProsecutorId] = Field(
        description="The members whose one absence unstaffs the case (those without a "
                    "standby).")


class Resilience(BaseModel):
    """Standbys for every member of every staffed team of a roster."""

    scenario: str = Field(description="Name of the scenario.")
    teams: list[TeamResilience] = Field(description="One per staffed case, in scenario order.")
    fragile_mandatory: list[CaseId] = Field(
        description="Mandatory cases that one absence unstaffs.")
