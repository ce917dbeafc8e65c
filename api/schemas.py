"""What the service answers, beside the models of models/."""

from datetime import date, datetime
from typing import Annotated, Any, Generic, Literal, TypeVar

from pydantic import BaseModel, ConfigDict, Field

from api.tables import RosterRow
from models import Problem, Progress, Roster, Scenario

Item = TypeVar("Item", bound=BaseModel)

# CP-SAT takes a 32-bit seed; a larger one was accepted and then failed the solve.
MAX_SEED = 2**31 - 1
# Numbers and flags of a request body are strict: pydantic would read `"seconds": true` as
# 1 s, `"seed": 1.0` as 1 and `"robust": "yes"` as true, and the job would run on a
# guess. (Query parameters arrive as text, and are not strict.)
Seed = Annotated[int, Field(ge=0, le=MAX_SEED, strict=True,
                            description="Random seed, 0 to 2**31 - 1.")]
# No request names more cases than a province has.
MAX_CASES = 100_000
# Each alternative is one more CP-SAT search within the same time limit; past a few
# dozen, none would get time enough to be worth asking for.
MAX_ALTERNATIVES = 20
Alternatives = Annotated[int, Field(
    ge=1, le=MAX_ALTERNATIVES, strict=True,
    description="How many rosters to return, the best first, then the next best in "
                "objective order (1: the best alone).")]
Differ = Annotated[int, Field(
    ge=1, le=MAX_CASES, strict=True,
    description="How many assignments (case, person, slot; dropped plus added) each "
                "alternative differs in, at least, from the best and every other.")]


Robust = Annotated[bool, Field(
    strict=True, description="Among rosters of the best staffed priority, prefer those where every "
                "member of a mandatory case has a standby: the no_standby cost term, "
                "weighted 150 unless the scenario weights it (as `taskforce solve --robust`).")]


class Body(BaseModel):
    """Base of request bodies: an unknown field is refused (422 on its path), so a
    misspelt `secnds` is not run at the default time limit."""

    model_config = ConfigDict(extra="forbid")


class ScenarioSummary(BaseModel):
    id: str = Field(description="The stored scenario's id (assigned by the service).")
    name: str = Field(description="The scenario's name.")
    version: int = Field(description="The current version; each replacement adds one.")
    created_at: datetime = Field(description="When the scenario was first stored.")
    updated_at: datetime = Field(description="When its current version was stored.")


class ScenarioResource(ScenarioSummary):
    scenario: Scenario = Field(description="The scenario itself, as validated.")


class VariantSummary(BaseModel):
    id: str = Field(description="The variant's id.")
    name: str = Field(description="Its label, e.g. 'Zhao falls ill'.")
    base_id: str = Field(description="The scenario it changes.")
    base_version: int = Field(description="The version of the base it changes.")
    roster_id: str | None = Field(description="Its roster, re-planned from the base roster.")
    base_roster_id: str | None = Field(
        default=None, description="The base scenario's roster it was re-planned from (unknown "
                                  "for variants tried before this was kept).")
    created_at: datetime = Field(description="When it was tried.")


class VariantResource(VariantSummary):
    scenario: Scenario = Field(description="The changed scenario.")


class Page(BaseModel, Generic[Item]):
    """One page of a list."""

    items: list[Item] = Field(description="This page of the list, in the list's order.")
    total: int = Field(description="How many items the whole list has.")
    offset: int = Field(description="Index of the first item of this page.")
    limit: int = Field(description="Most items on a page.")


class ValidationReport(BaseModel):
    valid: bool = Field(description="Whether the scenario has no problem.")
    problems: list[Problem] = Field(description="Every problem, with field path and id.")


class Health(BaseModel):
    status: Literal["ok", "degraded"] = Field(description="ok when everything below is ok.")
    database: str = Field(description="ok, or what failed.")
    solver: str = Field(description="ok when CP-SAT solved a one-variable model, or what failed.")


class KeepTeams(Body):
    """Teams of a stored roster of the same scenario to keep as they are (pinned)."""

    roster_id: str = Field(max_length=32, description="The roster whose teams are kept.")
    cases: list[str] = Field(min_length=1, max_length=MAX_CASES,
                             description="The staffed cases whose teams are pinned.")


class SolveRequest(Body):
    """A solve: a stored scenario (its current version) or an inline one, and limits."""

    scenario_id: str | None = Field(default=None, description="A stored scenario's id.")
    scenario: dict[str, Any] | None = Field(
        default=None, description="An inline scenario; it is stored, so the roster can name it."
    )
    seconds: float = Field(default=10.0, gt=0, le=86_400, allow_inf_nan=False, strict=True,
                           description="Time limit of the solve (the service's max_seconds "
                                       "caps it further).")
    seed: Seed = 0
    cases: list[str] | None = Field(default=None, max_length=MAX_CASES,
                                    description="Only these cases (ids).")
    alternatives: Alternatives = 1
    differ: Differ = 2
    robust: Robust = False
    keep: KeepTeams | None = Field(
        default=None, description="Solve again around these teams of a roster (e.g. one "
                                  "swapped by hand), pinned; a key of the whole province.")


