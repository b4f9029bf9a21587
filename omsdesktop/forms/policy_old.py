"""The old regional policy: «Серия <series> № <number>» on one line.

Its bold serif capitals are told apart by shape where Tesseract confuses them («П»/«И», «Т»/«Г»).
"""

from __future__ import annotations

import dataclasses
import re

import cv2
import numpy as np
import numpy.typing as npt

from omsdesktop.forms.fields import DIGITS, reading_of
from omsdesktop.forms.locate import fold_word, words_right_of
from omsdesktop.forms.model import FieldValue
from omsdesktop.forms.normalize import to_cyrillic
from omsdesktop.forms.policy_page import PolicyContext, decide_rereading
from omsdesktop.forms.policy_parse import NUMBER_SIGN_RE, digits_parser
from omsdesktop.ocr.types import Box, Image
from omsdesktop.text import CYRILLIC_TO_DIGIT, DIGIT_TO_CYRILLIC, digits_to_cyrillic

_SERIES_CHARS = "АБВГДЕЁЖЗИЙКЛМНОПРСТУФХЦЧШЩЪЫЬЭЮЯ" + DIGITS + "-"


def _parse_series(text: str) -> str | None:
    """An old policy's series: capital Cyrillic letters and digits, with a space or hyphen."""
    text = to_cyrillic(text.upper())
    text = re.sub(r"\s*[\-\u2010-\u2015\u2212]\s*", "-", text)
    text = re.sub(r"[^0-9А-ЯЁ \-]", "", text)
    text = " ".join(text.split()).strip(" -")
    text = re.sub(r"[0-9А-ЯЁ]+", lambda m: _homogeneous_token(m.group(0)), text)
    return text if text and len(text) <= 10 else None


def _mixed_token(series: str) -> bool:
    """Does a part of the series (between spaces and hyphens) hold both digits and letters?"""
    return any(
        any(c.isdigit() for c in part) and any(c.isalpha() for c in part)
        for part in re.split(r"[\s\-]+", series)
    )


def _homogeneous_token(token: str) -> str:
    """A series part is letters or digits ("63 ПЕ", "ЖЖ-12"): settle look-alikes ("3Э" → "ЗЭ").

    Only where every odd character has a twin of the other kind; otherwise the token stays.
    """
    digits = [c for c in token if c.isdigit()]
    letters = [c for c in token if not c.isdigit()]
    if not digits or not letters:
        return token
    if all(c in DIGIT_TO_CYRILLIC for c in digits) and len(letters) >= len(digits):
        return digits_to_cyrillic(token)
    if all(c in CYRILLIC_TO_DIGIT for c in letters) and len(digits) >= len(letters):
        return "".join(CYRILLIC_TO_DIGIT.get(c, c) for c in token)
    return token


def old_series_and_number(ctx: PolicyContext) -> tuple[FieldValue, FieldValue]:
    """ "Серия <series> № <number>" on one line."""
    empty = FieldValue(value=None, confidence=0.0, needs_review=True)
    hits = ctx.of("series")
    if not hits:
        return empty, empty
    hit = hits[0]
    ctx.used_lines.add(hit.line_index)
    right = [w for w in words_right_of(ctx.page, hit, ()) if fold_word(w.text)]
    sign = next((i for i, w in enumerate(right) if NUMBER_SIGN_RE.match(w.text)), None)
    if sign is not None:
        series_words, number_words = right[:sign], right[sign + 1 :]
    else:
        # "№" not read: split at the widest gap (the printed "№" sits in it).
        gaps = [
            right[i + 1].box.x - (right[i].box.x + right[i].box.width)
            for i in range(len(right) - 1)
        ]
        if not gaps:
            series_words, number_words = [], right
        else:
            cut = max(range(len(gaps)), key=lambda i: gaps[i]) + 1
            series_words, number_words = right[:cut], right[cut:]
    # A "№" glued to the number ("№694945").
    number_words = [w for w in number_words if re.search(r"\d", w.text)]
    number_parser = digits_parser(1, 20)
    number = empty
    if number_words:
        first = reading_of(number_words, number_parser)
        assert first.box is not None
        number = decide_rereading(ctx, first, number_parser, lang="eng", whitelist=DIGITS)
    series = empty
    if series_words:
        first = reading_of(series_words, _parse_series)
        assert first.box is not None
        # A series of digits only ("6165") reads better with the English model.
        letters = re.search(r"[^\d\s\-]", first.text) is not None
        series = decide_rereading(
            ctx,
            first,
            _parse_series,
            lang="rus" if letters else "eng",
            whitelist=(_SERIES_CHARS if letters else DIGITS + "-") + " ",
        )
        if series.alternatives or _mixed_token(series.value or ""):
            # Bold serif digits and capitals that Tesseract confuses at every scale: readings
            # of the series that disagree («23 ЗЛ» and «25 ЗЛ») are never certain, whatever
            # the majority, nor is a part of it that mixes digits and letters («233Л», the
            # «З» of «23 ЗЛ» read as a «3» and the space lost, by every reading).
            series = dataclasses.replace(
                series, confidence=min(series.confidence, 0.6), needs_review=True
            )
        if series.value is not None and series.box is not None:
            settled = _settle_lookalikes(series.value, ctx.page.image, series.box)
            if settled != series.value:
                series = dataclasses.replace(
                    series,
                    value=settled,
                    alternatives=tuple(sorted({*series.alternatives, series.value} - {settled})),
                )
    return series, number


