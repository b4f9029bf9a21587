"""WIA scanners on Windows, through the WIA Automation Layer (``WIA.DeviceManager``).

:class:`WiaDriver` talks to the COM objects of ``wiaaut.dll`` via pywin32's
``win32com.client`` (imported lazily, only on Windows). It runs in the scanner worker process
(:func:`wia_backend`), like SANE, so a vendor driver that brings COM down ends the worker only.

WIA failures arrive as COM errors carrying an HRESULT in facility 0x21 (``WIA_ERROR_*``); they
are mapped onto the typed scanner errors. CI has no Windows: this module is tested with a fake
device object that mimics the automation objects (tests/scan/fake_wia.py), not a real device.
"""

from __future__ import annotations

import contextlib
import os
import sys
import tempfile
from collections.abc import Callable, Iterator
from typing import Any

from omsdesktop.ocr.intake import IntakeError, load_bytes
from omsdesktop.scan.errors import (
    FeederUnavailableError,
    ScanCancelledError,
    ScannerAccessDeniedError,
    ScannerBackendUnavailableError,
    ScannerBusyError,
    ScannerCoverOpenError,
    ScannerDataError,
    ScannerDisconnectedError,
    ScannerError,
    ScannerJammedError,
    ScannerNotFoundError,
    ScannerOutOfPaperError,
)
from omsdesktop.scan.types import (
    Cancelled,
    ColourMode,
    DeviceCapabilities,
    DeviceInfo,
    Progress,
    ScannedPage,
    ScanOptions,
    Source,
)
from omsdesktop.scan.worker import OutOfProcessBackend

NAME = "wia"

# WIA property ids (wiadef.h).
WIA_DIP_DEV_NAME = 7
WIA_DPS_DOCUMENT_HANDLING_CAPABILITIES = 3086
WIA_DPS_DOCUMENT_HANDLING_STATUS = 3087
WIA_DPS_DOCUMENT_HANDLING_SELECT = 3088
WIA_DPS_PAGES = 3096
WIA_IPS_CUR_INTENT = 6146
WIA_IPS_XRES = 6147
WIA_IPS_YRES = 6148
WIA_IPA_DEPTH = 4104

FEEDER, FLATBED = 0x001, 0x002
INTENT_COLOR, INTENT_GRAYSCALE = 0x1, 0x2
SCANNER_DEVICE_TYPE = 1
FORMAT_PNG = "{B96B3CAF-0728-11D3-9D7B-0000F81EF32E}"
FORMAT_BMP = "{B96B3CAB-0728-11D3-9D7B-0000F81EF32E}"

# HRESULTs of facility WIA (0x8021xxxx).
WIA_ERROR_GENERAL_ERROR = 0x80210001
WIA_ERROR_PAPER_JAM = 0x80210002
WIA_ERROR_PAPER_EMPTY = 0x80210003
WIA_ERROR_PAPER_PROBLEM = 0x80210004
WIA_ERROR_OFFLINE = 0x80210005
WIA_ERROR_BUSY = 0x80210006
WIA_ERROR_WARMING_UP = 0x80210007
WIA_ERROR_USER_INTERVENTION = 0x80210008
WIA_ERROR_ITEM_DELETED = 0x80210009
WIA_ERROR_DEVICE_COMMUNICATION = 0x8021000A
WIA_ERROR_DEVICE_LOCKED = 0x8021000D
WIA_ERROR_COVER_OPEN = 0x80210016
WIA_ERROR_MULTI_FEED = 0x80210020
WIA_S_NO_DEVICE_AVAILABLE = 0x80210015
E_ACCESSDENIED = 0x80070005
DISP_E_EXCEPTION = 0x80020009

_HRESULTS: dict[int, type[ScannerError]] = {
    WIA_ERROR_PAPER_JAM: ScannerJammedError,
    WIA_ERROR_MULTI_FEED: ScannerJammedError,
    WIA_ERROR_PAPER_EMPTY: ScannerOutOfPaperError,
    WIA_ERROR_BUSY: ScannerBusyError,
    WIA_ERROR_WARMING_UP: ScannerBusyError,
    WIA_ERROR_DEVICE_LOCKED: ScannerBusyError,
    WIA_ERROR_COVER_OPEN: ScannerCoverOpenError,
    WIA_ERROR_OFFLINE: ScannerDisconnectedError,
    WIA_ERROR_DEVICE_COMMUNICATION: ScannerDisconnectedError,
    WIA_ERROR_ITEM_DELETED: ScannerDisconnectedError,
    WIA_S_NO_DEVICE_AVAILABLE: ScannerNotFoundError,
    E_ACCESSDENIED: ScannerAccessDeniedError,
}


