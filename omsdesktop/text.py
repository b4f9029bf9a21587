"""Text helpers shared by every layer: look-alike letters, folding, name comparison.

OCR reads Russian documents with both the Russian and the English model, so Latin and Cyrillic
look-alikes get mixed both ways ("Иванoва" with a Latin "o") and digits are read as letters
("2O19", "l2"). The look-alike tables live here once, one per direction, and "are these two
names the same" is decided here once (:func:`same_name`).

This is the lowest layer: it imports nothing from the project. Nothing here logs or prints:
values are children's personal data.
"""

from __future__ import annotations

import re
from datetime import date

from rapidfuzz.distance import Levenshtein

# --- look-alike tables ----------------------------------------------------------------------

LATIN_TO_CYRILLIC: dict[str, str] = {
    # Upper case: shapes identical in print.
    "A": "А", "B": "В", "E": "Е", "K": "К", "M": "М", "H": "Н", "O": "О", "P": "Р",
    "C": "С", "T": "Т", "X": "Х", "Y": "У",
    # Lower case: shapes identical (or nearly so) in a serif face.
    "a": "а", "e": "е", "o": "о", "p": "р", "c": "с", "x": "х", "y": "у", "k": "к",
    "m": "м", "u": "и", "n": "п", "r": "г", "b": "ь",
    # Accented forms OCR produces for "ё".
    "ë": "ё", "Ë": "Ё",
}  # fmt: skip
"""Latin letters that OCR returns for Cyrillic ones (used inside Russian words)."""

_LATIN_TO_CYRILLIC_TABLE = str.maketrans(LATIN_TO_CYRILLIC)

CYRILLIC_TO_ROMAN: dict[str, str] = {
    # Cyrillic and digit look-alikes of Latin I V X L C D M (domain.md: 1/І/У/Х/Л/С).
    "1": "I", "l": "I", "i": "I", "|": "I", "!": "I", "І": "I", "і": "I", "Ӏ": "I", "ӏ": "I",
    "У": "V", "у": "V", "v": "V", "Ѵ": "V",
    "Х": "X", "х": "X", "x": "X",
    "Л": "L",
    "С": "C", "с": "C", "c": "C",
    "М": "M", "м": "M", "m": "M",
    "Д": "D", "d": "D",
    # Serif "II" and "III" are read as one Cyrillic letter.
    "П": "II", "п": "II", "Ш": "III", "ш": "III",
}  # fmt: skip
"""What OCR returns for the Latin letters of a Roman numeral (a certificate series' "IV")."""

LETTER_TO_DIGIT: dict[str, str] = {
    "O": "0", "o": "0", "О": "0", "о": "0",
    "З": "3", "з": "3",
    "l": "1", "I": "1",
}  # fmt: skip
"""Letters (Latin and Cyrillic) OCR returns for digits inside a number."""

DIGIT_LOOKALIKES: dict[str, str] = {**LETTER_TO_DIGIT, "|": "1"}
"""Everything OCR returns for a digit inside one short token (a date, a day): the letters of
:data:`LETTER_TO_DIGIT` and the bar "|" for "1". In a longer digit run a bar is usually a
frame line, so :func:`digits_only` drops it instead."""

DIGIT_TO_CYRILLIC: dict[str, str] = {"0": "О", "3": "З", "6": "Б", "4": "Ч"}
"""Digits OCR returns for capital Cyrillic letters (series letters, insurer names)."""

CYRILLIC_TO_DIGIT: dict[str, str] = {v: k for k, v in DIGIT_TO_CYRILLIC.items()}
"""The reverse of :data:`DIGIT_TO_CYRILLIC`: capitals read where a digit was printed."""

_LETTER_TO_DIGIT_TABLE = str.maketrans(LETTER_TO_DIGIT)
_DIGIT_LOOKALIKES_TABLE = str.maketrans(DIGIT_LOOKALIKES)
_DIGIT_TO_CYRILLIC_TABLE = str.maketrans(DIGIT_TO_CYRILLIC)
_DIGIT_TO_LOWER_CYRILLIC_TABLE = str.maketrans({k: v.lower() for k, v in DIGIT_TO_CYRILLIC.items()})

