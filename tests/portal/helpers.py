"""Helpers of the portal tests."""

from __future__ import annotations

import random
import socket
from typing import Any

from omsdesktop.portal.contract import ApplicationPayload
from omsdesktop.portal.sandbox import SandboxServer
from omsdesktop.storage.model import DraftField
from omsdesktop.storage.store import Store
from tests.storage.sample import sample_fields


def free_port() -> int:
    """A loopback port nobody listens on (right now)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def new_draft_id(store: Store, seed: int = 1, overrides: dict[str, str] | None = None) -> str:
    """A complete, valid draft; each seed gives a different policy number."""
    fields = sample_fields(random.Random(seed))
    for name, value in (overrides or {}).items():
        fields[name] = DraftField(value)
    return store.create_draft(fields=fields).id


def payload(store: Store, draft_id: str) -> ApplicationPayload:
    return ApplicationPayload.from_draft(store.get_draft(draft_id))


def listing(server: SandboxServer) -> dict[str, Any]:
    return server.state.listing()
