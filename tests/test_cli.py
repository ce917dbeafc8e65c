"""The taskforce command line: exit codes, formats, files, and no tracebacks on bad input."""

import json
from pathlib import Path

from typer.testing import CliRunner

from cli.main import app

SCENARIOS = Path(__file__).resolve().parent.parent / "scenarios"
TUTORIAL = SCENARIOS / "tutorial.json"
runner = CliRunner()


def test_solve_prints_a_table() -> None:
    """`solve` prints one row per case with leader and unstaffed reason, and exits 0."""
    result = runner.invoke(app, ["solve", str(TUTORIAL), "--workers", "1"])
    assert result.exit_code == 0, result.output
    assert "Wang Lei" in result.output and "unstaffed" in result.output
    assert "status: optimal" in result.output


def test_solve_json_and_out_file(tmp_path: Path) -> None:
    """`--format json` prints the roster; `--out` writes the same roster to a file."""
    out = tmp_path / "roster.json"
    result = runner.invoke(app, ["solve", str(TUTORIAL), "--format", "json", "--out", str(out),
                                 "--workers", "1"])
    assert result.exit_code == 0, result.output
    printed, written = json.loads(result.stdout), json.loads(out.read_text())
    assert out.stat().st_mode & 0o777 == 0o644
    assert printed["status"] == written["status"] == "optimal"
    assert [c["id"] for c in written["cases"]] == ["fraud", "grassland", "herders"]


def test_check_accepts_solver_roster_and_rejects_tampered(tmp_path: Path) -> None:
    """`check` exits 0 on the solver's roster and 1 once a clerk is swapped for a prosecutor."""
    out = tmp_path / "roster.json"
    assert runner.invoke(app, ["solve", str(TUTORIAL), "--out", str(out)]).exit_code == 0
    ok = runner.invoke(app, ["check", str(TUTORIAL), str(out)])
    assert ok.exit_code == 0 and "roster is valid" in ok.output
    data = json.loads(out.read_text())
    fraud = data["cases"][0]
    for member in fraud["team"]:
        if member["slot"] == "clerk":
            member["prosecutor"] = "liu"
    out.write_text(json.dumps(data))
    bad = runner.invoke(app, ["check", str(TUTORIAL), str(out)])
    assert bad.exit_code == 1 and "1 composition" in bad.output


def test_bad_input_exits_2_without_traceback(tmp_path: Path) -> None:
    """Malformed JSON, a missing file and an invalid scenario each exit 2 with a named problem."""
    broken = tmp_path / "broken.json"
    broken.write_text('{"name": "x", "units": [')
    invalid = tmp_path / "invalid.json"
    invalid.write_text(json.dumps({"name": "x", "units": [], "prosecutors": [
        {"id": "p", "name": "P", "home": "nowhere", "role": "prosecutor"}]}))
    for path, words in [(broken, "not valid JSON at line 1"),
                        (tmp_path / "missing.json", "no such file"),
                        (invalid, "prosecutors[0].home (p): unknown unit 'nowhere'")]:
        for command in (["solve", str(path)], ["validate", str(path)]):
            result = runner.invoke(app, command)
            assert result.exit_code == 2, result.output
            assert words in result.output
            assert "Traceback" not in result.output


def test_failed_solve_keeps_existing_out_file(tmp_path: Path) -> None:
    """A roster file already stored is untouched when the new scenario is rejected."""
    out = tmp_path / "roster.json"
    out.write_text("precious")
    bad = tmp_path / "bad.json"
    bad.write_text("{}")
    assert runner.invoke(app, ["solve", str(bad), "--out", str(out)]).exit_code == 2
    assert out.read_text() == "precious"


def test_infeasible_exits_1(tmp_path: Path) -> None:
    """A mandatory case nobody can staff: exit 1 and the reason on screen."""
    data = json.loads(TUTORIAL.read_text())
    data["cases"][2]["mandatory"] = True
    path = tmp_path / "infeasible.json"
    path.write_text(json.dumps(data))
    result = runner.invoke(app, ["solve", str(path)])
    assert result.exit_code == 1
    assert "infeasible" in result.output and "herders" in result.output


def test_validate_yaml(tmp_path: Path) -> None:
    """A YAML scenario with the same structure is accepted."""
    import yaml

    path = tmp_path / "tutorial.yaml"
    path.write_text(yaml.safe_dump(json.loads(TUTORIAL.read_text())))
    result = runner.invoke(app, ["validate", str(path)])
    assert result.exit_code == 0 and "8 prosecutors, 3 cases" in result.output
