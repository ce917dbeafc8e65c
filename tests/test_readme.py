"""The README's two set-up commands are what CI runs and what the project ships."""

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _setup_commands() -> list[str]:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    section = text.split("## Set up on a fresh machine", 1)[1].split("\n## ", 1)[0]
    return re.findall(r"```\n(.+?)\n```", section)


def test_readme_has_exactly_two_setup_commands() -> None:
    """One command solves the Hulunbuir scenario, the other runs the tests."""
    commands = _setup_commands()
    assert len(commands) == 2
    assert "taskforce solve scenarios/hulunbuir.json" in commands[0]
    assert "pytest" in commands[1]


def test_ci_runs_the_readme_test_command() -> None:
    """.ci/run calls the README's test command word for word."""
    assert _setup_commands()[1] in (ROOT / ".ci" / "run").read_text(encoding="utf-8")
