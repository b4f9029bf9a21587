"""The plastic OMS card: no labels, the holder's name under the number, a row of dates and sex
below, the insurer small and in colour above the number.
"""

from __future__ import annotations

import dataclasses
import re

import numpy as np

from omsdesktop.forms.fields import DATE_CHARS, REVIEW_THRESHOLD
from omsdesktop.forms.locate import line_below
from omsdesktop.forms.model import FieldValue
from omsdesktop.forms.policy_names import name_words, read_name
from omsdesktop.forms.policy_page import LABELS, PolicyContext, read_words
from omsdesktop.forms.policy_parse import DATE_IN_WORD_RE, parse_policy_date, parse_sex
from omsdesktop.ocr.engine import PSM_BLOCK, Word
from omsdesktop.ocr.layout import PageText, darkest_channel, group_lines, rescale
from omsdesktop.ocr.types import Box

# Cards are read again at about this width (a 300-dpi scan of a card is 1011 px wide).
_CARD_WORK_WIDTH = 1100

# Card proportions (ISO/IEC 7810 ID-1, 85.6 x 54 mm).
_CARD_ASPECT = (1.45, 1.75)


def card_confidence(page: PageText, ctx: PolicyContext) -> float:
    """How sure the page is a plastic card (0 = not a card).

    A card prints no name labels (a unified policy and the other forms always do). Without
    card proportions (85.6 x 54 mm, landscape) that may also be a sheet whose labels did not
    read (a poor photo, a bad crop), so the guess is then shown for review.
    """
    if ctx.of("last_name") or ctx.of("full_name") or ctx.of("first_name"):
        return 0.0
    h, w = page.image.shape[:2]
    aspect = w / max(h, 1)
    return 0.92 if _CARD_ASPECT[0] <= aspect <= _CARD_ASPECT[1] else 0.7


def read_top_band(ctx: PolicyContext, bottom: int, psm: int) -> list[Word]:
    """Words of the page above ``bottom``, read from the darkest channel of the colour image.

    Small coloured print (a card's insurer) survives the darkest channel where the cleaned
    page fades it.
    """
    if bottom < 20:
        return []
    region = ctx.image[:bottom]
    grey = darkest_channel(region)
    # Photos are brought down, low-resolution scans (a 200-dpi card) up, to about the size
    # of a 300-dpi card scan, where the small print is tall enough to read.
    work, f = rescale(
        np.ascontiguousarray(grey, dtype=np.uint8),
        min(2.0, _CARD_WORK_WIDTH / max(grey.shape[1], 1)),
    )
    return [
        Word(
            w.text,
            w.confidence,
            Box(
                int(w.box.x / f), int(w.box.y / f), round(w.box.width / f), round(w.box.height / f)
            ),
            w.line_key,
        )
        for w in ctx.engine.read(work, lang="rus", psm=psm)
    ]


def with_top_reread(ctx: PolicyContext) -> PageText:
    """The page with everything above its first label row read again as one block."""
    page = ctx.page
    row_labels = LABELS["birth_date"] + LABELS["issue_date"] + LABELS["sex"]
    label_rows = sorted({page.lines[h.line_index].box.y for h in ctx.hits if h.label in row_labels})
    bottom = label_rows[0] if label_rows else page.image.shape[0] // 2
    words = read_top_band(ctx, bottom, PSM_BLOCK)
    if not words:
        return page
    kept = [ln for ln in page.lines if ln.box.y + ln.box.height / 2 >= bottom]
    lines = group_lines(words) + kept
    lines.sort(key=lambda ln: (ln.box.y, ln.box.x))
    return PageText(lines=tuple(lines), image=page.image, scale=page.scale)


def card_value_row(ctx: PolicyContext, fields: dict[str, FieldValue]) -> dict[str, FieldValue]:
    """A card whose small label row did not read: its row of values still says what it holds.

    Below the names a card prints the date of birth, sex and the date of issue in one row; the
    earlier date is the birth (a policy is issued after it), the word between them the sex.
    Values found this way are capped below certainty for their position-based reading.
    """
    out: dict[str, FieldValue] = {}
    for index in range(len(ctx.page.lines) - 1, -1, -1):
        if index in ctx.used_lines:
            continue
        words = list(ctx.page.lines[index].words)
        dated = [(w, parse_policy_date(w.text)) for w in words if DATE_IN_WORD_RE.search(w.text)]
        if len(dated) != 2 or any(d is None for _, d in dated):
            continue
        (w1, _), (w2, _) = sorted(dated, key=lambda p: p[1] or "")
        for name, word in (("birth_date", w1), ("policy_issue_date", w2)):
            if fields[name].value is None:
                read = read_words(
                    ctx, [word], parse_policy_date, lang="eng", whitelist=DATE_CHARS, reread=True
                )
                out[name] = _capped(read)
        between = [w for w in words if w not in (w1, w2) and not re.search(r"\d", w.text)]
        if fields["sex"].value is None and between:
            out["sex"] = _capped(
                read_words(ctx, between, parse_sex, lang="rus", whitelist=None, reread=True)
            )
        ctx.used_lines.add(index)
        break
    return out


def _capped(field: FieldValue, cap: float = 0.85) -> FieldValue:
    if field.confidence <= cap:
        return field
    return dataclasses.replace(field, confidence=cap, needs_review=cap < REVIEW_THRESHOLD)


def card_names(
    ctx: PolicyContext, number: FieldValue, reread: bool
) -> tuple[FieldValue, FieldValue, FieldValue]:
    """Cards print no labels: the surname under the number, then "ИМЯ ОТЧЕСТВО"."""
    empty = FieldValue(value=None, confidence=0.0, needs_review=True)
    anchor: int | None = None
    if number.box is not None:
        centre = number.box.y + number.box.height / 2
        anchor = next(
            (
                i
                for i, ln in enumerate(ctx.page.lines)
                if ln.box.y <= centre <= ln.box.y + ln.box.height
            ),
            None,
        )
    if anchor is None:
        return empty, empty, empty
    name_lines: list[int] = []
    index: int | None = anchor
    while len(name_lines) < 2:
        index = line_below(ctx.page, index) if index is not None else None
        if index is None:
            break
        words = name_words(ctx.page.lines[index].words)
        if not words or any(h.line_index == index for h in ctx.hits):
            break
        if any(re.search(r"\d", w.text) for w in ctx.page.lines[index].words):
            break
        name_lines.append(index)
    if not name_lines:
        return empty, empty, empty
    ctx.used_lines.update(name_lines)
    last_words = name_words(ctx.page.lines[name_lines[0]].words)
    rest = name_words(ctx.page.lines[name_lines[1]].words) if len(name_lines) > 1 else []
    return (
        read_name(ctx, last_words, reread),
        read_name(ctx, rest[:1], reread) if rest else empty,
        read_name(ctx, rest[1:], reread) if len(rest) > 1 else empty,
    )
