"""Reading one field well: re-read its region with field-suited settings and pick a value.

Each value is read twice — once in the page pass, once re-read from its own region at a good
scale with a character whitelist and the language suited to the field — and the two readings
are parsed, validated and compared. Agreement, validity and Tesseract's own confidence give the
field's confidence; a field below the calibrated threshold, or failing a rule, needs review.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from omsdesktop.forms.model import FieldValue
from omsdesktop.forms.normalize import name_case, normalize_name_chars, parse_date
from omsdesktop.forms.places import mend_region
from omsdesktop.ocr.engine import OcrEngine, Word, mean_confidence
from omsdesktop.ocr.layout import PageText, read_region, union_boxes
from omsdesktop.ocr.types import Box
from omsdesktop.text import digits_only, letters_to_digits

DIGITS = "0123456789"
CAPITALS = "АБВГДЕЁЖЗИЙКЛМНОПРСТУФХЦЧШЩЪЫЬЭЮЯ"
CYRILLIC = CAPITALS + CAPITALS.lower()
NAME_CHARS = CYRILLIC + "-'"
DATE_CHARS = DIGITS + "."

# Calibrated on the generated corpus (benchmarks/accuracy.py --calibrate): below this a field is
# shown for review. Kept here, not in settings: it is a property of the reader, not a preference.
REVIEW_THRESHOLD = 0.80

Parser = Callable[[str], str | None]


@dataclass(frozen=True)
class Reading:
    text: str
    value: str | None
    confidence: float
    box: Box | None


def parse_name(text: str) -> str | None:
    cleaned = normalize_name_chars(text)
    cleaned = re.sub(r"[^А-ЯЁа-яё\-' ]", "", cleaned).strip(" -'")
    if len(cleaned) < 2:
        return None
    return name_case(cleaned)


def parse_single_name(text: str) -> str | None:
    """A surname or a first name: one word (a hyphen allowed), so OCR's stray spaces go."""
    return parse_name(re.sub(r"\s+", "", text))


def parse_date_value(text: str) -> str | None:
    """A date printed in digits ("05.07.2019") or with the month in words ("5 июля 2019 г.")."""
    text = re.sub(r"[«»\"'“”„‘’‚`]", " ", text)
    compact = re.sub(r"[,:;]", ".", text.replace(" ", ""))
    m = re.search(r"(\d{1,2})\.(\d{1,2})\.(\d{4})", compact)
    parsed = parse_date(m.group(0)) if m else None
    if parsed is None:
        # "«04» ноября 2010 г.": OCR often reads the closing quote as a digit ("045") and the
        # day's digits as look-alike letters ("«ОЗ»").
        m = re.search(r"([\dоoз]{1,3})\W*([а-яё]{3,})\W*(\d{4})", text.lower())
        if m:
            day = letters_to_digits(m.group(1))
            if len(day) == 3:
                day = day[:2]
            if day.isdigit():
                parsed = parse_date(f"{day} {m.group(2)} {m.group(3)}")
    return parsed.isoformat() if parsed else None


def parse_digits(length: int | tuple[int, int]) -> Parser:
    lo, hi = (length, length) if isinstance(length, int) else length

    def parse(text: str) -> str | None:
        digits = digits_only(text)
        return digits if lo <= len(digits) <= hi else None

    return parse


def parse_text(text: str) -> str | None:
    cleaned = " ".join(text.split()).strip(" _-—|\"'`‘’“”„«»,:;~")
    return cleaned or None


_TOWN_ABBREVIATION = re.compile(r"^(?:[гГrтТ][.,в]?|[Гг]\s*\.)\s+(?=[А-ЯЁ])")


def parse_place(text: str) -> str | None:
    """A place of birth: "г. Москва", "пос. Знаменка ... области" — quotes and stray marks off,
    and the town abbreviation "г." restored where OCR read it as "Г.", "r." or "тв"."""
    cleaned = parse_text(_STRAY_END.sub("", _INNER_MARKS.sub(" ", text)))
    if cleaned is None:
        return None
    return mend_region(_TOWN_ABBREVIATION.sub("г. ", cleaned))


# Underline pieces and bars read between the words of a place («ПЕРВОМАЙСКОГО_ _РАЙОНА»).
_INNER_MARKS = re.compile(r"[_|]+")

