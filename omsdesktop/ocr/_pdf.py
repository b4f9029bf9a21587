"""PDF side of intake: page count and page size with pypdf (pdfinfo as a fallback), rendering
one page at a time with pdftoppm through pdf2image.

Poppler reads the PDF from its standard input (``-``) and ``pdftoppm`` writes the page to its
standard output: nothing is written to disk, so a crash or a kill leaves no copy of the document
in the temp folder, and the user's path, whatever its characters, never reaches Poppler. Each
page is rendered by its own ``pdftoppm -f N -l N`` call, so a 500-page file costs only the pages
asked for, and a cancel is honoured between pages.
"""

from __future__ import annotations

import contextlib
import io
import logging
import math
import os
import re
import subprocess
import sys
from types import TracebackType
from typing import Any

from PIL import Image

from omsdesktop.ocr import _pdfium
from omsdesktop.ocr._intake_errors import (
    ImageTooLargeError,
    PdfBrokenError,
    PdfEncryptedError,
    PopplerMissingError,
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


def _poppler_command(tool: str, poppler_path: str | None) -> str:
    name = tool + ".exe" if sys.platform == "win32" else tool
    return os.path.join(poppler_path, name) if poppler_path else name


def _run_poppler(
    tool: str, args: list[str], data: bytes, *, poppler_path: str | None, timeout_s: float
) -> bytes:
    """Run a Poppler tool on the PDF given on its stdin; its stdout, or an intake error."""
    env = dict(os.environ)
    if poppler_path:
        env["LD_LIBRARY_PATH"] = poppler_path + os.pathsep + env.get("LD_LIBRARY_PATH", "")
    flags = getattr(subprocess, "CREATE_NO_WINDOW", 0) if sys.platform == "win32" else 0
    try:
        done = subprocess.run(
            [_poppler_command(tool, poppler_path), *args, "-"],
            input=data,
            capture_output=True,
            env=env,
            timeout=timeout_s,
            check=False,
            creationflags=flags,
        )
    except subprocess.TimeoutExpired as exc:
        raise RenderTimeoutError("poppler timeout", seconds=f"{timeout_s:g}") from exc
    except OSError as exc:
        # The tool (or a DLL it needs) missing or not executable.
        raise PopplerMissingError(f"{tool} could not start: {type(exc).__name__}") from exc
    except MemoryError as exc:
        raise ImageTooLargeError("out of memory") from exc
    if done.returncode != 0:
        if b"password" in done.stderr.lower():
            raise PdfEncryptedError(f"{tool}: password")
        raise PdfBrokenError(f"{tool} failed: exit {done.returncode}")
    return done.stdout


class PdfDocument:
    """An opened PDF: page count known, pages rendered on demand. Use as a context manager."""

    def __init__(self, data: bytes, *, poppler_path: str | None, timeout_s: float) -> None:
        self._data = data
        self._poppler_path = poppler_path
        self._timeout_s = timeout_s
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
        """Drop the parsed document (nothing was written to disk)."""
        self._reader = None

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
        args = []
        if first is not None:
            args += ["-f", str(first)]
        if last is not None:
            args += ["-l", str(last)]
        out = _run_poppler(
            "pdfinfo",
            args,
            self._data,
            poppler_path=self._poppler_path,
            timeout_s=self._timeout_s,
        )
        info: dict[str, Any] = {}
        for line in out.decode("utf-8", "ignore").splitlines():
            key, sep, value = line.partition(":")
            if not sep or not key:
                continue
            value = value.strip()
            if key == "Pages":
                try:
                    info[key] = int(value)
                except ValueError:
                    continue
            else:
                info[key] = value
        return info

    def _pdfinfo_count(self) -> int:
        if _pdfium.instead_of_poppler(self._poppler_path):
            return _pdfium.page_count(self._data)
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
        if _pdfium.instead_of_poppler(self._poppler_path):
            return _pdfium.page_size_points(self._data, index)
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
        if _pdfium.instead_of_poppler(self._poppler_path):
            return _pdfium.render(self._data, index, dpi)
        out = _run_poppler(
            "pdftoppm",
            ["-r", str(dpi), "-f", str(index + 1), "-l", str(index + 1)],
            self._data,
            poppler_path=self._poppler_path,
            timeout_s=self._timeout_s,
        )
        if not out:
            raise PdfBrokenError("pdftoppm produced no page")
        try:
            with quiet_decoder_warnings():
                image = Image.open(io.BytesIO(out))
                image.load()
                return image.convert("RGB") if image.mode != "RGB" else image
        except Image.DecompressionBombError as exc:
            raise ImageTooLargeError("rendered page over Pillow's limit") from exc
        except MemoryError as exc:
            raise ImageTooLargeError("out of memory") from exc
        except Exception as exc:
            raise PdfBrokenError("pdftoppm output unreadable") from exc
