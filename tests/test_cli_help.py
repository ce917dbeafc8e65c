"""The command line's help and usage errors in the reader's language: Typer's and Click's
own words as well as ours, the language chosen from `--lang` before the arguments are parsed,
else from the locale; English as it always was.

Help is checked through the real entry point in a fresh process: Typer reads some of its
words once, when first imported, so a process that printed English help cannot print
Chinese."""

import os
import re
import string
import subprocess
import sys
from pathlib import Path

import pytest
import typer
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from typer.core import TyperGroup

import cli.language
from cli.language import TYPER_DOMAIN, argv_language
from cli.localise import help_code
from cli.main import app
from cli.run import help_params
from i18n.catalogue import LOCALES, lookup

HAN = re.compile(r"[\u4e00-\u9fff]")
CLICK_ENGLISH = ("Usage:", "Options", "Arguments", "Commands", "Show this message", "Missing",
                 "No such", "Invalid value", "Try '", "required", "default:", "Error")


def _taskforce(*args: str, lang_env: str = "C.UTF-8") -> subprocess.CompletedProcess[str]:
    """`taskforce ARGS` run as the console script runs it, with locale `lang_env`."""
    env = {k: v for k, v in os.environ.items()
           if k not in ("LANGUAGE", "LC_ALL", "LC_MESSAGES", "LANG")}
    env.update(LANG=lang_env, COLUMNS="120", PYTHONIOENCODING="utf-8")
    return subprocess.run([sys.executable, "-c", "from cli.entry import main; main()", *args],
                          capture_output=True, text=True, env=env, timeout=120, check=False)


def _has(words: str, text: str) -> bool:
    """Whether `words` are in `text`, spaces aside (Chinese help may break after a comma)."""
    return words.replace(" ", "") in text.replace(" ", "")


def _no_click_english(text: str) -> None:
    for words in CLICK_ENGLISH:
        assert words not in text, words


def test_help_in_chinese_with_lang_option() -> None:
    """`taskforce --lang zh --help` is Chinese throughout: usage line, panel titles, the
    program's and every command's help, the help option's own text."""
    result = _taskforce("--lang", "zh", "--help")
    assert result.returncode == 0, result.stderr
    out = result.stdout
    for words in ("用法：taskforce [选项] 命令 [参数]...", "─ 选项 ", "─ 命令 ",
                  "检察机关专案组人员安排。", "显示此帮助并退出。", "求解方案并输出专案组名单。",
                  "检查方案文件并列出全部问题。"):
        assert _has(words, out), words
    _no_click_english(out)


def test_command_help_in_chinese_from_the_locale() -> None:
    """`taskforce check --help` under LANG=zh_CN.UTF-8 (and zh_TW) is Chinese: arguments with
    Chinese placeholders, their and the options' help, types, [必填]; under LANG=C it is the
    English it always was."""
    for locale in ("zh_CN.UTF-8", "zh_TW.UTF-8"):
        out = _taskforce("check", "--help", lang_env=locale).stdout
        for words in ("用法：taskforce check [选项] {方案文件} {名单文件}", "─ 参数 ", "─ 选项 ",
                      "按硬性规则1-8检查专案组名单", "方案文件：JSON、YAML或.xlsx工作簿。", "<路径>",
                      "[必填]",
                      "由solve --out写出的专案组名单JSON。", "显示此帮助并退出。"):
            assert _has(words, out), (locale, words)
        _no_click_english(out)
    en = _taskforce("check", "--help", lang_env="C").stdout
    for words in ("Usage: taskforce check [OPTIONS] {scenario} {roster}", "─ Arguments ",
                  "Check a roster against hard rules 1-8",
                  "Scenario file: JSON, YAML or an .xlsx workbook.",
                  "Show this message and exit.", "[required]"):
        assert words in en, words
    assert not HAN.search(en)


def test_usage_errors_in_chinese() -> None:
    """A missing argument, a value not among the choices, a number out of range, an unknown
    option and an unknown command are each reported in Chinese (exit 2), naming what is
    wrong, with the usage line and the hint in Chinese too."""
    cases = [
        (["check", "--lang", "zh"], "缺少参数“方案文件”。"),
        (["validate", "x.json", "--lang", "fr"], "--lang的值无效：“fr”不是可选值，可选：zh、en"),
        (["solve", "x.json", "--seconds", "0"], "--seconds的值无效：应不小于0.1，填的是0"),
        (["solve", "x.json", "--seconds", "abc"], "--seconds的值无效：应为数字，填的是“abc”"),
        (["solve", "x.json", "--bogus"], "没有选项--bogus。"),
        (["solve", "x.json", "y", "z"], "多出了参数：y z"),
        (["nope"], "没有命令'nope'。"),
        (["keys", "create"], "缺少选项--unit。"),
    ]
    for args, expected in cases:
        result = _taskforce(*args, lang_env="zh_CN.UTF-8")
        assert result.returncode == 2, (args, result.stderr)
        assert expected in result.stderr, (args, result.stderr)
        assert "用法：taskforce" in result.stderr and "查看帮助" in result.stderr
        _no_click_english(result.stderr)


