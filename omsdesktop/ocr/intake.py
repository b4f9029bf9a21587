"""Intake: turn whatever a parent or a scanner produced into upright BGR pages, safely.

Input is untrusted (e-mail attachments, phone photos, files renamed by hand), so:

* **Format by content.** The container is sniffed from magic bytes (:func:`sniff_format`); the
  extension is ignored. A JPEG named ``.png`` loads as JPEG; a text file named ``.jpg`` is
  ``not_an_image``; a known but unsupported format (GIF, DOCX, DjVu, AVIF ...) is
  ``unsupported_format``. Pillow is told which single plugin to use.
* **Size before work.** The file size is checked before reading (``file_too_large``); the pixel
  count is checked from the header before decoding each page or frame (``image_too_large``), so
  a 50000x50000 "decompression bomb" of a few kilobytes is refused without allocating it. Pillow's
  own bomb warning is silenced (our limit decides) and its bomb error is mapped too; truncated
  data is never accepted (``ImageFile.LOAD_TRUNCATED_IMAGES`` is left False): ``truncated_file``.
* **Bounded page work.** At most ``limits.max_pages`` pages are decoded per call; a PDF page is
  rendered by its own ``pdftoppm -f N -l N`` call under a timeout, at ``limits.pdf_dpi`` lowered
  if the page would exceed ``max_pixels``. Cancellation is checked between pages.
* **Paths.** Files are read with Python I/O and decoded from bytes (never ``cv2.imread``), so
  Cyrillic names and spaces work on every OS; directories, dangling links, device files and
  unreadable files give typed errors.
* **Every failure is typed.** Anything a decoder raises on bad input becomes an
  :class:`IntakeError` subclass with a stable ``code`` and a Russian message saying what to do;
  messages never contain the file name (it may contain a child's name).

Normalisation: EXIF orientation applied; 16-bit scaled to 8-bit (high byte, i.e. full range,
not clipped); CMYK/YCbCr/LAB -> RGB; palette and alpha composited on white; grey and 1-bit
expanded to 3 channels. Every page is a C-contiguous ``uint8`` H x W x 3 BGR array.

DPI policy (:attr:`Page.dpi`): for PDFs, the dpi actually rendered at. For raster files, the
resolution the file declares (JFIF, PNG pHYs, TIFF, BMP, EXIF) only if it is believable as a
scan: x and y within 10 %, not one of the software placeholders 72 or 96, between 100 and
2400 dpi (TIFF: from 50 dpi, as scanners do write 75 dpi TIFFs), and implying a page whose long
side is 1-24 inches. Otherwise ``None`` (phone photos declare 72 dpi, which means nothing).
"""

from __future__ import annotations

import functools
import io
import math
import os
import stat
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import cv2
import numpy as np
import numpy.typing as npt
from PIL import Image, ImageOps

from omsdesktop.errors import CancelledError
from omsdesktop.ocr._intake_errors import (
    SUPPORTED_HUMAN,
    AccessDeniedError,
    DirectoryGivenError,
    EmptyFileError,
    FileMissingError,
    FileTooLargeError,
    ImageTooLargeError,
    IntakeError,
    NotAnImageError,
    PageOutOfRangeError,
    PdfBrokenError,
    PdfEncryptedError,
    PopplerMissingError,
    ReadFailedError,
    RenderTimeoutError,
    TooManyPagesError,
    TruncatedFileError,
    UnsupportedFormatError,
)
from omsdesktop.ocr._pdf import PdfDocument
from omsdesktop.ocr._pilutil import as_uint8, bomb_megapixels, quiet_decoder_warnings, to_numpy
from omsdesktop.ocr._png import decode as png_decode
from omsdesktop.ocr._png import has_chunk as has_png_chunk
from omsdesktop.ocr.geometry import rotate_clockwise
from omsdesktop.ocr.types import Image as BGRImage
from omsdesktop.ocr.types import Page

