"""HTTP client of the EPGU API for organisations ("API ЕПГУ", specification v1.12–v1.14).

* ``POST /api/gusmev/order`` reserves an order (``{region, serviceCode, targetCode}`` →
  ``{orderId}``);
* ``POST /api/gusmev/push`` sends the one ZIP archive (multipart: ``meta``, ``orderId``,
  ``file``), or ``POST /api/gusmev/push/chunked`` in parts above ``chunk_threshold`` bytes
  (``chunk`` counting from 0, ``chunks``; 206 for each part, 200 for the last);
* ``POST /api/gusmev/order/{orderId}`` gives the order's details: the processing ``code`` and
  ``message``, and ``order``, the order itself as an escaped JSON string (``orderStatusId``,
  ``statuses``, ``orderAttachmentFiles``);
* ``GET /api/gusmev/order/getUpdatedAfter`` lists the orders changed after a moment (paged).

There is no idempotency key. A request that changes the portal (reserve, push) is therefore
retried only when the portal certainly did not do it: a 401 (once, with a fresh token), a 429 or
``LIMITATION_EXCEPTION`` (after ``Retry-After``), or a connection that never opened. When the
answer is lost (a broken connection, a timeout, 502–504) :class:`PortalOutcomeUnknownError` is
raised and the outbox asks the portal what the order holds before anything is sent again.
Reads are retried on every transient failure. Nothing here logs bodies: they hold personal data.
"""

from __future__ import annotations

import json
import random
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Any

import httpx

from omsdesktop.portal.client import RetryPolicy, parse_retry_after
from omsdesktop.portal.epgu_archive import Signer, draft_fields_in
from omsdesktop.portal.epgu_auth import EpguTransport, TokenProvider
from omsdesktop.portal.errors import (
    AuthFailedError,
    PortalBadResponseError,
    PortalConnectionLostError,
    PortalError,
    PortalLimitError,
    PortalNotFoundError,
    PortalOutcomeUnknownError,
    PortalRejectedError,
    PortalUnavailableError,
    PortalUnreachableError,
)

MB = 1024 * 1024
MAX_PUSH_BYTES = 50 * MB
"""The single push's limit; also the largest part of a chunked push."""
MIN_CHUNK_BYTES = 5 * MB
DEFAULT_CHUNK_THRESHOLD = 45 * MB
DEFAULT_CHUNK_SIZE = 20 * MB
LIMIT_CODES = frozenset({"LIMITATION_EXCEPTION", "limitation_exception", "too_many_requests"})
ORDER_PATH = "/api/gusmev/order"


@dataclass(frozen=True)
class OrderMeta:
    """What an order is reserved for: the region (OKATO), the service and its target."""

    region: str
    service_code: str
    target_code: str

    def to_json(self) -> dict[str, str]:
        return {
            "region": self.region,
            "serviceCode": self.service_code,
            "targetCode": self.target_code,
        }


@dataclass(frozen=True)
class OrderState:
    """An order's details: the processing code (layer 1) and the order's status (layer 2)."""

    order_id: str
    processing_code: str | None
    message: str | None
    status_id: int | None = None
    status_title: str | None = None
    comment: str | None = None
    files: tuple[str, ...] = ()
    cancel_allowed: bool = False

    @property
    def has_archive(self) -> bool:
        """The portal holds an archive for this order (a push arrived)."""
        return bool(self.files) or self.processing_code not in (None, "NEW")


@dataclass(frozen=True)
class OrderSummary:
    """A line of ``getUpdatedAfter``."""

    order_id: str
    status_id: int | None
    updated: datetime | None
    service_code: str | None = None


def format_time(moment: datetime) -> str:
    """The portal's timestamps: ``2023-11-02T07:27:22.586+0300``."""
    moment = moment.astimezone(timezone.utc)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}+0000"


def parse_time(text: object) -> datetime | None:
    if not isinstance(text, str) or not text:
        return None
    for fmt in ("%Y-%m-%dT%H:%M:%S.%f%z", "%Y-%m-%dT%H:%M:%S%z"):
        try:
            return datetime.strptime(text, fmt)
        except ValueError:
            continue
    try:
        parsed = datetime.fromisoformat(text)
    except ValueError:
        return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=timezone.utc)


class _Retry(Exception):
    def __init__(self, error: PortalError, wait_at_least: float = 0.0) -> None:
        super().__init__(error.code)
        self.error = error
        self.wait_at_least = wait_at_least


class _Unauthorized(Exception):
    pass


