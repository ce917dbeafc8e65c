"""Ctrl-C on the command line: one press stops a batch at once with exit 130, says how to
resume, and nothing cut short is recorded as done (issue 17, defect 13); one press ends a
solve with its best roster, said to be cut short, and two end it with none (issue 16)."""

import json
import signal
import subprocess
import sys
import threading
import time
import types
from pathlib import Path
from typing import Any, NoReturn

import pytest
from typer.testing import CliRunner

import cli.interrupt
from checker import check_roster
from cli import entry
from cli.batch import run_batch
from cli.interrupt import exit_code, run_until_interrupted
from models import Roster, Scenario, Status, parse_scenario
from synth import province

ROOT = Path(__file__).resolve().parent.parent
TUTORIAL = ROOT / "scenarios" / "tutorial.json"
# Long enough that no solve below finishes before it is interrupted.
LONG_SOLVE_SECONDS = 120


class _StoppedError(Exception):
    """What the interrupt handler raises in these tests instead of ending the process."""


def _stop(signum: int) -> NoReturn:
    raise _StoppedError(signum)


def test_the_first_interrupt_stops_at_once_without_waiting_for_the_work() -> None:
    """One SIGINT reaches the handler while the work is still running (it does not wait
    for the work to finish or to notice), and the work's answer is never used."""
    release = threading.Event()

    def work() -> Roster:
        signal.raise_signal(signal.SIGINT)
        release.wait(30)
        return Roster(scenario="x", status=Status.FEASIBLE)

    with pytest.raises(_StoppedError):
        run_until_interrupted(work, _stop)
    assert not release.is_set()
    release.set()
    assert signal.getsignal(signal.SIGINT) is signal.default_int_handler


def test_an_interrupt_once_the_work_is_done_lets_its_result_be_shown_whole() -> None:
    """A SIGINT while the finished work's result is written and printed (`then`) is held
    off: the output completes, and the handler is put back after."""
    shown: list[str] = []

    def then(result: str) -> None:
        signal.raise_signal(signal.SIGINT)
        shown.append(result)

    assert run_until_interrupted(lambda: "roster", _stop, then=then) == "roster"
    assert shown == ["roster"]
    assert signal.getsignal(signal.SIGINT) is signal.default_int_handler


def test_with_a_wind_down_the_first_interrupt_asks_and_the_second_stops(
        monkeypatch: pytest.MonkeyPatch) -> None:
    """Given `wind_down`, the first SIGINT only calls it (the work then ends early with
    what it has, and its result is shown); a second SIGINT ends at once (here with no
    wait between them: how soon a repeat counts as a second press is tested below)."""
    monkeypatch.setattr(cli.interrupt, "REPEAT_SECONDS", 0.0)
    winding = threading.Event()

    def work() -> str:
        signal.raise_signal(signal.SIGINT)
        assert winding.wait(30)
        return "best so far"

    shown: list[str] = []
    assert run_until_interrupted(work, _stop, then=shown.append,
                                 wind_down=lambda _: winding.set()) == "best so far"
    assert shown == ["best so far"]

    wound, release = threading.Event(), threading.Event()

    def stubborn() -> str:
        signal.raise_signal(signal.SIGINT)
        assert wound.wait(30)
        signal.raise_signal(signal.SIGINT)  # winding down takes too long: press again
        release.wait(30)
        return "never used"

    with pytest.raises(_StoppedError):
        run_until_interrupted(stubborn, _stop, wind_down=lambda _: wound.set())
    assert not release.is_set()
    release.set()


@pytest.mark.parametrize("signum", [signal.SIGINT, signal.SIGTERM])
def test_a_process_started_ignoring_interrupts_keeps_ignoring_them(signum: int) -> None:
    """Started with SIGINT (or SIGTERM) ignored (a script's background job, `nohup`), the
    work runs to its end through that signal, and the handler is left ignoring, not taken
    over."""
    previous = signal.signal(signum, signal.SIG_IGN)
    try:
        def work() -> str:
            signal.raise_signal(signum)
            return "finished"

        assert run_until_interrupted(work, _stop) == "finished"
        assert signal.getsignal(signum) is signal.SIG_IGN
    finally:
        signal.signal(signum, previous)


