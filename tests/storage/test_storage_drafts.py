"""Drafts on SQLite and PostgreSQL: round trip, history, optimistic locking between desks,
the submission state machine, the audit log and deletion."""

from __future__ import annotations

import threading
from collections.abc import Callable
from pathlib import Path

import pytest
from sqlalchemy import func, select

from omsdesktop.storage.errors import (
    AlreadySubmittedError,
    ConflictError,
    DatabaseUnavailableError,
    DraftLockedError,
    DraftNotFoundError,
    UnknownFieldError,
)
from omsdesktop.storage.model import DraftField
from omsdesktop.storage.store import Store
from omsdesktop.storage.tables import (
    AttachmentRow,
    AuditRow,
    DraftFieldRow,
    FieldEditRow,
    SubmissionEventRow,
    SubmissionRow,
)
from tests.storage.sample import PERSONAL_FIELDS, sample_fields, typed

OpenStore = Callable[..., Store]


def test_create_and_read_back_every_field(store: Store) -> None:
    fields = sample_fields()
    draft = store.create_draft(request_type="change_insurer", fields=fields)

    again = store.get_draft(draft.id)
    assert again.version == 1
    assert again.state == "editing"
    assert again.request_type == "change_insurer"
    assert dict(again.fields) == fields
    assert again.created_by == "desk-1"
    summary = {s.id: s for s in store.list_drafts()}[draft.id]
    assert summary.child_name == "Белоусова Аглая Святославовна"
    # Creation is recorded in the history with where each value came from.
    history = store.field_history(draft.id)
    assert {(h.name, h.old_value, h.new_value, h.source) for h in history} == {
        (name, None, f.value, f.source) for name, f in fields.items()
    }


def test_save_draft_records_history_and_bumps_version(store: Store) -> None:
    draft = store.create_draft(fields={"child.first_name": DraftField("Аглая", "ocr", 0.6)})
    edited = draft.with_field("child.first_name", "Агния").with_field(
        "child.snils", "112-233-445 95"
    )
    saved = store.save_draft(edited.with_request_type("update_policy"))

    assert saved.version == 2
    assert saved.request_type == "update_policy"
    assert saved.fields["child.first_name"] == DraftField("Агния", "typed", 1.0)
    history = store.field_history(draft.id, "child.first_name")
    assert [(h.old_value, h.new_value, h.source) for h in history] == [
        (None, "Аглая", "ocr"),
        ("Аглая", "Агния", "typed"),
    ]
    # Saving the same content again changes nothing but the version.
    resaved = store.save_draft(saved)
    assert resaved.version == 3
    assert len(store.field_history(draft.id, "child.first_name")) == 2


def test_second_desk_gets_conflict_and_keeps_its_edits(open_store: OpenStore) -> None:
    desk_a = open_store(operator="Окно 1")
    desk_b = open_store(operator="Окно 2")  # a separate engine: another desk
    draft = desk_a.create_draft(fields=sample_fields())
    seen_by_b = desk_b.get_draft(draft.id)

    desk_a.save_draft(draft.with_field("child.first_name", "Агния"))
    mine = seen_by_b.with_field("child.first_name", "Ангелина").with_field("cert.number", "654321")
    with pytest.raises(ConflictError) as caught:
        desk_b.save_draft(mine)

    error = caught.value
    assert error.code == "conflict"
    assert error.current_version == 2
    assert error.unsaved is mine  # the edits are handed back, not dropped
    assert "Окно 1" in error.message()
    assert "не потеряны" in error.message()
    stored = desk_a.get_draft(draft.id)
    assert stored.value("child.first_name") == "Агния"  # nothing overwritten
    assert stored.value("cert.number") == draft.value("cert.number")
    # After reloading, desk B can apply its edits on top of the new version.
    fresh = desk_b.get_draft(draft.id)
    merged = fresh.with_field("cert.number", "654321")
    assert desk_b.save_draft(merged).value("cert.number") == "654321"


def test_autosave_field_conflict(open_store: OpenStore) -> None:
    desk_a = open_store(operator="A")
    desk_b = open_store(operator="B")
    draft = desk_a.create_draft()
    assert desk_a.save_field(draft.id, "child.last_name", "Иванова", expected_version=1) == 2
    with pytest.raises(ConflictError) as caught:
        desk_b.save_field(draft.id, "child.last_name", "Петрова", expected_version=1)
    assert caught.value.unsaved == {"child.last_name": DraftField("Петрова")}
    assert desk_b.get_draft(draft.id).value("child.last_name") == "Иванова"


