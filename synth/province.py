"""A plausible province: one provincial unit, ~16 cities, ~140 counties, roads, people, cases.

Deterministic: the same (prosecutors, cases, seed, family) always gives the same
scenario. The proportions follow the seeds where they give any (Shandong: about 4,000
quota prosecutors, 19 % of them in civil, administrative and public-interest work; Jilin:
a talent pool of 92; cross-inspection never in one's own jurisdiction) and are plausible
guesses elsewhere. Instances are meant to be tight: caseloads are high, offices keep
staff at home, and teams need scarce skills, so not every case can be staffed.

A family (see `FAMILIES`) bends one side of that shape: denser eligibility, larger teams,
scarcer skills, tighter capacity, travel caps, no roads, or skewed offices. Each family is
the standard generator with a few knobs turned, so the families stay comparable and the
standard family's output stays byte-for-byte what it was before families existed.
"""

import math
import random
from dataclasses import dataclass, replace
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
# Below this many people the full map leaves under 3 people an office, and offices that
# must keep their one prosecutor at home lend nobody: the standard province staffs nothing.
SMALL_PROVINCE = 480


@dataclass(frozen=True)
class Knobs:
    """What a family turns. The defaults are the standard province; every knob is read
    where the standard generator used the same constant and with the same random draws,
    so the default knobs reproduce the standard output exactly. A knob that needs draws of
    its own (giant teams, big cities) draws only when it is switched on."""

    # Offices: relative size by tier, the smallest office, and a few cities made larger.
    tier_weight: tuple[float, float, float] = (6.0, 3.0, 1.0)  # provincial, municipal, grassroots
    min_office: int = 4
    big_cities: int = 0
    big_city_factor: float = 1.0
    home_share: float = 0.35  # of an office's prosecutor-rank staff kept at home
    home_floor: int = 1
    # People.
    minority_units: float = 0.1  # units with a minority language
    speakers: float = 0.6  # of their staff who speak it
    specialists: float = 0.25  # of prosecutor-rank staff with a specialty
    load_mean: float = 0.4
    load_max: float = 0.7  # at most 0.7 so everyone can still take a 0.3 mandatory case
    unavailable: float = 0.15
    unavailable_days: tuple[int, int] = (3, 14)
    talent_pool: int = TALENT_POOL
    # Cases: sizes and scopes.
    big_share: float = 0.08
    giant_share: float = 0.0  # teams of `giant_size`, at least one when switched on
    giant_size: tuple[int, int] = (30, 60)
    municipal_lead: float = 0.15
    provincial_lead: float = 0.03
    three_level: float = 0.3  # of big cases
    wide_scope: float = 0.15
    wide_scopes: tuple[str, ...] = ("unit", "group", "municipal")
    # Cases: requirements.
    language_need: float = 0.7
    language_divisor: int = 4  # a team needs size // divisor speakers
    specialty_need: float = 0.4
    specialty_divisor: int = 8
    travel_cap: float = 0.3
    travel_caps: tuple[int, ...] = (90, 120, 180, 240)
    roads: bool = True
    # Below this many people the map has fewer cities and counties, so that a small
    # province can still staff some cases; 0 for standard, whose output is pinned.
    compact_below: int = 0


STANDARD = Knobs()
_FAMILY = replace(STANDARD, compact_below=SMALL_PROVINCE)

