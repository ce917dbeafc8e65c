"""The alternatives of a roster, as lines after its table or summary."""

from rich.console import Console
from rich.markup import escape

from i18n import Language, message
from models import Roster


def show_alternatives(console: Console, roster: Roster, lang: Language) -> None:
    """One paragraph per alternative: its rank, objective and proof, then how it differs
    from the best, in `lang` (its reasons must have been rendered: `i18n.localised`)."""
    for a in roster.alternatives:
        proof = message(lang, "cli.alt_proven" if a.proven else "cli.alt_not_proven")
        console.print(escape(message(
            lang, "cli.alternative", rank=a.rank, priority=a.objective.staffed_priority,
            cost=f"{a.objective.cost:,.1f}", distance=a.distance, proof=proof)),
            highlight=False)
        console.print(f"  {escape(a.difference.text)}", highlight=False, soft_wrap=True)
