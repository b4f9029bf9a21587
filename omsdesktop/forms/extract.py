"""Classify a straightened page and read every field of its document kind."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable

import numpy as np
from rapidfuzz import fuzz

from omsdesktop.errors import CancelledError
from omsdesktop.forms.model import (
    ABSENT_ON_FORM,
    DocumentKind,
    ExtractedDocument,
    FieldValue,
)
from omsdesktop.forms.registry import BIRTH_CERTIFICATE_FIELDS, OMS_POLICY_FIELDS
from omsdesktop.forms.template import FormSpec, Registration
from omsdesktop.ocr.engine import OcrEngine
from omsdesktop.ocr.layout import (
    PageText,
    clean_page,
    estimate_text_height,
    read_page,
    scale_for_text_height,
)
from omsdesktop.ocr.types import Image

# Phrases printed only on one kind of document. Matched per line, fuzzily but strictly (a
# phrase must nearly all be there), so "Дата рождения" on a policy does not count as
# "запись акта о рождении".
_CERT_MARKERS = (
    "свидетельство о рождении",
    "запись акта о рождении",
    "место государственной регистрации",
    "руководитель органа записи актов",
    "родители",
)
_POLICY_MARKERS = (
    "обязательного медицинского страхования",
    "полис",
    "застрахованных лиц",
    "страховая медицинская организация",
    "единый номер полиса",
    "временное свидетельство",
)


def _fold(text: str) -> str:
    return " ".join(text.lower().replace("ё", "е").split())


def _markers_found(lines: list[str], markers: tuple[str, ...]) -> int:
    found = 0
    for marker in markers:
        for line in lines:
            if marker in line:
                found += 1
                break
            if len(line) >= 0.8 * len(marker) and fuzz.partial_ratio(marker, line) >= 90:
                found += 1
                break
    return found


def classify(page: PageText) -> DocumentKind:
    """Tell a birth certificate from a policy by the phrases printed on it (once per page)."""
    known = page.memo.get("kind")
    if isinstance(known, DocumentKind):
        return known
    kind = _classify(page)
    page.memo["kind"] = kind
    return kind


def _classify(page: PageText) -> DocumentKind:
    if _registrations(page):
        # A policy form's own captions in their places: the surest sign of the form,
        # and often all a blank or a poor photo shows of it (its title is spaced out).
        return DocumentKind.OMS_POLICY
    lines = [_fold(line.text) for line in page.lines]
    cert = _markers_found(lines, _CERT_MARKERS)
    policy = _markers_found(lines, _POLICY_MARKERS)
    if cert == policy:
        # A plastic card prints its title white on a coloured band, which the page pass may
        # not read; a Luhn-valid 16-digit policy number on the page still tells it is a policy.
        from omsdesktop.forms.policy import printed_enp

        if cert == 0 and (printed_enp(page) or _card_number_line(page)):
            return DocumentKind.OMS_POLICY
        return DocumentKind.UNKNOWN
    return DocumentKind.BIRTH_CERTIFICATE if cert > policy else DocumentKind.OMS_POLICY


def _card_number_line(page: PageText) -> bool:
    """A line that is a 16-digit number (in four groups or one run): a card's policy number.

    Used when the check digit does not verify (one digit misread). A birth certificate
    prints no such line: its record number has 21 digits, or a few.
    """
    for line in page.lines:
        texts = [w.text for w in line.words]
        for i in range(len(texts)):
            for j in range(i + 1, min(len(texts), i + 4) + 1):
                chunk = texts[i:j]
                if all(t.isdigit() for t in chunk) and len("".join(chunk)) == 16:
                    return True
    return False


def extract_document(
    image: Image,
    *,
    engine: OcrEngine,
    kind: DocumentKind = DocumentKind.UNKNOWN,
    read_fields: bool = True,
    progress: Callable[[float], None] | None = None,
    cancelled: Callable[[], bool] | None = None,
) -> ExtractedDocument:
    page, rotation, image = _read_upright(engine, image, kind)
    if progress:
        progress(0.5)
    detected = classify(page) if kind is DocumentKind.UNKNOWN else kind
    if not read_fields or detected is DocumentKind.UNKNOWN:
        return ExtractedDocument(kind=detected, rotation=rotation)
    if cancelled is not None and cancelled():
        raise CancelledError()
    if detected is DocumentKind.BIRTH_CERTIFICATE:
        from omsdesktop.forms.certificate import read_certificate

        fields = read_certificate(engine, page)
        names = BIRTH_CERTIFICATE_FIELDS
    else:
        from omsdesktop.forms.policy import read_policy

        fields = read_policy(engine, page, image)
        names = OMS_POLICY_FIELDS
    from omsdesktop.forms.checks import apply_field_rules

    ordered = {
        n: fields.get(n, FieldValue(value=None, confidence=0.0, needs_review=True)) for n in names
    }
    ordered = apply_field_rules(ordered)
    form = ordered.get("policy_form")
    for name in ABSENT_ON_FORM.get(form.value or "", frozenset()) if form else ():
        if ordered[name].value is None and not _label_printed(page, name):
            ordered[name] = dataclasses.replace(ordered[name], confidence=1.0, needs_review=False)
    if progress:
        progress(1.0)
    return ExtractedDocument(
        kind=detected,
        fields=ordered,
        rotation=rotation,
        other_document_seen=other_document_seen(page, detected),
        form_fit=form_fit(page),
    )


def _label_printed(page: PageText, name: str) -> bool:
    """Does the page print the label of ``name``, a field its form is said not to carry?

    The real unified policy's front prints no «Дата выдачи»: an empty date of issue there is
    the right answer. A page of that form that does print the label (another printing of the
    form, a drawing of it) has a date that was not read: it goes to review, not away.
    """
    from omsdesktop.forms.locate import find_labels
    from omsdesktop.forms.policy_page import LABELS

    variants = {"policy_issue_date": LABELS["issue_date"]}.get(name, ())
    return bool(variants and find_labels(page, variants))


def _registrations(page: PageText) -> list[tuple[FormSpec, Registration]]:
    """The real forms the page registers to (the unified policy, the temporary certificate),
    each with its registration (worked out once per page, see ``FormSpec.register``)."""
    from omsdesktop.forms.temporary import FORM as TEMPORARY
    from omsdesktop.forms.unified import FORM as UNIFIED

    found = []
    for form in (UNIFIED, TEMPORARY):
        reg = form.register(page)
        if reg is not None:
            found.append((form, reg))
    return found


def form_fit(page: PageText) -> float:
    """The share of a real form's anchors (its own printed words) registration found on
    the page: the best of the unified policy and the temporary certificate, 0 for neither."""
    return max(
        (len(reg.anchors) / len(form.anchors) for form, reg in _registrations(page)), default=0.0
    )


# A policy form's sheet registered on the page, and this many words read with confidence
# outside it (by more than _OUTSIDE_MM): print of another sheet lies beside it. A photo's
# background (a table, a hand) gives none or a few specks.
_OUTSIDE_WORDS = 8
_OUTSIDE_MM = 6.0


def other_document_seen(page: PageText, kind: DocumentKind) -> bool:
    """Does the page show print of another document besides the one read as ``kind``?

    Two sheets photographed together, one over the other's edge, may reach the reader as one
    page (the splitter saw no gutter between them); the reader reads the one it recognises.
    Seen by the other kind's printed phrases (two of them: one can be a value, «свидетельство
    о рождении» on a temporary certificate), or, on a policy form registered to its own print,
    by words read with confidence outside its sheet.
    """
    lines = [_fold(line.text) for line in page.lines]
    if kind is DocumentKind.BIRTH_CERTIFICATE:
        return _markers_found(lines, _POLICY_MARKERS) >= 2
    if kind is not DocumentKind.OMS_POLICY:
        return False
    if _markers_found(lines, _CERT_MARKERS) >= 2:
        return True
    registered = _registrations(page)
    if not registered:
        return False
    form, reg = registered[0]  # the unified policy before the temporary certificate
    width, height = form.sheet_mm
    outside = 0
    for word in page.words:
        letters = sum(ch.isalpha() for ch in word.text)
        if letters < 3 or word.confidence < 0.6:
            continue
        b = word.box
        x, y = reg.mm(b.x + b.width / 2, b.y + b.height / 2)
        if not (
            -_OUTSIDE_MM <= x <= width + _OUTSIDE_MM and -_OUTSIDE_MM <= y <= height + _OUTSIDE_MM
        ):
            outside += 1
    return outside >= _OUTSIDE_WORDS


def rotate_cw(image: Image, rotation: int) -> Image:
    """Turn an image clockwise by a multiple of 90 degrees."""
    turns = (rotation // 90) % 4
    return np.ascontiguousarray(np.rot90(image, k=-turns)) if turns else image


def _page_score(page: PageText) -> float:
    """How well a page read: confident characters, in words of two or more letters."""
    return sum(
        w.confidence * len(w.text) for w in page.words if len(w.text) >= 2 and w.confidence > 0.6
    )


# A page whose print is small (the unified policy's captions are 1-1.5 mm tall) is enlarged
# for the page pass, up to twice, and the pass costs as much more as the page has pixels. Such
# a page is first read at a capped scale: where that registers the page to a real form, whose
# values are read again from their own crops anyway, it is enough; otherwise the page is read
# again at the full scale, as before.
#
# Print small for its sheet (letters under SMALL_PRINT_SHARE of the page's long side: the real
# unified policy, 0.38-0.50 %, its official specimen 0.50 %; every other form drawn here
# 0.69 % or more) is read first at no more than SMALL_PRINT_TRIAL_SCALE once its scale reaches
# SMALL_PRINT_TRIAL_FROM: the same anchors register on scans and photos, a fifth sooner. Any
# other page is tried at TRIAL_MAX_SCALE only from _TRIAL_FROM_SCALE (a 150-dpi scan), since a
# trial that does not register (a certificate on a 200-dpi scan) costs a second pass.
TRIAL_MAX_SCALE = 1.0
_TRIAL_FROM_SCALE = 1.2
SMALL_PRINT_SHARE = 0.006
SMALL_PRINT_TRIAL_SCALE = 0.8
SMALL_PRINT_TRIAL_FROM = 0.9


FLAT_FORM_FIT = 0.65
"""A page whose real form registered with at least this share of the form's printed words in
their places is flat: reading it again without its outline cannot make it flatter (see
``pipeline``). Was 0.7; a page of small print first read at SMALL_PRINT_TRIAL_SCALE finds a
few of its smallest captions fewer (10 of the unified policy's 15 on flat scans), and a blank
photo with 10 of 15 was read a second time, without its outline, for nothing."""


def trial_scale(scale: float, text_height: float, page_side: int) -> float | None:
    """The capped scale a page is first read at (see above), or None to read it at ``scale``.

    ``text_height`` is the page's letter height in pixels (``estimate_text_height``),
    ``page_side`` its long side.
    """
    small_print = 0 < text_height < SMALL_PRINT_SHARE * page_side
    if small_print and scale >= SMALL_PRINT_TRIAL_FROM:
        return SMALL_PRINT_TRIAL_SCALE
    if scale >= _TRIAL_FROM_SCALE:
        return TRIAL_MAX_SCALE
    return None


def _read_page(engine: OcrEngine, image: Image) -> PageText:
    """The page pass, at a capped scale where that is enough to register a real form."""
    cleaned = clean_page(image)
    # Measured once: it costs a pass over the page's ink.
    text_height = estimate_text_height(cleaned)
    scale = scale_for_text_height(text_height)
    cap = trial_scale(scale, text_height, max(cleaned.shape[:2]))
    if cap is None:
        return read_page(engine, image, cleaned=cleaned, scale=scale)
    trial = read_page(engine, image, cleaned=cleaned, scale=scale, max_scale=cap)
    if _registrations(trial):
        return trial
    return read_page(engine, image, cleaned=cleaned, scale=scale)


def _read_upright(
    engine: OcrEngine, image: Image, kind: DocumentKind
) -> tuple[PageText, int, Image]:
    """Read the page; if it does not read as a document, try it upside down and sideways.

    The straightener's orientation guess is fast but can be wrong (a page with little text,
    a symmetric layout). A wrong guess reads as nonsense, so only then do we pay for more
    passes, and keep the turn whose text reads best.
    """
    page = _read_page(engine, image)
    if classify(page) is not DocumentKind.UNKNOWN and _page_score(page) > 0:
        return page, 0, image
    best = (page, 0, image)
    best_score = _page_score(page)
    for rotation in (180, 90, 270):
        turned = rotate_cw(image, rotation)
        candidate = read_page(engine, turned)
        score = _page_score(candidate)
        if classify(candidate) is not DocumentKind.UNKNOWN and score > best_score:
            return candidate, rotation, turned
        if score > best_score:
            best, best_score = (candidate, rotation, turned), score
    return best
