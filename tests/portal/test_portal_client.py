"""The httpx client against the real sandbox: retries, backoff, Retry-After, idempotency keys,
no retry on 4xx, typed errors, TLS policy."""

from __future__ import annotations

import random
from collections.abc import Callable
from datetime import datetime, timedelta, timezone
from email.utils import format_datetime

import httpx
import pytest

from omsdesktop.portal.client import HttpPortalClient, RetryPolicy, parse_retry_after
from omsdesktop.portal.config import check_portal_url
from omsdesktop.portal.errors import (
    AuthFailedError,
    InsecurePortalUrlError,
    PortalBadResponseError,
    PortalNotFoundError,
    PortalRejectedError,
    PortalTimeoutError,
    PortalUnavailableError,
    PortalUnreachableError,
)
from omsdesktop.portal.sandbox import SandboxConfig, SandboxServer, running_sandbox
from omsdesktop.storage.store import Store
from tests.portal.helpers import free_port, listing, new_draft_id, payload

MakeClient = Callable[..., HttpPortalClient]


def test_create_and_read_an_application(
    sandbox: SandboxServer, store: Store, make_client: MakeClient
) -> None:
    client = make_client(sandbox.url)
    draft_id = new_draft_id(store)
    app = client.create_application(payload(store, draft_id), idempotency_key="key-1")
    assert app.status == "under_review"
    assert app.request_number == "SBX-0000001"
    assert client.get_application(app.id) == app
    # The same key again is answered from the record: same application, nothing new.
    again = client.create_application(payload(store, draft_id), idempotency_key="key-1")
    assert again.id == app.id
    record = listing(sandbox)
    assert len(record["applications"]) == 1
    assert record["applications"][0]["client_reference"] == draft_id
    assert record["create_requests"] == {"key-1": 2}


@pytest.mark.parametrize("fault", ["error_500", "rate_limited", "drop", "lost_response"])
def test_transient_faults_are_retried_with_the_same_key(
    sandbox: SandboxServer, store: Store, make_client: MakeClient, fault: str
) -> None:
    client = make_client(sandbox.url)
    sandbox.state.inject(fault, fault)
    app = client.create_application(payload(store, new_draft_id(store)), idempotency_key="k")
    assert app.status == "under_review"
    record = listing(sandbox)
    assert len(record["applications"]) == 1  # never doubled
    assert record["create_requests"] == {"k": 3}  # every attempt carried the same key
    assert client.attempts == 3


def test_backoff_is_exponential_with_jitter() -> None:
    policy = RetryPolicy(backoff_base=1.0, backoff_max=8.0)
    rng = random.Random(3)
    for retry, ceiling in ((1, 1.0), (2, 2.0), (3, 4.0), (4, 8.0), (5, 8.0)):
        delays = {policy.backoff(retry, rng) for _ in range(50)}
        assert all(ceiling / 2 <= d <= ceiling for d in delays)
        assert len(delays) > 40  # jittered, not a fixed value


@pytest.mark.slow  # the sandbox portal over HTTP
def test_retry_after_is_honoured(
    store: Store, make_client: MakeClient, sleeps: list[float]
) -> None:
    with running_sandbox(SandboxConfig(retry_after=7)) as server:
        client = make_client(server.url)
        server.state.inject("rate_limited")
        client.create_application(payload(store, new_draft_id(store)), idempotency_key="k")
    assert sleeps and sleeps[0] >= 7  # waited at least what the portal asked


@pytest.mark.slow  # the sandbox portal over HTTP
def test_retry_after_too_long_leaves_it_to_the_outbox(
    store: Store, make_client: MakeClient, sleeps: list[float]
) -> None:
    with running_sandbox(SandboxConfig(retry_after=3600)) as server:
        client = make_client(server.url)
        server.state.inject("rate_limited")
        with pytest.raises(PortalUnavailableError):
            client.create_application(payload(store, new_draft_id(store)), idempotency_key="k")
        assert client.attempts == 1
        assert sleeps == []


def test_parse_retry_after() -> None:
    now = datetime(2026, 11, 21, 12, 0, tzinfo=timezone.utc)
    assert parse_retry_after("120", now) == 120
    assert parse_retry_after(format_datetime(now + timedelta(seconds=30), usegmt=True), now) == 30
    assert parse_retry_after(format_datetime(now - timedelta(days=1), usegmt=True), now) == 0
    assert parse_retry_after("soon", now) is None
    assert parse_retry_after(None, now) is None


def test_gives_up_after_max_attempts(
    sandbox: SandboxServer, store: Store, make_client: MakeClient, sleeps: list[float]
) -> None:
    client = make_client(sandbox.url, retry=RetryPolicy(max_attempts=4, backoff_base=0.01))
    sandbox.state.inject(*["error_500"] * 4)
    with pytest.raises(PortalUnavailableError) as caught:
        client.create_application(payload(store, new_draft_id(store)), idempotency_key="k")
    assert caught.value.transient
    assert client.attempts == 4
    assert len(sleeps) == 3
    assert listing(sandbox)["applications"] == []


