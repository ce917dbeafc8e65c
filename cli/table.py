"""The human-readable roster: one table row per case, then the totals."""

from rich.console import Console
from rich.table import Table

from models import Roster, Scenario, Slot


def render(console: Console, scenario: Scenario, roster: Roster) -> None:
    """Print the roster as a table of cases and a summary of the objective."""
    units, cases = scenario.unit_by_id, scenario.case_by_id
    table = Table(title=f"Roster for {roster.scenario}", show_lines=True)
    table.add_column("Case", style="bold")
    table.add_column("Leader")
    table.add_column("Members (home, one-way minutes)")
    for entry in roster.cases:
        case = cases[entry.id]
        head = f"{entry.id}\n{case.title}\n{units[case.venue].name}, {case.start}..{case.end}"
        if not entry.staffed:
            table.add_row(head, "[red]unstaffed[/red]", entry.unstaffed_reason or "")
            continue

        def who(m_home: str, name: str, minutes: float, on_site: bool) -> str:
            where = f"{minutes:.0f} min" if on_site else "video"
            return f"{name} ({units[m_home].name}, {where})"

        leader = [who(m.home, m.name, m.travel_minutes, m.on_site) for m in entry.team
                  if m.slot is Slot.LEADER]
        members = [f"{m.slot.value}: {who(m.home, m.name, m.travel_minutes, m.on_site)}"
                   for m in entry.team if m.slot is not Slot.LEADER]
        table.add_row(head, "\n".join(leader) or "-", "\n".join(members))
    console.print(table)
    console.print(f"status: [bold]{roster.status.value}[/bold]   time: {roster.seconds:.2f} s "
                  f"(model build {roster.build_seconds:.2f} s)")
    if roster.infeasible_reason:
        console.print(f"[red]infeasible:[/red] {roster.infeasible_reason}")
    obj = roster.objective
    if obj is None:
        return
    staffed = sum(1 for c in roster.cases if c.staffed)
    most = "" if roster.priority_bound is None else f" (at most {roster.priority_bound})"
    console.print(f"staffed: {staffed} of {len(roster.cases)} cases, priority "
                  f"{obj.staffed_priority}{most}")
    terms = ", ".join(f"{k} {v:g}" for k, v in obj.components.items())
    bound = "" if roster.bound is None else f"   bound {roster.bound:.2f}, gap {roster.gap:.2%}"
    console.print(f"cost: {obj.cost:.2f} ({terms}){bound}")
