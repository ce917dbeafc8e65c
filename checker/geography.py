"""Travel and scope, written again from the spec for the checker (no networkx, no scheduler)."""

import heapq
import math

from models import Case, Scenario, Scope, Tier
from models.ids import UnitId


def shortest_minutes(scenario: Scenario, source: UnitId) -> dict[UnitId, float]:
    """Minutes from `source` to every unit it reaches: road Dijkstra, or great-circle estimate."""
    if not scenario.roads:
        here = scenario.unit_by_id[source].location
        out = {}
        for unit in scenario.units:
            there = unit.location
            lat1, lat2 = math.radians(here.lat), math.radians(there.lat)
            a = (math.sin((lat2 - lat1) / 2) ** 2 + math.cos(lat1) * math.cos(lat2)
                 * math.sin(math.radians(there.lon - here.lon) / 2) ** 2)
            km = 2 * 6371.0088 * math.asin(math.sqrt(min(1.0, a)))
            out[unit.id] = km * scenario.policy.road_factor / scenario.policy.speed_kmh * 60
        out[source] = 0.0
        return out
    legs: dict[UnitId, list[tuple[float, UnitId]]] = {}
    for road in scenario.roads:
        legs.setdefault(road.a, []).append((road.minutes, road.b))
        legs.setdefault(road.b, []).append((road.minutes, road.a))
    best = {source: 0.0}
    queue = [(0.0, source)]
    while queue:
        dist, node = heapq.heappop(queue)
        if dist > best.get(node, math.inf):
            continue
        for minutes, nxt in legs.get(node, []):
            if dist + minutes < best.get(nxt, math.inf):
                best[nxt] = dist + minutes
                heapq.heappush(queue, (dist + minutes, nxt))
    return best


def paired_with(scenario: Scenario, unit: UnitId) -> set[UnitId]:
    """Units paired with `unit`."""
    return {b if a == unit else a for a, b in (p.units for p in scenario.pairs) if unit in (a, b)}


def allowed_homes(scenario: Scenario, case: Case) -> set[UnitId]:
    """Home units allowed by the case's scope."""
    lead = case.lead
    scope = scenario.scope_of(case)
    if scope == Scope.PROVINCIAL:
        return {u.id for u in scenario.units}
    if scope == Scope.UNIT:
        return {lead}
    homes = {lead} | paired_with(scenario, lead)
    if scope == Scope.PAIR:
        return homes
    if scope == Scope.GROUP:
        for g in scenario.groups:
            if lead == g.lead or lead in g.members:
                homes |= {g.lead, *g.members}
        return homes
    # municipal: climb from a grassroots lead to its municipal unit, then take all below it
    units = scenario.unit_by_id
    top = lead
    while units[top].tier == Tier.GRASSROOTS and units[top].parent is not None:
        top = units[top].parent  # type: ignore[assignment]
    return {u.id for u in scenario.units if _is_under(scenario, u.id, top)}


def _is_under(scenario: Scenario, unit: UnitId, top: UnitId) -> bool:
    seen: set[UnitId] = set()
    current: UnitId | None = unit
    while current is not None and current not in seen:
        if current == top:
            return True
        seen.add(current)
        current = scenario.unit_by_id[current].parent
    return False
