"""The portal's address and access token: argument, environment, keyring, settings."""

from __future__ import annotations

import ipaddress
import os
from urllib.parse import urlsplit

from omsdesktop.portal.errors import InsecurePortalUrlError, PortalTokenMissingError
from omsdesktop.storage.config import settings_value

PORTAL_URL_ENV = "OMSDESKTOP_PORTAL_URL"
PORTAL_TOKEN_ENV = "OMSDESKTOP_PORTAL_TOKEN"
TOKEN_KEYRING_SERVICE = "omsdesktop-portal"
DEFAULT_SANDBOX_PORT = 8765
DEFAULT_PORTAL_URL = f"http://127.0.0.1:{DEFAULT_SANDBOX_PORT}"
SANDBOX_TOKEN = "sandbox"  # what the training portal accepts unless started with --token


def normalize_url(url: str) -> str:
    return url.strip().rstrip("/")


def resolve_portal_url(url: str | None = None) -> str:
    """Argument, ``OMSDESKTOP_PORTAL_URL``, settings ``portal_url``, else the local sandbox."""
    for candidate in (url, os.environ.get(PORTAL_URL_ENV), settings_value("portal_url")):
        if candidate and candidate.strip():
            return normalize_url(candidate)
    return DEFAULT_PORTAL_URL


def is_loopback_host(host: str) -> bool:
    if host.lower() in {"localhost", "localhost."}:
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def check_portal_url(url: str) -> str:
    """Return the normalised URL; refuse anything but https, except http on loopback."""
    url = normalize_url(url)
    parts = urlsplit(url)
    host = parts.hostname or ""
    if not host or parts.scheme not in {"https", "http"}:
        raise InsecurePortalUrlError("not an http(s) URL", portal=url)
    if parts.scheme == "http" and not is_loopback_host(host):
        raise InsecurePortalUrlError("plain http to a non-loopback host", portal=url)
    return url


def _keyring_token(portal_url: str) -> str | None:
    import keyring
    from keyring.errors import KeyringError

    try:
        return keyring.get_password(TOKEN_KEYRING_SERVICE, normalize_url(portal_url))
    except (KeyringError, RuntimeError, OSError):
        return None


def store_token(portal_url: str, token: str) -> None:
    """Keep the token in the OS keyring (raises ``keyring.errors.KeyringError`` if none)."""
    import keyring

    keyring.set_password(TOKEN_KEYRING_SERVICE, normalize_url(portal_url), token)


def resolve_token(portal_url: str) -> str:
    """``OMSDESKTOP_PORTAL_TOKEN``, then the keyring, then settings ``portal_token``.

    The local training portal accepts :data:`SANDBOX_TOKEN` when nothing else is set.
    """
    keyring_off = os.environ.get("OMSDESKTOP_KEYRING", "").strip().lower() in {"off", "0", "no"}
    candidates = [os.environ.get(PORTAL_TOKEN_ENV)]
    if not keyring_off:
        candidates.append(_keyring_token(portal_url))
    candidates.append(settings_value("portal_token"))
    for candidate in candidates:
        if candidate and candidate.strip():
            return candidate.strip()
    host = urlsplit(portal_url).hostname or ""
    if is_loopback_host(host):
        return SANDBOX_TOKEN
    raise PortalTokenMissingError(portal=normalize_url(portal_url))
