"""The temporary certificate (временное свидетельство, Goznak 2011 form), read by its own print.

A landscape sheet (shared ``forms.md``): the insurer's name on the top line over the caption
«(наименование страховой медицинской организации)», the title, the date of issue as
«« 14 » мая 20 20 г.» on three underlines, the 9-digit number in a shaded box at the right,
«По настоящему временному свидетельству» and the full name on a line, the date of birth and
the identity document on the next, «Место рождения», «Пол: муж. [ ] жен. [ ]» with one box
ticked by hand, and «… до « 27 » июня 20 20 г.», the last day it is valid. Values are typed or
hand-written on the lines. A blank form carries only «000000000», which is not a number.

The page is registered to the form by its printed words (:mod:`template`) and each value read
from its zone; the printed words themselves are never values.
"""

from __future__ import annotations

import dataclasses
import functools
import re
from collections.abc import Callable
from datetime import date

import cv2
import numpy as np

from omsdesktop.forms.fields import DIGITS, parse_date_value, parse_name, parse_text
from omsdesktop.forms.insurers import match_insurer
from omsdesktop.forms.model import FieldValue
from omsdesktop.forms.names import is_caption, known_name_parts
from omsdesktop.forms.normalize import fold
from omsdesktop.forms.reread import REREAD_HEIGHT, read_box, unread_ink_beside
from omsdesktop.forms.template import (
    Anchor,
    FormSpec,
    Registration,
    Zone,
    ZoneReader,
    ink_box,
)
from omsdesktop.ocr.engine import OcrEngine
from omsdesktop.ocr.layout import PageText, beside, darkest_channel
from omsdesktop.ocr.types import Box, Image
from omsdesktop.text import digits_only, month_of

SHEET_MM = (200.8, 139.0)


def _a(text: str, x0: float, cx: float, cy: float) -> Anchor:
    return Anchor(text, x0, 2 * cx - x0, cy)


# Words of the form's fixed print, measured on the 300-dpi specimen (mm from the top left).
ANCHORS: tuple[Anchor, ...] = (
    _a("наименование", 90.7, 97.6, 11.4),
    _a("телефон", 97.2, 101.4, 18.6),
    _a("временное", 40.0, 53.7, 27.7),
    _a("свидетельство", 69.2, 89.0, 28.0),
    _a("подтверждающее", 110.8, 133.5, 28.0),
    _a("оформление", 157.9, 174.2, 27.5),
    _a("полиса", 39.9, 50.6, 34.6),
    _a("обязательного", 63.2, 84.8, 34.6),
    _a("настоящему", 16.4, 26.6, 58.2),
    _a("временному", 37.8, 48.2, 58.2),
    _a("свидетельству", 59.5, 71.6, 58.2),
    _a("документа", 105.1, 110.4, 67.9),
    _a("выдачи", 148.7, 152.2, 67.8),
    _a("место", 11.0, 16.1, 79.1),
    _a("муж", 24.1, 27.9, 88.2),
    _a("жен", 51.1, 54.6, 87.8),
    _a("нужное", 72.8, 79.2, 87.8),
    _a("отметить", 86.6, 96.3, 87.8),
    _a("имеет", 11.1, 16.0, 92.5),
    _a("право", 22.2, 27.2, 92.9),
    _a("получать", 33.7, 41.2, 92.9),
    _a("медицинскую", 50.1, 61.6, 92.9),
    _a("соответствии", 92.3, 103.5, 92.5),
    _a("федеральным", 118.9, 130.8, 92.4),
    _a("страховании", 35.0, 45.6, 97.5),
    _a("подпись", 11.1, 18.2, 109.0),
    _a("представитель", 11.1, 23.6, 118.7),
    _a("изготовителя", 172.3, 181.4, 135.8),
)

# Anchors a birth certificate does not print (it has «свидетельство», «место рождения»).
_DISTINCTIVE = frozenset(
    {
        "наименование",
        "телефон",
        "временное",
        "подтверждающее",
        "оформление",
        "полиса",
        "обязательного",
        "настоящему",
        "временному",
        "свидетельству",
        "муж",
        "жен",
        "нужное",
        "отметить",
        "медицинскую",
        "страховании",
        "представитель",
    }
)

ZONES: dict[str, Zone] = {
    "insurer": Zone(35.0, 1.5, 196.0, 10.2),
    "policy_issue_date": Zone(38.0, 40.5, 100.0, 50.5),
    "policy_number": Zone(158.0, 40.0, 198.0, 51.5),
    "full_name": Zone(83.0, 50.5, 197.0, 59.6),
    "birth_line": Zone(9.0, 61.8, 197.0, 65.6),
    "birth_place": Zone(39.5, 73.5, 197.0, 80.9),
    "policy_expiry_date": Zone(103.5, 93.8, 165.0, 99.7),
}

