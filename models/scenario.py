"""The scenario of spec/problem.md: units, pairs, groups, pools, roads, prosecutors, cases.

Field-level rules (ranges, enums, end after start, a team spec impossible on its face) live
here; rules that cross references between collections live in `models.validation`.
"""

from collections.abc import Iterable, Mapping
from datetime import date
from functools import cache, cached_property
from types import UnionType
from typing import Annotated, Any, Self, Union, get_args, get_origin

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    ValidationInfo,
    field_validator,
    model_validator,
)
from pydantic_core import PydanticCustomError

from models.enums import DEFAULT_SCOPE, Kind, Role, Scope, Slot, Tier
from models.ids import CaseId, GroupId, Language, PoolId, ProsecutorId, Skill, UnitId
from models.reason import Reason, listing, term, why
from models.reason import date as day
from models.text import hidden_control

# Every number is finite and bounded: the solver turns them into 64-bit integer
# coefficients (minutes x weight x 100, FTE x 10,000), which a huge value would overflow.
MAX_PEOPLE = 10_000
MAX_MINUTES = 10_000.0  # about a week of driving
MAX_FTE = 10.0
# FTE amounts are whole ten-thousandths: the solver counts them so (FTE x 10,000) and a
# finer amount would be rounded there, to a peak_load 1 % too high or a roster over
# capacity that the model took for one within it (0.25004 twice fitting 0.5).
FTE_SCALE = 10_000
# Below one model unit (1/10,000 FTE) a capacity rounds to nothing and peak load divides by
# zero; a hundredth of an FTE is a quarter of an hour a week, as little as anyone serves.
MIN_FTE = 0.01
# Slower than walking pace the great-circle estimate is no estimate; travel minutes are
# capped at MAX_MINUTES anyway, so a slow speed can never overflow the model.
MIN_SPEED_KMH = 1.0
MAX_PRIORITY = 100_000
MAX_WEIGHT = 10_000.0
# Ids and names are stored in columns of 200 characters (PostgreSQL enforces it, SQLite
# does not): longer ones must be refused here, not fail at the database with a 500.
MAX_TEXT = 200
# Notes and titles are read, not stored in columns: longer, but still a line or two (a
# 10-million-character name was once accepted, and every roster and sheet carried it).
MAX_NOTE = 500

def invalid(code: str, english: str, **params: object) -> PydanticCustomError:
    """A validation error of ours: pydantic carries the message code and its parameters to
    `models.validation`, which hands them on to be worded in the reader's language;
    `english` is only what pydantic itself would print."""
    return PydanticCustomError(code, english, params)


def _in_fte_steps(value: float) -> float:
    """`value` as the whole number of ten-thousandths of an FTE (FTE_SCALE) it is, within
    float rounding; anything else is refused. The value is snapped to that step, so the
    solver and the checker read the same amount: a capacity of 0.50000000009, let through
    as it was, read 100 % in the model and 99 % in the checker."""
    units = value * FTE_SCALE
    if abs(units - round(units)) > 1e-6:  # float rounding of 4 decimals is far smaller
        raise invalid("invalid.fte_step",
                      "Input should have at most 4 decimal places (1/10,000 FTE), not {value}",
                      value=str(value)[:60])
    return round(units) / FTE_SCALE


# An FTE amount: capacity, load, a team's or a commitment's load.
Fte = Annotated[float, AfterValidator(_in_fte_steps)]


def _end_before_start(start: date, end: date) -> PydanticCustomError:
    return invalid("invalid.end_before_start", "end {end} is before start {start}",
                   end=day(end.isoformat()), start=day(start.isoformat()))


def _scalars_in(annotation: Any) -> type | None:
    """The scalar type (int, float or bool) a field of `annotation` holds, or None."""
    if get_origin(annotation) is Annotated:
        return _scalars_in(get_args(annotation)[0])
    if get_origin(annotation) in (Union, UnionType):
        return next((t for t in map(_scalars_in, get_args(annotation)) if t), None)
    return annotation if annotation in (int, float, bool) else None


def _guessed(value: Any, kind: type) -> PydanticCustomError | None:
    """The error for `value` in a field of `kind`, if pydantic would only guess at it:
    a flag or text for a number, text or a number for a flag."""
    shown = str(value).lower() if isinstance(value, bool) else str(value)[:60]
    if kind is bool:
        if isinstance(value, str | int | float) and not isinstance(value, bool):
            return invalid("invalid.bool", "Input should be true or false, not '{value}'",
                           value=shown)
        return None
    if not isinstance(value, bool | str):
        return None
    if kind is int:
        return invalid("invalid.whole", "Input should be a whole number, not '{value}'",
                       value=shown)
    return invalid("invalid.number", "Input should be a number, not '{value}'", value=shown)


