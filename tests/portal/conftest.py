"""Portal fixtures: the real sandbox on a free loopback port, a draft store, fast clients."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from omsdesktop.portal.client import HttpPortalClient, RetryPolicy
from omsdesktop.portal.sandbox import SandboxConfig, SandboxServer, running_sandbox
from omsdesktop.storage.config import sqlite_url
from omsdesktop.storage.crypto import StaticKeyProvider, new_key
from omsdesktop.storage.store import Store
from tests.home import isolate_home

FAST_RETRY = RetryPolicy(max_attempts=6, backoff_base=0.01, backoff_max=0.05)


@pytest.fixture(autouse=True)
def isolated_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    return isolate_home(tmp_path, monkeypatch)


@pytest.fixture
def sandbox() -> Iterator[SandboxServer]:
    with running_sandbox(SandboxConfig(seed=7, status_delay=3600, retry_after=1)) as server:
        yield server


@pytest.fixture
def data_key() -> bytes:
    return new_key()


@pytest.fixture
def store(tmp_path: Path, data_key: bytes) -> Iterator[Store]:
    store = Store.open(
        sqlite_url(tmp_path / "drafts.sqlite3"), operator="desk-1", keys=StaticKeyProvider(data_key)
    )
    yield store
    store.close()


@pytest.fixture
def sleeps() -> list[float]:
    return []


@pytest.fixture
def make_client(sleeps: list[float]) -> Iterator[Callable[..., HttpPortalClient]]:
    """Clients that record their backoff instead of sleeping it (the sandbox needs no wait)."""
    clients: list[HttpPortalClient] = []

    def _make(
        url: str, token: str = "test-token", retry: RetryPolicy = FAST_RETRY, **kw: object
    ) -> HttpPortalClient:
        client = HttpPortalClient(url, token, retry=retry, sleep=sleeps.append, **kw)  # type: ignore[arg-type]
        clients.append(client)
        return client

    yield _make
    for client in clients:
        client.close()
