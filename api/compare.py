"""Two rosters side by side: who joins and leaves each case, and what every figure did."""

from pydantic import BaseModel, Field

from checker import home_counts, peak_utilisation, staffed_teams
from i18n import Language, rendered
from models import COST_TERMS, Reason, Roster, Scenario


class Delta(BaseModel):
    before: float = Field(description="In the base roster.")
    after: float = Field(description="In the variant's roster.")
    change: float = Field(description="after - before.")


def delta(before: float, after: float) -> Delta:
    return Delta(before=before, after=after, change=after - before)


class CaseChange(BaseModel):
    case: str = Field(description="The case.")
    joins: list[str] = Field(description="People on the new team, not on the old one.")
    leaves: list[str] = Field(description="People on the old team, not on the new one.")
    staffed_before: bool = Field(description="Staffed in the base roster.")
    staffed_after: bool = Field(description="Staffed in the variant's roster.")
    unstaffed_reason: Reason | None = Field(default=None, description="Why, if now unstaffed.")


class OfficeChange(BaseModel):
    unit: str = Field(description="The office.")
    lowest_at_home_before: int | None = Field(description="Fewest at home on any day, before.")
    lowest_at_home_after: int | None = Field(description="Fewest at home on any day, after.")


class Comparison(BaseModel):
    cases: list[CaseChange] = Field(description="Every case whose team changed.")
    staffed_priority: Delta = Field(description="Staffed priority.")
    cost: Delta = Field(description="Total cost.")
    components: dict[str, Delta] = Field(description="Each cost term, weighted.")
    travel_minutes: Delta = Field(description="One-way travel minutes of on-site members.")
    peak_utilisation: Delta = Field(description="Highest utilisation of anyone serving, %.")
    offices: list[OfficeChange] = Field(description="Offices whose lowest home staffing moved.")


def _lowest_at_home(s: Scenario, roster: Roster) -> dict[str, int]:
    return {unit: min(d.home for d in days)
            for unit, days in home_counts(s, staffed_teams(roster)).items()}


def compare(base_s: Scenario, base: Roster, new_s: Scenario, new: Roster) -> Comparison:
    """What changed from (base_s, base) to (new_s, new)."""
    old_teams, new_teams = staffed_teams(base), staffed_teams(new)
    reasons = {c.id: c.unstaffed_reason for c in new.cases}
    changes = []
    for cid in sorted(set(old_teams) | set(new_teams) | {c.id for c in new.cases}):
        before = {m.prosecutor for m in old_teams.get(cid, [])}
        after = {m.prosecutor for m in new_teams.get(cid, [])}
        if before != after or (cid in old_teams) != (cid in new_teams):
            changes.append(CaseChange(
                case=cid, joins=sorted(after - before), leaves=sorted(before - after),
                staffed_before=cid in old_teams, staffed_after=cid in new_teams,
                unstaffed_reason=None if cid in new_teams else reasons.get(cid)))
    ob, nb = base.objective, new.objective
    components = {t: delta(ob.components.get(t, 0) if ob else 0, nb.components.get(t, 0) if nb else 0)
                  for t in COST_TERMS}
    old_home, new_home = _lowest_at_home(base_s, base), _lowest_at_home(new_s, new)
    offices = [OfficeChange(unit=u, lowest_at_home_before=old_home.get(u),
                            lowest_at_home_after=new_home.get(u))
               for u in sorted(set(old_home) | set(new_home)) if old_home.get(u) != new_home.get(u)]
    return Comparison(
        cases=changes,
        staffed_priority=delta(ob.staffed_priority if ob else 0, nb.staffed_priority if nb else 0),
        cost=delta(ob.cost if ob else 0, nb.cost if nb else 0),
        components=components,
        travel_minutes=delta(sum(m.travel_minutes for m in base.assignments() if m.on_site),
                             sum(m.travel_minutes for m in new.assignments() if m.on_site)),
        peak_utilisation=delta(peak_utilisation(base_s, base), peak_utilisation(new_s, new)),
        offices=offices,
    )


def localised_comparison(comparison: Comparison, lang: Language) -> Comparison:
    """`comparison` with each unstaffed reason's text in `lang`."""
    return comparison.model_copy(update={"cases": [
        c if c.unstaffed_reason is None
        else c.model_copy(update={"unstaffed_reason": rendered(c.unstaffed_reason, lang)})
        for c in comparison.cases]})
