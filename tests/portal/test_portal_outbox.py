"""Submitting exactly once: offline queueing, lost answers, crashes between steps, two desks
flushing together, refusals, status polling."""

from __future__ import annotations

import threading
from collections.abc import Callable
from pathlib import Path

import pytest

from omsdesktop.portal.client import HttpPortalClient, RetryPolicy
from omsdesktop.portal.outbox import flush_outbox, poll_status, send_submission, submit_draft
from omsdesktop.portal.sandbox import SandboxConfig, SandboxServer, running_sandbox
from omsdesktop.storage.config import sqlite_url
from omsdesktop.storage.crypto import StaticKeyProvider
from omsdesktop.storage.errors import AlreadySubmittedError, DraftLockedError
from omsdesktop.storage.store import Store
from tests.portal.helpers import free_port, listing, new_draft_id

pytestmark = pytest.mark.slow  # talks to the sandbox portal over HTTP

MakeClient = Callable[..., HttpPortalClient]


def test_offline_submission_is_queued_and_sent_once_later(
    store: Store, make_client: MakeClient
) -> None:
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    draft_id = new_draft_id(store)

    outcome = submit_draft(store, make_client(url), draft_id, portal_url=url)

    assert outcome.queued
    assert outcome.error is not None and outcome.error.code == "portal_unreachable"
    queued = store.pending_submissions()
    assert [s.draft_id for s in queued] == [draft_id]
    key = queued[0].idempotency_key  # stored before the first attempt
    assert queued[0].attempts == 1
    with pytest.raises(DraftLockedError):
        store.save_field(draft_id, "child.snils", "1", expected_version=2)

    with running_sandbox(SandboxConfig(), port=port) as server:
        report = flush_outbox(store, lambda u: make_client(u))
        record = listing(server)
    assert (report.sent, report.still_queued, report.failed) == (1, 0, 0)
    assert [a["client_reference"] for a in record["applications"]] == [draft_id]
    assert record["create_requests"] == {key: 1}
    sent = store.latest_submission(draft_id)
    assert sent is not None and sent.state == "sent" and sent.request_number == "SBX-0000001"
    assert store.get_draft(draft_id).state == "submitted"
    with pytest.raises(AlreadySubmittedError):
        submit_draft(store, make_client(url), draft_id, portal_url=url)


def test_answer_lost_after_the_work_then_flush(
    sandbox: SandboxServer, store: Store, make_client: MakeClient
) -> None:
    draft_id = new_draft_id(store)
    once = make_client(sandbox.url, retry=RetryPolicy(max_attempts=1))
    sandbox.state.inject("lost_response")
    outcome = submit_draft(store, once, draft_id, portal_url=sandbox.url)
    assert outcome.queued  # we do not know that the portal filed it...
    assert len(listing(sandbox)["applications"]) == 1  # ...but it did

    report = flush_outbox(store, lambda u: make_client(u))
    assert report.sent == 1
    record = listing(sandbox)
    assert len(record["applications"]) == 1  # answered from the record, not filed again
    submission = store.latest_submission(draft_id)
    assert submission is not None
    assert record["applications"][0]["id"] == submission.portal_id
    assert record["create_requests"] == {submission.idempotency_key: 2}


def test_crash_between_queueing_and_sending(
    sandbox: SandboxServer, store: Store, make_client: MakeClient
) -> None:
    draft_id = new_draft_id(store)
    store.enqueue_submission(draft_id, portal_url=sandbox.url)  # then the program died
    report = flush_outbox(store, lambda u: make_client(u))
    assert report.sent == 1
    assert len(listing(sandbox)["applications"]) == 1
    assert flush_outbox(store, lambda u: make_client(u)).outcomes == ()


def test_two_desks_flushing_the_same_outbox(
    sandbox: SandboxServer, tmp_path: Path, data_key: bytes, make_client: MakeClient
) -> None:
    url = sqlite_url(tmp_path / "shared.sqlite3")
    desks = [
        Store.open(url, operator=f"desk-{i}", keys=StaticKeyProvider(data_key)) for i in (1, 2)
    ]
    try:
        ids = [new_draft_id(desks[0], seed=i) for i in range(6)]
        for draft_id in ids:
            desks[0].enqueue_submission(draft_id, portal_url=sandbox.url)
        sandbox.state.inject("lost_response", "drop", "lost_response")
        barrier = threading.Barrier(2)

        def flush(desk: Store) -> None:
            barrier.wait()
            flush_outbox(desk, lambda u: make_client(u))

        threads = [threading.Thread(target=flush, args=(d,)) for d in desks]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        record = listing(sandbox)
        refs = sorted(a["client_reference"] for a in record["applications"])
        assert refs == sorted(ids)  # each exactly once
        assert desks[1].pending_submissions() == []
        assert {desks[0].get_draft(i).state for i in ids} == {"submitted"}
    finally:
        for desk in desks:
            desk.close()


