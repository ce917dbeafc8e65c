"""References to the scenario's units, people and cases inside reasons, with their names."""

from models import Case, Prosecutor, Unit
from models.reason import Reason, ref


def unit_ref(unit: Unit) -> Reason:
    """A unit named in a reason: its id, and its names to show per language."""
    return ref("unit", unit.id, unit.name, unit.name_zh)


def person_ref(person: Prosecutor) -> Reason:
    """A person named in a reason."""
    return ref("person", person.id, person.name, person.name_zh)


def case_ref(case: Case) -> Reason:
    """A case named in a reason: by its id, which English planners quote, and in Chinese by
    its Chinese title where it has one (a clerk reads 电信诈骗团伙案, not fraud)."""
    return ref("case", case.id, "", case.title_zh)
