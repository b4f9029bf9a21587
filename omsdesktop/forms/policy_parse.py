"""The policy's small value parsers: dates (also with the dots lost), «бессрочно», sex, the
ENP and runs of digits.

Each takes the text of a reading and returns the normalised value or None.
"""

from __future__ import annotations

import re

from rapidfuzz import fuzz

from omsdesktop.forms.fields import Parser, parse_date_value
from omsdesktop.forms.normalize import fold, to_cyrillic
from omsdesktop.text import digits_only

NO_EXPIRY = "бессрочно"
"""Parser result for an open-ended policy; turned into value None after the decision."""

DATE_IN_WORD_RE = re.compile(r"\d[.,]\d")
NUMBER_SIGN_RE = re.compile(r"^(№|N[oо°º]?|Nе|Ne|Мо|No)\.?$")


def parse_policy_date(text: str) -> str | None:
    """A date in digits or with the month in words; "23022022" (dots lost) as DDMMYYYY."""
    parsed = parse_date_value(text)
    if parsed is not None:
        return parsed
    digits = re.sub(r"\D", "", text)
    if len(digits) == 8 and re.fullmatch(r"[\d\s.,]+", text.strip()):
        return parse_date_value(f"{digits[:2]}.{digits[2:4]}.{digits[4:]}")
    return None


def _is_no_expiry(text: str) -> bool:
    folded = re.sub(r"[^а-яё]", "", fold(to_cyrillic(text)))
    if not folded:
        return False
    return folded.startswith("бессроч") or fuzz.ratio(folded, NO_EXPIRY) >= 80


def parse_expiry(text: str) -> str | None:
    if _is_no_expiry(text):
        return NO_EXPIRY
    return parse_policy_date(text)


_SEX_FORMS: dict[str, str] = {
    "м": "М", "муж": "М", "мужской": "М", "мужск": "М", "m": "М",
    "ж": "Ж", "жен": "Ж", "женский": "Ж", "женск": "Ж",
}  # fmt: skip


def parse_sex(text: str) -> str | None:
    words = [re.sub(r"[^a-zа-яё]", "", fold(w)) for w in text.split()]
    found = {_sex_of_word(w) for w in words if w} - {None}
    # A stray letter next to the value ("р Мужской") must not outvote it: one answer only.
    return found.pop() if len(found) == 1 else None


def _sex_of_word(word: str) -> str | None:
    if word in _SEX_FORMS:
        return _SEX_FORMS[word]
    key = fold(to_cyrillic(word))
    if key in _SEX_FORMS:
        return _SEX_FORMS[key]
    if len(key) >= 4:
        male = fuzz.ratio(key, "мужской")
        female = fuzz.ratio(key, "женский")
        if max(male, female) >= 70 and abs(male - female) >= 15:
            return "М" if male > female else "Ж"
    return None


def parse_enp(text: str) -> str | None:
    digits = digits_only(text)
    return digits if 13 <= len(digits) <= 19 else None


def digits_parser(lo: int, hi: int) -> Parser:
    def parse(text: str) -> str | None:
        digits = digits_only(text)
        return digits if lo <= len(digits) <= hi else None

    return parse
