"""Several documents in one image: find each one on a scan of the glass or a photo, cut it out.

Parents photograph the certificate and the policy side by side on a table; operators put a card
and a certificate on the flatbed glass together (issue #15). :func:`find_documents` returns one
:class:`Region` per document; fewer than two means "one document": the caller then reads the
whole page exactly as before, so a file with one document is never cut.

How (on a copy of about a megapixel):

1. **Background** is what the frame's border shows (the scanner lid, the table); every pixel
   that differs from it in colour, plus thin dark lines (the shadow a sheet's edge casts on the
   glass, text), is "something".
2. **Sheets** are the solid regions of that mask once it is closed and its holes filled: a
   tinted policy, a card, a sheet whose edge line closes round it. Their outlines come from
   :func:`omsdesktop.ocr.straighten.outline_candidates`. A region that is not a rectangle is
   two sheets whose edges overlap: it is cut between the two deepest notches of its outline.
3. **White sheets on a white lid** show only their print: what is left is grouped into blocks
   with a wider closing (wider than a line gap, narrower than the margins of two sheets).
4. **Documents** are the regions of a document's size and shape (long/short side 1.15-2.1:
   A4/A5 sheets 1.41, the temporary certificate 1.45, the card 1.59) that carry text; a region
   inside another is dropped.
5. **Two documents in one region** (fewer than two found): white sheets on a white lid whose
   print blocks merged, sheets lying close or overlapping. The largest regions are cut along
   the widest gutter without print (a few degrees either way) that runs right across them, and
   the cut is kept only when the print on each side is a document of its own (size, shape,
   text). A gutter must be wider than a paragraph gap: two sheets' margins plus the gap between
   them are.

The region handed on is the document's axis-aligned box plus a margin, with everything outside
the document's (slightly grown) outline painted in the background colour, so the next document
does not leak into it; the straightener then finds the sheet and its orientation in the crop as
in any other file (one of two documents upside down is turned by it, per document).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import cv2
import numpy as np

from omsdesktop.errors import CancelledError
from omsdesktop.ocr.geometry import FloatArray, resize, scale_for, to_bgr, to_gray
from omsdesktop.ocr.straighten import Outline, outline_candidates
from omsdesktop.ocr.types import Image

CancelledFn = Callable[[], bool]

SPLIT_MAX_SIDE = 1000
"""Longest side of the copy the documents are looked for on."""

MIN_DOCUMENT_SHARE = 0.012
"""Smallest document, as a share of the frame: a bank card beside two A4 sheets is ~2 %."""

ASPECT_RANGE = (1.12, 2.1)
"""Long side over short side of a document (A-series 1.41, card 1.59, temporary 1.45); a
content block inside a sheet with wide margins stretches it a little either way."""

PRINT_ASPECT_RANGE = (0.95, 2.1)
"""The same for a block of print alone (a white sheet on a white lid): squarer than its sheet,
as margins, a seal or a short last line change its shape (a certificate's print measured 1.06)."""

CROP_MARGIN = 0.04
"""Margin kept round a document's box when it is cut out, as a share of its longer side."""


@dataclass(frozen=True)
class Region:
    """One document in a page.

    Attributes:
        box: x, y, width, height of the document's axis-aligned box in the page's pixels.
        quad: 4x2 corners (tl, tr, br, bl) of its outline in the page's pixels (as found:
            not yet turned upright).
        background: BGR colour of what lies round it (painted over the neighbours).
    """

    box: tuple[int, int, int, int]
    quad: FloatArray
    background: tuple[int, int, int]

    def to_json(self) -> list[int]:
        return list(self.box)


def _check(cancelled: CancelledFn | None) -> None:
    if cancelled is not None and cancelled():
        raise CancelledError()


def _border(arr: np.ndarray, band: int) -> np.ndarray:
    parts = [arr[:band], arr[-band:], arr[:, :band], arr[:, -band:]]
    return np.concatenate([p.reshape(-1, *arr.shape[2:]) for p in parts])


def _kernel(size: int) -> np.ndarray:
    size = max(3, size) | 1
    return np.asarray(cv2.getStructuringElement(cv2.MORPH_RECT, (size, size)), np.uint8)


def _fill(mask: np.ndarray) -> np.ndarray:
    contours, _ = cv2.findContours(mask, cv2.RETR_EXTERNAL, cv2.CHAIN_APPROX_SIMPLE)
    out = np.zeros_like(mask)
    if contours:
        cv2.drawContours(out, contours, -1, 255, thickness=cv2.FILLED)
    return out


def _aspect(outline: Outline) -> float:
    rect = cv2.minAreaRect(outline.contour.reshape(-1, 1, 2).astype(np.int32))
    w, h = rect[1]
    return max(w, h) / max(1.0, min(w, h))


def _upright(points: np.ndarray) -> tuple[np.ndarray, int, int] | None:
    """The affine map that turns the points' minimum-area rectangle upright at the origin,
    and the rectangle's width and height; None for a rectangle under 20 px a side."""
    (cx, cy), (rw, rh), angle = cv2.minAreaRect(points)
    rw, rh = round(float(rw)), round(float(rh))
    if rw < 20 or rh < 20:
        return None
    m = cv2.getRotationMatrix2D((cx, cy), angle, 1.0)
    m[0, 2] += rw / 2 - cx
    m[1, 2] += rh / 2 - cy
    return m, rw, rh


def _split_overlap(outline: Outline, shape: tuple[int, int]) -> list[np.ndarray]:
    """Cut a region that is two overlapping sheets between its two deepest notches."""
    contour = outline.contour.reshape(-1, 1, 2).astype(np.int32)
    try:
        hull = cv2.convexHull(contour, returnPoints=False)
        defects = cv2.convexityDefects(contour, hull)
    except cv2.error:
        return []
    if defects is None or len(defects) < 2:
        return []
    defects = defects.reshape(-1, 4)
    side = float(np.sqrt(outline.area))
    deep = defects[defects[:, 3] / 256.0 > 0.04 * side]
    if len(deep) < 2:
        return []
    deep = deep[np.argsort(-deep[:, 3])][:2]
    a = contour[int(deep[0, 2]), 0]
    b = contour[int(deep[1, 2]), 0]
    region = np.zeros(shape, np.uint8)
    cv2.drawContours(region, [contour], -1, 255, thickness=cv2.FILLED)
    cv2.line(region, (int(a[0]), int(a[1])), (int(b[0]), int(b[1])), 0, thickness=3)
    count, labels = cv2.connectedComponents(region, connectivity=4)
    parts = [np.where(labels == i, 255, 0).astype(np.uint8) for i in range(1, count)]
    return [p for p in parts if np.count_nonzero(p) > 0.1 * outline.area]


EDGE_RUN = 0.8
"""Share of a region's height (or width) a straight edge must run through it to be where one
sheet ends over another."""


def _split_at_edge(
    lab: np.ndarray, region: np.ndarray, outline: Outline, frame: float
) -> list[np.ndarray]:
    """Two sheets lying edge over edge make one region of two sheets' shape: cut it along
    the straight edge that runs (almost) all through it, if both sides are document-shaped."""
    if outline.area < 2 * MIN_DOCUMENT_SHARE * frame:
        return []
    upright = _upright(outline.contour.reshape(-1, 1, 2))
    if upright is None:
        return []
    m, rw, rh = upright
    inside = cv2.warpAffine(region, m, (rw, rh), flags=cv2.INTER_NEAREST)
    flat = cv2.warpAffine(lab, m, (rw, rh), flags=cv2.INTER_LINEAR, borderMode=cv2.BORDER_REPLICATE)
    edges: list[tuple[float, int, float, float]] = []  # (run, axis, position, slope)
    if not np.any(inside):
        return []
    for axis in (0, 1):  # 0: a vertical edge (cut across x), 1: a horizontal one
        strong = np.zeros(flat.shape[:2], bool)
        for channel in cv2.split(flat):
            g = np.abs(cv2.Sobel(channel, cv2.CV_32F, 1 - axis, axis, ksize=5))
            # Per channel: a tint change (blue policy paper beside white paper) is weak in
            # lightness but plain in colour.
            strong |= g > max(60.0, float(np.percentile(g[inside > 0], 90)))
        ys, xs = np.nonzero(strong & (inside > 0))
        along, across = (ys, xs) if axis == 0 else (xs, ys)
        length = rh if axis == 0 else rw
        size = rw if axis == 0 else rh
        lo, hi = 0.2 * size, 0.8 * size
        for slope in np.tan(np.radians(np.arange(-8.0, 8.5, 1.0))):
            pos = across - slope * (along - length / 2)
            # Rows (columns) the edge passes, each counted once, in 3-pixel bins.
            bins = np.clip(pos / 3.0, 0, size / 3.0).astype(np.int64)
            keys = np.unique(along.astype(np.int64) * (size + 3) + bins)
            hist = np.bincount(keys % (size + 3), minlength=size // 3 + 2)
            runs = hist / length
            for at in np.nonzero(runs >= EDGE_RUN)[0]:
                if lo <= 3 * at + 1.5 <= hi:
                    edges.append((float(runs[at]), axis, 3.0 * at + 1.5, float(slope)))
    edges.sort(reverse=True)
    for _, axis, pos, slope in edges[:12]:
        if not _paper_step(flat, inside, axis, pos, slope):
            continue
        parts = _cut_along(region, inside, m, axis, pos, slope, frame)
        if parts:
            return parts
    return []


PAPER_STEP = 6.0
"""Colour difference (Lab) of the paper on the two sides of a sheet's edge: a form's rule has
the same paper on both sides, one sheet lying over another rarely has."""


def _paper_step(flat: np.ndarray, inside: np.ndarray, axis: int, pos: float, slope: float) -> bool:
    """Whether the paper on one side of the line differs from the paper on the other."""
    rh, rw = inside.shape[:2]
    yy, xx = np.mgrid[0:rh, 0:rw]
    along_grid, across_grid = (yy, xx) if axis == 0 else (xx, yy)
    length = rh if axis == 0 else rw
    offset = across_grid - slope * (along_grid - length / 2) - pos
    sides = []
    for sign in (-1, 1):
        band = (sign * offset > 4) & (sign * offset < 20) & (inside > 0)
        if np.count_nonzero(band) < 50:
            return False
        # The paper is the bright majority: a high percentile ignores print (bold print just
        # above a rule can fill a quarter of the band: the 75th percentile took it for paper).
        sides.append(np.percentile(flat[band].astype(np.float32), 90, axis=0))
    return float(np.linalg.norm(sides[0] - sides[1])) >= PAPER_STEP


def _cut_along(
    region: np.ndarray,
    inside: np.ndarray,
    m: np.ndarray,
    axis: int,
    pos: float,
    slope: float,
    frame: float,
) -> list[np.ndarray]:
    rh, rw = inside.shape[:2]
    inverse = cv2.invertAffineTransform(m)
    parts = []
    yy, xx = np.mgrid[0:rh, 0:rw]
    along_grid, across_grid = (yy, xx) if axis == 0 else (xx, yy)
    length = rh if axis == 0 else rw
    offset = across_grid - slope * (along_grid - length / 2) - pos
    for side in (0, 1):
        keep = offset < -1.5 if side == 0 else offset > 1.5
        half = np.where(keep, 255, 0).astype(np.uint8)
        back = cv2.warpAffine(half, inverse, region.shape[::-1], flags=cv2.INTER_NEAREST)
        part = np.asarray(cv2.bitwise_and(back, region), np.uint8)
        pieces = outline_candidates(part)
        if not pieces or not _is_document(pieces[0], frame):
            return []
        parts.append(part)
    return parts


def _has_text(ink: np.ndarray, mask: np.ndarray) -> bool:
    """A document carries print: enough small ink specks inside its region."""
    return _specks(cv2.bitwise_and(ink, mask)) >= 12


def _specks(ink: np.ndarray) -> int:
    """How many separate pieces of ink there are."""
    if ink.size == 0:
        return 0
    return int(cv2.connectedComponents(np.ascontiguousarray(ink), connectivity=8)[0]) - 1


RING_SHARE = 0.02
"""Width of the ring looked at round a part, as a share of the image's long side."""


def _framed_in_print(ink: np.ndarray, region: np.ndarray, side: int) -> bool:
    """Whether a part of a print outline is a table on one page rather than a sheet: print
    lies right outside it on two opposite sides (a policy's title above its table and the
    signature line below), where a sheet lying over another has the other sheet on one side
    only and background on the rest."""
    x, y, w, h = cv2.boundingRect(cv2.findNonZero(region))
    ring = max(3, round(RING_SHARE * side))
    ih, iw = ink.shape[:2]
    above = _specks(ink[max(0, y - ring) : y, x : x + w]) >= 3
    below = _specks(ink[y + h : min(ih, y + h + ring), x : x + w]) >= 3
    left = _specks(ink[y : y + h, max(0, x - ring) : x]) >= 3
    right = _specks(ink[y : y + h, x + w : min(iw, x + w + ring)]) >= 3
    return (above and below) or (left and right)


def _is_document(
    outline: Outline, frame: float, aspect: tuple[float, float] = ASPECT_RANGE
) -> bool:
    if outline.area < MIN_DOCUMENT_SHARE * frame:
        return False
    low, high = aspect
    return low <= _aspect(outline) <= high


def find_documents(image: Image, *, cancelled: CancelledFn | None = None) -> list[Region]:
    """Every document lying in ``image`` (a page of a file), largest first.

    Returns an empty list or a single region when the image holds one document (or none):
    then nothing should be cut. Never raises on odd images (a blank page, noise).
    """
    bgr = to_bgr(image)
    full_h, full_w = bgr.shape[:2]
    s = scale_for(bgr.shape, max_side=SPLIT_MAX_SIDE)
    small = resize(bgr, s)
    h, w = small.shape[:2]
    frame = float(h * w)
    _check(cancelled)

    band = max(3, round(0.012 * max(h, w)))
    blurred = cv2.GaussianBlur(small, (0, 0), 1.2)
    lab_u8 = np.asarray(cv2.cvtColor(blurred, cv2.COLOR_BGR2LAB), np.uint8)
    lab = lab_u8.astype(np.float32)
    border = _border(lab, band)
    centre = np.median(border, axis=0)
    border_dist = np.linalg.norm(border - centre, axis=1)
    level = float(np.median(border_dist))
    spread = float(np.median(np.abs(border_dist - level)))
    dist = np.linalg.norm(lab - centre, axis=2)
    threshold = max(7.0, level + 6.0 * spread + 3.0, float(np.percentile(border_dist, 97)) + 2.0)
    differs = (dist > threshold).astype(np.uint8) * 255
    gray = to_gray(small)
    # Thin dark lines: print, and the grey line a sheet's edge leaves on a scan of the glass.
    blackhat = cv2.morphologyEx(gray, cv2.MORPH_BLACKHAT, _kernel(7))
    ink = (blackhat > 18).astype(np.uint8) * 255
    mask = cv2.bitwise_or(differs, ink)
    if np.count_nonzero(mask) < 0.01 * frame:
        return []
    _check(cancelled)

    k1 = round(0.012 * max(h, w))
    solid = _fill(cv2.morphologyEx(mask, cv2.MORPH_CLOSE, _kernel(k1)))
    solid = np.asarray(cv2.morphologyEx(solid, cv2.MORPH_OPEN, _kernel(k1)), np.uint8)
    found: list[np.ndarray] = []  # masks of the documents, small-copy pixels
    for outline in outline_candidates(solid, min_share=0.005):
        region = np.zeros((h, w), np.uint8)
        cv2.drawContours(region, [outline.contour.reshape(-1, 1, 2)], -1, 255, cv2.FILLED)
        halves = _split_at_edge(lab_u8, region, outline, frame)
        if halves:
            found.extend(p for p in halves if _has_text(ink, p))
            continue
        if outline.rectangularity >= 0.88:
            if _is_document(outline, frame) and _has_text(ink, region):
                found.append(region)
            continue
        if outline.solidity >= 0.5:
            # A light sheet (a card's pale body) shows its print and parts of its edge: the
            # hull of what shows is the sheet.
            hull = np.zeros((h, w), np.uint8)
            cv2.fillConvexPoly(hull, cv2.convexHull(outline.contour), 255)
            (whole,) = outline_candidates(hull)[:1] or (None,)
            if whole is not None and whole.rectangularity >= 0.9 and _is_document(whole, frame):
                if _has_text(ink, hull):
                    found.append(hull)
                continue
        if outline.area < 2 * MIN_DOCUMENT_SHARE * frame:
            continue
        for part in _split_overlap(outline, (h, w)):
            (piece,) = outline_candidates(part)[:1] or (None,)
            if piece is None or piece.rectangularity < 0.8:
                continue
            if (
                _is_document(piece, frame)
                and _has_text(ink, part)
                and not _framed_in_print(ink, part, max(h, w))
            ):
                found.append(part)
    _check(cancelled)

    # White sheets on a white lid: only their print shows. Group what is left into blocks.
    taken = np.zeros((h, w), np.uint8)
    for region in found:
        taken = np.asarray(cv2.bitwise_or(taken, region), np.uint8)
    taken = np.asarray(cv2.dilate(taken, _kernel(2 * k1)), np.uint8)
    rest = cv2.bitwise_and(mask, cv2.bitwise_not(taken))
    k2 = round(0.06 * max(h, w))
    blocks = _fill(cv2.morphologyEx(rest, cv2.MORPH_CLOSE, _kernel(k2)))
    blocks = np.asarray(cv2.morphologyEx(blocks, cv2.MORPH_OPEN, _kernel(k1)), np.uint8)
    for outline in outline_candidates(blocks, min_share=MIN_DOCUMENT_SHARE):
        region = np.zeros((h, w), np.uint8)
        cv2.drawContours(region, [outline.contour.reshape(-1, 1, 2)], -1, 255, cv2.FILLED)
        if (
            outline.solidity >= 0.6
            and _is_document(outline, frame, PRINT_ASPECT_RANGE)
            and _has_text(ink, region)
        ):
            found.append(region)

    found = _drop_nested(found)
    if len(found) < 2:
        # Two sheets whose print (or paper) merged into one region: a glass scan of white
        # sheets on a white lid, sheets lying close or overlapping. Look for the gutter of
        # blank paper (or table) between their print.
        _check(cancelled)
        candidates = [r for r in found if not _one_whole_sheet(r)] + [
            _region_of(o, (h, w))
            for o in outline_candidates(blocks, min_share=2 * MIN_DOCUMENT_SHARE)
        ]
        for region in sorted(candidates, key=lambda m: -int(np.count_nonzero(m)))[:3]:
            halves = _split_at_gutter(ink, region, frame, k2)
            if halves:
                found = halves
                break
    if len(found) < 2:
        return []
    background = tuple(
        int(v) for v in np.median(_border(small.reshape(h, w, 3), band), axis=0).round()
    )
    regions = []
    for region in found:
        pts = cv2.findNonZero(region)
        quad = cv2.boxPoints(cv2.minAreaRect(pts)).astype(np.float64) / s
        x, y, bw, bh = cv2.boundingRect(pts)
        x0, y0 = max(0, int(x / s)), max(0, int(y / s))
        x1, y1 = min(full_w, int(np.ceil((x + bw) / s))), min(full_h, int(np.ceil((y + bh) / s)))
        regions.append(
            Region(
                box=(x0, y0, x1 - x0, y1 - y0),
                quad=quad,
                background=(background[0], background[1], background[2]),
            )
        )
    regions.sort(key=lambda r: (r.box[0] + r.box[2] / 2, r.box[1]))
    return regions


WHOLE_SHEET_RECTANGULARITY = 0.95
"""A sheet of paper seen whole, its outline this close to a rectangle, is one document: two
sheets side by side make a notch or a step in their paper's outline (their union measured
0.91 at most in the two-document corpus; a policy with a wide blank band across it, 0.96)."""


def _one_whole_sheet(region: np.ndarray) -> bool:
    pieces = outline_candidates(region)
    return bool(pieces) and pieces[0].rectangularity >= WHOLE_SHEET_RECTANGULARITY


def _region_of(outline: Outline, shape: tuple[int, int]) -> np.ndarray:
    region = np.zeros(shape, np.uint8)
    cv2.drawContours(region, [outline.contour.reshape(-1, 1, 2)], -1, 255, cv2.FILLED)
    return region


GUTTER_SHARE = 0.025
"""Narrowest gutter between two documents' print, as a share of the region's side across it:
the sheets' margins plus the gap between them, less any overlap. A paragraph gap inside one
document can come close; a cut there must still leave a document-shaped block of print with
text on each side, and the pipeline keeps a cut only when it reads as two documents."""

GUTTER_SLOPES_DEG = np.arange(-6.0, 6.5, 1.0)
"""Tilts of the gutter tried: the two sheets lie a few degrees off each other."""


def _split_at_gutter(
    ink: np.ndarray, region: np.ndarray, frame: float, close: int
) -> list[np.ndarray]:
    """Cut a region holding two documents' print along the widest blank gutter across it.

    The cut is kept only when the print on each side of the gutter is a document of its own
    (size, shape, text); each side's region is its print block, closed as in the block pass.
    """
    if np.count_nonzero(region) < 2 * MIN_DOCUMENT_SHARE * frame:
        return []
    upright = _upright(cv2.findNonZero(region))
    if upright is None:
        return []
    m, rw, rh = upright
    inside = cv2.warpAffine(cv2.bitwise_and(ink, region), m, (rw, rh), flags=cv2.INTER_NEAREST)
    if np.count_nonzero(inside) < 50:
        return []
    gutters: list[tuple[float, int, float, float]] = []  # (width share, axis, centre, slope)
    for axis in (0, 1):  # 0: a vertical gutter (documents left and right), 1: horizontal
        length = rh if axis == 0 else rw
        size = rw if axis == 0 else rh
        ys, xs = np.nonzero(_without_edges(inside, axis, length))
        along, across = (ys, xs) if axis == 0 else (xs, ys)
        for slope in np.tan(np.radians(GUTTER_SLOPES_DEG)):
            pos = np.round(across - slope * (along - length / 2)).astype(np.int64)
            pos = pos[(pos >= 0) & (pos < size)]
            hist = np.bincount(pos, minlength=size)
            # A few specks (dust, a stray stroke of a signature) do not close a gutter.
            empty = hist <= max(1, round(0.004 * length))
            for start, run in _runs(empty):
                if not 0.2 * size <= start + run / 2 <= 0.8 * size:
                    continue
                if run >= GUTTER_SHARE * size:
                    gutters.append((run / size, axis, start + run / 2, float(slope)))
    gutters.sort(reverse=True)
    inverse = cv2.invertAffineTransform(m)
    tried: list[tuple[int, float]] = []
    for _, axis, centre, slope in gutters:
        if any(a == axis and abs(c - centre) < 10 for a, c in tried) or len(tried) >= 4:
            continue
        tried.append((axis, centre))
        halves = _print_halves(ink, region, m, inverse, (rw, rh), axis, centre, slope, close)
        if all(_is_print_document(h_, ink, frame) for h_ in halves):
            return halves
    return []


EDGE_LINE_SHARE = 0.3
"""A straight dark line along a gutter at least this share of the region long is a sheet's
edge (one sheet lying over the other, its shadow on the glass), not print."""


def _without_edges(inside: np.ndarray, axis: int, length: int) -> np.ndarray:
    """The print with long straight lines along ``axis`` taken out."""
    run = max(15, round(EDGE_LINE_SHARE * length))
    # Widened across first, so a line a few degrees off the axis still runs unbroken.
    if axis == 0:
        wide, line = _rect(3, 1), _rect(1, run)
    else:
        wide, line = _rect(1, 3), _rect(run, 1)
    lines = cv2.morphologyEx(cv2.dilate(inside, wide), cv2.MORPH_OPEN, line)
    if not np.any(lines):
        return inside
    lines = cv2.dilate(lines, wide)
    return np.asarray(cv2.bitwise_and(inside, cv2.bitwise_not(lines)), np.uint8)


def _rect(width: int, height: int) -> np.ndarray:
    return np.asarray(cv2.getStructuringElement(cv2.MORPH_RECT, (width, height)), np.uint8)


def _runs(flags: np.ndarray) -> list[tuple[int, int]]:
    """(start, length) of every run of True."""
    padded = np.concatenate([[False], flags, [False]]).astype(np.int8)
    edges = np.diff(padded)
    starts = np.nonzero(edges == 1)[0]
    ends = np.nonzero(edges == -1)[0]
    return [(int(a), int(b - a)) for a, b in zip(starts, ends, strict=True)]


def _print_halves(
    ink: np.ndarray,
    region: np.ndarray,
    m: np.ndarray,
    inverse: np.ndarray,
    size: tuple[int, int],
    axis: int,
    centre: float,
    slope: float,
    close: int,
) -> list[np.ndarray]:
    rw, rh = size
    yy, xx = np.mgrid[0:rh, 0:rw]
    along_grid, across_grid = (yy, xx) if axis == 0 else (xx, yy)
    length = rh if axis == 0 else rw
    offset = across_grid - slope * (along_grid - length / 2) - centre
    halves = []
    for keep in (offset < 0, offset >= 0):
        side = cv2.warpAffine(
            np.where(keep, 255, 0).astype(np.uint8),
            inverse,
            region.shape[::-1],
            flags=cv2.INTER_NEAREST,
        )
        part = cv2.bitwise_and(cv2.bitwise_and(ink, region), side)
        block = _fill(cv2.morphologyEx(part, cv2.MORPH_CLOSE, _kernel(close)))
        pieces = outline_candidates(block)
        halves.append(_region_of(pieces[0], region.shape[:2]) if pieces else np.zeros_like(block))
    return halves


def _is_print_document(region: np.ndarray, ink: np.ndarray, frame: float) -> bool:
    pieces = outline_candidates(region)
    if not pieces:
        return False
    return pieces[0].solidity >= 0.6 and _is_document(pieces[0], frame) and _has_text(ink, region)


def _drop_nested(found: list[np.ndarray]) -> list[np.ndarray]:
    """Keep the larger of two regions that mostly overlap (a block inside a sheet)."""
    found = sorted(found, key=lambda m: -int(np.count_nonzero(m)))
    kept: list[np.ndarray] = []
    for region in found:
        area = max(1, int(np.count_nonzero(region)))
        if any(np.count_nonzero(cv2.bitwise_and(region, k)) > 0.5 * area for k in kept):
            continue
        kept.append(region)
    return kept


def cut_out(image: Image, region: Region, *, margin: float = CROP_MARGIN) -> Image:
    """The document of ``region`` as an image of its own: its box plus a margin, everything
    outside its grown outline painted in the background's colour."""
    bgr = to_bgr(image)
    full_h, full_w = bgr.shape[:2]
    x, y, w, h = region.box
    pad = round(margin * max(w, h))
    x0, y0 = max(0, x - pad), max(0, y - pad)
    x1, y1 = min(full_w, x + w + pad), min(full_h, y + h + pad)
    crop = np.array(bgr[y0:y1, x0:x1], dtype=np.uint8, copy=True)
    keep = np.zeros(crop.shape[:2], np.uint8)
    quad = (region.quad - np.array([x0, y0], np.float64)).round().astype(np.int32)
    cv2.fillConvexPoly(keep, quad, 255)
    keep = np.asarray(cv2.dilate(keep, _kernel(max(3, pad // 2))), np.uint8)
    crop[keep == 0] = region.background
    return crop


def crop_origin(
    region: Region, shape: tuple[int, ...], *, margin: float = CROP_MARGIN
) -> tuple[int, int]:
    """Top-left corner of :func:`cut_out`'s crop in the page (to map boxes back)."""
    x, y, w, h = region.box
    pad = round(margin * max(w, h))
    return max(0, x - pad), max(0, y - pad)


BLANK_INK_SHARE = 0.0005
"""A page with less print than this share of its area is blank (a scanner's empty page)."""


def is_blank(image: Image) -> bool:
    """Whether a page carries no print at all (dust and noise are not print)."""
    gray = to_gray(image)
    s = scale_for(gray.shape, max_side=SPLIT_MAX_SIDE)
    small = resize(gray, s)
    blackhat = cv2.morphologyEx(small, cv2.MORPH_BLACKHAT, _kernel(9))
    ink = (blackhat > 40).astype(np.uint8)
    ink = np.asarray(cv2.morphologyEx(ink, cv2.MORPH_OPEN, np.ones((2, 2), np.uint8)), np.uint8)
    spread = float(np.percentile(small, 99) - np.percentile(small, 1))
    return float(np.count_nonzero(ink)) < BLANK_INK_SHARE * ink.size and spread < 60