__all__ = [
    "DEFAULT_LIMITS",
    "SUPPORTED_FORMATS",
    "SUPPORTED_HUMAN",
    "AccessDeniedError",
    "DirectoryGivenError",
    "EmptyFileError",
    "FileMissingError",
    "FileTooLargeError",
    "ImageTooLargeError",
    "IntakeError",
    "IntakeLimits",
    "NotAnImageError",
    "PageOutOfRangeError",
    "PdfBrokenError",
    "PdfEncryptedError",
    "PopplerMissingError",
    "ReadFailedError",
    "RenderTimeoutError",
    "TooManyPagesError",
    "TruncatedFileError",
    "UnsupportedFormatError",
    "count_pages",
    "count_pages_bytes",
    "load_bytes",
    "load_page",
    "load_pages",
    "sniff_format",
]

Cancelled = Callable[[], bool]
Progress = Callable[[float], None]

SUPPORTED_FORMATS: tuple[str, ...] = ("jpeg", "png", "tiff", "bmp", "webp", "heif", "pdf")


@dataclass(frozen=True)
class IntakeLimits:
    """Safety limits of intake.

    Attributes:
        max_file_bytes: largest file accepted, in bytes.
        max_pixels: largest page (width x height) decoded, checked from the header before
            decoding. Pillow itself refuses images above twice its ``MAX_IMAGE_PIXELS``
            (about 179 MP) whatever this says.
        max_pages: most pages decoded in one call. A longer file still reports its true
            ``page_count``; ask for the pages you need by index (any index is allowed).
        pdf_dpi: resolution PDFs are rendered at.
        pdf_render_timeout_s: time allowed to each Poppler call (one page).
        poppler_path: folder with ``pdftoppm``/``pdfinfo`` (Windows); None = search PATH.
    """

    max_file_bytes: int = 200 * 1024 * 1024
    max_pixels: int = 120_000_000
    max_pages: int = 50
    pdf_dpi: int = 300
    pdf_render_timeout_s: float = 60.0
    poppler_path: str | None = None

    def __post_init__(self) -> None:
        if self.max_file_bytes < 1 or self.max_pixels < 1 or self.max_pages < 1:
            raise ValueError("IntakeLimits: limits must be positive")
        if self.pdf_dpi < 1 or not self.pdf_render_timeout_s > 0:
            raise ValueError("IntakeLimits: pdf_dpi and pdf_render_timeout_s must be positive")


DEFAULT_LIMITS = IntakeLimits()

# --------------------------------------------------------------------------- sniffing

_SNIFF_BYTES = 1024
_PDF_MAGIC = b"%PDF-"
_HEIF_BRANDS = frozenset(
    {b"heic", b"heix", b"heim", b"heis", b"hevc", b"hevx", b"hevm", b"hevs", b"mif1", b"msf1"}
)
_AVIF_BRANDS = frozenset({b"avif", b"avis"})
# BITMAPINFOHEADER sizes Pillow reads (core, OS/2 2, V1-V5).
_BMP_HEADER_SIZES = frozenset({12, 16, 40, 52, 56, 64, 108, 124})

_OTHER_SIGNATURES: tuple[tuple[bytes, str], ...] = (
    (b"GIF87a", "GIF"),
    (b"GIF89a", "GIF"),
    (b"\x00\x00\x00\x0cjP  \r\n\x87\n", "JPEG 2000"),
    (b"\xff\x4f\xff\x51", "JPEG 2000"),
    (b"\x00\x00\x00\x0cJXL \r\n\x87\n", "JPEG XL"),
    (b"\xff\x0a", "JPEG XL"),
    (b"II\xbc\x01", "JPEG XR"),
    (b"AT&TFORM", "DjVu"),
    (b"PK\x03\x04", "ZIP (DOCX, XLSX, ODT)"),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", "DOC/XLS"),
    (b"{\\rtf", "RTF"),
    (b"8BPS", "PSD"),
    (b"%!PS", "PostScript"),
    (b"\xc5\xd0\xd3\xc6", "EPS"),
    (b"gimp xcf", "XCF"),
    (b"Rar!\x1a\x07", "RAR"),
    (b"7z\xbc\xaf\x27\x1c", "7Z"),
    (b"\x1f\x8b", "GZIP"),
    (b"\x00\x00\x01\x00", "ICO"),
)


