"""A `models.Reason` put into words in one language, and every reason of a roster with it."""

from datetime import date

from babel.dates import format_date

from i18n.catalogue import Language, lookup, message
from models import Alternative, CaseRoster, Roster, TeamMember
from models.reason import Param, Reason
from models.resilience import Resilience
from models.sweep import Sweep

# Babel's locale for each of our languages, for dates.
BABEL_LOCALE: dict[Language, str] = {"zh": "zh_CN", "en": "en"}


def _param(value: Param, lang: Language) -> str:
    if isinstance(value, Reason):
        return render(value, lang)
    if isinstance(value, list):
        return message(lang, "sep.comma").join(render(r, lang) for r in value)
    if isinstance(value, float):
        return f"{value:g}"
    return str(value)


def day(iso: str, lang: Language) -> str:
    """A calendar day as a reader of `lang` expects it."""
    # English keeps ISO dates, as the scenario writes them; Chinese readers expect 2022年6月10日.
    if lang == "en":
        return iso
    return format_date(date.fromisoformat(iso), format="long", locale=BABEL_LOCALE[lang])


def render(reason: Reason, lang: Language) -> str:
    """`reason` in words in `lang`."""
    p = reason.params
    match reason.code:
        case "text":
            return str(p.get("text", reason.text))
        case "unit" | "person" | "case":
            name = p.get("name_zh") if lang == "zh" else None
            return str(name or p.get("name") or p.get("id", ""))
        case "date":
            return day(str(p["iso"]), lang)
        case "list":
            items = p.get("items", [])
            sep = message(lang, f"sep.{p.get('sep', 'semicolon')}")
            return sep.join(_param(i, lang) for i in items) if isinstance(items, list) else ""
    count = p.get("count")
    text = lookup(lang, reason.code, count if isinstance(count, int) else None)
    if text is None:
        # A term outside the catalogue (a skill the scenario made up) reads as itself.
        return str(p.get("value", reason.code))
    return text.format(**{k: _param(v, lang) for k, v in p.items()})


def rendered(reason: Reason, lang: Language) -> Reason:
    """A copy of `reason` with its `text` in `lang`."""
    return reason.model_copy(update={"text": render(reason, lang)})


def _member(m: TeamMember, lang: Language) -> TeamMember:
    return m.model_copy(update={"reasons": [rendered(r, lang) for r in m.reasons]})


def _case(c: CaseRoster, lang: Language) -> CaseRoster:
    why = None if c.unstaffed_reason is None else rendered(c.unstaffed_reason, lang)
    return c.model_copy(update={"team": [_member(m, lang) for m in c.team], "unstaffed_reason": why})


def _alternative(a: Alternative, lang: Language) -> Alternative:
    return a.model_copy(update={"difference": rendered(a.difference, lang),
                                "cases": [_case(c, lang) for c in a.cases]})


def localised(roster: Roster, lang: Language) -> Roster:
    """`roster` with every reason's `text` in `lang`, its alternatives' too."""
    why = None if roster.infeasible_reason is None else rendered(roster.infeasible_reason, lang)
    return roster.model_copy(update={"cases": [_case(c, lang) for c in roster.cases],
                                     "infeasible_reason": why,
                                     "alternatives": [_alternative(a, lang)
                                                      for a in roster.alternatives]})


def localised_resilience(resilience: Resilience, lang: Language) -> Resilience:
    """`resilience` with every reason's `text` in `lang`."""
    return resilience.model_copy(update={"teams": [
        t.model_copy(update={"members": [m.model_copy(update={"reason": rendered(m.reason, lang)})
                                         for m in t.members]})
        for t in resilience.teams]})


def shown_name(name: str, name_zh: str, lang: Language) -> str:
    """The name a reader of `lang` sees: the Chinese one in Chinese views, when there is one."""
    return name_zh if lang == "zh" and name_zh else name


def localised_sweep(sweep: Sweep, lang: Language) -> Sweep:
    """`sweep` with each contingency's and each skipped one's `text` in `lang`."""
    return sweep.model_copy(update={
        "outcomes": [o.model_copy(update={"contingency": rendered(o.contingency, lang)})
                     for o in sweep.outcomes],
        "skipped": [rendered(r, lang) for r in sweep.skipped]})
