"""Reading scenario and roster files and writing rosters, with errors that name the problem."""

import errno
import json
import os
import re
import tempfile
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from i18n import Language, message, problem_line
from models import Roster, Scenario, ScenarioError, parse_scenario, read_json
from models.roster_validation import roster_problems
from models.validation import MAX_NESTING, NestedTooDeep, shown_text, whole_number

# A workbook larger than this is refused unread: openpyxl holds it all in memory.
MAX_WORKBOOK_BYTES = 50_000_000


class InputError(Exception):
    """Bad input from the user: a file that cannot be read, parsed or validated."""

    def __init__(self, problems: list[str]) -> None:
        self.problems = problems
        super().__init__("\n".join(problems))


def file_error(path: Path, lang: Language, code: str, **params: object) -> InputError:
    """A problem with the file `path` as a whole, in `lang`."""
    return InputError([message(lang, "file.problem", file=path,
                               problem=message(lang, code, **params))])


def _os_error(path: Path, lang: Language, err: OSError) -> InputError:
    """Why the system would not let `path` be read, in the reader's words: the usual causes
    have a message of their own; any other by its error name (EIO, ELOOP), never by the
    system's English sentence."""
    if isinstance(err, FileNotFoundError):
        return file_error(path, lang, "file.missing")
    if isinstance(err, IsADirectoryError):
        return file_error(path, lang, "file.is_directory")
    if isinstance(err, PermissionError):
        return file_error(path, lang, "file.no_permission")
    name = errno.errorcode.get(err.errno, "") if err.errno is not None else ""
    return file_error(path, lang, "file.unreadable", error=name or type(err).__name__)


def _read_workbook(path: Path, lang: Language) -> Any:
    from sheets import WorkbookError, read_workbook  # openpyxl only when a workbook is read

    try:
        if path.stat().st_size > MAX_WORKBOOK_BYTES:
            raise file_error(path, lang, "file.too_large", limit=f"{MAX_WORKBOOK_BYTES:,}")
        data = path.read_bytes()
    except OSError as err:
        raise _os_error(path, lang, err) from None
    if not data:
        raise file_error(path, lang, "file.empty")
    try:
        return read_workbook(data, lang)
    except WorkbookError as err:
        raise InputError([message(lang, "file.problem", file=path, problem=p)
                          for p in err.problems]) from None


class _AliasError(Exception):
    """A YAML alias (*name), which scenarios are refused for."""

    def __init__(self, event: yaml.AliasEvent) -> None:
        super().__init__(event.anchor)
        self.event = event


class _RepeatedKeyError(Exception):
    """A YAML mapping naming a key twice (PyYAML keeps the last), at the second."""

    def __init__(self, node: yaml.ScalarNode) -> None:
        super().__init__(node.value)
        self.node = node


class _ScenarioLoader(yaml.SafeLoader):
    """YAML's safe loader, reading a decimal integer of more than MAX_INT_DIGITS digits as
    JSON input reads one (`LongNumber`), for validation to refuse at its field: PyYAML
    would ask Python for the int, which it refuses past 4,300 digits. Aliases are refused:
    nine lines of aliases of aliases (a "billion laughs") expand to a billion values, and
    validating them ran for minutes; a scenario has no need of them. A key named twice
    in one mapping is refused, as JSON input refuses it (`models.read_json`)."""

    def compose_node(self, parent: yaml.Node | None, index: int) -> yaml.Node | None:
        if self.check_event(yaml.AliasEvent):
            raise _AliasError(self.peek_event())  # type: ignore[no-untyped-call]
        return super().compose_node(parent, index)

    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> dict[Any, Any]:
        seen = set()
        # The mapping's own keys, before any merge (<<) brings in keys it may override.
        for key, _ in node.value:
            if isinstance(key, yaml.ScalarNode):
                if (key.tag, key.value) in seen:
                    raise _RepeatedKeyError(key)
                seen.add((key.tag, key.value))
        return super().construct_mapping(node, deep)


def _long_int(loader: yaml.SafeLoader, node: yaml.ScalarNode) -> Any:
    written = str(loader.construct_scalar(node)).replace("_", "")
    digits = written.lstrip("+-")
    # A leading 0 is YAML 1.1's octal (or 0 itself), which PyYAML reads at any length.
    if digits.isdecimal() and not digits.startswith("0"):
        return whole_number(written)
    return loader.construct_yaml_int(node)


