"""HTTP client of the portal contract (docs/portal-api.yaml), with safe retries.

* Timeouts on connect, read, write and pool.
* Retries with exponential backoff and jitter on connection errors, read errors, timeouts,
  5xx, 429 (waiting at least ``Retry-After``) and unreadable 2xx answers; never on other 4xx.
* Every retry of a create or an upload carries the same ``Idempotency-Key``, so a request whose
  answer was lost is answered from the portal's record instead of being done twice.
* TLS is required, except for plain http to the loopback training portal.

Nothing here logs request bodies: they hold a child's personal data.
"""

from __future__ import annotations

import email.utils
import json
import random
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Any

import httpx

from omsdesktop import __version__
from omsdesktop.portal.config import check_portal_url
from omsdesktop.portal.contract import (
    ATTACHMENT_MEDIA_TYPES,
    MAX_ATTACHMENT_BYTES,
    ApplicationPayload,
    PortalApplication,
    PortalErrorBody,
)
from omsdesktop.portal.errors import (
    AuthFailedError,
    PortalBadResponseError,
    PortalConnectionLostError,
    PortalDuplicateError,
    PortalError,
    PortalNotFoundError,
    PortalRejectedError,
    PortalTimeoutError,
    PortalUnavailableError,
    PortalUnreachableError,
)

DEFAULT_TIMEOUT = httpx.Timeout(connect=5.0, read=30.0, write=30.0, pool=5.0)


@dataclass(frozen=True)
class RetryPolicy:
    """How hard to try before leaving the request to the outbox.

    Attributes:
        max_attempts: attempts in all (1 = no retry).
        backoff_base: the first backoff in seconds; doubles on each retry.
        backoff_max: the longest backoff.
        retry_after_max: a ``Retry-After`` longer than this stops retrying now (the outbox
            sends later) instead of blocking the caller.
    """

    max_attempts: int = 4
    backoff_base: float = 0.5
    backoff_max: float = 20.0
    retry_after_max: float = 60.0

    def backoff(self, retry: int, rng: random.Random) -> float:
        """Exponential backoff with "equal jitter": half fixed, half random."""
        ceiling = min(self.backoff_max, self.backoff_base * (2 ** max(0, retry - 1)))
        return float(ceiling / 2 + rng.uniform(0, ceiling / 2))


def parse_retry_after(value: str | None, now: datetime | None = None) -> float | None:
    """Seconds to wait from a ``Retry-After`` header (delta-seconds or an HTTP date)."""
    if value is None or not value.strip():
        return None
    text = value.strip()
    if text.isdigit():
        return float(text)
    try:
        when = email.utils.parsedate_to_datetime(text)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=timezone.utc)
    now = now or datetime.now(timezone.utc)
    return max(0.0, (when - now).total_seconds())


class _Retryable(Exception):
    """Internal: an attempt failed in a way that a retry may fix."""

    def __init__(self, error: PortalError, wait_at_least: float = 0.0) -> None:
        super().__init__(error.code)
        self.error = error
        self.wait_at_least = wait_at_least


