"""PDF side of intake: page count and page size with pypdf (pdfinfo as a fallback), rendering
one page at a time with pdftoppm through pdf2image.

Rendering goes through a private temporary copy of the bytes (ASCII name, removed on close), so
the user's path, whatever its characters, never reaches Poppler. Each page is rendered by its own
``pdftoppm -f N -l N`` call, so a 500-page file costs only the pages asked for, and a cancel is
honoured between pages.
"""

from __future__ import annotations

import contextlib
import io
import logging
import math
import os
import re
import tempfile
from types import TracebackType
from typing import Any, cast

from PIL import Image

from omsdesktop.ocr._intake_errors import (
    ImageTooLargeError,
    PdfBrokenError,
    PdfEncryptedError,
    PopplerMissingError,
    ReadFailedError,
    RenderTimeoutError,
)
from omsdesktop.ocr._pilutil import quiet_decoder_warnings

_PAGE_LINE_RE = re.compile(r"^Page\s+(\d+)\s+(size|rot):\s*(.+)$", re.MULTILINE)
_SIZE_RE = re.compile(r"([0-9.]+)\s*x\s*([0-9.]+)\s*pts")
POINTS_PER_INCH = 72.0

# pypdf logs what it repairs in a damaged file, quoting raw bytes of the document, which may be
# a child's name. Keep that out of our logs unless the application configured pypdf explicitly.
_pypdf_logger = logging.getLogger("pypdf")
if _pypdf_logger.level == logging.NOTSET:
    _pypdf_logger.setLevel(logging.CRITICAL)


def _poppler_call(func: Any, *args: Any, timeout_s: float, **kwargs: Any) -> Any:
    """Run a pdf2image function, turning its failures into intake errors."""
    from pdf2image import exceptions as p2e

    try:
        with quiet_decoder_warnings():
            return func(*args, timeout=timeout_s, **kwargs)
    except p2e.PDFInfoNotInstalledError as exc:
        raise PopplerMissingError("pdfinfo not found") from exc
    except p2e.PDFPopplerTimeoutError as exc:
        raise RenderTimeoutError("poppler timeout", seconds=f"{timeout_s:g}") from exc
    except p2e.PDFPageCountError as exc:
        if "password" in str(exc).lower():
            raise PdfEncryptedError("pdfinfo: password") from exc
        raise PdfBrokenError("pdfinfo failed") from exc
    except Image.DecompressionBombError as exc:
        raise ImageTooLargeError("rendered page over Pillow's limit") from exc
    except OSError as exc:
        # pdftoppm (or a DLL it needs) missing or not executable.
        raise PopplerMissingError(f"poppler could not start: {type(exc).__name__}") from exc
    except MemoryError as exc:
        raise ImageTooLargeError("out of memory") from exc
    except Exception as exc:  # any other failure of a third-party tool on untrusted input
        raise PdfBrokenError(f"poppler failed: {type(exc).__name__}") from exc