def _ftyp_brands(head: bytes) -> set[bytes] | None:
    """Major and compatible brands of an ISO-BMFF ``ftyp`` box at the start, if there is one."""
    if len(head) < 12 or head[4:8] != b"ftyp":
        return None
    box_size = int.from_bytes(head[0:4], "big")
    end = min(len(head), box_size if box_size >= 16 else 16)
    brands = {head[8:12]}
    brands.update(head[i : i + 4] for i in range(16, end - 3, 4))
    return brands


def sniff_format(head: bytes) -> str | None:
    """Name the container from its first bytes; never looks at a file name.

    Args:
        head: the first bytes of the file; 32 are enough for images, a PDF's ``%PDF-`` marker is
            looked for in the first 1024 (readers accept leading junk).

    Returns:
        One of :data:`SUPPORTED_FORMATS`, or None for anything else (including known formats we
        do not support).
    """
    if head.startswith(b"\xff\xd8\xff"):
        return "jpeg"
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "png"
    if head[:4] in (b"II*\x00", b"MM\x00*", b"II+\x00", b"MM\x00+"):
        return "tiff"
    if (
        head.startswith(b"BM")
        and len(head) >= 18
        and int.from_bytes(head[14:18], "little") in _BMP_HEADER_SIZES
    ):
        return "bmp"
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "webp"
    brands = _ftyp_brands(head)
    if brands is not None:
        if head[8:12] in _AVIF_BRANDS or not brands & _HEIF_BRANDS:
            return None
        if brands & _AVIF_BRANDS and not brands & (_HEIF_BRANDS - {b"mif1", b"msf1"}):
            return None  # an AVIF that only declares the generic HEIF brand
        return "heif"
    if _PDF_MAGIC in head[:_SNIFF_BYTES]:
        return "pdf"
    return None


def _sniff_unsupported(head: bytes) -> str | None:
    """A human name for a recognisable format we do not read, or None."""
    for magic, name in _OTHER_SIGNATURES:
        if head.startswith(magic):
            return name
    brands = _ftyp_brands(head)
    if brands is not None:
        return "AVIF" if brands & _AVIF_BRANDS else "MP4/MOV"
    if head[:2] in (b"P1", b"P2", b"P3", b"P4", b"P5", b"P6") and head[2:3].isspace():
        return "PNM"
    text = head.lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    if text.startswith(b"<svg") or (text.startswith(b"<?xml") and b"<svg" in text):
        return "SVG"
    return None


def _identify(data: bytes) -> str:
    head = data[:_SNIFF_BYTES]
    fmt = sniff_format(head)
    if fmt is not None:
        return fmt
    other = _sniff_unsupported(head)
    if other is not None:
        raise UnsupportedFormatError("sniffed " + other, kind=other)
    raise NotAnImageError("unknown content")


# --------------------------------------------------------------------------- reading


def _read_file(path: str | os.PathLike[str], limits: IntakeLimits) -> bytes:
    """Read a whole regular file, mapping every OS failure to an intake error."""
    try:
        fspath = os.fspath(path)
        st = os.stat(fspath)
    except (FileNotFoundError, NotADirectoryError, ValueError) as exc:
        # ValueError: a NUL byte in the path. ELOOP/ENAMETOOLONG arrive as plain OSError below.
        raise FileMissingError(type(exc).__name__) from exc
    except PermissionError as exc:
        raise AccessDeniedError("stat") from exc
    except OSError as exc:
        raise FileMissingError(f"stat: {type(exc).__name__} {exc.errno}") from exc
    if stat.S_ISDIR(st.st_mode):
        raise DirectoryGivenError()
    if not stat.S_ISREG(st.st_mode):
        # A FIFO would block on open and a device could be endless.
        raise NotAnImageError("not a regular file")
    try:
        with open(fspath, "rb") as fh:
            size = os.fstat(fh.fileno()).st_size
            _check_size(size, limits)
            data = fh.read(limits.max_file_bytes + 1)
    except IntakeError:
        raise
    except FileNotFoundError as exc:
        raise FileMissingError("open") from exc
    except IsADirectoryError as exc:
        raise DirectoryGivenError() from exc
    except PermissionError as exc:
        raise AccessDeniedError("open") from exc
    except MemoryError as exc:
        raise FileTooLargeError(
            "out of memory", size_mb=_mb(st.st_size), limit_mb=_mb(limits.max_file_bytes)
        ) from exc
    except OSError as exc:
        raise ReadFailedError(f"{type(exc).__name__} {exc.errno}") from exc
    _check_size(len(data), limits)  # the file may have changed since fstat
    return data


