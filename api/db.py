"""The database: engine, sessions, and schema migrations (Alembic) applied on start."""

from collections.abc import Iterator
from pathlib import Path

from alembic import command
from alembic.config import Config
from sqlalchemy import Engine, create_engine, event, text
from sqlalchemy.orm import Session, sessionmaker

from api.audit import seal_sessions
from api.seal import Seal

MIGRATIONS = Path(__file__).resolve().parent / "migrations"


# Connections beyond the requests admitted at once: the job workers' and a few spare.
SPARE_CONNECTIONS = 4
# Nobody should wait for a pooled connection (admission sees to it); if someone does, the
# wait ends well before a client's patience does, as a 503 (api.problems).
POOL_TIMEOUT_SECONDS = 10
# How long SQLite waits for another transaction's write lock before "database is locked".
SQLITE_BUSY_SECONDS = 15
# The PostgreSQL advisory lock that serialises migrations ("tfmigrat" in ASCII).
MIGRATE_LOCK = 0x74666D6967726174


def make_engine(url: str, connections: int = 5) -> Engine:
    """An engine for `url` whose pool holds `connections` plus a few spare; SQLite gets
    foreign keys and a busy timeout."""
    pool = {"pool_size": connections + SPARE_CONNECTIONS, "max_overflow": 0,
            "pool_timeout": POOL_TIMEOUT_SECONDS}
    if not url.startswith("sqlite"):
        return create_engine(url, pool_pre_ping=True, **pool)
    if ":memory:" in url or url.rstrip("/") == "sqlite:":
        pool = {}  # an in-memory database is one connection (SingletonThreadPool)
    engine = create_engine(url, connect_args={"check_same_thread": False,
                                              "timeout": SQLITE_BUSY_SECONDS}, **pool)

    @event.listens_for(engine, "connect")
    def _sqlite_pragmas(connection, _record):  # type: ignore[no-untyped-def]
        cursor = connection.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.close()

    return engine


def migrate(engine: Engine) -> None:
    """Bring the schema up to the newest migration."""
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    with engine.begin() as connection:
        if connection.dialect.name == "postgresql":
            # A server and its workers may start together: one migrates, the others wait
            # for it and then find nothing left to do (the lock ends with the transaction).
            connection.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": MIGRATE_LOCK})
        config.attributes["connection"] = connection
        command.upgrade(config, "head")


def sessions(engine: Engine, seal: Seal) -> sessionmaker[Session]:
    """Sessions on `engine` whose audit entries are sealed with `seal`."""
    factory = sessionmaker(engine, expire_on_commit=False)
    seal_sessions(factory, seal)
    return factory


def session_scope(factory: sessionmaker[Session]) -> Iterator[Session]:
    """One session per request; whatever the request did not commit is rolled back."""
    with factory() as session:
        yield session
