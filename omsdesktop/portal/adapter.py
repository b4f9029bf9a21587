"""The adapter protocol: what the outbox needs from a portal, whatever its wire format.

The real portal's integration details are not public; :class:`HttpPortalClient` speaks the
contract in docs/portal-api.yaml. Another endpoint plugs in by implementing this protocol.
Implementations raise the typed errors of :mod:`omsdesktop.portal.errors` and must make
``create_application`` and ``upload_attachment`` idempotent per key: a repeated call with the
same key never creates a second application or attachment.
"""

from __future__ import annotations

from typing import Protocol

from omsdesktop.portal.contract import ApplicationPayload, PortalApplication


class PortalAdapter(Protocol):
    def upload_attachment(
        self, data: bytes, *, media_type: str, document: str, idempotency_key: str
    ) -> str:
        """Upload one file; return the portal's attachment id."""
        ...

    def create_application(
        self, application: ApplicationPayload, *, idempotency_key: str
    ) -> PortalApplication:
        """File the application (idempotent per key); return it as the portal stores it."""
        ...

    def get_application(self, portal_id: str) -> PortalApplication:
        """The application's current status."""
        ...

    def close(self) -> None: ...
