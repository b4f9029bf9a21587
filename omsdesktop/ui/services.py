"""What the window needs from the rest of the program, handed in by the composition root.

No globals: ``omsdesktop/app.py`` builds one :class:`Services` and passes it to the main window;
tests build their own (a temporary database, a loopback portal, a failing OCR engine factory).
Every callable here may block (database, network, subprocesses): the window calls them only from
worker jobs.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any

from omsdesktop.settings import Settings

if TYPE_CHECKING:
    from omsdesktop.ocr.engine import OcrEngine
    from omsdesktop.portal.adapter import PortalAdapter
    from omsdesktop.scan.types import ScannerBackend
    from omsdesktop.storage.store import Store


def _default_engine(settings: Settings) -> OcrEngine:
    from omsdesktop.ocr.engine import create_engine

    return create_engine(settings.ocr)


def _default_store(settings: Settings) -> Store:
    from omsdesktop.storage.store import Store

    return Store.open(settings.database_url, operator=settings.operator)


def _default_portal(url: str) -> PortalAdapter:
    """Our contract's client or the EPGU adapter, as the settings' ``portal.api`` says."""
    from omsdesktop.portal.factory import make_adapter

    return make_adapter(url)


def _default_portal_url(settings: Settings) -> str:
    from omsdesktop.portal.config import check_portal_url, resolve_portal_url

    return check_portal_url(resolve_portal_url(settings.portal_url))


def _default_save_settings(settings: Settings) -> None:
    from omsdesktop.settings import save_settings

    save_settings(settings)


def _default_store_token(portal_url: str, token: str) -> None:
    from omsdesktop.portal.config import store_token

    store_token(portal_url, token)


def _default_scanner_backends(settings: Settings) -> list[ScannerBackend]:
    from omsdesktop.scan import default_backends

    return default_backends()


class EngineCache:
    """The OCR engine the window reads with, built once and kept (issue #12).

    Building an engine loads Tesseract's language models (tens of MB, a tenth of a second or
    more); built per document, a day's reading allocated and freed them hundreds of times. The
    engine is kept for as long as the factory and the OCR settings stay the same; a change of
    either (the settings dialog, a test swapping the factory) builds a new one on next use. A
    failed build is not kept: the next document tries again (the user may have fixed the
    settings). Thread-safe: reading jobs call it from worker threads.

    Tesseract's models are loaded per thread (``TesserocrEngine``): the page pass's band
    thread keeps its own for the window's life. A Qt pool thread does not: PySide6 gives each
    job a fresh Python thread state, so the job's thread-locals, and its models (about 10 MB
    a language, 0.01-0.1 s to load), go when the job ends. That is kept as it is: between
    documents the reading thread holds no models.
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._key: tuple[Any, ...] | None = None
        self._engine: OcrEngine | None = None
        self.builds = 0
        """How many engines were built (for tests and the memory benchmark)."""

    def get(self, factory: Callable[[Settings], OcrEngine], settings: Settings) -> OcrEngine:
        key = (factory, settings.ocr)
        with self._lock:
            if self._engine is None or self._key != key:
                self._engine = None  # let the old one go before loading the new models
                self._key = None
                engine = factory(settings)
                self.builds += 1
                self._engine, self._key = engine, key
            return self._engine


@dataclass
class Services:
    """The window's collaborators.

    Attributes:
        settings: the current settings (replaced when the settings dialog saves).
        open_store: opens the draft database (blocking: called in a worker).
        engine_factory: builds the OCR engine for the current settings.
        portal_factory: a portal client for a portal address (``flush_outbox``'s factory).
        portal_url: the checked portal address for the current settings.
        save_settings: writes the settings file.
        store_token: keeps a portal token in the OS keyring.
        scanner_backends: the scanner backends (SANE/WIA/eSCL) for scanning and listing.
        outbox_interval_ms: how often queued applications are retried.
        engines: keeps the engine :meth:`engine` built (shared by :meth:`with_settings`'s
            copies; rebuilt when the OCR settings or the factory change).
    """

    settings: Settings
    open_store: Callable[[Settings], Store] = _default_store
    engine_factory: Callable[[Settings], OcrEngine] = _default_engine
    portal_factory: Callable[[str], PortalAdapter] = _default_portal
    portal_url: Callable[[Settings], str] = _default_portal_url
    save_settings: Callable[[Settings], None] = _default_save_settings
    store_token: Callable[[str, str], None] = _default_store_token
    scanner_backends: Callable[[Settings], list[ScannerBackend]] = _default_scanner_backends
    outbox_interval_ms: int = 60_000
    engines: EngineCache = field(default_factory=EngineCache, repr=False, compare=False)

    def engine(self) -> OcrEngine:
        """*Blocking on first use.* The OCR engine for the current settings, built once by
        :attr:`engine_factory` and kept; raises what the factory raises."""
        return self.engines.get(self.engine_factory, self.settings)

    def with_settings(self, settings: Settings) -> Services:
        return replace(self, settings=settings)