def hresult_of(exc: BaseException) -> int | None:
    """The HRESULT a COM error carries (pywin32 ``com_error`` or comtypes ``COMError``).

    For ``DISP_E_EXCEPTION`` the real code is the ``scode`` inside the EXCEPINFO tuple.
    """
    candidates: list[Any] = [getattr(exc, "hresult", None)]
    args: tuple[Any, ...] = tuple(getattr(exc, "args", ()))
    if args:
        candidates.append(args[0])
    for value in candidates:
        if isinstance(value, int):
            code = value & 0xFFFFFFFF
            excepinfo: Any = args[2] if len(args) >= 3 else None
            if (
                code == DISP_E_EXCEPTION
                and isinstance(excepinfo, tuple)
                and len(excepinfo) >= 6
                and isinstance(excepinfo[5], int)
            ):
                return excepinfo[5] & 0xFFFFFFFF
            return code
    return None


def map_com_error(exc: BaseException) -> ScannerError:
    code = hresult_of(exc)
    if code is None:
        return ScannerError(f"wia: {type(exc).__name__}")
    cls = _HRESULTS.get(code, ScannerError)
    return cls(f"wia: HRESULT 0x{code:08X}")


def _default_manager() -> Any:
    if sys.platform != "win32":
        raise ScannerBackendUnavailableError("not windows", why="WIA есть только в Windows.")
    try:
        import pythoncom
        import win32com.client
    except ImportError as exc:
        raise ScannerBackendUnavailableError(
            "pywin32 missing", why="не установлен пакет pywin32."
        ) from exc
    pythoncom.CoInitialize()
    return win32com.client.Dispatch("WIA.DeviceManager")


def pywin32_installed() -> bool:
    if sys.platform != "win32":
        return False
    import importlib.util

    return importlib.util.find_spec("win32com") is not None


def wia_backend(*, idle_timeout_s: float = 120.0) -> OutOfProcessBackend:
    """The WIA backend as the app uses it: :class:`WiaDriver` in a worker process."""
    return OutOfProcessBackend(
        NAME,
        "omsdesktop.scan.wia:WiaDriver",
        is_available=pywin32_installed,
        idle_timeout_s=idle_timeout_s,
    )


def _collection(items: Any) -> list[Any]:
    """The members of a 1-based WIA collection (``Count`` + ``Item(i)``)."""
    count = int(items.Count)
    return [items.Item(i) for i in range(1, count + 1)]


def _find_property(props: Any, prop_id: int) -> Any | None:
    for prop in _collection(props):
        if int(prop.PropertyID) == prop_id:
            return prop
    return None


def _get(props: Any, prop_id: int, default: Any = None) -> Any:
    prop = _find_property(props, prop_id)
    return default if prop is None else prop.Value


def _set(props: Any, prop_id: int, value: Any) -> bool:
    prop = _find_property(props, prop_id)
    if prop is None:
        return False
    prop.Value = value
    return True


def _named(props: Any, name: str) -> str:
    for prop in _collection(props):
        if str(prop.Name) == name:
            return str(prop.Value)
    return ""


def _image_bytes(image_file: Any) -> bytes:
    """The encoded image of a WIA ``ImageFile`` (from memory, else via a temporary file)."""
    with contextlib.suppress(AttributeError, TypeError, ValueError):
        data = image_file.FileData.BinaryData
        if isinstance(data, (bytes, bytearray, memoryview)):
            return bytes(data)
        return bytes(bytearray(int(b) & 0xFF for b in data))
    handle, path = tempfile.mkstemp(suffix=".img")
    os.close(handle)
    os.unlink(path)  # SaveFile refuses to overwrite
    try:
        image_file.SaveFile(path)
        with open(path, "rb") as fh:
            return fh.read()
    finally:
        with contextlib.suppress(OSError):
            os.unlink(path)


