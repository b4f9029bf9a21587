"""Data passed between the scanner backends and their callers (plain, Qt-free, picklable)."""

from __future__ import annotations

import io
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from enum import Enum
from typing import Any, Protocol

import numpy as np
from PIL import Image as PILImage

from omsdesktop.ocr.types import Image, Page

Progress = Callable[[float], None]
Cancelled = Callable[[], bool]
OptionValue = str | int | float | bool

DEFAULT_DPI = 300


class ColourMode(str, Enum):
    COLOR = "color"
    GRAY = "gray"


class Source(str, Enum):
    FLATBED = "flatbed"
    FEEDER = "feeder"


@dataclass(frozen=True)
class ScanOptions:
    """What to scan.

    Attributes:
        dpi: wanted resolution; a device that lacks it scans at the nearest higher one it has
            (or its highest), and :attr:`ScannedPage.dpi` says what was used.
        mode: colour or grey.
        source: the glass (one page) or the document feeder (every page in it).
        max_pages: most pages taken from the feeder in one call.
        area_mm: (left, top, width, height) of the area to scan in millimetres; None = the
            whole glass.
        backend_options: advanced settings passed to the device as they are, by the backend's
            own option names (SANE: ``("test-picture", "Grid")``); ignored where unknown.
    """

    dpi: int = DEFAULT_DPI
    mode: ColourMode = ColourMode.COLOR
    source: Source = Source.FLATBED
    max_pages: int = 50
    area_mm: tuple[float, float, float, float] | None = None
    backend_options: tuple[tuple[str, OptionValue], ...] = ()

    def __post_init__(self) -> None:
        if not 1 <= self.dpi <= 9600:
            raise ValueError("dpi must be between 1 and 9600")
        if self.max_pages < 1:
            raise ValueError("max_pages must be positive")

    def to_json(self) -> dict[str, Any]:
        return {
            "dpi": self.dpi,
            "mode": self.mode.value,
            "source": self.source.value,
            "max_pages": self.max_pages,
            "area_mm": list(self.area_mm) if self.area_mm is not None else None,
            "backend_options": [[k, v] for k, v in self.backend_options],
        }

    @classmethod
    def from_json(cls, raw: Mapping[str, Any]) -> ScanOptions:
        area = raw.get("area_mm")
        return cls(
            dpi=int(raw.get("dpi", DEFAULT_DPI)),
            mode=ColourMode(raw.get("mode", "color")),
            source=Source(raw.get("source", "flatbed")),
            max_pages=int(raw.get("max_pages", 50)),
            area_mm=(float(area[0]), float(area[1]), float(area[2]), float(area[3]))
            if area
            else None,
            backend_options=tuple((str(k), v) for k, v in raw.get("backend_options", ())),
        )


@dataclass(frozen=True)
class DeviceInfo:
    """One scanner as a backend sees it.

    Attributes:
        id: the full device id, ``BACKEND:LOCAL`` (``sane:test:0``,
            ``escl:http://192.168.1.20/eSCL``, ``wia:{...}\\0000``); give it back to scan.
        backend: ``sane``, ``escl`` or ``wia``.
        name: what to show the user (vendor and model).
        vendor, model, kind: as the device reports them ("flatbed scanner", "virtual device").
        address: a network address where there is one.
    """

    id: str
    backend: str
    name: str
    vendor: str = ""
    model: str = ""
    kind: str = ""
    address: str | None = None

    @property
    def local_id(self) -> str:
        return self.id.split(":", 1)[1] if ":" in self.id else self.id

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "backend": self.backend,
            "name": self.name,
            "vendor": self.vendor,
            "model": self.model,
            "kind": self.kind,
            "address": self.address,
        }

    @classmethod
    def from_json(cls, raw: Mapping[str, Any]) -> DeviceInfo:
        return cls(
            id=str(raw["id"]),
            backend=str(raw["backend"]),
            name=str(raw.get("name", "")),
            vendor=str(raw.get("vendor", "")),
            model=str(raw.get("model", "")),
            kind=str(raw.get("kind", "")),
            address=raw.get("address"),
        )


@dataclass(frozen=True)
class DeviceCapabilities:
    """What a device offers (what the scan dialog lets the user pick).

    ``resolutions`` lists discrete values; a device with a continuous range gives
    ``resolution_range`` (min, max) instead and a few usual values in ``resolutions``.
    """

    resolutions: tuple[int, ...] = ()
    resolution_range: tuple[int, int] | None = None
    modes: tuple[ColourMode, ...] = (ColourMode.COLOR, ColourMode.GRAY)
    sources: tuple[Source, ...] = (Source.FLATBED,)
    max_width_mm: float | None = None
    max_height_mm: float | None = None

    def to_json(self) -> dict[str, Any]:
        return {
            "resolutions": list(self.resolutions),
            "resolution_range": list(self.resolution_range) if self.resolution_range else None,
            "modes": [m.value for m in self.modes],
            "sources": [s.value for s in self.sources],
            "max_width_mm": self.max_width_mm,
            "max_height_mm": self.max_height_mm,
        }

    @classmethod
    def from_json(cls, raw: Mapping[str, Any]) -> DeviceCapabilities:
        rng = raw.get("resolution_range")
        return cls(
            resolutions=tuple(int(r) for r in raw.get("resolutions", ())),
            resolution_range=(int(rng[0]), int(rng[1])) if rng else None,
            modes=tuple(ColourMode(m) for m in raw.get("modes", ())),
            sources=tuple(Source(s) for s in raw.get("sources", ())),
            max_width_mm=raw.get("max_width_mm"),
            max_height_mm=raw.get("max_height_mm"),
        )


