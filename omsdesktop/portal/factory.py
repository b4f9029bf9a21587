"""Build the portal adapter the settings ask for: our contract or the EPGU API.

``portal.api`` in the settings (or ``OMSDESKTOP_PORTAL_API``, or ``--api``) chooses. The EPGU
service and target codes are settings because the public catalogue has no service for attaching
an OMS policy yet; only the loopback training portal works without them.
"""

from __future__ import annotations

import os
from urllib.parse import urlsplit

from omsdesktop.portal.adapter import PortalAdapter
from omsdesktop.portal.client import HttpPortalClient, RetryPolicy
from omsdesktop.portal.config import is_loopback_host, resolve_token
from omsdesktop.portal.epgu_auth import EpguTransport, KeyringTokenProvider, TokenProvider
from omsdesktop.portal.epgu_client import MB, EpguClient, OrderMeta
from omsdesktop.portal.errors import EpguNotConfiguredError
from omsdesktop.settings import PortalSettings, load_settings
from omsdesktop.storage.model import PORTAL_APIS, PortalApi

PORTAL_API_ENV = "OMSDESKTOP_PORTAL_API"
SANDBOX_SERVICE_CODE = "10000000000"
SANDBOX_TARGET_CODE = "-10000000000"


def resolve_portal_api(api: str | None = None, settings: PortalSettings | None = None) -> PortalApi:
    """Argument, ``OMSDESKTOP_PORTAL_API``, settings ``portal.api``, else ``contract``."""
    configured = (settings or load_settings().portal).api
    for candidate in (api, os.environ.get(PORTAL_API_ENV), configured):
        if candidate and candidate.strip() in PORTAL_APIS:
            return "epgu" if candidate.strip() == "epgu" else "contract"
    return "contract"


def order_meta(portal_url: str, settings: PortalSettings) -> OrderMeta:
    """The order's service, target and region; the sandbox's codes on loopback only.

    Raises:
        EpguNotConfiguredError: no service or target code for a real portal.
    """
    service, target = settings.service_code, settings.target_code
    if not (service and target):
        if not is_loopback_host(urlsplit(portal_url).hostname or ""):
            raise EpguNotConfiguredError(portal=portal_url)
        service, target = SANDBOX_SERVICE_CODE, SANDBOX_TARGET_CODE
    return OrderMeta(region=settings.region, service_code=service, target_code=target)


def make_epgu_client(
    portal_url: str,
    settings: PortalSettings | None = None,
    *,
    tokens: TokenProvider | None = None,
    retry: RetryPolicy | None = None,
) -> EpguClient:
    """An EPGU client with the settings' transport (proxy, client certificate, CA bundle)."""
    settings = settings or load_settings().portal
    transport = EpguTransport(
        base_url=portal_url,
        proxy=settings.proxy,
        client_cert=settings.client_cert,
        client_key=settings.client_key,
        ca_bundle=settings.ca_bundle,
    )
    return EpguClient(
        transport,
        tokens or KeyringTokenProvider(portal_url),
        order_meta(portal_url, settings),
        retry=retry,
        chunk_threshold=int(settings.chunk_threshold_mb * MB),
    )


def make_adapter(portal_url: str, api: str | None = None) -> PortalAdapter:
    """The adapter for this portal address and API (the settings' API when None)."""
    settings = load_settings().portal
    if resolve_portal_api(api, settings) == "epgu":
        return make_epgu_client(portal_url, settings)
    return HttpPortalClient(portal_url, resolve_token(portal_url))
