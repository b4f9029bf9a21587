"""Registering a page to a known printed form by the form's own fixed print.

A Goznak form prints the same captions, titles and footnotes at the same places on every copy
(measured on the official specimens; the shared ``forms.md``). Each such word is an *anchor*:
its left edge and vertical centre in millimetres from the sheet's top-left corner. The page
pass finds some of them (fuzzily: OCR misreads small captions), and a scale-and-shift model
``page_px = s * mm + t`` is fitted to the matches by consensus, so a misread anchor, a value
that happens to look like a caption, or the same word in a footnote cannot pull it off. The
readers then look for each value in its zone on the form, relative to the captions, never by
where a generator happened to draw it.

The model is a similarity (scale, a small tilt, shift): a sheet that is not cropped to its edge
(a photo with background, a scan of a whole glass) only shifts it, and a page the straightener
left leaning is measured, so the reader can turn it upright and read it again.
"""

from __future__ import annotations

import cmath
import functools
import itertools
import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import cast

import cv2
import numpy as np
from rapidfuzz import fuzz

from omsdesktop.forms.fields import Parser, Reading, decide, reading_of
from omsdesktop.forms.model import FieldValue
from omsdesktop.forms.reread import REREAD_HEIGHT, read_box
from omsdesktop.ocr.engine import OcrEngine, Word
from omsdesktop.ocr.layout import PageText, union_boxes
from omsdesktop.ocr.types import Box, Image
from omsdesktop.text import fold

# An anchor's predicted place must be within this many millimetres of the word found.
_INLIER_MM = 1.6

# The straightened page may still lean a little (a photo whose outline was not found).
_MAX_TILT = math.radians(12.0)


@dataclass(frozen=True)
class Anchor:
    """A word of the form's fixed print: its text, left/right edge and centre line in mm."""

    text: str
    x0: float
    x1: float
    cy: float


@dataclass(frozen=True)
class Zone:
    """A rectangle on the form in millimetres (x0, y0) - (x1, y1)."""

    x0: float
    y0: float
    x1: float
    y1: float


@dataclass(frozen=True)
class Registration:
    """The fitted model and the words that were recognised as the form's own print.

    The model is a similarity: ``page = a * form + b`` in complex numbers (x + iy), so
    ``|a|`` is the scale in pixels per millimetre and ``arg(a)`` the page's remaining tilt.

    Attributes:
        a, b: the model's coefficients.
        anchors: the anchors found, with the page word matched to each.
    """

    a: complex
    b: complex
    anchors: tuple[tuple[Anchor, Word], ...]

    @property
    def scale(self) -> float:
        return abs(self.a)

    @property
    def angle_deg(self) -> float:
        return math.degrees(cmath.phase(self.a))

    def px(self, x_mm: float, y_mm: float) -> tuple[float, float]:
        w = self.a * complex(x_mm, y_mm) + self.b
        return w.real, w.imag

    def mm(self, x_px: float, y_px: float) -> tuple[float, float]:
        z = (complex(x_px, y_px) - self.b) / self.a
        return z.real, z.imag

    def box(self, zone: Zone, page_shape: tuple[int, ...]) -> Box:
        """The zone in page pixels (the box around it, if the page is tilted), clipped."""
        h, w = page_shape[:2]
        corners = [
            self.px(x, y) for x, y in itertools.product((zone.x0, zone.x1), (zone.y0, zone.y1))
        ]
        xa = max(0, int(min(c[0] for c in corners)))
        ya = max(0, int(min(c[1] for c in corners)))
        xb = min(w, int(max(c[0] for c in corners)))
        yb = min(h, int(max(c[1] for c in corners)))
        return Box(xa, ya, max(0, xb - xa), max(0, yb - ya))

    def found(self, text: str) -> Word | None:
        """The page word matched to the anchor ``text``, if it was found."""
        for anchor, word in self.anchors:
            if anchor.text == text:
                return word
        return None

    @property
    def anchor_words(self) -> frozenset[int]:
        return frozenset(id(word) for _, word in self.anchors)


