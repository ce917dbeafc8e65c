"""The command tree's help in the reader's language, from the catalogue.

Every command's help is `help.<command path>` (`help.keys.create`; `help.taskforce` for the
program itself) and every parameter's `help.<command path>.<parameter>`, or `help.param.<parameter>`
for one that many commands share: the English catalogue holds the texts the code gives
Typer (a test holds them equal), so English reads as it always has.

Typer (0.26 and later) carries its own copy of Click with the gettext calls taken out, so
Click's words are set here instead: the "Usage:" prefix, the help option's text and, in
Chinese, the usage line's placeholders ([OPTIONS], COMMAND [ARGS]..., argument names).
"""

import re
from collections.abc import Callable, Mapping
from typing import Any

import typer
from rich.text import Text
from typer import rich_utils
from typer.core import TyperGroup

from i18n import Language, message
from i18n.catalogue import lookup

ROOT = "taskforce"


def help_code(path: list[str], param: str | None = None) -> str:
    """The catalogue code of the help of the command at `path` (or of its `param`)."""
    return ".".join(["help", *(path or [ROOT]), *([param] if param else [])])


def _context_class(base: type[typer.Context], lang: Language) -> type[typer.Context]:
    """`base` with a help formatter whose usage line starts with the language's "Usage:"."""
    usage = message(lang, "click.usage")
    formatter: Any = base.formatter_class

    class Formatter(formatter):  # type: ignore[misc]
        def write_usage(self, prog: str, args: str = "", prefix: str | None = None) -> None:
            super().write_usage(prog, args, usage if prefix is None else prefix)

    return type(f"{base.__name__}In{lang.title()}", (base,), {"formatter_class": Formatter})


def _type_in(param: Any, lang: Language) -> None:
    """Show `param`'s type (`<int>`, `<path>`, `<float range>`) in `lang`; a list of choices
    (`<zh|en>`) or a type the catalogue does not know stays as it is."""
    shown = param.display_type_rich

    def display(ctx: typer.Context) -> str | None:
        text: str | None = shown(ctx)
        if text is None or not (text.startswith("<") and text.endswith(">")):
            return text
        word = lookup(lang, f"click.type.{text[1:-1].replace(' ', '_')}")
        return text if word is None else f"<{word}>"

    param.display_type_rich = display


def _number(value: Any) -> str:
    return f"{value:g}" if isinstance(value, float) else str(value)


def _range_in(param: Any, lang: Language) -> None:
    """Say `param`'s range (Typer's "[x>=1]", "[1<=x<=20]") in `lang`'s words."""
    low, high = getattr(param, "min", None), getattr(param, "max", None)
    if not hasattr(param, "_get_number_range_help_str") or (low is None and high is None):
        return
    if low is not None and high is not None:
        text = message(lang, "click.range.between", min=_number(low), max=_number(high))
    elif low is not None:
        text = message(lang, "click.range.min", min=_number(low))
    else:
        text = message(lang, "click.range.max", max=_number(high))
    param._get_number_range_help_str = lambda: text


def _help_option(command: Any, lang: Language) -> None:
    """Give `command`'s --help option its text in `lang` (Click makes it on first use and
    keeps it: made here, through a context as Click would, and given the text)."""
    ctx = command.context_class(command, info_name=command.name or ROOT)
    option = command.get_help_option(ctx)
    if option is not None:
        option.help = message(lang, "click.help_option")
        if lang != "en":
            _type_in(option, lang)


# Chinese has no spaces, and Rich wraps a table's cell only at spaces (what does not fit is
# cut off with "…"): the help of an option or a command may break after a clause's mark.
BREAK_AFTER = re.compile(r"([，；：。])(?=[^\s，、；：。）])")


def _folding(make: Callable[..., Any]) -> Callable[..., Any]:
    """`make` (Typer's maker of a help text's rich Text) with what does not fit a line folded
    onto the next, not cut off with "…": a table cell wraps only at spaces, and a Chinese
    sentence has none (Rich's tables crop by default)."""
    def made(*args: Any, **kwargs: Any) -> Any:
        text = make(*args, **kwargs)
        if isinstance(text, Text):
            text.overflow = "fold"
        return text

    made.folds = True  # type: ignore[attr-defined]
    return made


def fold_help() -> None:
    """Make every help text Typer prints fold, once: the option and command tables' cells
    included (Typer builds them all through `rich_utils._make_rich_text`)."""
    if not getattr(rich_utils._make_rich_text, "folds", False):
        setattr(rich_utils, "_make_rich_text", _folding(rich_utils._make_rich_text))  # noqa: B010


def _text(lang: Language, codes: list[str], params: Mapping[str, object]) -> str | None:
    """The first of `codes` the catalogue of `lang` has, with `params` filled in."""
    for code in codes:
        text = lookup(lang, code)
        if text is not None:
            text = text.format(**params)
            return text if lang == "en" else BREAK_AFTER.sub(r"\1 ", text)
    return None


def localise(command: Any, lang: Language, params: Mapping[str, object],
             path: list[str] | None = None) -> None:
    """Put `command` and everything under it (a Click command built by Typer) into `lang`;
    `params` fill the placeholders of help texts made from data (the list of families)."""
    path = path or []
    fold_help()
    text = _text(lang, [help_code(path)], params)
    if text is not None:
        command.help = text
    for param in command.params:
        # A parameter many commands share (--lang) has one help, unless a command's own.
        text = _text(lang, [help_code(path, param.name), f"help.param.{param.name}"], params)
        if text is not None:
            param.help = text
        if lang != "en":
            if param.param_type_name == "argument":
                param.metavar = lookup(lang, f"metavar.{param.name}") or param.metavar
            _type_in(param, lang)
            _range_in(param, lang)
    command.context_class = _context_class(command.context_class, lang)
    if lang != "en":
        command.options_metavar = message(lang, "click.options_metavar")
        if isinstance(command, TyperGroup):
            command.subcommand_metavar = message(lang, "click.command_metavar")
    _help_option(command, lang)
    if isinstance(command, TyperGroup):
        for name, sub in command.commands.items():
            localise(sub, lang, params, [*path, name])