def _mb(size: int) -> str:
    return f"{size / (1024 * 1024):.0f}" if size >= 1024 * 1024 else f"{size / (1024 * 1024):.1f}"


def _check_size(size: int, limits: IntakeLimits) -> None:
    if size == 0:
        raise EmptyFileError()
    if size > limits.max_file_bytes:
        raise FileTooLargeError(
            f"{size} bytes", size_mb=_mb(size), limit_mb=_mb(limits.max_file_bytes)
        )


# --------------------------------------------------------------------------- helpers


def _check_cancelled(cancelled: Cancelled | None) -> None:
    if cancelled is not None and cancelled():
        raise CancelledError()


def _resolve_pages(pages: Sequence[int] | None, page_count: int, max_pages: int) -> list[int]:
    if pages is None:
        return list(range(min(page_count, max_pages)))
    wanted = list(pages)
    if len(wanted) > max_pages:
        raise TooManyPagesError(f"{len(wanted)} pages", requested=len(wanted), limit=max_pages)
    for index in wanted:
        if isinstance(index, bool) or not isinstance(index, (int, np.integer)):
            raise TypeError(f"page index must be int, not {type(index).__name__}")
        if not 0 <= index < page_count:
            raise PageOutOfRangeError(
                f"index {index} of {page_count}", page=int(index) + 1, page_count=page_count
            )
    return [int(i) for i in wanted]


def _megapixels(pixels: float) -> str:
    mp = pixels / 1e6
    if mp >= 10:
        return f"{mp:.0f}"
    return f"{mp:.1f}" if mp >= 1 else f"{mp:.2g}"


def _too_large(
    pixels: float, limits: IntakeLimits, detail: str, limit: float | None = None
) -> ImageTooLargeError:
    return ImageTooLargeError(
        detail,
        megapixels=_megapixels(pixels),
        limit_megapixels=_megapixels(limits.max_pixels if limit is None else limit),
    )


def _fit_scale(width: int, height: int, max_side: int | None) -> float:
    if max_side is None or max(width, height) <= max_side:
        return 1.0
    return max_side / max(width, height)


def _sane_dpi(raw: Any, fmt: str, size: tuple[int, int]) -> float | None:
    """The declared dpi if it is believable as a scan resolution (see module docstring)."""
    try:
        if isinstance(raw, (tuple, list)) and len(raw) >= 2:
            x_dpi, y_dpi = float(raw[0]), float(raw[1])
        else:
            x_dpi = y_dpi = float(raw)
    except (TypeError, ValueError, ZeroDivisionError):
        return None
    if not (math.isfinite(x_dpi) and math.isfinite(y_dpi)) or x_dpi <= 0 or y_dpi <= 0:
        return None
    if abs(x_dpi - y_dpi) > 0.1 * max(x_dpi, y_dpi):
        return None
    dpi = round((x_dpi + y_dpi) / 2, 1)
    if dpi in (72.0, 96.0):
        return None
    low = 50.0 if fmt == "tiff" else 100.0
    if not low <= dpi <= 2400.0:
        return None
    if not 1.0 <= max(size) / dpi <= 24.0:
        return None
    return dpi


# --------------------------------------------------------------------------- raster

_PIL_FORMATS: dict[str, list[str]] = {
    "jpeg": ["JPEG", "MPO"],
    "png": ["PNG"],
    "tiff": ["TIFF"],
    "bmp": ["BMP", "DIB"],
    "webp": ["WEBP"],
    "heif": ["HEIF"],
}


