"""Migration 0002 (EPGU orders) upgrades a database at the previous head and keeps its data."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from alembic import command
from sqlalchemy import create_engine, inspect

from omsdesktop.storage.config import sqlite_url
from omsdesktop.storage.crypto import StaticKeyProvider
from omsdesktop.storage.migrate import alembic_config, upgrade_to_head
from omsdesktop.storage.store import Store
from tests.portal.helpers import new_draft_id

PREVIOUS_HEAD = "0001_initial"


@pytest.fixture(params=["sqlite", "postgresql"])
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    if request.param == "sqlite":
        yield sqlite_url(tmp_path / "old.sqlite3")
        return
    from tests.storage.conftest import pg_base_url

    if not os.environ.get("OMSDESKTOP_TEST_PG_URL", "").strip():
        pytest.skip("no PostgreSQL: set OMSDESKTOP_TEST_PG_URL to run this")
    import uuid

    from sqlalchemy.engine import make_url

    base = pg_base_url()
    name = f"omsdesktop_t_{uuid.uuid4().hex[:16]}"
    admin = create_engine(base, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.exec_driver_sql(f'CREATE DATABASE "{name}"')
    try:
        yield make_url(base).set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as conn:
            conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.dispose()


def test_upgrade_from_the_previous_head_keeps_submissions_and_their_history(
    db_url: str, data_key: bytes
) -> None:
    engine = create_engine(db_url)
    try:
        upgrade_to_head(engine)
        config = alembic_config()
        with engine.begin() as conn:
            config.attributes["connection"] = conn
            command.downgrade(config, PREVIOUS_HEAD)
        with engine.connect() as conn:
            columns = {c["name"] for c in inspect(conn).get_columns("submissions")}
        assert "order_id" not in columns
    finally:
        engine.dispose()
    # Opening the store upgrades the old database to the head; queue a submission there.
    store = Store.open(db_url, operator="desk-1", keys=StaticKeyProvider(data_key))
    try:
        draft_id = new_draft_id(store)
        queued = store.enqueue_submission(draft_id, portal_url="http://127.0.0.1:1")
        assert queued.portal_api == "contract" and queued.order_id is None
        events = store.submission_history(queued.id)
    finally:
        store.close()
    # Down again with the data in place, and up: the rows and their history survive.
    engine = create_engine(db_url)
    try:
        with engine.begin() as conn:
            config.attributes["connection"] = conn
            command.downgrade(config, PREVIOUS_HEAD)
        upgrade_to_head(engine)
    finally:
        engine.dispose()
    store = Store.open(db_url, operator="desk-1", keys=StaticKeyProvider(data_key))
    try:
        again = store.get_submission(queued.id)
        assert again.portal_api == "contract" and again.pushes == 0 and again.order_id is None
        assert len(store.submission_history(queued.id)) == len(events)
        claimed = store.claim_order(queued.id, "1230000001")
        assert claimed is not None and claimed.order_id == "1230000001"
        other = store.enqueue_submission(new_draft_id(store, seed=2), portal_url="http://x")
        assert store.claim_order(other.id, "1230000001") is None  # one order, one draft
    finally:
        store.close()
