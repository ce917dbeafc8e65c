"""`taskforce sweep`: the ranked table, CSV, JSON and workbook outputs, bad input named
without a traceback, and Ctrl-C ending at once with nothing written."""

import json
import os
import signal
import subprocess
import sys
import time
from io import BytesIO
from pathlib import Path

import pytest
from openpyxl import load_workbook
from typer.testing import CliRunner

from cli.interrupt import children
from cli.main import app

ROOT = Path(__file__).resolve().parent.parent
TUTORIAL = ROOT / "scenarios" / "tutorial.json"
runner = CliRunner()


def _roster(tmp_path: Path, scenario: Path = TUTORIAL) -> Path:
    out = tmp_path / "roster.json"
    result = runner.invoke(app, ["solve", str(scenario), "--out", str(out), "--workers", "1",
                                 "--format", "summary"])
    assert result.exit_code == 0, result.output
    return out


def test_sweep_prints_a_ranked_table_in_chinese(tmp_path: Path) -> None:
    """Each member absent: a table, most damaging first (Sun Ting, whose absence loses the
    fraud case, ranks first), in Chinese with --lang zh; exit 0."""
    roster = _roster(tmp_path)
    result = runner.invoke(app, ["sweep", str(TUTORIAL), str(roster), "--lang", "zh",
                                 "--parallel", "1"])
    assert result.exit_code == 0, result.output
    assert "应急推演" in result.output and "孙婷" in result.output and "不在岗" in result.output
    assert result.output.index("孙婷") < result.output.index("王磊")


def test_sweep_writes_csv_json_and_workbook(tmp_path: Path) -> None:
    """--out by suffix: CSV with a header and one row per contingency, JSON that reads back
    as a sweep, a workbook with the ranked sheet and the moves."""
    roster = _roster(tmp_path)
    for name in ("s.csv", "s.json", "s.xlsx"):
        result = runner.invoke(app, ["sweep", str(TUTORIAL), str(roster), "--absent",
                                     "each-office", "--parallel", "1", "--out",
                                     str(tmp_path / name), "--format", "csv"])
        assert result.exit_code == 0, result.output
    lines = (tmp_path / "s.csv").read_text().splitlines()
    assert lines[0].startswith("rank,kind,id,contingency") and len(lines) == 5
    assert json.loads((tmp_path / "s.json").read_text())["absent"] == "each-office"
    book = load_workbook(BytesIO((tmp_path / "s.xlsx").read_bytes()))
    assert book.sheetnames == ["Contingencies", "Moves"]
    assert book["Contingencies"].max_row == 5


def test_bad_input_is_named_without_a_traceback(tmp_path: Path) -> None:
    """A roster that breaks a rule, a roster naming an unknown case, a missing file, a
    sweep over --limit and an --out that cannot be written (said before any re-plan) each
    exit 2 with the file and what is wrong, no traceback."""
    roster = _roster(tmp_path)
    data = json.loads(roster.read_text())
    data["cases"][0]["team"] = data["cases"][0]["team"][:1]
    broken = tmp_path / "broken.json"
    broken.write_text(json.dumps(data))
    unknown = tmp_path / "unknown.json"
    unknown.write_text(json.dumps(json.loads(roster.read_text())
                                  | {"cases": [{"id": "ghost", "staffed": False}]}))
    for args, words in [([str(broken)], "only a valid roster can be swept"), ([str(unknown)], "ghost"),
                        ([str(tmp_path / "none.json")], "none.json"),
                        ([str(roster), "--limit", "2"], "--limit 2"),
                        ([str(roster), "--out", str(tmp_path)], "cannot be written")]:
        result = runner.invoke(app, ["sweep", str(TUTORIAL), *args, "--parallel", "1"])
        assert result.exit_code == 2, result.output
        assert words in result.output and "Traceback" not in result.output


