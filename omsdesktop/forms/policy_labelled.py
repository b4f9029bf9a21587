"""The labelled policy forms: the electronic extract, the old regional policy, the temporary
certificate and the unified policy drawn with labels left of values (where the real form's
captions do not register).

A value is the run of words right of its label (or, on a row of labels, below it); labels the
page pass misread are found again by re-reading the words before a value.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Sequence

import numpy as np
from rapidfuzz import fuzz

from omsdesktop.forms.fields import DATE_CHARS, Parser
from omsdesktop.forms.locate import LabelHit, fold_word, line_below, words_below
from omsdesktop.forms.model import FieldValue
from omsdesktop.forms.policy_names import name_words, read_name
from omsdesktop.forms.policy_page import LABELS, PolicyContext, read_words
from omsdesktop.forms.policy_parse import NO_EXPIRY, parse_expiry
from omsdesktop.forms.reread import free_area, read_box
from omsdesktop.ocr.engine import Word
from omsdesktop.ocr.layout import union_boxes
from omsdesktop.ocr.types import Box


def _row_words(ctx: PolicyContext, hit: LabelHit) -> list[Word]:
    """The words to the right of a label on its row, up to the next label on that row.

    Goes by position, not by the page pass's lines: a table whose rows sit close together is
    sometimes read as one line holding two labels and two values.
    """
    page = ctx.page
    label = hit.box(page)

    def same_row(b: Box) -> bool:
        overlap = min(label.y + label.height, b.y + b.height) - max(label.y, b.y)
        return overlap >= 0.5 * min(label.height, b.height)

    label_words = {id(w) for h in ctx.hits for w in page.lines[h.line_index].words[h.start : h.end]}
    stops = [
        h.box(page).x
        for h in ctx.hits
        if h is not hit and h.box(page).x > label.x + label.width / 2 and same_row(h.box(page))
    ]
    x_end = min(stops) if stops else page.image.shape[1]
    words = [
        w
        for w in page.words
        if id(w) not in label_words
        and w.box.x >= label.x + label.width - 0.5 * label.height
        and w.box.x < x_end
        and same_row(w.box)
        and fold_word(w.text)
    ]
    words.sort(key=lambda w: w.box.x)
    # A value is one run of words: what follows a wide gap is another column or noise (the
    # edge of a QR code beside the table).
    for k in range(1, len(words)):
        gap = words[k].box.x - (words[k - 1].box.x + words[k - 1].box.width)
        if gap > 3 * max(words[k - 1].box.height, label.height):
            return words[:k]
    return words


def _value_words(ctx: PolicyContext, hit: LabelHit) -> list[Word]:
    """A label's value: to its right; on a row of labels (cards), the words below it."""
    right = _row_words(ctx, hit)
    if right:
        return right
    below_index = line_below(ctx.page, hit.line_index)
    if below_index is None or any(h.line_index == below_index for h in ctx.hits):
        return []
    return [w for w in words_below(ctx.page, hit, ctx.hits) if fold_word(w.text)]


def _line_of(ctx: PolicyContext, words: Sequence[Word]) -> int | None:
    if not words:
        return None
    return next((i for i, ln in enumerate(ctx.page.lines) if words[0] in ln.words), None)


def read_labelled(
    ctx: PolicyContext,
    name: str,
    parser: Parser,
    *,
    lang: str,
    whitelist: str | None = None,
    reread: bool = True,
    psm: int | None = None,
) -> FieldValue:
    for hit in ctx.of(name):
        words = _value_words(ctx, hit)
        if not words:
            continue
        field = read_words(
            ctx, words, parser, lang=lang, whitelist=whitelist, reread=reread, psm=psm
        )
        if field.value is not None:
            index = _line_of(ctx, words)
            if index is not None:
                ctx.used_lines.add(index)
            return field
    return FieldValue(value=None, confidence=0.0, needs_review=True)


def recover_labels(ctx: PolicyContext, names: Sequence[str]) -> list[LabelHit]:
    """Find labels the page pass misread ("о ыачи" for "Дата выдачи") by reading them again.

    Looks at lines that carry no known label but split into words and a value: before the
    first word with digits (a date), or at a wide gap (the label column and the value column).
    The words before the value are re-read and matched against the missing labels.
    """
    page = ctx.page
    labelled = {h.line_index for h in ctx.hits}
    found: list[LabelHit] = []
    missing = set(names)
    for i, line in enumerate(page.lines):
        if not missing:
            break
        if i in labelled or i in ctx.used_lines:
            continue
        start = _value_start(line.words)
        if not start:
            continue
        box = union_boxes([w.box for w in line.words[:start]])
        words = read_box(ctx.engine, page.image, box, lang="rus", limits=free_area(page, box))
        text = fold_word("".join(w.text for w in words))
        best: tuple[float, str, str] = (0.0, "", "")
        for name in missing:
            for variant in LABELS[name]:
                score = fuzz.ratio(text, fold_word(variant.replace(" ", "")))
                if score > best[0]:
                    best = (score, name, variant)
        if best[0] >= 80:
            found.append(LabelHit(i, 0, start, best[0], best[2]))
            missing.discard(best[1])
    return found


