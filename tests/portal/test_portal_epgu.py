"""The EPGU flow against the EPGU sandbox on loopback: an order reserved and stored first, one
flat ZIP pushed once, both status layers; lost answers resolved by asking the portal, 401
refreshed once, 429 and LIMITATION_EXCEPTION backed off with Retry-After (sleeps recorded)."""

from __future__ import annotations

import io
import zipfile
from collections.abc import Callable, Iterator
from typing import Any

import pytest

from omsdesktop.portal.client import RetryPolicy
from omsdesktop.portal.epgu_archive import ArchiveFile, NoSigner, build_archive
from omsdesktop.portal.epgu_auth import EpguTransport, StaticTokenProvider, TokenProvider
from omsdesktop.portal.epgu_client import EpguClient, OrderMeta
from omsdesktop.portal.epgu_sandbox import (
    EpguSandboxConfig,
    EpguSandboxServer,
    running_epgu_sandbox,
)
from omsdesktop.portal.errors import AuthFailedError
from omsdesktop.portal.outbox import flush_outbox, poll_status, submit_draft
from omsdesktop.storage.store import Store
from tests.portal.helpers import new_draft_id

pytestmark = pytest.mark.slow  # talks to the EPGU sandbox over HTTP

META = OrderMeta(region="45000000000", service_code="10000000000", target_code="-10000000000")
FAST = RetryPolicy(max_attempts=6, backoff_base=0.01, backoff_max=0.05)
JPEG = b"\xff\xd8\xff\xe0" + b"scan" * 100

MakeEpgu = Callable[..., EpguClient]


@pytest.fixture
def epgu() -> Iterator[EpguSandboxServer]:
    config = EpguSandboxConfig(seed=3, status_delay=0, retry_after=2, min_chunk=1)
    with running_epgu_sandbox(config) as server:
        yield server


@pytest.fixture
def make_epgu(sleeps: list[float]) -> Iterator[MakeEpgu]:
    clients: list[EpguClient] = []

    def _make(
        url: str,
        tokens: TokenProvider | None = None,
        retry: RetryPolicy = FAST,
        **kw: Any,
    ) -> EpguClient:
        client = EpguClient(
            EpguTransport(url),
            tokens or StaticTokenProvider("test-token"),
            META,
            retry=retry,
            sleep=sleeps.append,
            **kw,
        )
        clients.append(client)
        return client

    yield _make
    for client in clients:
        client.close()


def _orders(server: EpguSandboxServer) -> list[dict[str, Any]]:
    return list(server.state.listing()["orders"])


def _attach(store: Store, draft_id: str) -> None:
    store.add_attachment(
        draft_id,
        document="birth_certificate",
        data=JPEG,
        media_type="image/jpeg",
        width=10,
        height=10,
        dpi=200.0,
    )


def test_submit_reserves_one_order_pushes_one_flat_zip_and_reads_both_layers(
    epgu: EpguSandboxServer, store: Store, make_epgu: MakeEpgu
) -> None:
    draft_id = new_draft_id(store)
    _attach(store, draft_id)
    outcome = submit_draft(store, make_epgu(epgu.url), draft_id, portal_url=epgu.url)
    assert outcome.sent, outcome.error
    sub = outcome.submission
    assert sub.portal_api == "epgu" and sub.order_id is not None and sub.pushes == 1
    [order] = _orders(epgu)
    assert str(order["orderId"]) == sub.order_id == sub.portal_id
    assert order["client_reference"] == draft_id
    assert order["files"] == ["req.xml", "birth_certificate_1.jpg"]
    assert (order["push_requests"], order["accepted_pushes"]) == (1, 1)

    polled = poll_status(store, make_epgu(epgu.url), draft_id)
    assert polled.processing_code == "DONE"
    assert polled.status_id in (3, 4, 15)
    assert polled.portal_status in ("approved", "rejected", "needs_clarification")


def test_dropped_connection_after_an_accepted_push_is_resolved_by_asking_not_pushing(
    epgu: EpguSandboxServer, store: Store, make_epgu: MakeEpgu
) -> None:
    draft_id = new_draft_id(store)
    client = make_epgu(epgu.url)
    # The reservation goes through; the push is accepted, then the connection is dropped.
    epgu.state.inject("latency", "drop_after_work")
    outcome = submit_draft(store, client, draft_id, portal_url=epgu.url)
    assert outcome.sent, outcome.error
    [order] = _orders(epgu)
    assert order["push_requests"] == 1 and order["accepted_pushes"] == 1  # no second push
    assert outcome.submission.pushes == 1
    history = [e.error_code for e in store.submission_history(outcome.submission.id)]
    assert "portal_outcome_unknown" in history


def test_lost_push_answer_then_flush_asks_the_order_and_never_pushes_again(
    epgu: EpguSandboxServer, store: Store, make_epgu: MakeEpgu
) -> None:
    draft_id = new_draft_id(store)
    # Answers of the push and of every "what does the order hold" question in this send lost.
    epgu.state.inject("latency", "gateway_timeout", "bad_gateway", "bad_gateway")
    once = make_epgu(epgu.url, retry=RetryPolicy(max_attempts=1))
    outcome = submit_draft(store, once, draft_id, portal_url=epgu.url)
    assert outcome.queued and outcome.submission.push_started_at is not None
    report = flush_outbox(store, lambda url: make_epgu(url))
    assert report.sent == 1
    [order] = _orders(epgu)
    assert (order["push_requests"], order["accepted_pushes"]) == (1, 1)


