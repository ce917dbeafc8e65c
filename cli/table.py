"""The human-readable roster: a table row per case, or a summary for a command-center chief."""

from collections import Counter
from collections.abc import Mapping

from rich.cells import cell_len
from rich.console import Console
from rich.markup import escape
from rich.table import Table
from rich.text import Text

from i18n import Language, day, message, shown_name, space_after
from models import Case, CaseRoster, Roster, Scenario, Slot, Status
from models.ids import CaseId
from models.reason import Reason

HEADERS = ("cli.case", "cli.leader", "cli.members")
# Per table row: a border left of each column and one at the end, and one space of padding
# on each side of each column (rich's default box and padding).
TABLE_FRAME = len(HEADERS) + 1 + 2 * len(HEADERS)
UNSTAFFED_LISTED = 20  # the summary names this many unstaffed cases and counts the rest
REASON_CHARS = 200  # a province's reasons run to 2,000 characters; the table has them whole
PEOPLE_LISTED = 5


def render(console: Console, scenario: Scenario, roster: Roster, lang: Language = "en") -> None:
    """Print the roster as a table of cases and a summary of the objective, in `lang`
    (its reasons must have been rendered in it: `i18n.localised`)."""
    units, cases, people = scenario.unit_by_id, scenario.case_by_id, scenario.prosecutor_by_id

    def who(m_home: str, pid: str, name: str, minutes: float, on_site: bool) -> str:
        where = message(lang, "cli.minutes", minutes=f"{minutes:.0f}") if on_site \
            else message(lang, "cli.video")
        home = units[m_home]
        person = people.get(pid)
        shown = shown_name(name, person.name_zh if person else "", lang)
        return message(lang, "cli.who", name=shown, home=shown_name(home.name, home.name_zh, lang),
                       where=where)

    rows: list[tuple[str, str, str, bool]] = []  # case, leader, members, unstaffed
    for entry in roster.cases:
        case = cases[entry.id]
        venue = units[case.venue]
        where = message(lang, "cli.venue_dates", venue=shown_name(venue.name, venue.name_zh, lang),
                        start=day(case.start.isoformat(), lang), end=day(case.end.isoformat(), lang))
        head = f"{entry.id}\n{shown_name(case.title, case.title_zh, lang)}\n{where}"
        if not entry.staffed:
            why = entry.unstaffed_reason.text if entry.unstaffed_reason else ""
            rows.append((head, message(lang, "cli.unstaffed"), why, True))
            continue
        leader = [who(m.home, m.prosecutor, m.name, m.travel_minutes, m.on_site)
                  for m in entry.team if m.slot is Slot.LEADER]
        members = [message(lang, "cli.member", slot=message(lang, "slot." + m.slot.value),
                           who=who(m.home, m.prosecutor, m.name, m.travel_minutes, m.on_site))
                   for m in entry.team if m.slot is not Slot.LEADER]
        rows.append((head, "\n".join(leader) or "-", "\n".join(members), False))
    table = Table(title=escape(message(lang, "cli.roster_for", scenario=roster.scenario)),
                  show_lines=True)
    headers = [message(lang, h) for h in HEADERS]
    # Fixed widths from the plain text: rich's own sizing measures every cell's renderable,
    # a fifth of the print time on a 700-case province.
    texts = [(head, leader_cell, members_cell) for head, leader_cell, members_cell, _ in rows]
    widths = _widths([[header, *(row[i] for row in texts)] for i, header in enumerate(headers)],
                     console.width - TABLE_FRAME)
    for header, width, style in zip(headers, widths, ("bold", None, None), strict=True):
        # Fold, not cut: a Chinese line has no spaces to wrap at.
        table.add_column(header, width=width, style=style, overflow="fold")
    for head, leader_cell, members_cell, unstaffed in rows:
        # Text, not markup: no markup parsing per cell, and a '[' in a name prints as is.
        table.add_row(Text(head), Text(leader_cell, style="red" if unstaffed else ""),
                      Text(members_cell))
    console.print(table)
    status = f"[bold]{message(lang, 'status.' + roster.status.value)}[/bold]"
    console.print(message(lang, "cli.status", status=status, seconds=f"{roster.seconds:.2f}",
                          build=_built(roster, lang)))
    if roster.infeasible_reason:
        _infeasible(console, roster.infeasible_reason, lang)
    obj = roster.objective
    if obj is None:
        return
    staffed = sum(1 for c in roster.cases if c.staffed)
    most = "" if roster.priority_bound is None else message(lang, "cli.at_most",
                                                             bound=roster.priority_bound)
    console.print(message(lang, "cli.staffed", staffed=staffed, total=len(roster.cases),
                          priority=obj.staffed_priority, most=most))
    terms = message(lang, "sep.comma").join(f"{message(lang, 'cost.' + k)} {v:g}"
                                            for k, v in obj.components.items())
    bound = "" if roster.bound is None or roster.gap is None else message(
        lang, "cli.bound_gap", bound=f"{roster.bound:.2f}", gap=f"{roster.gap:.2%}")
    console.print(message(lang, "cli.cost", cost=f"{obj.cost:.2f}", terms=terms, bound=bound))
    _parts_short(console, roster, lang)