def no_guess(kind: type) -> BeforeValidator:
    """`_guessed` as a validator of one value: on the values of a map (a person's skills,
    a team's tiers) its error names the key, `skills.criminal`, as pydantic's own do."""
    def check(value: Any) -> Any:
        error = _guessed(value, kind)
        if error is not None:
            raise error
        return value
    return BeforeValidator(check)


def _not_blank(value: str) -> str:
    if not value.strip():
        raise invalid("invalid.empty_text", "Input should not be empty")
    return value


def _no_control(value: str) -> str:
    """Text in a map key or a list item, checked as `Strict` checks every text field."""
    if (control := hidden_control(value)) is not None:
        raise invalid("invalid.control_character", "Text should not hold control characters",
                      character=control)
    return value


# A skill or a language by name: a blank one (" ", a full-width space) names nothing a
# case could ask for.
# A reference to an item by id: no id is longer than MAX_TEXT, so a longer reference is
# refused as too long, and not echoed whole in an "unknown unit" error; nor does any id
# hold a control character, so a reference that does is refused for it, in a list too
# (`Strict` checks only the text fields themselves).
UnitRef = Annotated[UnitId, Field(max_length=MAX_TEXT), AfterValidator(_no_control)]
ProsecutorRef = Annotated[ProsecutorId, Field(max_length=MAX_TEXT), AfterValidator(_no_control)]
CaseRef = Annotated[CaseId, Field(max_length=MAX_TEXT), AfterValidator(_no_control)]
PoolRef = Annotated[PoolId, Field(max_length=MAX_TEXT), AfterValidator(_no_control)]
# Free text outside the scenario's own models (a what-if variant's label), checked as
# theirs is.
PlainText = Annotated[str, AfterValidator(_no_control)]
SkillName = Annotated[Skill, Field(min_length=1, max_length=MAX_TEXT),
                      AfterValidator(_not_blank), AfterValidator(_no_control)]
LanguageName = Annotated[Language, Field(min_length=1, max_length=MAX_TEXT),
                         AfterValidator(_not_blank), AfterValidator(_no_control)]
Level = Annotated[int, no_guess(int),
                  Field(ge=1, le=3, description="Skill level, 1 (basic) to 3 (expert).")]
Count = Annotated[int, no_guess(int),
                  Field(ge=0, le=MAX_PEOPLE, description="A number of people, zero or more.")]
Weight = Annotated[float, Field(ge=0, le=MAX_WEIGHT, description="A cost weight, at most 10,000.")]


class Strict(BaseModel):
    """Base for scenario models: unknown fields are errors, so a typo never passes silently."""

    model_config = ConfigDict(extra="forbid", allow_inf_nan=False)

    @field_validator("*", mode="before")
    @classmethod
    def _no_guessing(cls, value: Any, info: ValidationInfo) -> Any:
        """A flag or text where a number belongs, or text or a number where a flag does, is
        an error: pydantic would read `capacity: true` as a capacity of 1, `"capacity":
        "1.0"` as 1.0 and `"mandatory": "yes"` as true, guesses at what a broken export
        meant. (Workbooks turn their cells into numbers and flags first.)"""
        if info.field_name is None or not isinstance(value, bool | str | int | float):
            return value
        error = _guessed(value, kind) if (kind := _scalars_of(cls, info.field_name)) else None
        if error is not None:
            raise error
        # An escape sequence in a name drives the terminal that prints the roster, and
        # openpyxl refuses to write it to a workbook.
        return _no_control(value) if isinstance(value, str) else value


@cache
def _scalars_of(model: type[BaseModel], field: str) -> type | None:
    """`_scalars_in` for a field of `model`, worked out once."""
    return _scalars_in(model.model_fields[field].annotation)


class Location(Strict):
    lat: float = Field(ge=-90, le=90, description="Latitude of the unit's seat, degrees.")
    lon: float = Field(ge=-180, le=180, description="Longitude of the unit's seat, degrees.")


