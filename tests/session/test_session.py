"""The application session without Qt: merge, edits, saving, attachments, submitting.

A real SQLite store in the test's folder; the portal is the real sandbox on loopback (those tests
are marked slow). No OCR: documents are given as their read fields.
"""

from __future__ import annotations

import random
import threading
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest

from omsdesktop.forms.model import DocumentKind, FieldValue
from omsdesktop.portal.client import HttpPortalClient, RetryPolicy
from omsdesktop.portal.sandbox import SandboxConfig, running_sandbox
from omsdesktop.session import (
    ApplicationSession,
    Event,
    InvalidApplicationError,
    NothingToSendError,
)
from omsdesktop.storage.config import sqlite_url
from omsdesktop.storage.crypto import StaticKeyProvider, new_key
from omsdesktop.storage.errors import DraftLockedError, UnknownFieldError
from omsdesktop.storage.store import Store
from tests.home import isolate_home
from tests.storage.sample import sample_fields

CERT = DocumentKind.BIRTH_CERTIFICATE
POLICY = DocumentKind.OMS_POLICY
TODAY = __import__("datetime").date(2024, 6, 1)


@pytest.fixture(autouse=True)
def isolated_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    return isolate_home(tmp_path, monkeypatch)


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    store = Store.open(
        sqlite_url(tmp_path / "drafts.sqlite3"),
        operator="desk-1",
        keys=StaticKeyProvider(new_key()),
    )
    yield store
    store.close()


@pytest.fixture
def session(store: Store) -> Iterator[ApplicationSession]:
    session = ApplicationSession(store, autosave_delay=0.01, today=TODAY)
    yield session
    session.close()


def certificate() -> dict[str, FieldValue]:
    return {
        "last_name": FieldValue("Белоусова", 0.9),
        "first_name": FieldValue("Аглая", 0.9),
        "patronymic": FieldValue("Святославовна", 0.85),
        "birth_date": FieldValue("2019-03-12", 0.95),
        "birth_certificate_series": FieldValue("IV-МЮ", 0.9),
        "birth_certificate_number": FieldValue("123456", 0.9),
        "birth_certificate_issue_date": FieldValue("2019-03-20", 0.9),
    }


def policy(**changes: FieldValue) -> dict[str, FieldValue]:
    number = sample_fields(random.Random(5))["policy.number"].value
    fields = {
        "policy_form": FieldValue("unified", 1.0),
        "policy_number": FieldValue(number, 1.0, "barcode"),
        "last_name": FieldValue("БЕЛОУСОВА", 0.7),
        "first_name": FieldValue("Аглая", 0.95),
        "patronymic": FieldValue("Святославовна", 0.9),
        "birth_date": FieldValue("12.03.2019", 0.9),
        "sex": FieldValue("Ж", 0.9),
    }
    fields.update(changes)
    return fields


def page() -> np.ndarray:
    image = np.full((400, 300, 3), 255, np.uint8)
    image[100:120, 50:250] = 0
    return image


def test_two_documents_merge_into_one_application(session: ApplicationSession) -> None:
    events: list[Event] = []
    session.subscribe(events.append)
    changed = session.set_document(CERT, certificate())
    assert "child.last_name" in changed and "cert.series" in changed
    session.set_document(POLICY, policy())
    assert session.value("child.last_name") == "Белоусова"  # the surer reading
    assert session.value("policy.number") is not None
    view = session.view("child.birth_date")
    assert set(view.readings) == {CERT, POLICY}
    assert not view.disputed  # «12.03.2019» and «2019-03-12» are the same day
    assert [e.kind for e in events].count("fields") == 2
    assert session.review_keys() == ()


def test_a_disagreement_is_flagged_and_names_both_readings(session: ApplicationSession) -> None:
    session.set_document(CERT, certificate())
    session.set_document(POLICY, policy(first_name=FieldValue("Алая", 0.99)))
    view = session.view("child.first_name")
    assert view.disputed and view.needs_review
    assert {r.value for r in view.readings.values()} == {"Аглая", "Алая"}
    assert "child.first_name" in session.review_keys()
    codes = [p.code for p in session.merged.problems]
    assert codes == ["mismatch_first_name"]


def test_typed_values_survive_a_new_reading(session: ApplicationSession) -> None:
    session.set_document(CERT, certificate())
    session.edit("child.first_name", "Агата")
    session.set_document(CERT, certificate())  # read again (another scan)
    assert session.value("child.first_name") == "Агата"
    assert session.view("child.first_name").source == "typed"


def test_edits_before_the_database_opens_are_saved_when_it_does(store: Store) -> None:
    session = ApplicationSession(None, autosave_delay=0.01, today=TODAY)
    try:
        session.edit("child.last_name", "Иванова")
        assert session.has_unsaved
        session.attach_store(store)
        version = session.save()
        assert version == 1 and session.draft_id is not None
        session.edit("child.first_name", "Анна")
        session.save()
        draft = store.get_draft(session.draft_id)
        assert draft.value("child.last_name") == "Иванова"
        assert draft.value("child.first_name") == "Анна"
    finally:
        session.close()


def test_autosave_reaches_the_database(session: ApplicationSession, store: Store) -> None:
    saved = threading.Event()
    session.subscribe(lambda e: saved.set() if e.kind == "saved" else None)
    session.set_document(CERT, certificate())
    session.save()
    saved.clear()
    session.edit("cert.number", "654321")
    assert saved.wait(5), "the autosaver did not write the edit"
    assert store.get_draft(session.draft_id or "").value("cert.number") == "654321"


