"""Families of synthetic provinces: each valid, deterministic, and showing its shape."""

import hashlib
import json
import statistics
from collections import Counter
from functools import cache
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from cli.main import app
from models import Status, parse_scenario
from scheduler import solve
from scheduler.model.core import make_context
from synth import province
from synth.province import FAMILIES

Data = dict[str, Any]
runner = CliRunner()
# A moderate size: the full map of ~160 offices, and enough cases for shares to settle.
MODERATE = (1500, 250, 1)


@cache
def _province(prosecutors: int, cases: int, seed: int, family: str) -> Data:
    return province(prosecutors, cases, seed, family=family)


def _pair(family: str) -> tuple[Data, Data]:
    """The family and the standard province at the moderate size, on the same seed."""
    return _province(*MODERATE, family), _province(*MODERATE, "standard")


def _options(data: Data) -> int:
    return len(make_context(parse_scenario(data)).candidates.options)


def _team_size(case: Data) -> int:
    team = case["team"]
    return int(team.get("leader") is not None) + sum(int(n) for n in team["members"].values())


def test_families_are_listed_once() -> None:
    """FAMILIES names the eight families with a one-line description each, standard first."""
    assert list(FAMILIES) == ["standard", "dense", "large-teams", "scarce", "tight",
                              "travel-caps", "no-roads", "skewed"]
    assert all(about and "\n" not in about for about in FAMILIES.values())


@pytest.mark.parametrize("family", list(FAMILIES))
@pytest.mark.parametrize("size", [(100, 15, 1), (500, 80, 2)])
def test_every_family_is_valid_and_deterministic(family: str, size: tuple[int, int, int]) -> None:
    """At small sizes each family parses without problems and the same arguments give the
    same JSON, byte for byte."""
    data = province(*size, family=family)
    parse_scenario(data)
    again = province(*size, family=family)
    assert json.dumps(data, ensure_ascii=False) == json.dumps(again, ensure_ascii=False)
    assert (family in data["name"]) == (family != "standard")


@pytest.mark.parametrize("family", list(FAMILIES)[1:])
def test_every_family_staffs_some_cases_when_small(family: str) -> None:
    """At the smallest size (100 x 15), where the standard map leaves under one person an
    office, every other family is still solvable in part: not infeasible, some case staffed."""
    scenario = parse_scenario(province(100, 15, 1, family=family))
    roster = solve(scenario, seconds=5, workers=1, seed=0, explain=False)
    assert roster.status in (Status.OPTIMAL, Status.FEASIBLE)
    assert any(case.staffed for case in roster.cases)


def test_standard_is_unchanged() -> None:
    """The standard family, by default or by name, writes exactly what the generator wrote
    before families existed (benchmarks and other tests depend on it)."""
    # Pins today's output: sha256 of the CLI's JSON of province(300, 40, 3), computed before
    # the families were added.
    pinned = "a70210d8c2912562323aa0b21f1093ab4ca3fc95b0da4d51d5fd940b96d69a15"
    for data in (province(300, 40, 3), province(300, 40, 3, family="standard")):
        text = json.dumps(data, ensure_ascii=False, indent=1)
        assert hashlib.sha256(text.encode()).hexdigest() == pinned


def test_unknown_family_is_a_value_error() -> None:
    """province() refuses a family it does not know and names the ones it does."""
    with pytest.raises(ValueError, match=r"unknown family 'huge'.*standard, dense"):
        province(100, 15, 1, family="huge")


def test_dense_has_twice_the_options() -> None:
    """Dense eligibility: at least twice the (person, case, slot) options per case of
    standard on the same seed."""
    dense, standard = _pair("dense")
    assert _options(dense) / len(dense["cases"]) >= 2 * _options(standard) / len(standard["cases"])


def test_large_teams_has_gang_sized_teams_beside_small_ones() -> None:
    """large-teams has teams of 30 to 60 people (standard has none over 30), while most
    teams stay small."""
    family, standard = _pair("large-teams")
    sizes = [_team_size(c) for c in family["cases"]]
    assert 30 <= max(sizes) <= 60
    assert max(_team_size(c) for c in standard["cases"]) <= 30
    assert statistics.median(sizes) <= 6


def _mn_speakers_per_slot(data: Data) -> float:
    speakers = sum("mn" in p["languages"] for p in data["prosecutors"])
    needed = sum(need["count"] for case in data["cases"]
                 for need in case["team"].get("languages", []) if need["language"] == "mn")
    return speakers / max(1, int(needed))


