"""Home staffing's checks (rule 6 as the model and the relaxation state it), against their
definition worked out day by day on random small provinces."""

import random
from collections.abc import Sequence
from datetime import date, timedelta

from models import Interval, Scenario
from models.enums import is_prosecutor_rank
from models.ids import CaseId, ProsecutorId
from models.scenario import Commitment
from scheduler.instance.home import HomeCalendars, HomeCheck, _strongest, home_checks
from scheduler.model.core import make_context
from tests.tiny import case, person, scenario, unit

DAY0 = date(2022, 1, 1)


def _day(offset: int) -> str:
    return (DAY0 + timedelta(days=offset)).isoformat()


def _province(rng: random.Random) -> Scenario:
    """Three units, a dozen people (some on leave, some committed away), eight cases."""
    units = [unit(u, min_staff=rng.randint(0, 3)) for u in ("a", "b", "c")]
    people = []
    for i in range(12):
        extra: dict[str, object] = {}
        if rng.random() < 0.3:
            start = rng.randint(0, 20)
            extra["unavailable"] = [{"start": _day(start), "end": _day(start + rng.randint(0, 5))}]
        if rng.random() < 0.3:
            start = rng.randint(0, 20)
            extra["commitments"] = [{"start": _day(start), "end": _day(start + rng.randint(0, 5)),
                                     "load": 0.2, "away": rng.random() < 0.7}]
        people.append(person(f"p{i}", rng.choice("abc"), rng.choice(["prosecutor", "clerk"]),
                             **extra))
    cases = []
    for i in range(8):
        start = rng.randint(0, 20)
        cases.append(case(f"k{i}", rng.choice("abc"), _day(start), _day(start + rng.randint(0, 6))))
    return scenario(units, people, cases)


def _by_definition(s: Scenario, most: int | None) -> list[HomeCheck]:
    """Each unit's checks worked out person by person and day by day: on each day someone
    may leave or their availability changes, the people free to leave with the cases that
    would take them away, where more could go than the unit's slack allows."""
    ctx = make_context(s)
    on_site = {(o.person, o.case) for o in ctx.candidates.options if o.on_site}
    involved = {s.prosecutor_by_id[p].home for p in ctx.candidates.by_person}
    out: list[HomeCheck] = []
    for u in s.units:
        if u.id not in involved:
            continue
        staff = [p for p in s.prosecutors if p.home == u.id and is_prosecutor_rank(p.role)]
        away = {p.id: [s.case_by_id[c] for c in ctx.candidates.cases_of(p.id)
                       if s.case_by_id[c].venue != u.id and (p.id, c) in on_site]
                for p in staff}
        away = {p: cases for p, cases in away.items() if cases}
        if not away:
            continue
        first = min(c.start for cases in away.values() for c in cases)
        last = max(c.end for cases in away.values() for c in cases)
        days = {c.start for cases in away.values() for c in cases}
        for p in staff:
            for spell in [*p.unavailable, *(k for k in p.commitments if k.away)]:
                days |= {d for d in (spell.start, spell.end + timedelta(days=1)) if first <= d <= last}
        checks = []
        for day in sorted(days):
            def covered(spells: Sequence[Interval], day: date = day) -> bool:
                return any(x.start <= day <= x.end for x in spells)
            on_leave = {p.id for p in staff if covered(p.unavailable)}
            gone = {p.id for p in staff if p.id not in on_leave
                    and covered([k for k in p.commitments if k.away])}
            present = len(staff) - len(on_leave)
            slack = max(0, present - min(u.min_staff_at_home, present) - len(gone))
            busy: dict[ProsecutorId, frozenset[CaseId]] = {}
            for pid, cases in away.items():
                active = frozenset(c.id for c in cases if c.covers(day))
                if pid not in on_leave and pid not in gone and active:
                    busy[pid] = active
            if slack < len(busy) <= (len(busy) if most is None else most):
                checks.append((busy, slack))
        out += _strongest(checks)
    return out


def test_home_checks_equal_their_definition() -> None:
    """On 200 random small provinces, with leave, commitments away and at home, and a
    cap on how many may be away or none, the checks are exactly those of the definition."""
    rng = random.Random(3)
    checked = 0
    for _ in range(200):
        s = _province(rng)
        ctx = make_context(s)
        pairs = {(o.person, o.case) for o in ctx.candidates.options if o.on_site}

        def on_site(p: ProsecutorId, c: CaseId, pairs: set[tuple[str, str]] = pairs) -> bool:
            return (p, c) in pairs

        for most in (None, 2):
            got = home_checks(s, ctx.candidates, on_site, most=most)
            assert got == _by_definition(s, most)
            checked += len(got)
    assert checked > 100  # the provinces do bind


def test_kept_calendars_give_each_model_its_own_checks() -> None:
    """One `HomeCalendars` kept across the models of a solve (the whole province, a part of
    its cases, that part with some people committed away to kept teams, as a
    neighbourhood's model, and the province again): each model's checks are still exactly
    those of its definition, for its own people."""
    rng = random.Random(5)
    checked = 0
    for _ in range(100):
        s = _province(rng)
        kept = HomeCalendars()
        part = s.replace(cases=s.cases[:5])
        extra = {}
        for p in rng.sample(s.prosecutors, 4):
            start = rng.randint(0, 20)
            extra[p.id] = [Commitment(start=DAY0 + timedelta(days=start),
                                      end=DAY0 + timedelta(days=start + rng.randint(0, 5)),
                                      load=0.1, away=True)]
        for variant in (s, part, part.with_commitments(extra), s):
            ctx = make_context(variant)
            pairs = {(o.person, o.case) for o in ctx.candidates.options if o.on_site}

            def on_site(p: ProsecutorId, c: CaseId, pairs: set[tuple[str, str]] = pairs) -> bool:
                return (p, c) in pairs

            for most in (None, 2):
                got = home_checks(variant, ctx.candidates, on_site, most=most, calendars=kept)
                assert got == _by_definition(variant, most)
                checked += len(got)
    assert checked > 100  # the provinces do bind
