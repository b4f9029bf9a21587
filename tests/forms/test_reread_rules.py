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


def _page_with(words: list[tuple[str, int, int]], image: np.ndarray):
    """A page whose page pass read ``words`` (text, x, width) on one row, 40 px tall at y=20."""
    from omsdesktop.ocr.engine import Word
    from omsdesktop.ocr.layout import PageText, group_lines
    from omsdesktop.ocr.types import Box

    read = [Word(text, 0.9, Box(x, 20, w, 40), (1, 1, 1)) for text, x, w in words]
    return PageText(lines=tuple(group_lines(read)), image=image, scale=1.0)


def _letters(image: np.ndarray, *xs: int) -> None:
    """Letter-sized blots (26 x 40 px) at ``xs`` on the row y=20..60, on an underline."""
    for x in xs:
        image[20:60, x : x + 26] = 0
    image[58:60, :] = 0


def test_a_letter_the_page_pass_dropped_beside_a_word_is_taken_in() -> None:
    from omsdesktop.forms.reread import unread_ink_beside
    from omsdesktop.ocr.types import Box

    image = np.full((100, 900), 255, np.uint8)
    # «Д» at 200 unread, the word read from 232 (letters every 32 px, gaps of 6 px).
    _letters(image, 200, 232, 264, 296, 328)
    page = _page_with([("МИТРИЙ", 232, 122)], image)
    assert unread_ink_beside(page, Box(232, 20, 122, 40)) == Box(200, 20, 154, 40)


def test_ink_a_word_away_or_past_a_read_neighbour_is_not_taken_in() -> None:
    from omsdesktop.forms.reread import unread_ink_beside
    from omsdesktop.ocr.types import Box

    image = np.full((100, 900), 255, np.uint8)
    # A blot a word's gap (30 px) left of the word, and a read word right of it with an
    # unread letter between.
    _letters(image, 150, 206, 238, 270, 440, 480)
    page = _page_with([("ИВАН", 206, 90), ("ПЕТРОВ", 480, 100)], image)
    assert unread_ink_beside(page, Box(206, 20, 90, 40)) == Box(206, 20, 90, 40)
    # A box a few pixels short of its letters is not widened: a re-read's crop takes those in.
    assert unread_ink_beside(page, Box(210, 20, 80, 40)) == Box(210, 20, 80, 40)
