"""Build scenarios/hulunbuir.json from ../shared/reference (seats, roads, pairs, groups).

Deterministic: the same reference files give the same scenario. Staff numbers follow the
seeds: 208 prosecutor-rank staff in the 14 grassroots offices, small offices with 2-5
prosecutors besides their leaders, four large offices; Mongolian speakers mostly in the
pastoral banners. Run: python scenarios/make_hulunbuir.py [REFERENCE_DIR] [OUT]
"""

import csv
import json
import random
import sys
from pathlib import Path
from typing import Any

SEED = 2022
# (chiefs, deputy chiefs, prosecutors, assistants, clerks, min_staff_at_home, base load)
STAFF: dict[str, tuple[int, int, int, int, int, int, float]] = {
    "inner_mongolia": (1, 2, 4, 1, 0, 2, 0.5),
    "hulunbuir": (1, 3, 20, 12, 7, 10, 0.5),
    "hailar": (1, 3, 46, 10, 6, 20, 0.55),
    "manzhouli": (1, 2, 31, 6, 4, 14, 0.5),
    "zalantun": (1, 2, 29, 6, 3, 13, 0.5),
    "yakeshi": (1, 2, 26, 5, 3, 12, 0.5),
    "zhalainuoer": (1, 1, 3, 1, 1, 3, 0.4),
    "ergun": (1, 1, 5, 2, 1, 3, 0.4),
    "genhe": (1, 1, 4, 1, 1, 3, 0.4),
    "arun": (1, 2, 5, 2, 1, 3, 0.4),
    "morin_dawa": (1, 1, 5, 2, 1, 3, 0.4),
    "oroqen": (1, 2, 5, 2, 1, 3, 0.4),
    "ewenki": (1, 1, 4, 1, 1, 3, 0.4),
    "chen_barag": (1, 1, 4, 1, 1, 3, 0.4),
    "nb_left": (1, 1, 3, 1, 1, 3, 0.4),
    "nb_right": (1, 1, 3, 1, 1, 3, 0.4),
}
BORDER_TOWNS = {"manzhouli", "zhalainuoer", "ergun"}  # Russian-speaking staff on the border
SURNAMES = ["Wang", "Li", "Zhang", "Liu", "Chen", "Yang", "Zhao", "Huang", "Zhou", "Wu", "Xu",
            "Sun", "Ma", "Zhu", "Hu", "Guo", "He", "Gao", "Lin", "Luo", "Song", "Han", "Bai"]
GIVEN = ["Wei", "Fang", "Na", "Min", "Jing", "Lei", "Jun", "Yang", "Jie", "Tao", "Ming", "Chao",
         "Xia", "Hui", "Ping", "Gang", "Hong", "Bo", "Ying", "Lin", "Dan", "Peng", "Qiang"]
MONGOLIAN = ["Bayar", "Saruul", "Oyun", "Batu", "Altan", "Sarangerel", "Temur", "Narantuya",
             "Bold", "Enkhjin", "Gerel", "Sukh", "Tuya", "Chuluun", "Khulan", "Naran", "Odval",
             "Bilegt", "Munkh", "Tsetseg", "Erdene", "Dalai", "Ganbaatar", "Uyanga"]
FUNCTIONS = ["criminal", "civil", "administrative", "public_interest"]
FUNCTION_SHARE = [0.55, 0.15, 0.12, 0.18]


def _person(rng: random.Random, pid: str, unit: str, role: str, mn_share: float, load: float,
            used_names: set[str]) -> dict[str, Any]:
    speaks_mn = rng.random() < mn_share
    while True:
        name = (f"{rng.choice(MONGOLIAN)} {rng.choice(MONGOLIAN)}" if speaks_mn
                else f"{rng.choice(SURNAMES)} {rng.choice(GIVEN)}{rng.choice(['', *GIVEN])}")
        if name not in used_names:
            used_names.add(name)
            break
    senior = role in ("chief", "deputy_chief")
    years = rng.randint(12, 30) if senior else rng.choice([1, 2, 3, 4, 5, 6, 8, 10, 12, 15, 20])
    skills: dict[str, int] = {}
    if role in ("chief", "deputy_chief", "prosecutor"):
        main = rng.choices(FUNCTIONS, FUNCTION_SHARE)[0]
        skills[main] = 3 if senior or years >= 10 else 2 if years >= 4 else 1
        other = rng.choice([f for f in FUNCTIONS if f != main])
        skills[other] = rng.choice([1, 1, 2] + ([3] if senior else []))
        if main == "criminal" and rng.random() < (0.35 if unit in ("hulunbuir", "hailar") else 0.15):
            skills["organized_crime"] = rng.choice([1, 2, 3])
        if main == "civil" and rng.random() < 0.5:
            skills["enforcement"] = rng.choice([2, 3])
        if main == "civil" and rng.random() < 0.3:
            skills["false_litigation"] = rng.choice([2, 3])
        if main == "public_interest" and rng.random() < 0.6:
            skills["environment"] = rng.choice([1, 2, 3])
        if senior:
            skills.setdefault("criminal", 2)
    elif role == "assistant" and rng.random() < 0.3:
        skills["forensics"] = rng.choice([1, 2, 3])
    languages = ["zh"] + (["mn"] if speaks_mn else [])
    if unit in BORDER_TOWNS and rng.random() < 0.25:
        languages.append("ru")
    return {
        "id": pid, "name": name, "home": unit, "role": role, "skills": skills,
        "languages": languages, "years": years,
        "load": round(min(0.7, max(0.0, rng.gauss(load, 0.12))), 1),
    }