# One table, so the CLI's help, its error and the tests all list the same families.
_SHAPES: dict[str, tuple[str, Knobs]] = {
    "standard": ("the baseline: mostly small teams near their venue, some scarce skills, "
                 "offices that keep a third of their prosecutors at home", STANDARD),
    "dense": ("many people per slot: wide scopes, many provincial and municipal cases, a "
              "larger talent pool",
              replace(_FAMILY, municipal_lead=0.35, provincial_lead=0.04, wide_scope=0.3,
                      wide_scopes=("group", "municipal", "provincial"), talent_pool=250)),
    "large-teams": ("gang-case teams of 30 to 60 people from many offices, beside many "
                    "small teams", replace(_FAMILY, big_share=0.04, giant_share=0.02)),
    "scarce": ("skills and languages: few Mongolian speakers, rare specialties that many "
               "cases require",
               replace(_FAMILY, minority_units=0.25, speakers=0.15, specialists=0.1,
                       language_need=1.0, language_divisor=3, specialty_need=0.75,
                       specialty_divisor=5)),
    # Through `load` and leave, not `commitments`, so the scenario keeps to spec version 1.
    "tight": ("capacity: high existing load, long leave, offices that keep most of their "
              "prosecutors at home",
              replace(_FAMILY, load_mean=0.55, unavailable=0.45, unavailable_days=(10, 40),
                      home_share=0.6, home_floor=2)),
    "travel-caps": ("a travel limit of 60 to 180 minutes on most cases",
                    replace(_FAMILY, travel_cap=0.85, travel_caps=(60, 90, 120, 180))),
    "no-roads": ("great-circle travel: the scenario has no roads",
                 replace(_FAMILY, roads=False)),
    "skewed": ("office sizes: three large city offices hold most people, counties have "
               "5 each", replace(_FAMILY, tier_weight=(6.0, 1.0, 0.0), min_office=5,
                                 big_cities=3, big_city_factor=25.0,
                                 # 5-person counties fill a full map only from ~1,000 people
                                 compact_below=1200)),
}
FAMILIES: dict[str, str] = {name: about for name, (about, _) in _SHAPES.items()}


def _km(a: Data, b: Data) -> float:
    la, lb = a["location"], b["location"]
    dlat = (lb["lat"] - la["lat"]) * 111.2
    dlon = (lb["lon"] - la["lon"]) * 111.2 * math.cos(math.radians((la["lat"] + lb["lat"]) / 2))
    return math.hypot(dlat, dlon)


def _road(a: Data, b: Data) -> Data:
    km = _km(a, b) * ROAD_FACTOR
    return {"a": a["id"], "b": b["id"], "km": round(km, 1),
            "minutes": max(5.0, round(km / ROAD_SPEED_KMH * 60, 1))}


def _map_size(prosecutors: int, knobs: Knobs) -> tuple[int, tuple[int, int]]:
    """The number of cities and the range of counties per city."""
    if prosecutors >= knobs.compact_below:
        return CITIES, COUNTIES_PER_CITY
    # Both fall with the people, so offices get fuller as the province gets smaller.
    f = prosecutors / knobs.compact_below
    low, high = COUNTIES_PER_CITY
    return max(2, round(CITIES * f)), (max(2, round(low * f)), max(2, round(high * f)))