_ScenarioLoader.add_constructor("tag:yaml.org,2002:int", _long_int)
# A number with an exponent and no point (5e-1, 1E3) is a number in JSON and YAML 1.2;
# YAML 1.1, which PyYAML reads, takes it for text, and validation then said "not a
# number" of a capacity of 5e-1. Underscores as YAML 1.1 allows them in numbers (1_000e2).
_ScenarioLoader.add_implicit_resolver(
    "tag:yaml.org,2002:float",
    re.compile(r"^[-+]?(?:[0-9][0-9_]*(?:\.[0-9_]*)?|\.[0-9][0-9_]*)[eE][-+]?[0-9]+$"),
    list("-+0123456789."))


def _parse_yaml(path: Path, lang: Language, text: str) -> Any:
    try:
        return yaml.load(text, Loader=_ScenarioLoader)
    except RecursionError:
        raise file_error(path, lang, "file.bad_yaml") from None
    except _AliasError as err:
        mark = err.event.start_mark
        if mark is None:
            raise file_error(path, lang, "file.bad_yaml") from None
        raise file_error(path, lang, "file.yaml_alias", name=err.event.anchor or "",
                         line=mark.line + 1, column=mark.column + 1) from None
    except _RepeatedKeyError as err:
        mark = err.node.start_mark
        raise file_error(path, lang, "file.yaml_key_repeated", key=shown_text(err.node.value),
                         line=mark.line + 1, column=mark.column + 1) from None
    except yaml.MarkedYAMLError as err:
        mark = err.problem_mark or err.context_mark
        if mark is None:
            raise file_error(path, lang, "file.bad_yaml") from None
        # PyYAML counts lines and columns from 0; editors from 1.
        raise file_error(path, lang, "file.bad_yaml_at", line=mark.line + 1,
                         column=mark.column + 1) from None
    except yaml.YAMLError:
        # A character YAML does not allow (a control character in a binary file).
        raise file_error(path, lang, "file.bad_yaml") from None


def read_text(path: Path, lang: Language, *, empty_ok: bool = False) -> str:
    """The text of `path`, or InputError saying in `lang` why it cannot be had (an empty
    file among the reasons, unless `empty_ok`)."""
    try:
        # utf-8-sig: a file saved by Windows Notepad starts with a byte-order mark.
        text = path.read_text(encoding="utf-8-sig")
    except OSError as err:
        raise _os_error(path, lang, err) from None
    except UnicodeDecodeError as err:
        # A binary file, or text saved in GBK: say where, as a clerk can look there.
        raise file_error(path, lang, "file.not_utf8", offset=err.start + 1) from None
    if not text.strip() and not empty_ok:
        raise file_error(path, lang, "file.empty")
    return text


def _read_data(path: Path, lang: Language) -> Any:
    if path.suffix.lower() == ".xlsx":
        return _read_workbook(path, lang)
    text = read_text(path, lang)
    if path.suffix.lower() in (".yaml", ".yml"):
        return _parse_yaml(path, lang, text)
    try:
        return read_json(text)
    except NestedTooDeep as err:
        raise file_error(path, lang, "file.too_deep", most=MAX_NESTING, line=err.lineno,
                         column=err.colno) from None
    except json.JSONDecodeError as err:
        # Where it stopped is what a clerk needs; the parser's English account is not shown.
        raise file_error(path, lang, "file.bad_json", line=err.lineno, column=err.colno) from None


def read_scenario(path: Path, lang: Language = "en") -> Scenario:
    """Load and validate a scenario file (JSON, or YAML or an .xlsx workbook by its suffix);
    every problem is one line in `lang`, naming the field and the id at fault."""
    try:
        return parse_scenario(_read_data(path, lang))
    except ScenarioError as err:
        raise InputError([message(lang, "file.problem", file=path, problem=problem_line(p, lang))
                          for p in err.problems]) from None


def read_roster(path: Path, lang: Language = "en") -> Roster:
    """Load a roster file written by `taskforce solve --out`; problems in `lang`."""
    if path.suffix.lower() == ".xlsx":
        # A roster workbook is for people to read; it does not hold every field back.
        raise file_error(path, lang, "file.roster_workbook")
    data = _read_data(path, lang)
    try:
        return Roster.model_validate(data)
    except ValidationError as err:
        problems = roster_problems(data, err)
        raise InputError([message(lang, "file.problem", file=path, problem=problem_line(p, lang))
                          for p in problems]) from None


def write_atomically(path: Path, text: str | bytes) -> None:
    """Write `text` to `path` so that a reader sees the old file or the new one, never half."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        # mkstemp makes the file private; a roster is an ordinary file (or keeps its mode).
        os.chmod(tmp, path.stat().st_mode & 0o777 if path.exists() else 0o644)
        with os.fdopen(fd, "wb") as f:
            f.write(text.encode("utf-8") if isinstance(text, str) else text)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
