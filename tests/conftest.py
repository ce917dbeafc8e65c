"""Where service tests keep their data: an SQLite file, or a fresh PostgreSQL database per
test when TASKFORCE_TEST_POSTGRES names a server (e.g. postgresql+psycopg://u@host:5432/postgres)."""

import os
from collections.abc import Iterator
from pathlib import Path
from uuid import uuid4

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import create_engine, text

from api.app import create_app
from api.settings import Settings


@pytest.fixture
def database_url(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """An empty database; on PostgreSQL, with the audit secret and witness file that such
    a database needs in the environment (an SQLite file makes its own beside it), and two
    queue workers inside each server, since there the server solves nothing itself."""
    server = os.environ.get("TASKFORCE_TEST_POSTGRES")
    if not server:
        yield f"sqlite:///{tmp_path / 'test.db'}"
        return
    monkeypatch.setenv("AUDIT_SECRET", uuid4().hex)
    monkeypatch.setenv("AUDIT_ANCHOR_FILE", str(tmp_path / "audit-witness"))
    monkeypatch.setenv("SERVER_WORKERS", "2")
    name = f"taskforce_test_{uuid4().hex[:12]}"
    admin = create_engine(server, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield server.rsplit("/", 1)[0] + f"/{name}"
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@pytest.fixture(autouse=True)
def english_locale(monkeypatch: pytest.MonkeyPatch) -> None:
    """Tests read English unless they ask for Chinese: the CLI's default language follows the
    locale, which differs from machine to machine."""
    for var in ("LANGUAGE", "LC_ALL", "LC_MESSAGES"):
        monkeypatch.delenv(var, raising=False)
    monkeypatch.setenv("LANG", "C.UTF-8")


@pytest.fixture
def client(database_url: str) -> Iterator[TestClient]:
    """A running service with keys off and default settings; a test module whose tests
    need other settings defines its own `client`, which pytest uses instead."""
    with TestClient(create_app(Settings(database_url=database_url, require_keys=False))) as c:
        yield c
