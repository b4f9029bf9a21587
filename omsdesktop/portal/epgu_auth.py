"""Credentials and transport of the EPGU connection.

Every EPGU call carries an ESIA OAuth2 bearer token (scope ``http://lk.gosuslugi.ru/api-order``).
Getting one needs the organisation's information system registered on the ESIA technology
portal and a GOST signature of the token request; that is the organisation's ESIA agent's job.
This module only asks a :class:`TokenProvider` for the current token, and for a new one once
after a 401. Tokens live in the OS keyring (or the environment), never in the database.

The transport is pluggable: the base URL, an HTTP(S) proxy (a GOST TLS proxy or the SMEV4
agent in front of the portal), a client certificate and a CA bundle.
"""

from __future__ import annotations

from collections.abc import Callable
from contextlib import suppress
from dataclasses import dataclass
from typing import Protocol

import httpx

from omsdesktop import __version__
from omsdesktop.portal.config import check_portal_url, resolve_token, store_token
from omsdesktop.portal.errors import AuthFailedError

ESIA_SCOPE = "http://lk.gosuslugi.ru/api-order"


class TokenProvider(Protocol):
    """Where the bearer token comes from."""

    def token(self) -> str:
        """The current token."""
        ...

    def refresh(self) -> str:
        """A new token after the portal refused the current one (401).

        Raises:
            AuthFailedError: no new token can be had; the submission stays queued.
        """
        ...


class StaticTokenProvider:
    """A fixed token (tests, the sandbox); ``refresh`` gives the next one of ``then``, if any."""

    def __init__(self, token: str, *then: str) -> None:
        self._tokens = [token, *then]
        self.refreshes = 0

    def token(self) -> str:
        return self._tokens[0]

    def refresh(self) -> str:
        self.refreshes += 1
        if len(self._tokens) < 2:
            raise AuthFailedError("no fresh token")
        self._tokens.pop(0)
        return self._tokens[0]


class KeyringTokenProvider:
    """The token of ``OMSDESKTOP_PORTAL_TOKEN``, the OS keyring or the settings.

    ``refresh`` calls ``renew`` (the organisation's ESIA OAuth2 refresh: a function returning
    a new token), keeps the new token in the keyring, and returns it. Without ``renew`` it
    reads the keyring again: an ESIA agent running beside the program may have put a fresh
    token there.
    """

    def __init__(self, portal_url: str, renew: Callable[[], str] | None = None) -> None:
        self.portal_url = portal_url
        self._renew = renew
        self._current: str | None = None

    def token(self) -> str:
        if self._current is None:
            self._current = resolve_token(self.portal_url)
        return self._current

    def refresh(self) -> str:
        old = self._current
        if self._renew is not None:
            fresh = self._renew().strip()
            if fresh:
                from keyring.errors import KeyringError

                # No keyring on this machine: the token is used, not kept.
                with suppress(KeyringError, RuntimeError):
                    store_token(self.portal_url, fresh)
        else:
            fresh = resolve_token(self.portal_url)
        if not fresh or fresh == old:
            raise AuthFailedError("the token was not renewed")
        self._current = fresh
        return fresh


@dataclass(frozen=True)
class EpguTransport:
    """How to reach the portal.

    Attributes:
        base_url: the portal's API address (https; http only to the loopback sandbox).
        proxy: an HTTP(S) proxy URL (a GOST TLS proxy, the SMEV4 agent), None for direct.
        client_cert, client_key: paths of a client certificate and its key, if needed.
        ca_bundle: a CA bundle (GOST roots) to verify the portal with; None: the system's.
        timeout: seconds for connect/read/write.
    """

    base_url: str
    proxy: str | None = None
    client_cert: str | None = None
    client_key: str | None = None
    ca_bundle: str | None = None
    timeout: float = 30.0

    def client(self, transport: httpx.BaseTransport | None = None) -> httpx.Client:
        """An httpx client for this transport (``transport`` replaces the network in tests)."""
        cert: str | tuple[str, str] | None = None
        if self.client_cert and self.client_key:
            cert = (self.client_cert, self.client_key)
        elif self.client_cert:
            cert = self.client_cert
        return httpx.Client(
            base_url=check_portal_url(self.base_url),
            timeout=httpx.Timeout(self.timeout, connect=min(5.0, self.timeout)),
            proxy=self.proxy or None,
            cert=cert,
            verify=self.ca_bundle or True,
            transport=transport,
            headers={"User-Agent": f"omsdesktop/{__version__}", "Accept": "application/json"},
            follow_redirects=False,
        )