def _settle_lookalikes(text: str, grey: Image, box: Box) -> str:
    """Tell "П" from "И" and "Т" from "Г" by shape, where Tesseract confuses bold serif
    capitals ("БТП" read "БТИ", "АТ" read "АГ").

    A "П" has a bar across its top, an "И" two stems there with a gap between them; a "Т"
    stands on a stem in its middle, a "Г" on one at its left. Only where the letters of the
    reading and the glyphs in the box pair up one to one.
    """
    if not re.search("[ПИТГ]", text):
        return text
    ih, iw = grey.shape[:2]
    y0, y1 = max(0, box.y - 2), min(ih, box.y + box.height + 2)
    x0, x1 = max(0, box.x - 2), min(iw, box.x + box.width + 2)
    region = grey[y0:y1, x0:x1]
    if region.size == 0:
        return text
    _, binary = cv2.threshold(region, 0, 255, cv2.THRESH_BINARY_INV | cv2.THRESH_OTSU)
    n, labels, stats, _ = cv2.connectedComponentsWithStats(binary, connectivity=8)
    if n < 2:
        return text
    tallest = int(stats[1:, cv2.CC_STAT_HEIGHT].max())
    glyphs = sorted(
        (i for i in range(1, n) if stats[i, cv2.CC_STAT_HEIGHT] >= 0.6 * tallest),
        key=lambda i: int(stats[i, cv2.CC_STAT_LEFT]),
    )
    chars = [c for c in text if c not in " -"]
    if len(glyphs) != len(chars):
        return text
    settled = iter(
        _pi_by_shape(labels == i, stats[i])
        if ch in "ПИ"
        else _tg_by_shape(labels == i, stats[i])
        if ch in "ТГ"
        else ch
        for ch, i in zip(chars, glyphs, strict=True)
    )
    return "".join(c if c in " -" else next(settled) for c in text)


def _pi_by_shape(mask: npt.NDArray[np.bool_], stat: npt.NDArray[np.int32]) -> str:
    left, top, w, h = (int(v) for v in stat[:4])
    glyph = mask[top : top + h, left : left + w]
    band = glyph[: max(2, h // 8)]
    covered = float(band.any(axis=0).mean())
    # On the generated corpus a "П" covers its top band fully, an "И" (serifs on two stems)
    # 0.86-0.92 of it.
    return "П" if covered >= 0.96 else "И"


def _tg_by_shape(mask: npt.NDArray[np.bool_], stat: npt.NDArray[np.int32]) -> str:
    left, top, w, h = (int(v) for v in stat[:4])
    lower = mask[top + h // 2 : top + h, left : left + w]
    columns = lower.sum(axis=0).astype(np.float64)
    if columns.sum() == 0:
        return "Г"
    centre = float((columns * np.arange(w)).sum() / columns.sum()) / max(w - 1, 1)
    # The stem's centre across the glyph: about 0.5 for "Т", under 0.35 for "Г".
    return "Т" if centre >= 0.4 else "Г"
