"""The insurer named on a policy: the best match in the insurers' list among the page's lines
(and pairs of lines), guarded against matches made of generic words, and confirmed by a second
reading where the match is weak or ambiguous.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache

from rapidfuzz import fuzz

from omsdesktop.forms.fields import REVIEW_THRESHOLD
from omsdesktop.forms.insurers import Insurer, load_insurers, match_insurer
from omsdesktop.forms.locate import line_below
from omsdesktop.forms.model import FieldValue
from omsdesktop.forms.normalize import fold, to_cyrillic
from omsdesktop.forms.policy_card import read_top_band
from omsdesktop.forms.policy_page import LABELS, PolicyContext
from omsdesktop.forms.reread import read_box
from omsdesktop.ocr.engine import PSM_BLOCK, PSM_SPARSE, Word
from omsdesktop.ocr.layout import union_boxes
from omsdesktop.ocr.types import Box

# Below this list-match score an insurer is shown for review even when both readings agree:
# 0.75-0.85 is where unlisted insurers land on a listed one by accident.
_SURE_INSURER_SCORE = 0.85


@lru_cache(maxsize=1)
def _one_row_per_insurer() -> tuple[Insurer, ...]:
    """The list with one row per insurer: every row of one insurer scores the same."""
    seen: set[str] = set()
    rows = []
    for insurer in load_insurers():
        if insurer.short_name in seen:
            continue
        seen.add(insurer.short_name)
        rows.append(insurer)
    return tuple(rows)


def _insurer_match(text: str) -> tuple[Insurer | None, float]:
    """Match text to the list, guarded against matches made of generic words and noise.

    ``match_insurer`` scores windows that mix generic words with others, so noise next to
    "страхования" can come close to a brand that contains that word ("АльфаСтрахование"). The
    distinctive words of the text alone must name the same insurer.
    """
    rows = _one_row_per_insurer()
    insurer, score = match_insurer(text, insurers=rows)
    if insurer is None:
        return None, score
    distinctive = Insurer(None, text, text, None, None).brand
    if not distinctive:
        return None, 0.0
    check, check_score = match_insurer(distinctive, insurers=rows)
    if check is None or check.short_name != insurer.short_name:
        return None, min(score, check_score)
    return insurer, min(score, check_score)


@dataclass(frozen=True)
class _Candidate:
    text: str
    boxes: tuple[Box, ...]
    near_label: bool


def _page_insurer_candidates(ctx: PolicyContext) -> list[_Candidate]:
    """Lines and pairs of adjacent lines that are not the child's names."""
    page = ctx.page
    label_lines = {h.line_index for h in ctx.of("insurer")}
    name_labels = LABELS["last_name"] + LABELS["first_name"] + LABELS["patronymic"]
    # Lines of the names are left out (a surname can look like a brand). Lines another field
    # took are not: a table row prints the insurer beside its OGRN and a date.
    excluded = {h.line_index for h in ctx.hits if h.label in name_labels + LABELS["full_name"]}
    label_words = {(h.line_index, k) for h in ctx.hits for k in range(h.start, h.end)}

    def value_box(k: int) -> Box:
        # The re-read takes the value only: a label in another type size spoils the line read.
        words = [w for n, w in enumerate(page.lines[k].words) if (k, n) not in label_words]
        return union_boxes([w.box for w in words]) if words else page.lines[k].box

    out: list[_Candidate] = []
    for i in range(len(page.lines)):
        if i in excluded:
            continue
        groups = [[i]]
        j = line_below(page, i)
        if j is not None and j not in excluded:
            groups.append([i, j])
        for group in groups:
            out.append(
                _Candidate(
                    text="\n".join(page.lines[k].text for k in group),
                    boxes=tuple(value_box(k) for k in group),
                    near_label=any(k in label_lines or k - 1 in label_lines for k in group),
                )
            )
    return out


@lru_cache(maxsize=1)
def _brand_keys() -> tuple[str, ...]:
    """The distinctive part of every listed name, squashed: for a cheap first look at a line."""
    keys: set[str] = set()
    for insurer in _one_row_per_insurer():
        for name in (insurer.short_name, insurer.full_name):
            brand = Insurer(None, name, name, None, None).brand.replace(" ", "")
            if brand:
                keys.add(brand)
    return tuple(sorted(keys))


def _may_name_insurer(text: str) -> bool:
    """False for lines that cannot match any listed insurer (saves the full fuzzy match)."""
    squashed = re.sub(r"[^а-я0-9]", "", fold(to_cyrillic(text)))
    if len(squashed) < 3:
        return False
    return any(fuzz.partial_ratio(key, squashed) >= 75 for key in _brand_keys())


