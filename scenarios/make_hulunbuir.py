"""Build scenarios/hulunbuir.json from ../shared/reference (seats, roads, pairs, groups).

Deterministic: the same reference files give the same scenario. Staff numbers follow the
seeds: 208 prosecutor-rank staff in the 14 grassroots offices, small offices with 2-5
prosecutors besides their leaders, four large offices; Mongolian speakers mostly in the
pastoral banners. Offices carry their Chinese names from the reference (`name_zh`); people
and cases carry Chinese names too. Run: python scenarios/make_hulunbuir.py --help
"""

import argparse
import csv
import json
import random
import re
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
# The characters of the romanised names above, so each person has a Chinese name too;
# Mongolian names take the characters used for them in Inner Mongolia.
HANZI = {
    "Wang": "王", "Li": "李", "Zhang": "张", "Liu": "刘", "Chen": "陈", "Yang": "杨", "Zhao": "赵",
    "Huang": "黄", "Zhou": "周", "Wu": "吴", "Xu": "徐", "Sun": "孙", "Ma": "马", "Zhu": "朱",
    "Hu": "胡", "Guo": "郭", "He": "何", "Gao": "高", "Lin": "林", "Luo": "罗", "Song": "宋",
    "Han": "韩", "Bai": "白", "Wei": "伟", "Fang": "芳", "Na": "娜", "Min": "敏", "Jing": "静",
    "Lei": "磊", "Jun": "军", "Jie": "杰", "Tao": "涛", "Ming": "明", "Chao": "超", "Xia": "霞",
    "Hui": "慧", "Ping": "平", "Gang": "刚", "Hong": "红", "Bo": "波", "Ying": "英", "Dan": "丹",
    "Peng": "鹏", "Qiang": "强",
}
HANZI_GIVEN = {"Yang": "洋", "Lin": "琳"}  # the same syllable, another character as a given name
MONGOLIAN_HANZI = {
    "Bayar": "巴雅尔", "Saruul": "萨茹拉", "Oyun": "敖云", "Batu": "巴图", "Altan": "阿拉坦",
    "Sarangerel": "萨仁格日勒", "Temur": "铁木尔", "Narantuya": "娜仁图雅", "Bold": "宝力德",
    "Enkhjin": "恩和金", "Gerel": "格日勒", "Sukh": "苏和", "Tuya": "图雅", "Chuluun": "朝鲁",
    "Khulan": "呼兰", "Naran": "那仁", "Odval": "敖德巴拉", "Bilegt": "毕力格", "Munkh": "孟和",
    "Tsetseg": "其其格", "Erdene": "额尔德尼", "Dalai": "达来", "Ganbaatar": "甘巴特尔",
    "Uyanga": "乌云嘎",
}
FUNCTIONS = ["criminal", "civil", "administrative", "public_interest"]
FUNCTION_SHARE = [0.55, 0.15, 0.12, 0.18]


def name_zh(name: str) -> str:
    """The Chinese name of a romanised one built above: 'Wang WeiMing' is 王伟明 and
    'Bayar Oyun' is 巴雅尔·敖云."""
    first, rest = name.split(" ", 1)
    if first in MONGOLIAN_HANZI:
        return f"{MONGOLIAN_HANZI[first]}·{MONGOLIAN_HANZI[rest]}"
    given = re.findall(r"[A-Z][a-z]*", rest)
    return HANZI[first] + "".join(HANZI_GIVEN.get(g, HANZI[g]) for g in given)


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
        "id": pid, "name": name, "name_zh": name_zh(name), "home": unit, "role": role, "skills": skills,
        "languages": languages, "years": years,
        "load": round(min(0.7, max(0.0, rng.gauss(load, 0.12))), 1),
    }


def _case(cid: str, title: str, kind: str, venue: str, start: str, end: str, **extra: Any
          ) -> dict[str, Any]:
    return {"id": cid, "title": title, "title_zh": TITLES_ZH[cid], "kind": kind, "venue": venue,
            "start": start, "end": end, **extra}


TITLES_ZH = {
    "gang-110": "110名被告人涉黑案（案卷1217册、光盘185张）",
    "enforce-oroqen": "违法执行监督案：在鄂伦春自治旗驻点27天",
    "xinkai-fishing": "新开河至呼伦湖非法捕捞公益诉讼案",
    "grassland-chen-barag": "非法开垦草原案（蒙古语庭审）",
    "livestock-nb-right": "盗窃牲畜团伙案（蒙古语审判）",
    "pasture-ewenki": "草场承包纠纷案（当事人使用蒙古语）",
    "forest-admin": "林地行政复议案（林区协作组）",
    "false-litigation": "虚假诉讼团伙案：省、市、基层院三级联合专案组",
    "border-smuggling": "满洲里口岸跨境走私案",
    "wetland-arun": "湿地污染公益诉讼案",
    "fraud-zalantun": "电信诈骗团伙案",
    "drugs-hailar": "海拉尔区、陈巴尔虎旗贩毒网络案",
    "spill-chen-barag": "紧急：草场石油泄漏案（牧民使用蒙古语）",
    "herders-nb-left": "牧民申诉案（蒙古语审查）",
}


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
        units.append({"id": row["id"], "name": row["name"], "name_zh": row["name_zh"],
                      "tier": row["tier"],
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


REFERENCE_FILES = ("hulunbuir_units.csv", "hulunbuir_roads.csv", "hulunbuir_pairs_groups.csv")


def _arguments(argv: list[str] | None) -> argparse.Namespace:
    here = Path(__file__).resolve().parent
    parser = argparse.ArgumentParser(
        prog="make_hulunbuir.py",
        description="Build the Hulunbuir scenario (offices with their Chinese names, roads, "
                    "pairs, working groups, 326 people, 14 cases) from the reference CSV "
                    "files. The same files always give the same scenario.",
        epilog="The reference folder holds " + ", ".join(REFERENCE_FILES) + ".")
    parser.add_argument("reference", nargs="?", type=Path,
                        default=here.parent.parent / "shared" / "reference",
                        help="folder of the reference CSV files (default: %(default)s)")
    parser.add_argument("out", nargs="?", type=Path, default=here / "hulunbuir.json",
                        help="scenario JSON to write (default: %(default)s)")
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    """Write the scenario; 0 when written, 2 when a reference file is missing or unreadable."""
    args = _arguments(argv)
    missing = [name for name in REFERENCE_FILES if not (args.reference / name).is_file()]
    if missing:
        print(f"error: {args.reference} lacks {', '.join(missing)}", file=sys.stderr)
        return 2
    try:
        data = build(args.reference)
    except (KeyError, ValueError) as e:
        print(f"error: a reference file in {args.reference} is not as expected: {e}", file=sys.stderr)
        return 2
    args.out.write_text(json.dumps(data, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    print(f"wrote {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
