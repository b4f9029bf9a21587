"""The OMS policy in its five forms: unified paper, plastic card, electronic extract, old
regional policy (series + number) and temporary certificate. This module tells which form a page
is and hands it to that form's reader.

The real unified policy and temporary certificate are registered to their printed captions and
read by zone (:mod:`~omsdesktop.forms.unified`, :mod:`~omsdesktop.forms.temporary`). Any other
page is read by its labels (:mod:`~omsdesktop.forms.policy_labelled`) or, on a plastic card, by
position (:mod:`~omsdesktop.forms.policy_card`): every field is located on the page pass,
re-read from its own region with settings suited to it and decided by
:func:`omsdesktop.forms.fields.decide`. On the unified paper policy the PDF417 barcode, where it
decodes, gives the number, the names, sex, date of birth and expiry exactly
(:mod:`~omsdesktop.forms.policy_barcode`).

Nothing here logs or prints: the values are a child's personal data.
"""

from __future__ import annotations

import dataclasses
import functools
import re

import cv2
import numpy as np
from rapidfuzz import fuzz

from omsdesktop.forms.fields import REVIEW_THRESHOLD
from omsdesktop.forms.locate import find_labels, fold_word, words_right_of
from omsdesktop.forms.model import FieldValue
from omsdesktop.forms.normalize import fold, to_cyrillic
from omsdesktop.forms.policy_barcode import (
    BARCODE_OCR_MISMATCH,
    apply_barcode,
    registered_barcode_or_error,
    unreadable_barcode_problem,
    with_barcode,
)
from omsdesktop.forms.policy_card import (
    card_confidence,
    card_names,
    card_value_row,
    with_top_reread,
)
from omsdesktop.forms.policy_insurer import read_insurer
from omsdesktop.forms.policy_labelled import (
    labelled_names,
    read_expiry,
    read_labelled,
    read_labelled_date,
    recover_labels,
)
from omsdesktop.forms.policy_numbers import find_enp_runs, printed_enp, read_enp, temporary_number
from omsdesktop.forms.policy_old import old_series_and_number
from omsdesktop.forms.policy_page import ALL_LABEL_VARIANTS, PolicyContext
from omsdesktop.forms.policy_parse import parse_policy_date, parse_sex
from omsdesktop.forms.temporary import read_temporary, register_temporary
from omsdesktop.forms.unified import read_unified, register_unified
from omsdesktop.ocr.barcode import BarcodeError, PolicyBarcode, read_policy_barcode
from omsdesktop.ocr.engine import OcrEngine
from omsdesktop.ocr.layout import PageText, beside, read_page
from omsdesktop.ocr.types import Image, Problem