class HttpPortalClient:
    """:class:`~omsdesktop.portal.adapter.PortalAdapter` over HTTPS (httpx)."""

    def __init__(
        self,
        base_url: str,
        token: str,
        *,
        timeout: httpx.Timeout | float = DEFAULT_TIMEOUT,
        retry: RetryPolicy | None = None,
        sleep: Callable[[float], None] = time.sleep,
        rng: random.Random | None = None,
        transport: httpx.BaseTransport | None = None,
        verify: bool | str = True,
    ) -> None:
        self.base_url = check_portal_url(base_url)
        self.retry = retry or RetryPolicy()
        self._sleep = sleep
        self._rng = rng or random.Random()
        self.attempts = 0  # requests sent in all (for reports and tests)
        self._client = httpx.Client(
            base_url=self.base_url,
            timeout=timeout,
            headers={
                "Authorization": f"Bearer {token}",
                "Accept": "application/json",
                "User-Agent": f"omsdesktop/{__version__}",
            },
            transport=transport,
            verify=verify,
            follow_redirects=False,
        )

    def close(self) -> None:
        self._client.close()

    def __enter__(self) -> HttpPortalClient:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # ------------------------------------------------------------------------- the contract

    def upload_attachment(
        self, data: bytes, *, media_type: str, document: str, idempotency_key: str
    ) -> str:
        if media_type not in ATTACHMENT_MEDIA_TYPES:
            raise ValueError(f"unsupported media type {media_type}")
        if len(data) > MAX_ATTACHMENT_BYTES:
            raise ValueError("attachment larger than 5 MB")
        body = self._request(
            "POST",
            "/attachments",
            params={"document": document},
            content=data,
            headers={"Content-Type": media_type},
            idempotency_key=idempotency_key,
        )
        attachment_id = body.get("id") if isinstance(body, dict) else None
        if not isinstance(attachment_id, str) or not attachment_id:
            raise PortalBadResponseError("attachment without id")
        return attachment_id

    def create_application(
        self, application: ApplicationPayload, *, idempotency_key: str
    ) -> PortalApplication:
        body = self._request(
            "POST",
            "/applications",
            json_body=application.to_json(),
            idempotency_key=idempotency_key,
        )
        return PortalApplication.from_json(body)

    def get_application(self, portal_id: str) -> PortalApplication:
        body = self._request("GET", f"/applications/{portal_id}", not_found_id=portal_id)
        return PortalApplication.from_json(body)

    # ---------------------------------------------------------------------------- transport

    def _request(
        self,
        method: str,
        path: str,
        *,
        params: Mapping[str, str] | None = None,
        json_body: Any = None,
        content: bytes | None = None,
        headers: Mapping[str, str] | None = None,
        idempotency_key: str | None = None,
        not_found_id: str = "",
    ) -> Any:
        request_headers = dict(headers or {})
        if idempotency_key is not None:
            request_headers["Idempotency-Key"] = idempotency_key
        if json_body is not None:
            content = json.dumps(json_body, ensure_ascii=False, sort_keys=True).encode("utf-8")
            request_headers["Content-Type"] = "application/json; charset=utf-8"
        attempt = 0
        while True:
            attempt += 1
            try:
                return self._attempt(method, path, params, content, request_headers, not_found_id)
            except _Retryable as failure:
                if attempt >= self.retry.max_attempts:
                    raise failure.error from None
                if failure.wait_at_least > self.retry.retry_after_max:
                    raise failure.error from None
                delay = max(failure.wait_at_least, self.retry.backoff(attempt, self._rng))
                self._sleep(delay)

    def _attempt(
        self,
        method: str,
        path: str,
        params: Mapping[str, str] | None,
        content: bytes | None,
        headers: Mapping[str, str],
        not_found_id: str,
    ) -> Any:
        self.attempts += 1
        try:
            response = self._client.request(
                method, path, params=params, content=content, headers=headers
            )
        except (httpx.ConnectError, httpx.ConnectTimeout) as exc:
            raise _Retryable(PortalUnreachableError(type(exc).__name__)) from exc
        except httpx.TimeoutException as exc:
            raise _Retryable(PortalTimeoutError(type(exc).__name__)) from exc
        except (httpx.RemoteProtocolError, httpx.ReadError, httpx.WriteError) as exc:
            # The connection broke: the request may or may not have been done. The same
            # idempotency key on the retry makes that safe.
            raise _Retryable(PortalConnectionLostError(type(exc).__name__)) from exc
        except httpx.TransportError as exc:
            raise _Retryable(PortalUnreachableError(type(exc).__name__)) from exc
        status = response.status_code
        if 200 <= status < 300:
            try:
                return response.json()
            except (ValueError, UnicodeDecodeError) as exc:
                raise _Retryable(PortalBadResponseError(f"HTTP {status}: not JSON")) from exc
        error_body = _error_body(response)
        if status == 429 or status >= 500:
            wait = parse_retry_after(response.headers.get("Retry-After")) or 0.0
            raise _Retryable(PortalUnavailableError(f"HTTP {status}"), wait_at_least=wait)
        reason = error_body.reason() if error_body else f"HTTP {status}"
        portal_code = error_body.code if error_body else ""
        fields = tuple(f[0] for f in error_body.fields) if error_body else ()
        if status in (401, 403):
            raise AuthFailedError(f"HTTP {status}")
        if status == 404 and not_found_id:
            raise PortalNotFoundError(f"HTTP {status}", portal_id=not_found_id)
        if status == 409:
            raise PortalDuplicateError(
                f"HTTP {status}", reason=reason, portal_code=portal_code, fields=fields
            )
        if error_body is None and status not in (400, 413, 415, 422):
            raise PortalBadResponseError(f"HTTP {status} without the error model")
        raise PortalRejectedError(
            f"HTTP {status}", reason=reason, portal_code=portal_code, fields=fields
        )


def _error_body(response: httpx.Response) -> PortalErrorBody | None:
    try:
        return PortalErrorBody.parse(response.json())
    except (ValueError, UnicodeDecodeError):
        return None