def _parts_short(console: Console, roster: Roster, lang: Language) -> None:
    """Say so when the time limit left parts unproven: the answer is then the limit's, not
    the province's, and a planner should know a longer limit is likely to do better."""
    # A stopped search never reached its limit: a longer one is not the advice.
    if (roster.status is Status.FEASIBLE and not roster.stopped and roster.parts is not None
            and roster.parts_proven is not None and roster.parts_proven < roster.parts):
        console.print(escape(message(lang, "cli.parts_short", proven=roster.parts_proven,
                                     parts=roster.parts)))


def _widths(columns: list[list[str]], room: int) -> list[int]:
    """Each column's width: its longest line, the widest ones cut to a common cap to fit.

    The cut is rich's own (the widest columns shrink first), done on plain text."""
    natural = [max(1, *(cell_len(line) for cell in column for line in cell.splitlines()))
               for column in columns]
    if sum(natural) <= room:
        return natural
    left, cap = room, 1
    for i, n in enumerate(sorted(natural)):
        wider = len(natural) - i  # columns this one and after, all at least n wide
        if n * wider > left:
            cap = max(1, left // wider)
            break
        left -= n
    widths = [min(n, cap) for n in natural]
    spare = room - sum(widths)
    for i, n in enumerate(natural):  # the rounding's remainder, to the capped columns
        if n > cap and spare > 0:
            widths[i] += 1
            spare -= 1
    return widths


def _infeasible(console: Console, reason: Reason, lang: Language) -> None:
    """The infeasible mark and its reason, as `lang` writes a label before its text."""
    mark = message(lang, "cli.infeasible")
    console.print(f"[red]{mark}[/red]{space_after(mark)}{escape(reason.text)}")


def summarize(console: Console, scenario: Scenario, roster: Roster, lang: Language = "en") -> None:
    """Print what a chief reads first, in `lang`: status, priority, cost, and what stayed
    unstaffed."""
    def m(code: str, **params: object) -> str:
        return message(lang, code, **params)

    units, people_of = scenario.unit_by_id, scenario.prosecutor_by_id
    status = m(f"status.{roster.status.value}")
    console.print(f"[bold]{escape(m('cli.summary_head', scenario=roster.scenario, status=status))}[/bold]")
    if roster.infeasible_reason:
        _infeasible(console, roster.infeasible_reason, lang)
    obj = roster.objective
    if obj is not None:
        most = "" if roster.priority_bound is None else m("cli.at_most", bound=roster.priority_bound)
        console.print(escape(m("cli.summary_priority", priority=obj.staffed_priority, most=most)))
        bound = "" if roster.bound is None or roster.gap is None else \
            m("cli.summary_bound", bound=_number(roster.bound), gap=f"{roster.gap:.2%}")
        console.print(escape(m("cli.summary_cost", cost=_number(obj.cost), bound=bound)))
        console.print(escape(m("cli.summary_terms", terms=m("sep.comma").join(
            f"{m('cost.' + k)} {_number(v)}" for k, v in obj.components.items()))))
        _parts_short(console, roster, lang)
    unstaffed = [c for c in roster.cases if not c.staffed]
    # An infeasible or timed-out answer lists no cases: none is staffed, all are not.
    total = len(scenario.cases) if not roster.cases else len(roster.cases)
    console.print(m("cli.summary_cases", staffed=len(roster.cases) - len(unstaffed),
                    unstaffed=total - len(roster.cases) + len(unstaffed), total=total))
    if obj is not None and unstaffed:
        _unstaffed(console, unstaffed, scenario.case_by_id, lang)
    people = {a.prosecutor: a for a in roster.assignments()}
    load = Counter(a.prosecutor for a in roster.assignments())
    if load:
        def who(pid: str, n: int) -> str:
            person, home = people_of.get(pid), units[people[pid].home]
            return m("cli.summary_person",
                     name=shown_name(people[pid].name, person.name_zh if person else "", lang),
                     office=shown_name(home.name, home.name_zh, lang), cases=n)

        # Cases held, not FTE over time: the roster has no dated load, and the CLI only counts.
        console.print(escape(m("cli.summary_busiest", people=m("sep.comma").join(
            who(pid, n) for pid, n in load.most_common(PEOPLE_LISTED)))))
    first = "" if roster.first_roster_seconds is None else \
        m("cli.summary_first", seconds=f"{roster.first_roster_seconds:.2f}")
    console.print(m("cli.summary_time", seconds=f"{roster.seconds:.2f}",
                    build=_built(roster, lang), first=first))


def _built(roster: Roster, lang: Language) -> str:
    """What the solve built, beside its time: the whole model and how long it took, or, on a
    province searched by parts, that no whole model was (not "model build 0.00 s")."""
    if roster.build_seconds == 0 and roster.parts is not None:
        return message(lang, "cli.build_parts")
    return message(lang, "cli.build", build=f"{roster.build_seconds:.2f}")


def _unstaffed(console: Console, unstaffed: list[CaseRoster],
               cases: Mapping[CaseId, Case], lang: Language) -> None:
    """The unstaffed cases, highest priority first (roster order among equals), reasons cut."""
    ranked = sorted(unstaffed, key=lambda c: -cases[c.id].priority)
    table = Table(box=None, padding=(0, 1), pad_edge=False, title_justify="left",
                  title=message(lang, "cli.unstaffed_title", number=len(ranked)))
    table.add_column(message(lang, "cli.col_priority"), justify="right")
    table.add_column(message(lang, "cli.col_case"), style="bold", no_wrap=True)
    table.add_column(message(lang, "cli.col_why"), overflow="fold")
    cut = False
    for entry in ranked[:UNSTAFFED_LISTED]:
        reason = entry.unstaffed_reason.text if entry.unstaffed_reason else "-"
        if len(reason) > REASON_CHARS:
            reason, cut = reason[:REASON_CHARS - 1].rstrip() + "…", True
        table.add_row(str(cases[entry.id].priority), Text(entry.id), Text(reason))
    console.print(table)
    more = len(ranked) - UNSTAFFED_LISTED
    if more > 0 or cut:
        console.print(("" if more <= 0 else message(lang, "cli.more", more=more))
                      + message(lang, "cli.whole_reasons"), highlight=False)


def _number(value: float) -> str:
    """1234.5 as '1,234.5': thousands grouped, at most two decimals, no trailing zeros."""
    return f"{value:,.2f}".rstrip("0").rstrip(".")
