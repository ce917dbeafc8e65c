"""Problems with the input (a scenario, a workbook, a request) in the reader's words."""

from i18n.catalogue import Language
from i18n.render import render
from models import Problem


def worded(problem: Problem, lang: Language) -> Problem:
    """A copy of `problem` with its `message` in `lang`."""
    return problem.model_copy(update={"message": render(problem.reason, lang)})


def problem_line(problem: Problem, lang: Language) -> str:
    """One line naming the field, the id at fault and what is wrong, in `lang`."""
    return render(problem.located, lang)