class Unit(Strict):
    id: UnitId = Field(min_length=1, max_length=MAX_TEXT, description="Unique id of the procuratorate.")
    name: str = Field(max_length=MAX_TEXT, description="Display name, e.g. 'Chen Barag Banner'.")
    name_zh: str = Field(default="", max_length=MAX_TEXT,
                         description="Chinese name, e.g. '陈巴尔虎旗人民检察院'; shown in Chinese views.")
    tier: Tier = Field(description="provincial, municipal or grassroots.")
    parent: UnitRef | None = Field(default=None, description="Id of the supervising unit.")
    location: Location = Field(description="Seat of the unit, for the great-circle estimate.")
    min_staff_at_home: int = Field(
        default=2, ge=0, le=MAX_PEOPLE, description="Prosecutor-rank staff who must stay at home every day."
    )


class Pair(Strict):
    units: tuple[UnitRef, UnitRef] = Field(description="The two paired adjacent units.")
    note: str = Field(default="", max_length=MAX_NOTE,
                      description="Why they are paired, e.g. 'strong and weak'.")


class Group(Strict):
    id: GroupId = Field(min_length=1, max_length=MAX_TEXT, description="Unique id of the working group.")
    lead: UnitRef = Field(description="The group's lead (contact) unit.")
    members: list[UnitRef] = Field(description="Member units; the lead belongs to the group too.")

    @property
    def units(self) -> set[UnitId]:
        """A group's units are its members plus its lead (spec 1.1)."""
        return {self.lead, *self.members}


class Pool(Strict):
    id: PoolId = Field(min_length=1, max_length=MAX_TEXT, description="Unique id of the talent pool.")
    name: str = Field(default="", max_length=MAX_TEXT, description="Display name of the pool.")
    members: list[ProsecutorRef] = Field(description="Prosecutors in the pool.")


class Road(Strict):
    a: UnitRef = Field(description="One end of the road leg.")
    b: UnitRef = Field(description="The other end; roads are undirected.")
    minutes: float = Field(gt=0, le=MAX_MINUTES, description="One-way driving time in minutes.")
    km: float | None = Field(default=None, ge=0, le=100_000, description="Length in km, informative.")


class Interval(Strict):
    start: date = Field(description="First day, inclusive.")
    end: date = Field(description="Last day, inclusive.")

    @model_validator(mode="after")
    def _end_not_before_start(self) -> Self:
        if self.end < self.start:
            raise _end_before_start(self.start, self.end)
        return self

    def meets(self, start: date, end: date) -> bool:
        """Whether this interval shares at least one day with [start, end]."""
        return self.start <= end and start <= self.end


class Commitment(Interval):
    """Load from a committed roster (an extension of the spec): binding, and dated, unlike `load`.

    Rule 5 counts it on its days like `load`; rule 6 counts a person whose commitment keeps
    them on site at another unit as away from home on those days."""

    load: Fte = Field(ge=0, le=MAX_FTE,
                      description="FTE committed on each day of the interval, in steps of 0.0001.")
    away: bool = Field(
        default=False, description="On site at another unit's case: away from home on these days."
    )
    ref: str = Field(default="", max_length=MAX_NOTE,
                     description="What it is for, e.g. 'gang-110 (roster r1)'.")


class Prosecutor(Strict):
    id: ProsecutorId = Field(min_length=1, max_length=MAX_TEXT, description="Unique id of the person.")
    name: str = Field(max_length=MAX_TEXT, description="Display name.")
    name_zh: str = Field(default="", max_length=MAX_TEXT,
                         description="Chinese name, e.g. '王磊'; shown in Chinese views.")
    home: UnitRef = Field(description="The unit the person belongs to.")
    role: Role = Field(description="chief, deputy_chief, prosecutor, assistant or clerk.")
    skills: dict[SkillName, Level] = Field(
        default_factory=dict,
        description="Skill levels by skill name (not blank), e.g. {'criminal': 3, 'forensics': 1}."
    )
    languages: list[LanguageName] = Field(
        default_factory=list, description="ISO 639-1 codes spoken (none blank), e.g. ['zh', 'mn']."
    )
    years: int = Field(default=0, ge=0, le=100, description="Years of experience.")
    capacity: Fte = Field(default=1.0, ge=MIN_FTE, le=MAX_FTE,
                          description="Working capacity in FTE, 0.01 to 10, in steps of 0.0001.")
    load: Fte = Field(default=0.0, ge=0, le=MAX_FTE,
                      description="FTE already committed elsewhere, in steps of 0.0001.")
    unavailable: list[Interval] = Field(
        default_factory=list, description="Days the person cannot serve (leave, training)."
    )
    commitments: list[Commitment] = Field(
        default_factory=list, description="Committed assignments elsewhere, with their days."
    )

    def load_on(self, day: date) -> float:
        """FTE already taken on `day`: `load` plus the commitments running that day."""
        return self.load + sum(c.load for c in self.commitments if c.start <= day <= c.end)

    def peak_load(self, start: date, end: date) -> float:
        """The highest `load_on` over the days from `start` to `end`."""
        if not self.commitments:  # the usual case, asked once per person and case
            return self.load
        # Committed load only rises on a commitment's first day, so those days suffice.
        days = {start} | {c.start for c in self.commitments if start <= c.start <= end}
        return max(self.load_on(day) for day in days)

    def on_leave(self, day: date) -> bool:
        """Whether an `unavailable` interval covers `day`."""
        return any(i.start <= day <= i.end for i in self.unavailable)

    def committed_away(self, day: date) -> bool:
        """Whether a commitment keeps the person on site at another unit on `day`."""
        return any(c.away and c.start <= day <= c.end for c in self.commitments)

    def level(self, skill: Skill) -> int:
        """The person's level in `skill`, 0 when they lack it."""
        return self.skills.get(skill, 0)


