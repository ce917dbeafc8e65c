"""The tutorial scenario of the README: its expected roster, worked out by hand."""

import json
import re
from pathlib import Path

from models import Status, parse_scenario
from tests.tiny import english, solved, staffed, team

TUTORIAL = Path(__file__).resolve().parent.parent / "scenarios" / "tutorial.json"


def _readme_reason() -> str:
    """The herders case's unstaffed reason as the README's tour quotes it."""
    readme = (TUTORIAL.parent.parent / "README.md").read_text(encoding="utf-8")
    bullet = readme.split("- **herders**", 1)[1].split("\n- ", 1)[0].split("\n\n", 1)[0]
    quoted = re.findall(r"`(needs .+?)`", bullet, re.S)
    assert len(quoted) == 1, bullet
    return " ".join(quoted[0].split())


def test_tutorial_roster() -> None:
    """Fraud is staffed in Hailar with the junior Zhao (no_junior), grassland by Chen Barag's
    two Mongolian speakers, and herders cannot be: Oyun is the only Mongolian speaker within
    20 minutes of Ewenki. The reason the roster gives is the README's, word for word."""
    roster = solved(parse_scenario(json.loads(TUTORIAL.read_text())))
    assert roster.status is Status.OPTIMAL
    assert team(roster, "fraud") == {"wang", "zhao", "sun"}
    assert team(roster, "grassland") == {"bayar", "saruul"}
    assert not staffed(roster, "herders")
    assert english(roster.cases[2].unstaffed_reason) == _readme_reason()
    assert roster.objective is not None
    assert roster.objective.staffed_priority == 5
    assert roster.objective.cost == 1060  # peak 50 % x 20 + two teams of one unit x 30


def test_hulunbuir_scenario_is_valid_and_as_described() -> None:
    """The shipped Hulunbuir scenario loads, with 208 prosecutor-rank staff in the 14
    grassroots offices, the seven pairs and five groups."""
    path = TUTORIAL.parent / "hulunbuir.json"
    s = parse_scenario(json.loads(path.read_text()))
    grassroots = {u.id for u in s.units if u.tier.value == "grassroots"}
    assert len(grassroots) == 14
    assert sum(1 for p in s.prosecutors if p.home in grassroots
               and p.role.value in ("chief", "deputy_chief", "prosecutor")) == 208
    assert (len(s.pairs), len(s.groups)) == (7, 5)
    gang = s.case_by_id["gang-110"]
    assert gang.team.size - gang.team.members.assistant - gang.team.members.clerk == 45
    assert gang.team.max_units == 10