DASHES = "-\u2010\u2011\u2012\u2013\u2014\u2015\u2212\u00ad_"
"""Characters OCR and typists use for the hyphen of a double name."""

APOSTROPHES = "'\u2019\u2018\u02bc\u0060\u00b4"
"""Characters used for the apostrophe of a name ("Д'Артаньян")."""

_DASH_RE = re.compile(rf"\s*[{re.escape(DASHES)}]\s*")
_APOSTROPHE_RE = re.compile(rf"[{re.escape(APOSTROPHES)}]")


def to_cyrillic(text: str) -> str:
    """Replace every Latin look-alike letter with its Cyrillic twin."""
    return text.translate(_LATIN_TO_CYRILLIC_TABLE)


def to_roman(text: str) -> str:
    """Normalise the numeral part of a certificate series to Latin I V X L C D M."""
    return "".join(CYRILLIC_TO_ROMAN.get(ch, ch.upper()) for ch in text)


def letters_to_digits(text: str) -> str:
    """Replace the letters OCR reads for digits ("2O19" → "2019"); also "|" → "1"."""
    return text.translate(_DIGIT_LOOKALIKES_TABLE)


def digits_only(text: str) -> str:
    """The digits of a number as read: look-alike letters become digits, all else is dropped.

    "l23 4O5" → "123405". A bar "|" is dropped (a frame line), unlike in :func:`letters_to_digits`.
    """
    return re.sub(r"\D", "", text.translate(_LETTER_TO_DIGIT_TABLE))


def digits_to_cyrillic(text: str, *, lower: bool = False) -> str:
    """Replace the digits OCR reads for Cyrillic letters: "СОГА3" → "СОГАЗ" (capitals), or
    with ``lower`` "сога3" → "согаз"."""
    return text.translate(_DIGIT_TO_LOWER_CYRILLIC_TABLE if lower else _DIGIT_TO_CYRILLIC_TABLE)


def collapse_spaces(text: str) -> str:
    """Collapse runs of whitespace (also non-breaking spaces) to one space; strip the ends."""
    return " ".join(text.split())


def fold(text: str) -> str:
    """Comparison key of a text: case-insensitive, "ё" = "е", whitespace collapsed."""
    return collapse_spaces(text.casefold().replace("ё", "е"))


def unify_separators(text: str) -> str:
    """Collapse spaces, write every dash as "-" (no spaces around it), every apostrophe as "'"."""
    text = _DASH_RE.sub("-", collapse_spaces(text))
    return _APOSTROPHE_RE.sub("'", text)


def name_key(text: str) -> str:
    """Comparison key of a person's name (or one part of it).

    Latin look-alikes become Cyrillic (case-sensitively, before folding: a Latin "b" is "ь",
    a Latin "B" is "В"), then the text is folded and dash, apostrophe and space variants are
    unified. A hyphen and a space stay different ("Анна-Мария" is not "Анна Мария").
    """
    return fold(unify_separators(to_cyrillic(text)))


def same_name(a: str, b: str) -> bool:
    """Whether two readings of a name are the same name (see :func:`name_key`)."""
    return name_key(a) == name_key(b)


# --- dates in digits ------------------------------------------------------------------------

MONTHS_GENITIVE: tuple[str, ...] = (
    "января", "февраля", "марта", "апреля", "мая", "июня",
    "июля", "августа", "сентября", "октября", "ноября", "декабря",
)  # fmt: skip

MONTH_WORDS: dict[str, int] = {name: i + 1 for i, name in enumerate(MONTHS_GENITIVE)}
"""Month words (folded) to month numbers: genitive, nominative and common abbreviations."""
MONTH_WORDS.update(
    {
        "январь": 1, "февраль": 2, "март": 3, "апрель": 4, "май": 5, "июнь": 6, "июль": 7,
        "август": 8, "сентябрь": 9, "октябрь": 10, "ноябрь": 11, "декабрь": 12,
        "янв": 1, "фев": 2, "февр": 2, "мар": 3, "апр": 4, "июн": 6, "июл": 7, "авг": 8,
        "сен": 9, "сент": 9, "окт": 10, "ноя": 11, "нояб": 11, "дек": 12,
    }
)  # fmt: skip


