"""The CP-SAT decision variables behind a small, named interface.

Rules and cost terms ask questions (`is_assigned(person, case)`, `is_staffed(case)`,
`uses_unit(case, unit)`) instead of indexing dictionaries of variables.
"""

from collections import defaultdict
from collections.abc import Iterable

from ortools.sat.python import cp_model as cp
from ortools.util.python.sorted_interval_list import Domain

from models import Scenario, Slot
from models.ids import CaseId, ProsecutorId, UnitId
from scheduler.instance.eligibility import Candidates, Option

# The domain of every Boolean made by `new_bool`, made once.
_BOOLEAN = Domain(0, 1)


def new_bool(model: cp.CpModel) -> cp.IntVar:
    """A new unnamed 0-1 variable: `new_bool_var("")` at half the cost, as it makes neither a
    domain nor a name. The 135 parts of dense 4,000 x 700 make 330,000 of them, a model
    each, and a part's CP-SAT waits for its model."""
    return cp.IntVar(model.proto).with_domain(_BOOLEAN)


class Decisions:
    """Booleans: staffed per case, one per eligible (person, case, slot), and derived ones."""

    def __init__(self, model: cp.CpModel, scenario: Scenario, candidates: Candidates) -> None:
        self.model = model
        self.scenario = scenario
        self.candidates = candidates
        self._staffed = {c.id: model.new_bool_var(f"staffed[{c.id}]") for c in scenario.cases}
        self._slot: dict[tuple[ProsecutorId, CaseId, Slot], cp.IntVar] = {}
        self._by_person_case: dict[tuple[ProsecutorId, CaseId], list[Option]] = defaultdict(list)
        for o in candidates.options:
            self._slot[o.person, o.case, o.slot] = new_bool(model)
            self._by_person_case[o.person, o.case].append(o)
        self._assigned: dict[tuple[ProsecutorId, CaseId], cp.IntVar] = {}
        self._on_site: dict[tuple[ProsecutorId, CaseId], cp.IntVar | None] = {}
        self._unit_used: dict[tuple[CaseId, UnitId], cp.IntVar] = {}

    def is_staffed(self, case: CaseId) -> cp.IntVar:
        """True when `case` has its whole team."""
        return self._staffed[case]

    def in_slot(self, person: ProsecutorId, case: CaseId, slot: Slot) -> cp.IntVar | None:
        """True when `person` fills a `slot` of `case`; None when that is not eligible."""
        return self._slot.get((person, case, slot))

    def options(self, person: ProsecutorId, case: CaseId) -> list[Option]:
        """The eligible slots of `person` on `case`."""
        return self._by_person_case.get((person, case), [])

    def is_assigned(self, person: ProsecutorId, case: CaseId) -> cp.IntVar:
        """True when `person` is on the team of `case`, in any slot."""
        key = person, case
        # Asked about a million times on a province, so the cached answer comes first.
        if (var := self._assigned.get(key)) is not None:
            return var
        slots = [self._slot[person, case, o.slot] for o in self.options(person, case)]
        if len(slots) == 1:
            var = slots[0]
        else:
            var = new_bool(self.model)
            self.model.add(var == sum(slots))
        self._assigned[key] = var
        return var

    def may_be_on_site(self, person: ProsecutorId, case: CaseId) -> bool:
        """Whether some eligible slot of `person` on `case` is on site (no variable made)."""
        return any(o.on_site for o in self.options(person, case))

    def is_on_site(self, person: ProsecutorId, case: CaseId) -> cp.IntVar | None:
        """True when `person` serves `case` on site; None when they could only be remote."""
        key = person, case
        if key not in self._on_site:
            options = self.options(person, case)
            on_site = [self._slot[person, case, o.slot] for o in options if o.on_site]
            if not on_site:
                self._on_site[key] = None
            elif len(on_site) == len(options):
                self._on_site[key] = self.is_assigned(person, case)
            elif len(on_site) == 1:
                self._on_site[key] = on_site[0]
            else:
                var = new_bool(self.model)
                self.model.add(var == sum(on_site))
                self._on_site[key] = var
        return self._on_site[key]

    def uses_unit(self, case: CaseId, unit: UnitId) -> cp.IntVar:
        """True exactly when some member of `case` has `unit` as home."""
        key = case, unit
        if key not in self._unit_used:
            members = [self.is_assigned(p, case)
                       for p in self.candidates.people_by_home(case).get(unit, [])]
            var = new_bool(self.model)
            for member in members:
                self.model.add_implication(member, var)
            self.model.add_bool_or(members).only_enforce_if(var)
            self._unit_used[key] = var
        return self._unit_used[key]

    def home_units(self, case: CaseId) -> list[UnitId]:
        """Distinct home units of the people eligible for `case`."""
        return sorted(self.candidates.people_by_home(case))

    def hamming(self, roster: Iterable[tuple[ProsecutorId, CaseId, Slot]],
                cases: set[CaseId]) -> cp.LinearExprT:
        """How many assignments of `cases` differ from `roster`'s: its (person, case, slot)
        assignments dropped plus those added. An assignment of `roster` with no variable
        here (not eligible in this model) counts as dropped."""
        earlier = {key for key in roster if key[1] in cases}
        variables, coefficients, constant = [], [], 0
        for key, var in self._slot.items():
            if key[1] not in cases:
                continue
            variables.append(var)
            if key in earlier:
                coefficients.append(-1)  # 1 - var: dropped when false
                constant += 1
            else:
                coefficients.append(1)  # added when true
        constant += len(earlier - self._slot.keys())
        return cp.LinearExpr.weighted_sum(variables, coefficients) + constant

    def all_slot_vars(self) -> dict[tuple[ProsecutorId, CaseId, Slot], cp.IntVar]:
        """Every assignment variable, for hints and for reading a solution."""
        return self._slot
