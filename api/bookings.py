"""Batch runs on a stored scenario: each solve sees the province's commitments, and each
staffed request is committed before the next is solved (`taskforce batch --scenario ID`).

The command line works on the service's database directly, as `taskforce keys` does, so
its commits take the same province lock and pass the same checks as the service's.
"""

import hashlib
from uuid import uuid4

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from api.commitments import CommitRefusedError, active, book, for_solving
from api.keys import CLI_ACTOR
from api.tables import CommitRow, RosterRow, ScenarioRow, ScenarioVersionRow
from checker import staffed_teams
from models import Case, Roster, Scenario
from models.reason import Reason, listing, why


class StoredScenarioError(LookupError):
    """No live stored scenario has the id given."""


class StoredBookings:
    """A stored scenario to solve requests against, and the commits they make."""

    def __init__(self, sessions: sessionmaker[Session], scenario_id: str, reason: str) -> None:
        self._sessions, self._reason = sessions, reason
        with sessions() as session:
            row = session.get(ScenarioRow, scenario_id)
            if row is None or row.deleted or row.base_id is not None:
                raise StoredScenarioError(f"no stored scenario '{scenario_id}'")
            body = session.get(ScenarioVersionRow, (row.id, row.version))
            assert body is not None  # every scenario has its current version
            self.scenario_id, self.version = row.id, row.version
            self.base = Scenario.model_validate(body.body)

    def current(self, cases: list[Case]) -> Scenario:
        """The scenario with `cases` as its cases, as a solve must see it now: with every
        commitment of the province, made by anyone, this run included."""
        with self._sessions() as session:
            rows = active(session, self.base.province)
        ids = {c.id for c in cases}
        return for_solving(self.base.replace(
            cases=cases, previous=[a for a in self.base.previous if a.case in ids]), rows)

    def commit(self, roster: Roster, cases: list[Case], key: str) -> Reason | None:
        """Commit the staffed teams of `cases` in `roster`; None when done (now or by an
        earlier, interrupted run with the same key), else why it was refused."""
        key = "batch-" + hashlib.sha256(key.encode()).hexdigest()[:40]
        ids = {c.id for c in cases}
        teams = {cid: team for cid, team in staffed_teams(roster).items() if cid in ids}
        with self._sessions() as session:
            if session.scalar(select(CommitRow.id).where(CommitRow.idempotency_key == key)):
                return None
            session.rollback()  # the province lock must be the transaction's first write
            scenario = self.base.replace(cases=cases, previous=[])
            row = RosterRow.of(roster, id=uuid4().hex, scenario_id=self.scenario_id,
                               scenario_version=self.version, params={"batch": True})
            session.add(row)
            try:
                book(session, scenario=scenario, scenario_id=self.scenario_id,
                     scenario_version=self.version, roster_id=row.id, teams=teams,
                     actor=CLI_ACTOR, reason=self._reason, idempotency_key=key,
                     request_hash=key)
            except CommitRefusedError as refused:
                session.rollback()
                return why("problem.refused", detail=why(refused.detail), problems=listing(
                    [why("problem.item", id=p.id or p.path, problem=p.reason) for p in refused.problems]))
            session.commit()
        return None