# The day, month and year-end slots of the form's two dates «__» ______ 20__ г. (mm; above
# the underlines, between the printed quotes, «20» and «г.»).
_DATE_SLOTS: dict[str, tuple[Zone, Zone, Zone]] = {
    "policy_issue_date": (
        Zone(41.2, 42.6, 47.2, 47.7),
        Zone(48.5, 42.6, 74.2, 47.7),
        Zone(78.2, 42.6, 84.8, 47.7),
    ),
    "policy_expiry_date": (
        Zone(107.1, 93.6, 112.7, 98.3),
        Zone(114.5, 93.6, 140.0, 98.3),
        Zone(144.2, 93.6, 150.8, 98.3),
    ),
}

# The printed quotes, «20» and «г.» of each date line (mm), measured on the blank.
_DATE_MARKS: dict[str, tuple[Zone, ...]] = {
    "policy_issue_date": (
        Zone(39.9, 45.6, 41.2, 47.4),
        Zone(47.2, 45.6, 48.5, 47.4),
        Zone(74.4, 44.7, 78.1, 47.6),
        Zone(84.9, 45.3, 86.5, 47.6),
    ),
    "policy_expiry_date": (
        Zone(105.8, 96.2, 107.1, 97.9),
        Zone(112.7, 96.2, 114.5, 98.2),
        Zone(140.2, 95.3, 144.0, 98.2),
        Zone(150.9, 96.0, 152.4, 98.2),
    ),
}

# The sex boxes' insides (mm), and how much of a box a tick must cover to count.
_MALE_BOX = Zone(32.9, 84.0, 38.5, 88.8)
_FEMALE_BOX = Zone(60.0, 84.0, 65.5, 88.8)
_TICK_INK = 0.025
_BOX_MARGIN_MM = 1.0
_TICK_CONTRAST = 60.0

_NUMBER_BLANK = "000000000"


# The form prints many words (anchors above): a page of it registers with 7 or more even
# under glare, and 23-28 on a plain scan or photo. Three words of another document can line
# up by chance («полиса», «Представитель», «Медицинское» on a drawn unified policy read as
# this form with certainty): five are asked for.
_MIN_ANCHORS = 5

FORM = FormSpec(SHEET_MM, ANCHORS, _DISTINCTIVE, min_anchors=_MIN_ANCHORS)
"""The temporary certificate as a form to register pages to."""


def register_temporary(page: PageText) -> Registration | None:
    """The page registered to the temporary certificate, or None if it is not that form."""
    return FORM.register(page)


def read_temporary(
    engine: OcrEngine, page: PageText, image: Image, reg: Registration
) -> dict[str, FieldValue]:
    """Every field of a temporary certificate registered by ``reg``.

    ``image`` is the straightened colour page (the tick in a sex box may be in blue ink,
    which the cleaned page fades).
    """
    reader = ZoneReader(engine, page, reg, ZONES, value_min_mm=1.8, letter_mm=2.8)
    _ = reader.without_print  # made once, before two threads read from it
    # The dates and the insurer are read on the second core while the number and the name
    # are read here: each field from its own zone, so the order does not matter.
    lower = beside(lambda: _dates_and_insurer(reader))
    fields: dict[str, FieldValue] = {
        "policy_form": FieldValue(value="temporary", confidence=0.97),
        "policy_series": FieldValue(value=None, confidence=1.0),
    }
    number = reader.read("policy_number", _parse_number, "eng", DIGITS + " ")
    if number.value == _NUMBER_BLANK or (number.value is None and _is_blank_number(number)):
        # The blank's own «000000000»: nothing to prefill.
        number = FieldValue(value=None, confidence=0.0, box=number.box, needs_review=True)
    fields["policy_number"] = number
    names = reader.read(
        "full_name", _parse_full_name, "rus", None, rank=known_name_parts, cap_alternatives=False
    )
    fields.update(_split_full_name(names))
    # «20.1.2025»: the form's dates have two-digit days and months, and a digit of a
    # hand-written «11» is easily lost; «1» is then January, a valid date. Not certain.
    birth = reader.read("birth_line", _parse_first_date, "rus", None, doubtful=_short_day_or_month)
    fields["birth_date"] = _checked_in_digits(reader, birth)
    fields["sex"] = _ticked_sex(image, reg)
    fields.update(lower())
    return _dates_agree(fields)


def _checked_in_digits(reader: ZoneReader, birth: FieldValue) -> FieldValue:
    """The date of birth read once more by the English model, digits and stops only.

    Tesseract's Russian model reads some faces' «23» as «25» in the page pass and in
    re-reads of the line alike, so its readings agree on the wrong date; the English model
    with only digits allowed is another reader. Where it reads a different date, the date
    is shown for review with both.
    """
    if birth.value is None:
        return birth
    words = [
        w
        for w in reader.value_words(reader.zone("birth_line"))
        if sum(ch.isdigit() for ch in w.text) >= 4
    ]
    if not words:
        return birth
    first = min(words, key=lambda w: w.box.x)
    # The page pass's box of the date may stop short of its last digits.
    box = unread_ink_beside(reader.page, first.box)
    again = read_box(
        reader.engine,
        reader.without_print,
        box,
        lang="eng",
        whitelist=DIGITS + ".,",
        height=REREAD_HEIGHT,
    )
    text = " ".join(w.text for w in again)
    value = _parse_first_date(text)
    if value == birth.value or (value is None and not _other_digits(text, birth.value)):
        return birth
    # A different date, or a date-shaped reading that is no date at all: a hand-written «9»
    # read «4» by the Russian model at both scales and «99.10.2018» by this one is a reader
    # that disagrees, not one that says nothing.
    others = {*birth.alternatives, *([value] if value else [])} - {birth.value}
    return dataclasses.replace(
        birth,
        confidence=min(birth.confidence, 0.5),
        needs_review=True,
        alternatives=tuple(sorted(others)),
    )


