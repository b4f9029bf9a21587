"""Scans to upload-ready JPEG/PDF: at most 5 MB, at least 200 dpi, sizes reported."""

from __future__ import annotations

import io

import cv2
import numpy as np
import pypdf
import pytest

from omsdesktop.errors import CancelledError
from omsdesktop.portal.attachments import prepare_attachment
from omsdesktop.portal.contract import MAX_ATTACHMENT_BYTES
from omsdesktop.portal.errors import AttachmentTooLargeError

A4_INCHES = (8.27, 11.69)


def _page(dpi: float, seed: int = 0) -> np.ndarray:
    """An A4 page at ``dpi``: paper texture (hard to compress) and lines of black "text"."""
    width, height = (round(side * dpi) for side in A4_INCHES)
    rng = np.random.default_rng(seed)
    page = rng.integers(150, 256, size=(height, width, 3), dtype=np.uint8)
    for y in range(int(dpi), height - int(dpi), max(1, int(dpi / 4))):
        cv2.putText(
            page,
            "SVIDETELSTVO O ROZHDENII 1234567890",
            (int(dpi / 2), y),
            cv2.FONT_HERSHEY_SIMPLEX,
            dpi / 150,
            (20, 20, 20),
            max(1, int(dpi / 150)),
        )
    return page


@pytest.mark.slow  # renders and processes whole pages, over a second each
def test_a_heavy_600_dpi_scan_fits_in_5_mb_at_200_dpi_or_more() -> None:
    image = _page(600)
    raw = cv2.imencode(".jpg", image, [int(cv2.IMWRITE_JPEG_QUALITY), 95])[1]
    assert raw.size > MAX_ATTACHMENT_BYTES  # the input really is too big
    progress: list[float] = []
    result = prepare_attachment(image, 600, progress=progress.append)
    assert result.media_type == "image/jpeg"
    assert result.size_bytes <= MAX_ATTACHMENT_BYTES
    assert result.dpi is not None and result.dpi >= 200
    decoded = cv2.imdecode(np.frombuffer(result.data, np.uint8), cv2.IMREAD_COLOR)
    assert decoded.shape[:2] == (result.height, result.width)
    assert result.width == pytest.approx(A4_INCHES[0] * result.dpi, abs=2)
    assert progress == sorted(progress) and progress[-1] == 1.0
    assert result.to_json()["size_bytes"] == result.size_bytes


@pytest.mark.slow  # renders and processes whole pages, over a second each
def test_pdf_has_one_page_of_the_document_size() -> None:
    result = prepare_attachment(_page(300), 300, fmt="pdf")
    assert result.media_type == "application/pdf"
    assert result.size_bytes <= MAX_ATTACHMENT_BYTES
    reader = pypdf.PdfReader(io.BytesIO(result.data))
    assert len(reader.pages) == 1
    box = reader.pages[0].mediabox
    assert float(box.width) == pytest.approx(A4_INCHES[0] * 72, abs=1)
    assert float(box.height) == pytest.approx(A4_INCHES[1] * 72, abs=1)
    images = list(reader.pages[0].images)
    assert len(images) == 1
    embedded = cv2.imdecode(np.frombuffer(images[0].data, np.uint8), cv2.IMREAD_COLOR)
    assert embedded.shape[:2] == (result.height, result.width)


def test_a_small_scan_is_kept_as_is() -> None:
    image = _page(200)[:800, :600]
    result = prepare_attachment(image, 200)
    assert (result.width, result.height) == (600, 800)
    assert result.quality == 90
    unknown = prepare_attachment(image, None)
    assert (unknown.width, unknown.height, unknown.dpi) == (600, 800, None)
    grey = prepare_attachment(cv2.cvtColor(image, cv2.COLOR_BGR2GRAY), 200, fmt="pdf")
    assert b"/DeviceGray" in grey.data


@pytest.mark.slow  # renders and processes whole pages, over a second each
def test_never_below_200_dpi_to_fit() -> None:
    with pytest.raises(AttachmentTooLargeError) as caught:
        prepare_attachment(_page(300)[:1200, :1200], 300, max_bytes=20_000)
    assert "200" in caught.value.message()


def test_cancel() -> None:
    with pytest.raises(CancelledError):
        prepare_attachment(_page(200), 200, cancelled=lambda: True)
