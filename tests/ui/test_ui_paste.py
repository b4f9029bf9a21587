"""Pasting into a slot: raw image data on the clipboard (PNG, JPEG, a browser's ``image/*``,
Qt's image, a Windows DIB) and a copied file, read through the real pipeline with Tesseract.

Each case puts what a real program would put on the clipboard, presses «Вставить», and checks
the slot is filled, the fields are read, and the image never went to disk (the source stays in
memory: ``SlotDocument.data``)."""

from __future__ import annotations

import io
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from PIL import Image as PILImage
from PySide6.QtCore import QMimeData, QUrl
from PySide6.QtGui import QGuiApplication, QImage

from omsdesktop.ui.document_slot import CLIPBOARD_LABEL, image_from_mime
from omsdesktop.ui.images import dib_to_bmp

OCR_TIMEOUT = 120_000
DIB_MIME = 'application/x-qt-windows-mime;value="DeviceIndependentBitmap"'


def _encoded(path: Path, fmt: str, **options: object) -> bytes:
    out = io.BytesIO()
    with PILImage.open(path) as im:
        im.convert("RGB").save(out, format=fmt, **options)
    return out.getvalue()


def _dib(path: Path) -> bytes:
    """What Windows puts on the clipboard as CF_DIB: a BMP without its 14-byte file header."""
    return _encoded(path, "BMP")[14:]


def _raw(mime_type: str, data: bytes) -> QMimeData:
    mime = QMimeData()
    mime.setData(mime_type, data)
    return mime


def _browser(data: bytes) -> QMimeData:
    """«Копировать изображение» in a browser: the picture as image/png next to its HTML."""
    mime = QMimeData()
    mime.setHtml('<img src="https://example.org/scan.png">')
    mime.setData("image/png", data)
    return mime


def _qt_image(path: Path) -> QMimeData:
    mime = QMimeData()
    mime.setImageData(QImage(str(path)))
    return mime


def _copied_file(path: Path) -> QMimeData:
    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(str(path))])
    return mime


CASES: dict[str, Callable[[Path], QMimeData]] = {
    "png": lambda p: _raw("image/png", p.read_bytes()),
    "jpeg": lambda p: _raw("image/jpeg", _encoded(p, "JPEG", quality=95, dpi=(300, 300))),
    "browser": lambda p: _browser(p.read_bytes()),
    "qimage": _qt_image,
    "dib": lambda p: _raw(DIB_MIME, _dib(p)),
    "file": _copied_file,
}


@pytest.fixture
def clipboard(qapp) -> Iterator[Callable[[QMimeData], None]]:
    def put(mime: QMimeData) -> None:
        QGuiApplication.clipboard().setMimeData(mime)

    yield put
    QGuiApplication.clipboard().clear()  # the clipboard owns the data: not left for exit


@pytest.mark.parametrize("case", list(CASES))
def test_pasting_fills_the_slot_and_reads_the_fields(
    qtbot, make_window, make_services, documents, clipboard, case
):
    window = make_window(make_services())
    slot = window.certificate_slot
    qtbot.waitUntil(lambda: slot.isEnabled(), timeout=30_000)
    clipboard(CASES[case](documents.certificate))
    slot.paste_button.click()
    qtbot.waitUntil(
        lambda: slot.document is not None or slot.banner.isVisible(), timeout=OCR_TIMEOUT
    )
    assert slot.document is not None, slot.banner_text.text()
    truth = documents.certificate_truth
    assert window.form.value("child.last_name") == truth["last_name"]
    assert window.form.value("cert.number") == truth["birth_certificate_number"]
    assert "Внутренняя ошибка" not in slot.banner_text.text()
    if case == "file":
        assert slot.document.path == str(documents.certificate)
        assert slot.document.data is None
    else:  # in memory, never a temporary file
        assert slot.document.path == CLIPBOARD_LABEL
        assert slot.document.data is not None


def test_an_empty_clipboard_says_what_to_do(qtbot, make_window, make_services, clipboard):
    window = make_window(make_services())
    slot = window.certificate_slot
    qtbot.waitUntil(lambda: slot.isEnabled(), timeout=30_000)
    clipboard(_raw("text/plain", "Иванов".encode()))
    slot.paste_button.click()
    assert slot.banner.isVisible()
    assert "В буфере обмена нет снимка" in slot.banner_text.text()
    assert slot.document is None and not slot.busy


def test_pasted_bytes_that_are_no_image_get_the_intake_message(
    qtbot, make_window, make_services, clipboard
):
    window = make_window(make_services())
    slot = window.certificate_slot
    qtbot.waitUntil(lambda: slot.isEnabled(), timeout=30_000)
    # A PNG signature followed by garbage: taken as PNG, refused by intake with its message.
    clipboard(_raw("image/png", b"\x89PNG\r\n\x1a\n" + b"\x00garbage" * 40))
    slot.paste_button.click()
    qtbot.waitUntil(lambda: slot.banner.isVisible() and not slot.busy, timeout=30_000)
    text = slot.banner_text.text()
    assert slot.document is None
    assert "Внутренняя ошибка" not in text and "Traceback" not in text


def test_image_from_mime_prefers_encoded_data(qapp, documents):
    png = documents.certificate.read_bytes()
    mime = QMimeData()
    mime.setImageData(QImage(str(documents.certificate)))
    mime.setData("image/png", png)
    assert image_from_mime(mime) == png
    # An image/* the intake cannot read (SVG) is skipped: no image here.
    assert image_from_mime(_raw("image/svg+xml", b"<svg/>")) is None
    assert image_from_mime(_raw(DIB_MIME, b"not a bitmap")) is None


def test_dib_to_bmp_round_trip(documents):
    bmp = _encoded(documents.certificate, "BMP")
    assert dib_to_bmp(bmp[14:]) == bmp
    assert dib_to_bmp(b"\x00" * 8) is None
