"""Which home units may serve a case, by its scope (spec: Case.scope and reading 1.1)."""

from collections import defaultdict

from models import Case, Scenario, Scope, Tier
from models.ids import UnitId


class Geography:
    """The relations between units that scopes are made of: pairs, groups, supervision."""

    def __init__(self, scenario: Scenario) -> None:
        self.units = scenario.unit_by_id
        self.partners: dict[UnitId, set[UnitId]] = defaultdict(set)
        for pair in scenario.pairs:
            a, b = pair.units
            self.partners[a].add(b)
            self.partners[b].add(a)
        self.group_mates: dict[UnitId, set[UnitId]] = defaultdict(set)
        for group in scenario.groups:
            for member in group.units:
                self.group_mates[member] |= group.units
        self.children: dict[UnitId, list[UnitId]] = defaultdict(list)
        for unit in scenario.units:
            if unit.parent is not None:
                self.children[unit.parent].append(unit.id)

    def supervised(self, root: UnitId) -> set[UnitId]:
        """`root` and every unit it supervises, transitively."""
        out, stack = {root}, [root]
        while stack:
            for child in self.children[stack.pop()]:
                if child not in out:
                    out.add(child)
                    stack.append(child)
        return out

    def municipal_root(self, lead: UnitId) -> UnitId:
        """The municipal unit that is, or supervises, `lead`; a provincial lead is its own."""
        here = self.units[lead]
        while here.tier is Tier.GRASSROOTS and here.parent in self.units:
            here = self.units[here.parent]
        return here.id

    def in_scope(self, scope: Scope, lead: UnitId) -> set[UnitId]:
        """The home units allowed by `scope` for a case led by `lead`."""
        if scope is Scope.UNIT:
            return {lead}
        if scope is Scope.PAIR:
            return {lead} | self.partners[lead]
        if scope is Scope.GROUP:
            return {lead} | self.partners[lead] | self.group_mates[lead]
        if scope is Scope.MUNICIPAL:
            return self.supervised(self.municipal_root(lead))
        return set(self.units)

    def near(self, case: Case) -> set[UnitId]:
        """The case's lead unit, its venue and the units paired with either: a member from
        anywhere else counts as off_pair."""
        return {case.lead, case.venue} | self.partners[case.lead] | self.partners[case.venue]

    def is_partner(self, a: UnitId, b: UnitId) -> bool:
        """Whether two units are paired."""
        return b in self.partners[a]


def units_in_scope(scenario: Scenario, geography: Geography, case: Case) -> set[UnitId]:
    """The home units whose staff may serve `case`."""
    return geography.in_scope(scenario.scope_of(case), case.lead)