def _best_insurer(
    candidates: Sequence[_Candidate],
) -> tuple[Insurer | None, float, _Candidate | None]:
    best: tuple[float, Insurer | None, float, _Candidate | None] = (0.0, None, 0.0, None)
    hopeless: set[str] = set()
    for cand in candidates:
        if not re.search(r"[А-ЯЁа-яёA-Za-z]{2}", cand.text):
            continue
        parts = cand.text.split("\n")
        if all(p in hopeless or not _may_name_insurer(p) for p in parts):
            hopeless.update(parts)
            continue
        insurer, score = _insurer_match(" ".join(parts))
        if insurer is None:
            continue
        # A label nearby breaks ties; a single line beats a pair with the same score.
        key = score + (0.01 if cand.near_label else 0.0) - 0.001 * (len(cand.boxes) - 1)
        if key > best[0]:
            best = (key, insurer, score, cand)
    return best[1], best[2], best[3]


def _card_insurer_candidates(
    ctx: PolicyContext, number_box: Box | None, psm: int
) -> list[_Candidate]:
    """A card prints its insurer small, in colour, above the number: read that band again.

    The page pass works on a page cleaned for black print, where small coloured text on a
    tinted card often fades; this reads the darkest channel of the straightened image instead.
    """
    bottom = number_box.y if number_box is not None else ctx.image.shape[0] // 2
    lines: dict[tuple[int, int, int], list[Word]] = {}
    for w in read_top_band(ctx, bottom, psm):
        lines.setdefault(w.line_key, []).append(w)
    ordered = [lines[k] for k in sorted(lines)]
    out: list[_Candidate] = []
    for i, line in enumerate(ordered):
        groups = [[line]] + ([[line, ordered[i + 1]]] if i + 1 < len(ordered) else [])
        for group in groups:
            out.append(
                _Candidate(
                    text="\n".join(" ".join(w.text for w in ln) for ln in group),
                    boxes=(union_boxes([w.box for ln in group for w in ln]),),
                    near_label=False,
                )
            )
    return out


def _runner_up(text: str, best: Insurer) -> float:
    """The score of the best other insurer for the same text (how unique the match is)."""
    others = tuple(i for i in _one_row_per_insurer() if i.short_name != best.short_name)
    _, score = match_insurer(text, insurers=others)
    return score


def read_insurer(ctx: PolicyContext, form: str, number_box: Box | None) -> FieldValue:
    """The insurer: the best list match among lines (and pairs of lines) not used by a field.

    A near-exact match that no other listed insurer comes close to is its own confirmation
    (two misreads landing on one other insurer's name are not a real risk); a weaker or
    ambiguous match is read again from the image and must name the same insurer.
    """
    insurer, score, cand = _best_insurer(_page_insurer_candidates(ctx))
    # Tesseract's layout analysis of a card's top is erratic (the chip, the tinted band):
    # a block read, then a sparse one.
    for psm in (PSM_BLOCK, PSM_SPARSE) if insurer is None and form == "card" else ():
        insurer, score, cand = _best_insurer(_card_insurer_candidates(ctx, number_box, psm))
        if insurer is not None:
            break
    if insurer is None or cand is None:
        return FieldValue(value=None, confidence=0.0, needs_review=True)
    text = cand.text.replace("\n", " ")
    alternatives: tuple[str, ...] = ()
    margin = score - _runner_up(text, insurer)
    if score >= _SURE_INSURER_SCORE and margin >= 0.15:
        confidence = min(1.0, 0.5 + 0.5 * score)
    else:
        # A card prints its insurer small and in colour, which the cleaned page fades; paper
        # forms may have a blue seal over it, which the cleaned page removes.
        source = ctx.image if form == "card" else ctx.page.image
        again: list[str] = []
        for b in cand.boxes:
            words = read_box(ctx.engine, source, b, lang="rus", psm=PSM_BLOCK)
            again.extend(w.text for w in words)
        insurer2, score2 = _insurer_match(" ".join(again))
        if insurer2 is not None and insurer2.short_name == insurer.short_name:
            confidence = min(score, score2) if margin < 0.15 else max(score, score2)
        else:
            confidence = 0.6 * score
            alternatives = (insurer2.short_name,) if insurer2 is not None else ()
    if score < _SURE_INSURER_SCORE:
        confidence = min(confidence, score)
    return FieldValue(
        value=insurer.short_name,
        confidence=confidence,
        box=union_boxes(list(cand.boxes)),
        raw=text,
        needs_review=confidence < REVIEW_THRESHOLD,
        alternatives=alternatives,
    )
