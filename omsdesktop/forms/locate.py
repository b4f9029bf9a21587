"""Finding printed labels on a page and the value that belongs to each.

Documents put a value to the right of its label (tables, newer certificates), below it (plastic
cards: a row of labels over a row of values), or above a small caption (older certificates:
the value centred on a line, "фамилия" printed small underneath). These helpers find a label by
fuzzy match of consecutive words and return the words of its value for each of those places.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from rapidfuzz import fuzz

from omsdesktop.ocr.engine import Word
from omsdesktop.ocr.layout import Line, PageText, union_boxes
from omsdesktop.ocr.types import Box

_PUNCT_RE = re.compile(r"[^\w№]+", re.UNICODE)


def fold_word(text: str) -> str:
    """Lower case, ё→е, punctuation dropped: the form labels are compared in."""
    return _PUNCT_RE.sub("", text.lower().replace("ё", "е"))


@dataclass(frozen=True)
class LabelHit:
    line_index: int
    start: int  # index of the first label word in the line
    end: int  # index after the last label word
    score: float  # 0..100
    label: str

    def box(self, page: PageText) -> Box:
        words = page.lines[self.line_index].words[self.start : self.end]
        return union_boxes([w.box for w in words])


def find_labels(
    page: PageText,
    variants: Sequence[str],
    *,
    min_score: float = 86.0,
    lines: Sequence[int] | None = None,
) -> list[LabelHit]:
    """Every place where one of ``variants`` (one or more words) is printed, best first.

    A label matches a run of consecutive words whose folded text is close to the folded
    variant; a prefix match also counts where OCR glued the label to its value
    ("Фамилия:Иванова" or "ФамилияИванова").
    """
    hits: list[LabelHit] = []
    indices = range(len(page.lines)) if lines is None else lines
    for li in indices:
        words = page.lines[li].words
        folded = [fold_word(w.text) for w in words]
        for variant in variants:
            target_words = [fold_word(v) for v in variant.split()]
            n = len(target_words)
            target = "".join(target_words)
            for start in range(len(words)):
                for m in (n - 1, n, n + 1):
                    if m < 1 or start + m > len(words):
                        continue
                    candidate = "".join(folded[start : start + m])
                    if not candidate:
                        continue
                    score = fuzz.ratio(candidate, target)
                    if (
                        score < min_score
                        and m >= 2
                        and len(candidate) >= max(5, 0.6 * len(target))
                        and target.startswith(candidate)
                        and _unique_prefix(candidate, variants)
                    ):
                        # A label partly hidden by a stamp or cut by OCR: "Дата вы[дачи]".
                        score = min_score + 1
                    if len(target) <= 4:
                        # Short labels ("Имя", "Пол") must match exactly (after folding).
                        score = 100.0 if candidate == target else 0.0
                    if score >= min_score:
                        hits.append(LabelHit(li, start, start + m, score, variant))
    # Keep the best hit per line and variant start.
    # Longer labels first where scores tie: "имя, отчество" beats "имя" at the same place.
    hits.sort(key=lambda h: (-h.score, -(h.end - h.start), h.line_index, h.start))
    seen: set[tuple[int, int]] = set()
    unique: list[LabelHit] = []
    for h in hits:
        key = (h.line_index, h.start)
        if key in seen:
            continue
        seen.add(key)
        unique.append(h)
    # Callers take the first hit of a label as the document's own (the child's name comes before
    # the parents'), so return them in reading order.
    unique.sort(key=lambda h: (h.line_index, h.start))
    return unique


def _unique_prefix(candidate: str, variants: Sequence[str]) -> bool:
    owners = {v for v in variants if "".join(fold_word(x) for x in v.split()).startswith(candidate)}
    return len(owners) == 1


def words_right_of(
    page: PageText, hit: LabelHit, stop_labels: Sequence[LabelHit] = ()
) -> list[Word]:
    """The words after the label on its line, up to the next label on that line."""
    line = page.lines[hit.line_index]
    end = len(line.words)
    for other in stop_labels:
        if other.line_index == hit.line_index and other.start >= hit.end:
            end = min(end, other.start)
    return list(line.words[hit.end : end])


def line_below(page: PageText, index: int, *, max_gap: float = 2.5) -> int | None:
    """The next line under ``index`` if it is close (gap in units of the line's height)."""
    if index + 1 >= len(page.lines):
        return None
    here = page.lines[index]
    for j in range(index + 1, len(page.lines)):
        nxt = page.lines[j]
        gap = nxt.box.y - (here.box.y + here.box.height)
        if nxt.box.y <= here.box.y + here.box.height * 0.5:
            continue  # same visual row (a split line)
        if gap <= max_gap * max(here.height, 1):
            return j
        return None
    return None


def line_above(page: PageText, index: int, *, max_gap: float = 2.5) -> int | None:
    here = page.lines[index]
    for j in range(index - 1, -1, -1):
        prev = page.lines[j]
        if prev.box.y + prev.box.height * 0.5 >= here.box.y:
            continue
        gap = here.box.y - (prev.box.y + prev.box.height)
        if gap <= max_gap * max(prev.height, here.height, 1):
            return j
        return None
    return None


def words_in_column(line: Line, x0: float, x1: float) -> list[Word]:
    """Words of ``line`` whose centre lies between x0 and x1."""
    return [w for w in line.words if x0 <= w.box.x + w.box.width / 2 <= x1]


def words_below(page: PageText, hit: LabelHit, row_labels: Sequence[LabelHit] = ()) -> list[Word]:
    """Values printed under a row of labels: the words below this label's column."""
    below = line_below(page, hit.line_index)
    if below is None:
        return []
    box = hit.box(page)
    x0 = box.x - box.height
    # The column ends where the next label on the same row starts.
    starts = sorted(
        h.box(page).x
        for h in row_labels
        if h.line_index == hit.line_index and h.box(page).x > box.x + box.width / 2
    )
    x1 = (starts[0] - box.height * 0.5) if starts else float("inf")
    return [w for w in page.lines[below].words if x0 <= w.box.x <= x1]


def overlaps_x(a: Box, b: Box) -> float:
    """Share of the narrower box's width that the two boxes share horizontally."""
    lo = max(a.x, b.x)
    hi = min(a.x + a.width, b.x + b.width)
    return max(0.0, hi - lo) / max(1, min(a.width, b.width))


def box_right_of(page: PageText, hit: LabelHit) -> Box:
    """The band to the right of a label, to the right edge of the page's text.

    Used when the page pass lost a value (a seal over it, an underline through it): the band is
    re-read on its own.
    """
    label = hit.box(page)
    right = max((ln.box.x + ln.box.width for ln in page.lines), default=label.x + label.width)
    x0 = label.x + label.width + max(2, label.height // 4)
    pad = label.height // 2
    return Box(x0, max(0, label.y - pad), max(1, right - x0), label.height + 2 * pad)