def test_usage_errors_in_english_are_clicks() -> None:
    """In English the usage errors are Click's own words, as before."""
    result = _taskforce("validate", "x.json", "--lang", "fr")
    assert result.returncode == 2
    assert "Invalid value for '--lang'" in result.stderr and "Usage: taskforce validate" in result.stderr
    missing = _taskforce("check")
    assert "Missing argument 'scenario'." in missing.stderr


def test_lang_given_twice_after_the_command_or_after_double_dash() -> None:
    """The last `--lang` wins, as Click keeps the last value, wherever it stands (before the
    command too); one after `--` is an argument, not the language (here: a file named
    --lang, missing, reported in the locale's Chinese)."""
    twice = _taskforce("check", "--help", "--lang", "en", "--lang=zh", lang_env="C").stdout
    assert "用法：taskforce check" in twice
    back = _taskforce("--lang", "zh", "check", "--lang", "en", "--help", lang_env="C").stdout
    assert "Usage: taskforce check" in back
    dashed = _taskforce("validate", "--", "--lang", lang_env="zh_CN.UTF-8")
    assert dashed.returncode == 2 and "--lang：文件不存在" in dashed.stderr
    # On the program itself, before the command: the command's own lines follow it.
    before = _taskforce("--lang", "zh", "validate", "missing.json", lang_env="C")
    assert before.returncode == 2 and "missing.json：文件不存在" in before.stderr


@pytest.mark.parametrize(("argv", "env", "expected"), [
    (["solve", "x", "--lang", "zh"], "C", "zh"),
    (["--lang=zh", "solve", "x"], "C", "zh"),
    (["solve", "x", "--lang", "zh", "--lang", "en"], "zh_CN.UTF-8", "en"),
    (["solve", "x", "--lang", "fr"], "zh_CN.UTF-8", "zh"),   # a bad value: the locale's
    (["solve", "x", "--lang"], "zh_TW.UTF-8", "zh"),          # no value: the locale's
    (["solve", "--", "--lang", "en"], "zh_CN.UTF-8", "zh"),   # after --: an argument
    (["solve", "x"], "C", "en"),
    (["solve", "x"], "POSIX", "en"),
    (["solve", "x"], "de_DE.UTF-8", "en"),
])
def test_argv_language(monkeypatch: pytest.MonkeyPatch, argv: list[str], env: str,
                       expected: str) -> None:
    """How the language is chosen before parsing: the last valid `--lang` before `--`, else
    the locale (English for C, POSIX or a language we do not have)."""
    for var in ("LANGUAGE", "LC_ALL", "LC_MESSAGES"):
        monkeypatch.delenv(var, raising=False)
    monkeypatch.setenv("LANG", env)
    assert argv_language(argv) == expected


def test_typer_speaks_leaves_the_environment_as_it_was(monkeypatch: pytest.MonkeyPatch) -> None:
    """Choosing Typer's language sets LANGUAGE and the gettext domain only while the
    command runs: a test process, or a program embedding the CLI, is left as it was."""
    import gettext

    monkeypatch.delenv("LANGUAGE", raising=False)
    domain = gettext.textdomain()
    with cli.language.typer_speaks("zh"):
        assert os.environ["LANGUAGE"] == "zh" and gettext.textdomain() == TYPER_DOMAIN
        assert gettext.gettext("Options") == "选项"
    assert "LANGUAGE" not in os.environ and gettext.textdomain() == domain


def _tree() -> list[tuple[list[str], object]]:
    found: list[tuple[list[str], object]] = []

    def walk(command: object, path: list[str]) -> None:
        found.append((path, command))
        if isinstance(command, TyperGroup):
            for name, sub in command.commands.items():
                walk(sub, [*path, name])

    walk(typer.main.get_command(app), [])
    return found


def _help(lang: str, path: list[str], param: str | None = None) -> str | None:
    codes = [help_code(path, param)] + ([f"help.param.{param}"] if param else [])
    for code in codes:
        text = lookup(lang, code)  # type: ignore[arg-type]
        if text is not None:
            return text.format(**help_params(lang))  # type: ignore[arg-type]
    return None


def test_every_command_and_option_has_help_in_both_languages() -> None:
    """Every command and parameter has its help in the catalogue in Chinese and English, and
    the English is exactly the text the code gives Typer, so English help is unchanged."""
    for path, command in _tree():
        assert _help("en", path) == command.help, path  # type: ignore[attr-defined]
        assert _help("zh", path) and HAN.search(_help("zh", path) or ""), path
        for param in command.params:  # type: ignore[attr-defined]
            assert _help("en", path, param.name) == param.help, (path, param.name)
            assert HAN.search(_help("zh", path, param.name) or ""), (path, param.name)