# A speck or a digit of the next line read at the end of a place («… края 2»): a place
# never ends in a lone one- or two-character number.
_STRAY_END = re.compile(r"(?<=[а-яё.])\s+\d{1,2}[.,]?\s*$", re.IGNORECASE)


def reading_of(words: Sequence[Word], parser: Parser) -> Reading:
    text = " ".join(w.text for w in words)
    box = union_boxes([w.box for w in words]) if words else None
    return Reading(text, parser(text) if text else None, mean_confidence(words), box)


def read_field(
    engine: OcrEngine,
    page: PageText,
    words: Sequence[Word],
    parser: Parser,
    *,
    lang: str = "rus",
    whitelist: str | None = None,
    reread: bool = True,
    validate: Callable[[str], bool] | None = None,
) -> FieldValue:
    """Decide one field from its page-pass words and a re-read of their region."""
    first = reading_of(words, parser)
    if first.box is None:
        return FieldValue(value=None, confidence=0.0, needs_review=True)
    readings = [first]
    if reread:
        again = read_region(engine, page, first.box, lang=lang, whitelist=whitelist)
        second = reading_of(again, parser)
        readings.append(Reading(second.text, second.value, second.confidence, first.box))
    return decide(readings, validate=validate)


RANK_MIN_CONFIDENCE = 0.3
"""A reading ranks (:func:`decide`) only where Tesseract is at least this sure of it: a
low-confidence scrap («Но Миа») can happen to be two dictionary names."""


def _ranked(value: str, pool: Sequence[Reading], rank: Callable[[str], int] | None) -> float:
    if rank is None:
        return 0.0
    best = max(r.confidence for r in pool if r.value == value)
    return float(rank(value)) if best >= RANK_MIN_CONFIDENCE else float("-inf")


def decide(
    readings: Sequence[Reading],
    *,
    validate: Callable[[str], bool] | None = None,
    rank: Callable[[str], int] | None = None,
) -> FieldValue:
    """Choose among readings of one field: valid over invalid, agreement raises confidence.

    ``rank`` orders the values before the count of readings does: the names the dictionary
    knows before names it does not (re-reads of one crop that all lost the letter standing on
    an underline outvote the page pass that kept it). Readings that disagree are shown for
    review all the same.
    """
    parsed = [r for r in readings if r.value is not None]
    box = next((r.box for r in readings if r.box is not None), None)
    raw = readings[0].text if readings else None
    if not parsed:
        return FieldValue(value=None, confidence=0.0, box=box, raw=raw, needs_review=True)

    def ok(r: Reading) -> bool:
        return validate is None or (r.value is not None and validate(r.value))

    valid = [r for r in parsed if ok(r)]
    pool = valid or parsed
    # The value most readings agree on; ties go to the reading Tesseract is surer of.
    support: dict[str, tuple[int, float]] = {}
    for r in pool:
        assert r.value is not None
        count, conf_sum = support.get(r.value, (0, 0.0))
        support[r.value] = (count + 1, conf_sum + r.confidence)
    best_value = max(
        support,
        key=lambda v: (_ranked(v, pool, rank), support[v][0], support[v][1]),
    )
    agreeing = [r for r in pool if r.value == best_value]
    dissenting = len(pool) - len(agreeing)
    conf = max(r.confidence for r in agreeing)
    n_read = len(readings)
    if len(agreeing) == n_read and n_read > 1:
        confidence = min(1.0, 0.5 + 0.5 * conf + 0.05)
    elif len(agreeing) >= 2 and len(agreeing) > dissenting:
        # Agreement counts only as a majority: reads of one crop at other scales share its
        # flaws, and two of five agreeing is no evidence against the other three.
        confidence = 0.4 + 0.5 * conf
    else:
        # One reading only, or readings disagree: trust Tesseract's own score, discounted.
        confidence = (0.75 if n_read > 1 else 0.85) * conf
    if not valid:
        confidence = min(confidence, 0.3)
    alternatives = tuple(sorted({v for v in (r.value for r in parsed) if v and v != best_value}))
    return FieldValue(
        value=best_value,
        confidence=confidence,
        box=box,
        raw=raw,
        needs_review=confidence < REVIEW_THRESHOLD,
        alternatives=alternatives,
    )