class LeaderSpec(Strict):
    min_role: Role = Field(
        default=Role.PROSECUTOR, description="Lowest role allowed to lead: chief > deputy > prosecutor."
    )
    min_level: Level = Field(default=2, description="Lowest level in the case's kind.")

    @model_validator(mode="after")
    def _prosecutor_rank(self) -> Self:
        if self.min_role in (Role.ASSISTANT, Role.CLERK):
            raise invalid("invalid.leader_rank", "a leader must be of prosecutor rank",
                          role=why(f"role.{self.min_role.value}", value=self.min_role.value))
        return self


class MemberCounts(Strict):
    prosecutor: Count = Field(default=0, description="Slots for any prosecutor-rank person.")
    assistant: Count = Field(default=0, description="Slots for assistants.")
    clerk: Count = Field(default=0, description="Slots for clerks.")

    def of(self, slot: Slot) -> int:
        """Number of member slots of this kind (0 for the leader slot)."""
        return {Slot.PROSECUTOR: self.prosecutor, Slot.ASSISTANT: self.assistant,
                Slot.CLERK: self.clerk}.get(slot, 0)


class SkillNeed(Strict):
    skill: SkillName = Field(description="The skill (not blank), e.g. 'organized_crime'.")
    count: Count = Field(default=1, description="Members (leader included) who need it.")
    min_level: Level = Field(default=1, description="Lowest level that counts.")


class LanguageNeed(Strict):
    language: LanguageName = Field(description="ISO 639-1 code (not blank), e.g. 'mn'.")
    count: Count = Field(default=1, description="Members (leader included) who must speak it.")


class TeamSpec(Strict):
    leader: LeaderSpec | None = Field(
        default_factory=LeaderSpec, description="Who may lead the team; null for no leader."
    )
    members: MemberCounts = Field(
        default_factory=MemberCounts, description="Member slots, not counting the leader."
    )
    load: Fte = Field(default=0.5, ge=0, le=MAX_FTE,
                      description="FTE each member commits on each day, in steps of 0.0001.")
    skills: list[SkillNeed] = Field(default_factory=list, description="Skill coverage rules.")
    languages: list[LanguageNeed] = Field(
        default_factory=list, description="Language coverage rules."
    )
    tiers: dict[Tier, Count] = Field(
        default_factory=dict, description="At least this many members from units of each tier."
    )
    max_units: int | None = Field(default=None, ge=1, le=MAX_PEOPLE,
                                  description="Most distinct home units.")
    min_units: int | None = Field(default=None, ge=1, le=MAX_PEOPLE,
                                  description="Fewest distinct home units.")
    max_travel_minutes: float | None = Field(
        default=None, ge=0, le=MAX_MINUTES,
        description="On-site members live at most this far from the venue.")
    remote_roles: list[Slot] = Field(
        default_factory=list, description="Slots that join by video: no travel, not away."
    )

    @property
    def size(self) -> int:
        """Team size, leader included."""
        m = self.members
        return (1 if self.leader else 0) + m.prosecutor + m.assistant + m.clerk

    def slots(self) -> list[Slot]:
        """The slot kinds this team has, leader first."""
        kinds = [Slot.LEADER] if self.leader else []
        return kinds + [s for s in (Slot.PROSECUTOR, Slot.ASSISTANT, Slot.CLERK)
                        if self.members.of(s) > 0]

    def slot_count(self, slot: Slot) -> int:
        """How many people fill slots of this kind."""
        if slot is Slot.LEADER:
            return 1 if self.leader else 0
        return self.members.of(slot)

    def on_site(self, slot: Slot) -> bool:
        """An assignment is on site exactly when its slot is not remote (spec 1.1)."""
        return slot not in self.remote_roles

    @model_validator(mode="after")
    def _possible_on_its_face(self) -> Self:
        problems: list[Reason] = []
        size = self.size
        if size == 0:
            problems.append(why("invalid.team_empty"))
        if self.min_units is not None and self.max_units is not None \
                and self.min_units > self.max_units:
            problems.append(why("invalid.min_above_max_units", min=self.min_units, max=self.max_units))
        if self.min_units is not None and self.min_units > size:
            problems.append(why("invalid.min_units_above_size", min=self.min_units, size=size))
        for need in self.skills:
            if need.count > size:
                problems.append(why("invalid.skill_above_size", needed=need.count,
                                    skill=term("kind", need.skill), size=size))
        for lang in self.languages:
            if lang.count > size:
                problems.append(why("invalid.language_above_size", needed=lang.count,
                                    language=term("language", lang.language), size=size))
        if sum(self.tiers.values()) > size:
            problems.append(why("invalid.tiers_above_size", needed=sum(self.tiers.values()),
                                size=size))
        if problems:
            raise invalid("invalid.team", "the team cannot be staffed as specified",
                          problems=listing(problems))
        return self


