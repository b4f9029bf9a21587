"""SANE scanners on Linux through python-sane, run in a worker process.

:class:`SaneDriver` is the in-process part; it runs only inside the worker started by
:func:`sane_backend` (see :mod:`omsdesktop.scan.worker`), so a backend that crashes inside
libsane ends the worker, not the app. Needs the ``python-sane`` package (built against
``libsane-dev``) and libsane with the vendor's backend.

SANE's status codes come back from python-sane as ``_sane.error`` with the text of
``sane_strstatus``; they are mapped onto the typed scanner errors here.
"""

from __future__ import annotations

import contextlib
import importlib.util
import sys
from collections.abc import Iterator
from typing import Any

import numpy as np

from omsdesktop.scan.errors import (
    FeederUnavailableError,
    ScanCancelledError,
    ScannerAccessDeniedError,
    ScannerBackendUnavailableError,
    ScannerBusyError,
    ScannerCoverOpenError,
    ScannerDisconnectedError,
    ScannerError,
    ScannerJammedError,
    ScannerNotFoundError,
    ScannerOutOfPaperError,
    ScanOptionUnsupportedError,
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
    to_bgr,
)
from omsdesktop.scan.worker import OutOfProcessBackend

NAME = "sane"

# sane_strstatus() texts (SANE 1.x, not translated) -> our errors.
_STATUS: dict[str, type[ScannerError]] = {
    "Device busy": ScannerBusyError,
    "Document feeder jammed": ScannerJammedError,
    "Document feeder out of documents": ScannerOutOfPaperError,
    "Scanner cover is open": ScannerCoverOpenError,
    "Error during device I/O": ScannerDisconnectedError,
    "Access to resource has been denied": ScannerAccessDeniedError,
    "Operation was cancelled": ScanCancelledError,
}
_NO_DOCS = "Document feeder out of documents"

_USUAL_DPI = (75, 100, 150, 200, 300, 400, 600, 1200)


def _describe(constraint: Any) -> str:
    if isinstance(constraint, tuple) and len(constraint) == 3:
        return f"от {constraint[0]:g} до {constraint[1]:g}"
    if isinstance(constraint, list):
        return ", ".join(str(v) for v in constraint)
    return "—"


class _Cancel(Exception):
    """Raised from python-sane's per-line callback: python-sane then calls sane_cancel."""


def python_sane_installed() -> bool:
    """Whether python-sane is importable, checked without loading libsane into this process."""
    if sys.platform == "win32":
        return False
    try:
        return importlib.util.find_spec("_sane") is not None
    except (ImportError, ValueError):
        return False


def sane_backend(
    *, env: dict[str, str] | None = None, idle_timeout_s: float = 120.0
) -> OutOfProcessBackend:
    """The SANE backend as the app uses it: :class:`SaneDriver` in a worker process.

    Args:
        env: extra environment for the worker, e.g. ``{"SANE_CONFIG_DIR": ...}``.
    """
    return OutOfProcessBackend(
        NAME,
        "omsdesktop.scan.sane_backend:SaneDriver",
        is_available=python_sane_installed,
        env=env,
        idle_timeout_s=idle_timeout_s,
    )


def _map_error(exc: BaseException, *, opening: bool = False) -> ScannerError:
    text = str(exc).strip()
    if opening and text == "Invalid argument":
        return ScannerNotFoundError(f"sane_open: {text}")
    cls = _STATUS.get(text, ScannerError)
    return cls(f"sane: {text}")


def _pick(values: list[Any], *needles: str, avoid: tuple[str, ...] = ()) -> str | None:
    for value in values:
        low = str(value).lower()
        if any(n in low for n in needles) and not any(a in low for a in avoid):
            return str(value)
    return None


def _mode_value(values: list[Any], mode: ColourMode) -> str | None:
    if mode is ColourMode.COLOR:
        return _pick(values, "color", "colour")
    return _pick(values, "gray", "grey", avoid=("lineart", "halftone"))


def _source_value(values: list[Any], source: Source) -> str | None:
    if source is Source.FEEDER:
        return _pick(values, "adf", "feeder", "automatic document", avoid=("duplex",))
    return _pick(values, "flatbed", "platen", "normal")