def test_refused_data_frees_the_draft_for_a_fixed_resubmission(
    sandbox: SandboxServer, store: Store, make_client: MakeClient
) -> None:
    client = make_client(sandbox.url)
    draft_id = new_draft_id(store, overrides={"child.snils": "112-233-445 96"})
    outcome = submit_draft(store, client, draft_id, portal_url=sandbox.url)
    assert outcome.submission.state == "failed"
    assert outcome.error is not None and outcome.error.code == "portal_rejected"
    assert outcome.submission.fields_to_fix == ("child.snils",)
    assert "СНИЛС" in (outcome.submission.reason or "")
    assert listing(sandbox)["applications"] == []

    draft = store.get_draft(draft_id)
    assert draft.state == "editing"
    version = store.save_field(
        draft_id, "child.snils", "112-233-445 95", expected_version=draft.version
    )
    fixed = submit_draft(store, client, draft_id, portal_url=sandbox.url, expected_version=version)
    assert fixed.sent
    assert fixed.submission.idempotency_key != outcome.submission.idempotency_key
    assert len(listing(sandbox)["applications"]) == 1


def test_second_application_for_the_same_policy_is_refused(
    sandbox: SandboxServer, store: Store, make_client: MakeClient
) -> None:
    client = make_client(sandbox.url)
    first = new_draft_id(store, seed=5)
    second = new_draft_id(store, seed=5)  # same data, another draft
    assert submit_draft(store, client, first, portal_url=sandbox.url).sent
    outcome = submit_draft(store, client, second, portal_url=sandbox.url)
    assert outcome.error is not None and outcome.error.code == "portal_duplicate"
    assert outcome.submission.state == "failed"
    assert "SBX-0000001" in outcome.error.message()
    assert len(listing(sandbox)["applications"]) == 1


def test_attachments_are_uploaded_once_with_the_application(
    sandbox: SandboxServer, store: Store, make_client: MakeClient
) -> None:
    draft_id = new_draft_id(store)
    for document in ("birth_certificate", "oms_policy"):
        store.add_attachment(
            draft_id,
            document=document,  # type: ignore[arg-type]
            data=b"%PDF-1.4\n" + document.encode() * 50,
            media_type="application/pdf",
            width=1000,
            height=1400,
            dpi=200.0,
        )
    sandbox.state.inject("lost_response", "drop", "error_500", "lost_response")
    outcome = submit_draft(store, make_client(sandbox.url), draft_id, portal_url=sandbox.url)
    assert outcome.sent
    record = listing(sandbox)
    assert len(record["applications"]) == 1
    assert len(record["applications"][0]["attachments"]) == 2
    assert len(sandbox.state.attachments) == 2  # lost answers did not store copies


def test_status_moves_through_the_portal_statuses(store: Store, make_client: MakeClient) -> None:
    now = [1000.0]
    config = SandboxConfig(seed=11, status_delay=60, clock=lambda: now[0])
    with running_sandbox(config) as server:
        client = make_client(server.url)
        draft_id = new_draft_id(store)
        assert submit_draft(store, client, draft_id, portal_url=server.url).sent
        assert poll_status(store, client, draft_id).portal_status == "under_review"
        now[0] += 61
        final = poll_status(store, client, draft_id)
        status, reason, fields = server.state.outcome_for(1)
    assert final.portal_status == status
    assert final.reason == reason
    assert len(final.fields_to_fix) == len(fields)
    history = store.submission_history(final.id)
    assert [(e.state, e.portal_status) for e in history] == [
        ("queued", None),
        ("sent", "under_review"),
        ("sent", status),
    ]


def test_every_outcome_reaches_the_store(store: Store, make_client: MakeClient) -> None:
    now = [0.0]
    config = SandboxConfig(seed=3, status_delay=1, clock=lambda: now[0])
    with running_sandbox(config) as server:
        client = make_client(server.url)
        seen = set()
        for seed in range(12):  # seed 3 gives all three outcomes among the first 12
            draft_id = new_draft_id(store, seed=100 + seed)
            submit_draft(store, client, draft_id, portal_url=server.url)
            now[0] += 2
            submission = poll_status(store, client, draft_id)
            seen.add(submission.portal_status)
            if submission.portal_status == "needs_clarification":
                assert submission.fields_to_fix
                assert all("." in f for f in submission.fields_to_fix)
            if submission.portal_status == "rejected":
                assert submission.reason
    assert seen == {"approved", "needs_clarification", "rejected"}


def test_sending_an_already_sent_submission_does_nothing(
    sandbox: SandboxServer, store: Store, make_client: MakeClient
) -> None:
    client = make_client(sandbox.url)
    draft_id = new_draft_id(store)
    outcome = submit_draft(store, client, draft_id, portal_url=sandbox.url)
    again = send_submission(store, client, outcome.submission)
    assert again.sent
    assert listing(sandbox)["create_requests"] == {outcome.submission.idempotency_key: 1}