def _specialists(data: Data) -> int:
    specialties = {"organized_crime", "forensics", "enforcement", "false_litigation", "environment"}
    return sum(any(s in specialties for s in p["skills"]) for p in data["prosecutors"])


def _specialty_needs(data: Data) -> int:
    return sum(len(c["team"].get("skills", [])) > 1 for c in data["cases"])


def test_scarce_has_few_speakers_and_specialists_for_many_needs() -> None:
    """scarce has under half the Mongolian speakers per required Mongolian slot of
    standard, fewer specialists, and more cases that need a specialty."""
    scarce, standard = _pair("scarce")
    assert _mn_speakers_per_slot(scarce) < 0.5 * _mn_speakers_per_slot(standard)
    assert _specialists(scarce) < _specialists(standard)
    assert _specialty_needs(scarce) > _specialty_needs(standard)


def _home_share(data: Data) -> float:
    rank = sum(p["role"] in ("chief", "deputy_chief", "prosecutor") for p in data["prosecutors"])
    return sum(int(u["min_staff_at_home"]) for u in data["units"]) / rank


def test_tight_has_higher_load_leave_and_home_staffing() -> None:
    """tight has a higher mean existing load, more people on leave, and a higher share of
    prosecutor-rank staff kept at home than standard, and uses no commitments."""
    tight, standard = _pair("tight")

    def mean_load(data: Data) -> float:
        return statistics.mean(float(p["load"]) for p in data["prosecutors"])

    def on_leave(data: Data) -> int:
        return sum(bool(p.get("unavailable")) for p in data["prosecutors"])

    assert mean_load(tight) >= mean_load(standard) + 0.1
    assert on_leave(tight) >= 2 * on_leave(standard)
    assert _home_share(tight) >= 1.5 * _home_share(standard)
    assert not any(p.get("commitments") for p in tight["prosecutors"])


def test_travel_caps_cap_most_cases() -> None:
    """travel-caps puts a limit of 60 to 180 minutes on at least 70 % of the cases."""
    family, _ = _pair("travel-caps")
    caps = [c["team"]["max_travel_minutes"] for c in family["cases"]
            if "max_travel_minutes" in c["team"]]
    assert len(caps) >= 0.7 * len(family["cases"])
    assert all(60 <= cap <= 180 for cap in caps)


def test_no_roads_is_standard_without_roads() -> None:
    """no-roads has no roads at all (so travel is great-circle) and, at full size, is
    otherwise the standard province of the same seed."""
    family, standard = _pair("no-roads")
    assert family["roads"] == [] and standard["roads"]
    strip = {"name", "roads"}
    assert {k: v for k, v in family.items() if k not in strip} == \
           {k: v for k, v in standard.items() if k not in strip}
    travel = make_context(parse_scenario(family)).travel
    venue = family["cases"][0]["venue"]
    assert all(travel.minutes(u["id"], venue) is not None for u in family["units"])


def test_skewed_has_a_few_large_offices_and_many_small_ones() -> None:
    """skewed's largest office is many times its median office (5-person counties),
    against a modest ratio in standard."""
    def ratio(data: Data) -> float:
        sizes = sorted(Counter(p["home"] for p in data["prosecutors"]).values())
        return sizes[-1] / statistics.median(sizes)

    skewed, standard = _pair("skewed")
    assert ratio(skewed) >= 4 * ratio(standard)
    sizes = Counter(p["home"] for p in skewed["prosecutors"])
    assert Counter(sizes.values()).most_common(1)[0][0] == 5


def test_cli_writes_a_family(tmp_path: Path) -> None:
    """`generate province --family dense` writes a valid scenario of that family."""
    out = tmp_path / "dense.json"
    result = runner.invoke(app, ["generate", "province", "--prosecutors", "100", "--cases", "15",
                                 "--family", "dense", "--out", str(out)])
    assert result.exit_code == 0, result.output
    data = json.loads(out.read_text())
    assert data["name"] == "province-dense-100x15-s0"
    parse_scenario(data)


def test_cli_rejects_an_unknown_family(tmp_path: Path) -> None:
    """An unknown --family exits 2, writes nothing, names every valid family, and shows
    no traceback."""
    out = tmp_path / "x.json"
    result = runner.invoke(app, ["generate", "province", "--family", "huge", "--out", str(out)])
    assert result.exit_code == 2, result.output
    assert "unknown family 'huge'" in result.output
    assert all(name in result.output for name in FAMILIES)
    assert "Traceback" not in result.output and not out.exists()
