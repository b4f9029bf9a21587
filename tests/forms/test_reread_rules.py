"""The re-reader takes a value's underline out and leaves its letters whole (no Tesseract)."""

from __future__ import annotations

import numpy as np
from PIL import Image, ImageDraw, ImageFont

from omsdesktop.forms.reread import _without_rules

SERIF = "/usr/share/fonts/truetype/dejavu/DejaVuSerif.ttf"


def _name_on_a_scanned_underline() -> tuple[np.ndarray, tuple[int, int, int, int], int]:
    """«Емельянов» standing on its underline."""
    image = Image.new("L", (700, 90), 255)
    draw = ImageDraw.Draw(image)
    face = ImageFont.truetype(SERIF, 40)
    box = draw.textbbox((80, 60), "Емельянов", font=face, anchor="ls")
    draw.text((80, 60), "Емельянов", font=face, fill=0, anchor="ls")
    draw.line((10, 60, 690, 60), fill=0, width=2)
    return np.asarray(image).copy(), box, 60


def test_underline_is_taken_out_but_the_letters_keep_their_feet() -> None:
    image, (left, top, right, _bottom), line_y = _name_on_a_scanned_underline()
    out = _without_rules(image, text_h=line_y - top)
    rows = slice(line_y - 1, line_y + 2)
    # Away from the word the line is gone.
    assert (out[rows, 10 : left - 6] > 128).all()
    assert (out[rows, right + 6 : 690] > 128).all()
    # Under the word, the strokes that stand on the line keep their feet: the «Е»'s stem
    # reaches the line as it did.
    stem_x = left + int(np.argmax(image[top + 5, left:right] < 128))
    assert (out[line_y - 1 : line_y + 1, stem_x : stem_x + 3] < 128).all()
    # And the letters above the line are untouched.
    assert np.array_equal(out[top : line_y - 3, left:right], image[top : line_y - 3, left:right])