class PdfDocument:
    """An opened PDF: page count known, pages rendered on demand. Use as a context manager."""

    def __init__(self, data: bytes, *, poppler_path: str | None, timeout_s: float) -> None:
        self._data = data
        self._poppler_path = poppler_path
        self._timeout_s = timeout_s
        self._tmp_path: str | None = None
        self._reader: Any = None
        try:
            self.page_count = self._count_pages()
        except BaseException:
            self.close()
            raise

    def __enter__(self) -> PdfDocument:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    def close(self) -> None:
        """Remove the temporary copy (it may hold personal data)."""
        if self._tmp_path is not None:
            with contextlib.suppress(OSError):
                os.remove(self._tmp_path)
            self._tmp_path = None

    def _path(self) -> str:
        if self._tmp_path is None:
            try:
                fd, path = tempfile.mkstemp(prefix="omsdesktop-", suffix=".pdf")
                self._tmp_path = path
                with os.fdopen(fd, "wb") as fh:
                    fh.write(self._data)
            except OSError as exc:  # temp folder full or not writable
                self.close()
                raise ReadFailedError(f"temporary copy: {type(exc).__name__}") from exc
        return self._tmp_path

    def _count_pages(self) -> int:
        from pypdf import PasswordType, PdfReader

        count: int | None = None
        try:
            reader = PdfReader(io.BytesIO(self._data), strict=False)
            if reader.is_encrypted and reader.decrypt("") == PasswordType.NOT_DECRYPTED:
                raise PdfEncryptedError("pypdf: user password required")
            count = len(reader.pages)
            self._reader = reader
        except PdfEncryptedError:
            raise
        except Exception:  # pypdf gave up on a damaged file; Poppler is more forgiving
            self._reader = None
        if count is None or count < 1:
            count = self._pdfinfo_count()
        if count < 1:
            raise PdfBrokenError("no pages")
        return count

    def _pdfinfo(self, first: int | None = None, last: int | None = None) -> dict[str, Any]:
        from pdf2image import pdfinfo_from_path

        info = _poppler_call(
            pdfinfo_from_path,
            self._path(),
            poppler_path=self._poppler_path,
            timeout_s=self._timeout_s,
            first_page=first,
            last_page=last,
        )
        return cast(dict[str, Any], info)

    def _pdfinfo_count(self) -> int:
        pages = self._pdfinfo().get("Pages")
        return pages if isinstance(pages, int) else 0

    def page_size_inches(self, index: int) -> tuple[float, float]:
        """Width and height of the rendered page in inches, after /Rotate."""
        size = self._pypdf_page_size(index)
        if size is None:
            size = self._pdfinfo_page_size(index)
        width_pt, height_pt = size
        if not (math.isfinite(width_pt) and math.isfinite(height_pt)):
            raise PdfBrokenError("page size not finite")
        if width_pt < 1 or height_pt < 1:
            raise PdfBrokenError("empty page box")
        return width_pt / POINTS_PER_INCH, height_pt / POINTS_PER_INCH

    def _pypdf_page_size(self, index: int) -> tuple[float, float] | None:
        if self._reader is None:
            return None
        try:
            page = self._reader.pages[index]
            box = page.mediabox
            # UserUnit scales the box; counted in so a huge declared page is never rendered
            # at full dpi (overestimating is harmless: the page then renders at a lower dpi).
            unit = max(1.0, float(page.user_unit))
            width, height = abs(float(box.width)) * unit, abs(float(box.height)) * unit
            if int(page.rotation) % 180 == 90:
                width, height = height, width
            return width, height
        except Exception:
            return None

    def _pdfinfo_page_size(self, index: int) -> tuple[float, float]:
        info = self._pdfinfo(index + 1, index + 1)
        text = "\n".join(f"{key}: {value}" for key, value in info.items())
        size: tuple[float, float] | None = None
        rotation = 0
        for match in _PAGE_LINE_RE.finditer(text):
            if int(match.group(1)) != index + 1:
                continue
            if match.group(2) == "size":
                found = _SIZE_RE.search(match.group(3))
                if found:
                    size = float(found.group(1)), float(found.group(2))
            else:
                with contextlib.suppress(ValueError):
                    rotation = int(float(match.group(3)))
        if size is None:
            raise PdfBrokenError("page size unknown")
        if rotation % 180 == 90:
            size = size[1], size[0]
        return size

    def render(self, index: int, dpi: int) -> Image.Image:
        """Render one page (zero-based) to an RGB PIL image at ``dpi``."""
        from pdf2image import convert_from_path

        images = _poppler_call(
            convert_from_path,
            self._path(),
            dpi=dpi,
            first_page=index + 1,
            last_page=index + 1,
            fmt="ppm",
            thread_count=1,
            poppler_path=self._poppler_path,
            use_pdftocairo=False,
            timeout_s=self._timeout_s,
        )
        if not isinstance(images, list) or len(images) != 1:
            raise PdfBrokenError("pdftoppm produced no page")
        image = images[0]
        if not isinstance(image, Image.Image):
            raise PdfBrokenError("pdftoppm output unreadable")
        try:
            with quiet_decoder_warnings():
                image.load()
                return image.convert("RGB") if image.mode != "RGB" else image
        except Exception as exc:
            raise PdfBrokenError("pdftoppm output unreadable") from exc