def _case(cid: str, title: str, kind: str, venue: str, start: str, end: str, **extra: Any
          ) -> dict[str, Any]:
    return {"id": cid, "title": title, "kind": kind, "venue": venue, "start": start, "end": end,
            **extra}


CASES = [
    _case("gang-110", "Gang case with 110 defendants (1,217 files, 185 discs)", "criminal",
          "hailar", "2022-03-01", "2022-04-30", lead_unit="hulunbuir", scope="municipal",
          priority=10, mandatory=True,
          team={"leader": {"min_role": "deputy_chief", "min_level": 3},
                "members": {"prosecutor": 44, "assistant": 4, "clerk": 3}, "load": 0.5,
                "max_units": 10,
                "skills": [{"skill": "organized_crime", "count": 6, "min_level": 2},
                           {"skill": "criminal", "count": 30, "min_level": 2}]}),
    _case("enforce-oroqen", "Illegal enforcement: 27 days on site in Oroqen Banner", "civil",
          "oroqen", "2022-05-09", "2022-06-04", lead_unit="hulunbuir", scope="municipal",
          priority=6,
          team={"leader": {"min_role": "deputy_chief", "min_level": 2},
                "members": {"prosecutor": 11}, "load": 0.5,
                "tiers": {"municipal": 2, "grassroots": 8},
                "skills": [{"skill": "enforcement", "count": 3, "min_level": 2},
                           {"skill": "civil", "count": 8, "min_level": 2}]}),
    _case("xinkai-fishing", "Illegal fishing from the Xinkai River to Hulun Lake",
          "public_interest", "zhalainuoer", "2022-06-10", "2022-07-10", lead_unit="manzhouli",
          scope="pair", priority=4,
          team={"leader": {"min_role": "prosecutor", "min_level": 2},
                "members": {"prosecutor": 3, "assistant": 1}, "load": 0.5, "min_units": 2,
                "remote_roles": ["assistant"],
                "skills": [{"skill": "environment", "count": 1, "min_level": 1}]}),
    _case("grassland-chen-barag", "Illegal grassland reclamation (Mongolian-language hearings)",
          "public_interest", "chen_barag", "2022-04-11", "2022-05-06", priority=3,
          team={"members": {"prosecutor": 2}, "load": 0.5, "max_travel_minutes": 120,
                "languages": [{"language": "mn", "count": 2}],
                "skills": [{"skill": "environment", "count": 1, "min_level": 2}]}),
    _case("livestock-nb-right", "Livestock theft ring (Mongolian-language trial)", "criminal",
          "nb_right", "2022-04-18", "2022-05-20", priority=3,
          team={"members": {"prosecutor": 2, "clerk": 1}, "load": 0.5,
                "languages": [{"language": "mn", "count": 3}]}),
    _case("pasture-ewenki", "Pasture contract dispute, Mongolian-speaking parties", "civil",
          "ewenki", "2022-04-20", "2022-05-15", scope="group", priority=2,
          team={"members": {"prosecutor": 2}, "load": 0.5, "max_travel_minutes": 60,
                "languages": [{"language": "mn", "count": 2}]}),
    _case("forest-admin", "Forest land administrative review, forest group", "administrative",
          "genhe", "2022-05-16", "2022-06-10", lead_unit="yakeshi", scope="group", priority=3,
          team={"members": {"prosecutor": 2}, "load": 0.5,
                "skills": [{"skill": "administrative", "count": 2, "min_level": 2}]}),
    _case("false-litigation", "False litigation ring: three-level joint team", "civil",
          "hailar", "2022-03-14", "2022-04-22", lead_unit="hulunbuir", scope="provincial",
          priority=5,
          team={"leader": {"min_role": "deputy_chief", "min_level": 2},
                "members": {"prosecutor": 4, "clerk": 1}, "load": 0.5,
                "tiers": {"provincial": 1, "municipal": 1, "grassroots": 2},
                "skills": [{"skill": "false_litigation", "count": 2, "min_level": 2}]}),
    _case("border-smuggling", "Cross-border smuggling at Manzhouli port", "criminal",
          "manzhouli", "2022-03-21", "2022-04-29", priority=3,
          team={"members": {"prosecutor": 3, "assistant": 1}, "load": 0.5,
                "languages": [{"language": "ru", "count": 1}]}),
    _case("wetland-arun", "Wetland pollution public-interest suit", "public_interest", "arun",
          "2022-04-25", "2022-05-27", priority=2,
          team={"members": {"prosecutor": 2, "assistant": 1}, "load": 0.5,
                "skills": [{"skill": "environment", "count": 1, "min_level": 2}]}),
    _case("fraud-zalantun", "Telecom fraud ring", "criminal", "zalantun", "2022-03-07",
          "2022-04-15", priority=2,
          team={"members": {"prosecutor": 3, "clerk": 1}, "load": 0.5}),
    _case("drugs-hailar", "Drug trafficking network, Hailar and Chen Barag", "criminal", "hailar",
          "2022-03-15", "2022-04-20", priority=2,
          team={"leader": {"min_role": "prosecutor", "min_level": 3},
                "members": {"prosecutor": 10, "clerk": 1}, "load": 0.5,
                "skills": [{"skill": "criminal", "count": 8, "min_level": 2}]}),
    _case("spill-chen-barag", "Emergency: oil spill on pasture, Mongolian-speaking herders",
          "public_interest", "chen_barag", "2022-04-25", "2022-05-05", priority=1,
          team={"members": {"prosecutor": 3}, "load": 0.5, "max_travel_minutes": 60,
                "languages": [{"language": "mn", "count": 3}],
                "skills": [{"skill": "environment", "count": 2, "min_level": 2}]}),
    _case("herders-nb-left", "Herders' appeals, Mongolian-language review", "administrative",
          "nb_left", "2022-04-25", "2022-05-13", scope="unit", priority=1,
          team={"leader": {"min_role": "prosecutor", "min_level": 2},
                "members": {"prosecutor": 2}, "load": 0.5,
                "languages": [{"language": "mn", "count": 3}]}),
]