def test_sigterm_is_taken_as_one_ctrl_c_and_said_by_its_number(
        monkeypatch: pytest.MonkeyPatch) -> None:
    """SIGTERM (from `kill` or `timeout`) reaches `wind_down`, then `on_interrupt`, as
    Ctrl-C does, each told it was SIGTERM (exit 143); the default action is put back."""
    monkeypatch.setattr(cli.interrupt, "REPEAT_SECONDS", 0.0)
    told: list[int] = []
    wound, release = threading.Event(), threading.Event()

    def wind_down(signum: int) -> None:
        told.append(signum)
        wound.set()

    def work() -> str:
        signal.raise_signal(signal.SIGTERM)
        assert wound.wait(30)
        signal.raise_signal(signal.SIGTERM)  # a second one: stop at once
        release.wait(30)
        return "never used"

    with pytest.raises(_StoppedError) as stopped:
        run_until_interrupted(work, _stop, wind_down=wind_down)
    release.set()
    assert told == [signal.SIGTERM] and stopped.value.args == (signal.SIGTERM,)
    assert exit_code(signal.SIGTERM) == 143 and exit_code(signal.SIGINT) == 130
    assert signal.getsignal(signal.SIGTERM) is signal.SIG_DFL


def test_a_signal_repeated_at_once_is_the_same_request() -> None:
    """GNU `timeout` sends SIGTERM to the command and then to its process group: the two,
    arriving apart but within `REPEAT_SECONDS`, only wind the work down once, and its
    result is shown (taken as two, `timeout` ended solves with no roster)."""
    told: list[int] = []
    wound = threading.Event()

    def wind_down(signum: int) -> None:
        told.append(signum)
        wound.set()

    def work() -> str:
        signal.raise_signal(signal.SIGTERM)
        assert wound.wait(30)  # the first was handled: the second is a separate call
        signal.raise_signal(signal.SIGTERM)
        return "best so far"

    shown: list[str] = []
    assert run_until_interrupted(work, _stop, then=shown.append,
                                 wind_down=wind_down) == "best so far"
    assert told == [signal.SIGTERM] and shown == ["best so far"]


def test_ending_interrupted_ends_child_processes_first() -> None:
    """Before exiting, the interrupt handler ends every child process, those that
    multiprocessing does not list yet included (a sweep's worker still being sent its
    start-up data printed a traceback on finding its parent gone)."""
    # In a process of its own: here it would end the test run's own helpers too.
    code = ("import subprocess, sys; from cli.interrupt import _end_children; "
            "child = subprocess.Popen([sys.executable, '-c', 'import time; time.sleep(60)']); "
            "_end_children(); print(child.wait(timeout=10))")
    done = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True,
                          text=True, timeout=60)
    assert done.stdout.strip() == str(-signal.SIGKILL), done.stderr