@dataclass(frozen=True)
class FormSpec:
    """One printed form: its sheet, the words of its fixed print, and how sure a match must be.

    Attributes:
        sheet_mm: the sheet's width and height.
        anchors: the form's own printed words (:class:`Anchor`).
        distinctive: anchor texts no other document prints; ``min_distinctive`` of them must
            be among the anchors found.
        min_anchors: how many anchors must agree.
    """

    sheet_mm: tuple[float, float]
    anchors: tuple[Anchor, ...]
    distinctive: frozenset[str]
    min_anchors: int = 3
    min_distinctive: int = 2

    def register(self, page: PageText) -> Registration | None:
        """The page registered to this form, or None if it is not this form.

        Worked out once per page: classifying, orienting and reading all ask for it.
        """
        key = ("register", self)
        if key in page.memo:
            return cast(Registration | None, page.memo[key])
        found = register(
            page,
            self.anchors,
            sheet_width_mm=self.sheet_mm[0],
            min_anchors=self.min_anchors,
            distinctive=self.distinctive,
            min_distinctive=self.min_distinctive,
        )
        page.memo[key] = found
        return found


def fold_word(text: str) -> str:
    """Lower case, ё as е, letters only: the key a caption word is compared by."""
    return "".join(ch for ch in fold(text) if ch.isalpha())


def word_matches(text: str, anchor_text: str) -> bool:
    """Does an OCR word read as this printed word? Short words must match exactly."""
    return _key_matches(fold_word(text), anchor_text)