@dataclass(frozen=True, eq=False)
class ScannedPage:
    """One page as the scanner delivered it.

    Attributes:
        image: H x W x 3 BGR uint8 (grey scans are expanded to three equal channels, like
            every page in the app).
        dpi: the resolution actually used.
        index: zero-based page number within the scan (feeder batches).
        device_id: which device produced it.
    """

    image: Image
    dpi: float
    index: int = 0
    device_id: str = ""

    def to_page(self, page_count: int = 1) -> Page:
        return Page(
            image=self.image,
            dpi=self.dpi,
            index=self.index,
            page_count=page_count,
            source_format="scan",
        )

    def encode(self, fmt: str = "png", *, quality: int = 92) -> bytes:
        """The page as PNG, JPEG or TIFF bytes with its resolution recorded in the file."""
        return encode_pages([self], fmt, quality=quality)


def _pil(page: ScannedPage) -> PILImage.Image:
    image = page.image
    if image.ndim == 2:
        return PILImage.fromarray(image, "L")
    if bool(np.array_equal(image[..., 0], image[..., 1])) and bool(
        np.array_equal(image[..., 1], image[..., 2])
    ):
        return PILImage.fromarray(np.ascontiguousarray(image[..., 0]), "L")
    return PILImage.fromarray(np.ascontiguousarray(image[..., ::-1]), "RGB")


def encode_pages(pages: list[ScannedPage], fmt: str, *, quality: int = 92) -> bytes:
    """Encode pages into one file: PNG/JPEG take one page, TIFF and PDF take many.

    The resolution is written into the file (JFIF density, PNG pHYs, TIFF tags, PDF page size)
    so the intake reads the scan back at its true dpi.
    """
    fmt = fmt.lower().lstrip(".")
    fmt = {"jpg": "jpeg", "tif": "tiff"}.get(fmt, fmt)
    if not pages:
        raise ValueError("no pages to encode")
    if fmt in ("png", "jpeg") and len(pages) != 1:
        raise ValueError(f"{fmt} holds one page; use tiff or pdf for {len(pages)} pages")
    if fmt not in ("png", "jpeg", "tiff", "pdf"):
        raise ValueError(f"unknown format {fmt!r}; use png, jpeg, tiff or pdf")
    images = [_pil(p) for p in pages]
    dpi = round(pages[0].dpi)
    out = io.BytesIO()
    kwargs: dict[str, Any] = {"dpi": (dpi, dpi)}
    if fmt == "jpeg":
        kwargs["quality"] = quality
    if fmt == "pdf":
        kwargs = {"resolution": float(dpi)}
        images = [im.convert("RGB") if im.mode not in ("RGB", "L") else im for im in images]
    if fmt == "tiff":
        kwargs["compression"] = "tiff_deflate"
    if len(images) > 1:
        kwargs["save_all"] = True
        kwargs["append_images"] = images[1:]
    images[0].save(out, format=fmt.upper(), **kwargs)
    return out.getvalue()


def to_bgr(array: np.ndarray[Any, Any]) -> Image:
    """A scanner's grey (H x W), grey-with-channel (H x W x 1) or RGB frame as BGR uint8."""
    if array.dtype != np.uint8:
        if array.dtype == np.uint16:
            array = (array >> 8).astype(np.uint8)
        else:
            array = np.clip(array, 0, 255).astype(np.uint8)
    if array.ndim == 3 and array.shape[2] == 1:
        array = array[..., 0]
    if array.ndim == 2:
        return np.ascontiguousarray(np.repeat(array[..., None], 3, axis=2))
    if array.ndim == 3 and array.shape[2] >= 3:
        return np.ascontiguousarray(array[..., 2::-1])  # RGB(A) -> BGR
    raise ValueError(f"unexpected scan shape {array.shape}")


class ScannerBackend(Protocol):
    """One kind of scanner access (SANE, eSCL, WIA) behind one interface.

    ``device`` arguments are the backend-local part of a device id (``test:0`` for
    ``sane:test:0``). Every method raises :class:`omsdesktop.scan.errors.ScannerError`
    subclasses for expected failures, never a driver's own exception.
    """

    name: str

    def available(self) -> bool:
        """True when this backend can work on this machine (library present, right OS)."""
        ...

    def list_devices(self, *, cancelled: Cancelled | None = None) -> list[DeviceInfo]: ...

    def capabilities(self, device: str) -> DeviceCapabilities: ...

    def scan(
        self,
        device: str,
        options: ScanOptions,
        *,
        progress: Progress | None = None,
        cancelled: Cancelled | None = None,
    ) -> Iterator[ScannedPage]:
        """Pages as they arrive: one from the glass, every page from the feeder."""
        ...


@dataclass(frozen=True)
class BackendProblem:
    """Why a backend found nothing (shown under "what to check" when no scanner is found)."""

    backend: str
    code: str
    message: str
    message_en: str = ""

    def to_json(self) -> dict[str, str]:
        return {"backend": self.backend, "code": self.code, "message": self.message}


@dataclass(frozen=True)
class DeviceList:
    devices: tuple[DeviceInfo, ...] = ()
    problems: tuple[BackendProblem, ...] = field(default_factory=tuple)