def read_policy(engine: OcrEngine, page: PageText, image: Image) -> dict[str, FieldValue]:
    """Read every field of an OMS policy page.

    Args:
        engine: the OCR engine for re-reads of single fields.
        page: the page pass over the straightened page.
        image: the straightened page (BGR), where the PDF417 barcode is decoded.

    Returns:
        A :class:`FieldValue` for each of ``policy_form``, ``policy_number``, ``policy_series``,
        ``last_name``, ``first_name``, ``patronymic``, ``sex``, ``birth_date``,
        ``policy_issue_date``, ``policy_expiry_date`` and ``insurer``.
    """
    hits = find_labels(page, ALL_LABEL_VARIANTS)
    ctx = PolicyContext(engine, page, image, hits, set())
    fields: dict[str, FieldValue] = {}

    registration = register_unified(page)
    if registration is not None and abs(registration.angle_deg) > _MAX_LEAN_DEG:
        # The straightener left the sheet leaning (a photo whose edges it did not find):
        # turn it upright by the captions' own slope and read it again.
        image = _turned(image, registration.angle_deg)
        page = read_page(engine, image)
        ctx = PolicyContext(engine, page, image, find_labels(page, ALL_LABEL_VARIANTS), set())
        registration = register_unified(page)
    if registration is not None:
        # The real unified form: values above Goznak's captions (forms.md), read by them,
        # while its PDF417 is decoded on the second core.
        barcode_found = beside(functools.partial(registered_barcode_or_error, image, registration))
        fields = read_unified(engine, page, registration)
        return with_barcode(ctx, fields, barcode_found())
    registration = register_temporary(page)
    if registration is not None:
        return read_temporary(engine, page, image, registration)

    form, form_conf = _form_from_text(page, ctx)
    barcode: PolicyBarcode | None = None
    barcode_problem: Problem | None = None
    if form in ("unified", "card"):
        # Only the unified paper policy carries the PDF417; decoding costs ~50 ms, so the other
        # forms (recognised by their printed titles) skip it.
        try:
            barcode = read_policy_barcode(image)
        except BarcodeError as exc:
            barcode_problem = unreadable_barcode_problem(exc)
    if barcode is not None:
        form, form_conf = "unified", 1.0

    # --- number (and series)
    if form == "old":
        series, number = old_series_and_number(ctx)
        fields["policy_series"] = series
        fields["policy_number"] = number
    else:
        fields["policy_series"] = FieldValue(value=None, confidence=form_conf, needs_review=False)
        if form == "temporary":
            fields["policy_number"] = temporary_number(ctx)
        else:
            enp_runs = find_enp_runs(ctx)
            card = card_confidence(page, ctx) if form == "unified" and barcode is None else 0.0
            if not enp_runs and card > 0:
                # A card whose number the page pass missed (its layout analysis sometimes drops
                # the block beside the chip): read the part above the labels again.
                page = with_top_reread(ctx)
                ctx = PolicyContext(
                    engine, page, image, find_labels(page, ALL_LABEL_VARIANTS), set()
                )
                enp_runs = find_enp_runs(ctx)
            if enp_runs and card > 0:
                form, form_conf = "card", card
            fields["policy_number"] = read_enp(ctx, enp_runs, reread=barcode is None)
    if form == "unified" and barcode is None and fields["policy_number"].value is None:
        form_conf = min(form_conf, 0.6)
    fields["policy_form"] = FieldValue(
        value=form, confidence=form_conf, needs_review=form_conf < REVIEW_THRESHOLD
    )

    # --- labels the page pass misread
    wanted = ["birth_date", "issue_date"]
    if form != "card":
        wanted.append("expiry_date")
        if not ctx.of("full_name"):
            wanted += ["last_name", "first_name", "patronymic"]
    if any(not ctx.of(name) for name in wanted):
        ctx.hits.extend(recover_labels(ctx, [n for n in wanted if not ctx.of(n)]))

    # --- names
    reread = barcode is None
    if form == "card":
        last, first, middle = card_names(ctx, fields["policy_number"], reread)
    else:
        last, first, middle = labelled_names(ctx, reread)
    fields["last_name"], fields["first_name"], fields["patronymic"] = last, first, middle

    # --- sex and dates
    fields["sex"] = read_labelled(ctx, "sex", parse_sex, lang="rus", reread=reread)
    fields["birth_date"] = read_labelled_date(ctx, "birth_date", parse_policy_date, reread=reread)
    fields["policy_issue_date"] = read_labelled_date(
        ctx, "issue_date", parse_policy_date, reread=True
    )
    fields["policy_expiry_date"] = read_expiry(ctx, form, reread=reread)
    if form == "card" and not (ctx.of("birth_date") and ctx.of("issue_date")):
        fields.update(card_value_row(ctx, fields))

    # --- insurer
    fields["insurer"] = read_insurer(ctx, form, fields["policy_number"].box)

    if barcode is not None:
        fields = apply_barcode(ctx, fields, barcode)
    elif barcode_problem is not None:
        number = fields["policy_number"]
        fields["policy_number"] = dataclasses.replace(
            number, problems=(*number.problems, barcode_problem)
        )
    return fields


# A registered page leaning more than this is turned upright and read again (a second page
# pass). Up to here the zones' boxes, drawn round the leaning zones, still hold their values:
# on 160 unified policies and blanks (scans and photos) 1.5 read every field as 0.8 did, and a
# scan the straightener left leaning by about a degree (it levels the typed values, the insurer
# prints them at a slight angle of their own) is no longer read twice (-14 % time on scans).
_MAX_LEAN_DEG = 1.5


def _turned(image: Image, angle_deg: float) -> Image:
    """The page turned by ``-angle_deg`` about its centre, the corners filled with white."""
    h, w = image.shape[:2]
    matrix = cv2.getRotationMatrix2D((w / 2, h / 2), angle_deg, 1.0)
    border = (255, 255, 255) if image.ndim == 3 else 255
    return np.asarray(
        cv2.warpAffine(
            image,
            matrix,
            (w, h),
            flags=cv2.INTER_LINEAR,
            borderValue=border,
        ),
        dtype=np.uint8,
    )


def _line_matches(page: PageText, phrase: str, threshold: float = 85.0) -> bool:
    target = fold(phrase)
    for line in page.lines:
        text = fold(to_cyrillic(line.text))
        if target in text:
            return True
        # partial_ratio slides the shorter string over the longer: a short line of noise
        # ("е") would match inside the phrase, so the line must be about as long.
        if len(text) >= 0.8 * len(target) and fuzz.partial_ratio(target, text) >= threshold:
            return True
    return False


# No title told the form and no barcode or card layout says it is the unified policy: a guess,
# shown for review. (At 0.85 it passed for certain: an electronic extract photographed with
# its title lost went to the portal as a unified policy, seed 9102 of the older drawings.)
_FORM_GUESS_CONFIDENCE = 0.6


def _form_from_text(page: PageText, ctx: PolicyContext) -> tuple[str, float]:
    """The form by the titles printed on it; "unified" when none is found (a guess, refined
    later by the barcode or the card's layout)."""
    if _line_matches(page, "временное свидетельство"):
        return "temporary", 0.97
    if _line_matches(page, "застрахованных лиц") and _line_matches(page, "выписка", 90.0):
        return "electronic", 0.97
    for hit in ctx.of("series"):
        right = [w for w in words_right_of(page, hit, ()) if fold_word(w.text)]
        if right and any(re.search(r"\d", w.text) for w in right):
            return "old", 0.95
    return "unified", _FORM_GUESS_CONFIDENCE


__all__ = [
    "BARCODE_OCR_MISMATCH",
    "printed_enp",
    "read_policy",
]