class Case(Strict):
    id: CaseId = Field(min_length=1, max_length=MAX_TEXT, description="Unique id of the case.")
    title: str = Field(default="", max_length=MAX_NOTE, description="Display title.")
    title_zh: str = Field(default="", max_length=MAX_NOTE,
                          description="Chinese title, e.g. '草原非法开垦案'; shown in Chinese views.")
    kind: Kind = Field(description="criminal, civil, administrative or public_interest.")
    venue: UnitRef = Field(description="Unit where the on-site work happens.")
    lead_unit: UnitRef | None = Field(default=None, description="Owner unit; default the venue.")
    start: date = Field(description="First day of the case, inclusive.")
    end: date = Field(description="Last day of the case, inclusive.")
    priority: int = Field(default=1, ge=1, le=MAX_PRIORITY, description="Weight of staffing this case.")
    mandatory: bool = Field(default=False, description="The case must be staffed.")
    scope: Scope | None = Field(
        default=None, description="Whose home units may serve; default by the lead unit's tier."
    )
    pool: PoolRef | None = Field(default=None, description="Only members of this pool may serve.")
    team: TeamSpec = Field(default_factory=TeamSpec, description="What the team must look like.")
    exclude_units: list[UnitRef] = Field(default_factory=list, description="Units that may not serve.")
    exclude_prosecutors: list[ProsecutorRef] = Field(
        default_factory=list, description="People who may not serve (conflict of interest)."
    )
    require_prosecutors: list[ProsecutorRef] = Field(
        default_factory=list, description="People who must be on the team."
    )

    @model_validator(mode="after")
    def _end_not_before_start(self) -> Self:
        if self.end < self.start:
            raise _end_before_start(self.start, self.end)
        return self

    @property
    def lead(self) -> UnitId:
        """The owner unit: `lead_unit`, or the venue when it is not given."""
        return self.lead_unit or self.venue

    def covers(self, day: date) -> bool:
        """Whether the case runs on `day`."""
        return self.start <= day <= self.end

    @property
    def days(self) -> int:
        """Length of the case in days."""
        return (self.end - self.start).days + 1


class Assignment(Strict):
    case: CaseRef = Field(description="The case served.")
    prosecutor: ProsecutorRef = Field(description="The person serving.")
    slot: Slot = Field(description="leader, prosecutor, assistant or clerk.")
    on_site: bool = Field(default=True, description="Works at the venue (not by video).")
    pinned: bool = Field(default=False, description="In `previous`: must be kept.")


# The no_standby weight of `solve --robust` when the scenario gives none: a member without a
# standby costs more than one from outside the pairs who adds an office (60 + 30) or a team
# without a junior (100), less than dropping a previous assignment (200); 150 minutes of
# travel buy one standby.
ROBUST_NO_STANDBY = 150.0