def _value_start(words: Sequence[Word]) -> int | None:
    """Where the value starts in a label-and-value line: at a date, or after the widest gap."""
    start = next((k for k, w in enumerate(words) if re.search(r"\d", w.text)), None)
    if start:
        return start
    if len(words) < 2:
        return None
    gaps = [
        words[k + 1].box.x - (words[k].box.x + words[k].box.width) for k in range(len(words) - 1)
    ]
    k = max(range(len(gaps)), key=lambda j: gaps[j])
    height = float(np.median([w.box.height for w in words]))
    return k + 1 if gaps[k] >= 1.2 * height else None


def _date_reading(words: Sequence[Word]) -> tuple[str, str | None]:
    """Language and whitelist to re-read a date with.

    Digits only ("05.07.2019"): the English model with digits and dots. The month in words
    ("«03» мая 2024 г."): Russian and English together, since the Russian model alone reads the
    day in quotes as "05" now and then. A word only («бессрочно»): Russian.
    """
    letters = any(re.search(r"[А-Яа-яЁё]{3}", w.text) for w in words)
    digits = any(re.search(r"\d", w.text) for w in words)
    if letters and digits:
        return "rus+eng", None
    if letters:
        return "rus", None
    return "eng", DATE_CHARS


def read_labelled_date(
    ctx: PolicyContext, name: str, parser: Parser, *, reread: bool
) -> FieldValue:
    for hit in ctx.of(name):
        words = _value_words(ctx, hit)
        if not words:
            continue
        lang, whitelist = _date_reading(words)
        field = read_words(ctx, words, parser, lang=lang, whitelist=whitelist, reread=reread)
        if field.value is not None:
            return field
    return FieldValue(value=None, confidence=0.0, needs_review=True)


def read_expiry(ctx: PolicyContext, form: str, *, reread: bool) -> FieldValue:
    if not ctx.of("expiry_date") and form == "card":
        # Cards print no validity: the policy is open-ended.
        return FieldValue(value=None, confidence=0.9, needs_review=False)
    field = FieldValue(value=None, confidence=0.0, needs_review=True)
    for hit in ctx.of("expiry_date"):
        words = _value_words(ctx, hit)
        if not words:
            continue
        lang, whitelist = _date_reading(words)
        field = read_words(ctx, words, parse_expiry, lang=lang, whitelist=whitelist, reread=reread)
        if field.value is not None:
            break
    if field.value == NO_EXPIRY:
        return dataclasses.replace(
            field,
            value=None,
            alternatives=tuple(a for a in field.alternatives if a != NO_EXPIRY),
        )
    if NO_EXPIRY in field.alternatives:
        # One reading says «бессрочно», another a date: ask.
        return dataclasses.replace(
            field,
            alternatives=tuple(a for a in field.alternatives if a != NO_EXPIRY),
            confidence=min(field.confidence, 0.5),
            needs_review=True,
        )
    return field


def labelled_names(ctx: PolicyContext, reread: bool) -> tuple[FieldValue, FieldValue, FieldValue]:
    empty = FieldValue(value=None, confidence=0.0, needs_review=True)

    def words_of(name: str) -> list[Word]:
        for hit in ctx.of(name):
            words = name_words(_value_words(ctx, hit))
            if words:
                index = _line_of(ctx, words)
                if index is not None:
                    ctx.used_lines.add(index)
                return words
        return []

    if not ctx.of("full_name"):
        return (
            read_name(ctx, words_of("last_name"), reread),
            read_name(ctx, words_of("first_name"), reread),
            read_name(ctx, words_of("patronymic"), reread),
        )
    # "Ф.И.О." on one line: surname, name, patronymic.
    full = words_of("full_name")
    if not full:
        return empty, empty, empty
    last = read_name(ctx, full[:1], reread)
    first = read_name(ctx, full[1:2], reread) if len(full) > 1 else empty
    middle = read_name(ctx, full[2:], reread) if len(full) > 2 else empty
    return last, first, middle
