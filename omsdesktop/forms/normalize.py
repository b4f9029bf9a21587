"""Text normalisation for document fields: look-alike letters, dates, name case.

OCR reads Russian documents with both the Russian and the English model, so Latin and Cyrillic
look-alikes get mixed both ways ("Иванoва" with a Latin "o", "IV-MЮ" with a Latin "M", "1V" for
"IV"). The look-alike tables, folding and dates in digits live once in :mod:`omsdesktop.text`
(re-exported here); this module builds the document-field rules on them. Dates come as digits
("12.03.2019", "2019-03-12"), with a month name ("12 марта 2019 г.") or fully in words on the
birth certificate ("двенадцатого марта две тысячи девятнадцатого года"); :func:`parse_date` and
:func:`date_from_words` read them all.

Nothing here logs or prints: values are children's personal data.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

from rapidfuzz import fuzz, process

from omsdesktop.text import (
    CYRILLIC_TO_ROMAN,
    LATIN_TO_CYRILLIC,
    MONTHS_GENITIVE,
    collapse_spaces,
    digits_to_cyrillic,
    fold,
    parse_date,
    parse_date_parts,
    to_cyrillic,
    to_roman,
    unify_separators,
)

# --- look-alike maps (one copy, in omsdesktop.text) -------------------------------------------

ROMAN_LOOKALIKES = CYRILLIC_TO_ROMAN
"""What OCR returns for the Latin letters of a Roman numeral (an alias of the shared table)."""


def series_letters_to_cyrillic(text: str) -> str:
    """Normalise the two-letter part of a certificate series: capitals, Cyrillic."""
    return digits_to_cyrillic(to_cyrillic(text.upper()))


def roman_to_latin(text: str) -> str:
    """Normalise the numeral part of a certificate series to Latin I V X L C D M."""
    return to_roman(text)


_ROMAN_RE = re.compile(r"^M{0,3}(CM|CD|D?C{0,3})(XC|XL|L?X{0,3})(IX|IV|V?I{0,3})$")
_ROMAN_VALUES = {"I": 1, "V": 5, "X": 10, "L": 50, "C": 100, "D": 500, "M": 1000}


def roman_value(numeral: str) -> int | None:
    """Value of a canonical Roman numeral ("XIX" → 19); None for malformed ones ("IIII")."""
    if not numeral or not _ROMAN_RE.match(numeral):
        return None
    total = 0
    for i, ch in enumerate(numeral):
        value = _ROMAN_VALUES[ch]
        nxt = _ROMAN_VALUES[numeral[i + 1]] if i + 1 < len(numeral) else 0
        total += -value if value < nxt else value
    return total


# --- names ----------------------------------------------------------------------------------

_LOWERCASE_NAME_PARTICLES = frozenset({"оглы", "кызы", "гызы", "улы", "уулу", "кзы"})
"""Turkic patronymic particles, written in lower case after the name ("Али оглы")."""


normalize_spaces = collapse_spaces


_UPPER_LOOKALIKES = frozenset("ABEKMHOPCTXY")


def fix_lookalikes_in_word(word: str) -> str:
    """Turn Latin look-alikes into Cyrillic where the word is evidently Russian.

    A word mixing Cyrillic and Latin letters ("Иванoва") is an OCR artefact: every look-alike is
    replaced. A word entirely in Latin is replaced only when all its letters are capital
    look-alikes ("OKCAHA" read by the English model from "ОКСАНА"); "Anna" or "Ivanova" stay as
    typed, so the validator can say the name is in Latin letters.
    """
    has_cyrillic = re.search(r"[А-Яа-яЁё]", word) is not None
    latin = re.findall(r"[A-Za-zÀ-ɏ]", word)
    if not latin:
        return word
    if has_cyrillic or all(ch in _UPPER_LOOKALIKES for ch in latin):
        return to_cyrillic(word)
    return word


def normalize_name_chars(text: str) -> str:
    """Unify dashes and apostrophes, collapse spaces, turn Latin look-alikes into Cyrillic."""
    parts = re.split(r"([ '\-])", unify_separators(text))
    return "".join(fix_lookalikes_in_word(part) for part in parts)


def name_case(text: str) -> str:
    """Title-case a name: "ИВАНОВА" → "Иванова", "анна-мария" → "Анна-Мария".

    Every part after a space or a hyphen starts with a capital, except Turkic particles
    ("оглы", "кызы") after the first word.
    """
    words = []
    for index, word in enumerate(text.split(" ")):
        if index > 0 and fold(word) in _LOWERCASE_NAME_PARTICLES:
            words.append(word.lower())
            continue
        parts = [p[:1].upper() + p[1:].lower() for p in word.split("-")]
        words.append("-".join(parts))
    return " ".join(words)


# --- dates in words -------------------------------------------------------------------------


@dataclass(frozen=True)
class _Word:
    kind: str  # "ord", "card", "month", "thousand", "year"
    value: int


def _vocabulary() -> dict[str, _Word]:
    ordinals = {
        "первого": 1, "второго": 2, "третьего": 3, "четвертого": 4, "пятого": 5,
        "шестого": 6, "седьмого": 7, "восьмого": 8, "девятого": 9, "десятого": 10,
        "одиннадцатого": 11, "двенадцатого": 12, "тринадцатого": 13, "четырнадцатого": 14,
        "пятнадцатого": 15, "шестнадцатого": 16, "семнадцатого": 17,
        "восемнадцатого": 18, "девятнадцатого": 19, "двадцатого": 20, "тридцатого": 30,
        "сорокового": 40, "пятидесятого": 50, "шестидесятого": 60, "семидесятого": 70,
        "восьмидесятого": 80, "девяностого": 90, "двухтысячного": 2000,
    }  # fmt: skip
    cardinals = {
        "двадцать": 20, "тридцать": 30, "сорок": 40, "пятьдесят": 50, "шестьдесят": 60,
        "семьдесят": 70, "восемьдесят": 80, "девяносто": 90, "девятьсот": 900, "две": 2,
    }  # fmt: skip
    vocab: dict[str, _Word] = {w: _Word("ord", v) for w, v in ordinals.items()}
    vocab.update({w: _Word("card", v) for w, v in cardinals.items()})
    vocab.update({m: _Word("month", i + 1) for i, m in enumerate(MONTHS_GENITIVE)})
    vocab["тысячи"] = _Word("thousand", 1000)
    vocab["тысяча"] = _Word("thousand", 1000)
    vocab["года"] = _Word("year", 0)
    return vocab


_VOCAB: dict[str, _Word] = _vocabulary()
_VOCAB_KEYS: tuple[str, ...] = tuple(_VOCAB)


def _min_score(word: str) -> float:
    # One wrong letter in a short word costs more points; allow about one error per 4 letters.
    n = len(word)
    if n <= 3:
        return 99.0  # "две": only exact (after folding)
    if n <= 5:
        return 74.0
    return 76.0


def _match_word(token: str) -> tuple[str, float] | None:
    found = process.extractOne(token, _VOCAB_KEYS, scorer=fuzz.ratio)
    if found is None:
        return None
    word, score = str(found[0]), float(found[1])
    if score < _min_score(word) or abs(len(word) - len(token)) > max(2, len(word) // 3):
        return None
    return word, score


def _split_merged(token: str) -> list[str] | None:
    """OCR may drop the space between two words ("двенадцатогомарта")."""
    best: tuple[float, list[str]] | None = None
    for cut in range(3, len(token) - 2):
        left, right = _match_word(token[:cut]), _match_word(token[cut:])
        if left is None or right is None:
            continue
        score = min(left[1], right[1])
        if best is None or score > best[0]:
            best = (score, [left[0], right[0]])
    return None if best is None else best[1]


def _next_is_thousand(tokens: list[str], i: int) -> bool:
    if i + 1 >= len(tokens):
        return False
    nxt = _match_word(tokens[i + 1])
    return nxt is not None and nxt[0] == "тысячи"


def _tokens_to_words(text: str) -> list[str | None]:
    """Match each token to the vocabulary (None for noise), mending split and merged words."""
    tokens = [fold(t) for t in re.findall(r"[^\W\d_]+", to_cyrillic(text))]
    out: list[str | None] = []
    i = 0
    while i < len(tokens):
        token = tokens[i]
        if len(token) <= 1:  # "г" of "г.", stray letters
            i += 1
            continue
        single = _match_word(token)
        joined = _match_word(token + tokens[i + 1]) if i + 1 < len(tokens) else None
        if joined is not None and (single is None or joined[1] > single[1] + 5):
            out.append(joined[0])
            i += 2
            continue
        if single is not None:
            out.append(single[0])
        elif len(token) <= 4 and _next_is_thousand(tokens, i):
            out.append("две")  # a garbled "две" right before "тысячи"
        elif len(token) >= 8:
            parts = _split_merged(token)
            out.extend(parts if parts is not None else [None])
        else:
            out.append(None)
        i += 1
    return out


def _parse_day(words: list[_Word]) -> int | None:
    # The day is the number words right before the month: [card tens] ord.
    if not words or words[-1].kind != "ord" or words[-1].value > 30:
        return None
    day = words[-1].value
    if len(words) >= 2 and words[-2].kind == "card" and words[-2].value in (20, 30):
        if day >= 10:
            return None
        day += words[-2].value
    return day if 1 <= day <= 31 else None


def _parse_year(words: list[_Word]) -> int | None:
    # [тысяча девятьсот | две тысячи] [tens] ordinal, or "двухтысячного".
    year = 0
    i = 0
    if i + 1 < len(words) and words[i] == _Word("card", 2) and words[i + 1].kind == "thousand":
        year, i = 2000, i + 2
    elif i < len(words) and words[i].kind == "thousand":
        year, i = 1000, i + 1
        if i < len(words) and words[i] == _Word("card", 900):
            year, i = 1900, i + 1
    elif i < len(words) and words[i] == _Word("ord", 2000):
        return 2000
    else:
        return None
    if i < len(words) and words[i].kind == "card" and 20 <= words[i].value <= 90:
        year, i = year + words[i].value, i + 1
        tens = True
    else:
        tens = False
    if i >= len(words) or words[i].kind != "ord" or words[i].value >= 100:
        return None
    last = words[i].value
    if tens and last >= 10:
        return None
    year += last
    return year if 1900 <= year <= 2099 else None


def date_from_words(text: str) -> date | None:
    """Read a date written in Russian words, as on the birth certificate.

    "двенадцатого марта две тысячи девятнадцатого года" → 2019-03-12. Each token is matched
    fuzzily to the small vocabulary of day ordinals, month names and year words, so OCR noise
    ("двенадцатого мapта двe тысячи девятнадцатoго"), split and merged words and stray labels
    around the date are tolerated. Returns None when no complete date can be read.
    """
    matched = _tokens_to_words(text)
    month_positions = [
        i for i, w in enumerate(matched) if w is not None and _VOCAB[w].kind == "month"
    ]
    for pos in month_positions:
        before: list[_Word] = []
        for w in reversed(matched[:pos]):
            if w is None or _VOCAB[w].kind not in ("ord", "card"):
                break
            before.insert(0, _VOCAB[w])
        after: list[_Word] = []
        for w in matched[pos + 1 :]:
            if w is None or _VOCAB[w].kind in ("year", "month"):
                break
            after.append(_VOCAB[w])
        day = _parse_day(before)
        year = _parse_year(after)
        if day is None or year is None:
            continue
        try:
            return date(year, _VOCAB[matched[pos] or ""].value, day)
        except ValueError:
            continue
    return None


__all__ = [
    "LATIN_TO_CYRILLIC",
    "MONTHS_GENITIVE",
    "ROMAN_LOOKALIKES",
    "date_from_words",
    "fix_lookalikes_in_word",
    "fold",
    "name_case",
    "normalize_name_chars",
    "normalize_spaces",
    "parse_date",
    "parse_date_parts",
    "roman_to_latin",
    "roman_value",
    "series_letters_to_cyrillic",
    "to_cyrillic",
]
