"""Tables. A scenario keeps every version it ever had, so a roster can name the exact one."""

from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Date,
    DateTime,
    Dialect,
    ForeignKey,
    Integer,
    String,
    TypeDecorator,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from models import Roster


def _now() -> datetime:
    return datetime.now(UTC)


def aware(moment: datetime) -> datetime:
    """A stored time with its zone: SQLite hands back naive datetimes, stored in UTC."""
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


class UtcDateTime(TypeDecorator[datetime]):
    """A moment stored in UTC and always read back with its zone: SQLite keeps no zone, so
    without this its times would leave the API without one, against the declared format."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        return None if value is None else aware(value).astimezone(UTC)

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        return None if value is None else aware(value).astimezone(UTC)


class Base(DeclarativeBase):
    pass


class ScenarioRow(Base):
    __tablename__ = "scenario"

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    province: Mapped[str] = mapped_column(String(200), index=True)
    version: Mapped[int] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=_now)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=_now)
    # Deleting hides a scenario; its versions stay, for the rosters solved on them.
    deleted: Mapped[bool] = mapped_column(default=False)
    # A what-if variant: the scenario (and version) it changes. A variant is reached only
    # through its base (/scenarios/{base}/variants), never listed or opened as a scenario.
    base_id: Mapped[str | None] = mapped_column(ForeignKey("scenario.id"), nullable=True,
                                                index=True)
    base_version: Mapped[int | None] = mapped_column(Integer, nullable=True)


class ScenarioVersionRow(Base):
    __tablename__ = "scenario_version"

    scenario_id: Mapped[str] = mapped_column(ForeignKey("scenario.id"), primary_key=True)
    version: Mapped[int] = mapped_column(Integer, primary_key=True)
    body: Mapped[dict[str, Any]] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=_now)


class JobRow(Base):
    """A solve request. The database, not memory, holds its state: a restart loses none."""

    __tablename__ = "job"

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    scenario_id: Mapped[str] = mapped_column(ForeignKey("scenario.id"))
    scenario_version: Mapped[int] = mapped_column(Integer)
    params: Mapped[dict[str, Any]] = mapped_column(JSON)
    state: Mapped[str] = mapped_column(String(16), index=True)
    progress: Mapped[dict[str, Any] | None] = mapped_column(JSON, nullable=True)
    error: Mapped[str | None] = mapped_column(String(2000), nullable=True)
    idempotency_key: Mapped[str | None] = mapped_column(String(200), unique=True, nullable=True)
    request_hash: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=_now)
    started_at: Mapped[datetime | None] = mapped_column(UtcDateTime(), nullable=True)
    finished_at: Mapped[datetime | None] = mapped_column(UtcDateTime(), nullable=True)
    # Its task in the queue (PostgreSQL only), whose worker a cancel must reach.
    queue_id: Mapped[int | None] = mapped_column(BigInteger, nullable=True)


class RosterRow(Base):
    """A roster, with the exact scenario version and parameters it was solved on."""

    __tablename__ = "roster"

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    job_id: Mapped[str | None] = mapped_column(ForeignKey("job.id"), nullable=True, unique=True)
    scenario_id: Mapped[str] = mapped_column(ForeignKey("scenario.id"))
    scenario_version: Mapped[int] = mapped_column(Integer)
    params: Mapped[dict[str, Any]] = mapped_column(JSON)
    status: Mapped[str] = mapped_column(String(32))
    bound: Mapped[float | None] = mapped_column(nullable=True)
    gap: Mapped[float | None] = mapped_column(nullable=True)
    body: Mapped[dict[str, Any]] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=_now)

    @classmethod
    def of(cls, roster: Roster, *, id: str, scenario_id: str, scenario_version: int,
           params: dict[str, Any], job_id: str | None = None) -> "RosterRow":
        """A row holding `roster`, solved on that scenario version with those parameters."""
        return cls(id=id, job_id=job_id, scenario_id=scenario_id,
                   scenario_version=scenario_version, params=params,
                   status=roster.status.value, bound=roster.bound, gap=roster.gap,
                   body=roster.model_dump(mode="json"))


class AuditHeadRow(Base):
    """The newest entry of the audit chain: every append updates this one row first, which
    serialises appends (SQLite's write lock, PostgreSQL's row lock)."""

    __tablename__ = "audit_head"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    seq: Mapped[int] = mapped_column(Integer)
    hash: Mapped[str] = mapped_column(String(64))
    # Entries from this one on are linked by HMAC-SHA256 under the audit secret; those
    # before (written by versions before the secret) by plain SHA-256.
    keyed_from: Mapped[int | None] = mapped_column(Integer, nullable=True)


class AuditRow(Base):
    """One state change: who, when, what, on which scenario version, and why."""

    __tablename__ = "audit_entry"

    seq: Mapped[int] = mapped_column(Integer, primary_key=True)
    at: Mapped[datetime] = mapped_column(UtcDateTime())
    actor: Mapped[str] = mapped_column(String(200))
    action: Mapped[str] = mapped_column(String(64), index=True)
    province: Mapped[str | None] = mapped_column(String(200), nullable=True, index=True)
    scenario_id: Mapped[str | None] = mapped_column(String(32), nullable=True, index=True)
    scenario_version: Mapped[int | None] = mapped_column(Integer, nullable=True)
    case_id: Mapped[str | None] = mapped_column(String(200), nullable=True, index=True)
    prosecutor_id: Mapped[str | None] = mapped_column(String(200), nullable=True, index=True)
    unit_id: Mapped[str | None] = mapped_column(String(200), nullable=True, index=True)
    reason: Mapped[str | None] = mapped_column(String(2000), nullable=True)
    details: Mapped[dict[str, Any]] = mapped_column(JSON)
    prev_hash: Mapped[str] = mapped_column(String(64))
    hash: Mapped[str] = mapped_column(String(64))


class ProvinceLockRow(Base):
    """One row per province: a commit updates it first, so commits in a province take turns
    (SQLite's write lock, PostgreSQL's row lock) while they check and book."""

    __tablename__ = "province_lock"

    province: Mapped[str] = mapped_column(String(200), primary_key=True)
    commits: Mapped[int] = mapped_column(Integer)


class CommitRow(Base):
    """A roster, or some of its cases, made binding."""

    __tablename__ = "roster_commit"

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    province: Mapped[str] = mapped_column(String(200), index=True)
    roster_id: Mapped[str] = mapped_column(ForeignKey("roster.id"))
    scenario_id: Mapped[str] = mapped_column(ForeignKey("scenario.id"))
    scenario_version: Mapped[int] = mapped_column(Integer)
    cases: Mapped[list[str]] = mapped_column(JSON)
    actor: Mapped[str] = mapped_column(String(200))
    reason: Mapped[str | None] = mapped_column(String(2000), nullable=True)
    idempotency_key: Mapped[str | None] = mapped_column(String(200), unique=True, nullable=True)
    request_hash: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=_now)


class CommitmentRow(Base):
    """One committed assignment: load on its prosecutor on the case's days until released."""

    __tablename__ = "commitment"

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    commit_id: Mapped[str] = mapped_column(ForeignKey("roster_commit.id"), index=True)
    province: Mapped[str] = mapped_column(String(200), index=True)
    case_id: Mapped[str] = mapped_column(String(200), index=True)
    lead_unit: Mapped[str] = mapped_column(String(200), index=True)
    prosecutor_id: Mapped[str] = mapped_column(String(200), index=True)
    unit_id: Mapped[str] = mapped_column(String(200), index=True)
    venue: Mapped[str] = mapped_column(String(200))
    slot: Mapped[str] = mapped_column(String(16))
    on_site: Mapped[bool] = mapped_column()
    away: Mapped[bool] = mapped_column()
    start: Mapped[date] = mapped_column(Date)
    end: Mapped[date] = mapped_column(Date)
    load: Mapped[float] = mapped_column()
    released_at: Mapped[datetime | None] = mapped_column(UtcDateTime(), nullable=True)
    released_by: Mapped[str | None] = mapped_column(String(200), nullable=True)
    release_reason: Mapped[str | None] = mapped_column(String(2000), nullable=True)


