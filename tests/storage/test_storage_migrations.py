"""The packaged Alembic migrations: create the schema the models describe, on both databases,
once, even when several desks start together; refuse a database from a newer version."""

from __future__ import annotations

import threading
from collections.abc import Callable

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import create_engine, inspect, text

from omsdesktop.storage.crypto import StaticKeyProvider
from omsdesktop.storage.errors import DatabaseTooNewError
from omsdesktop.storage.migrate import alembic_config, head_revisions, upgrade_to_head
from omsdesktop.storage.store import Store
from omsdesktop.storage.tables import Base
from tests.storage.sample import sample_fields

OpenStore = Callable[..., Store]


def test_migrated_schema_matches_the_models(open_store: OpenStore) -> None:
    store = open_store()
    with store.engine.connect() as conn:
        context = MigrationContext.configure(conn, opts={"compare_type": True})
        assert set(context.get_current_heads()) == head_revisions()
        assert compare_metadata(context, Base.metadata) == []
        names = set(inspect(conn).get_table_names())
    assert {"drafts", "draft_fields", "field_edits", "attachments", "submissions"} <= names
    assert {"submission_events", "audit_log", "storage_meta", "alembic_version"} <= names


def test_reopening_keeps_data_and_does_not_migrate_again(
    open_store: OpenStore, db_url: str
) -> None:
    first = open_store()
    draft = first.create_draft(fields=sample_fields())
    second = open_store()
    assert second.get_draft(draft.id).fields == draft.fields
    with second.engine.connect() as conn:
        versions = conn.execute(text("SELECT version_num FROM alembic_version")).scalars().all()
    assert set(versions) == head_revisions()


def test_downgrade_and_upgrade_again(db_url: str) -> None:
    engine = create_engine(db_url)
    try:
        upgrade_to_head(engine)
        config = alembic_config()
        with engine.begin() as conn:
            config.attributes["connection"] = conn
            command.downgrade(config, "base")
        with engine.connect() as conn:
            assert set(inspect(conn).get_table_names()) <= {"alembic_version"}
        upgrade_to_head(engine)
        with engine.connect() as conn:
            assert "drafts" in inspect(conn).get_table_names()
    finally:
        engine.dispose()


def test_database_from_a_newer_program_is_refused(
    open_store: OpenStore, db_url: str, data_key: bytes
) -> None:
    open_store().close()
    engine = create_engine(db_url)
    with engine.begin() as conn:
        conn.execute(text("UPDATE alembic_version SET version_num = '9999_from_the_future'"))
    engine.dispose()
    with pytest.raises(DatabaseTooNewError) as caught:
        Store.open(db_url, operator="x", keys=StaticKeyProvider(data_key))
    assert "Обновите программу" in caught.value.message()


def test_desks_starting_together_on_an_empty_database(db_url: str, data_key: bytes) -> None:
    barrier = threading.Barrier(4)
    errors: list[BaseException] = []
    stores: list[Store] = []
    lock = threading.Lock()

    def start() -> None:
        barrier.wait()
        try:
            store = Store.open(db_url, operator="x", keys=StaticKeyProvider(data_key))
        except BaseException as exc:
            with lock:
                errors.append(exc)
            return
        with lock:
            stores.append(store)

    threads = [threading.Thread(target=start) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    try:
        assert errors == []
        draft = stores[0].create_draft(fields=sample_fields())
        assert stores[-1].get_draft(draft.id).value("child.first_name") == "Аглая"
    finally:
        for store in stores:
            store.close()
