"""Travel minutes between units: shortest road paths, or a great-circle estimate without roads."""

import math
from collections.abc import Iterable

import networkx as nx

from models import Scenario
from models.ids import UnitId
from models.scenario import MAX_MINUTES

EARTH_RADIUS_KM = 6371.0088


def great_circle_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Haversine distance in km."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    h = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * EARTH_RADIUS_KM * math.asin(math.sqrt(min(1.0, h)))


class TravelTable:
    """One-way minutes from any unit to each venue; None where no road path exists."""

    def __init__(self, scenario: Scenario, venues: Iterable[UnitId]) -> None:
        self._minutes: dict[UnitId, dict[UnitId, float]] = {}
        if scenario.roads:
            graph = nx.Graph()
            graph.add_nodes_from(u.id for u in scenario.units)
            for road in scenario.roads:
                # Parallel legs between two seats: the faster one is the one people drive.
                old = graph.get_edge_data(road.a, road.b, {}).get("minutes", math.inf)
                graph.add_edge(road.a, road.b, minutes=min(old, road.minutes))
            for venue in set(venues):
                lengths = nx.single_source_dijkstra_path_length(graph, venue, weight="minutes")
                # A path of many legs can add up past the documented cap; the model's
                # integer coefficients are sized for at most MAX_MINUTES.
                self._minutes[venue] = {u: min(m, MAX_MINUTES) for u, m in lengths.items()}
        else:
            units = scenario.unit_by_id
            per_minute = scenario.policy.road_factor / scenario.policy.speed_kmh * 60
            for venue in set(venues):
                v = units[venue].location
                self._minutes[venue] = {
                    u.id: min(MAX_MINUTES, great_circle_km(v.lat, v.lon, u.location.lat,
                                                           u.location.lon) * per_minute)
                    for u in scenario.units
                }

    def minutes(self, home: UnitId, venue: UnitId) -> float | None:
        """One-way travel minutes from `home` to `venue`; 0 to itself; None if unreachable."""
        if home == venue:
            return 0.0
        return self._minutes[venue].get(home)
