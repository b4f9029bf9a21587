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