@functools.cache
def _register_heif() -> None:
    from pillow_heif import register_heif_opener

    register_heif_opener()


def _open_raster(data: bytes, fmt: str, limits: IntakeLimits) -> Image.Image:
    """Parse the header only (Pillow decodes lazily)."""
    if fmt == "heif":
        _register_heif()
    try:
        with quiet_decoder_warnings():
            return Image.open(io.BytesIO(data), formats=_PIL_FORMATS[fmt])
    except Image.DecompressionBombError as exc:
        mp = bomb_megapixels(exc)
        if mp is None:
            raise ImageTooLargeError("pillow bomb check at open") from exc
        # Pillow refuses above twice its MAX_IMAGE_PIXELS even when our limit is higher.
        pil_max = Image.MAX_IMAGE_PIXELS
        limit = min(limits.max_pixels, 2 * pil_max) if pil_max else limits.max_pixels
        raise _too_large(mp * 1e6, limits, "pillow bomb check at open", limit) from exc
    except MemoryError as exc:
        raise ImageTooLargeError("out of memory at open") from exc
    except Exception as exc:  # the magic bytes matched but the header is unreadable
        raise TruncatedFileError(f"header: {type(exc).__name__}") from exc


def _frame_count(im: Image.Image, fmt: str) -> int:
    if fmt != "tiff":
        return 1  # MPO's second frame is a preview, a HEIF/WebP sequence is not pages
    try:
        with quiet_decoder_warnings():
            count = int(getattr(im, "n_frames", 1))
    except Exception as exc:
        raise TruncatedFileError(f"frames: {type(exc).__name__}") from exc
    return max(1, count)


def _flatten_alpha(im: Image.Image) -> Image.Image:
    rgba = im if im.mode == "RGBA" else im.convert("RGBA")
    white = Image.new("RGB", rgba.size, (255, 255, 255))
    white.paste(rgba, (0, 0), rgba)
    return white


def _scale_to_uint8(arr: npt.NDArray[Any], mode: str) -> npt.NDArray[np.uint8]:
    """Map high-bit-depth grey to 0..255 by scaling, never by clipping."""
    if mode.startswith("I;16"):
        return as_uint8(arr.astype(np.uint16, copy=False) >> 8)
    if mode == "F":
        values = np.nan_to_num(arr.astype(np.float32, copy=False), nan=0.0, posinf=0.0, neginf=0.0)
        top = 1.0 if float(values.max(initial=0.0)) <= 1.0 else 255.0
        return as_uint8(np.clip(values * (255.0 / top), 0, 255))
    # "I": 32-bit integers; older Pillow gives 16-bit PNGs this way. Scale by the range used.
    values32 = np.clip(arr, 0, None)
    top = int(values32.max(initial=0))
    if top <= 255:
        return as_uint8(values32)
    shift = 8 if top <= 65535 else max(0, top.bit_length() - 8)
    return as_uint8(values32 >> shift)


def _pil_to_bgr(im: Image.Image, fmt: str) -> BGRImage:
    """Normalise any decoded mode to a contiguous uint8 BGR array."""
    mode = im.mode
    if mode == "1":
        im = im.convert("L")
    elif mode in ("P", "PA"):
        has_alpha = mode == "PA" or "transparency" in im.info
        im = im.convert("RGBA" if has_alpha else "RGB")
    if im.mode in ("LA", "La", "RGBA", "RGBa", "PA"):
        im = _flatten_alpha(im)
    if im.mode in ("CMYK", "YCbCr", "LAB", "HSV", "RGBX"):
        im = im.convert("RGB")
    mode = im.mode
    if mode == "RGB":
        return as_uint8(to_numpy(im, reverse_channels=True))
    if mode == "L":
        grey = to_numpy(im)
    elif mode.startswith("I;16") or mode in ("I", "F"):
        grey = _scale_to_uint8(to_numpy(im), mode)
    else:
        raise UnsupportedFormatError(f"mode {mode}", kind=f"{fmt.upper()} {mode}")
    return as_uint8(cv2.cvtColor(np.ascontiguousarray(grey, dtype=np.uint8), cv2.COLOR_GRAY2BGR))


