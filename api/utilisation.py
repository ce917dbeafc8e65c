"""Who is how loaded on which days, and which offices are at their home-staffing minimum:
the figures behind the console's utilisation chart, computed by the independent checker."""

from datetime import date, timedelta

from pydantic import BaseModel, Field

from checker import daily_load, home_counts, staffed_teams
from models import Roster, Scenario


class PersonLoad(BaseModel):
    id: str = Field(description="The prosecutor.")
    name: str = Field(description="Their name.")
    home: str = Field(description="Their home office.")
    capacity: float = Field(description="Their capacity, FTE.")
    load: list[float] = Field(description="FTE carried on each day of `days`, commitments included.")


class OfficeLoad(BaseModel):
    unit: str = Field(description="The office.")
    name: str = Field(description="Its name.")
    at_home: list[int] = Field(description="Prosecutor-rank staff at home on each day.")
    need: list[int] = Field(description="How many rule 6 requires at home that day.")


class Utilisation(BaseModel):
    days: list[date] = Field(description="Every day from the first case's start to the last's end.")
    people: list[PersonLoad] = Field(description="Everyone serving in the roster.")
    offices: list[OfficeLoad] = Field(description="Every office the roster sends someone away from.")


def utilisation(scenario: Scenario, roster: Roster) -> Utilisation:
    """Daily load of everyone serving in `roster`, and daily home staffing of the offices
    it sends people away from (`scenario` with the commitments its solve saw)."""
    teams = {cid: team for cid, team in staffed_teams(roster).items() if cid in scenario.case_by_id}
    if not scenario.cases:
        return Utilisation(days=[], people=[], offices=[])
    first = min(c.start for c in scenario.cases)
    days = [first + timedelta(days=i)
            for i in range((max(c.end for c in scenario.cases) - first).days + 1)]
    served = daily_load(scenario, teams)
    people = scenario.prosecutor_by_id
    units = scenario.unit_by_id
    return Utilisation(
        days=days,
        people=[PersonLoad(id=pid, name=people[pid].name, home=people[pid].home,
                           capacity=people[pid].capacity,
                           load=[round(served[pid].get(d, people[pid].load_on(d)), 4)
                                 for d in days])
                for pid in sorted(served, key=lambda p: (people[p].home, people[p].name))],
        offices=[OfficeLoad(unit=unit, name=units[unit].name,
                            at_home=[d.home for d in counts], need=[d.need for d in counts])
                 for unit, counts in sorted(home_counts(scenario, teams).items())],
    )