class JobView(BaseModel):
    id: str = Field(description="The job's id.")
    state: Literal["queued", "solving", "done", "failed", "cancelled"] = Field(
        description="Where the job stands."
    )
    scenario_id: str = Field(description="The scenario solved.")
    scenario_version: int = Field(description="The exact version solved.")
    params: dict[str, Any] = Field(description="Time limit, seed, workers, case subset.")
    progress: Progress | None = Field(default=None, description="The best roster so far.")
    elapsed: float | None = Field(default=None, description="Seconds since solving started.")
    error: str | None = Field(default=None, description="Why a failed job failed.")
    created_at: datetime = Field(description="When the job was submitted.")
    roster_id: str | None = Field(default=None, description="The roster, once there is one.")
    roster: Roster | None = Field(default=None, description="The roster, when done or cancelled.")


class RosterView(BaseModel):
    id: str = Field(description="The roster's id.")
    job_id: str | None = Field(description="The job that produced it.")
    scenario_id: str = Field(description="The scenario it was solved on.")
    scenario_version: int = Field(description="The exact version it was solved on.")
    params: dict[str, Any] = Field(description="Time limit, seed, workers, case subset.")
    created_at: datetime = Field(description="When it was stored.")
    roster: Roster = Field(description="The roster itself.")

    @classmethod
    def of(cls, row: RosterRow, roster: Roster) -> "RosterView":
        """The view of a stored roster, shown as `roster`: the part the caller may see,
        its reasons worded (`i18n.localised`). The stored body is never shown as it is,
        since its reasons have no words yet."""
        return cls(id=row.id, job_id=row.job_id, scenario_id=row.scenario_id,
                   scenario_version=row.scenario_version, params=row.params,
                   created_at=row.created_at, roster=roster)


class AuditEntry(BaseModel):
    seq: int = Field(description="Position in the chain, from 1; for a key of one province, "
                                 "position among that province's entries.")
    at: datetime = Field(description="When the change was made.")
    actor: str = Field(description="Who made it.")
    action: str = Field(description="What: scenario.created, solve.started, ...")
    province: str | None = Field(default=None, description="The province it belongs to.")
    scenario_id: str | None = Field(description="The scenario concerned.")
    scenario_version: int | None = Field(description="Its version then.")
    case_id: str | None = Field(description="The case concerned, if one.")
    prosecutor_id: str | None = Field(description="The person concerned, if one.")
    unit_id: str | None = Field(description="The office concerned, if one.")
    reason: str | None = Field(description="Why, as given.")
    details: dict[str, Any] = Field(description="Anything else recorded.")
    prev_hash: str | None = Field(description=(
        "Link (HMAC) of the entry before; shown to keys of every province only, since to "
        "anyone else it would tell where other provinces' entries lie between its own."))
    hash: str = Field(description="HMAC-SHA256 of this entry and the link before, under the "
                                  "audit secret.")


class AuditVerdict(BaseModel):
    intact: bool = Field(description="Whether the chain is unbroken.")
    entries: int = Field(description="Entries checked before any break (with a key: the "
                                     "entries of its jurisdiction).")
    broken_at: int | None = Field(description="The first entry that does not fit.")
    problem: str | None = Field(description="What is wrong there.")


class CommitRequest(Body):
    """Which cases of a roster to make binding, and why."""

    cases: list[str] | None = Field(
        default=None, max_length=MAX_CASES,
        description="The staffed cases to commit (ids); all staffed cases when absent.")
    reason: str | None = Field(default=None, max_length=2000, description="Why; kept in the audit trail.")


class ReleaseRequest(Body):
    reason: str = Field(min_length=1, max_length=2000,
                        description="Why the assignment ends, e.g. 'case closed', 'replaced'.")


class CommitmentView(BaseModel):
    id: str = Field(description="The commitment's id.")
    commit_id: str = Field(description="The commit that made it.")
    province: str = Field(description="The province whose solves see it.")
    case_id: str = Field(description="The case served.")
    prosecutor_id: str = Field(description="The person bound.")
    unit_id: str = Field(description="The person's home office.")
    venue: str = Field(description="Where the case's on-site work happens.")
    slot: str = Field(description="leader, prosecutor, assistant or clerk.")
    on_site: bool = Field(description="Works at the venue (not by video).")
    away: bool = Field(description="Away from the home office on the case's days.")
    start: date = Field(description="First day bound.")
    end: date = Field(description="Last day bound.")
    load: float = Field(description="FTE taken on each of those days.")
    released_at: datetime | None = Field(description="When it was released, if it was.")
    released_by: str | None = Field(description="Who released it.")
    release_reason: str | None = Field(description="Why it was released.")


class CommitView(BaseModel):
    id: str = Field(description="The commit's id.")
    province: str = Field(description="The province whose solves see its commitments.")
    roster_id: str | None = Field(
        description="The roster committed; null to a key that sees only part of the commit.")
    scenario_id: str = Field(description="The scenario the roster was solved on.")
    scenario_version: int = Field(description="Its version.")
    cases: list[str] = Field(description="The cases committed (those the key may see).")
    actor: str | None = Field(
        description="Who committed; null to a key that sees only part of the commit.")
    reason: str | None = Field(
        description="Why, as given; null to a key that sees only part of the commit.")
    created_at: datetime = Field(description="When.")
    commitments: list[CommitmentView] = Field(description="The assignments made binding.")
