"""A staffed case's task-force notice as one self-contained HTML page with print CSS:
the case, the lead office, venue and dates, the leader and members with their place,
office and how they join, and why each was chosen, in short. Nothing is fetched: the
style is inline and the fonts are the reader's own."""

from datetime import date
from html import escape

from i18n import Language, day, message, rendered, shown_name
from models import CaseRoster, Roster, Scenario, Slot
from models.reason import Reason, why

# The reasons a notice keeps for each member: what they bring, not the solver's bookkeeping.
SHORT_REASONS = ("member.leads", "member.covers", "member.travel", "member.video",
                 "member.at_home", "member.paired", "member.lead_unit", "member.junior")

STYLE = """
@page { size: A4; margin: 22mm 20mm 20mm 20mm; }
body { font-family: "Noto Serif CJK SC", "Source Han Serif SC", "SimSun", "Songti SC", serif;
       color: #000; font-size: 12pt; line-height: 1.6; margin: 0 auto; max-width: 170mm; }
h1 { font-size: 20pt; text-align: center; margin: 0 0 4mm; letter-spacing: 0.1em; }
.issuer { text-align: center; font-size: 14pt; margin: 0 0 8mm; }
h2 { font-size: 13pt; margin: 6mm 0 2mm; }
table { border-collapse: collapse; width: 100%; font-size: 11pt; table-layout: fixed; }
th, td { border: 0.6pt solid #000; padding: 1.5mm 2mm; text-align: left; vertical-align: top; }
th { background: #eee; }
tr { break-inside: avoid; }
td.why { font-size: 9.5pt; color: #222; }
.sign { margin-top: 14mm; text-align: right; }
@media screen { body { padding: 12mm; } }
"""


class NoticeError(ValueError):
    """A notice that cannot be made: the case is unknown or not staffed. `reason` says
    which, to be worded in the reader's language."""

    def __init__(self, reason: Reason) -> None:
        super().__init__(reason.code)
        self.reason = reason


def _short(reasons: list[Reason], lang: Language) -> str:
    kept = [rendered(r, lang).text for r in reasons if r.code in SHORT_REASONS]
    return message(lang, "sep.semicolon").join(kept)


def _team_rows(entry: CaseRoster, scenario: Scenario, lang: Language) -> str:
    units, people = scenario.unit_by_id, scenario.prosecutor_by_id
    rows = []
    for member in entry.team:
        person = people.get(member.prosecutor)
        home = units.get(member.home)
        role = message(lang, f"role.{person.role.value}") if person else ""
        place = message(lang, "notice.leader" if member.slot is Slot.LEADER
                        else f"slot.{member.slot.value}")
        how = message(lang, "notice.on_site" if member.on_site else "member.video")
        cells = [place, shown_name(member.name, person.name_zh if person else "", lang), role,
                 shown_name(home.name, home.name_zh, lang) if home else member.home, how]
        why = f'<td class="why">{escape(_short(member.reasons, lang))}</td>'
        rows.append("<tr>" + "".join(f"<td>{escape(c)}</td>" for c in cells) + why + "</tr>")
    return "\n".join(rows)


def notice_html(scenario: Scenario, roster: Roster, case_id: str, lang: Language = "zh",
                issued: date | None = None) -> str:
    """The notice of `case_id`'s team in `roster`, in `lang` (Chinese by default), dated
    `issued` (default today)."""
    entry = next((c for c in roster.cases if c.id == case_id), None)
    case = scenario.case_by_id.get(case_id)
    if entry is None or case is None:
        raise NoticeError(why("problem.notice_no_case", case=case_id))
    if not entry.staffed:
        raise NoticeError(why("problem.notice_unstaffed", case=case_id))
    units = scenario.unit_by_id
    lead, venue = units[case.lead], units[case.venue]
    lead_name = shown_name(lead.name, lead.name_zh, lang)
    title = shown_name(case.title, case.title_zh, lang) or case.id
    m = {"lead": lead_name, "title": title, "case": case.id,
         "venue": shown_name(venue.name, venue.name_zh, lang),
         "start": day(case.start.isoformat(), lang), "end": day(case.end.isoformat(), lang),
         "size": len(entry.team)}
    headers = "".join(f"<th>{escape(message(lang, f'notice.col.{c}'))}</th>"
                      for c in ("place", "name", "role", "office", "how", "why"))
    when = day((issued or date.today()).isoformat(), lang)
    return f"""<!DOCTYPE html>
<html lang="{'zh-CN' if lang == 'zh' else 'en'}">
<head>
<meta charset="utf-8">
<title>{escape(message(lang, "notice.title", title=title))}</title>
<style>{STYLE}</style>
</head>
<body>
<p class="issuer">{escape(lead_name)}</p>
<h1>{escape(message(lang, "notice.title", title=title))}</h1>
<p>{escape(message(lang, "notice.opening", **m))}</p>
<h2>{escape(message(lang, "notice.where_when"))}</h2>
<p>{escape(message(lang, "notice.venue_dates", **m))}</p>
<h2>{escape(message(lang, "notice.members", **m))}</h2>
<table>
<colgroup><col style="width: 11%"><col style="width: 13%"><col style="width: 11%">
<col style="width: 20%"><col style="width: 8%"><col style="width: 37%"></colgroup>
<thead><tr>{headers}</tr></thead>
<tbody>
{_team_rows(entry, scenario, lang)}
</tbody>
</table>
<h2>{escape(message(lang, "notice.contact_head"))}</h2>
<p>{escape(message(lang, "notice.contact", **m))}</p>
<p class="sign">{escape(lead_name)}<br>{escape(when)}</p>
</body>
</html>
"""