class EpguClient:
    """The EPGU adapter (:class:`~omsdesktop.portal.adapter.OrderPortalAdapter`)."""

    api = "epgu"

    def __init__(
        self,
        transport: EpguTransport,
        tokens: TokenProvider,
        meta: OrderMeta,
        *,
        retry: RetryPolicy | None = None,
        sleep: Callable[[float], None] = time.sleep,
        rng: random.Random | None = None,
        chunk_threshold: int = DEFAULT_CHUNK_THRESHOLD,
        chunk_size: int = DEFAULT_CHUNK_SIZE,
        http_transport: httpx.BaseTransport | None = None,
        signer: Signer | None = None,
    ) -> None:
        if chunk_size <= 0 or chunk_size > MAX_PUSH_BYTES:
            raise ValueError("a part of a chunked push is 5–50 MB")
        self.transport = transport
        self.base_url = transport.base_url
        self.meta = meta
        self.signer = signer
        self.retry = retry or RetryPolicy()
        self.chunk_threshold = min(chunk_threshold, MAX_PUSH_BYTES)
        self.chunk_size = chunk_size
        self._tokens = tokens
        self._token: str | None = None
        self._sleep = sleep
        self._rng = rng or random.Random()
        self._client = transport.client(http_transport)
        self.attempts = 0
        self.refreshes = 0

    def close(self) -> None:
        self._client.close()

    def __enter__(self) -> EpguClient:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # --------------------------------------------------------------------------- the API

    def reserve_order(self) -> str:
        """Reserve an order; return its id. Not repeated when the answer is lost."""
        body = self._call(
            "POST", ORDER_PATH, safe=False, json_body=self.meta.to_json(), what="reserve"
        )
        order_id = body.get("orderId") if isinstance(body, dict) else None
        if isinstance(order_id, bool) or not isinstance(order_id, int | str) or not order_id:
            raise PortalOutcomeUnknownError("reserve answer without orderId")
        return str(order_id)

    def push_archive(self, order_id: str, archive: bytes, *, name: str = "archive") -> None:
        """Send the archive to the order: one request, or parts above the threshold.

        Raises:
            PortalOutcomeUnknownError: the answer to a push (or to one part) was lost.
        """
        if not archive:
            raise ValueError("empty archive")
        if len(archive) <= self.chunk_threshold:
            self._push_part("/api/gusmev/push", order_id, f"{name}.zip", archive, None)
            return
        parts = [archive[i : i + self.chunk_size] for i in range(0, len(archive), self.chunk_size)]
        for index, part in enumerate(parts):
            self._push_part(
                "/api/gusmev/push/chunked",
                order_id,
                f"{name}.z{index + 1:03d}",
                part,
                (index, len(parts)),
            )

    def get_order(self, order_id: str) -> OrderState:
        """The order's details (both status layers, the files the portal holds)."""
        body = self._call(
            "POST", f"{ORDER_PATH}/{order_id}", safe=True, not_found_id=order_id, what="details"
        )
        return _order_state(order_id, body)

    def find_orders(self, updated_after: datetime, *, page_size: int = 100) -> list[OrderSummary]:
        """Every order changed after ``updated_after`` (all pages)."""
        found: list[OrderSummary] = []
        page = 0
        while True:
            body = self._call(
                "GET",
                f"{ORDER_PATH}/getUpdatedAfter",
                safe=True,
                params={
                    "pageNum": str(page),
                    "pageSize": str(page_size),
                    "updatedAfter": format_time(updated_after),
                },
                what="updated",
            )
            if not isinstance(body, dict) or not isinstance(body.get("orders"), list):
                raise PortalBadResponseError("getUpdatedAfter without orders")
            for item in body["orders"]:
                if not isinstance(item, dict) or item.get("orderId") in (None, ""):
                    raise PortalBadResponseError("order without orderId")
                status = item.get("orderStatusId")
                found.append(
                    OrderSummary(
                        order_id=str(item["orderId"]),
                        status_id=status if isinstance(status, int) else None,
                        updated=parse_time(item.get("updated")),
                        service_code=None
                        if item.get("eserviceId") is None
                        else str(item.get("eserviceId")),
                    )
                )
            pages = body.get("totalPages")
            page += 1
            if not isinstance(pages, int) or page >= pages:
                return found

    def cancel_order(self, order_id: str, reason: str = "Отозвано заявителем") -> None:
        """Cancel an order (the portal allows it only where ``cancelAllowed``)."""
        self._call(
            "POST",
            f"{ORDER_PATH}/{order_id}/cancel",
            safe=False,
            params={"reason": reason},
            what="cancel",
        )

    # ------------------------------------------------------------------------- transport

    def _push_part(
        self,
        path: str,
        order_id: str,
        file_name: str,
        data: bytes,
        chunk: tuple[int, int] | None,
    ) -> None:
        fields: list[tuple[str, tuple[str | None, bytes | str, str]]] = [
            ("meta", (None, json.dumps(self.meta.to_json()), "application/json")),
            ("orderId", (None, order_id, "text/plain")),
        ]
        if chunk is not None:
            fields.append(("chunk", (None, str(chunk[0]), "text/plain")))
            fields.append(("chunks", (None, str(chunk[1]), "text/plain")))
        fields.append(("file", (file_name, data, "application/zip")))
        body = self._call("POST", path, safe=False, files=fields, what="push")
        answered = body.get("orderId") if isinstance(body, dict) else None
        if answered is None or str(answered) != order_id:
            raise PortalOutcomeUnknownError("push answer without this orderId")

    def _call(
        self,
        method: str,
        path: str,
        *,
        safe: bool,
        what: str,
        json_body: Any = None,
        params: Mapping[str, str] | None = None,
        files: Sequence[Any] | None = None,
        not_found_id: str = "",
    ) -> Any:
        attempt = 0
        refreshed = False
        while True:
            attempt += 1
            try:
                return self._attempt(method, path, safe, json_body, params, files, not_found_id)
            except _Unauthorized:
                # The token expired: one fresh token, one more try (the request was not done).
                if refreshed:
                    raise AuthFailedError("HTTP 401 after a token refresh") from None
                refreshed = True
                self.refreshes += 1
                self._token = self._tokens.refresh()
                attempt -= 1
            except _Retry as failure:
                if attempt >= self.retry.max_attempts:
                    raise failure.error from None
                if failure.wait_at_least > self.retry.retry_after_max:
                    raise failure.error from None
                self._sleep(max(failure.wait_at_least, self.retry.backoff(attempt, self._rng)))

    def _attempt(
        self,
        method: str,
        path: str,
        safe: bool,
        json_body: Any,
        params: Mapping[str, str] | None,
        files: Sequence[Any] | None,
        not_found_id: str,
    ) -> Any:
        self.attempts += 1
        if self._token is None:
            self._token = self._tokens.token()
        headers = {"Authorization": f"Bearer {self._token}"}
        try:
            response = self._client.request(
                method, path, params=params, json=json_body, files=files, headers=headers
            )
        except (httpx.ConnectError, httpx.ConnectTimeout) as exc:
            # The request never reached the portal: repeating it is safe even for a push.
            raise _Retry(PortalUnreachableError(type(exc).__name__)) from exc
        except httpx.TransportError as exc:
            if not safe:
                raise PortalOutcomeUnknownError(type(exc).__name__) from exc
            raise _Retry(PortalConnectionLostError(type(exc).__name__)) from exc
        status = response.status_code
        body = _json_or_none(response)
        code = str(body.get("code") or "") if isinstance(body, dict) else ""
        message = str(body.get("message") or "") if isinstance(body, dict) else ""
        wait = parse_retry_after(response.headers.get("Retry-After")) or 0.0
        if status == 204:
            if not_found_id:
                raise PortalNotFoundError("HTTP 204", portal_id=not_found_id)
            return {}
        if 200 <= status < 300:
            if body is None:
                if not safe:
                    raise PortalOutcomeUnknownError(f"HTTP {status}: not JSON")
                raise _Retry(PortalBadResponseError(f"HTTP {status}: not JSON"))
            return body
        if status == 401:
            raise _Unauthorized()
        if status == 429 or code in LIMIT_CODES:
            raise _Retry(PortalLimitError(f"HTTP {status} {code}"), wait_at_least=wait)
        if status >= 500:
            if not safe:
                # 502–504 from a gateway say nothing about whether the portal did the work.
                raise PortalOutcomeUnknownError(f"HTTP {status}")
            raise _Retry(PortalUnavailableError(f"HTTP {status}"), wait_at_least=wait)
        if status == 404 and not_found_id:
            raise PortalNotFoundError(f"HTTP {status}", portal_id=not_found_id)
        reason = message or f"HTTP {status}"
        raise PortalRejectedError(
            f"HTTP {status} {code}",
            reason=reason.rstrip("."),
            portal_code=code,
            fields=draft_fields_in(message),
        )