def _gettext_ids(source: Path) -> set[str]:
    text = source.read_text(encoding="utf-8")
    return set(re.findall(r'\b_\(\s*"((?:[^"\\]|\\.)*)"\s*\)', text))


def test_typer_words_have_chinese() -> None:
    """Every word Typer marks for translation (its help panels and usage errors) has its
    Chinese in the typer catalogue, with the same placeholders; the compiled catalogue is
    what compiling its source gives (a Typer upgrade that adds words fails here)."""
    with open(LOCALES / "zh" / "LC_MESSAGES" / f"{TYPER_DOMAIN}.po", "rb") as f:
        catalogue = read_po(f)
    ours = {m.id: m.string for m in catalogue if m.id}
    typer_dir = Path(typer.__file__).parent
    wanted = _gettext_ids(typer_dir / "rich_utils.py") | _gettext_ids(typer_dir / "core.py")
    assert wanted <= ours.keys(), wanted - ours.keys()
    fields = string.Formatter()
    for msgid, msgstr in ours.items():
        assert isinstance(msgid, str) and isinstance(msgstr, str) and msgstr, msgid
        assert ({f for _, f, _, _ in fields.parse(msgid) if f is not None}
                == {f for _, f, _, _ in fields.parse(msgstr) if f is not None}), msgid
    import io

    compiled = io.BytesIO()
    write_mo(compiled, catalogue)
    shipped = (LOCALES / "zh" / "LC_MESSAGES" / f"{TYPER_DOMAIN}.mo").read_bytes()
    assert compiled.getvalue() == shipped, "run: pybabel compile -d i18n/locales -D typer"


HELP_AT_80 = """
import sys
from cli.language import typer_speaks
with typer_speaks("zh"):
    from cli.main import app
    from cli.run import run
    for path in sys.argv[1:]:
        print("=====", path)
        run(app, [*path.split(), "--help"], "zh")
"""


def _help_column(text: str) -> str:
    """The words of a help page, without its frames, spaces and line breaks: of a line in a
    table, only its last column (the help), so that a sentence folded over lines reads whole."""
    kept = []
    for line in text.splitlines():
        line = line.strip().strip("│╭╮╰╯─").strip()
        if line:
            kept.append(re.split(r"\s{2,}", line)[-1])
    return "".join(kept).replace(" ", "")


def test_chinese_help_at_80_columns_loses_no_words() -> None:
    """At 80 columns, every Chinese help page (the program's and each command's) holds each
    help text whole: the command's, every option's and argument's, and, in a group's page,
    the first paragraph of each command under it; nothing is cut off with "…"."""
    tree = _tree()
    env = {k: v for k, v in os.environ.items() if k not in ("LANGUAGE", "LC_ALL", "LANG")}
    env.update(COLUMNS="80", PYTHONIOENCODING="utf-8")
    result = subprocess.run([sys.executable, "-c", HELP_AT_80, *(" ".join(p) for p, _ in tree)],
                            capture_output=True, text=True, env=env, timeout=300, check=False)
    assert result.returncode == 0, result.stderr
    pages = result.stdout.split("===== ")[1:]
    assert len(pages) == len(tree)
    checked = 0
    for (path, command), page in zip(tree, pages, strict=True):
        assert "…" not in page, page
        assert max(len(line) for line in page.splitlines()) <= 80
        words = _help_column(page.split("\n", 1)[1])
        expected = [_help("zh", path)]
        expected += [_help("zh", path, p.name) for p in command.params  # type: ignore[attr-defined]
                     if p.name != "help"]
        if isinstance(command, TyperGroup):
            expected += [(_help("zh", [*path, name]) or "").split("\n\n")[0] for name in command.commands]
        for sentence in expected:
            assert sentence and sentence.replace(" ", "").replace("\n", "") in words, (path, sentence)
            checked += 1
    assert checked > 50


def test_ranges_and_the_help_flag_in_chinese_help() -> None:
    """In Chinese help a number's range reads in words ([0.1至86400], [不小于1]) and the
    help flag's type is Chinese, not Typer's "[x>=1]" or "<bool>"; English keeps Typer's."""
    zh = _taskforce("--lang", "zh", "solve", "--help").stdout
    for words in ("[0.1至86400]", "[不小于1]", "[1至20]", "<开关>"):
        assert words in zh, (words, zh)
    for words in ("x>=", "<=x", "<bool>"):
        assert words not in zh, (words, zh)
    en = _taskforce("--lang", "en", "solve", "--help").stdout
    assert "[x>=1]" in en and "<bool>" in en