def build(reference: Path) -> dict[str, Any]:
    """The Hulunbuir scenario as plain data."""
    rng = random.Random(SEED)
    with open(reference / "hulunbuir_units.csv", encoding="utf-8") as f:
        unit_rows = list(csv.DictReader(f))
    with open(reference / "hulunbuir_roads.csv", encoding="utf-8") as f:
        road_rows = list(csv.DictReader(f))
    with open(reference / "hulunbuir_pairs_groups.csv", encoding="utf-8") as f:
        link_rows = list(csv.DictReader(f))
    units: list[dict[str, Any]] = []
    people: list[dict[str, Any]] = []
    used_names: set[str] = set()
    for row in unit_rows:
        chiefs, deputies, prosecutors, assistants, clerks, at_home, load = STAFF[row["id"]]
        units.append({"id": row["id"], "name": row["name"], "tier": row["tier"],
                      "parent": row["parent"] or None,
                      "location": {"lat": float(row["lat"]), "lon": float(row["lon"])},
                      "min_staff_at_home": at_home})
        for role, count in (("chief", chiefs), ("deputy_chief", deputies),
                            ("prosecutor", prosecutors), ("assistant", assistants),
                            ("clerk", clerks)):
            for _ in range(count):
                pid = f"{row['id']}-{len([p for p in people if p['home'] == row['id']]) + 1:02d}"
                people.append(_person(rng, pid, row["id"], role, float(row["mongolian_share"]),
                                      load, used_names))
    roads = [{"a": r["a"], "b": r["b"], "minutes": float(r["minutes"]), "km": float(r["km"])}
             for r in road_rows]
    pairs = [{"units": r["members"].split(), "note": r["lead_or_note"]}
             for r in link_rows if r["kind"] == "pair"]
    groups = [{"id": r["id"], "lead": r["lead_or_note"],
               "members": [u for u in r["members"].split() if u != r["lead_or_note"]]}
              for r in link_rows if r["kind"] == "group"]
    return {"name": "hulunbuir-2022", "units": units, "pairs": pairs, "groups": groups,
            "pools": [], "roads": roads, "prosecutors": people, "cases": CASES}


def main() -> None:
    here = Path(__file__).resolve().parent
    reference = Path(sys.argv[1]) if len(sys.argv) > 1 else here.parent.parent / "shared" / "reference"
    out = Path(sys.argv[2]) if len(sys.argv) > 2 else here / "hulunbuir.json"
    out.write_text(json.dumps(build(reference), ensure_ascii=False, indent=1) + "\n",
                   encoding="utf-8")
    print(f"wrote {out}")


if __name__ == "__main__":
    main()
