"""Committed rosters: booking a commit without double booking, and what later solves see.

A commit takes its province's lock row first, so commits in one province take turns
while they read the commitments already made and check rules 5 and 6 against them
(SQLite: the lock is the transaction's first statement, a write, so the transaction
holds the database's write lock before it reads anything; PostgreSQL: a row lock,
held to the end of the transaction, and READ COMMITTED reads after it see every commit
that went before). Two commits racing for the same people therefore cannot both pass.
"""

from collections import defaultdict
from datetime import UTC, date, datetime
from uuid import uuid4

from sqlalchemy import select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from api import audit
from api.tables import CommitmentRow, CommitRow, ProvinceLockRow, aware
from checker import Conflict, booking_conflicts
from models import Assignment, Commitment, Problem, Scenario, Slot, TeamMember
from models.ids import CaseId, ProsecutorId
from models.reason import Reason, listing, why
from models.reason import date as day
from models.validation import problem

MAX_DAYS_LISTED = 10


def lock_province(session: Session, province: str) -> None:
    """Take the province's lock row until the transaction ends (creating it the first time)."""
    dialect = session.get_bind().dialect.name
    insert = pg_insert if dialect == "postgresql" else sqlite_insert
    session.execute(insert(ProvinceLockRow).values(province=province, commits=0)
                    .on_conflict_do_nothing(index_elements=["province"]))
    session.execute(update(ProvinceLockRow).where(ProvinceLockRow.province == province)
                    .values(commits=ProvinceLockRow.commits + 1))


def active(session: Session, province: str) -> list[CommitmentRow]:
    """The commitments of a province that have not been released."""
    return list(session.scalars(select(CommitmentRow).where(
        CommitmentRow.province == province, CommitmentRow.released_at.is_(None))
        .order_by(CommitmentRow.start, CommitmentRow.id)))


def as_load(scenario: Scenario, rows: list[CommitmentRow]) -> Scenario:
    """The scenario with every commitment on its people as dated load (and absence)."""
    by_person: dict[ProsecutorId, list[Commitment]] = defaultdict(list)
    for r in rows:
        by_person[r.prosecutor_id].append(Commitment(
            start=r.start, end=r.end, load=r.load, away=r.away,
            ref=f"case {r.case_id} (commit {r.commit_id})"))
    return scenario.with_commitments(by_person)


def for_solving(scenario: Scenario, rows: list[CommitmentRow]) -> Scenario:
    """The scenario a solve must see: commitments for its own cases (same case id) are pinned
    assignments, so a committed team stays; the others are load on their people."""
    cases, people = scenario.case_by_id, scenario.prosecutor_by_id
    own = [r for r in rows if r.case_id in cases and r.prosecutor_id in people]
    pinned = [Assignment(case=r.case_id, prosecutor=r.prosecutor_id, slot=Slot(r.slot),
                         on_site=r.on_site, pinned=True) for r in own]
    held = {(a.case, a.prosecutor) for a in pinned}
    previous = [a for a in scenario.previous if (a.case, a.prosecutor) not in held] + pinned
    others = [r for r in rows if r.case_id not in cases]
    return as_load(scenario.replace(previous=previous) if pinned else scenario, others)


class CommitRefusedError(Exception):
    """The commit would break rule 5 or 6, or its cases are committed already."""

    def __init__(self, detail: str, problems: list[Problem]) -> None:
        super().__init__(detail)
        self.detail, self.problems = detail, problems


def _days(days: list[date]) -> Reason:
    shown = [day(d.isoformat()) for d in days[:MAX_DAYS_LISTED]]
    more = len(days) - MAX_DAYS_LISTED
    return listing(shown + ([why("more_days", more=more)] if more > 0 else []), sep="comma")


def _moment(moment: datetime) -> str:
    """When a commit was made, to the minute, in UTC."""
    return aware(moment).astimezone(UTC).strftime("%Y-%m-%d %H:%M UTC")


def _made(session: Session, commit_id: str, show_who: bool) -> Reason:
    """Who made a commit and when (only when, to a key that must not learn who)."""
    commit = session.get(CommitRow, commit_id)
    assert commit is not None  # a foreign key
    if show_who:
        return why("committed_by", actor=commit.actor, at=_moment(commit.created_at))
    return why("committed_at", at=_moment(commit.created_at))


