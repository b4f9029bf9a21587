"""Straightening: find the document, flatten its perspective, turn it upright, level the text.

The whole chain is decided on a downscaled copy (about a megapixel) and applied to the
full-size image in a single perspective warp, so a 12 MP photo costs one warp plus tens of
milliseconds of analysis.

Conventions:
    * rotation: the clockwise quarter turn (0/90/180/270) applied to make the page upright.
    * skew: the angle of the text lines in degrees, counter-clockwise positive as seen on
      screen; it is undone by turning the page clockwise by the same amount.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import cv2
import numpy as np
import numpy.typing as npt

from omsdesktop.errors import CancelledError
from omsdesktop.ocr.geometry import (
    WORK_PIXELS,
    FloatArray,
    locate_document,
    np_percentile_u8,
    order_quad,
    quad_area,
    quad_size,
    resize,
    rotate_clockwise,
    scale_for,
    to_bgr,
    to_gray,
)
from omsdesktop.ocr.types import Image, Page

ProgressFn = Callable[[float], None]
CancelledFn = Callable[[], bool]
OrientationFn = Callable[[Image], int]

MAX_OUTPUT_SIDE = 3600
"""Longest side of the straightened page: an A4 sheet at ~300 dpi. Larger photos shrink."""

MAX_SKEW_DEG = 15.0
FINE_STEP = 0.025
FINE_BIN_DIV = 6.0
MIN_SKEW_DEG = 0.1
"""Skews smaller than this are left alone, so an upright scan comes out pixel-identical."""


@dataclass(frozen=True)
class Straightened:
    """The upright, flat page and how it was obtained.

    Attributes:
        image: upright, flat, cropped to the document (BGR).
        rotation: clockwise quarter turn applied: 0, 90, 180 or 270.
        skew_deg: the text-line angle that was removed (counter-clockwise positive).
        document_found: a document outline was found and its perspective corrected.
        transform: 3x3 homography from input pixels to output pixels (for mapping boxes), or
            None when the output is the input unchanged.
    """

    image: Image
    rotation: int
    skew_deg: float
    document_found: bool
    transform: FloatArray | None


# --------------------------------------------------------------------------------------------
# Text layout analysis on a small copy.


@dataclass(frozen=True)
class _Glyphs:
    """Character-like ink components of a small grey image."""

    boxes: npt.NDArray[np.float64]  # N x 4: x, y, w, h
    height: float  # median character height (px); 0 without text

    @property
    def centres(self) -> npt.NDArray[np.float64]:
        return self.boxes[:, :2] + self.boxes[:, 2:] / 2.0


def _glyphs(gray: Image) -> _Glyphs:
    h, w = gray.shape
    k = max(15, round(min(h, w) / 30)) | 1
    background = cv2.morphologyEx(
        gray, cv2.MORPH_CLOSE, cv2.getStructuringElement(cv2.MORPH_RECT, (k, k))
    )
    norm = np.clip(
        gray.astype(np.float32) / np.maximum(background, 1).astype(np.float32) * 255.0, 0, 255
    ).astype(np.uint8)
    otsu, _ = cv2.threshold(norm, 0, 255, cv2.THRESH_BINARY + cv2.THRESH_OTSU)
    thr = float(np.clip(otsu, 120, 225))
    ink = (norm < thr).astype(np.uint8) * 255
    _, _, stats, _ = cv2.connectedComponentsWithStats(ink, connectivity=8)
    st = stats[1:]
    hs, ws, areas = st[:, 3], st[:, 2], st[:, 4]
    keep = (hs >= 4) & (ws >= 2) & (hs <= h / 15) & (ws <= w / 15) & (areas >= 8)
    boxes = st[keep][:, :4].astype(np.float64)
    if len(boxes) < 10:
        return _Glyphs(boxes, 0.0)
    med = float(np.median(np.maximum(boxes[:, 2], boxes[:, 3])))
    # Drop specks and big blobs (seals, logos): lines are made of characters.
    size = np.maximum(boxes[:, 2], boxes[:, 3])
    boxes = boxes[(size >= 0.4 * med) & (size <= 3.0 * med)]
    return _Glyphs(boxes, float(np.median(boxes[:, 3])) if len(boxes) else 0.0)


def _line_score(points: npt.NDArray[np.float64], theta_deg: float, bin_px: float) -> float:
    """Sharpness of the projection of ``points`` on the normal of lines at ``theta_deg``."""
    t = np.deg2rad(theta_deg)
    d = points[:, 0] * np.sin(t) + points[:, 1] * np.cos(t)
    pos = (d - d.min()) / bin_px
    idx = np.floor(pos).astype(np.int64)
    frac = pos - idx
    # Linear binning: each point is shared between its two nearest bins, so the score is a
    # smooth function of the angle instead of jumping as points cross bin borders.
    hist = np.bincount(idx, weights=1.0 - frac, minlength=idx.max() + 2)
    hist += np.bincount(idx + 1, weights=frac, minlength=idx.max() + 2)
    return float(np.dot(hist, hist)) / float(len(points)) ** 2


def _best_angle(
    points: npt.NDArray[np.float64], centre: float, span: float, step: float, bin_px: float
) -> tuple[float, float]:
    angles = np.arange(centre - span, centre + span + step / 2, step)
    scores = [_line_score(points, float(a), bin_px) for a in angles]
    i = int(np.argmax(scores))
    return float(angles[i]), float(scores[i])


def _text_angle(glyphs: _Glyphs) -> tuple[float, bool] | None:
    """Angle of the text lines (ccw degrees, in (-45, 135)) and whether it is reliable."""
    if glyphs.height <= 0 or len(glyphs.boxes) < 15:
        return None
    pts = glyphs.centres
    bin_px = max(1.0, glyphs.height / 3.0)
    best: tuple[float, float] | None = None
    for centre in (0.0, 90.0):
        a, s = _best_angle(pts, centre, MAX_SKEW_DEG, 1.0, bin_px)
        if best is None or s > best[1]:
            best = (a, s)
    assert best is not None
    angle, _ = _best_angle(pts, best[0], 1.5, 0.25, max(1.0, glyphs.height / 5.0))
    fine_bin = max(1.0, glyphs.height / FINE_BIN_DIV)
    angle, score = _best_angle(pts, angle, 0.4, FINE_STEP, fine_bin)
    # Compare with a perpendicular reading: clear lines beat it by a wide margin.
    _, other = _best_angle(pts, angle + 90.0, 2.0, 1.0, fine_bin)
    return angle, score > 1.3 * other


def _rotation_matrix(shape: tuple[int, int], angle_ccw: float) -> tuple[FloatArray, int, int]:
    """3x3 matrix rotating an image of ``shape`` by ``angle_ccw`` around its centre, and the
    size of the canvas that holds the whole result."""
    h, w = shape
    a = cv2.getRotationMatrix2D((w / 2.0, h / 2.0), angle_ccw, 1.0)
    cos, sin = abs(a[0, 0]), abs(a[0, 1])
    nw = round(h * sin + w * cos)
    nh = round(h * cos + w * sin)
    a[0, 2] += nw / 2.0 - w / 2.0
    a[1, 2] += nh / 2.0 - h / 2.0
    m = np.eye(3)
    m[:2] = a
    return m, nw, nh


def _quarter_matrix(shape: tuple[int, int], rotation_cw: int) -> tuple[FloatArray, int, int]:
    """3x3 matrix of an exact clockwise quarter turn of an image of ``shape``."""
    h, w = shape
    r = rotation_cw % 360
    if r == 0:
        return np.eye(3), w, h
    if r == 90:
        return np.array([[0.0, -1.0, h - 1.0], [1.0, 0.0, 0.0], [0.0, 0.0, 1.0]]), h, w
    if r == 180:
        return np.array([[-1.0, 0.0, w - 1.0], [0.0, -1.0, h - 1.0], [0.0, 0.0, 1.0]]), w, h
    return np.array([[0.0, 1.0, 0.0], [-1.0, 0.0, w - 1.0], [0.0, 0.0, 1.0]]), h, w


def _ink_components(gray: Image) -> tuple[npt.NDArray[np.float64], npt.NDArray[np.int32]]:
    """Boxes (x, y, w, h) and areas of all ink components of a grey image."""
    h, w = gray.shape
    k = max(15, round(min(h, w) / 30)) | 1
    background = cv2.morphologyEx(
        gray, cv2.MORPH_CLOSE, cv2.getStructuringElement(cv2.MORPH_RECT, (k, k))
    )
    norm = np.clip(
        gray.astype(np.float32) / np.maximum(background, 1).astype(np.float32) * 255.0, 0, 255
    ).astype(np.uint8)
    otsu, _ = cv2.threshold(norm, 0, 255, cv2.THRESH_BINARY + cv2.THRESH_OTSU)
    ink = (norm < float(np.clip(otsu, 120, 225))).astype(np.uint8) * 255
    _, _, stats, _ = cv2.connectedComponentsWithStats(ink, connectivity=8)
    return stats[1:, :4].astype(np.float64), stats[1:, 4].astype(np.int32)


@dataclass(frozen=True)
class UprightCues:
    """Evidence that horizontal text is upright (+) or upside down (−), each in [-1, 1].

    Attributes:
        rules: form rules (long thin lines) have the filled-in text *above* them.
        marks: full stops and commas sit on the baseline, not at the top of a line.
        title: the largest lettering (a document's title) is near the top.
    """

    rules: float
    rule_votes: int
    marks: float
    mark_votes: int
    title: float

    @property
    def score(self) -> float:
        score = 0.0
        if self.rule_votes >= 6:
            score += 2.0 * self.rules
        if self.mark_votes >= 3:
            score += 0.25 * self.marks
        return score + self.title


def upright_cues(gray_level: Image) -> UprightCues:
    """Measure the up/down cues on an image whose text lines are horizontal."""
    boxes, areas = _ink_components(gray_level)
    page_h = float(gray_level.shape[0])
    if len(boxes) < 10:
        return UprightCues(0.0, 0, 0.0, 0, 0.0)
    hs, ws = boxes[:, 3], boxes[:, 2]
    is_char = (hs >= 4) & (hs < page_h / 15) & (ws < 3 * hs)
    if np.count_nonzero(is_char) < 10:
        return UprightCues(0.0, 0, 0.0, 0, 0.0)
    ch = float(np.median(hs[is_char]))
    glyphs = boxes[is_char & (hs > 0.5 * ch)]
    gx = glyphs[:, 0] + glyphs[:, 2] / 2.0
    gtop = glyphs[:, 1]
    gbot = glyphs[:, 1] + glyphs[:, 3]

    # Rules: values are written on a line; small captions may hang below it. Weigh the
    # characters just above and just below each rule by their area (values are bigger).
    area = glyphs[:, 3] ** 2
    above = below = 0.0
    votes = 0
    for x, y, w, h in boxes[(ws > 6 * ch) & (hs < 0.35 * ch)]:
        over = (gx > x) & (gx < x + w)
        mid = y + h / 2.0
        up = over & (gbot <= mid) & (gbot > y - 0.8 * ch)
        down = over & (gtop >= mid) & (gtop < y + h + 0.8 * ch)
        above += float(area[up].sum())
        below += float(area[down].sum())
        votes += int(np.count_nonzero(up) + np.count_nonzero(down))
    rules = (above - below) / max(1.0, above + below)

    # Marks: small dots/commas beside characters, low or high within their line.
    low = high = 0
    small = boxes[(hs <= 0.3 * ch) & (ws <= 0.4 * ch) & (areas[:] >= 3)]
    for x, y, w, h in small[:400]:
        cy = y + h / 2.0
        near = (
            (np.abs(gx - (x + w / 2.0)) < 2.5 * ch)
            & (gtop - 0.6 * ch < cy)
            & (gbot + 0.6 * ch > cy)
        )
        if np.count_nonzero(near) < 2:
            continue
        t = float(np.median(gtop[near]))
        b = float(np.median(gbot[near]))
        rel = (cy - t) / max(1.0, b - t)
        if rel > 0.75:
            low += 1
        elif rel < 0.25:
            high += 1
    marks = (low - high) / max(1, low + high)

    # Title: the centre of the big lettering, weighted by its height.
    big = glyphs[glyphs[:, 3] >= 1.5 * ch]
    title = 0.0
    if len(big) >= 5:
        cy = big[:, 1] + big[:, 3] / 2.0
        title = float(np.clip(1.0 - 2.0 * np.average(cy, weights=big[:, 3]) / page_h, -1, 1))
    return UprightCues(float(rules), votes, float(marks), low + high, title)


def _orientation_of_level_text(gray_level: Image) -> int:
    """0 or 180 for an image whose text lines are horizontal."""
    return 180 if upright_cues(gray_level).score < 0.0 else 0


# --------------------------------------------------------------------------------------------
# Public API.


@dataclass(frozen=True, eq=False)
class Outline:
    """One region's outline found by :func:`outline_candidates` (in the mask's pixels).

    Attributes:
        quad: 4x2 corners (tl, tr, br, bl).
        area: the region's area in pixels.
        solidity: area over the area of its convex hull (1.0 for a clean sheet).
        rectangularity: area over the area of its minimum-area rectangle.
        contour: N x 2 points of the region's outer contour.
    """

    quad: FloatArray
    area: float
    solidity: float
    rectangularity: float
    contour: npt.NDArray[np.int32]


def outline_candidates(mask: Image, *, min_share: float = 0.0) -> list[Outline]:
    """Every outline in a binary mask (255 = paper or document), largest first.

    The one-document search (:func:`omsdesktop.ocr.geometry.locate_document`) keeps only the
    largest region of its paper mask; the splitter (:mod:`omsdesktop.ocr.split`) needs them
    all. Each region's outer contour is approximated by a four-sided polygon when one fits
    (a sheet seen in perspective) and by its minimum-area rectangle otherwise.

    Args:
        mask: uint8, 255 inside regions.
        min_share: regions smaller than this share of the mask's area are left out.
    """
    contours, _ = cv2.findContours(mask, cv2.RETR_EXTERNAL, cv2.CHAIN_APPROX_SIMPLE)
    frame = float(mask.shape[0] * mask.shape[1])
    out: list[Outline] = []
    for contour in contours:
        area = float(cv2.contourArea(contour))
        if area < max(1.0, min_share * frame):
            continue
        hull = cv2.convexHull(contour)
        hull_area = max(1.0, float(cv2.contourArea(hull)))
        rect = cv2.minAreaRect(contour)
        rect_area = max(1.0, float(rect[1][0] * rect[1][1]))
        quad: FloatArray | None = None
        perimeter = cv2.arcLength(hull, True)
        for eps in (0.01, 0.02, 0.03, 0.04):
            approx = cv2.approxPolyDP(hull, eps * perimeter, True)
            if len(approx) == 4:
                candidate = order_quad(approx.reshape(4, 2))
                if 0.9 * hull_area <= quad_area(candidate) <= 1.1 * hull_area:
                    quad = candidate
                break
            if len(approx) < 4:
                break
        if quad is None:
            quad = order_quad(cv2.boxPoints(rect))
        out.append(
            Outline(
                quad=quad,
                area=area,
                solidity=area / hull_area,
                rectangularity=area / rect_area,
                contour=np.asarray(contour.reshape(-1, 2), np.int32),
            )
        )
    out.sort(key=lambda o: o.area, reverse=True)
    return out


def find_document_quad(image: Image) -> FloatArray | None:
    """Corners (tl, tr, br, bl) of the document in a photo, or None (none found, or the
    document fills the frame as in a flat scan)."""
    return locate_document(image).quad


def deskew_angle(image: Image) -> float:
    """Angle of the text lines in degrees (counter-clockwise positive), within ±15°.

    Quarter turns are ignored: text running vertically reads as a skew of the rotated page.
    Returns 0.0 when no text lines are found.
    """
    gray = to_gray(image)
    s = scale_for(gray.shape, max_pixels=WORK_PIXELS)
    found = _text_angle(_glyphs(resize(gray, s)))
    if found is None:
        return 0.0
    angle = found[0]
    return angle - 90.0 if angle > 45.0 else angle


def detect_orientation(image: Image) -> int:
    """Clockwise quarter turn (0/90/180/270) that makes the text upright, by image analysis."""
    gray = to_gray(image)
    s = scale_for(gray.shape, max_pixels=WORK_PIXELS)
    small = resize(gray, s)
    found = _text_angle(_glyphs(small))
    if found is None:
        return 0
    angle = found[0]
    quarter = 90 if angle > 45.0 else 0
    level = angle - quarter
    # Turn the text so that lines run horizontally, then decide between up and down.
    m, nw, nh = _rotation_matrix(small.shape, -level)
    rot = 0 if quarter == 0 else 90
    q, qw, qh = _quarter_matrix((nh, nw), rot)
    total = q @ m
    levelled = cv2.warpPerspective(small, total, (qw, qh), borderValue=255)
    return (rot + _orientation_of_level_text(np.asarray(levelled, np.uint8))) % 360


def straighten(
    page: Page | Image,
    *,
    orientation: OrientationFn | None = None,
    progress: ProgressFn | None = None,
    cancelled: CancelledFn | None = None,
    use_outline: bool = True,
) -> Straightened:
    """Find the document, flatten it, turn it upright and level its text.

    Args:
        page: the decoded page or a bare image.
        orientation: optional decision of the up/down question: given the levelled page
            (text lines horizontal, about a megapixel, BGR), return the clockwise quarter
            turn that makes it upright. The built-in one (:func:`upright_cues`) looks at
            where text sits on form rules, where the largest lettering (the title) is, and
            where full stops sit in their lines; Tesseract OSD
            (:func:`omsdesktop.ocr.orientation.osd_orientation`) reads letter shapes instead.
        progress: called with the fraction done.
        cancelled: polled between stages; when it returns True, CancelledError is raised.
        use_outline: flatten by the document's outline where one is found; False levels the
            page by its text lines alone (for a second try when the outline found was wrong:
            a corner lost in a shadow bends the page it flattens).
    """
    image = page.image if isinstance(page, Page) else page
    bgr = to_bgr(image)

    def step(fraction: float) -> None:
        if cancelled is not None and cancelled():
            raise CancelledError()
        if progress is not None:
            progress(fraction)

    step(0.0)
    fh, fw = bgr.shape[:2]
    gray = to_gray(bgr)  # once: the outline and the small flat copy both start from it
    quad = locate_document(gray, colour=bgr).quad if use_outline else None
    step(0.2)

    # 1. Perspective: document quad -> rectangle (full-size pixels).
    if quad is not None:
        qw, qh = quad_size(quad)
        k = min(1.0, MAX_OUTPUT_SIDE / max(qw, qh))
        out_w, out_h = max(1, round(qw * k)), max(1, round(qh * k))
        dst = np.array(
            [[0, 0], [out_w - 1, 0], [out_w - 1, out_h - 1], [0, out_h - 1]], dtype=np.float32
        )
        warp = cv2.getPerspectiveTransform(quad.astype(np.float32), dst).astype(np.float64)
        document_found = True
    else:
        out_w, out_h = fw, fh
        warp = np.eye(3)
        document_found = False

    # 2. Analyse a small copy of the flattened page.
    s = scale_for((out_h, out_w), max_pixels=WORK_PIXELS)
    sw, sh = max(1, round(out_w * s)), max(1, round(out_h * s))
    down = np.diag([s, s, 1.0])
    small_gray = _small_flat(gray, down @ warp, (sw, sh))
    del gray
    step(0.5)

    found = _text_angle(_glyphs(small_gray))
    angle = found[0] if found is not None else 0.0
    quarter = 90 if angle > 45.0 else 0
    level = angle - quarter
    if abs(level) < MIN_SKEW_DEG:
        level = 0.0
    # Rotating clockwise by the skew levels the lines; clockwise = negative for OpenCV.
    m_skew, lw, lh = _rotation_matrix((sh, sw), -level) if level else (np.eye(3), sw, sh)
    m_quarter, qw2, qh2 = _quarter_matrix((lh, lw), quarter)
    small_total = m_quarter @ m_skew
    levelled = np.asarray(
        cv2.warpPerspective(small_gray, small_total, (qw2, qh2), borderValue=255), np.uint8
    )
    step(0.7)
    if orientation is not None:
        extra = int(orientation(to_bgr(levelled))) % 360
    else:
        extra = _orientation_of_level_text(levelled)
    if extra not in (0, 90, 180, 270):
        extra = (round(extra / 90) * 90) % 360
    rotation = (quarter + extra) % 360

    # 3. Compose everything at full size and warp once.
    big_skew, bw, bh = (
        _rotation_matrix((out_h, out_w), -level) if level else (np.eye(3), out_w, out_h)
    )
    big_quarter, fw2, fh2 = _quarter_matrix((bh, bw), rotation)
    total = big_quarter @ big_skew @ warp
    step(0.8)
    if not document_found and rotation == 0 and level == 0.0:
        result = bgr
        transform: FloatArray | None = None
    elif not document_found and level == 0.0:
        result = rotate_clockwise(bgr, rotation)
        transform = total
    else:
        paper = _paper_colour(small_gray)
        result = np.asarray(
            cv2.warpPerspective(
                bgr,
                total,
                (fw2, fh2),
                flags=cv2.INTER_LINEAR,
                borderMode=cv2.BORDER_CONSTANT,
                borderValue=(paper, paper, paper),
            ),
            np.uint8,
        )
        transform = total
    step(1.0)
    return Straightened(
        image=result,
        rotation=rotation,
        skew_deg=float(level),
        document_found=document_found,
        transform=transform,
    )


def _small_flat(gray: Image, matrix: FloatArray, size: tuple[int, int]) -> Image:
    """Warp a pre-shrunk copy of the grey page: warping 12 MP straight to 1 MP would alias."""
    # Shrink first by the overall scale of ``matrix`` so the warp samples ~1:1.
    sx = float(np.sqrt(abs(np.linalg.det(matrix[:2, :2]))))
    pre = min(1.0, max(sx, 1e-3) * 1.2)
    small = resize(gray, pre)
    matrix = matrix @ np.diag([1.0 / pre, 1.0 / pre, 1.0])
    return np.asarray(
        cv2.warpPerspective(
            small, matrix, size, flags=cv2.INTER_LINEAR, borderMode=cv2.BORDER_REPLICATE
        ),
        np.uint8,
    )


def _paper_colour(gray: Image) -> int:
    return int(np_percentile_u8(gray, 90)) if gray.size else 255