def test_simultaneous_saves_exactly_one_wins(open_store: OpenStore) -> None:
    desks = [open_store(operator=f"desk-{i}") for i in range(4)]
    draft = desks[0].create_draft()
    for round_number in range(5):
        version = desks[0].get_draft(draft.id).version
        barrier = threading.Barrier(len(desks))
        results: list[str] = []
        lock = threading.Lock()

        def save(
            desk: Store,
            value: str,
            version: int = version,
            barrier: threading.Barrier = barrier,
            results: list[str] = results,
            lock: threading.Lock = lock,
        ) -> None:
            barrier.wait()
            try:
                desk.save_field(draft.id, "child.first_name", value, expected_version=version)
                outcome = "ok:" + value
            except ConflictError:
                outcome = "conflict"
            with lock:
                results.append(outcome)

        threads = [
            threading.Thread(target=save, args=(desk, f"v{round_number}-{i}"))
            for i, desk in enumerate(desks)
        ]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        winners = [r for r in results if r.startswith("ok:")]
        assert len(winners) == 1, results
        assert results.count("conflict") == len(desks) - 1
        stored = desks[0].get_draft(draft.id)
        assert stored.version == version + 1
        assert "ok:" + str(stored.value("child.first_name")) == winners[0]


def test_unknown_field_is_refused(store: Store) -> None:
    with pytest.raises(UnknownFieldError):
        store.create_draft(fields={"child.favourite_toy": typed("мишка")})
    draft = store.create_draft()
    with pytest.raises(UnknownFieldError):
        store.save_field(draft.id, "policy.colour", "синий", expected_version=1)


def test_missing_draft(store: Store) -> None:
    with pytest.raises(DraftNotFoundError) as caught:
        store.get_draft("no-such-draft")
    assert "omsdesktop draft list" in caught.value.message()
    with pytest.raises(DraftNotFoundError):
        store.save_field("no-such-draft", "child.snils", "1", expected_version=1)
    with pytest.raises(DraftNotFoundError):
        store.delete_draft("no-such-draft")


def test_submission_state_machine(store: Store) -> None:
    draft = store.create_draft(fields=sample_fields())
    submission = store.enqueue_submission(draft.id, portal_url="https://portal.example")
    assert submission.state == "queued"
    assert submission.idempotency_key.startswith("oms-")
    assert store.get_draft(draft.id).state == "queued"
    # Frozen while queued: no edits, no second submission.
    with pytest.raises(DraftLockedError):
        store.save_field(draft.id, "child.snils", "1", expected_version=2)
    with pytest.raises(AlreadySubmittedError):
        store.enqueue_submission(draft.id, portal_url="https://portal.example")
    with pytest.raises(DraftLockedError):
        store.add_attachment(
            draft.id,
            document="other",
            data=b"%PDF-1.4",
            media_type="application/pdf",
            width=1,
            height=1,
            dpi=None,
        )
    store.record_attempt(submission.id, error_code="portal_unreachable")
    assert store.pending_submissions()[0].attempts == 1

    # The portal refused the data: editable again, and a new submission gets a new key.
    failed = store.mark_failed(
        submission.id,
        error_code="portal_rejected",
        reason="неверный номер полиса",
        fields_to_fix=["policy.number"],
    )
    assert failed.state == "failed"
    assert failed.reason == "неверный номер полиса"
    assert failed.fields_to_fix == ("policy.number",)
    current = store.get_draft(draft.id)
    assert current.state == "editing"
    version = store.save_field(
        draft.id, "policy.number", "7700000000000016", expected_version=current.version
    )
    second = store.enqueue_submission(
        draft.id, portal_url="https://portal.example", expected_version=version
    )
    assert second.idempotency_key != submission.idempotency_key

    sent = store.mark_sent(
        second.id, portal_id="app-1", request_number="R-1", portal_status="under_review"
    )
    assert sent.state == "sent"
    assert store.get_draft(draft.id).state == "submitted"
    assert store.pending_submissions() == []
    # Marking it sent again (another desk's flush got the same answer) is harmless.
    assert (
        store.mark_sent(
            second.id, portal_id="app-1", request_number="R-1", portal_status="under_review"
        ).state
        == "sent"
    )
    with pytest.raises(AlreadySubmittedError):
        store.enqueue_submission(draft.id, portal_url="https://portal.example")

    store.record_portal_status(second.id, status="under_review")  # no change: no event
    store.record_portal_status(
        second.id, status="needs_clarification", fields_to_fix=["child.snils"]
    )
    store.record_portal_status(second.id, status="approved")
    history = store.submission_history(second.id)
    assert [(e.state, e.portal_status) for e in history] == [
        ("queued", None),
        ("sent", "under_review"),
        ("sent", "needs_clarification"),
        ("sent", "approved"),
    ]
    assert store.latest_submission(draft.id) == store.get_submission(second.id)


