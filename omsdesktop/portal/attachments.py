"""Prepare a document image for upload: JPEG or PDF, at most 5 MB, text still legible.

Legible means at least 200 dpi effective resolution (the page's pixels over its physical size).
A scan above 300 dpi is first brought down to 300 dpi; then the JPEG quality is lowered step by
step, and only then the resolution, never below 200 dpi. If even that does not fit, the scan is
refused with a message asking for a new one, rather than uploading an unreadable image.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Literal

import cv2
import numpy as np

from omsdesktop.errors import CancelledError
from omsdesktop.ocr.types import Image
from omsdesktop.portal.contract import MAX_ATTACHMENT_BYTES
from omsdesktop.portal.errors import AttachmentTooLargeError

AttachmentFormat = Literal["jpeg", "pdf"]
MIN_DPI = 200.0
TARGET_DPI = 300.0
_QUALITIES: tuple[int, ...] = (90, 82, 74, 66, 58, 50)
_SCALE_STEP = 0.85


@dataclass(frozen=True)
class PreparedAttachment:
    """An upload-ready file and what it is."""

    data: bytes
    media_type: str
    width: int
    height: int
    dpi: float | None  # effective resolution of the file (None if the input's was unknown)
    quality: int

    @property
    def size_bytes(self) -> int:
        return len(self.data)

    def to_json(self) -> dict[str, Any]:
        return {
            "media_type": self.media_type,
            "size_bytes": self.size_bytes,
            "width": self.width,
            "height": self.height,
            "dpi": None if self.dpi is None else round(self.dpi, 1),
            "quality": self.quality,
        }


def _encode_jpeg(image: Image, quality: int) -> bytes:
    ok, buffer = cv2.imencode(
        ".jpg",
        image,
        [int(cv2.IMWRITE_JPEG_QUALITY), quality, int(cv2.IMWRITE_JPEG_OPTIMIZE), 1],
    )
    if not ok:
        raise ValueError("JPEG encoding failed")
    return bytes(np.asarray(buffer).tobytes())


def jpeg_to_pdf(jpeg: bytes, width: int, height: int, dpi: float, grey: bool) -> bytes:
    """A one-page PDF showing the JPEG at ``dpi`` (embedded as is: no second compression)."""
    page_w = width * 72.0 / dpi
    page_h = height * 72.0 / dpi
    content = f"q {page_w:.2f} 0 0 {page_h:.2f} 0 0 cm /Im0 Do Q".encode("ascii")
    colour = "/DeviceGray" if grey else "/DeviceRGB"
    objects: list[bytes] = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        (
            f"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 {page_w:.2f} {page_h:.2f}] "
            "/Resources << /XObject << /Im0 4 0 R >> >> /Contents 5 0 R >>"
        ).encode("ascii"),
        (
            f"<< /Type /XObject /Subtype /Image /Width {width} /Height {height} "
            f"/ColorSpace {colour} /BitsPerComponent 8 /Filter /DCTDecode "
            f"/Length {len(jpeg)} >>\nstream\n"
        ).encode("ascii")
        + jpeg
        + b"\nendstream",
        f"<< /Length {len(content)} >>\nstream\n".encode("ascii") + content + b"\nendstream",
    ]
    out = bytearray(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += f"{number} 0 obj\n".encode("ascii") + body + b"\nendobj\n"
    xref = len(out)
    out += f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n".encode("ascii")
    for offset in offsets:
        out += f"{offset:010d} 00000 n \n".encode("ascii")
    out += (
        f"trailer\n<< /Size {len(objects) + 1} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n"
    ).encode("ascii")
    return bytes(out)


def _scales(dpi: float | None, min_dpi: float, target_dpi: float) -> list[float]:
    if dpi is None or dpi <= 0:
        return [1.0]  # unknown resolution: never shrink what may already be the minimum
    first = min(1.0, target_dpi / dpi)
    lowest = min(1.0, min_dpi / dpi)
    scales = [first]
    while scales[-1] * _SCALE_STEP > lowest:
        scales.append(scales[-1] * _SCALE_STEP)
    if scales[-1] > lowest:
        scales.append(lowest)
    return scales


def prepare_attachment(
    image: Image,
    dpi: float | None,
    *,
    fmt: AttachmentFormat = "jpeg",
    max_bytes: int = MAX_ATTACHMENT_BYTES,
    min_dpi: float = MIN_DPI,
    target_dpi: float = TARGET_DPI,
    progress: Callable[[float], None] | None = None,
    cancelled: Callable[[], bool] | None = None,
) -> PreparedAttachment:
    """Encode ``image`` (BGR or grey uint8) as JPEG or PDF within ``max_bytes``.

    Args:
        image: the document page, H x W x 3 BGR or H x W grey.
        dpi: its resolution; None when unknown (then it is never downscaled).
        fmt: ``"jpeg"`` or ``"pdf"`` (a one-page PDF holding the JPEG).

    Raises:
        AttachmentTooLargeError: it cannot fit without going under ``min_dpi`` / quality 50.
        CancelledError: ``cancelled()`` returned True.
    """
    if image.ndim not in (2, 3) or image.size == 0:
        raise ValueError("expected a non-empty H x W or H x W x 3 image")
    grey = image.ndim == 2
    scales = _scales(dpi, min_dpi, target_dpi)
    total = len(scales) * len(_QUALITIES)
    step = 0
    height0, width0 = image.shape[:2]
    for scale in scales:
        if scale < 1.0:
            size = (max(1, round(width0 * scale)), max(1, round(height0 * scale)))
            resized: Image = np.asarray(
                cv2.resize(image, size, interpolation=cv2.INTER_AREA), dtype=np.uint8
            )
        else:
            resized = image
        height, width = resized.shape[:2]
        effective = None if dpi is None else dpi * width / width0
        for quality in _QUALITIES:
            if cancelled is not None and cancelled():
                raise CancelledError()
            step += 1
            if progress is not None:
                progress(step / total)
            data = _encode_jpeg(resized, quality)
            media_type = "image/jpeg"
            if fmt == "pdf":
                data = jpeg_to_pdf(data, width, height, effective or 72.0, grey)
                media_type = "application/pdf"
            if len(data) <= max_bytes:
                if progress is not None:
                    progress(1.0)
                return PreparedAttachment(data, media_type, width, height, effective, quality)
    raise AttachmentTooLargeError("does not fit", limit_mb=f"{max_bytes / (1024 * 1024):g}")