def test_an_interrupted_batch_records_nothing_cut_short(tmp_path: Path,
                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    """Interrupted during its second solve, a batch has recorded the first request only;
    the second is neither in state.json nor among the rosters, and a rerun solves it."""
    requests = tmp_path / "requests.jsonl"
    tutorial = json.loads(TUTORIAL.read_text())
    requests.write_text("".join(json.dumps(c) + "\n" for c in tutorial["cases"][:2]))
    scenario = parse_scenario(tutorial | {"cases": []})
    real = run_batch.__globals__["solve"]
    calls: list[str] = []
    release = threading.Event()

    def solve(s: Scenario, **kw: float) -> Roster:
        calls.append(s.cases[-1].id)
        if len(calls) == 2:
            signal.raise_signal(signal.SIGINT)
            release.wait(30)
            raise RuntimeError("the process would have ended here")
        roster: Roster = real(s, **kw)
        return roster

    monkeypatch.setitem(run_batch.__globals__, "solve", solve)
    out = tmp_path / "out"
    with pytest.raises(_StoppedError):
        run_until_interrupted(lambda: run_batch(scenario, requests, out, mode="sequential",
                                                seconds=5, workers=1), _stop)
    release.set()
    state = json.loads((out / "state.json").read_text())
    assert state["done"] == ["fraud"]
    assert sorted(p.name for p in (out / "rosters").iterdir()) == ["fraud.json"]
    monkeypatch.setitem(run_batch.__globals__, "solve", real)
    again = run_batch(scenario, requests, out, mode="sequential", seconds=5, workers=1)
    assert (again.skipped, again.done) == (1, 1)


def _start(args: list[str], cwd: Path) -> subprocess.Popen[str]:
    """`taskforce ARGS` in a process of its own, its stderr read line by line."""
    command = str(Path(sys.executable).parent / "taskforce")
    return subprocess.Popen([command, *args], cwd=cwd, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)


def _interrupt_once_started(process: subprocess.Popen[str], marker: str,
                            signum: int = signal.SIGINT) -> tuple[str, str]:
    """Wait for `marker` on stderr, send one `signum`, and return the rest of the output."""
    assert process.stderr is not None
    seen = []
    for line in process.stderr:
        seen.append(line)
        if marker in line:
            break
    else:
        pytest.fail("the command ended before it started solving: " + "".join(seen))
    process.send_signal(signum)
    stdout, stderr = process.communicate(timeout=30)
    return stdout, "".join(seen) + stderr


@pytest.fixture(scope="module")
def big_province(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A province whose solves take their whole time limit: 2,000 people, 300 cases."""
    path = tmp_path_factory.mktemp("province") / "province.json"
    path.write_text(json.dumps(province(2000, 300, 1)))
    return path


@pytest.mark.parametrize(("signum", "said", "code"),
                         [(signal.SIGINT, "Ctrl-C", 130), (signal.SIGTERM, "SIGTERM", 143)])
def test_one_ctrl_c_ends_solve_with_its_best_roster_said_cut_short(
        big_province: Path, tmp_path: Path, signum: int, said: str, code: int) -> None:
    """One Ctrl-C (or one SIGTERM, as `kill` and `timeout` send) during a long `taskforce
    solve` ends it within seconds with exit 130 (143) and the best roster so far, written
    to --out and valid to the independent checker, with a line saying by what it was
    stopped and that it is not the whole search's (before, it wrote nothing)."""
    out = tmp_path / "roster.json"
    process = _start(["solve", str(big_province), "--seconds", str(LONG_SOLVE_SECONDS),
                      "--out", str(out), "--format", "summary"], tmp_path)
    began = time.monotonic()
    stdout, stderr = _interrupt_once_started(process, "Ctrl-C stops", signum)
    assert process.returncode == code, stderr
    assert time.monotonic() - began < LONG_SOLVE_SECONDS / 4
    assert f"stopped by {said}" in stderr and f"(exit {code})" in stderr
    assert "not the whole search" in stderr
    assert "Traceback" not in stderr and "staffed" in stdout
    roster = Roster.model_validate_json(out.read_text())
    scenario = parse_scenario(json.loads(big_province.read_text()))
    assert roster.objective is not None and roster.objective.staffed_priority > 0
    assert roster.stopped  # the file says so too, not only the line on stderr
    assert check_roster(scenario, roster).violations == []


@pytest.mark.parametrize(("signum", "said", "code"),
                         [(signal.SIGINT, "Ctrl-C", 130), (signal.SIGTERM, "SIGTERM", 143)])
def test_ctrl_c_stops_batch_at_once_saying_how_to_resume(
        big_province: Path, tmp_path: Path, signum: int, said: str, code: int) -> None:
    """One Ctrl-C (or SIGTERM) during `taskforce batch` ends it with exit 130 (143), saying
    by what it was interrupted and how to resume (or, if nothing was recorded yet, that
    nothing was, naming no state file); the request being solved is not recorded as done."""
    cases = json.loads(big_province.read_text())["cases"][:3]
    requests = tmp_path / "requests.jsonl"
    requests.write_text("".join(json.dumps(c) + "\n" for c in cases))
    out = tmp_path / "out"
    process = _start(["batch", str(requests), "--scenario", str(big_province), "--out",
                      str(out), "--seconds", str(LONG_SOLVE_SECONDS)], tmp_path)
    _, stderr = _interrupt_once_started(process, "Ctrl-C stops", signum)
    assert process.returncode == code, stderr
    assert f"interrupted by {said}:" in stderr and "Traceback" not in stderr
    state = out / "state.json"
    if state.exists():
        assert f"recorded in {state}" in stderr
        assert "Run the same command again to resume" in stderr
    else:  # interrupted in the first request: the line names no file that is not there
        assert "no request was done or recorded yet" in stderr and "state.json" not in stderr
    done = json.loads(state.read_text())["done"] if state.exists() else []
    assert len(done) < len(cases)
    for case_id in done:  # whatever was recorded was solved to the end, and kept
        assert (out / "rosters" / f"{case_id}.json").exists()


class _Loading(types.ModuleType):
    """A CLI module whose loading is interrupted by Ctrl-C."""

    def __getattr__(self, name: str) -> object:
        raise KeyboardInterrupt


def test_interrupt_while_loading_exits_130_without_a_traceback(
        monkeypatch: pytest.MonkeyPatch, capfd: pytest.CaptureFixture[str]) -> None:
    """A Ctrl-C while the CLI is still importing ends with exit 130 and one line naming
    it."""
    monkeypatch.setitem(sys.modules, "cli.main", _Loading("cli.main"))
    with pytest.raises(SystemExit) as ended:
        entry.main()
    assert ended.value.code == entry.EXIT_INTERRUPTED == 130
    assert capfd.readouterr().err == cli.interrupt.INTERRUPTED_EARLY.format(signal="Ctrl-C") + "\n"
    assert "run the same command again" in cli.interrupt.INTERRUPTED_EARLY


class _Terminating(types.ModuleType):
    """A CLI module whose loading is ended by SIGTERM."""

    def __getattr__(self, name: str) -> object:
        signal.raise_signal(signal.SIGTERM)  # the handler runs before this returns
        raise AssertionError("SIGTERM was not handled while loading")


def test_sigterm_while_loading_exits_143_and_names_it(
        monkeypatch: pytest.MonkeyPatch, capfd: pytest.CaptureFixture[str]) -> None:
    """A SIGTERM while the CLI is still importing ends with exit 143 and one line naming
    SIGTERM, where it ended the process without a word (tester's finding c); SIGTERM is
    the default again afterwards, for the commands to handle or not."""
    monkeypatch.setitem(sys.modules, "cli.main", _Terminating("cli.main"))
    before = signal.signal(signal.SIGTERM, signal.SIG_DFL)  # as a shell starts the command
    try:
        with pytest.raises(SystemExit) as ended:
            entry.main()
        assert signal.getsignal(signal.SIGTERM) == signal.SIG_DFL
    finally:
        signal.signal(signal.SIGTERM, before)
    assert ended.value.code == 143
    err = capfd.readouterr().err
    assert err == cli.interrupt.INTERRUPTED_EARLY.format(signal="SIGTERM") + "\n"
    assert "Traceback" not in err


def test_interrupt_as_the_spinner_starts_is_still_said(
        monkeypatch: pytest.MonkeyPatch, capfd: pytest.CaptureFixture[str]) -> None:
    """A Ctrl-C while the progress spinner has sys.stderr redirected into its buffer still
    says it was interrupted, on the real stderr (the tester's exit 130 without a word)."""
    import io

    monkeypatch.setitem(sys.modules, "cli.main", _Loading("cli.main"))
    monkeypatch.setattr(sys, "stderr", io.StringIO())  # the spinner's buffer, never shown
    with pytest.raises(SystemExit) as ended:
        entry.main()
    assert ended.value.code == 130
    assert "run the same command again" in capfd.readouterr().err


class _InitFails(types.ModuleType):
    """A CLI module whose extension import is cut short by Ctrl-C the way pybind11 reports
    it: ImportError "initialization failed", caused by the KeyboardInterrupt."""

    def __getattr__(self, name: str) -> object:
        try:
            raise KeyboardInterrupt
        except KeyboardInterrupt as interrupt:
            raise ImportError("initialization failed") from interrupt


def test_an_import_failed_by_ctrl_c_is_an_interrupt_not_an_error(
        monkeypatch: pytest.MonkeyPatch, capfd: pytest.CaptureFixture[str]) -> None:
    """A Ctrl-C during OR-Tools' initialisation (an ImportError caused by the interrupt)
    ends with exit 130 and says how to go on, instead of a traceback and exit 1 (tester's
    finding 7); any other ImportError is still raised."""
    monkeypatch.setitem(sys.modules, "cli.main", _InitFails("cli.main"))
    with pytest.raises(SystemExit) as ended:
        entry.main()
    assert ended.value.code == 130
    assert "run the same command again" in capfd.readouterr().err
    monkeypatch.setitem(sys.modules, "cli.main", types.ModuleType("cli.main"))
    with pytest.raises(ImportError):
        entry.main()


def test_interrupt_while_loading_speaks_the_language_asked_for(
        monkeypatch: pytest.MonkeyPatch, capfd: pytest.CaptureFixture[str]) -> None:
    """An early Ctrl-C of a command given `--lang zh` is said in Chinese, whatever the
    locale (the tester's D1: it followed the locale alone), in the command's own line
    (no roster written), not the line of a command not yet known."""
    monkeypatch.setitem(sys.modules, "cli.main", _Loading("cli.main"))
    monkeypatch.setattr(sys, "argv", ["taskforce", "solve", "x.json", "--lang", "zh"])
    monkeypatch.setenv("LANG", "C.UTF-8")
    with pytest.raises(SystemExit) as ended:
        entry.main()
    assert ended.value.code == 130
    assert "在开始求解之前已因Ctrl-C中断：没有写出专案组名单" in capfd.readouterr().err


@pytest.mark.parametrize("signum", [signal.SIGINT, signal.SIGTERM])
@pytest.mark.parametrize("command", ["solve", "sweep", "batch"])
def test_a_stop_while_reading_the_input_says_nothing_was_done(
        command: str, signum: int, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A Ctrl-C or SIGTERM while solve, sweep or batch still reads its scenario ends it
    with the signal's exit code and the line naming the signal (the tester's D2: a SIGTERM
    there ended it without a word) and what the command did not write, as its line once
    the work has begun does (no roster, no sweep, no roster or state of a batch); the
    handlers do not outlive the reading."""
    import cli.main

    class EndedError(Exception):
        pass

    said: list[tuple[str, int]] = []

    def ended(message: str, signum: int = signal.SIGINT) -> NoReturn:
        said.append((message, signum))
        raise EndedError

    def reading(*_: object) -> Scenario:
        signal.raise_signal(signum)  # the handler runs before this returns
        raise AssertionError("the signal was not handled while reading")

    monkeypatch.setattr(cli.interrupt, "exit_interrupted", ended)
    monkeypatch.setattr(cli.main, "read_scenario", reading)
    requests = tmp_path / "requests.jsonl"
    requests.write_text("")
    args = {"solve": ["solve", str(TUTORIAL)],
            "sweep": ["sweep", str(TUTORIAL), str(tmp_path / "roster.json")],
            "batch": ["batch", str(requests), "--scenario", str(TUTORIAL),
                      "--out", str(tmp_path / "o")]}[command]
    before = {s: signal.getsignal(s) for s in (signal.SIGINT, signal.SIGTERM)}
    result = CliRunner().invoke(cli.main.app, [*args, "--lang", "en"])
    assert isinstance(result.exception, EndedError), result.output
    name = "Ctrl-C" if signum == signal.SIGINT else "SIGTERM"
    line = {"solve": f"interrupted by {name} before the solve began: no roster was written; "
                     "run the same command again to solve",
            "sweep": f"interrupted by {name} before the re-plans began: no sweep was written; "
                     "run the same command again",
            "batch": f"interrupted by {name} before any request was solved: no roster or state "
                     "was written; run the same command again to resume"}[command]
    assert said == [(line, signum)]
    assert {s: signal.getsignal(s) for s in before} == before


def test_ctrl_c_while_a_finished_batch_reports_says_nothing_was_lost(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A Ctrl-C after the last request, while the summary is printed, is handled: it says
    every request was done and recorded and how to see the summary, instead of ending the
    process by signal without a word (tester's finding 7)."""
    import cli.main

    class EndedError(Exception):
        pass

    said: list[str] = []

    def ended(message: str, signum: int = signal.SIGINT) -> NoReturn:
        said.append(message)
        raise EndedError

    printed = cli.main.out.print

    def print_then_interrupt(*args: Any, **kw: Any) -> None:
        signal.raise_signal(signal.SIGINT)  # the handler runs before this returns
        printed(*args, **kw)

    monkeypatch.setattr(cli.main, "exit_interrupted", ended)
    monkeypatch.setattr(cli.main.out, "print", print_then_interrupt)
    requests = tmp_path / "requests.jsonl"
    requests.write_text("")
    before = signal.getsignal(signal.SIGINT)
    result = CliRunner().invoke(cli.main.app, ["batch", str(requests), "--scenario",
                                               str(TUTORIAL), "--out", str(tmp_path / "o")])
    assert isinstance(result.exception, EndedError), result.output
    assert "interrupted by Ctrl-C while reporting: every request was done and recorded" in said[0]
    assert signal.getsignal(signal.SIGINT) == before  # the handler does not outlive it


def _solve_stopped_in(function: str, signum: int, tmp_path: Path
                      ) -> tuple[subprocess.CompletedProcess[str], Path]:
    """`taskforce solve` of the tutorial with --out, in a process that sends itself `signum`
    as `cli.main.<function>` is called; the process, and the --out path."""
    script = (
        "import os, sys\n"
        "import cli.main\n"
        "from cli.run import run\n"
        f"called = cli.main.{function}\n"
        "def stopped(arg):\n"
        f"    os.kill(os.getpid(), {int(signum)})\n"
        "    return called(arg)\n"
        f"cli.main.{function} = stopped\n"
        "sys.exit(run(cli.main.app, sys.argv[1:], 'en'))\n")
    out = tmp_path / "roster.json"
    proc = subprocess.run(
        [sys.executable, "-c", script, "solve", str(TUTORIAL), "--seconds", "5",
         "--out", str(out), "--lang", "en"],
        cwd=ROOT, capture_output=True, text=True, timeout=120)
    return proc, out


def test_a_stop_as_a_finished_solve_exits_leaves_its_exit_code_and_roster(tmp_path: Path) -> None:
    """A Ctrl-C and a SIGTERM that arrive once `solve` has written and printed its roster,
    as the process exits, change nothing: exit 0, the roster written, no line of an
    interrupt (killed there by the default handlers, it exited -2 or -15 without a word,
    as if cut short)."""
    out = tmp_path / "roster.json"
    script = (
        "import os, signal, sys\n"
        "import cli.entry\n"
        "done = cli.entry.work_done_from_here\n"
        "def done_then_stopped():\n"
        "    done()\n"
        "    os.kill(os.getpid(), signal.SIGINT)\n"
        "    os.kill(os.getpid(), signal.SIGTERM)\n"
        "cli.entry.work_done_from_here = done_then_stopped\n"
        "cli.entry.main()\n")
    proc = subprocess.run(
        [sys.executable, "-c", script, "solve", str(TUTORIAL), "--seconds", "5",
         "--out", str(out), "--lang", "en"],
        cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, (proc.returncode, proc.stderr)
    assert out.exists() and "nterrupted" not in proc.stderr
    assert Roster.model_validate_json(out.read_text(encoding="utf-8")).objective is not None


def test_once_the_commands_own_early_stretch_ends_a_stop_is_not_acted_on() -> None:
    """Inside the CLI's early stretch (from reading the command line), a command's own ends
    with its work done: from there to the end of the CLI's a stop is not acted on (the
    CLI's line would say the work had not begun, and a kill would say it was cut short);
    after the CLI's, the stop signals are at the handlers from before both."""
    before = {s: signal.getsignal(s) for s in cli.interrupt.STOP_SIGNALS}
    with cli.interrupt.stopped_before_work("en", "solve"):
        outer = signal.getsignal(signal.SIGINT)
        with cli.interrupt.stopped_before_work("en", "solve"):
            assert signal.getsignal(signal.SIGINT) is not outer
        after = signal.getsignal(signal.SIGINT)
        assert after is not outer and after is not before[signal.SIGINT]
        signal.raise_signal(signal.SIGINT)  # neither ends the process nor raises
        signal.raise_signal(signal.SIGTERM)
    assert {s: signal.getsignal(s) for s in cli.interrupt.STOP_SIGNALS} == before


def test_once_the_work_of_an_early_stretch_returns_a_stop_is_not_acted_on() -> None:
    """Inside a command's early stretch, once its work has returned (the roster written and
    printed), the early handler does not come back for the moments until the stretch ends
    (a spinner closing): a stop there said "before the solve began" of a finished solve.
    A stop there is not acted on; after the stretch, the handlers from before it."""
    before = {s: signal.getsignal(s) for s in cli.interrupt.STOP_SIGNALS}

    def never(signum: int) -> NoReturn:
        raise AssertionError(f"the work's handler was called for signal {signum}")

    with cli.interrupt.stopped_before_work("en", "solve"):
        early = signal.getsignal(signal.SIGINT)
        assert run_until_interrupted(lambda: 1, never) == 1
        assert signal.getsignal(signal.SIGINT) is not early  # checked before raising one
        signal.raise_signal(signal.SIGINT)  # neither ends the process nor raises
        signal.raise_signal(signal.SIGTERM)
    assert {s: signal.getsignal(s) for s in cli.interrupt.STOP_SIGNALS} == before


@pytest.mark.parametrize(("signum", "code", "name"), [(signal.SIGINT, 130, "Ctrl-C"),
                                                      (signal.SIGTERM, 143, "SIGTERM")])
def test_a_stop_while_the_command_line_is_read_ends_solve_with_its_line(
        tmp_path: Path, signum: int, code: int, name: str) -> None:
    """A Ctrl-C or SIGTERM after the CLI has loaded and before `solve` reads its scenario
    (here while it picks its language, once Typer has read the command line) ends it with
    its exit code and the line saying no roster was written: Typer caught the Ctrl-C there
    and ended with exit 130 and no word, and the SIGTERM killed the process without one."""
    proc, out = _solve_stopped_in("_language", signum, tmp_path)
    assert proc.returncode == code, (proc.returncode, proc.stderr)
    assert f"interrupted by {name} before the solve began: no roster was written" in proc.stderr
    assert "Traceback" not in proc.stderr and not out.exists()


def test_sigterm_between_reading_and_solving_ends_with_its_line(tmp_path: Path) -> None:
    """A SIGTERM that arrives after `solve` has read the scenario and before the search
    has its own handler (while it checks that --out can be written) ends it with exit 143
    and the line naming SIGTERM; left to the default there, it killed the process without
    a word."""
    proc, out = _solve_stopped_in("_writable", signal.SIGTERM, tmp_path)
    assert proc.returncode == 143, (proc.returncode, proc.stderr)
    assert "interrupted by SIGTERM before the solve began: no roster was written" in proc.stderr
    assert "Traceback" not in proc.stderr and not out.exists()


def test_sigterm_as_the_batch_progress_bar_starts_ends_with_its_line(tmp_path: Path) -> None:
    """A SIGTERM that arrives after `batch` has read its inputs and before its work has its
    own handler (as the progress bar is set up) ends it with exit 143 and the line naming
    SIGTERM and that no roster or state was written; left to the default there, it killed
    the process without a word."""
    script = (
        "import os, signal, sys\n"
        "import rich.progress\n"
        "import cli.main\n"
        "from cli.run import run\n"
        "add_task = rich.progress.Progress.add_task\n"
        "def stopped(self, *args, **kwargs):\n"
        "    os.kill(os.getpid(), signal.SIGTERM)\n"
        "    return add_task(self, *args, **kwargs)\n"
        "rich.progress.Progress.add_task = stopped\n"
        "sys.exit(run(cli.main.app, sys.argv[1:], 'en'))\n")
    requests = tmp_path / "requests.jsonl"
    case = json.loads(TUTORIAL.read_text())["cases"][0]
    requests.write_text(json.dumps(case) + "\n")
    out = tmp_path / "out"
    proc = subprocess.run(
        [sys.executable, "-c", script, "batch", str(requests), "--scenario", str(TUTORIAL),
         "--out", str(out), "--seconds", "5", "--lang", "en"],
        cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert proc.returncode == 143, (proc.returncode, proc.stderr)
    assert ("interrupted by SIGTERM before any request was solved: no roster or state was "
            "written") in proc.stderr
    assert "Traceback" not in proc.stderr and not out.exists()