def test_two_desks_queue_the_same_draft_once(open_store: OpenStore) -> None:
    desks = [open_store(operator=f"desk-{i}") for i in range(3)]
    draft = desks[0].create_draft(fields=sample_fields())
    barrier = threading.Barrier(len(desks))
    outcomes: list[str] = []

    def submit(desk: Store) -> None:
        barrier.wait()
        try:
            desk.enqueue_submission(draft.id, portal_url="https://portal.example")
            outcomes.append("queued")
        except (AlreadySubmittedError, ConflictError) as exc:
            outcomes.append(exc.code)

    threads = [threading.Thread(target=submit, args=(d,)) for d in desks]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert outcomes.count("queued") == 1, outcomes
    assert len(desks[0].pending_submissions()) == 1


def test_audit_log_says_who_did_what_without_personal_data(open_store: OpenStore) -> None:
    desk = open_store(operator="Окно 3")
    fields = sample_fields()
    draft = desk.create_draft(fields=fields)
    desk.save_field(draft.id, "child.snils", "134-940-005 39", expected_version=1)
    desk.enqueue_submission(draft.id, portal_url="https://portal.example")
    desk.delete_draft(draft.id)

    entries = desk.audit_log(draft.id)
    assert [e.action for e in entries] == [
        "draft.create",
        "field.edit",
        "submission.queue",
        "draft.delete",
    ]
    assert {e.operator for e in entries} == {"Окно 3"}
    assert entries[1].detail == "fields=child.snils"
    text = " ".join(e.detail for e in entries)
    for name in PERSONAL_FIELDS:
        value = fields[name].value
        assert value is not None and value not in text
    assert "134-940-005 39" not in text


def test_delete_cascades_to_everything_of_the_draft(store: Store) -> None:
    keep = store.create_draft(fields=sample_fields())
    draft = store.create_draft(fields=sample_fields())
    store.add_attachment(
        draft.id,
        document="birth_certificate",
        data=b"\xff\xd8\xff" + b"scan" * 100,
        media_type="image/jpeg",
        width=10,
        height=10,
        dpi=300.0,
    )
    submission = store.enqueue_submission(draft.id, portal_url="https://portal.example")
    store.record_attempt(submission.id, error_code="portal_timeout")

    store.delete_draft(draft.id)

    with pytest.raises(DraftNotFoundError):
        store.get_draft(draft.id)
    with store.engine.connect() as conn:
        for table, column in (
            (DraftFieldRow, DraftFieldRow.draft_id),
            (FieldEditRow, FieldEditRow.draft_id),
            (AttachmentRow, AttachmentRow.draft_id),
            (SubmissionRow, SubmissionRow.draft_id),
        ):
            count = conn.execute(
                select(func.count()).select_from(table).where(column == draft.id)
            ).scalar_one()
            assert count == 0, table.__tablename__
        events = conn.execute(
            select(func.count())
            .select_from(SubmissionEventRow)
            .where(SubmissionEventRow.submission_id == submission.id)
        ).scalar_one()
        assert events == 0
        deletions = conn.execute(
            select(func.count())
            .select_from(AuditRow)
            .where(AuditRow.draft_id == draft.id, AuditRow.action == "draft.delete")
        ).scalar_one()
        assert deletions == 1
    assert store.get_draft(keep.id).fields == keep.fields


def test_delete_all(store: Store) -> None:
    for _ in range(3):
        store.create_draft(fields=sample_fields())
    assert store.delete_all_drafts() == 3
    assert store.list_drafts() == []


@pytest.mark.slow  # connects to PostgreSQL
def test_unreachable_postgresql_is_a_clear_error() -> None:
    with pytest.raises(DatabaseUnavailableError) as caught:
        Store.open("postgresql+psycopg://nobody@127.0.0.1:1/none", operator="x")
    assert caught.value.code == "database_unavailable"
    assert "127.0.0.1:1" in caught.value.message()


def test_unwritable_sqlite_location_is_a_clear_error(tmp_path: Path) -> None:
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("x")
    with pytest.raises(DatabaseUnavailableError):
        Store.open(f"sqlite+pysqlite:///{blocker}/drafts.sqlite3", operator="x")