def _geography(rng: random.Random, cities_n: int, counties_per_city: tuple[int, int]
               ) -> tuple[list[Data], list[Data], list[Data], list[Data]]:
    """Units on a 700 x 500 km region, roads, pairs of neighbouring counties, county groups."""
    units: list[Data] = [{"id": "prov", "name": "Provincial Procuratorate", "tier": "provincial",
                          "parent": None, "location": {"lat": 36.6, "lon": 117.0},
                          "min_staff_at_home": 1}]
    roads: list[Data] = []
    pairs: list[Data] = []
    groups: list[Data] = []
    cities: list[Data] = []
    for c in range(cities_n):
        city: Data = {"id": f"c{c:02d}", "name": f"City {c + 1}", "tier": "municipal", "parent": "prov",
                "location": {"lat": round(34.5 + 3.8 * (c // 4) / 3 + rng.uniform(-0.3, 0.3), 3),
                             "lon": round(115.2 + 6.5 * (c % 4) / 3 + rng.uniform(-0.3, 0.3), 3)},
                "min_staff_at_home": 1}
        cities.append(city)
        units.append(city)
        counties: list[Data] = []
        for k in range(rng.randint(*counties_per_city)):
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


def _people(rng: random.Random, units: list[Data], total: int, k: Knobs) -> list[Data]:
    """`total` people spread over units: cities and the province heavier than counties."""
    weight = dict(zip(("provincial", "municipal", "grassroots"), k.tier_weight, strict=True))
    shares = [weight[u["tier"]] * rng.uniform(0.6, 1.4) for u in units]
    if k.big_cities:
        # The cities that drew the largest shares grow, so no extra draw is needed.
        cities = sorted((i for i, u in enumerate(units) if u["tier"] == "municipal"),
                        key=lambda i: -shares[i])
        for i in cities[:k.big_cities]:
            shares[i] *= k.big_city_factor
    scale = total / sum(shares)
    counts = [max(k.min_office, round(s * scale)) for s in shares]
    while sum(counts) > total:
        counts[counts.index(max(counts))] -= 1
    while sum(counts) < total:
        counts[rng.randrange(len(counts))] += 1
    minority = {u["id"]: rng.choice(MINORITY_LANGUAGES) for u in units
                if rng.random() < k.minority_units}
    people = []
    for u, n in zip(units, counts, strict=True):
        roles = ["chief"] + ["deputy_chief"] * max(1, n // 12)
        rest = n - len(roles)
        roles += (["prosecutor"] * round(rest * 0.6) + ["assistant"] * round(rest * 0.25))
        roles += ["clerk"] * (n - len(roles))
        for i, role in enumerate(roles[:n]):
            people.append(_person(rng, f"{u['id']}-p{i:03d}", u, role, minority.get(u["id"]), k))
    return people


def _person(rng: random.Random, pid: str, unit: Data, role: str, minority: str | None,
            k: Knobs) -> Data:
    senior = role in ("chief", "deputy_chief")
    years = rng.randint(12, 32) if senior else min(35, int(rng.expovariate(1 / 8)) + 1)
    skills: dict[str, int] = {}
    if role in ("chief", "deputy_chief", "prosecutor"):
        main = rng.choices(FUNCTIONS, FUNCTION_SHARE)[0]
        skills[main] = 3 if senior or years >= 10 else 2 if years >= 4 else 1
        if rng.random() < 0.4:
            skills[rng.choice([f for f in FUNCTIONS if f != main])] = rng.choice([1, 1, 2])
        if rng.random() < k.specialists:
            skills[rng.choice(SPECIALTIES[main])] = rng.choice([1, 2, 2, 3])
    elif role == "assistant" and rng.random() < 0.2:
        skills[rng.choice(["forensics", "environment"])] = rng.choice([1, 2, 3])
    languages = ["zh"]
    if minority is not None and rng.random() < k.speakers:
        languages.append(minority)
    person: Data = {"id": pid, "name": f"Staff {pid}", "home": unit["id"], "role": role,
                    "skills": skills, "languages": languages, "years": years,
                    "load": round(min(k.load_max, max(0.0, rng.gauss(k.load_mean, 0.15))), 1)}
    if rng.random() < k.unavailable:
        start = HORIZON_START + timedelta(days=rng.randrange(HORIZON_DAYS - k.unavailable_days[1]))
        end = start + timedelta(days=rng.randint(*k.unavailable_days))
        person["unavailable"] = [{"start": start.isoformat(), "end": end.isoformat()}]
    return person


def _team(rng: random.Random, kind: str, size: int, minority: str | None, tiers: bool,
          k: Knobs) -> Data:
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
    if rng.random() < k.specialty_need:
        team["skills"].append({"skill": special, "count": max(1, size // k.specialty_divisor),
                               "min_level": 2})
    if minority is not None and rng.random() < k.language_need:
        team["languages"] = [{"language": minority, "count": max(1, size // k.language_divisor)}]
    if tiers:
        team["tiers"] = {"provincial": 1, "municipal": 1, "grassroots": 1}
    if size >= 8 and rng.random() < 0.5:
        team["max_units"] = max(2, size // 3)
    if rng.random() < k.travel_cap:
        team["max_travel_minutes"] = rng.choice(k.travel_caps)
    if rng.random() < 0.2:
        team["remote_roles"] = ["clerk"]
    return team


def _cases(rng: random.Random, units: list[Data], people: list[Data], total: int,
           pools: list[Data], k: Knobs) -> list[Data]:
    speakers: dict[str, str] = {}
    for p in people:
        for lang in p["languages"]:
            if lang != "zh":
                speakers[p["home"]] = lang
    counties = [u for u in units if u["tier"] == "grassroots"]
    cities = [u for u in units if u["tier"] == "municipal"]
    giants: set[int] = set()
    if k.giant_share:
        giants = set(rng.sample(range(total), max(1, round(total * k.giant_share))))
    cases = []
    for i in range(total):
        big = rng.random() < k.big_share
        size = rng.randint(12, 30) if big else rng.choice([3, 3, 4, 4, 5, 6, 8])
        kind = rng.choices(FUNCTIONS, [0.55, 0.15, 0.1, 0.2])[0]
        if i in giants:
            # A gang case the city staffs from many of its offices (Hulunbuir: 45 from 10).
            big, size, kind = True, rng.randint(*k.giant_size), "criminal"
        venue = rng.choice(counties)
        lead = venue["parent"] if big or rng.random() < k.municipal_lead else venue["id"]
        if rng.random() < k.provincial_lead:
            lead = "prov"
        three_level = big and rng.random() < k.three_level
        start = HORIZON_START + timedelta(days=rng.randrange(HORIZON_DAYS - 10))
        length = rng.randint(10, 60) if big else rng.randint(5, 30)
        end = min(start + timedelta(days=length - 1), HORIZON_START + timedelta(days=HORIZON_DAYS - 1))
        case: Data = {
            "id": f"case{i:04d}", "title": f"{kind.replace('_', ' ')} case {i + 1}", "kind": kind,
            "venue": venue["id"], "lead_unit": lead, "start": start.isoformat(),
            "end": end.isoformat(), "priority": rng.choice([1, 1, 2, 2, 3, 5]) + (3 if big else 0),
            "mandatory": rng.random() < 0.02,
            "team": _team(rng, kind, size, speakers.get(venue["id"]), three_level, k),
        }
        if three_level:
            case["scope"] = "provincial"
        elif rng.random() < k.wide_scope:
            case["scope"] = rng.choice(k.wide_scopes)
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


def province(prosecutors: int, cases: int, seed: int, *, family: str = "standard") -> Data:
    """A spec-valid scenario of a province with about `prosecutors` people and `cases` cases,
    shaped by `family` (one of `FAMILIES`; ValueError names them all for any other)."""
    if family not in _SHAPES:
        raise ValueError(f"unknown family {family!r}; families: {', '.join(FAMILIES)}")
    k = _SHAPES[family][1]
    rng = random.Random(seed)
    units, roads, pairs, groups = _geography(rng, *_map_size(prosecutors, k))
    people = _people(rng, units, prosecutors, k)
    # Each office keeps a share of its prosecutor-rank staff at home (a third in standard).
    rank = {u["id"]: 0 for u in units}
    for p in people:
        if p["role"] in ("chief", "deputy_chief", "prosecutor"):
            rank[p["home"]] += 1
    for u in units:
        u["min_staff_at_home"] = max(k.home_floor, round(rank[u["id"]] * k.home_share))
    public_interest = [p["id"] for p in people if p["skills"].get("public_interest", 0) >= 2]
    pools = [{"id": "talent-pool", "name": "Provincial public-interest talent pool",
              "members": sorted(rng.sample(public_interest, min(k.talent_pool, len(public_interest))))}]
    label = "" if family == "standard" else f"{family}-"
    return {"name": f"province-{label}{prosecutors}x{cases}-s{seed}", "units": units,
            "pairs": pairs, "groups": groups, "pools": pools, "roads": roads if k.roads else [],
            "prosecutors": people, "cases": _cases(rng, units, people, cases, pools, k)}