def _key_matches(key: str, anchor_text: str) -> bool:
    """:func:`word_matches` on a word already folded by :func:`fold_word`."""
    if not key:
        return False
    if len(anchor_text) <= 4:
        return key == anchor_text
    if abs(len(key) - len(anchor_text)) > max(2, len(anchor_text) // 3):
        return False
    return fuzz.ratio(key, anchor_text) >= 78


def _center(word: Word) -> tuple[float, float]:
    b = word.box
    return b.x, b.y + b.height / 2


def register(
    page: PageText,
    anchors: Sequence[Anchor],
    *,
    sheet_width_mm: float,
    min_anchors: int = 2,
    distinctive: frozenset[str] = frozenset(),
    min_distinctive: int = 0,
    min_lines: int = 3,
) -> Registration | None:
    """Fit the form to the page; None when fewer than ``min_anchors`` anchors agree.

    Every pair of matches proposes a model (scale, tilt and shift); the model most matches
    agree with wins, and is refined by least squares over them. A model whose scale is far
    from what the page's size allows is rejected (the sheet is at most as wide as the page,
    and not tiny on it). Words other documents print too («фамилия», «дата рождения» on a
    birth certificate) can line up by chance, so at least ``min_distinctive`` of the anchors
    found must be ``distinctive`` ones, and they must lie on ``min_lines`` lines of the form
    (three points on two lines fit a similarity too easily).
    """
    candidates: list[tuple[Anchor, Word]] = []
    for word in page.words:
        folded = fold_word(word.text)  # once per word, not once per word and anchor
        if not folded:
            continue
        for anchor in anchors:
            if _key_matches(folded, anchor.text):
                candidates.append((anchor, word))
    if len({a for a, _ in candidates}) < min_anchors:
        return None
    page_w = page.image.shape[1]
    max_scale = 1.15 * page_w / sheet_width_mm
    min_scale = 0.3 * page_w / sheet_width_mm

    # How many candidates each pair's model puts within reach, for all pairs at once: a pair
    # whose model reaches fewer than the best so far has cannot win, and is not weighed one
    # by one (the same answer, a few milliseconds instead of tens on a busy page).
    points = [(_form_point(an), _page_point(w)) for an, w in candidates]
    zs = np.array([z for z, _ in points])
    ws = np.array([p for _, p in points])
    first, second = np.triu_indices(len(candidates), k=1)
    dz = zs[second] - zs[first]
    with np.errstate(divide="ignore", invalid="ignore"):
        slopes = (ws[second] - ws[first]) / dz
        shifts = ws[first] - slopes * zs[first]
        reach = np.abs(slopes[:, None] * zs[None, :] + shifts[:, None] - ws[None, :])
        within = np.count_nonzero(reach <= (_INLIER_MM + 1e-6) * np.abs(slopes)[:, None], axis=1)

    # The pairs that reach most first: once a pair reaches fewer than the best model has
    # inliers, none after it can win. Among equals the earlier pair wins, as in pair order.
    best: tuple[int, float, int, list[tuple[Anchor, Word]]] | None = None
    for k in np.argsort(-within, kind="stable").tolist():
        reached = int(within[k])
        if reached < min_anchors or (best is not None and reached < best[0]):
            break
        (a1, w1), (a2, w2) = candidates[first[k]], candidates[second[k]]
        z1, z2 = _form_point(a1), _form_point(a2)
        if a1 == a2 or abs(z2 - z1) < 4.0:
            continue
        a = (_page_point(w2) - _page_point(w1)) / (z2 - z1)
        if not (min_scale <= abs(a) <= max_scale and abs(cmath.phase(a)) <= _MAX_TILT):
            continue
        b = _page_point(w1) - a * z1
        inliers = _inliers(candidates, a, b, points)
        if len({an for an, _ in inliers}) < min_anchors:
            continue
        err = sum(_residual(an, w, a, b) for an, w in inliers) / len(inliers)
        if best is None or (len(inliers), -err, -k) > (best[0], best[1], -best[2]):
            best = (len(inliers), -err, k, inliers)
    if best is None:
        return None
    a, b = _least_squares(best[3])
    if not (min_scale <= abs(a) <= max_scale and abs(cmath.phase(a)) <= _MAX_TILT):
        return None
    inliers = _inliers(candidates, a, b)
    if len({an for an, _ in inliers}) < min_anchors:
        return None
    if len({an for an, _ in inliers if an.text in distinctive}) < min_distinctive:
        return None
    if _form_lines([an for an, _ in inliers]) < min_lines:
        return None
    return Registration(a=a, b=b, anchors=tuple(inliers))


def _form_lines(anchors: Sequence[Anchor]) -> int:
    """On how many of the form's lines the anchors lie (words of one phrase share a line)."""
    lines: list[float] = []
    for cy in sorted(a.cy for a in anchors):
        if not lines or cy - lines[-1] > 3.0:
            lines.append(cy)
    return len(lines)


def _form_point(anchor: Anchor) -> complex:
    # Centres, not left edges: the centre of a leaning word's box is still the word's centre.
    return complex((anchor.x0 + anchor.x1) / 2, anchor.cy)


def _page_point(word: Word) -> complex:
    b = word.box
    return complex(b.x + b.width / 2, b.y + b.height / 2)


def _residual(anchor: Anchor, word: Word, a: complex, b: complex) -> float:
    """How far (mm) the word is from where the model puts its anchor."""
    return abs(a * _form_point(anchor) + b - _page_point(word)) / abs(a)


def _inliers(
    candidates: Sequence[tuple[Anchor, Word]],
    a: complex,
    b: complex,
    points: Sequence[tuple[complex, complex]] | None = None,
) -> list[tuple[Anchor, Word]]:
    """Matches the model predicts; one word per anchor and one anchor per word (the closest).

    ``points`` are the candidates' form and page points, when the caller has them already.
    """
    if points is None:
        points = [(_form_point(an), _page_point(w)) for an, w in candidates]
    scale = abs(a)
    near = []
    for (an, w), (z, p) in zip(candidates, points, strict=True):
        residual = abs(a * z + b - p) / scale  # _residual, on the points worked out once
        if residual <= _INLIER_MM:
            near.append((residual, an, w))
    near.sort(key=lambda rw: rw[0])
    out: list[tuple[Anchor, Word]] = []
    seen_anchor: set[Anchor] = set()
    seen_word: set[int] = set()
    for _, an, w in near:
        if an in seen_anchor or id(w) in seen_word:
            continue
        seen_anchor.add(an)
        seen_word.add(id(w))
        out.append((an, w))
    return out


def _least_squares(matches: Sequence[tuple[Anchor, Word]]) -> tuple[complex, complex]:
    """The similarity fitted to the matches (complex least squares)."""
    zs = [_form_point(an) for an, _ in matches]
    ws = [_page_point(w) for _, w in matches]
    zm = sum(zs) / len(zs)
    wm = sum(ws) / len(ws)
    num = sum((z - zm).conjugate() * (w - wm) for z, w in zip(zs, ws, strict=True))
    den = sum(abs(z - zm) ** 2 for z in zs)
    a = num / den if den else complex(1.0, 0.0)
    return a, wm - a * zm


def words_in(page: PageText, box: Box, *, exclude: frozenset[int] = frozenset()) -> list[Word]:
    """Page words whose centre lies inside ``box`` (minus the excluded ones), left to right."""
    out = []
    for word in page.words:
        if id(word) in exclude:
            continue
        b = word.box
        cx, cy = b.x + b.width / 2, b.y + b.height / 2
        if box.x <= cx <= box.x + box.width and box.y <= cy <= box.y + box.height:
            out.append(word)
    return sorted(out, key=lambda w: (w.box.x, w.box.y))


# --- reading a zone -------------------------------------------------------------------------------


@dataclass(frozen=True)
class ZoneReader:
    """Reads values from the zones of a registered form.

    Attributes:
        zones: each value's zone on the form (mm).
        value_min_mm: the least height of a page word that can be part of a typed value
            (captions and guilloche specks are smaller).
        letter_mm: the height of a typed capital: ink at least half as tall counts as a value.
        descender_mm: how far re-reads may reach below a zone (where the caption under it is
            one of the anchors, and so painted out).
    """

    engine: OcrEngine
    page: PageText
    reg: Registration
    zones: Mapping[str, Zone]
    value_min_mm: float = 1.7
    letter_mm: float = 3.0
    descender_mm: float = 0.0

    def zone(self, name: str) -> Box:
        return self.reg.box(self.zones[name], self.page.image.shape)

    @functools.cached_property
    def without_print(self) -> Image:
        """The cleaned page with the form's own words found by registration painted white,
        so a value printed low, touching its caption, is re-read without the caption."""
        image = self.page.image.copy()
        for _, word in self.reg.anchors:
            b = word.box
            image[b.y : b.y + b.height, b.x : b.x + b.width] = 255
        return image

    def value_words(self, zone: Box) -> list[Word]:
        """Words in a zone that can be part of a value: not the form's print, not specks."""
        min_h = self.value_min_mm * self.reg.scale
        words = words_in(self.page, zone, exclude=self.reg.anchor_words)
        return [
            w
            for w in words
            if w.box.height >= min_h and not (w.confidence < 0.35 and len(w.text) <= 2)
        ]

    def read(
        self,
        name: str,
        parser: Parser,
        lang: str,
        whitelist: str | None,
        *,
        validate: Callable[[str], bool] | None = None,
        rank: Callable[[str], int] | None = None,
        cap_alternatives: bool = True,
        doubtful: Callable[[str], bool] | None = None,
    ) -> FieldValue:
        """The value in a zone: the page pass's words and re-reads of their box, decided
        (:func:`omsdesktop.forms.fields.decide`; ``rank`` orders disagreeing readings).

        Readings that disagree make the value uncertain (confidence at most 0.6, for
        review); with ``cap_alternatives`` False the caller weighs them itself (a line of
        several values, where one word in dispute leaves the others certain). So does any
        reading whose text is ``doubtful`` (a date written with a one-digit month, where the
        form prints two: a digit may be lost).

        A zone with no word and no letter-sized ink is an empty field (value None, ``raw``
        None); a zone with ink the page pass did not read is re-read as a whole.
        """
        zone = self.zone(name)
        if zone.width == 0 or zone.height == 0:
            return FieldValue(value=None, confidence=0.0, needs_review=True)
        words = self.value_words(zone)
        min_height = 0.5 * self.letter_mm * self.reg.scale
        if words:
            box = union_boxes([w.box for w in words])
            first = reading_of(words, parser)
            # The page pass may drop a word of a long line (a day between printed quotes, a
            # number after a caption): take in the letter-sized ink along the same row.
            row = _clip(
                Box(zone.x, box.y - box.height // 3, zone.width, box.height + 2 * box.height // 3),
                zone,
            )
            ink = ink_box(self.page.image, row, min_height=min_height)
            if ink is not None:
                box = union_boxes([box, ink])
        else:
            ink = ink_box(self.page.image, zone, min_height=min_height)
            if ink is None:
                return FieldValue(value=None, confidence=0.0, box=zone, needs_review=True)
            box = ink
            first = Reading("", None, 0.0, box)
        # Descenders may reach below the zone, into a caption painted out with the form's print.
        low = zone.y + zone.height + int(self.descender_mm * self.reg.scale)
        limits = (zone.x, zone.x + zone.width, zone.y, min(low, self.page.image.shape[0]))
        readings = [first]
        for height in (REREAD_HEIGHT, 22.0, 34.0):
            again = read_box(
                self.engine,
                self.without_print,
                box,
                lang=lang,
                whitelist=whitelist,
                limits=limits,
                height=height,
            )
            second = reading_of(again, parser)
            readings.append(Reading(second.text, second.value, second.confidence, box))
            if _settled(readings, validate):
                break
        result = decide(readings, validate=validate, rank=rank)
        raw = " ".join(r.text for r in readings if r.text) or None
        confidence, review = result.confidence, result.needs_review
        if result.alternatives and cap_alternatives:
            # Readings of the same print that disagree: never certain, whatever the majority.
            confidence, review = min(confidence, 0.6), True
        if doubtful is not None and any(doubtful(r.text) for r in readings if r.text):
            confidence, review = min(confidence, 0.5), True
        return FieldValue(
            value=result.value,
            confidence=confidence,
            box=box,
            raw=result.raw or raw,
            needs_review=review,
            alternatives=result.alternatives,
        )


def _clip(box: Box, zone: Box) -> Box:
    x0, y0 = max(box.x, zone.x), max(box.y, zone.y)
    x1 = min(box.x + box.width, zone.x + zone.width)
    y1 = min(box.y + box.height, zone.y + zone.height)
    return Box(x0, y0, max(0, x1 - x0), max(0, y1 - y0))


def _settled(readings: Sequence[Reading], validate: Callable[[str], bool] | None) -> bool:
    """Two readings agree on a value that passes its check: no need to read again."""
    values = [r.value for r in readings if r.value is not None]
    for value in set(values):
        if values.count(value) >= 2 and (validate is None or validate(value)):
            return True
    return False


def ink_box(
    image: Image,
    zone: Box,
    *,
    min_height: float,
    min_parts: int = 2,
    centred_in: Box | None = None,
) -> Box | None:
    """The box of letter-sized ink in a zone of the cleaned page, or None when it is empty.

    The cleaned page has the guilloche and coloured print faded out; what is left that is
    about as tall as a typed letter (not a speck, not a long rule) is a value. Rules are
    taken out first, so letters standing on an underline count. A value is at least
    ``min_parts`` letter-sized pieces (one for a slot that may hold a single digit). With
    ``centred_in``, only pieces whose middle lies in that box count, whole even where they
    reach past it (a digit shifted half out of its slot by the printer).
    """
    region = image[zone.y : zone.y + zone.height, zone.x : zone.x + zone.width]
    if region.size == 0:
        return None
    grey = cv2.cvtColor(region, cv2.COLOR_BGR2GRAY) if region.ndim == 3 else region
    dark = np.asarray(grey < 110, dtype=np.uint8)
    # A value typed on its underline touches it, and letter and line make one long component:
    # take the line out first, so the letters standing on it count.
    run = max(15, int(4 * min_height))
    if dark.shape[1] > run:
        rule = cv2.morphologyEx(dark, cv2.MORPH_OPEN, np.ones((1, run), np.uint8))
        dark[rule > 0] = 0
    count, _, stats, _ = cv2.connectedComponentsWithStats(dark, connectivity=8)
    boxes = []
    for i in range(1, count):
        x, y, w, h, area = (int(v) for v in stats[i])
        if min_height <= h <= 6 * min_height and w <= 6 * h and area >= 0.15 * w * h:
            piece = Box(zone.x + x, zone.y + y, w, h)
            if centred_in is None or _centred_in(piece, centred_in):
                boxes.append(piece)
    if len(boxes) < max(1, min_parts):
        return None
    return union_boxes(boxes)


def _centred_in(piece: Box, box: Box) -> bool:
    cx = piece.x + piece.width / 2
    return box.x <= cx <= box.x + box.width


__all__ = [
    "Anchor",
    "FormSpec",
    "Registration",
    "Zone",
    "ZoneReader",
    "fold_word",
    "ink_box",
    "register",
    "word_matches",
    "words_in",
]