def test_one_attachment_per_document_however_often_it_is_replaced(
    session: ApplicationSession, store: Store
) -> None:
    session.set_document(CERT, certificate(), image=page(), dpi=300)
    session.save()
    session.store_attachments()
    session.set_document(CERT, certificate(), image=page(), dpi=300)
    # Two jobs for the same document running at once still leave one attachment.
    session.set_document(CERT, certificate(), image=page(), dpi=300)
    threads = [threading.Thread(target=session.store_attachments) for _ in range(3)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    roles = [a.document for a in store.list_attachments(session.draft_id or "")]
    assert roles == ["birth_certificate"]


def test_a_stale_page_is_not_attached_over_a_newer_one(
    session: ApplicationSession, store: Store
) -> None:
    session.set_document(CERT, certificate(), image=page(), dpi=300)
    session.save()
    newer = page()
    newer[200:260, :] = 0
    # The first page is being encoded when the second arrives: only the second is stored.
    from omsdesktop.portal import attachments

    real = attachments.prepare_attachment

    def slow_prepare(image, dpi, **kw):  # type: ignore[no-untyped-def]
        prepared = real(image, dpi, **kw)
        if image is not newer:
            session.set_document(CERT, certificate(), image=newer, dpi=300)
        return prepared

    attachments.prepare_attachment = slow_prepare  # type: ignore[assignment]
    try:
        assert session.store_attachments() == ()
    finally:
        attachments.prepare_attachment = real  # type: ignore[assignment]
    assert session.attachments_pending
    (info,) = session.store_attachments()
    assert [a.id for a in store.list_attachments(session.draft_id or "")] == [info.id]


def test_unknown_keys_are_refused_with_the_list(session: ApplicationSession) -> None:
    with pytest.raises(UnknownFieldError):
        session.edit("child.nickname", "x")


def test_an_invalid_application_is_not_sent(session: ApplicationSession) -> None:
    session.set_document(CERT, certificate())
    session.set_document(POLICY, policy())
    verdict = session.edit("child.birth_date", "31.02.2020")
    assert verdict is not None and verdict.valid is False
    session.edit("policy.form", "spaceship")
    assert set(session.blocking()) == {"child.birth_date", "policy.form"}

    def never(url: str) -> HttpPortalClient:
        raise AssertionError("the portal must not be called")

    with pytest.raises(InvalidApplicationError) as caught:
        session.submit("http://127.0.0.1:9", never)
    assert caught.value.keys == ("child.birth_date", "policy.form")
    message = caught.value.message("ru")
    assert "«Дата рождения»" in message and "«Форма полиса»" in message
    assert "31.02" not in message  # no personal data in messages


def test_an_empty_application_is_not_sent(session: ApplicationSession) -> None:
    with pytest.raises(NothingToSendError):
        session.submit("http://127.0.0.1:9", lambda url: None)  # type: ignore[arg-type,return-value]


def test_reopening_a_draft_brings_its_fields_and_scans(
    session: ApplicationSession, store: Store
) -> None:
    session.set_document(CERT, certificate(), image=page(), dpi=300)
    session.edit("applicant.full_name", "Белоусова Ефросинья Тимофеевна")
    session.save()
    session.store_attachments()
    draft_id = session.draft_id or ""
    other = ApplicationSession(store, autosave_delay=0.01)
    try:
        opened = other.open(draft_id)
        assert set(opened.attachments) == {"birth_certificate"}
        assert other.value("cert.series") == "IV-МЮ"
        assert other.view("applicant.full_name").typed
        assert not other.view("cert.series").typed
    finally:
        other.close()


def test_a_deleted_draft_is_forgotten_without_writing_to_it(
    session: ApplicationSession, store: Store
) -> None:
    session.set_document(CERT, certificate())
    session.save()
    draft_id = session.draft_id or ""
    store.delete_draft(draft_id)
    assert session.forget(draft_id)
    assert session.draft_id is None and session.values() == {}


@pytest.mark.slow
def test_submit_to_the_sandbox_freezes_the_application_and_follows_its_status(
    session: ApplicationSession, store: Store
) -> None:
    retry = RetryPolicy(max_attempts=2, backoff_base=0.01, backoff_max=0.05)
    with running_sandbox(SandboxConfig(seed=7, status_delay=0)) as server:

        def factory(url: str) -> HttpPortalClient:
            return HttpPortalClient(url, "test-token", retry=retry)

        session.set_document(CERT, certificate(), image=page(), dpi=300)
        session.set_document(POLICY, policy(), image=page(), dpi=300)
        for key, item in sample_fields().items():
            if key.startswith("applicant.") or key == "child.snils":
                session.edit(key, item.value)
        outcome = session.submit(server.url, factory)
        assert outcome.sent, outcome.error
        assert session.state == "submitted" and not session.editable
        with pytest.raises(DraftLockedError):
            session.edit("child.first_name", "Анна")
        roles = sorted(a.document for a in store.list_attachments(session.draft_id or ""))
        assert roles == ["birth_certificate", "oms_policy"]
        submission = session.refresh_status(factory)
        assert submission is not None and submission.portal_status is not None
