"""People, cases and offices in the checker's reasons by their names, not their ids.

The checks build their reasons with ids, as the roster gives them; a reader of 案件
enforce-oroqen or chen_barag-02 wants 鄂伦春旗执行监督案 and 陈… as the solver's own
reasons give them. Ids the scenario does not know stay as they are: they are the fault.
"""

from models import Scenario
from models.reason import Param, Reason, ref

# The parameters of the checker's messages that hold an id, and what kind of id.
ID_PARAMS = {"case": "case", "other": "case", "person": "person", "unit": "unit"}


def _named(s: Scenario, kind: str, value: str) -> Param:
    if kind == "case" and (case := s.case_by_id.get(value)) is not None:
        return ref("case", case.id, "", case.title_zh)
    if kind == "person" and (person := s.prosecutor_by_id.get(value)) is not None:
        return ref("person", person.id, person.name, person.name_zh)
    if kind == "unit" and (unit := s.unit_by_id.get(value)) is not None:
        return ref("unit", unit.id, unit.name, unit.name_zh)
    return value


def named(s: Scenario, reason: Reason) -> Reason:
    """`reason` with every id parameter that `s` knows as a reference with its names."""
    params = {key: _named(s, ID_PARAMS[key], value)
              if key in ID_PARAMS and isinstance(value, str) else value
              for key, value in reason.params.items()}
    return reason.model_copy(update={"params": params})

