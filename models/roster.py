"""The roster of spec/problem.md: who serves on which case, with the objective and its proof."""

from typing import Annotated, Self

from pydantic import BaseModel, ConfigDict, Field, model_validator

from models.enums import Slot, Status
from models.ids import CaseId, ProsecutorId, UnitId
from models.reason import Reason
from models.scenario import Weights, invalid, no_guess

# A roster read back (by `taskforce check`, or sent to the API) must not carry NaN or
# Infinity: NaN compares false with everything, so a NaN cost would pass every check.
_FINITE = ConfigDict(allow_inf_nan=False)

COST_TERMS: tuple[str, ...] = ("travel", "off_pair", "peak_load", "units", "changes", "no_junior",
                               "no_standby")


class TeamMember(BaseModel):
    model_config = _FINITE

    case: CaseId = Field(description="The case served.")
    prosecutor: ProsecutorId = Field(description="The person serving.")
    slot: Slot = Field(description="leader, prosecutor, assistant or clerk.")
    on_site: bool = Field(description="Works at the venue (true) or by video (false).")
    pinned: bool = Field(default=False, description="Kept from a pinned previous assignment.")
    name: str = Field(default="", description="The person's display name.")
    home: UnitId = Field(default="", description="The person's home unit.")
    travel_minutes: float = Field(default=0, description="One-way travel minutes (0 if remote).")
    reasons: list[Reason] = Field(default_factory=list, description="Why this person is here, "
                                  "each a code with parameters and its text in the language asked for.")


class CaseRoster(BaseModel):
    model_config = _FINITE

    id: CaseId = Field(description="The case.")
    staffed: bool = Field(description="Whether the whole team is filled.")
    team: list[TeamMember] = Field(default_factory=list, description="Leader first, then members.")
    unstaffed_reason: Reason | None = Field(
        default=None, description="For an unstaffed case, the requirement that could not be met "
                                  "(a code with parameters, and its text)."
    )


class Objective(BaseModel):
    model_config = _FINITE

    staffed_priority: int = Field(description="Sum of priority over staffed cases (maximised).")
    cost: float = Field(description="Weighted sum of the cost terms (minimised second).")
    components: dict[str, float] = Field(
        default_factory=dict, description="Each cost term, weighted, by name."
    )


class Alternative(BaseModel):
    """Another valid roster, next in objective order, at least `differ` assignments away
    from the best and from every alternative before it."""

    model_config = _FINITE

    rank: int = Field(description="2 for the next best after the roster itself, 3 for the "
                                  "one after, and so on.")
    objective: Objective = Field(description="Its staffed priority, cost and cost by term.")
    distance: int = Field(description="Assignments (case, person, slot) it differs from the "
                                      "best roster in: those dropped plus those added.")
    proven: bool = Field(description="Whether CP-SAT proved it the best roster at that "
                                     "distance from the ones before, with the teams outside "
                                     "its neighbourhood fixed (see `neighbourhood`).")
    neighbourhood: list[CaseId] = Field(
        description="The cases whose teams could change; every other team is the best "
                    "roster's. Every case, when the whole scenario was modelled.")
    difference: Reason = Field(description="How it differs from the best roster, in words: "
                                           "who replaces whom, and what each cost term gains "
                                           "or loses.")
    cases: list[CaseRoster] = Field(description="The cases whose team differs from the best "
                                                "roster's; every other case is as there.")