def _other_digits(text: str, iso: str) -> bool:
    """Does ``text`` hold a day, month and four-digit year other than the date ``iso``?"""
    m = _FIRST_DATE.search(text)
    if m is None:
        return False
    year, month, day = (int(part) for part in iso.split("-"))
    return (int(m.group(1)), int(m.group(2)), int(m.group(3))) != (day, month, year)


def _short_day_or_month(text: str) -> bool:
    """Is the first date of the line written with a one-digit day or month («20.1.2025»)?"""
    m = _FIRST_DATE.search(_birth_head(text))
    return m is not None and (len(m.group(1)) == 1 or len(m.group(2)) == 1)


def _dates_and_insurer(reader: ZoneReader) -> dict[str, FieldValue]:
    """The dates of issue and of expiry (their lines and their slots) and the insurer."""
    fields: dict[str, FieldValue] = {}
    for name in ("policy_issue_date", "policy_expiry_date"):
        line = reader.read(name, _parse_form_date, "rus", None)
        fields[name] = _with_slots(line, _read_date_slots(reader, name))
    fields["insurer"] = _insurer(reader.read("insurer", parse_text, "rus", None))
    return fields


# A temporary certificate is valid for 45 working days from its issue: about two months.
_VALIDITY_DAYS = (55, 75)


def _dates_agree(fields: dict[str, FieldValue]) -> dict[str, FieldValue]:
    """The dates checked against each other: the valid-until date comes about two months after
    the issue date, and the issue date is not before the birth. A pair that disagrees is
    shown for review (one of them is misread; a hand-written «11» read as the printed «20»)."""
    issue, expiry, birth = (
        fields.get("policy_issue_date"),
        fields.get("policy_expiry_date"),
        fields.get("birth_date"),
    )
    doubtful: set[str] = set()
    out = dict(fields)
    if issue and expiry and issue.value and expiry.value:
        born = birth.value if birth else None
        doubtful |= _dates_in_doubt(out, issue, expiry, issue.value, expiry.value, born)
        doubtful |= _year_doubt_shared(out)
        issue = out["policy_issue_date"]
    if issue and birth and issue.value and birth.value and issue.value < birth.value:
        doubtful |= {"policy_issue_date", "birth_date"}
    for name in doubtful:
        fv = out[name]
        out[name] = dataclasses.replace(fv, confidence=min(fv.confidence, 0.5), needs_review=True)
    return out


def _valid_for(issue: str, expiry: str) -> bool:
    """Does the valid-until date come a temporary certificate's validity after the issue?"""
    days = (date.fromisoformat(expiry) - date.fromisoformat(issue)).days
    return _VALIDITY_DAYS[0] <= days <= _VALIDITY_DAYS[1]


def _dates_in_doubt(
    out: dict[str, FieldValue],
    issue: FieldValue,
    expiry: FieldValue,
    issued: str,
    expires: str,
    born: str | None,
) -> set[str]:
    """The two dates' names when they are not a validity apart (else none). Then the other
    reading of one of them (its line against its slots) may fit, issued on or after the
    birth: where exactly one does, it is shown instead in ``out``, still for review."""
    if _valid_for(issued, expires):
        return set()
    pairs = {
        (i, e)
        for i, e in [
            *((alt, expires) for alt in issue.alternatives),
            *((issued, alt) for alt in expiry.alternatives),
        ]
        if _is_iso_date(i)
        and _is_iso_date(e)
        and _valid_for(i, e)
        and (born is None or not _is_iso_date(born) or i >= born)
    }
    if len(pairs) == 1:
        fitting_issue, fitting_expiry = pairs.pop()
        out["policy_issue_date"] = _shown_instead(issue, fitting_issue)
        out["policy_expiry_date"] = _shown_instead(expiry, fitting_expiry)
    return {"policy_issue_date", "policy_expiry_date"}


def _year_doubt_shared(fields: dict[str, FieldValue]) -> set[str]:
    """Both dates, when one is in doubt about its year. Their years are written by the same
    hand or printer, a validity apart: the same digits misread the same way (a «3» read «5»)
    keep the two dates a validity apart, so a date that looks certain is not, where the
    other's year has another reading."""
    dates = [fields[name] for name in ("policy_issue_date", "policy_expiry_date")]
    for fv in dates:
        value = fv.value
        if not (fv.needs_review and value and _is_iso_date(value)):
            continue
        if any(_is_iso_date(alt) and alt[:4] != value[:4] for alt in fv.alternatives):
            return {"policy_issue_date", "policy_expiry_date"}
    return set()