_EXIF_ORIENTATION = 0x0112
_EXIF_TURN = {1: 0, 3: 180, 6: 90, 8: 270}
"""The clockwise turn that shows an image stored with this EXIF orientation upright."""


def _fast_decode(im: Image.Image, fmt: str, data: bytes | None) -> BGRImage | None:
    """The common case decoded by OpenCV: an 8-bit RGB or grey PNG or JPEG, upright.

    libpng and libjpeg-turbo through ``cv2.imdecode`` take about half Pillow's time for the
    same pixels (a 300-dpi scan, a 12 MP photo); a PNG's inflate, most of libpng's time, is
    done before it by ISA-L, and its rows decoded in two halves on two cores
    (:func:`~omsdesktop.ocr._png.decode`). Pillow has already read the header and checked the
    size; anything unusual (palette, alpha, 16 bits, CMYK, a mirrored EXIF orientation) is
    left to it. None when this path does not apply.
    """
    if data is None or fmt not in ("png", "jpeg") or im.mode not in ("RGB", "L"):
        return None
    if fmt == "png" and ("transparency" in im.info or "icc_profile" in im.info):
        return None
    # OpenCV fills a truncated file with grey and says nothing: only complete files here.
    tail = data[-64:].rstrip(b"\0\r\n ")
    if (fmt == "png" and b"IEND" not in tail) or (fmt == "jpeg" and not tail.endswith(b"\xff\xd9")):
        return None
    if fmt == "png" and "exif" not in im.info and not has_png_chunk(data, b"eXIf"):
        # No EXIF chunk anywhere in the file. Pillow's getexif() on a PNG decodes all the
        # pixels to look for one after them: half the load time of a scan, for nothing.
        orientation = 1
    else:
        orientation = im.getexif().get(_EXIF_ORIENTATION, 1)
    if orientation not in _EXIF_TURN:
        return None
    flags = cv2.IMREAD_COLOR | cv2.IMREAD_IGNORE_ORIENTATION
    # A PNG's pixel data is inflated by ISA-L, three times zlib's speed, and its two halves
    # decoded on two cores (ocr/_png.py); a PNG it leaves is decoded the ordinary way.
    decoded: npt.NDArray[Any] | None = png_decode(data, flags) if fmt == "png" else None
    if decoded is None:
        decoded = cv2.imdecode(np.frombuffer(data, np.uint8), flags)
    if decoded is None or decoded.shape[:2] != (im.size[1], im.size[0]):
        return None  # truncated or odd data: Pillow decodes it or says what is wrong
    return as_uint8(rotate_clockwise(decoded, _EXIF_TURN[orientation]))