def test_client_errors_are_never_retried(
    sandbox: SandboxServer, store: Store, make_client: MakeClient
) -> None:
    client = make_client(sandbox.url)
    bad = new_draft_id(store, overrides={"policy.number": "6449020886006381"})
    with pytest.raises(PortalRejectedError) as caught:
        client.create_application(payload(store, bad), idempotency_key="bad")
    assert client.attempts == 1
    assert caught.value.portal_code == "validation_failed"
    assert caught.value.fields == ("policy.number",)
    assert "контрольная цифра" in caught.value.reason
    assert not caught.value.transient

    with pytest.raises(PortalNotFoundError):
        client.get_application("no-such-application")
    assert client.attempts == 2
    assert listing(sandbox)["stats"]["requests"] == 2


@pytest.mark.slow  # the sandbox portal over HTTP
def test_wrong_token_is_auth_failed(store: Store, make_client: MakeClient) -> None:
    with running_sandbox(SandboxConfig(token="right")) as server:
        client = make_client(server.url, token="wrong")
        with pytest.raises(AuthFailedError) as caught:
            client.create_application(payload(store, new_draft_id(store)), idempotency_key="k")
        assert client.attempts == 1
        assert "portal-token" in caught.value.message()
        good = make_client(server.url, token="right")
        assert good.create_application(payload(store, new_draft_id(store)), idempotency_key="k")


@pytest.mark.slow  # the sandbox portal over HTTP
def test_timeout_then_success_files_once(store: Store, make_client: MakeClient) -> None:
    with running_sandbox(SandboxConfig(slow_seconds=1.0)) as server:
        client = make_client(
            server.url,
            retry=RetryPolicy(max_attempts=1),
            timeout=httpx.Timeout(0.3, connect=2.0),
        )
        data = payload(store, new_draft_id(store))
        server.state.inject("slow")
        with pytest.raises(PortalTimeoutError):
            client.create_application(data, idempotency_key="slow-key")
        # The portal finished the work after the client gave up; the retry is answered from
        # the record.
        patient = make_client(server.url)
        app = patient.create_application(data, idempotency_key="slow-key")
        record = listing(server)
    assert [a["id"] for a in record["applications"]] == [app.id]
    assert record["create_requests"] == {"slow-key": 2}


def test_unreadable_answer_is_retried_then_reported(
    sandbox: SandboxServer, store: Store, make_client: MakeClient
) -> None:
    client = make_client(sandbox.url)
    sandbox.state.inject("garbage")
    app = client.create_application(payload(store, new_draft_id(store)), idempotency_key="g")
    assert app.status == "under_review"
    sandbox.state.inject(*["garbage"] * 6)
    with pytest.raises(PortalBadResponseError):
        client.get_application(app.id)


@pytest.mark.slow  # opens a TCP connection
def test_nobody_listening_is_unreachable(make_client: MakeClient, sleeps: list[float]) -> None:
    client = make_client(f"http://127.0.0.1:{free_port()}")
    with pytest.raises(PortalUnreachableError) as caught:
        client.get_application("x")
    assert client.attempts == FAST_ATTEMPTS
    assert len(sleeps) == FAST_ATTEMPTS - 1
    assert "outbox flush" in caught.value.message()


FAST_ATTEMPTS = 6


@pytest.mark.parametrize(
    "url",
    ["http://portal.example.org", "http://10.0.0.5:8080", "ftp://127.0.0.1", "portal.example"],
)
def test_plain_http_only_to_loopback(url: str) -> None:
    with pytest.raises(InsecurePortalUrlError) as caught:
        HttpPortalClient(url, "token")
    assert "https://" in caught.value.message()


@pytest.mark.parametrize(
    "url",
    [
        "https://portal.example.org/api/",
        "http://127.0.0.1:8765",
        "http://localhost:1",
        "http://[::1]:8765",
    ],
)
def test_allowed_urls(url: str) -> None:
    assert check_portal_url(url) == url.rstrip("/")


def test_attachment_upload_is_idempotent(sandbox: SandboxServer, make_client: MakeClient) -> None:
    client = make_client(sandbox.url)
    jpeg = b"\xff\xd8\xff\xe0" + bytes(range(256)) * 20
    sandbox.state.inject("lost_response")
    first = client.upload_attachment(
        jpeg, media_type="image/jpeg", document="birth_certificate", idempotency_key="a1"
    )
    second = client.upload_attachment(
        jpeg, media_type="image/jpeg", document="birth_certificate", idempotency_key="a1"
    )
    assert first == second
    assert len(sandbox.state.attachments) == 1
    with pytest.raises(PortalRejectedError) as caught:  # not what it claims to be
        client.upload_attachment(
            b"GIF89a...", media_type="image/png", document="other", idempotency_key="a2"
        )
    assert caught.value.portal_code == "attachment_unreadable"
    with pytest.raises(ValueError):
        client.upload_attachment(
            b"\xff\xd8\xff" + b"0" * (5 * 1024 * 1024),
            media_type="image/jpeg",
            document="other",
            idempotency_key="a3",
        )