def test_lost_reservation_answer_adopts_the_order_instead_of_reserving_another(
    epgu: EpguSandboxServer, store: Store, make_epgu: MakeEpgu
) -> None:
    draft_id = new_draft_id(store)
    epgu.state.inject("drop_after_work")  # the order is made, its id never arrives
    outcome = submit_draft(store, make_epgu(epgu.url), draft_id, portal_url=epgu.url)
    assert outcome.sent, outcome.error
    orders = _orders(epgu)
    assert len(orders) == 1 and orders[0]["client_reference"] == draft_id


def test_expired_token_is_refreshed_once(
    epgu: EpguSandboxServer, store: Store, make_epgu: MakeEpgu
) -> None:
    tokens = StaticTokenProvider("old", "fresh")
    epgu.state.inject("token_expired")
    outcome = submit_draft(
        store, make_epgu(epgu.url, tokens), new_draft_id(store), portal_url=epgu.url
    )
    assert outcome.sent and tokens.refreshes == 1


def test_a_second_401_after_the_refresh_stops(store: Store, make_epgu: MakeEpgu) -> None:
    config = EpguSandboxConfig(token="only-this", status_delay=0)
    with running_epgu_sandbox(config) as server:
        tokens = StaticTokenProvider("old", "still-wrong")
        outcome = submit_draft(
            store, make_epgu(server.url, tokens), new_draft_id(store), portal_url=server.url
        )
        assert outcome.queued and isinstance(outcome.error, AuthFailedError)
        assert tokens.refreshes == 1
        assert _orders(server) == []


def test_429_and_limitation_exception_back_off_with_retry_after(
    epgu: EpguSandboxServer, store: Store, make_epgu: MakeEpgu, sleeps: list[float]
) -> None:
    epgu.state.inject("rate_limited", "latency", "limitation")
    outcome = submit_draft(store, make_epgu(epgu.url), new_draft_id(store), portal_url=epgu.url)
    assert outcome.sent
    assert [s for s in sleeps if s >= 2.0] == [2.0, 2.0]  # Retry-After: 2, slept, not waited
    [order] = _orders(epgu)
    assert order["accepted_pushes"] == 1


def test_validation_error_fails_with_the_portals_message_and_the_fields(
    epgu: EpguSandboxServer, store: Store, make_epgu: MakeEpgu
) -> None:
    # Passes our schema (16 digits), fails the portal's check digit.
    draft_id = new_draft_id(store, overrides={"policy.number": "6449020886006381"})
    outcome = submit_draft(store, make_epgu(epgu.url), draft_id, portal_url=epgu.url)
    assert outcome.sent  # the portal took the archive; it refuses it while processing
    failed = poll_status(store, make_epgu(epgu.url), draft_id)
    assert failed.state == "failed" and failed.processing_code == "VALIDATION_ERROR"
    assert failed.reason is not None and "ошибками" in failed.reason
    assert "policy.number" in failed.fields_to_fix
    assert store.get_draft(draft_id).state == "editing"


def test_chunked_push_above_the_threshold(
    epgu: EpguSandboxServer, store: Store, make_epgu: MakeEpgu
) -> None:
    draft_id = new_draft_id(store)
    _attach(store, draft_id)
    client = make_epgu(epgu.url, chunk_threshold=200, chunk_size=256)
    outcome = submit_draft(store, client, draft_id, portal_url=epgu.url)
    assert outcome.sent, outcome.error
    [order] = _orders(epgu)
    assert order["push_requests"] > 1 and order["accepted_pushes"] == 1
    assert "req.xml" in order["files"]


def test_the_archive_is_flat_and_signed_by_the_hook(store: Store) -> None:
    class Signer:
        def sign(self, name: str, data: bytes) -> bytes | None:
            return b"SIG:" + name.encode()

    draft = store.get_draft(new_draft_id(store))
    archive = build_archive(draft, [ArchiveFile("oms_policy", "image/jpeg", JPEG)], signer=Signer())
    names = zipfile.ZipFile(io.BytesIO(archive.data)).namelist()
    assert names == ["req.xml", "req.xml.sig", "oms_policy_1.jpg", "oms_policy_1.jpg.sig"]
    assert all("/" not in n for n in names)
    plain = build_archive(draft, [], signer=NoSigner())
    assert plain.names == ("req.xml",)


def test_an_invalid_archive_is_never_sent(
    epgu: EpguSandboxServer, store: Store, make_epgu: MakeEpgu
) -> None:
    draft_id = new_draft_id(store, overrides={"child.birth_date": "12.03.2019"})
    outcome = submit_draft(store, make_epgu(epgu.url), draft_id, portal_url=epgu.url)
    assert outcome.submission.state == "failed"
    assert outcome.submission.fields_to_fix == ("child.birth_date",)
    assert _orders(epgu) == []
