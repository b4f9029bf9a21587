"""Storage fixtures: an isolated per-user folder, and a database per test on SQLite and
PostgreSQL (``OMSDESKTOP_TEST_PG_URL``, started by scripts/ci_postgres.sh)."""

from __future__ import annotations

import os
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from sqlalchemy import create_engine
from sqlalchemy.engine import make_url

from omsdesktop.storage.config import sqlite_url
from omsdesktop.storage.crypto import StaticKeyProvider, new_key
from omsdesktop.storage.store import Store
from tests.home import isolate_home

PG_ENV = "OMSDESKTOP_TEST_PG_URL"


@pytest.fixture(autouse=True)
def isolated_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    return isolate_home(tmp_path, monkeypatch)


def pg_base_url() -> str:
    """The PostgreSQL server URL, or fail (CI) / skip (a developer's machine)."""
    url = os.environ.get(PG_ENV, "").strip()
    if url:
        return url
    if os.environ.get("CI", "").strip().lower() in {"1", "true", "yes"}:
        pytest.fail(
            f"{PG_ENV} is not set: CI must run the storage tests against a real PostgreSQL "
            "(source scripts/ci_postgres.sh before pytest)"
        )
    pytest.skip(f"no PostgreSQL: set {PG_ENV} (source scripts/ci_postgres.sh) to run this")


@pytest.fixture
def sqlite_db_url(tmp_path: Path) -> str:
    return sqlite_url(tmp_path / "drafts.sqlite3")


@pytest.fixture
def pg_db_url() -> Iterator[str]:
    """A new database on the PostgreSQL server, dropped afterwards."""
    base = pg_base_url()
    name = f"omsdesktop_t_{uuid.uuid4().hex[:16]}"
    admin = create_engine(base, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            conn.exec_driver_sql(f'CREATE DATABASE "{name}"')
        yield make_url(base).set(database=name).render_as_string(hide_password=False)
        with admin.connect() as conn:
            conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    finally:
        admin.dispose()


@pytest.fixture(params=["sqlite", "postgresql"])
def db_url(request: pytest.FixtureRequest) -> str:
    """A fresh, empty database: a SQLite file, or a new database on the PostgreSQL server."""
    name = "sqlite_db_url" if request.param == "sqlite" else "pg_db_url"
    return str(request.getfixturevalue(name))


@pytest.fixture
def data_key() -> bytes:
    return new_key()


def _store_opener(url: str, data_key: bytes) -> Iterator[Callable[..., Store]]:
    opened: list[Store] = []

    def _open(operator: str = "desk-1", key: bytes | None = None) -> Store:
        store = Store.open(url, operator=operator, keys=StaticKeyProvider(key if key else data_key))
        opened.append(store)
        return store

    yield _open
    for store in opened:
        store.close()


@pytest.fixture
def open_store(db_url: str, data_key: bytes) -> Iterator[Callable[..., Store]]:
    """Open stores on the test database (closed at the end). Same key unless one is given."""
    yield from _store_opener(db_url, data_key)


@pytest.fixture
def open_sqlite_store(sqlite_db_url: str, data_key: bytes) -> Iterator[Callable[..., Store]]:
    yield from _store_opener(sqlite_db_url, data_key)


@pytest.fixture
def open_pg_store(pg_db_url: str, data_key: bytes) -> Iterator[Callable[..., Store]]:
    yield from _store_opener(pg_db_url, data_key)


@pytest.fixture
def store(open_store: Callable[..., Store]) -> Store:
    return open_store()