class ApiKeyRow(Base):
    """An API key: only its hash is kept. Its jurisdiction is fixed when it is created, from
    the organisation of a scenario holding its unit."""

    __tablename__ = "api_key"

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    secret_hash: Mapped[str] = mapped_column(String(64))
    name: Mapped[str] = mapped_column(String(200))
    unit_id: Mapped[str] = mapped_column(String(200))
    role: Mapped[str] = mapped_column(String(16))
    province: Mapped[str] = mapped_column(String(200), index=True)
    whole_province: Mapped[bool] = mapped_column()
    units: Mapped[list[str]] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=_now)
    revoked_at: Mapped[datetime | None] = mapped_column(UtcDateTime(), nullable=True)


class SweepRow(Base):
    """A contingency sweep of a stored roster: every re-plan's damage, ranked."""

    __tablename__ = "sweep"

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    roster_id: Mapped[str] = mapped_column(ForeignKey("roster.id"), index=True)
    scenario_id: Mapped[str] = mapped_column(ForeignKey("scenario.id"))
    scenario_version: Mapped[int] = mapped_column(Integer)
    province: Mapped[str] = mapped_column(String(200), index=True)
    absent: Mapped[str] = mapped_column(String(16))
    params: Mapped[dict[str, Any]] = mapped_column(JSON)
    body: Mapped[dict[str, Any]] = mapped_column(JSON)
    actor: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=_now)


class SweepWorkRow(Base):
    """A sweep being run by queue workers: the scenario and roster each re-plan starts from,
    written once so that a worker reads them instead of every task carrying them."""

    __tablename__ = "sweep_work"

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    scenario: Mapped[dict[str, Any]] = mapped_column(JSON)
    roster: Mapped[dict[str, Any]] = mapped_column(JSON)
    params: Mapped[dict[str, Any]] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=_now)


class ReplanRow(Base):
    """One re-plan of a queued sweep. `attempts` counts the workers that began it (more than
    one when a worker died mid-task), `completions` those that finished it: never above 1."""

    __tablename__ = "replan"

    sweep_id: Mapped[str] = mapped_column(ForeignKey("sweep_work.id", ondelete="CASCADE"),
                                          primary_key=True)
    index: Mapped[int] = mapped_column(Integer, primary_key=True)
    queue_id: Mapped[int | None] = mapped_column(BigInteger, nullable=True)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    completions: Mapped[int] = mapped_column(Integer, default=0)
    worker: Mapped[str | None] = mapped_column(String(200), nullable=True)
    outcome: Mapped[dict[str, Any] | None] = mapped_column(JSON, nullable=True)
    started_at: Mapped[datetime | None] = mapped_column(UtcDateTime(), nullable=True)
    finished_at: Mapped[datetime | None] = mapped_column(UtcDateTime(), nullable=True)
