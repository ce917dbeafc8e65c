"""A plausible province: one provincial unit, ~16 cities, ~140 counties, roads, people, cases.

Deterministic: the same (prosecutors, cases, seed) always gives the same scenario. The
proportions follow the seeds where they give any (Shandong: about 4,000 quota
prosecutors, 19 % of them in civil, administrative and public-interest work; Jilin: a
talent pool of 92; cross-inspection never in one's own jurisdiction) and are plausible
guesses elsewhere. Instances are meant to be tight: caseloads are high, offices keep
staff at home, and teams need scarce skills, so not every case can be staffed.
"""

import math
import random
from datetime import date, timedelta
from typing import Any

Data = dict[str, Any]

CITIES = 16
COUNTIES_PER_CITY = (7, 11)
HORIZON_START = date(2022, 1, 1)
HORIZON_DAYS = 181
FUNCTIONS = ["criminal", "civil", "administrative", "public_interest"]
FUNCTION_SHARE = [0.81, 0.07, 0.05, 0.07]  # 19 % outside criminal work (Shandong)
SPECIALTIES = {"criminal": ["organized_crime", "forensics"], "civil": ["enforcement",
               "false_litigation"], "administrative": ["enforcement"],
               "public_interest": ["environment", "forensics"]}
MINORITY_LANGUAGES = ["mn", "ko"]
ROAD_FACTOR, ROAD_SPEED_KMH = 1.25, 70.0
TALENT_POOL = 92  # Jilin's provincial list of public-interest prosecutors


def _km(a: Data, b: Data) -> float:
    la, lb = a["location"], b["location"]
    dlat = (lb["lat"] - la["lat"]) * 111.2
    dlon = (lb["lon"] - la["lon"]) * 111.2 * math.cos(math.radians((la["lat"] + lb["lat"]) / 2))
    return math.hypot(dlat, dlon)


def _road(a: Data, b: Data) -> Data:
    km = _km(a, b) * ROAD_FACTOR
    return {"a": a["id"], "b": b["id"], "km": round(km, 1),
            "minutes": max(5.0, round(km / ROAD_SPEED_KMH * 60, 1))}