def _resolution_for(constraint: Any, wanted: int) -> float:
    """The dpi to ask for: the wanted one if offered, else the nearest higher, else the top."""
    if isinstance(constraint, tuple) and len(constraint) == 3:
        low, high, step = (float(v) for v in constraint)
        value = min(max(float(wanted), low), high)
        if step > 0:
            value = low + round((value - low) / step) * step
        return value
    if isinstance(constraint, list) and constraint:
        offered = sorted(float(v) for v in constraint)
        higher = [v for v in offered if v >= wanted]
        return higher[0] if higher else offered[-1]
    return float(wanted)


class SaneDriver:
    """python-sane, in the worker process. Not for use in the app's own process."""

    def __init__(self) -> None:
        try:
            import sane
        except ImportError as exc:
            raise ScannerBackendUnavailableError(
                "python-sane missing", why="не установлен пакет python-sane (и libsane)."
            ) from exc
        self._sane: Any = sane
        try:
            sane.init()
        except Exception as exc:
            raise ScannerBackendUnavailableError(
                f"sane_init: {exc}", why="библиотека SANE не запускается."
            ) from exc

    def list_devices(self) -> list[DeviceInfo]:
        try:
            found = self._sane.get_devices()
        except Exception as exc:
            raise _map_error(exc) from exc
        devices = []
        for name, vendor, model, kind in found:
            devices.append(
                DeviceInfo(
                    id=f"{NAME}:{name}",
                    backend=NAME,
                    name=f"{vendor} {model}".strip(),
                    vendor=str(vendor),
                    model=str(model),
                    kind=str(kind),
                )
            )
        return devices

    def _open(self, device: str) -> Any:
        try:
            return self._sane.open(device)
        except Exception as exc:
            raise _map_error(exc, opening=True) from exc

    def capabilities(self, device: str) -> DeviceCapabilities:
        dev = self._open(device)
        try:
            return self._capabilities(dev)
        finally:
            dev.close()

    def _option(self, dev: Any, name: str) -> Any | None:
        opt = dev.opt.get(name.replace("-", "_"))
        if opt is None or not opt.is_active():
            return None
        return opt

    def _capabilities(self, dev: Any) -> DeviceCapabilities:
        modes: list[ColourMode] = []
        mode_opt = self._option(dev, "mode")
        if mode_opt is not None and isinstance(mode_opt.constraint, list):
            modes = [m for m in ColourMode if _mode_value(mode_opt.constraint, m) is not None]
        sources = [Source.FLATBED]
        source_opt = self._option(dev, "source")
        if source_opt is not None and isinstance(source_opt.constraint, list):
            sources = [s for s in Source if _source_value(source_opt.constraint, s) is not None]
            sources = sources or [Source.FLATBED]
        resolutions: tuple[int, ...] = ()
        resolution_range: tuple[int, int] | None = None
        res_opt = self._option(dev, "resolution")
        if res_opt is not None:
            constraint = res_opt.constraint
            if isinstance(constraint, tuple) and len(constraint) == 3:
                resolution_range = (int(constraint[0]), int(constraint[1]))
                resolutions = tuple(d for d in _USUAL_DPI if constraint[0] <= d <= constraint[1])
            elif isinstance(constraint, list):
                resolutions = tuple(int(v) for v in constraint)
        width = height = None
        br_x, br_y = self._option(dev, "br-x"), self._option(dev, "br-y")
        if br_x is not None and isinstance(br_x.constraint, tuple):
            width = float(br_x.constraint[1])
        if br_y is not None and isinstance(br_y.constraint, tuple):
            height = float(br_y.constraint[1])
        return DeviceCapabilities(
            resolutions=resolutions,
            resolution_range=resolution_range,
            modes=tuple(modes) or (ColourMode.COLOR,),
            sources=tuple(sources),
            max_width_mm=width,
            max_height_mm=height,
        )

    def _set(self, dev: Any, name: str, value: Any) -> None:
        try:
            setattr(dev, name.replace("-", "_"), value)
        except AttributeError:
            return  # no such option, inactive or read-only on this device: leave its default
        except TypeError as exc:
            raise ScanOptionUnsupportedError(
                f"{name}: {exc}", what=f"такое значение параметра {name}", available="—"
            ) from exc
        except Exception as exc:
            if str(exc).strip() == "Invalid argument":
                opt = self._option(dev, name)
                constraint = getattr(opt, "constraint", None)
                raise ScanOptionUnsupportedError(
                    f"{name}={value!r}",
                    what=f"такое значение параметра {name}",
                    available=_describe(constraint),
                ) from exc
            raise _map_error(exc) from exc

    def _configure(self, dev: Any, options: ScanOptions) -> float:
        mode_opt = self._option(dev, "mode")
        if mode_opt is not None and isinstance(mode_opt.constraint, list):
            value = _mode_value(mode_opt.constraint, options.mode)
            if value is None:
                raise ScanOptionUnsupportedError(
                    "mode",
                    what="цветной режим"
                    if options.mode is ColourMode.COLOR
                    else "режим оттенков серого",
                    available=", ".join(str(v) for v in mode_opt.constraint),
                )
            self._set(dev, "mode", value)
        depth_opt = self._option(dev, "depth")
        if (
            depth_opt is not None
            and isinstance(depth_opt.constraint, list)
            and 8 in depth_opt.constraint
        ):
            self._set(dev, "depth", 8)
        source_opt = self._option(dev, "source")
        if options.source is Source.FEEDER:
            value = None
            if source_opt is not None and isinstance(source_opt.constraint, list):
                value = _source_value(source_opt.constraint, Source.FEEDER)
            if value is None:
                raise FeederUnavailableError("no ADF source")
            self._set(dev, "source", value)
        elif source_opt is not None and isinstance(source_opt.constraint, list):
            value = _source_value(source_opt.constraint, Source.FLATBED)
            if value is not None:
                self._set(dev, "source", value)
        res_opt = self._option(dev, "resolution")
        dpi = float(options.dpi)
        if res_opt is not None:
            dpi = _resolution_for(res_opt.constraint, options.dpi)
            self._set(dev, "resolution", dpi)
        self._set_area(dev, options)
        for name, raw in options.backend_options:
            self._set(dev, name, raw)
        if res_opt is not None:
            with contextlib.suppress(Exception):  # keep what we asked for
                dpi = float(dev.resolution)
        return dpi

    def _set_area(self, dev: Any, options: ScanOptions) -> None:
        found = {n: self._option(dev, n) for n in ("tl-x", "tl-y", "br-x", "br-y")}
        limits: dict[str, Any] = {n: o for n, o in found.items() if o is not None}
        if len(limits) != 4 or any(not isinstance(o.constraint, tuple) for o in limits.values()):
            return
        if options.area_mm is None:
            wanted = {
                "tl-x": limits["tl-x"].constraint[0],
                "tl-y": limits["tl-y"].constraint[0],
                "br-x": limits["br-x"].constraint[1],
                "br-y": limits["br-y"].constraint[1],
            }
        else:
            left, top, width, height = options.area_mm
            wanted = {"tl-x": left, "tl-y": top, "br-x": left + width, "br-y": top + height}
        # Order matters: some backends refuse tl beyond the current br, so widen first.
        for name in ("br-x", "br-y", "tl-x", "tl-y"):
            low, high, _ = limits[name].constraint
            self._set(dev, name, float(min(max(wanted[name], low), high)))

    def scan(
        self, device: str, options: ScanOptions, progress: Progress, cancelled: Cancelled
    ) -> Iterator[ScannedPage]:
        dev = self._open(device)
        try:
            dpi = self._configure(dev, options)
            feeder = options.source is Source.FEEDER
            index = 0
            while index < (options.max_pages if feeder else 1):
                if cancelled():
                    raise ScanCancelledError("before page")
                try:
                    dev.start()
                except Exception as exc:
                    if feeder and index > 0 and str(exc).strip() == _NO_DOCS:
                        return  # the feeder is empty: the batch is complete
                    raise _map_error(exc) from exc
                image = self._read_page(dev, progress, cancelled, keep_open=feeder)
                yield ScannedPage(image=image, dpi=dpi, index=index, device_id=f"{NAME}:{device}")
                index += 1
        finally:
            try:
                dev.cancel()
            finally:
                dev.close()

    def _read_page(
        self, dev: Any, progress: Progress, cancelled: Cancelled, *, keep_open: bool
    ) -> np.ndarray[Any, Any]:
        def on_line(done: int, total: int) -> None:
            if cancelled():
                raise _Cancel()
            if total > 0:
                progress(min(1.0, done / total))

        try:
            pil = dev.snap(keep_open, progress=on_line)
        except _Cancel as exc:
            raise ScanCancelledError("during read") from exc
        except RuntimeError as exc:  # "Scanner returned no data"
            raise ScannerError(f"sane: {exc}") from exc
        except Exception as exc:
            raise _map_error(exc) from exc
        array = np.asarray(pil)
        pil.close()
        return to_bgr(array)
