"""ink_box: the letter-sized ink of a form's zone (no Tesseract)."""

from __future__ import annotations

import numpy as np
from PIL import Image, ImageDraw, ImageFont

from omsdesktop.forms.template import ink_box
from omsdesktop.ocr.types import Box

SERIF = "/usr/share/fonts/truetype/dejavu/DejaVuSerif-Bold.ttf"


def _typed_on_a_line(text: str) -> tuple[np.ndarray, int, int]:
    """``text`` typed standing on an underline that runs across the zone; returns the image,
    the text's left edge and its cap height."""
    image = Image.new("L", (900, 80), 255)
    draw = ImageDraw.Draw(image)
    face = ImageFont.truetype(SERIF, 40)
    left, top, _right, bottom = draw.textbbox((100, 55), text, font=face, anchor="ls")
    draw.text((100, 55), text, font=face, fill=0, anchor="ls")
    draw.line((10, 55, 890, 55), fill=0, width=3)  # the letters' feet sit on it
    return np.asarray(image), left, bottom - top


def test_letters_standing_on_their_underline_count() -> None:
    image, left, height = _typed_on_a_line("МИРОСЛАВА")
    box = ink_box(image, Box(0, 0, 900, 80), min_height=0.5 * height)
    assert box is not None
    assert abs(box.x - left) <= 3  # «М» and «И» touch the line and are still found
    assert box.x + box.width < 890  # the line itself is not a value


def test_an_underline_alone_is_no_value() -> None:
    image = np.full((80, 900), 255, np.uint8)
    image[54:57, 10:890] = 0
    assert ink_box(image, Box(0, 0, 900, 80), min_height=14) is None