def _decode_frame(
    im: Image.Image,
    fmt: str,
    index: int,
    page_count: int,
    limits: IntakeLimits,
    max_side: int | None,
    *,
    data: bytes | None = None,
) -> Page:
    try:
        with quiet_decoder_warnings():
            if fmt == "tiff":
                im.seek(index)
            width, height = im.size
    except Exception as exc:
        raise TruncatedFileError(f"seek {index}: {type(exc).__name__}") from exc
    if width < 1 or height < 1:
        raise TruncatedFileError("zero size")
    if width * height > limits.max_pixels:
        raise _too_large(width * height, limits, f"{width}x{height} from header")
    declared_dpi = _sane_dpi(im.info.get("dpi"), fmt, (width, height))
    try:
        with quiet_decoder_warnings():
            scale = _fit_scale(width, height, max_side)
            if scale < 1.0 and fmt == "jpeg":
                # Let libjpeg decode at 1/2..1/8 scale: a preview never holds the full page.
                im.draft("RGB", (math.ceil(width * scale), math.ceil(height * scale)))
            fast = _fast_decode(im, fmt, data) if scale >= 1.0 else None
            if fast is not None:
                bgr = fast
            else:
                im.load()
                orientation = im.getexif().get(_EXIF_ORIENTATION, 1)
                upright = im
                if orientation in (2, 3, 4, 5, 6, 7, 8):
                    upright = ImageOps.exif_transpose(im)
                bgr = _pil_to_bgr(upright, fmt)
                del upright
    except IntakeError:
        raise
    except Image.DecompressionBombError as exc:
        raise _too_large(width * height, limits, "pillow bomb check") from exc
    except MemoryError as exc:
        raise _too_large(width * height, limits, "out of memory") from exc
    except Exception as exc:  # truncated or corrupt data: OSError, SyntaxError, zlib errors...
        raise TruncatedFileError(f"decode: {type(exc).__name__}") from exc
    if bgr.ndim != 3 or bgr.shape[2] != 3 or bgr.dtype != np.uint8:
        raise TruncatedFileError(f"decoded shape {bgr.shape} {bgr.dtype}")
    dpi = declared_dpi
    if max_side is not None and max(bgr.shape[:2]) > max_side:
        factor = max_side / max(bgr.shape[:2])
        new_size = (max(1, round(bgr.shape[1] * factor)), max(1, round(bgr.shape[0] * factor)))
        bgr = as_uint8(cv2.resize(bgr, new_size, interpolation=cv2.INTER_AREA))
    if dpi is not None and max(bgr.shape[:2]) != max(width, height):
        dpi = round(dpi * max(bgr.shape[:2]) / max(width, height), 1)
    return Page(
        image=np.ascontiguousarray(bgr),
        dpi=dpi,
        index=index,
        page_count=page_count,
        source_format=fmt,
    )


def _load_raster(
    data: bytes,
    fmt: str,
    limits: IntakeLimits,
    pages: Sequence[int] | None,
    cancelled: Cancelled | None,
    progress: Progress | None,
    max_side: int | None,
) -> list[Page]:
    im = _open_raster(data, fmt, limits)
    try:
        page_count = _frame_count(im, fmt)
        indices = _resolve_pages(pages, page_count, limits.max_pages)
        result: list[Page] = []
        for done, index in enumerate(indices):
            _check_cancelled(cancelled)
            result.append(_decode_frame(im, fmt, index, page_count, limits, max_side, data=data))
            if progress is not None:
                progress((done + 1) / len(indices))
        return result
    finally:
        im.close()


# --------------------------------------------------------------------------- PDF


def _pdf_dpi(doc: PdfDocument, index: int, limits: IntakeLimits, max_side: int | None) -> int:
    width_in, height_in = doc.page_size_inches(index)
    dpi = float(limits.pdf_dpi)
    fit = math.sqrt(limits.max_pixels / (width_in * height_in))
    dpi = min(dpi, fit)  # a poster-sized page renders at a lower dpi instead of exhausting RAM
    if max_side is not None:
        dpi = min(dpi, max_side / max(width_in, height_in))
    if dpi < 1:
        raise _too_large(width_in * height_in * limits.pdf_dpi**2, limits, "pdf page box")
    return math.floor(dpi)


def _load_pdf(
    data: bytes,
    limits: IntakeLimits,
    pages: Sequence[int] | None,
    cancelled: Cancelled | None,
    progress: Progress | None,
    max_side: int | None,
) -> list[Page]:
    with PdfDocument(
        data, poppler_path=limits.poppler_path, timeout_s=limits.pdf_render_timeout_s
    ) as doc:
        indices = _resolve_pages(pages, doc.page_count, limits.max_pages)
        result: list[Page] = []
        for done, index in enumerate(indices):
            _check_cancelled(cancelled)
            dpi = _pdf_dpi(doc, index, limits, max_side)
            rendered = doc.render(index, dpi)
            width, height = rendered.size
            if width * height > limits.max_pixels * 1.01 + 4 * (width + height):
                raise _too_large(width * height, limits, "rendered page")
            bgr = as_uint8(to_numpy(rendered, reverse_channels=True))
            del rendered
            result.append(
                Page(
                    image=np.ascontiguousarray(bgr),
                    dpi=float(dpi),
                    index=index,
                    page_count=doc.page_count,
                    source_format="pdf",
                )
            )
            if progress is not None:
                progress((done + 1) / len(indices))
        return result


