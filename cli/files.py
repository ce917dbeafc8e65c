"""Reading scenario and roster files and writing rosters, with errors that name the problem."""

import json
import os
import tempfile
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from models import Problem, Roster, Scenario, ScenarioError, parse_scenario


class InputError(Exception):
    """Bad input from the user: a file that cannot be read, parsed or validated."""

    def __init__(self, problems: list[str]) -> None:
        self.problems = problems
        super().__init__("\n".join(problems))


def _read_data(path: Path) -> Any:
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise InputError([f"{path}: no such file"]) from None
    except (OSError, UnicodeDecodeError) as err:
        raise InputError([f"{path}: cannot read: {err}"]) from None
    if path.suffix.lower() in (".yaml", ".yml"):
        try:
            return yaml.safe_load(text)
        except yaml.YAMLError as err:
            raise InputError([f"{path}: not valid YAML: {err}"]) from None
    try:
        return json.loads(text)
    except json.JSONDecodeError as err:
        raise InputError([f"{path}: not valid JSON at line {err.lineno}, column {err.colno}: "
                          f"{err.msg}"]) from None


def read_scenario(path: Path) -> Scenario:
    """Load and validate a scenario file (JSON, or YAML by its suffix)."""
    try:
        return parse_scenario(_read_data(path))
    except ScenarioError as err:
        raise InputError([f"{path}: {p}" for p in err.problems]) from None


def read_roster(path: Path) -> Roster:
    """Load a roster file written by `taskforce solve --out`."""
    try:
        return Roster.model_validate(_read_data(path))
    except ValidationError as err:
        problems = [Problem(path=".".join(str(x) for x in e["loc"]) or "$", message=e["msg"])
                    for e in err.errors()]
        raise InputError([f"{path}: {p}" for p in problems]) from None


def write_atomically(path: Path, text: str) -> None:
    """Write `text` to `path` so that a reader sees the old file or the new one, never half."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        # mkstemp makes the file private; a roster is an ordinary file (or keeps its mode).
        os.chmod(tmp, path.stat().st_mode & 0o777 if path.exists() else 0o644)
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            f.write(text)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