def _is_iso_date(text: str) -> bool:
    try:
        date.fromisoformat(text)
    except ValueError:
        return False
    return True


def _shown_instead(field: FieldValue, value: str) -> FieldValue:
    """``field`` showing its other reading ``value``; the one it showed becomes the other."""
    if value == field.value:
        return field
    others = {*field.alternatives, *([field.value] if field.value else [])} - {value}
    return dataclasses.replace(field, value=value, alternatives=tuple(sorted(others)))


# --- parsers -------------------------------------------------------------------------------------


def _parse_number(text: str) -> str | None:
    digits = digits_only(text)
    return digits if len(digits) == 9 else None


def _is_blank_number(field: FieldValue) -> bool:
    return bool(field.raw) and set(re.sub(r"\D", "", field.raw or "")) == {"0"}


# Where the birth line's identity document begins: the date of birth comes before it.
_DOCUMENT_START = re.compile(r"г\.?\s*р\b|свид|№|\bот\b|рожд|серия", re.IGNORECASE)


_FIRST_DATE = re.compile(r"(\d{1,2})\s*[.,]\s*(\d{1,2})\s*[.,]\s*(\d{4})")


def _birth_head(text: str) -> str:
    """The birth line before its identity document (whose own date of issue comes later on
    the line and is never the birth)."""
    marker = _DOCUMENT_START.search(text)
    return text[: marker.start()] if marker is not None else text


def _parse_first_date(text: str) -> str | None:
    """The date of birth: the date at the start of the line, before «г.р.» and the identity
    document."""
    head = _birth_head(text)
    m = _FIRST_DATE.search(head)
    if m is not None:
        return parse_date_value(m.group(0))
    return parse_date_value(head) if head == text else None


def _parse_form_date(text: str) -> str | None:
    """«« 14 » мая 20 20 г.»: the day, the month in words, and the year's last two digits
    written after the printed «20» (some write all four).

    The printed «20» alone is never a year: «20 1» (a digit of the year lost) is no date.
    """
    cleaned = re.sub(r"[«»\"“”„_|\[\]—–]", " ", text)
    cleaned = re.sub(r"\s+", " ", cleaned).strip()
    full = parse_date_value(cleaned)
    if full is not None:
        return full
    m = re.search(r"(\d{1,2})\s+([а-яё]{3,})\.?\s*(.*)$", cleaned.lower())
    if m is None:
        return None
    month = _month(m.group(2))
    if month is None:
        return None
    year = _year_end(m.group(3))
    if year is None:
        return None
    try:
        return date(2000 + year, month, int(m.group(1))).isoformat()
    except ValueError:
        return None


def _year_end(text: str) -> int | None:
    """The year's last two digits from what follows the month: «20 20 г.», «2020», «20_11]»."""
    groups = re.findall(r"\d+", re.split(r"г", text, maxsplit=1)[0])
    if len(groups) == 2 and groups[0] == "20" and len(groups[1]) == 2:
        return int(groups[1])
    if len(groups) == 1 and len(groups[0]) == 4 and groups[0].startswith("20"):
        return int(groups[0][2:])
    return None


