"""Contingency sweeps: a roster re-planned once per contingency, ranked by damage."""

from enum import StrEnum

from pydantic import BaseModel, Field

from models.enums import Slot, Status
from models.ids import CaseId, ProsecutorId
from models.reason import Reason


class Absent(StrEnum):
    """Which contingencies a sweep tries, one re-plan each."""

    EACH_MEMBER = "each-member"
    EACH_OFFICE = "each-office"
    EACH_ROAD = "each-road"


class Move(BaseModel):
    """One assignment that a re-plan added or dropped."""

    case: CaseId = Field(description="The case.")
    prosecutor: ProsecutorId = Field(description="The person.")
    slot: Slot = Field(description="The place on the team.")
    joins: bool = Field(description="True when the re-plan adds this assignment, false when "
                                    "it drops it.")


class Outcome(BaseModel):
    """One contingency and the damage its re-plan does to the base roster."""

    rank: int = Field(ge=1, description="1 for the most damaging contingency.")
    kind: str = Field(description="member (a person absent on the days of their cases), "
                                  "office (an office closed over the horizon) or road (the "
                                  "road legs between two offices closed).")
    target: str = Field(description="The absent person's id, the closed office's id, or the "
                                    "closed road's two office ids joined by '~'.")
    contingency: Reason = Field(description="The contingency in words.")
    status: Status = Field(description="Status of the re-plan (optimal, feasible, ...).")
    valid: bool = Field(description="Whether the independent checker found the re-planned "
                                    "roster keeps every hard rule of the changed scenario.")
    mandatory_lost: list[CaseId] = Field(
        description="Mandatory cases the contingency makes impossible to staff; the re-plan "
                    "was then solved with them optional.")
    priority_lost: int = Field(description="Staffed priority of the base roster less that of "
                                            "the re-plan (negative when the re-plan staffs more).")
    cases_unstaffed: list[CaseId] = Field(description="Cases staffed in the base roster and not "
                                                      "in the re-plan.")
    cost_added: float = Field(description="Cost of the re-plan less that of the base roster, "
                                          "the 'changes' term left out (people moved counts it).")
    people_moved: int = Field(description="People whose assignments (case and place) differ "
                                          "between the base roster and the re-plan, the absent "
                                          "included.")
    moves: list[Move] = Field(description="The assignments added and dropped, for the "
                                          "side-by-side comparison.")
    seconds: float = Field(description="Wall time of the re-plan.")


class Sweep(BaseModel):
    """A roster re-planned once per contingency, most damaging first."""

    scenario: str = Field(description="Name of the scenario.")
    absent: Absent = Field(description="The contingencies tried.")
    seconds_per_replan: float = Field(description="Time limit of each re-plan.")
    base_priority: int = Field(description="Staffed priority of the base roster.")
    base_cost: float = Field(description="Cost of the base roster.")
    outcomes: list[Outcome] = Field(description="One per contingency, ranked by damage: "
                                                "mandatory cases lost, priority lost, cases "
                                                "unstaffed, cost added, people moved.")
    skipped: list[Reason] = Field(default_factory=list,
                                  description="Contingencies that could not be tried, and why.")
    seconds: float = Field(description="Wall time of the whole sweep.")
