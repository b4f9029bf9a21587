"""A name read as a name on a policy: name words only, re-read with the name alphabet, and the
marks Tesseract drops put back («ё», «й»).
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Sequence

import cv2
import numpy as np

from omsdesktop.forms.fields import NAME_CHARS, parse_name
from omsdesktop.forms.model import FieldValue
from omsdesktop.forms.policy_page import PolicyContext, read_words
from omsdesktop.ocr.engine import Word
from omsdesktop.ocr.types import Box, Image


def name_words(words: Sequence[Word]) -> list[Word]:
    return [w for w in words if re.search(r"[А-ЯЁа-яёA-Za-z]", w.text)]


def read_name(ctx: PolicyContext, words: Sequence[Word], reread: bool) -> FieldValue:
    field = read_words(
        ctx, name_words(words), parse_name, lang="rus", whitelist=NAME_CHARS, reread=reread
    )
    if field.value is None or field.box is None or not re.search("[еЕиИ]", field.value):
        return field
    diaereses, breves = diacritic_marks(ctx.page.image, field.box)
    restored = _restore_marks(field.value, field.box, diaereses, "еЕ", "ёЁ")
    restored = _restore_marks(restored, field.box, breves, "иИ", "йЙ")
    if restored == field.value:
        return field
    return dataclasses.replace(
        field, value=restored, alternatives=tuple(sorted({*field.alternatives, field.value}))
    )


def _restore_marks(value: str, box: Box, marks: Sequence[float], plain: str, marked: str) -> str:
    """Put back a mark Tesseract dropped: each one over the word turns one letter of ``plain``
    ("е", "и") into its twin in ``marked`` ("ё", "й").

    The letter is placed by its share of the word's width; only a letter within about one
    letter of the mark is changed, so a stray speck cannot change another letter.
    """
    if not marks or not value:
        return value
    chars = list(value)
    step = box.width / len(chars)
    for x in marks:
        best: int | None = None
        best_dist = 1.2 * step
        for i, ch in enumerate(chars):
            if ch not in plain and ch not in marked:
                continue
            dist = abs(box.x + (i + 0.5) * step - x)
            if dist <= best_dist:
                best, best_dist = i, dist
        # The nearest candidate may already carry the mark ("Георгий"): nothing to restore.
        if best is not None and chars[best] in plain:
            chars[best] = marked[plain.index(chars[best])]
    return "".join(chars)


def diacritic_marks(grey: Image, box: Box) -> tuple[list[float], list[float]]:
    """x centres (page coordinates) of diaereses and breves printed over the word in ``box``.

    Tesseract's Russian model often drops the dots of "ё"/"Ё" ("Фёдорович", "Артём") and now
    and then the breve of "й" ("Георгий" read "Георгии"). A diaeresis is two small solid marks
    of one size side by side just above the tops of the letters; a breve is one flat arc there.

    Returns:
        (diaeresis centres, breve centres).
    """
    h = max(box.height, 1)
    ih, iw = grey.shape[:2]
    y0, y1 = max(0, box.y - int(0.6 * h)), min(ih, box.y + h + 2)
    x0, x1 = max(0, box.x - 2), min(iw, box.x + box.width + 2)
    region = grey[y0:y1, x0:x1]
    if region.size == 0:
        return [], []
    _, binary = cv2.threshold(region, 0, 255, cv2.THRESH_BINARY_INV | cv2.THRESH_OTSU)
    n, _, stats, _ = cv2.connectedComponentsWithStats(binary, connectivity=8)
    if n < 3:
        return [], []
    heights = stats[1:, cv2.CC_STAT_HEIGHT]
    is_letter = heights >= 0.45 * heights.max()
    top = float(np.median(stats[1:, cv2.CC_STAT_TOP][is_letter]))
    letter_h = float(np.median(heights[is_letter]))
    dots: list[tuple[float, float, int, int]] = []
    breves: list[float] = []
    for i in range(1, n):
        left, t, w, hh, area = (int(v) for v in stats[i])
        if t <= 0 or left <= 0 or left + w >= region.shape[1]:
            continue  # cut by the crop: a piece of the line above or of a neighbour
        if not top - 0.6 * letter_h <= t + hh <= top + 0.08 * letter_h:
            continue  # not just above the letters
        if 2 <= w <= 0.3 * letter_h and 2 <= hh <= 0.3 * letter_h and area >= 0.45 * w * hh:
            dots.append((left + w / 2, t + hh / 2, w, hh))
        elif (
            0.25 * letter_h <= w <= 0.9 * letter_h
            and 2 <= hh <= 0.4 * letter_h
            and w >= 1.4 * hh
            and area <= 0.8 * w * hh
        ):
            breves.append(x0 + left + w / 2)
    dots.sort()
    diaereses: list[float] = []
    used: set[int] = set()
    for a in range(len(dots)):
        for b in range(a + 1, len(dots)):
            if a in used or b in used:
                continue
            xa, ya, wa, ha = dots[a]
            xb, yb, wb, hb = dots[b]
            gap = xb - xa - (wa + wb) / 2
            if abs(ya - yb) > 0.6 * max(ha, hb):
                continue
            if not 0.2 * max(wa, wb) <= gap <= 4 * max(wa, wb):
                continue
            if max(wa * ha, wb * hb) > 2.5 * min(wa * ha, wb * hb):
                continue
            diaereses.append(x0 + (xa + xb) / 2)
            used.update((a, b))
    return diaereses, breves