def test_ctrl_c_ends_the_sweep_at_once_and_writes_nothing(tmp_path: Path) -> None:
    """A Ctrl-C at the terminal (SIGINT to the process group, worker processes included)
    mid-sweep ends it with exit 130, one line naming Ctrl-C, saying nothing was written and
    how to go on, no traceback from any process, no output file, and no worker left running."""
    roster = _roster(tmp_path, ROOT / "scenarios" / "hulunbuir.json")
    out = tmp_path / "sweep.csv"
    proc = subprocess.Popen(
        [str(Path(sys.executable).parent / "taskforce"), "sweep", str(ROOT / "scenarios" / "hulunbuir.json"),
         str(roster), "--seconds", "60", "--parallel", "2", "--out", str(out), "--lang", "en"],
        cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        start_new_session=True)
    time.sleep(8)  # the workers have started and are re-planning
    os.killpg(proc.pid, signal.SIGINT)
    _, err = proc.communicate(timeout=30)
    assert proc.returncode == 130, err
    assert "Interrupted by Ctrl-C: no sweep was written" in err
    assert "Traceback" not in err and "Warning" not in err
    assert not out.exists()
    time.sleep(1)
    left = subprocess.run(["ps", "-o", "stat=", "-g", str(proc.pid)], capture_output=True,
                          text=True)
    assert [s for s in left.stdout.split() if not s.startswith("Z")] == []  # zombies are dead


def _importing(pid: int) -> int:
    """How many children of `pid` have begun to import taskforce: they have pydantic's
    compiled core loaded, which our models load first of all, a second or two before the
    solver is in."""
    found = 0
    for child in children(pid):
        try:
            found += "pydantic_core" in Path(f"/proc/{child}/maps").read_text()
        except OSError:
            continue  # ended meanwhile
    return found


@pytest.mark.skipif(not Path("/proc/self/task").exists(), reason="reads Linux's /proc")
def test_ctrl_c_while_the_workers_load_prints_no_traceback(tmp_path: Path) -> None:
    """A Ctrl-C at the terminal as the sweep's two worker processes load the solver
    (watched in /proc, not guessed by waiting) ends it with exit 130 and the line naming
    Ctrl-C, and no worker prints a traceback: they ignore SIGINT before they import
    anything of ours. (Python's own start-up before that, about 0.1 s, is not covered:
    both workers are seen importing before the Ctrl-C.)"""
    roster = _roster(tmp_path, ROOT / "scenarios" / "hulunbuir.json")
    proc = subprocess.Popen(
        [str(Path(sys.executable).parent / "taskforce"), "sweep", str(ROOT / "scenarios" / "hulunbuir.json"),
         str(roster), "--seconds", "60", "--parallel", "2", "--lang", "en"],
        cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        start_new_session=True)
    try:
        while _importing(proc.pid) < 2:
            assert proc.poll() is None, proc.communicate()
            time.sleep(0.005)  # a poll of /proc, not a wait for anything to happen
        os.killpg(proc.pid, signal.SIGINT)
        _, err = proc.communicate(timeout=60)
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
    assert proc.returncode == 130, err
    assert "Interrupted by Ctrl-C: no sweep was written" in err
    assert "Traceback" not in err and "KeyboardInterrupt" not in err, err


def test_sigterm_while_the_roster_is_checked_ends_the_sweep_with_its_line(tmp_path: Path) -> None:
    """A SIGTERM that arrives while `sweep` checks the roster it was given (after reading
    the inputs, before the re-plans) ends it with exit 143 and the line naming SIGTERM;
    left to the default there, it killed the process without a word."""
    roster = _roster(tmp_path)
    script = (
        "import os, signal, sys\n"
        "import cli.main\n"
        "from cli.run import run\n"
        "checked = cli.main._require_valid\n"
        "def stopped(*args, **kwargs):\n"
        "    os.kill(os.getpid(), signal.SIGTERM)\n"
        "    return checked(*args, **kwargs)\n"
        "cli.main._require_valid = stopped\n"
        "sys.exit(run(cli.main.app, sys.argv[1:], 'en'))\n")
    proc = subprocess.run(
        [sys.executable, "-c", script, "sweep", str(TUTORIAL), str(roster), "--parallel", "1",
         "--out", str(tmp_path / "sweep.csv"), "--lang", "en"],
        cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert proc.returncode == 143, (proc.returncode, proc.stderr)
    assert "interrupted by SIGTERM before the re-plans began: no sweep was written" in proc.stderr
    assert "Traceback" not in proc.stderr and not (tmp_path / "sweep.csv").exists()