def _taken(session: Session, case: CaseId, rows: list[CommitmentRow], roster_id: str,
           show_who: bool) -> Problem:
    """A case committed already: from this very roster or another, by whom and when."""
    commit_id = next(r.commit_id for r in rows if r.case_id == case)
    commit = session.get(CommitRow, commit_id)
    assert commit is not None
    code = ("invalid.committed_already_this" if commit.roster_id == roster_id
            else "invalid.committed_already_by")
    return problem("cases", code, case, made=_made(session, commit_id, show_who))


def _problem(session: Session, scenario: Scenario, conflict: Conflict, rows: list[CommitmentRow],
             show_who: bool) -> Problem:
    """A clash with commitments in force, naming the commits that hold the person or the
    office's people on those days, who made them and when."""
    first, last = min(conflict.days), max(conflict.days)
    if conflict.rule.startswith("5"):
        name = scenario.prosecutor_by_id[conflict.id].name
        holding = [r for r in rows if r.prosecutor_id == conflict.id]
        path, code = "prosecutors", "invalid.over_capacity_by"
    else:
        name = scenario.unit_by_id[conflict.id].name
        holding = [r for r in rows if r.unit_id == conflict.id and r.away]
        path, code = "units", "invalid.too_few_home_by"
    holding = [r for r in holding if r.start <= last and first <= r.end]
    commits = sorted({(r.case_id, r.commit_id) for r in holding})
    if not commits:
        return problem(path, code.removesuffix("_by"), conflict.id, name=name,
                       days=_days(conflict.days))
    held = listing([why("committed_case", case=c, made=_made(session, k, show_who))
                    for c, k in commits[:MAX_DAYS_LISTED]], sep="semicolon")
    return problem(path, code, conflict.id, name=name, days=_days(conflict.days), held=held)


def book(session: Session, *, scenario: Scenario, scenario_id: str, scenario_version: int,
         roster_id: str, teams: dict[CaseId, list[TeamMember]], actor: str, reason: str | None,
         idempotency_key: str | None, request_hash: str, show_who: bool = True) -> CommitRow:
    """Book `teams` as commitments in the session's transaction (the caller commits), or
    raise CommitRefusedError. It takes the province lock before it reads: nothing this
    transaction read earlier may be relied on, so call it before reading anything in it.
    A commit already made with `idempotency_key` is returned as it is, booking nothing:
    a retry must learn that its first attempt succeeded, not that its cases are taken.
    A refusal says when the clashing commits were made and, if `show_who`, by whom."""
    province = scenario.province
    lock_province(session, province)
    if idempotency_key is not None:
        # Under the lock, so a retry racing its own first attempt sees it once it is in.
        earlier = session.scalar(select(CommitRow).where(CommitRow.idempotency_key == idempotency_key))
        if earlier is not None:
            return earlier
    rows = active(session, province)
    taken = sorted({r.case_id for r in rows} & set(teams))
    if taken:
        problems = [_taken(session, c, rows, roster_id, show_who) for c in taken]
        mine = all(p.code == "invalid.committed_already_this" for p in problems)
        raise CommitRefusedError("problem.committed_this" if mine else "problem.committed_already",
                                 problems)
    conflicts = booking_conflicts(as_load(scenario, rows), teams)
    if conflicts:
        raise CommitRefusedError("problem.commit_conflict",
                                 [_problem(session, scenario, c, rows, show_who) for c in conflicts])
    commit = CommitRow(id=uuid4().hex, province=province, roster_id=roster_id,
                       scenario_id=scenario_id, scenario_version=scenario_version,
                       cases=sorted(teams), actor=actor, reason=reason,
                       idempotency_key=idempotency_key, request_hash=request_hash)
    session.add(commit)
    session.flush()
    for cid, team in sorted(teams.items()):
        case = scenario.case_by_id[cid]
        for m in team:
            home = scenario.prosecutor_by_id[m.prosecutor].home
            session.add(CommitmentRow(
                id=uuid4().hex, commit_id=commit.id, province=province, case_id=cid,
                lead_unit=case.lead,
                prosecutor_id=m.prosecutor, unit_id=home, venue=case.venue, slot=m.slot.value,
                on_site=m.on_site, away=m.on_site and case.venue != home, start=case.start,
                end=case.end, load=case.team.load))
            audit.record(session, "assignment.committed", province=province,
                         actor=actor, scenario_id=scenario_id,
                         scenario_version=scenario_version, case_id=cid,
                         prosecutor_id=m.prosecutor, unit_id=home, reason=reason,
                         details={"commit": commit.id, "roster": roster_id,
                                  "slot": m.slot.value, "start": case.start.isoformat(),
                                  "end": case.end.isoformat()})
    return commit

