"""Standbys and fragility of a roster, as lines: a paragraph per team."""

from rich.console import Console
from rich.markup import escape

from i18n import Language, message
from models.resilience import Resilience


def show_resilience(console: Console, resilience: Resilience, lang: Language) -> None:
    """Per team, its fragility and each member's standby or why there is none, in `lang`
    (reasons already rendered: `i18n.localised_resilience`); then the fragile mandatory
    cases."""
    for team in resilience.teams:
        console.print(escape(message(lang, "cli.fragility", case=team.case,
                                     count=team.without_standby, members=len(team.members))),
                      highlight=False)
        for m in team.members:
            console.print(f"  {escape(m.reason.text)}", highlight=False, soft_wrap=True)
    if resilience.fragile_mandatory:
        console.print(escape(message(lang, "cli.fragile_mandatory",
                                     cases=message(lang, "sep.comma").join(resilience.fragile_mandatory))),
                      highlight=False)
