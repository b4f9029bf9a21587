"""numpy (OpenCV BGR) images to Qt images. QImage work is safe off the GUI thread; QPixmap
is not, so workers return QImage and the widgets turn it into a pixmap."""

from __future__ import annotations

import numpy as np
from PySide6.QtGui import QImage

from omsdesktop.ocr.types import Box, Image

PREVIEW_MAX_SIDE = 1400


def to_qimage(image: Image) -> QImage:
    """A deep copy of a BGR or grey uint8 image as a QImage."""
    array = np.ascontiguousarray(image)
    height, width = array.shape[:2]
    if array.ndim == 2:
        qimage = QImage(
            array.data, width, height, array.strides[0], QImage.Format.Format_Grayscale8
        )
    else:
        qimage = QImage(array.data, width, height, array.strides[0], QImage.Format.Format_BGR888)
    return qimage.copy()  # own the pixels: the numpy buffer may go away


def preview_image(image: Image, max_side: int = PREVIEW_MAX_SIDE) -> tuple[QImage, float]:
    """A downscaled copy for the preview and the scale from image pixels to preview pixels."""
    import cv2

    height, width = image.shape[:2]
    scale = min(1.0, max_side / max(height, width))
    if scale < 1.0:
        size = (max(1, round(width * scale)), max(1, round(height * scale)))
        image = np.asarray(cv2.resize(image, size, interpolation=cv2.INTER_AREA), dtype=np.uint8)
    return to_qimage(image), scale


def crop(image: Image, box: Box, pad: float = 0.35, min_pad_px: int = 12) -> Image:
    """The part of the page around ``box`` (with some context), clipped to the page."""
    height, width = image.shape[:2]
    pad_x = max(min_pad_px, int(box.height * pad * 2))
    pad_y = max(min_pad_px, int(box.height * pad))
    x0 = max(0, box.x - pad_x)
    y0 = max(0, box.y - pad_y)
    x1 = min(width, box.x + box.width + pad_x)
    y1 = min(height, box.y + box.height + pad_y)
    if x1 <= x0 or y1 <= y0:
        return image[0:1, 0:1]
    return np.ascontiguousarray(image[y0:y1, x0:x1])


def decode_image(data: bytes) -> Image | None:
    """Decode stored JPEG/PNG bytes (never from a path: cv2.imdecode)."""
    import cv2

    buffer = np.frombuffer(data, dtype=np.uint8)
    decoded = cv2.imdecode(buffer, cv2.IMREAD_COLOR)
    return None if decoded is None else np.asarray(decoded, dtype=np.uint8)


_BITMAPFILEHEADER_SIZE = 14
_BI_BITFIELDS = 3
_BI_ALPHABITFIELDS = 6


def dib_to_bmp(dib: bytes) -> bytes | None:
    """A Windows clipboard DIB (CF_DIB / CF_DIBV5: a BMP without its 14-byte file header) as
    BMP file bytes, or None when ``dib`` is not a believable DIB.

    The header only says where the pixels start: after the info header, the colour masks of
    a BITFIELDS bitmap with the 40-byte header, and the colour table.
    """
    if len(dib) < 16:
        return None
    header_size = int.from_bytes(dib[0:4], "little")
    if header_size not in (12, 40, 52, 56, 64, 108, 124) or len(dib) <= header_size:
        return None
    if header_size == 12:  # BITMAPCOREHEADER: 16-bit fields, RGB triples in the table
        bits = int.from_bytes(dib[10:12], "little")
        compression, colours, entry = 0, 0, 3
    else:
        bits = int.from_bytes(dib[14:16], "little")
        compression = int.from_bytes(dib[16:20], "little")
        colours = int.from_bytes(dib[32:36], "little")
        entry = 4
    if bits not in (1, 2, 4, 8, 16, 24, 32):
        return None
    masks = 0
    if header_size == 40 and compression == _BI_BITFIELDS:
        masks = 12
    elif header_size == 40 and compression == _BI_ALPHABITFIELDS:
        masks = 16
    if colours == 0 and bits <= 8:
        colours = 1 << bits
    offset = _BITMAPFILEHEADER_SIZE + header_size + masks + colours * entry
    if offset - _BITMAPFILEHEADER_SIZE > len(dib):
        return None
    size = _BITMAPFILEHEADER_SIZE + len(dib)
    file_header = (
        b"BM" + size.to_bytes(4, "little") + b"\x00\x00\x00\x00" + offset.to_bytes(4, "little")
    )
    return file_header + dib


def encode_qimage(image: QImage) -> bytes:
    """``image`` as PNG bytes, in memory (never through a file). Safe off the GUI thread.

    Raises:
        ValueError: Qt could not encode the image (e.g. a null image).
    """
    from PySide6.QtCore import QBuffer, QByteArray, QIODevice

    data = QByteArray()
    buffer = QBuffer(data)
    buffer.open(QIODevice.OpenModeFlag.WriteOnly)
    try:
        # Light compression: the bytes only live in memory until the page is decoded. The
        # format must be a str: PySide6 6.11 refuses b"PNG" at run time ("called with wrong
        # argument values"), although its type stubs ask for bytes.
        ok = image.save(buffer, "PNG", 80)  # type: ignore[call-overload]
    finally:
        buffer.close()
    if not ok:
        raise ValueError("the image could not be encoded")
    return bytes(data.data())
