"""The shipped list of OMS insurers (СМО, after FOMS reference F002) and fuzzy matching.

The list lives in ``omsdesktop/resources/insurers.csv`` (lines starting with ``#`` are comments).
:func:`match_insurer` maps OCR text from a policy ("АО «Страховая компания «СОГАЗ-Мед»",
"ООО «Капитал МС»", with OCR noise) to an entry, so the user picks from the list instead of
retyping a name.
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources

from rapidfuzz import fuzz

from omsdesktop.text import digits_to_cyrillic, fold, to_cyrillic

MATCH_THRESHOLD = 0.80
"""Below this score :func:`match_insurer` returns no insurer."""

_COLUMNS = ("smocod", "full_name", "short_name", "ogrn", "region_code")


@dataclass(frozen=True)
class Insurer:
    """One row of the insurers list (one insurer in one region, as in F002).

    Attributes:
        smocod: the F002 code; None when the shipped list does not have it.
        full_name: e.g. "АО «Страховая компания «СОГАЗ-Мед»".
        short_name: e.g. "АО «СОГАЗ-Мед»".
        ogrn: 13-digit OGRN, or None when not known.
        region_code: two-digit subject code ("77" Moscow), or None for an all-Russia row.
    """

    smocod: str | None
    full_name: str
    short_name: str
    ogrn: str | None
    region_code: str | None

    @property
    def brand(self) -> str:
        """The distinctive part of the name used for matching ("согаз мед", "капитал мс")."""
        return _brand(self.short_name)


@lru_cache(maxsize=1)
def load_insurers() -> tuple[Insurer, ...]:
    """Read the shipped insurers list (cached; the file is part of the package)."""
    text = (resources.files("omsdesktop") / "resources" / "insurers.csv").read_text("utf-8")
    lines = [line for line in text.splitlines() if line.strip() and not line.startswith("#")]
    reader = csv.DictReader(io.StringIO("\n".join(lines)))
    if tuple(reader.fieldnames or ()) != _COLUMNS:
        raise ValueError("insurers.csv has unexpected columns")
    out = []
    for row in reader:
        out.append(
            Insurer(
                smocod=row["smocod"].strip() or None,
                full_name=row["full_name"].strip(),
                short_name=row["short_name"].strip(),
                ogrn=row["ogrn"].strip() or None,
                region_code=row["region_code"].strip() or None,
            )
        )
    return tuple(out)


# --- matching -------------------------------------------------------------------------------

_LEGAL_FORMS = frozenset({"ооо", "оао", "зао", "пао", "нао", "ао", "гуп", "фгуп"})
_GENERIC_WORDS = frozenset(
    {
        "страховая", "медицинская", "компания", "организация", "группа", "акционерное",
        "общество", "с", "ограниченной", "ответственностью", "смк", "ск", "смо", "сг", "мск",
        "филиал", "в", "г", "медицинское", "страхование", "медицинского", "страхования",
        "обязательного", "полис", "омс",
    }
)  # fmt: skip


def _key(text: str) -> str:
    """Comparison form: Cyrillic, lower case, ё = е, no quotes or punctuation."""
    words = []
    for word in re.split(r"[\W_]+", fold(to_cyrillic(text))):
        if not word:
            continue
        if re.search(r"[а-я]", word):  # OCR digits inside words: "СОГА3" → "согаз"
            word = digits_to_cyrillic(word, lower=True)
        words.append(word)
    return " ".join(words)


def _brand(name: str) -> str:
    words = [w for w in _key(name).split() if w not in _LEGAL_FORMS and w not in _GENERIC_WORDS]
    return " ".join(words)


def _squash(text: str) -> str:
    return text.replace(" ", "")


def _windows(words: list[str], size: int) -> list[str]:
    return ["".join(words[i : i + size]) for i in range(len(words) - size + 1)]


def _score(text: str, insurer: Insurer) -> float:
    """Best match of the insurer's distinctive name against word windows of ``text``.

    Windows of about the brand's length find the name inside a longer line ("Страховая
    медицинская организация: ... филиал"); spaces are ignored so that split or merged words
    ("Альфа Страхование", "СОГАЗМед") match. Windows are taken from the text without generic
    words and from the full text, but a window made only of generic words never counts.
    """
    all_words = [w for w in _key(text).split() if w not in _LEGAL_FORMS]
    distinctive = [w for w in all_words if w not in _GENERIC_WORDS]
    best = 0.0
    for brand in {insurer.brand, _brand(insurer.full_name)}:
        if not brand:
            continue
        target = brand.replace(" ", "")
        n = len(brand.split())
        for size in range(max(1, n - 1), n + 2):
            candidates = _windows(distinctive, size)
            for i in range(len(all_words) - size + 1):
                window = all_words[i : i + size]
                if any(w not in _GENERIC_WORDS for w in window):
                    candidates.append("".join(window))
            for candidate in candidates:
                best = max(best, fuzz.ratio(candidate, target))
    return best / 100.0


def match_insurer(
    text: str,
    *,
    region_code: str | None = None,
    insurers: tuple[Insurer, ...] | None = None,
) -> tuple[Insurer | None, float]:
    """Find the insurer named in ``text`` (OCR output or typed).

    Args:
        text: the insurer's name as read, with any quotes, legal form and OCR noise.
        region_code: two-digit region (e.g. the ENP's first two digits); among the rows of the
            best-matching insurer the one of this region is returned.
        insurers: the list to search (default: :func:`load_insurers`).

    Returns:
        (insurer, score 0..1); (None, best score) when nothing scores
        :data:`MATCH_THRESHOLD` or more.
    """
    rows = load_insurers() if insurers is None else insurers
    text_brand = _brand(text)
    if not text_brand or not rows:
        # Only generic words ("Страховая медицинская организация"): no insurer is named.
        return None, 0.0
    best: Insurer | None = None
    best_score = 0.0
    for insurer in rows:
        score = _score(text, insurer)
        if score > best_score:
            best, best_score = insurer, score
    if best is None or best_score < MATCH_THRESHOLD:
        return None, best_score
    if region_code is not None:
        for insurer in rows:
            if insurer.brand == best.brand and insurer.region_code == region_code:
                return insurer, best_score
    return best, best_score


__all__ = ["MATCH_THRESHOLD", "Insurer", "load_insurers", "match_insurer"]