class WiaDriver:
    """WIA through its automation objects, in the worker process.

    Args:
        manager_factory: makes the ``WIA.DeviceManager`` object; default: pywin32's Dispatch
            (Windows only). Tests pass a fake.
    """

    def __init__(self, manager_factory: Callable[[], Any] | None = None) -> None:
        self._factory = manager_factory or _default_manager
        self._manager: Any = None

    def _mgr(self) -> Any:
        if self._manager is None:
            try:
                self._manager = self._factory()
            except ScannerError:
                raise
            except Exception as exc:
                raise map_com_error(exc) from exc
        return self._manager

    def list_devices(self) -> list[DeviceInfo]:
        try:
            infos = _collection(self._mgr().DeviceInfos)
            devices = []
            for info in infos:
                if int(info.Type) != SCANNER_DEVICE_TYPE:
                    continue
                name = _named(info.Properties, "Name") or "WIA scanner"
                vendor = _named(info.Properties, "Manufacturer")
                devices.append(
                    DeviceInfo(
                        id=f"{NAME}:{info.DeviceID}",
                        backend=NAME,
                        name=name,
                        vendor=vendor,
                        model=name,
                        kind=_named(info.Properties, "Description") or "scanner",
                    )
                )
            return devices
        except ScannerError:
            raise
        except Exception as exc:
            raise map_com_error(exc) from exc

    def _connect(self, device: str) -> Any:
        try:
            for info in _collection(self._mgr().DeviceInfos):
                if str(info.DeviceID) == device:
                    return info.Connect()
        except ScannerError:
            raise
        except Exception as exc:
            raise map_com_error(exc) from exc
        raise ScannerNotFoundError("wia: no such DeviceID")

    def capabilities(self, device: str) -> DeviceCapabilities:
        dev = self._connect(device)
        try:
            handling = int(_get(dev.Properties, WIA_DPS_DOCUMENT_HANDLING_CAPABILITIES, 0) or 0)
            item = _collection(dev.Items)[0]
            res = _find_property(item.Properties, WIA_IPS_XRES)
            resolutions: tuple[int, ...] = ()
            if res is not None:
                with contextlib.suppress(AttributeError, TypeError, ValueError):
                    resolutions = tuple(int(v) for v in _collection(res.SubTypeValues))
            sources = [Source.FLATBED]
            if handling & FEEDER:
                sources.append(Source.FEEDER)
            return DeviceCapabilities(resolutions=resolutions, sources=tuple(sources))
        except ScannerError:
            raise
        except Exception as exc:
            raise map_com_error(exc) from exc

    def scan(
        self, device: str, options: ScanOptions, progress: Progress, cancelled: Cancelled
    ) -> Iterator[ScannedPage]:
        dev = self._connect(device)
        try:
            feeder = options.source is Source.FEEDER
            if feeder:
                handling = int(_get(dev.Properties, WIA_DPS_DOCUMENT_HANDLING_CAPABILITIES, 0) or 0)
                if not handling & FEEDER:
                    raise FeederUnavailableError("wia: no feeder")
                _set(dev.Properties, WIA_DPS_DOCUMENT_HANDLING_SELECT, FEEDER)
                _set(dev.Properties, WIA_DPS_PAGES, 1)
            else:
                _set(dev.Properties, WIA_DPS_DOCUMENT_HANDLING_SELECT, FLATBED)
            item = _collection(dev.Items)[0]
            intent = INTENT_COLOR if options.mode is ColourMode.COLOR else INTENT_GRAYSCALE
            _set(item.Properties, WIA_IPS_CUR_INTENT, intent)
            _set(item.Properties, WIA_IPS_XRES, options.dpi)
            _set(item.Properties, WIA_IPS_YRES, options.dpi)
            dpi = float(_get(item.Properties, WIA_IPS_XRES, options.dpi) or options.dpi)
        except ScannerError:
            raise
        except Exception as exc:
            raise map_com_error(exc) from exc
        limit = options.max_pages if feeder else 1
        for index in range(limit):
            if cancelled():
                raise ScanCancelledError("wia: cancelled")
            progress(0.0)
            try:
                image_file = item.Transfer(FORMAT_PNG)
            except Exception as exc:
                mapped = map_com_error(exc)
                if feeder and index > 0 and isinstance(mapped, ScannerOutOfPaperError):
                    return  # the feeder ran out: the batch is complete
                raise mapped from exc
            data = _image_bytes(image_file)
            try:
                pages = load_bytes(data)
            except IntakeError as exc:
                raise ScannerDataError(f"wia: {exc.code}") from exc
            progress(1.0)
            yield ScannedPage(
                image=pages[0].image, dpi=dpi, index=index, device_id=f"{NAME}:{device}"
            )