def _read_date_slots(reader: ZoneReader, name: str) -> str | None:
    """The date read slot by slot (day digits, month letters, the year's two digits), each
    slot at two scales that must agree (:func:`_agreed`); None when a slot is empty or its
    readings disagree (the slots after it are then not read).

    The form's printed quotes, «20» and «г.» are painted out first (their places are known),
    so a typed digit touching a quote is read as a digit, not merged with it; each slot may
    then reach a millimetre past its underline, as printers shift.
    """
    slots = _DATE_SLOTS[name]
    scale = reader.reg.scale
    shape = reader.page.image.shape
    line = reader.reg.box(
        Zone(slots[0].x0 - 3, slots[0].y0 - 1.5, slots[2].x1 + 4, slots[2].y1 + 1), shape
    )
    if line.width == 0 or line.height == 0:
        return None
    image = reader.page.image.copy()
    for mark in _DATE_MARKS[name]:
        _paint_out_mark(image, reader.reg.box(mark, shape), round(_MARK_SLACK_MM * scale))
    parts: list[int] = []
    specs = ((DIGITS, "eng", _day), (_LOWER, "rus", _month), (DIGITS, "eng", _year_digits))
    for zone, (whitelist, lang, key) in zip(slots, specs, strict=True):
        box = reader.reg.box(Zone(zone.x0 - 1.0, zone.y0, zone.x1 + 1.0, zone.y1), shape)
        if box.width == 0 or box.height == 0:
            return None
        # A slot lies between painted-out marks: one piece of ink is a value (the day «7»,
        # a month written in one stroke).
        reach = round(_SLOT_REACH_MM * scale)
        wide = Box(max(0, box.x - reach), box.y, box.width + 2 * reach, box.height)
        ink = ink_box(
            image,
            wide,
            min_height=0.35 * reader.letter_mm * scale,
            min_parts=1,
            centred_in=box,
        )
        if ink is None:
            return None
        # The crop stays on the value's own ink (its letter-sized pieces): the slot reaches
        # up to the bottoms of the line above («законом» over the year), and those slivers
        # make Tesseract's line mode read nothing at all.
        pad = max(2, ink.height // 12)
        limits = (
            min(box.x, ink.x - pad),
            max(box.x + box.width, ink.x + ink.width + pad),
            max(box.y - box.height // 4, ink.y - pad),
            min(box.y + box.height, ink.y + ink.height + pad),
        )
        read_at = functools.partial(_read_slot, reader.engine, image, ink, lang, whitelist, limits)
        part = _agreed(read_at, _SLOT_HEIGHTS, key)
        if part is None:
            return None
        if key is _day and _digit_painted_out(reader.page.image, image, ink):
            # A digit of the day lost: «27» with the closing quote run into its «7», painted
            # out with the quote, read «2» at every scale and along the line alike. Not a
            # confirmation.
            return None
        parts.append(part)
    day, month, year = parts
    try:
        return date(2000 + year, month, day).isoformat()
    except ValueError:
        return None


def _digit_painted_out(page: Image, painted: Image, ink: Box) -> bool:
    """Was a piece as tall as the value's digits painted out beside it with a printed mark?

    The quotes are half a digit's height; a piece painted out that is as tall as the digits
    held a digit run into the quote.
    """
    reach = ink.height
    x0, x1 = max(0, ink.x - reach), min(page.shape[1], ink.x + ink.width + reach)
    y0, y1 = (
        max(0, ink.y - ink.height // 4),
        min(page.shape[0], ink.y + ink.height + ink.height // 4),
    )
    before, after = page[y0:y1, x0:x1], painted[y0:y1, x0:x1]
    if before.size == 0:
        return False
    if before.ndim == 3:
        before, after = darkest_channel(before), darkest_channel(after)
    erased = np.asarray((before < 110) & ~(after < 110), dtype=np.uint8)
    count, _, stats, _ = cv2.connectedComponentsWithStats(erased, connectivity=8)
    return any(int(stats[i, cv2.CC_STAT_HEIGHT]) >= 0.8 * ink.height for i in range(1, count))


_MARK_SLACK_MM = 0.6
"""How far a printed mark's own ink may lie outside its measured place (the blank's print
shifts by a few tenths of a millimetre)."""

_MARK_SHARE = 0.6
"""The share of a dark piece that must lie in a printed mark's place for it to be the mark."""

_SLOT_REACH_MM = 2.5
"""How far past its slot a value's letter may reach and still be taken whole: printers shift
the typed values by a millimetre or more, onto the printed quotes."""


def _paint_out_mark(image: Image, mark: Box, slack: int) -> None:
    """Paint white, in place, the ink of a printed quote, «20» or «г.»: every dark piece that
    lies mostly within the mark's place. A typed digit shifted onto the mark lies mostly
    outside it and is kept whole (painting the whole rectangle cut a «0» in half, and «20»
    read «2»)."""
    ih, iw = image.shape[:2]
    reach = 3 * slack
    x0, y0 = max(0, mark.x - reach), max(0, mark.y - reach)
    x1, y1 = min(iw, mark.x + mark.width + reach), min(ih, mark.y + mark.height + reach)
    region = image[y0:y1, x0:x1]
    if region.size == 0:
        return
    grey = darkest_channel(region)
    count, labels, stats, _ = cv2.connectedComponentsWithStats(
        np.asarray(grey < 110, np.uint8), connectivity=8
    )
    inner = np.zeros(grey.shape, bool)
    inner[
        max(0, mark.y - slack - y0) : mark.y + mark.height + slack - y0,
        max(0, mark.x - slack - x0) : mark.x + mark.width + slack - x0,
    ] = True
    marks = np.zeros(grey.shape, np.uint8)
    for i in range(1, count):
        piece = labels == i
        area = int(stats[i, cv2.CC_STAT_AREA])
        if np.count_nonzero(piece & inner) >= _MARK_SHARE * area:
            marks[piece] = 255
    # With the grey rim round the print (paler than the ink threshold, still read as strokes).
    region[cv2.dilate(marks, np.ones((5, 5), np.uint8)) > 0] = 255


def _read_slot(
    engine: OcrEngine,
    image: Image,
    ink: Box,
    lang: str,
    whitelist: str,
    limits: tuple[int, int, int, int],
    height: float,
) -> str:
    words = read_box(
        engine,
        image,
        ink,
        lang=lang,
        whitelist=whitelist,
        limits=limits,
        height=height,
        border=_SLOT_BORDER,
    )
    return " ".join(w.text for w in words).strip()


_SLOT_HEIGHTS = (REREAD_HEIGHT, 34.0, 40.0)
"""Letter heights a slot is read at: the first two must agree, or the third settles it."""


def _agreed(
    read_at: Callable[[float], str], heights: tuple[float, ...], key: Callable[[str], int | None]
) -> int | None:
    """One slot's value (day, month or year) from readings at different scales, or None.

    The first two readings decide when they name the same value (the month's «апоеля» and
    «аппоеля» are both April); otherwise a third settles it when it names the value of one
    of them, unless another reading holds the winner's digits and more: a hand-written «18»
    read «18» once and «8» twice lost its «1», and the vote would confirm the «8». The slot is
    only one of two ways the date is read: a value from here is certain only where the line's
    own reading agrees (:func:`_with_slots`).
    """
    texts = [read_at(heights[0]), read_at(heights[1])]
    first, second = key(texts[0]), key(texts[1])
    if first is not None and first == second:
        return first
    texts.append(read_at(heights[2]))
    third = key(texts[2])
    if third is None or third not in (first, second):
        return None
    return None if _digits_lost(texts, third) else third


def _digits_lost(texts: list[str], value: int) -> bool:
    """Does one of a slot's readings hold ``value``'s digits and more digits besides?"""
    digits = str(value)
    for text in texts:
        held = "".join(ch for ch in text if ch.isdigit())
        if len(held) > len(digits) and digits in held and int(held) != value:
            return True
    return False


def _day(text: str) -> int | None:
    return int(text) if text.isdigit() and len(text) <= 2 and 1 <= int(text) <= 31 else None


def _year_digits(text: str) -> int | None:
    """The year's last two digits, written after the printed «20»."""
    return int(text) if text.isdigit() and len(text) == 2 else None


def _with_slots(line: FieldValue, slots: str | None) -> FieldValue:
    """The line's reading checked against the slot-by-slot one (two independent methods).

    Agreement makes the date certain even where the line's own readings differed; any
    disagreement is shown for review with both readings.
    """
    if slots is None:
        # The slots did not confirm the line: the printed «20» next to the year's end, a
        # quote beside the day, can pass for a value in a line reading alone.
        if line.value is None:
            return line
        return dataclasses.replace(line, confidence=min(line.confidence, 0.75), needs_review=True)
    if line.value == slots:
        return dataclasses.replace(line, confidence=max(line.confidence, 0.9), needs_review=False)
    others = {*line.alternatives, *([line.value] if line.value else [])} - {slots}
    confidence = 0.6 if line.value is None else 0.5
    return dataclasses.replace(
        line,
        value=slots,
        confidence=confidence,
        needs_review=True,
        alternatives=tuple(sorted(others)),
    )


_LOWER = "абвгдеёжзийклмнопрстуфхцчшщъыьэюя"

_SLOT_BORDER = 24
"""White pixels framing a slot's crop: a lone day digit («7») in a 10-pixel frame reads as
nothing in Tesseract's line mode."""


def _month(word: str) -> int | None:
    return month_of(word)


# --- names, insurer, sex -------------------------------------------------------------------------


_PATRONYMIC_END = re.compile(r"(вич|вна|ична|инична)$", re.IGNORECASE)
# The tail of the caption under the name line, «(при наличии) застрахованного лица», as its
# words start (OCR may cut their ends); «(при» is often read without its bracket and with a
# stray letter («прин»).
_CAPTION_TAIL = ("(при", "налич", "застрах", "лица")
_CAPTION_SHORT = re.compile(r"^\(?при\w?\)?$")


def _is_caption_tail(word: str) -> bool:
    """A word of the caption's tail (no patronymic starts like one)."""
    folded = fold(word)
    return folded.startswith(_CAPTION_TAIL) or _CAPTION_SHORT.match(folded) is not None


_UNDERLINE_TAIL = re.compile(r"^(.+?(?:вич|вна|ична|инична))[-_—–]+\w{0,2}$", re.IGNORECASE)


def _without_caption(words: list[str]) -> tuple[list[str], bool]:
    """The name line's words without the caption under it, and whether there was one.

    On a tilted photo the line and its caption («фамилия, имя, отчество (при наличии)
    застрахованного лица») read as one: a caption word is never a name («Емельянов
    (фамилия, Михаил»), and the names end where the caption's tail begins.
    """
    names: list[str] = []
    for word in words:
        if len(names) >= 2 and _is_caption_tail(word):
            break  # the caption's tail: the names are over
        if not is_caption(word):
            names.append(word)
    return names, len(names) < len(words)


# A piece of the underline read between two names: «Коваленко _ Григорий» is no double name.
_UNDERLINE_PIECE = re.compile(r"(?:^|(?<=\s))[_—–-]+(?=\s|$)")


def _parse_full_name(text: str) -> str | None:
    """The names on the line, without caption words (every reading alike, so that readings
    agree on the names, not on what of the caption each took in)."""
    value = parse_name(_UNDERLINE_PIECE.sub(" ", text))
    if value is None:
        return None
    words, _ = _without_caption(value.split())
    return " ".join(words) or None


def _split_full_name(names: FieldValue) -> dict[str, FieldValue]:
    """Surname, first name and patronymic from the one line that holds them, in that order."""
    parts, in_value = _without_caption((names.value or "").split())
    _, in_raw = _without_caption((parse_name(names.raw or "") or "").split())
    if in_value or in_raw:
        # The caption was read with the names: a tilted photo, shown for review.
        names = dataclasses.replace(names, needs_review=True, confidence=min(names.confidence, 0.6))
    if len(parts) == 2 and "-" in parts[0] and _PATRONYMIC_END.search(parts[1]):
        # The underline between two words read as a hyphen: three names, shown for review.
        parts = [*parts[0].split("-", 1), parts[1]]
        names = dataclasses.replace(names, needs_review=True, confidence=min(names.confidence, 0.6))
    if len(parts) == 2 and "-" in parts[1]:
        # «Арина-Анатольевна»: the underline between the first name and the patronymic read
        # as a hyphen (a double first name has no patronymic's ending after its hyphen).
        head, tail = parts[1].rsplit("-", 1)
        if _PATRONYMIC_END.search(tail) and head:
            parts = [parts[0], head, tail]
            names = dataclasses.replace(
                names, needs_review=True, confidence=min(names.confidence, 0.6)
            )
    if len(parts) == 3:
        end = _UNDERLINE_TAIL.match(parts[2])
        if end is not None:
            # «Павловна-Ть»: the underline's end and a speck read after the patronymic.
            parts = [*parts[:2], end.group(1)]
            names = dataclasses.replace(
                names, needs_review=True, confidence=min(names.confidence, 0.6)
            )
    if len(parts) >= 4 and fold(parts[-1]) in ("оглы", "кызы", "улы", "гызы"):
        parts = [*parts[:2], " ".join(parts[2:])]
    out: dict[str, FieldValue] = {}
    complete = len(parts) in (2, 3)
    disputed = _disputed_words(names.value or "", names.alternatives)
    for i, name in enumerate(("last_name", "first_name", "patronymic")):
        value = parts[i] if i < len(parts) and complete else None
        in_dispute = disputed is None or i in disputed
        if name == "patronymic" and len(parts) == 2:
            # Two words: no patronymic printed ("при наличии"), or two words read as one;
            # all three need a look.
            out[name] = FieldValue(
                value=None, confidence=names.confidence, box=names.box, needs_review=True
            )
            continue
        confidence = min(names.confidence, 0.6) if in_dispute else names.confidence
        others = {
            words[i]
            for words in (alternative.split() for alternative in names.alternatives)
            if disputed is not None and i < len(words) == len(parts) and words[i] != value
        }
        out[name] = FieldValue(
            value=value,
            confidence=confidence if value else 0.0,
            box=names.box,
            raw=names.raw,
            needs_review=names.needs_review or value is None or len(parts) == 2 or in_dispute,
            alternatives=tuple(sorted(others)) if value else (),
        )
    return out


def _disputed_words(value: str, alternatives: tuple[str, ...]) -> set[int] | None:
    """Which words of the name line other readings of it read differently: a reading that
    differs in one word («Твисия» for «Таисия») puts only that name in doubt. None when a
    reading has other words altogether (a word more or less): every name is in doubt.
    """
    words = value.split()
    disputed: set[int] = set()
    for alternative in alternatives:
        other = alternative.split()
        if len(other) != len(words):
            return None
        disputed |= {i for i, (a, b) in enumerate(zip(words, other, strict=True)) if a != b}
    return disputed


def _insurer(read: FieldValue) -> FieldValue:
    """The insurer's printed name, matched to the shipped list where it can be."""
    if read.value is None:
        return read
    insurer, score = match_insurer(read.value)
    if insurer is None:
        # Not on the shipped list: keep what is printed, for the user to pick or confirm.
        return FieldValue(
            value=read.value,
            confidence=min(read.confidence, 0.6),
            box=read.box,
            raw=read.raw,
            needs_review=True,
        )
    return FieldValue(
        value=insurer.short_name,
        confidence=min(read.confidence, score),
        box=read.box,
        raw=read.raw,
        needs_review=read.needs_review or score < 0.85,
        alternatives=(read.value,),
    )


def _ticked_sex(image: Image, reg: Registration) -> FieldValue:
    """The box with a hand-drawn «V» in it: ink inside one box, not the other.

    Each box is looked for by its printed frame near where the registration puts it: on a
    photo the registration can be a few millimetres off there, and a box's own frame (or the
    line above it) inside the counted area read as a tick on a blank form. Straight lines
    running along most of a box's side are not counted either: a frame or a rule, never a «V».
    """
    male = _box_ink(image, reg, _MALE_BOX)
    female = _box_ink(image, reg, _FEMALE_BOX)
    box = reg.box(Zone(_MALE_BOX.x0, _MALE_BOX.y0, _FEMALE_BOX.x1, _FEMALE_BOX.y1), image.shape)
    if male is None or female is None:
        return FieldValue(value=None, confidence=0.0, box=box, needs_review=True)
    ticked = [v for v, ink in (("М", male), ("Ж", female)) if ink >= _TICK_INK]
    if len(ticked) != 1:
        # Neither box or both: nothing to decide (a blank form reads as nothing).
        return FieldValue(value=None, confidence=0.0, box=box, needs_review=True)
    low, high = sorted((male, female))
    confidence = 0.95 if high >= 3 * max(low, 0.004) else 0.6
    return FieldValue(
        value=ticked[0], confidence=confidence, box=box, needs_review=confidence < 0.8
    )


# How far from where the registration puts a sex box its frame is looked for (mm), how much
# of a side a frame line runs along unbroken, and how far apart a frame's sides may be, as a
# share of the box's size.
_FRAME_SEARCH_MM = 3.5
_FRAME_LINE_SHARE = 0.6
_FRAME_SPACING = (0.8, 1.2)
_FRAME_CONTRAST = 40.0


def _box_ink(image: Image, reg: Registration, zone: Zone) -> float | None:
    """The share of dark pixels inside a box, found by its frame where the frame shows, its
    printed border and any straight line along it left out."""
    b = reg.box(zone, image.shape)
    dx, dy = _frame_offset(image, reg, b) or (0, 0)
    h, w = image.shape[:2]
    x0, y0 = min(max(0, b.x + dx), w), min(max(0, b.y + dy), h)
    region = image[y0 : min(h, b.y + dy + b.height), x0 : min(w, b.x + dx + b.width)]
    if region.size == 0:
        return None
    grey = darkest_channel(region)
    # A millimetre in from each side: the printed frame stays out of the count even where
    # the box's place is half a millimetre off.
    border = max(2, int(_BOX_MARGIN_MM * reg.scale))
    if grey.shape[0] <= 2 * border or grey.shape[1] <= 2 * border:
        return None
    # Ink is what is much darker than the box's own paper: a lamp's gradient or a shadow
    # darkens the paper smoothly and is not a tick.
    paper = float(np.percentile(grey[border:-border, border:-border], 90))
    dark = (grey < paper - _TICK_CONTRAST).astype(np.uint8)
    lines = _long_lines(dark, b.width, vertical=False) | _long_lines(dark, b.height, vertical=True)
    dark[cv2.dilate(lines, np.ones((3, 3), np.uint8)) > 0] = 0
    inner = dark[border:-border, border:-border]
    return float(np.count_nonzero(inner)) / inner.size


def _long_lines(dark: Image, side: int, *, vertical: bool) -> Image:
    """The straight lines in ``dark`` running ``_FRAME_LINE_SHARE`` of ``side`` or more,
    upright (``vertical``) or level; a «V»'s slanted strokes are not among them."""
    length = max(3, int(_FRAME_LINE_SHARE * side))
    kernel = np.ones((length, 1) if vertical else (1, length), np.uint8)
    return np.asarray(cv2.morphologyEx(dark, cv2.MORPH_OPEN, kernel))


def _frame_offset(image: Image, reg: Registration, b: Box) -> tuple[int, int] | None:
    """How far (px) the printed frame of a box lies from ``b``, where the registration puts
    the box, or None when no frame of the box's size is seen nearby.

    The frame is two upright lines a box's width apart and two level lines a box's height
    apart, each running along most of its side; a «V» (slanted strokes), letters and dotted
    lines are not such lines.
    """
    pad = int(_FRAME_SEARCH_MM * reg.scale)
    h, w = image.shape[:2]
    wx0, wy0 = max(0, b.x - pad), max(0, b.y - pad)
    wx1, wy1 = min(w, b.x + b.width + pad), min(h, b.y + b.height + pad)
    window = image[wy0:wy1, wx0:wx1]
    if window.size == 0 or b.width < 4 or b.height < 4:
        return None
    grey = darkest_channel(window)
    paper = float(np.percentile(grey, 90))
    dark = (grey < paper - _FRAME_CONTRAST).astype(np.uint8)
    upright = _line_centres(dark, b.height, vertical=True)
    level = _line_centres(dark, b.width, vertical=False)
    # The frame is drawn just outside the box's inside (see the zone), its lines ~0.3 mm out.
    want_w = b.width + 0.6 * reg.scale
    want_h = b.height + 0.6 * reg.scale
    cx, cy = b.x - wx0 + b.width / 2, b.y - wy0 + b.height / 2
    best: tuple[float, float, float] | None = None
    for left in upright:
        for right in upright:
            if not _FRAME_SPACING[0] * want_w <= right - left <= _FRAME_SPACING[1] * want_w:
                continue
            for top in level:
                for bottom in level:
                    if not _FRAME_SPACING[0] * want_h <= bottom - top <= _FRAME_SPACING[1] * want_h:
                        continue
                    fx, fy = (left + right) / 2, (top + bottom) / 2
                    miss = float(np.hypot(fx - cx, fy - cy))
                    if best is None or miss < best[0]:
                        best = (miss, fx - cx, fy - cy)
    if best is None:
        return None
    return round(best[1]), round(best[2])


def _line_centres(dark: Image, side: int, *, vertical: bool) -> list[float]:
    """Centres of the straight lines in ``dark`` (see :func:`_long_lines`): one centre per
    run of columns (``vertical``) or rows holding such a line."""
    lines = _long_lines(dark, side, vertical=vertical)
    found = np.count_nonzero(lines, axis=0 if vertical else 1) > 0
    centres = []
    start = None
    for i, on in enumerate([*found.tolist(), False]):
        if on and start is None:
            start = i
        elif not on and start is not None:
            centres.append((start + i - 1) / 2)
            start = None
    return centres


__all__ = ["ANCHORS", "SHEET_MM", "ZONES", "read_temporary", "register_temporary"]
