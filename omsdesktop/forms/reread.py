"""The one region re-reader of the forms: a value's crop, cleaned, scaled by its letters, read.

Every reader re-reads a value from its own region after the page pass: a generous crop that
stays off neighbouring words, the form's ruling lines painted white, only the main text line
kept, the letters scaled to the height where Tesseract's LSTM reads best.
"""

from __future__ import annotations

from collections.abc import Sequence

import cv2
import numpy as np

from omsdesktop.ocr.engine import PSM_LINE, OcrEngine, Word
from omsdesktop.ocr.layout import (
    PageText,
    darkest_channel,
    keep_letter_feet,
    rescale,
    union_boxes,
)
from omsdesktop.ocr.types import Box, Image

# Re-reads scale a value's letters (their median height: capitals and digits, or the x-height
# of lower case) to this height: on the generated corpus digits in serif faces read reliably
# at 24-32 px and often not at 36-44.
REREAD_HEIGHT = 28.0


def x_overlap(a: Box, b: Box) -> int:
    return max(0, min(a.x + a.width, b.x + b.width) - max(a.x, b.x))


def free_area(page: PageText, box: Box) -> tuple[int, int, int, int]:
    """How far a crop around ``box`` may reach (x0, x1, y0, y1) without taking in other words.

    Sideways up to half-way to the neighbour word on the line; up and down up to half-way to
    the words printed above and below (a card's label over its value, the next table row).
    """
    ih, iw = page.image.shape[:2]
    x_lo, x_hi, y_lo, y_hi = 0, iw, 0, ih
    top, bottom = box.y, box.y + box.height
    left, right = box.x, box.x + box.width
    for w in page.words:
        b = w.box
        v_overlap = min(bottom, b.y + b.height) - max(top, b.y)
        h_overlap = min(right, b.x + b.width) - max(left, b.x)
        if v_overlap >= 0.3 * min(box.height, b.height):
            if b.x + b.width <= left:
                x_lo = max(x_lo, (b.x + b.width + left) // 2)
            elif b.x >= right:
                x_hi = min(x_hi, (b.x + right) // 2)
        elif h_overlap > 0.2 * min(box.width, b.width):
            if b.y + b.height <= top + 0.2 * box.height:
                y_lo = max(y_lo, (b.y + b.height + top) // 2)
            elif b.y >= bottom - 0.2 * box.height:
                y_hi = min(y_hi, (b.y + bottom) // 2)
    return x_lo, x_hi, y_lo, y_hi


def _only_main_line(region: Image) -> Image:
    """Blank out ink above and below the crop's main text line.

    A page-pass box is sometimes taller than its word (it took in the chip of a card or the
    line above), and the margin of the crop reaches neighbours; Tesseract's single-line mode
    then reads half a line or nothing. Rows of ink are grouped into bands; the heaviest band is
    kept with any band close enough to belong to it (the dots of "Ё", the breve of "Й").
    """
    _, binary = cv2.threshold(region, 0, 255, cv2.THRESH_BINARY_INV | cv2.THRESH_OTSU)
    ink = (binary > 0).sum(axis=1)
    rows = ink > max(1, int(0.004 * region.shape[1]))
    bands: list[tuple[int, int, int]] = []  # (start, end, ink)
    start: int | None = None
    for y, on in enumerate([*rows.tolist(), False]):
        if on and start is None:
            start = y
        elif not on and start is not None:
            bands.append((start, y, int(ink[start:y].sum())))
            start = None
    if len(bands) <= 1:
        return region
    main = max(range(len(bands)), key=lambda i: bands[i][2])
    top, bottom = bands[main][0], bands[main][1]
    lo, hi = main, main
    while lo > 0 and top - bands[lo - 1][1] <= max(2, 0.3 * (bottom - top)):
        lo -= 1
        top = bands[lo][0]
    while hi + 1 < len(bands) and bands[hi + 1][0] - bottom <= max(2, 0.3 * (bottom - top)):
        hi += 1
        bottom = bands[hi][1]
    out = region.copy()
    out[:top] = 255
    out[bottom:] = 255
    return out


def _letter_height(region: Image, box_h: int) -> float:
    """Median height of the letters in a crop: the box height is no guide for lower case.

    A box of "муж." reaches from the x-height to the descender; scaled by it, the letters
    come out too small to read. Caps and digits give about the box height.
    """
    _, binary = cv2.threshold(region, 0, 255, cv2.THRESH_BINARY_INV | cv2.THRESH_OTSU)
    _, _, stats, _ = cv2.connectedComponentsWithStats(binary, connectivity=8)
    heights = stats[1:, cv2.CC_STAT_HEIGHT]
    widths = stats[1:, cv2.CC_STAT_WIDTH]
    keep = (heights >= 0.35 * box_h) & (heights <= 1.3 * box_h) & (widths <= 2.0 * box_h)
    if keep.sum() == 0:
        return float(box_h)
    return float(np.median(heights[keep]))


def read_box(
    engine: OcrEngine,
    image: Image,
    box: Box,
    *,
    lang: str,
    whitelist: str | None = None,
    psm: int | None = None,
    limits: tuple[int, int, int, int] | None = None,
    height: float | None = None,
    border: int = 10,
) -> list[Word]:
    """Re-read one value: a generous crop without ruling lines, scaled by the value's height.

    Like :func:`omsdesktop.ocr.layout.read_region`, but the page pass's boxes are often a few
    pixels off at its reduced scale, so the crop keeps half a line of margin on every side
    (scaled by the box height, not the crop's), and the form's underlines and cell borders,
    which touch the values and make Tesseract misread them, are painted white first.
    ``limits`` (x0, x1, y0, y1) keep the crop off other words (see :func:`free_area`); the
    letters are scaled to ``height`` (default ``REREAD_HEIGHT``), framed in ``border`` pixels of
    white (a lone digit needs a wider frame: Tesseract's line mode reads nothing in a tight one).
    """
    h = max(box.height, 1)
    ih, iw = image.shape[:2]
    px, py = int(0.6 * h) + 4, int(0.45 * h) + 4
    x_lo, x_hi, y_lo, y_hi = limits if limits is not None else (0, iw, 0, ih)
    x0, y0 = max(0, x_lo, box.x - px), max(0, y_lo, box.y - py)
    x1, y1 = min(iw, x_hi, box.x + box.width + px), min(ih, y_hi, box.y + box.height + py)
    region = image[y0:y1, x0:x1]
    if region.size == 0:
        return []
    if region.ndim == 3:
        region = np.ascontiguousarray(darkest_channel(region), dtype=np.uint8)
    region = _only_main_line(_without_rules(region, h))
    letters = _letter_height(region, h)
    scale = float(np.clip((height or REREAD_HEIGHT) / letters, 0.3, 3.0))
    work, scale = rescale(region, scale)
    framed: Image = np.asarray(
        cv2.copyMakeBorder(work, border, border, border, border, cv2.BORDER_CONSTANT, value=255),
        dtype=np.uint8,
    )
    words = engine.read(
        framed, lang=lang, psm=PSM_LINE if psm is None else psm, whitelist=whitelist
    )
    out: list[Word] = []
    for w in words:
        b = w.box
        out.append(
            Word(
                text=w.text,
                confidence=w.confidence,
                box=Box(
                    x0 + int((b.x - border) / scale),
                    y0 + int((b.y - border) / scale),
                    round(b.width / scale),
                    round(b.height / scale),
                ),
                line_key=w.line_key,
            )
        )
    return out


def _without_rules(region: Image, text_h: int) -> Image:
    """Paint long horizontal and vertical rules (underlines, cell borders) white."""
    _, binary = cv2.threshold(region, 0, 255, cv2.THRESH_BINARY_INV | cv2.THRESH_OTSU)
    horizontal = cv2.morphologyEx(
        binary, cv2.MORPH_OPEN, cv2.getStructuringElement(cv2.MORPH_RECT, (max(20, 3 * text_h), 1))
    )
    vertical = cv2.morphologyEx(
        binary,
        cv2.MORPH_OPEN,
        cv2.getStructuringElement(cv2.MORPH_RECT, (1, max(10, int(1.8 * text_h)))),
    )
    rules = cv2.dilate(cv2.bitwise_or(horizontal, vertical), np.ones((3, 3), np.uint8))
    if not rules.any():
        return region
    # A value typed on its underline keeps the feet of its letters («Е» of «Емельянов»).
    erase = keep_letter_feet(
        np.asarray(binary, np.uint8), np.asarray(horizontal, np.uint8), np.asarray(rules, np.uint8)
    )
    out = region.copy()
    out[erase > 0] = 255
    return out


# How far apart two letters of one word may stand, in letter heights (words stand further).
_LETTER_GAP = 0.35


def unread_ink_beside(page: PageText, box: Box, letter_h: float | None = None) -> Box:
    """``box`` widened over the letters next to it on its row that the page pass did not read.

    Tesseract can drop a word's first or last letter together with what crosses the underline
    under it: the feet of «Д», «Ц», «Щ» (page pass «МИТРИЙ» of «ДМИТРИЙ», and a re-read of
    its box agrees). Letter-sized ink on the box's rows, no farther from the box (or from a
    letter already taken in) than letters of one word stand, and short of the neighbouring
    words the page pass did read (:func:`free_area`), is taken in. ``box`` itself when there
    is none, or only a few pixels past its edge (a re-read's crop takes those in anyway).
    ``letter_h`` is the height of the value's letters (default: the box's height; a line of
    lower case is lower than its box, which reaches from ascenders to descenders).
    """
    h = box.height
    if h < 8:
        return box
    x_lo, x_hi, _, _ = free_area(page, box)
    reach = 3 * h
    x0, x1 = max(x_lo, box.x - reach), min(x_hi, box.x + box.width + reach)
    if x1 - x0 <= box.width:
        return box
    pieces = _letters_on_row(page, box, x0, x1, letter_h or h)
    left, right = box.x, box.x + box.width
    gap = _LETTER_GAP * h
    grown = True
    while grown:
        grown = False
        for a, b in pieces:
            if a < left and left - gap <= b and b <= right:
                left, grown = a, True
            if b > right and a <= right + gap and a >= left:
                right, grown = b, True
    # A few pixels past a loose box are inside any re-read's crop already (``crop``'s margin).
    margin = 0.3 * h + 4
    if box.x - left <= margin and right - (box.x + box.width) <= margin:
        return box
    return Box(left, box.y, right - left, box.height)


def _letters_on_row(
    page: PageText, box: Box, x0: int, x1: int, letter_h: float
) -> list[tuple[int, int]]:
    """Letter-sized pieces of ink on ``box``'s rows between ``x0`` and ``x1``: (left, right)."""
    image = page.image
    y0, y1 = max(0, box.y), min(image.shape[0], box.y + box.height)
    band = image[y0:y1, max(0, x0) : x1]
    if band.size == 0:
        return []
    grey = darkest_channel(band) if band.ndim == 3 else band
    dark = np.asarray(grey < 110, dtype=np.uint8)
    # What is left of an underline after cleaning is not a letter.
    run = max(15, int(2 * box.height))
    if dark.shape[1] > run:
        dark[cv2.morphologyEx(dark, cv2.MORPH_OPEN, np.ones((1, run), np.uint8)) > 0] = 0
    count, _, stats, _ = cv2.connectedComponentsWithStats(dark, connectivity=8)
    pieces = []
    for i in range(1, count):
        x, _, w, ph, area = (int(v) for v in stats[i])
        if 0.45 * letter_h <= ph and w <= 1.5 * box.height and area >= 0.1 * w * ph:
            pieces.append((max(0, x0) + x, max(0, x0) + x + w))
    return pieces


def unread_ink_between(page: PageText, words: Sequence[Word], letter_h: float) -> bool:
    """Are there letters between ``words`` (one row of a value) that no page word covers?

    A word the page pass dropped inside a value («Ростов област» of «Ростовская область»):
    a re-read of the same crop tends to drop it as well, so the two readings agree on a value
    with a hole in it.
    """
    if len(words) < 2:
        return False
    box = union_boxes([w.box for w in words])
    covered = [(w.box.x, w.box.x + w.box.width) for w in words]
    for a, b in _letters_on_row(page, box, box.x, box.x + box.width, letter_h):
        inside = sum(max(0, min(b, r) - max(a, left)) for left, r in covered)
        if inside < 0.5 * (b - a):
            return True
    return False
