"""One entry point over every scanner backend: list devices, scan by device id.

    found = list_devices(default_backends())
    pages = scan("sane:test:0", ScanOptions(dpi=300), progress=bar.set, cancelled=stop.is_set)

A device id is ``BACKEND:LOCAL``; the backend part picks the backend. Long operations take the
usual ``progress``/``cancelled`` callbacks and run in the caller's thread (the window runs them
in its worker pool).
"""

from __future__ import annotations

import sys
from collections.abc import Iterator, Sequence

from omsdesktop.scan.errors import (
    NoScannersFoundError,
    ScannerBackendUnavailableError,
    ScannerError,
    UnknownDeviceIdError,
)
from omsdesktop.scan.escl import EsclBackend
from omsdesktop.scan.sane_backend import sane_backend
from omsdesktop.scan.types import (
    BackendProblem,
    Cancelled,
    DeviceList,
    Progress,
    ScannedPage,
    ScannerBackend,
    ScanOptions,
)
from omsdesktop.scan.wia import wia_backend

BACKEND_NAMES = ("sane", "escl", "wia")
DEFAULT_OPTIONS = ScanOptions()

# python-sane is the optional extra omsdesktop[sane] (no wheels: it is compiled against
# libsane-dev); the self-contained bundle carries no SANE at all, only network scanners.
_SANE_HINT_RU = (
    "Сканеры USB через SANE не подключены: установите системные пакеты libsane1 и sane-utils, "
    "затем дополнение программы командой «pip install 'omsdesktop[sane]'» (для сборки нужны "
    "пакеты gcc и libsane-dev). Сетевые сканеры (AirScan/eSCL) работают и без этого."
)
_SANE_HINT_EN = (
    "USB scanners through SANE are not set up: install the system packages libsane1 and "
    "sane-utils, then the extra with 'pip install omsdesktop[sane]' (building it needs gcc "
    "and libsane-dev). Network scanners (AirScan/eSCL) work without it."
)
_SANE_HINT_BUNDLE_RU = (
    "В этой сборке программы нет драйверов SANE для сканеров USB. Подключите сканер по сети "
    "(AirScan/eSCL) или отсканируйте документ другой программой и откройте файл."
)
_SANE_HINT_BUNDLE_EN = (
    "This build of the program has no SANE drivers for USB scanners. Use a network scanner "
    "(AirScan/eSCL), or scan with another program and open the file."
)


def _sane_hints() -> tuple[str, str]:
    if getattr(sys, "frozen", False):
        return _SANE_HINT_BUNDLE_RU, _SANE_HINT_BUNDLE_EN
    return _SANE_HINT_RU, _SANE_HINT_EN


_UNAVAILABLE_HINTS_RU = {
    "sane": _sane_hints()[0],
    "wia": "WIA недоступен: установите пакет pywin32.",
    "escl": "Сетевые сканеры недоступны.",
}
_UNAVAILABLE_HINTS_EN = {
    "sane": _sane_hints()[1],
    "wia": "WIA is not available: install pywin32.",
    "escl": "Network scanners are not available.",
}


def default_backends(
    *,
    names: Sequence[str] | None = None,
    escl_addresses: Sequence[str] = (),
    discover: bool = True,
    discovery_timeout_s: float = 2.0,
    sane_env: dict[str, str] | None = None,
) -> list[ScannerBackend]:
    """The backends that make sense on this OS (SANE on Linux/BSD/macOS, WIA on Windows,
    eSCL everywhere), optionally only those named."""
    wanted = set(names) if names else set(BACKEND_NAMES)
    backends: list[ScannerBackend] = []
    if "sane" in wanted and sys.platform != "win32":
        backends.append(sane_backend(env=sane_env))
    if "wia" in wanted and sys.platform == "win32":
        backends.append(wia_backend())
    if "escl" in wanted:
        backends.append(
            EsclBackend(escl_addresses, discover=discover, discovery_timeout_s=discovery_timeout_s)
        )
    return backends


def split_device_id(device_id: str) -> tuple[str, str]:
    backend, sep, local = device_id.partition(":")
    if not sep or backend not in BACKEND_NAMES or not local:
        raise UnknownDeviceIdError(f"bad device id prefix {backend!r}")
    return backend, local


def list_devices(
    backends: Sequence[ScannerBackend], *, cancelled: Cancelled | None = None
) -> DeviceList:
    """Every device of every backend; a backend that fails adds a problem, not an exception."""
    devices = []
    problems = []
    for backend in backends:
        if cancelled is not None and cancelled():
            break
        if not backend.available():
            problems.append(
                BackendProblem(
                    backend.name,
                    ScannerBackendUnavailableError.code,
                    _UNAVAILABLE_HINTS_RU.get(backend.name, ""),
                    _UNAVAILABLE_HINTS_EN.get(backend.name, ""),
                )
            )
            continue
        try:
            devices.extend(backend.list_devices(cancelled=cancelled))
        except ScannerError as exc:
            problems.append(
                BackendProblem(backend.name, exc.code, exc.message("ru"), exc.message("en"))
            )
    return DeviceList(tuple(devices), tuple(problems))


def no_scanners_error(found: DeviceList) -> NoScannersFoundError:
    """The "no scanners" error with what each backend reported as hints."""
    hints = " ".join(p.message for p in found.problems if p.message)
    return NoScannersFoundError("no devices", hints=hints)


def _backend_for(device_id: str, backends: Sequence[ScannerBackend]) -> tuple[ScannerBackend, str]:
    name, local = split_device_id(device_id)
    for backend in backends:
        if backend.name == name:
            if not backend.available():
                raise ScannerBackendUnavailableError(
                    f"{name} unavailable", why=_UNAVAILABLE_HINTS_RU.get(name, name)
                )
            return backend, local
    raise ScannerBackendUnavailableError(
        f"{name} not on this system", why=_UNAVAILABLE_HINTS_RU.get(name, name)
    )


def iter_scan(
    device_id: str,
    options: ScanOptions = DEFAULT_OPTIONS,
    *,
    backends: Sequence[ScannerBackend],
    progress: Progress | None = None,
    cancelled: Cancelled | None = None,
) -> Iterator[ScannedPage]:
    """Pages as they arrive from the device (close the iterator early to stop the scan)."""
    backend, local = _backend_for(device_id, backends)
    yield from backend.scan(local, options, progress=progress, cancelled=cancelled)


def scan(
    device_id: str,
    options: ScanOptions = DEFAULT_OPTIONS,
    *,
    backends: Sequence[ScannerBackend],
    progress: Progress | None = None,
    cancelled: Cancelled | None = None,
) -> list[ScannedPage]:
    """Every page of one scan (one from the glass; all from the feeder)."""
    return list(
        iter_scan(device_id, options, backends=backends, progress=progress, cancelled=cancelled)
    )