# --------------------------------------------------------------------------- public API


def _load(
    data: bytes,
    limits: IntakeLimits,
    pages: Sequence[int] | None,
    cancelled: Cancelled | None,
    progress: Progress | None,
    max_side: int | None,
) -> list[Page]:
    if max_side is not None and max_side < 1:
        raise ValueError("max_side must be positive")
    fmt = _identify(data)
    if fmt == "pdf":
        return _load_pdf(data, limits, pages, cancelled, progress, max_side)
    return _load_raster(data, fmt, limits, pages, cancelled, progress, max_side)


def load_pages(
    path: str | os.PathLike[str],
    limits: IntakeLimits = DEFAULT_LIMITS,
    pages: Sequence[int] | None = None,
    cancelled: Cancelled | None = None,
    *,
    progress: Progress | None = None,
    max_side: int | None = None,
) -> list[Page]:
    """Load pages of an image or PDF file as upright BGR arrays.

    Args:
        path: the file; any characters in the name are fine.
        limits: safety limits.
        pages: zero-based page indices to load, in this order. None loads every page, but at
            most ``limits.max_pages`` (the first ones); :attr:`Page.page_count` always tells
            the true count, so a caller can see that pages were left out.
        cancelled: polled before each page; when it returns True,
            :class:`~omsdesktop.errors.CancelledError`.
        progress: called with the fraction of requested pages done.
        max_side: for previews: shrink each page so its longer side is at most this many pixels
            (JPEGs are decoded at reduced scale, PDFs rendered at a lower dpi; dpi is adjusted).

    Raises:
        IntakeError: a subclass with a stable ``code`` for every expected failure.
    """
    _check_cancelled(cancelled)
    data = _read_file(path, limits)
    return _load(data, limits, pages, cancelled, progress, max_side)


def load_page(
    path: str | os.PathLike[str],
    index: int = 0,
    limits: IntakeLimits = DEFAULT_LIMITS,
    *,
    max_side: int | None = None,
) -> Page:
    """Load a single page (zero-based ``index``) of a file; see :func:`load_pages`."""
    return load_pages(path, limits, [index], max_side=max_side)[0]


def load_bytes(
    data: bytes | bytearray | memoryview,
    name: str = "",
    limits: IntakeLimits = DEFAULT_LIMITS,
    pages: Sequence[int] | None = None,
    cancelled: Cancelled | None = None,
    *,
    progress: Progress | None = None,
    max_side: int | None = None,
) -> list[Page]:
    """Like :func:`load_pages` for bytes from the clipboard, a scanner or an upload.

    ``name`` is accepted for the caller's convenience (e.g. an upload's file name) but is never
    used: not to pick the format (content decides) and not in messages (it may be personal).
    """
    del name
    if not isinstance(data, (bytes, bytearray, memoryview)):
        raise TypeError(f"data must be bytes, not {type(data).__name__}")
    _check_size(memoryview(data).nbytes, limits)
    return _load(bytes(data), limits, pages, cancelled, progress, max_side)


def count_pages(path: str | os.PathLike[str], limits: IntakeLimits = DEFAULT_LIMITS) -> int:
    """Number of pages in a file (1 for single images) without decoding any page."""
    return count_pages_bytes(_read_file(path, limits), limits)


def count_pages_bytes(
    data: bytes | bytearray | memoryview, limits: IntakeLimits = DEFAULT_LIMITS
) -> int:
    """:func:`count_pages` for a file held in memory (clipboard, scanner): nothing is written."""
    if not isinstance(data, (bytes, bytearray, memoryview)):
        raise TypeError(f"data must be bytes, not {type(data).__name__}")
    _check_size(memoryview(data).nbytes, limits)
    data = bytes(data)
    fmt = _identify(data)
    if fmt == "pdf":
        with PdfDocument(
            data, poppler_path=limits.poppler_path, timeout_s=limits.pdf_render_timeout_s
        ) as doc:
            return doc.page_count
    im = _open_raster(data, fmt, limits)
    try:
        return _frame_count(im, fmt)
    finally:
        im.close()