def _json_or_none(response: httpx.Response) -> Any:
    if not response.content:
        return None
    try:
        return response.json()
    except (ValueError, UnicodeDecodeError):
        return None


def _order_state(order_id: str, body: Any) -> OrderState:
    if not isinstance(body, dict):
        raise PortalBadResponseError("details are not an object")
    code = body.get("code")
    message = body.get("message")
    order_text = body.get("order")
    order: dict[str, Any] = {}
    if isinstance(order_text, str) and order_text.strip():
        try:
            parsed = json.loads(order_text)
        except ValueError as exc:
            raise PortalBadResponseError("order is not JSON") from exc
        if not isinstance(parsed, dict):
            raise PortalBadResponseError("order is not an object")
        order = parsed
    elif isinstance(order_text, dict):
        order = order_text
    status = order.get("orderStatusId")
    current = order.get("currentStatusHistory")
    if isinstance(current, list):
        current = current[-1] if current else None
    current = current if isinstance(current, dict) else {}
    files = order.get("orderAttachmentFiles") or []
    names = tuple(
        str(f.get("fileName")) for f in files if isinstance(f, dict) and f.get("fileName")
    )
    return OrderState(
        order_id=order_id,
        processing_code=code if isinstance(code, str) and code else None,
        message=message if isinstance(message, str) and message else None,
        status_id=status if isinstance(status, int) and not isinstance(status, bool) else None,
        status_title=current.get("title") if isinstance(current.get("title"), str) else None,
        comment=current.get("comment") if isinstance(current.get("comment"), str) else None,
        files=names,
        cancel_allowed=bool(current.get("cancelAllowed", False)),
    )
