"""Run the command line in one language: its help, its usage errors and its own lines."""

from collections.abc import Sequence
from contextlib import nullcontext

import typer
from typer import rich_utils
from typer._click.exceptions import ClickException, NoArgsIsHelpError, UsageError

from cli.interrupt import command_of, stopped_before_work
from cli.localise import localise
from cli.usage_errors import translated
from i18n import Language, message
from synth.province import FAMILIES


def help_params(lang: Language) -> dict[str, object]:
    """What the help texts made from data say: the families of synthetic provinces (their
    descriptions are English only, so a Chinese reader gets their names), the table's
    size limit."""
    from cli.main import TABLE_CASES

    names = message(lang, "sep.comma").join(FAMILIES)
    families = ("\n\n".join(f"{name}: {about}" for name, about in FAMILIES.items())
                if lang == "en" else names)
    return {"cases": TABLE_CASES, "families": families, "names": names}


def run(app: typer.Typer, args: Sequence[str], lang: Language) -> int:
    """Run the `taskforce` app with `args`, every word of Click's and Typer's in `lang` (see
    `cli.language` for how `lang` is chosen); the exit code, as Click's own `main` would
    give it."""
    command = typer.main.get_command(app)
    localise(command, lang, help_params(lang))
    # From here to where the command takes its stop signals itself, a Ctrl-C was caught by
    # Typer and ended it with exit 130 and no word, and a SIGTERM killed it without one;
    # the command's own early line covers that stretch too. (Only for the commands that
    # have one: the others say nothing at a stop, as before.)
    named = command_of(args)
    guard = nullcontext() if named is None else stopped_before_work(lang, named)
    try:
        with guard:
            result = command.main(args=list(args), prog_name="taskforce", standalone_mode=False)
    except NoArgsIsHelpError as e:  # the help is printed already
        return e.exit_code
    except UsageError as e:
        rich_utils.rich_format_error(e if lang == "en" else translated(e, lang))
        return e.exit_code
    except ClickException as e:
        rich_utils.rich_format_error(e)
        return e.exit_code
    except typer.Abort:
        rich_utils.rich_abort_error()
        return 1
    return result if isinstance(result, int) else 0