class Roster(BaseModel):
    model_config = _FINITE

    scenario: str = Field(description="Name of the scenario solved.")
    status: Status = Field(description="optimal, feasible, infeasible or no_solution_in_time.")
    objective: Objective | None = Field(
        default=None, description="The roster's value; null when no roster was found."
    )
    baseline: Objective | None = Field(
        default=None, description="The greedy roster's value, for comparison; null where none "
        "was built (a re-plan after a small change starts from the previous roster, repaired)."
    )
    bound: float | None = Field(
        default=None, description="Best proven lower bound on cost for this staffed priority."
    )
    gap: float | None = Field(
        default=None, description="(cost - bound) / max(1, cost), when a bound is known."
    )
    priority_bound: int | None = Field(
        default=None,
        description="Best proven upper bound on staffed priority: no valid roster staffs more.",
    )
    parts: Annotated[int, no_guess(int)] | None = Field(
        default=None, ge=0,
        description="On a scenario too large for one model: how many parts the search cut it "
                    "into (a city's cases, a piece of a large city, or one case open to the "
                    "whole province), each solved alone for its teams and its bound. Null "
                    "where the whole scenario was one model, or a re-plan had no time for them.")
    parts_proven: Annotated[int, no_guess(int)] | None = Field(
        default=None, ge=0,
        description="Of `parts`, how many CP-SAT proved within the time limit (the most "
                    "each can staff and its least cost there). The rest are bounded by "
                    "counting alone; while it is below `parts`, a longer limit is likely to "
                    "give a better roster and a tighter bound.")
    stopped: bool = Field(
        default=False, description="Whether the search was stopped before its time limit "
                                   "(Ctrl-C, a cancelled job): the best roster found by then, "
                                   "not the whole search's.")
    seconds: float = Field(default=0, description="Wall time of the solve, model build included.")
    build_seconds: float = Field(default=0, description="Time to build the model.")
    first_roster_seconds: float | None = Field(
        default=None, description="Time to the first valid roster (the greedy one)."
    )
    cases: list[CaseRoster] = Field(default_factory=list, description="One entry per case.")
    infeasible_reason: Reason | None = Field(
        default=None, description="For an infeasible scenario, which requirements fail (a code "
                                  "with parameters, and its text)."
    )

    alternatives: list[Alternative] = Field(
        default_factory=list, description="When asked for: the next best rosters, in "
                                          "objective order (priority first, then cost).")
    weights: Weights | None = Field(
        default=None, description="The cost weights the objective was computed with, when "
                                  "they are not the scenario's own (`solve --robust` sets "
                                  "no_standby's); the checker recomputes the cost with them.")

    @model_validator(mode="after")
    def _parts_add_up(self) -> Self:
        """`parts_proven` is given with `parts` and is at most `parts`, which is at most one
        a case: a roster read back claiming more was not written by a solve."""
        if (self.parts is None) != (self.parts_proven is None):
            raise invalid("invalid.parts_pair",
                          "parts and parts_proven are given together or not at all")
        if self.parts is not None and self.parts_proven is not None:
            if self.parts_proven > self.parts:
                raise invalid(
                    "invalid.parts_proven", "parts_proven {proven} is above parts {parts}",
                    proven=self.parts_proven, parts=self.parts)
            if self.cases and self.parts > len(self.cases):
                raise invalid(
                    "invalid.parts_cases", "parts {parts} is above the {cases} cases",
                    parts=self.parts, cases=len(self.cases))
        return self

    def assignments(self) -> list[TeamMember]:
        """Every assignment of every staffed case."""
        return [m for c in self.cases if c.staffed for m in c.team]


class Progress(BaseModel):
    """How a running solve stands: reported whenever it finds a better roster."""

    model_config = _FINITE

    phase: str = Field(description="greedy, priority, cost, neighbourhood or bound (the "
                             "bound by parts tightened the priority bound); done or "
                             "cancelled for a finished job, with its roster's figures.")
    staffed_priority: int | None = Field(
        default=None, description="Best staffed priority so far."
    )
    cost: float | None = Field(default=None, description="Cost of the best roster so far.")
    bound: float | None = Field(default=None, description="Best proven bound in this phase.")
    priority_bound: int | None = Field(
        default=None, description="No valid roster staffs more priority, as proven so far."
    )
    elapsed: float = Field(description="Seconds since the solve started.")


def with_alternative(roster: Roster, alternative: Alternative) -> Roster:
    """The whole roster of an alternative: the best roster's cases, those that differ
    replaced, without alternatives of its own (to check it, or to save it). The best
    roster's bounds are left out: they hold for its staffed priority, not this one's."""
    changed = {c.id: c for c in alternative.cases}
    return roster.model_copy(update={
        "objective": alternative.objective, "alternatives": [], "status": Status.FEASIBLE,
        "bound": None, "gap": None, "priority_bound": None, "baseline": None,
        "cases": [changed.get(c.id, c) for c in roster.cases]})
