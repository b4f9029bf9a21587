"""PDF pages through PDFium (pypdfium2): the renderer when Poppler is missing.

pypdfium2 ships PDFium inside its wheels (Linux, Windows, macOS), so a PDF opens without any
system program: the Windows install and the self-contained bundle need no Poppler. Where
Poppler is present it stays the first choice (:mod:`omsdesktop.ocr._pdf`); its rendering is what
the quality thresholds and benchmarks were measured on.

PDFium is not thread-safe and the window renders in a worker pool, so every call into it holds
one process-wide lock (it guards the library, not our state).
"""

from __future__ import annotations

import importlib.util
import shutil
import sys
import threading
from typing import Any

from PIL import Image

from omsdesktop.ocr._intake_errors import ImageTooLargeError, PdfBrokenError, PdfEncryptedError

POINTS_PER_INCH = 72.0
_LOCK = threading.Lock()


def available() -> bool:
    """Whether pypdfium2 can be imported here."""
    try:
        return importlib.util.find_spec("pypdfium2") is not None
    except (ImportError, ValueError):
        return False


def instead_of_poppler(poppler_path: str | None) -> bool:
    """Whether PDF pages should go through PDFium rather than Poppler here.

    Never when a Poppler folder is configured (a wrong folder is reported as Poppler missing,
    so the user can correct the setting). Otherwise yes when PDFium is installed and
    ``pdftoppm`` is not on PATH, and always inside the bundle: a system ``pdftoppm`` started
    from the bundle inherits the bundle's ``LD_LIBRARY_PATH`` and may load the bundle's copies
    of its libraries instead of its own.
    """
    if poppler_path or not available():
        return False
    if getattr(sys, "frozen", False):
        return True
    return shutil.which("pdftoppm") is None


def _open(data: bytes) -> Any:
    import pypdfium2 as pdfium

    try:
        return pdfium.PdfDocument(data)
    except pdfium.PdfiumError as exc:
        if "password" in str(exc).lower():
            raise PdfEncryptedError("pdfium: password") from exc
        raise PdfBrokenError(f"pdfium could not open: {exc}") from exc


def page_count(data: bytes) -> int:
    with _LOCK:
        pdf = _open(data)
        try:
            return len(pdf)
        finally:
            pdf.close()


def page_size_points(data: bytes, index: int) -> tuple[float, float]:
    """Width and height of a page in points, as displayed (after /Rotate)."""
    with _LOCK:
        pdf = _open(data)
        try:
            page = pdf[index]
            try:
                width, height = page.get_size()
                return float(width), float(height)
            finally:
                page.close()
        except (IndexError, ValueError) as exc:
            raise PdfBrokenError("pdfium: no such page") from exc
        finally:
            pdf.close()


def render(data: bytes, index: int, dpi: int) -> Image.Image:
    """Render one page (zero-based) to an RGB PIL image at ``dpi``."""
    with _LOCK:
        pdf = _open(data)
        try:
            page = pdf[index]
            try:
                bitmap = page.render(scale=dpi / POINTS_PER_INCH)
                image = bitmap.to_pil()
            finally:
                page.close()
        except MemoryError as exc:
            raise ImageTooLargeError("out of memory") from exc
        except Exception as exc:  # any failure of a third-party library on untrusted input
            raise PdfBrokenError(f"pdfium failed: {type(exc).__name__}") from exc
        finally:
            pdf.close()
    if not isinstance(image, Image.Image):
        raise PdfBrokenError("pdfium output unreadable")
    return image.convert("RGB") if image.mode != "RGB" else image
