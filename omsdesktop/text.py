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

DASHES = "-\u2010\u2011\u2012\u2013\u2014\u2015\u2212\u00ad_"
"""Characters OCR and typists use for the hyphen of a double name."""

APOSTROPHES = "'\u2019\u2018\u02bc\u0060\u00b4"
"""Characters used for the apostrophe of a name ("Д'Артаньян")."""

_DASH_RE = re.compile(rf"\s*[{re.escape(DASHES)}]\s*")
_APOSTROPHE_RE = re.compile(rf"[{re.escape(APOSTROPHES)}]")


def to_cyrillic(text: str) -> str:
    """Replace every Latin look-alike letter with its Cyrillic twin."""
    return text.translate(_LATIN_TO_CYRILLIC_TABLE)


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


__all__ = [
    "APOSTROPHES",
    "DASHES",
    "LATIN_TO_CYRILLIC",
    "collapse_spaces",
    "fold",
    "name_key",
    "same_name",
    "to_cyrillic",
    "unify_separators",
]
