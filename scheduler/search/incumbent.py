"""The roster a search holds: its teams, its staffed cases and their objective."""

from dataclasses import dataclass

from models import Objective
from models.ids import CaseId
from scheduler.instance.eligibility import Option


@dataclass
class Incumbent:
    """The best roster so far and its objective."""

    chosen: list[Option]
    staffed: set[CaseId]
    objective: Objective
    # Whether the step that found it proved its reopened cases' teams the best they can be.
    proven: bool = False
