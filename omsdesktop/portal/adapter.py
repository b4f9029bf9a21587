"""The adapter protocols: what the outbox needs from a portal, whatever its wire format.

Two flows exist, and the outbox drives each through its own protocol:

* :class:`KeyedPortalAdapter` — our contract (docs/portal-api.yaml, :class:`HttpPortalClient`):
  attachments uploaded one by one, then the application, each idempotent per key: a repeated
  call with the same key never creates a second application or attachment.
* :class:`OrderPortalAdapter` — the EPGU API for organisations (:class:`EpguClient`): an order
  is reserved first, the whole application goes as one ZIP pushed to that order, and its state
  has two layers (a processing code, then the order's ``statusId``). There is no key: the
  outbox stores the order id before pushing and asks the order's state after any doubt.

Implementations raise the typed errors of :mod:`omsdesktop.portal.errors`.
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Protocol, runtime_checkable

from omsdesktop.portal.contract import ApplicationPayload, PortalApplication

if TYPE_CHECKING:
    from omsdesktop.portal.epgu_archive import Signer
    from omsdesktop.portal.epgu_client import OrderMeta, OrderState, OrderSummary


class KeyedPortalAdapter(Protocol):
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


@runtime_checkable
class OrderPortalAdapter(Protocol):
    """The order flow (EPGU). ``api`` is ``"epgu"``; ``meta`` is what orders are reserved for;
    ``signer`` signs the archive's files (None: no signatures)."""

    api: str
    meta: OrderMeta
    signer: Signer | None

    def reserve_order(self) -> str:
        """Reserve an order for one application; return its id (never retried blindly)."""
        ...

    def push_archive(self, order_id: str, archive: bytes, *, name: str = "archive") -> None:
        """Send the application's ZIP to the order (chunked above the adapter's threshold)."""
        ...

    def get_order(self, order_id: str) -> OrderState:
        """The order's details: both status layers and whether it holds an archive."""
        ...

    def find_orders(self, updated_after: datetime) -> list[OrderSummary]:
        """Orders changed after a moment (to find an order whose reservation answer was lost)."""
        ...

    def close(self) -> None: ...


PortalAdapter = KeyedPortalAdapter | OrderPortalAdapter
"""Either flow; the outbox tells them apart with :func:`adapter_api`."""


def adapter_api(adapter: PortalAdapter) -> str:
    """``"epgu"`` for an order adapter, else ``"contract"``."""
    return "epgu" if isinstance(adapter, OrderPortalAdapter) else "contract"