class Weights(Strict):
    travel: Weight = Field(default=1, description="Per one-way travel minute on site.")
    off_pair: Weight = Field(default=60, description="Per member from outside lead/venue pairs.")
    peak_load: Weight = Field(default=20, description="Per percent of peak utilisation.")
    units: Weight = Field(default=30, description="Per distinct home unit in a team.")
    changes: Weight = Field(default=200, description="Per dropped previous assignment.")
    no_junior: Weight = Field(default=100, description="Per team of 3+ with no junior.")
    no_standby: Weight = Field(default=0, description="Per member of a mandatory case with no "
                                                      "standby (`solve --robust`: 150 unless set).")

    def robust(self) -> "Weights":
        """These weights for `solve --robust`: no_standby at ROBUST_NO_STANDBY unless they
        already give it a positive weight."""
        if self.no_standby > 0:
            return self
        return self.model_copy(update={"no_standby": ROBUST_NO_STANDBY})


class Policy(Strict):
    weights: Weights = Field(default_factory=Weights, description="Cost term weights.")
    road_factor: float = Field(default=1.3, gt=0, le=10, description="Road km per great-circle km.")
    speed_kmh: float = Field(default=60, ge=MIN_SPEED_KMH, le=1_000,
                             description="Travel speed for the estimate, 1 to 1,000 km/h.")


class Scenario(Strict):
    name: str = Field(max_length=MAX_TEXT, description="Name of the scenario.")
    units: list[Unit] = Field(description="The procuratorates.")
    pairs: list[Pair] = Field(default_factory=list, description="Paired adjacent units.")
    groups: list[Group] = Field(default_factory=list, description="Working groups of units.")
    pools: list[Pool] = Field(default_factory=list, description="Named talent pools.")
    roads: list[Road] = Field(default_factory=list, description="Road legs (travel graph).")
    prosecutors: list[Prosecutor] = Field(default_factory=list, description="The people.")
    cases: list[Case] = Field(default_factory=list, description="Cases needing a team.")
    previous: list[Assignment] = Field(
        default_factory=list, description="An earlier roster, for re-planning."
    )
    policy: Policy = Field(default_factory=Policy, description="Weights and travel estimate.")

    @cached_property
    def unit_by_id(self) -> dict[UnitId, Unit]:
        return {u.id: u for u in self.units}

    @cached_property
    def prosecutor_by_id(self) -> dict[ProsecutorId, Prosecutor]:
        return {p.id: p for p in self.prosecutors}

    @cached_property
    def case_by_id(self) -> dict[CaseId, Case]:
        return {c.id: c for c in self.cases}

    def priority_of(self, cases: Iterable[CaseId]) -> int:
        """The priority of the cases with these ids, together."""
        return sum(self.case_by_id[c].priority for c in cases)

    @cached_property
    def pool_by_id(self) -> dict[PoolId, Pool]:
        return {p.id: p for p in self.pools}

    @cached_property
    def pool_members(self) -> dict[PoolId, frozenset[ProsecutorId]]:
        """Each pool's members as a set: eligibility asks of every person in scope."""
        return {p.id: frozenset(p.members) for p in self.pools}

    @cached_property
    def province(self) -> UnitId:
        """The province the scenario belongs to: its provincial unit's id, or else the ids
        of its top units joined by '+'. Commitments are shared within a province."""
        provincial = sorted(u.id for u in self.units if u.tier is Tier.PROVINCIAL)
        if len(provincial) == 1:
            return provincial[0]
        ids = self.unit_by_id
        return "+".join(sorted(u.id for u in self.units if u.parent not in ids))

    def replace(self, **changes: Any) -> "Scenario":
        """A copy with some fields replaced (already valid values), and fresh lookup caches.

        Unlike model_copy(update=...), which would carry the cached id lookups over."""
        fields = {name: getattr(self, name) for name in type(self).model_fields}
        return Scenario.model_construct(**{**fields, **changes})

    def with_commitments(self, extra: Mapping[ProsecutorId, list["Commitment"]]) -> "Scenario":
        """A copy whose people carry the `extra` commitments after their own."""
        if not extra:
            return self
        people = [p.model_copy(update={"commitments": [*p.commitments, *extra[p.id]]})
                  if p.id in extra else p for p in self.prosecutors]
        return self.replace(prosecutors=people)

    def scope_of(self, case: Case) -> Scope:
        """The case's scope, or the default for its lead unit's tier."""
        if case.scope is not None:
            return case.scope
        return DEFAULT_SCOPE[self.unit_by_id[case.lead].tier]
