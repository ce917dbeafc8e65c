"""Click's usage errors (a missing argument, an unknown option, a bad value) in the reader's
language: each kind of error has a code in the catalogue, with the option or argument it
names and what was wrong.

Typer's copy of Click builds these messages in English without gettext, so they are worded
again here from what the exception carries. Errors of kinds not recognised keep Click's
words (Typer's own, such as "No such command", come through gettext already).
"""

import re
from typing import Any

from pydantic import ValidationError

# Typer's copy of Click: its exception classes are reachable only here (Typer >= 0.26).
from typer._click.exceptions import (
    BadOptionUsage,
    BadParameter,
    MissingParameter,
    NoSuchOption,
    UsageError,
)

from i18n import Language, message, render
from models.reason import listing, why
from models.validation import pydantic_problem

DID_YOU_MEAN = re.compile(r"^(.*?)\.? Did you mean (.+)\?$", re.S)
EXTRA_ARGUMENTS = re.compile(r"^Got unexpected extra argument\(s\) \((.*)\)$", re.S)


def _name(param: Any) -> str:
    """How the command line calls a parameter: its first option name, or an argument's
    (Chinese) placeholder."""
    if param is None:
        return ""
    if param.param_type_name == "option" and param.opts:
        return str(max(param.opts, key=len))
    return str(param.metavar or param.name)


def _bad_value(error: BadParameter, lang: Language) -> str:
    """What was wrong with a value: its choices, or the check it failed (a number, a range)
    in our catalogue's words; Click's English only for a kind we do not know."""
    name = _name(error.param)
    cause = error.__cause__
    descriptor = getattr(error.param, "type_descriptor", None)
    choices = getattr(descriptor, "choices", None)
    details = cause.errors() if isinstance(cause, ValidationError) else []
    value = details[0].get("input") if details else None
    if choices and value is not None:
        options = listing([why("text", text=str(getattr(c, "value", c))) for c in choices],
                          sep="comma")
        problem = message(lang, "click.bad_choice", value=value, choices=render(options, lang))
    elif details:
        problem = render(pydantic_problem(details[0], name).reason, lang)
    else:
        problem = error.message
    return message(lang, "click.bad_value", name=name, problem=problem)


def worded(error: UsageError, lang: Language) -> str:
    """The message of `error` in `lang`."""
    if isinstance(error, MissingParameter):
        kind = error.param_type or (error.param.param_type_name if error.param else "")
        code = "click.missing_option" if kind == "option" else "click.missing_argument"
        return message(lang, code, name=_name(error.param))
    if isinstance(error, BadParameter):
        return _bad_value(error, lang)
    if isinstance(error, NoSuchOption):
        text = message(lang, "click.no_such_option", name=error.option_name)
        if error.possibilities:
            text += message(lang, "click.possible_options", options=message(
                lang, "sep.comma").join(sorted(error.possibilities)))
        return text
    if isinstance(error, BadOptionUsage):
        code = ("click.option_no_value" if "does not take a value" in error.message
                else "click.option_needs_value")
        return message(lang, code, name=error.option_name)
    if (extra := EXTRA_ARGUMENTS.match(error.message)) is not None:
        return message(lang, "click.extra_arguments", args=extra.group(1))
    if (guess := DID_YOU_MEAN.match(error.message)) is not None:
        # Typer adds its guess in English to "No such command", which gettext worded.
        return message(lang, "click.did_you_mean", problem=guess.group(1),
                       names=guess.group(2))
    return error.message


def translated(error: UsageError, lang: Language) -> UsageError:
    """`error` as a plain usage error with its message in `lang`, for Typer to show."""
    again = UsageError(worded(error, lang), error.ctx)
    again.exit_code = error.exit_code
    return again