def month_of(word: str) -> int | None:
    """The month a written month word names, allowing OCR's slips in the genitive forms.

    An exact month word (genitive, nominative or abbreviation) is taken as is; otherwise a
    genitive within one letter (two, for words of six letters or more) of exactly one month
    is that month («лекабря», «севраля»); a word as close to two months is none.
    """
    key = fold(word).strip(" .")
    if key in MONTH_WORDS:
        return MONTH_WORDS[key]
    if len(key) < 3:
        return None
    budget = 1 if len(key) <= 5 else 2
    scored = sorted(
        (Levenshtein.distance(key, name, score_cutoff=budget + 1), i + 1)
        for i, name in enumerate(MONTHS_GENITIVE)
    )
    (best, month), (second, _) = scored[0], scored[1]
    if best <= budget and second > best:
        return month
    return None


_YEAR_SUFFIX_RE = re.compile(r"\s*(?:г\.?|год[а]?\.?)\s*$", re.IGNORECASE)
_DMY_RE = re.compile(r"^(\d{1,2})\s*[.,/\-]\s*(\d{1,2})\s*[.,/\-]\s*(\d{4})$")
_YMD_RE = re.compile(r"^(\d{4})\s*[.\-/]\s*(\d{1,2})\s*[.\-/]\s*(\d{1,2})$")
_WORD_MONTH_RE = re.compile(r"^(\d{1,2})\s*([а-яё]+)\.?\s*(\d{4})$", re.IGNORECASE)


def parse_date_parts(text: str) -> tuple[int, int, int] | None:
    """Split a written date into (year, month, day) without checking it is a real day.

    Accepts ``DD.MM.YYYY``, ``D.M.YYYY`` (also with ``/``, ``-`` or ``,``), ``YYYY-MM-DD``,
    ``12 марта 2019 г.``, ``12.03.2019 г.``, with OCR's look-alike letters for digits
    ("2O19", "l2.03.2019"). Two-digit years are refused: guessing the century of a child's
    date is worse than asking.
    """
    text = collapse_spaces(text).strip(" .")
    text = _YEAR_SUFFIX_RE.sub("", text).strip(" .")
    if not text:
        return None
    word = _WORD_MONTH_RE.match(text)
    if word is not None:
        month = MONTH_WORDS.get(fold(word.group(2)))
        if month is None:
            return None
        return int(word.group(3)), month, int(word.group(1))
    text = letters_to_digits(text)
    dmy = _DMY_RE.match(text)
    if dmy is not None:
        return int(dmy.group(3)), int(dmy.group(2)), int(dmy.group(1))
    ymd = _YMD_RE.match(text)
    if ymd is not None:
        return int(ymd.group(1)), int(ymd.group(2)), int(ymd.group(3))
    return None


def parse_date(text: str) -> date | None:
    """Read a date written in digits or with a Russian month name; None if it is not one."""
    parts = parse_date_parts(text)
    if parts is None:
        return None
    try:
        return date(*parts)
    except ValueError:
        return None


__all__ = [
    "APOSTROPHES",
    "CYRILLIC_TO_DIGIT",
    "CYRILLIC_TO_ROMAN",
    "DASHES",
    "DIGIT_LOOKALIKES",
    "DIGIT_TO_CYRILLIC",
    "LATIN_TO_CYRILLIC",
    "LETTER_TO_DIGIT",
    "MONTHS_GENITIVE",
    "MONTH_WORDS",
    "collapse_spaces",
    "digits_only",
    "digits_to_cyrillic",
    "fold",
    "letters_to_digits",
    "month_of",
    "name_key",
    "parse_date",
    "parse_date_parts",
    "same_name",
    "to_cyrillic",
    "to_roman",
    "unify_separators",
]