def _geography(rng: random.Random) -> tuple[list[Data], list[Data], list[Data], list[Data]]:
    """Units on a 700 x 500 km region, roads, pairs of neighbouring counties, county groups."""
    units: list[Data] = [{"id": "prov", "name": "Provincial Procuratorate", "tier": "provincial",
                          "parent": None, "location": {"lat": 36.6, "lon": 117.0},
                          "min_staff_at_home": 1}]
    roads: list[Data] = []
    pairs: list[Data] = []
    groups: list[Data] = []
    cities: list[Data] = []
    for c in range(CITIES):
        city: Data = {"id": f"c{c:02d}", "name": f"City {c + 1}", "tier": "municipal", "parent": "prov",
                "location": {"lat": round(34.5 + 3.8 * (c // 4) / 3 + rng.uniform(-0.3, 0.3), 3),
                             "lon": round(115.2 + 6.5 * (c % 4) / 3 + rng.uniform(-0.3, 0.3), 3)},
                "min_staff_at_home": 1}
        cities.append(city)
        units.append(city)
        counties: list[Data] = []
        for k in range(rng.randint(*COUNTIES_PER_CITY)):
            angle, radius = rng.uniform(0, 2 * math.pi), rng.uniform(0.15, 0.6)
            county: Data = {"id": f"c{c:02d}g{k:02d}", "name": f"County {c + 1}-{k + 1}",
                      "tier": "grassroots", "parent": city["id"],
                      "location": {"lat": round(city["location"]["lat"] + radius * math.sin(angle), 3),
                                   "lon": round(city["location"]["lon"] + radius * math.cos(angle), 3)},
                      "min_staff_at_home": 1}
            counties.append(county)
            units.append(county)
            roads.append(_road(city, county))
        # Neighbouring counties are linked, and paired two by two (complementary strength).
        unpaired = list(counties)
        while len(unpaired) >= 2:
            a = unpaired.pop(0)
            b = min(unpaired, key=lambda u: _km(a, u))
            unpaired.remove(b)
            roads.append(_road(a, b))
            pairs.append({"units": [a["id"], b["id"]], "note": "adjacent"})
        for g in range(0, len(counties), 4):
            members = [u["id"] for u in counties[g:g + 4]]
            groups.append({"id": f"{city['id']}-grp{g // 4}", "lead": members[0],
                           "members": members[1:]})
    # Cities: each to its nearest two others, and the capital's city to the provincial seat.
    for city in cities:
        for other in sorted((o for o in cities if o is not city), key=lambda o: _km(city, o))[:2]:
            if city["id"] < other["id"] or city not in sorted(
                    (o for o in cities if o is not other), key=lambda o: _km(other, o))[:2]:
                roads.append(_road(city, other))
    capital = min(cities, key=lambda c: _km(c, units[0]))
    roads.append(_road(units[0], capital))
    return units, roads, pairs, groups


def _people(rng: random.Random, units: list[Data], total: int) -> list[Data]:
    """`total` people spread over units: cities and the province heavier than counties."""
    weight = {"provincial": 6.0, "municipal": 3.0, "grassroots": 1.0}
    shares = [weight[u["tier"]] * rng.uniform(0.6, 1.4) for u in units]
    scale = total / sum(shares)
    counts = [max(4, round(s * scale)) for s in shares]
    while sum(counts) > total:
        counts[counts.index(max(counts))] -= 1
    while sum(counts) < total:
        counts[rng.randrange(len(counts))] += 1
    minority = {u["id"]: rng.choice(MINORITY_LANGUAGES) for u in units if rng.random() < 0.1}
    people = []
    for u, n in zip(units, counts, strict=True):
        roles = ["chief"] + ["deputy_chief"] * max(1, n // 12)
        rest = n - len(roles)
        roles += (["prosecutor"] * round(rest * 0.6) + ["assistant"] * round(rest * 0.25))
        roles += ["clerk"] * (n - len(roles))
        for i, role in enumerate(roles[:n]):
            people.append(_person(rng, f"{u['id']}-p{i:03d}", u, role, minority.get(u["id"])))
    return people


def _person(rng: random.Random, pid: str, unit: Data, role: str, minority: str | None) -> Data:
    senior = role in ("chief", "deputy_chief")
    years = rng.randint(12, 32) if senior else min(35, int(rng.expovariate(1 / 8)) + 1)
    skills: dict[str, int] = {}
    if role in ("chief", "deputy_chief", "prosecutor"):
        main = rng.choices(FUNCTIONS, FUNCTION_SHARE)[0]
        skills[main] = 3 if senior or years >= 10 else 2 if years >= 4 else 1
        if rng.random() < 0.4:
            skills[rng.choice([f for f in FUNCTIONS if f != main])] = rng.choice([1, 1, 2])
        if rng.random() < 0.25:
            skills[rng.choice(SPECIALTIES[main])] = rng.choice([1, 2, 2, 3])
    elif role == "assistant" and rng.random() < 0.2:
        skills[rng.choice(["forensics", "environment"])] = rng.choice([1, 2, 3])
    languages = ["zh"]
    if minority is not None and rng.random() < 0.6:
        languages.append(minority)
    person: Data = {"id": pid, "name": f"Staff {pid}", "home": unit["id"], "role": role,
                    "skills": skills, "languages": languages, "years": years,
                    "load": round(min(0.7, max(0.0, rng.gauss(0.4, 0.15))), 1)}
    if rng.random() < 0.15:
        start = HORIZON_START + timedelta(days=rng.randrange(HORIZON_DAYS - 14))
        person["unavailable"] = [{"start": start.isoformat(),
                                  "end": (start + timedelta(days=rng.randint(3, 14))).isoformat()}]
    return person


def _team(rng: random.Random, kind: str, size: int, minority: str | None, tiers: bool) -> Data:
    leader_role = rng.choice(["prosecutor", "prosecutor", "deputy_chief"] + (["chief"] if size > 15 else []))
    members = size - 1
    assistants = members // 6
    clerks = max(0, members // 10)
    team: Data = {"leader": {"min_role": leader_role, "min_level": 2 if size < 10 else 3},
                  "members": {"prosecutor": members - assistants - clerks, "assistant": assistants,
                              "clerk": clerks},
                  "load": rng.choice([0.3, 0.5, 0.5, 0.8]),
                  "skills": [{"skill": kind, "count": max(1, size // 3), "min_level": 2}]}
    special = rng.choice(SPECIALTIES[kind])
    if rng.random() < 0.4:
        team["skills"].append({"skill": special, "count": max(1, size // 8), "min_level": 2})
    if minority is not None and rng.random() < 0.7:
        team["languages"] = [{"language": minority, "count": max(1, size // 4)}]
    if tiers:
        team["tiers"] = {"provincial": 1, "municipal": 1, "grassroots": 1}
    if size >= 8 and rng.random() < 0.5:
        team["max_units"] = max(2, size // 3)
    if rng.random() < 0.3:
        team["max_travel_minutes"] = rng.choice([90, 120, 180, 240])
    if rng.random() < 0.2:
        team["remote_roles"] = ["clerk"]
    return team


def _cases(rng: random.Random, units: list[Data], people: list[Data], total: int,
           pools: list[Data]) -> list[Data]:
    speakers: dict[str, str] = {}
    for p in people:
        for lang in p["languages"]:
            if lang != "zh":
                speakers[p["home"]] = lang
    counties = [u for u in units if u["tier"] == "grassroots"]
    cities = [u for u in units if u["tier"] == "municipal"]
    cases = []
    for i in range(total):
        big = rng.random() < 0.08
        size = rng.randint(12, 30) if big else rng.choice([3, 3, 4, 4, 5, 6, 8])
        kind = rng.choices(FUNCTIONS, [0.55, 0.15, 0.1, 0.2])[0]
        venue = rng.choice(counties)
        lead = venue["parent"] if big or rng.random() < 0.15 else venue["id"]
        if rng.random() < 0.03:
            lead = "prov"
        three_level = big and rng.random() < 0.3
        start = HORIZON_START + timedelta(days=rng.randrange(HORIZON_DAYS - 10))
        length = rng.randint(10, 60) if big else rng.randint(5, 30)
        end = min(start + timedelta(days=length - 1), HORIZON_START + timedelta(days=HORIZON_DAYS - 1))
        case: Data = {
            "id": f"case{i:04d}", "title": f"{kind.replace('_', ' ')} case {i + 1}", "kind": kind,
            "venue": venue["id"], "lead_unit": lead, "start": start.isoformat(),
            "end": end.isoformat(), "priority": rng.choice([1, 1, 2, 2, 3, 5]) + (3 if big else 0),
            "mandatory": rng.random() < 0.02,
            "team": _team(rng, kind, size, speakers.get(venue["id"]), three_level),
        }
        if three_level:
            case["scope"] = "provincial"
        elif rng.random() < 0.15:
            case["scope"] = rng.choice(["unit", "group", "municipal"])
        if kind == "public_interest" and big and pools:
            case["pool"] = pools[0]["id"]
            case["scope"] = "provincial"
        if rng.random() < 0.05:  # cross-inspection: never one's own jurisdiction
            case["exclude_units"] = [venue["id"]]
            case["lead_unit"] = rng.choice(cities)["id"]
            case["scope"] = "municipal"
        if rng.random() < 0.05:
            nearby = [p["id"] for p in people if p["home"] == venue["id"]]
            if nearby:
                case["exclude_prosecutors"] = rng.sample(nearby, min(2, len(nearby)))
        if case["mandatory"]:
            # A mandatory case is an ordinary one the city must staff: no scarce requirement.
            case.update(kind="criminal", lead_unit=venue["parent"], scope="municipal",
                        team={"leader": {"min_role": "prosecutor", "min_level": 2},
                              "members": {"prosecutor": 2}, "load": 0.3})
            case.pop("pool", None)
            case.pop("exclude_units", None)
        cases.append(case)
    return cases


def province(prosecutors: int, cases: int, seed: int) -> Data:
    """A spec-valid scenario of a province with about `prosecutors` people and `cases` cases."""
    rng = random.Random(seed)
    units, roads, pairs, groups = _geography(rng)
    people = _people(rng, units, prosecutors)
    # Each office keeps about a third of its prosecutor-rank staff at home.
    rank = {u["id"]: 0 for u in units}
    for p in people:
        if p["role"] in ("chief", "deputy_chief", "prosecutor"):
            rank[p["home"]] += 1
    for u in units:
        u["min_staff_at_home"] = max(1, round(rank[u["id"]] * 0.35))
    public_interest = [p["id"] for p in people if p["skills"].get("public_interest", 0) >= 2]
    pools = [{"id": "talent-pool", "name": "Provincial public-interest talent pool",
              "members": sorted(rng.sample(public_interest, min(TALENT_POOL, len(public_interest))))}]
    return {"name": f"province-{prosecutors}x{cases}-s{seed}", "units": units, "pairs": pairs,
            "groups": groups, "pools": pools, "roads": roads, "prosecutors": people,
            "cases": _cases(rng, units, people, cases, pools)}
