"""Scanners behind one interface (no Qt): SANE (Linux), eSCL/AirScan (network), WIA (Windows).

    from omsdesktop.scan import default_backends, list_devices, scan, ScanOptions, autocrop
    backends = default_backends()
    found = list_devices(backends)            # DeviceList: devices + per-backend problems
    pages = scan("sane:test:0", ScanOptions(dpi=300), backends=backends,
                 progress=..., cancelled=...)
    card = autocrop(pages[0].image, dpi=pages[0].dpi).image

Native drivers (SANE, WIA) run in a worker process (:mod:`omsdesktop.scan.worker`): a crashing
driver gives :class:`ScannerDriverCrashedError`, never takes the app down.
"""

from __future__ import annotations

from omsdesktop.scan.autocrop import Cropped, autocrop, find_documents
from omsdesktop.scan.devices import (
    default_backends,
    iter_scan,
    list_devices,
    no_scanners_error,
    scan,
    split_device_id,
)
from omsdesktop.scan.errors import (
    FeederUnavailableError,
    NoScannersFoundError,
    ScanCancelledError,
    ScannerAccessDeniedError,
    ScannerBackendUnavailableError,
    ScannerBusyError,
    ScannerCoverOpenError,
    ScannerDataError,
    ScannerDisconnectedError,
    ScannerDriverCrashedError,
    ScannerError,
    ScannerJammedError,
    ScannerNotFoundError,
    ScannerNotRespondingError,
    ScannerOutOfPaperError,
    ScannerUnreachableError,
    ScanOptionUnsupportedError,
    UnknownDeviceIdError,
)
from omsdesktop.scan.escl import EsclBackend, discover
from omsdesktop.scan.sane_backend import sane_backend
from omsdesktop.scan.types import (
    ColourMode,
    DeviceCapabilities,
    DeviceInfo,
    DeviceList,
    ScannedPage,
    ScannerBackend,
    ScanOptions,
    Source,
    encode_pages,
)
from omsdesktop.scan.wia import wia_backend
from omsdesktop.scan.worker import OutOfProcessBackend

__all__ = [
    "ColourMode",
    "Cropped",
    "DeviceCapabilities",
    "DeviceInfo",
    "DeviceList",
    "EsclBackend",
    "FeederUnavailableError",
    "NoScannersFoundError",
    "OutOfProcessBackend",
    "ScanCancelledError",
    "ScanOptionUnsupportedError",
    "ScanOptions",
    "ScannedPage",
    "ScannerAccessDeniedError",
    "ScannerBackend",
    "ScannerBackendUnavailableError",
    "ScannerBusyError",
    "ScannerCoverOpenError",
    "ScannerDataError",
    "ScannerDisconnectedError",
    "ScannerDriverCrashedError",
    "ScannerError",
    "ScannerJammedError",
    "ScannerNotFoundError",
    "ScannerNotRespondingError",
    "ScannerOutOfPaperError",
    "ScannerUnreachableError",
    "Source",
    "UnknownDeviceIdError",
    "autocrop",
    "default_backends",
    "discover",
    "encode_pages",
    "find_documents",
    "iter_scan",
    "list_devices",
    "no_scanners_error",
    "sane_backend",
    "scan",
    "split_device_id",
    "wia_backend",
]
