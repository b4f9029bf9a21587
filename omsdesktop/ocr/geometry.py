"""Shared image-geometry helpers for quality assessment and straightening.

Everything here works on small, downscaled copies where it can: the callers hand in a full-size
image and get answers in full-size pixel coordinates.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import cv2
import numpy as np
import numpy.typing as npt

from omsdesktop.ocr.types import Image

FloatArray = npt.NDArray[np.float64]

WORK_PIXELS = 1_200_000
"""Pixel budget of the downscaled working copy used for layout analysis."""

LOCATE_MAX_SIDE = 640
"""Longest side of the tiny copy on which the document outline is searched."""


def to_gray(image: Image) -> Image:
    """Return a single-channel copy (or the image itself if it is grey already)."""
    if image.ndim == 2:
        return image
    if image.shape[2] == 4:
        return np.asarray(cv2.cvtColor(image, cv2.COLOR_BGRA2GRAY), dtype=np.uint8)
    return np.asarray(cv2.cvtColor(image, cv2.COLOR_BGR2GRAY), dtype=np.uint8)


def to_bgr(image: Image) -> Image:
    """Return a 3-channel BGR copy (or the image itself if it already is one)."""
    if image.ndim == 2:
        return np.asarray(cv2.cvtColor(image, cv2.COLOR_GRAY2BGR), dtype=np.uint8)
    if image.shape[2] == 4:
        return np.asarray(cv2.cvtColor(image, cv2.COLOR_BGRA2BGR), dtype=np.uint8)
    return image


def scale_for(
    shape: tuple[int, ...], *, max_pixels: int | None = None, max_side: int | None = None
) -> float:
    """Scale factor (<= 1) that brings an image of ``shape`` within the given limits."""
    h, w = int(shape[0]), int(shape[1])
    s = 1.0
    if max_pixels is not None and h * w > max_pixels:
        s = min(s, float(np.sqrt(max_pixels / float(h * w))))
    if max_side is not None and max(h, w) > max_side:
        s = min(s, max_side / float(max(h, w)))
    return s


def np_percentile_u8(values: npt.NDArray[Any], q: float | Sequence[float]) -> Any:
    """``np.percentile(values, q)`` of uint8 values, the same numbers, from their histogram.

    numpy sorts a copy to find the order statistics (several milliseconds on a megapixel);
    for 8-bit values the histogram gives them at once. The interpolation between the two
    order statistics is numpy's own ("linear", in its arithmetic), so every result is the
    same float. A float for one ``q``, an array for several, as numpy returns.
    """
    flat = np.ascontiguousarray(values, dtype=np.uint8).reshape(1, -1)
    if flat.size == 0:
        return np.percentile(values, q)  # numpy's own warning and NaN
    hist = cv2.calcHist([flat], [0], None, [256], [0, 256]).ravel()
    below = np.cumsum(hist)  # below[v]: how many values are v or less
    n = flat.size
    virtual = (n - 1) * np.true_divide(np.asarray(q, dtype=np.float64), 100)
    previous = np.floor(virtual)
    gamma = virtual - previous
    first = previous.astype(np.intp)
    a = np.searchsorted(below, first, side="right").astype(np.float64)
    b = np.searchsorted(below, np.minimum(first + 1, n - 1), side="right").astype(np.float64)
    diff = b - a
    out = np.where(gamma >= 0.5, b - diff * (1 - gamma), a + diff * gamma)
    return out if np.ndim(q) else float(out)


def np_median_u8(values: npt.NDArray[Any]) -> float:
    """``np.median(values)`` of uint8 values (:func:`np_percentile_u8` at 50: the same number)."""
    return float(np_percentile_u8(values, 50.0))


def resize(image: Image, scale: float) -> Image:
    """Resize by ``scale`` with area averaging when shrinking (keeps edges honest)."""
    if abs(scale - 1.0) < 1e-6:
        return image
    h, w = image.shape[:2]
    size = (max(1, round(w * scale)), max(1, round(h * scale)))
    if scale > 1.0:
        return np.asarray(cv2.resize(image, size, interpolation=cv2.INTER_CUBIC), dtype=np.uint8)
    # Halving is OpenCV's fast path for area averaging; shrink by halves first, then the rest.
    src = image
    while src.shape[1] >= 2 * size[0] and src.shape[0] >= 2 * size[1] and min(src.shape[:2]) >= 4:
        src = np.asarray(
            cv2.resize(src, (src.shape[1] // 2, src.shape[0] // 2), interpolation=cv2.INTER_AREA),
            np.uint8,
        )
    if (src.shape[1], src.shape[0]) == size:
        return np.asarray(src, dtype=np.uint8)
    return np.asarray(cv2.resize(src, size, interpolation=cv2.INTER_AREA), dtype=np.uint8)


def order_quad(points: npt.ArrayLike) -> FloatArray:
    """Order four points as top-left, top-right, bottom-right, bottom-left."""
    pts = np.asarray(points, dtype=np.float64).reshape(4, 2)
    centre = pts.mean(axis=0)
    angles = np.arctan2(pts[:, 1] - centre[1], pts[:, 0] - centre[0])
    pts = pts[np.argsort(angles)]  # counter-clockwise in maths terms = clockwise on screen
    # Start from the point with the smallest x + y (top-left).
    start = int(np.argmin(pts.sum(axis=1)))
    return np.roll(pts, -start, axis=0)


def quad_area(quad: npt.ArrayLike) -> float:
    """Area of a polygon (shoelace formula)."""
    q = np.asarray(quad, dtype=np.float64).reshape(-1, 2)
    x, y = q[:, 0], q[:, 1]
    return float(0.5 * abs(np.dot(x, np.roll(y, -1)) - np.dot(y, np.roll(x, -1))))


def quad_size(quad: FloatArray) -> tuple[float, float]:
    """Width and height of the rectangle a (tl, tr, br, bl) quad should be warped to."""
    tl, tr, br, bl = quad
    width = max(float(np.linalg.norm(tr - tl)), float(np.linalg.norm(br - bl)))
    height = max(float(np.linalg.norm(bl - tl)), float(np.linalg.norm(br - tr)))
    return width, height


@dataclass(frozen=True)
class DocumentLocation:
    """Where the document lies in a frame (full-size pixel coordinates).

    Attributes:
        quad: 4x2 corners (tl, tr, br, bl) of the document, or None when the document fills
            the frame (a flat scan) or none was found.
        fills_frame: the paper covers (nearly) the whole frame: a scan, or a very close photo.
        area_share: share of the frame covered by the document (1.0 when it fills the frame).
        touched_sides: which frame sides ("top", "right", "bottom", "left") the paper runs into.
        background_visible: some background (not paper) is visible around the document.
        mask: paper mask on the tiny copy (255 = document), for region statistics.
        mask_scale: scale of ``mask`` relative to the full-size frame.
    """

    quad: FloatArray | None
    fills_frame: bool
    area_share: float
    touched_sides: tuple[str, ...]
    background_visible: bool
    mask: Image
    mask_scale: float


def _paper_background(gray_small: Image) -> Image:
    """Erase dark text with a grey closing so the paper becomes one smooth bright region."""
    k = max(3, round(max(gray_small.shape) * 0.02)) | 1
    kernel = cv2.getStructuringElement(cv2.MORPH_RECT, (k, k))
    closed = cv2.morphologyEx(gray_small, cv2.MORPH_CLOSE, kernel)
    return np.asarray(cv2.GaussianBlur(closed, (5, 5), 0), dtype=np.uint8)


def _largest_component(mask: Image) -> tuple[Image, int]:
    count, labels, stats, _ = cv2.connectedComponentsWithStats(mask, connectivity=4)
    if count <= 1:
        return np.zeros_like(mask), 0
    areas = stats[1:, cv2.CC_STAT_AREA]
    best = 1 + int(np.argmax(areas))
    return np.where(labels == best, 255, 0).astype(np.uint8), int(areas[best - 1])


def _fill_holes(mask: Image) -> Image:
    contours, _ = cv2.findContours(mask, cv2.RETR_EXTERNAL, cv2.CHAIN_APPROX_SIMPLE)
    filled = np.zeros_like(mask)
    if contours:
        cv2.drawContours(filled, contours, -1, 255, thickness=cv2.FILLED)
    return filled


def _quad_from_mask(mask: Image) -> FloatArray | None:
    contours, _ = cv2.findContours(mask, cv2.RETR_EXTERNAL, cv2.CHAIN_APPROX_SIMPLE)
    if not contours:
        return None
    contour = max(contours, key=cv2.contourArea)
    hull = cv2.convexHull(contour)
    perimeter = cv2.arcLength(hull, True)
    for eps in (0.01, 0.02, 0.03, 0.04, 0.06):
        approx = cv2.approxPolyDP(hull, eps * perimeter, True)
        if len(approx) == 4:
            return order_quad(approx.reshape(4, 2))
        if len(approx) < 4:
            break
    rect = cv2.minAreaRect(hull)
    return order_quad(cv2.boxPoints(rect))


def _side_touch(mask: Image, band: int) -> dict[str, float]:
    """Share of each frame side along which the paper mask runs into the border."""
    return {
        "top": float(np.mean(mask[:band, :].max(axis=0) > 0)),
        "bottom": float(np.mean(mask[-band:, :].max(axis=0) > 0)),
        "left": float(np.mean(mask[:, :band].max(axis=1) > 0)),
        "right": float(np.mean(mask[:, -band:].max(axis=1) > 0)),
    }


def _mask_rect(mask: Image) -> tuple[tuple[float, float], tuple[float, float], float]:
    """``cv2.minAreaRect`` of a mask's pixels, from their outlines: the same rectangle (the
    hull of the pixels is the hull of their outer boundaries) at a fraction of the cost."""
    contours, _ = cv2.findContours(mask, cv2.RETR_EXTERNAL, cv2.CHAIN_APPROX_NONE)
    rect = cv2.minAreaRect(np.concatenate(contours))
    return (rect[0][0], rect[0][1]), (rect[1][0], rect[1][1]), rect[2]


def _extend_by_colour(paper: Image, colour: Image) -> Image:
    """Add to the paper the regions adjacent to it that clearly differ from the background.

    The bright-paper threshold misses dark parts of a document (the coloured header of a
    plastic card); those still differ from the table it lies on.
    """
    lab = cv2.cvtColor(cv2.GaussianBlur(colour, (5, 5), 0), cv2.COLOR_BGR2LAB).astype(np.float32)
    k = max(3, round(min(paper.shape) * 0.03)) | 1
    near = cv2.dilate(paper, np.ones((k, k), np.uint8)) > 0
    # Statistics on every third pixel: plenty for a median, a tenth of the time.
    far_sample = ~near[::3, ::3]
    background = lab[::3, ::3][far_sample]
    if background.shape[0] < 0.05 * far_sample.size:
        return paper
    centre = np.median(background, axis=0).astype(np.float32)
    diff = lab - centre
    dist = np.sqrt(np.einsum("ijk,ijk->ij", diff, diff))
    bg_dist = dist[::3, ::3][far_sample]
    level = float(np.median(bg_dist))
    spread = float(np.median(np.abs(bg_dist - level)))
    other = ((dist > max(12.0, level + 6.0 * spread)) & ~(paper > 0)).astype(np.uint8) * 255
    other = cv2.morphologyEx(other, cv2.MORPH_OPEN, np.ones((3, 3), np.uint8))
    count, labels, stats, _ = cv2.connectedComponentsWithStats(other, connectivity=4)
    if count <= 1:
        return paper
    ring = cv2.dilate(paper, np.ones((3, 3), np.uint8)) > 0
    touching = np.unique(labels[ring & (labels > 0)])
    # Only solid parts that share a long border with the paper (a header band), not
    # shadows or objects beside it.
    paper_l = float(np.median(lab[::3, ::3, 0][paper[::3, ::3] > 0]))
    paper_rect = _mask_rect(paper)
    paper_side = min(paper_rect[1])
    keep = []
    for i in touching:
        area = int(stats[i, cv2.CC_STAT_AREA])
        if not 0.01 * paper.size <= area <= 0.5 * np.count_nonzero(paper):
            continue
        part = labels == i
        # A printed band is darker than the paper (glare and reflections are brighter), solid
        # and rectangular, and runs along a whole side of the paper (shadows are thin).
        if float(np.median(lab[..., 0][part])) > paper_l - 20:
            continue
        (_, _), (rw, rh), _ = _mask_rect(part.astype(np.uint8))
        if area < 0.75 * rw * rh or min(rw, rh) < 0.05 * paper_side:
            continue
        if max(rw, rh) < 0.6 * paper_side:
            continue
        keep.append(int(i))
    if not keep:
        return paper
    merged = np.where(np.isin(labels, keep) | (paper > 0), 255, 0).astype(np.uint8)
    return _fill_holes(merged)


def _quad_from_edges(gray_small: Image) -> FloatArray | None:
    """The largest convex four-sided outline among the image's strong edges."""
    h, w = gray_small.shape
    blurred = cv2.GaussianBlur(gray_small, (5, 5), 0)
    median = np_median_u8(blurred)
    edges = cv2.Canny(blurred, max(5.0, 0.33 * median), max(20.0, 0.66 * median))
    # Join the sheet's edge across gaps, but not into the text: a small closing only.
    edges = cv2.morphologyEx(edges, cv2.MORPH_CLOSE, np.ones((5, 5), np.uint8))
    contours, _ = cv2.findContours(edges, cv2.RETR_LIST, cv2.CHAIN_APPROX_SIMPLE)
    best: FloatArray | None = None
    best_area = 0.0
    frame = float(h * w)
    for contour in sorted(contours, key=cv2.contourArea, reverse=True)[:10]:
        hull = cv2.convexHull(contour)
        area = float(cv2.contourArea(hull))
        if not 0.15 * frame <= area <= 0.97 * frame:
            continue
        perimeter = cv2.arcLength(hull, True)
        for eps in (0.02, 0.03, 0.04):
            approx = cv2.approxPolyDP(hull, eps * perimeter, True)
            if len(approx) == 4:
                if area > best_area:
                    best, best_area = order_quad(approx.reshape(4, 2)), area
                break
    return best


def _edge_support(gray_small: Image, quad: FloatArray | None) -> float:
    """Share of points along the quad's sides where the image has an edge running that way.

    Only the brightness change *across* a side counts (the gradient projected on the side's
    normal): a side drawn through text finds edges there too, but in every direction.
    """
    if quad is None:
        return 0.0
    gx = cv2.Sobel(gray_small, cv2.CV_32F, 1, 0, ksize=3)
    gy = cv2.Sobel(gray_small, cv2.CV_32F, 0, 1, ksize=3)
    magnitude = cv2.magnitude(gx, gy)
    h, w = gray_small.shape
    threshold = max(20.0, float(np.percentile(magnitude, 90)) * 0.5)
    steps = np.linspace(0.05, 0.95, 40)
    sides: list[tuple[FloatArray, FloatArray, FloatArray, FloatArray]] = []
    for i in range(4):
        a = quad[i]
        b = quad[(i + 1) % 4]
        d = b - a
        length = float(np.hypot(d[0], d[1]))
        if length < 1.0:
            continue
        nx, ny = -d[1] / length, d[0] / length
        xy = np.rint(a[None, :] + d[None, :] * steps[:, None])  # forty points along the side
        sides.append((xy[:, 0], xy[:, 1], np.full(40, nx), np.full(40, ny)))
    if not sides:
        return 0.0
    xs, ys, nxs, nys = (np.concatenate(v) for v in zip(*sides, strict=True))
    inside = (xs >= 0) & (xs < w) & (ys >= 0) & (ys < h)
    if not inside.any():
        return 0.0
    xs, ys, nxs, nys = xs[inside], ys[inside], nxs[inside], nys[inside]
    # At each point, the strongest edge across its side within 2 px: a 5x5 dilation of the
    # projected gradient, worked out at the points only (the margin of zeros never wins: the
    # threshold is above zero).
    window = np.arange(-2, 3)
    rows = (ys[:, None, None] + 2 + window[None, :, None]).astype(np.intp)
    cols = (xs[:, None, None] + 2 + window[None, None, :]).astype(np.intp)
    px, py = np.pad(gx, 2), np.pad(gy, 2)
    across = np.abs(
        px[rows, cols] * nxs[:, None, None].astype(np.float64)
        + py[rows, cols] * nys[:, None, None].astype(np.float64)
    )
    hits = int(np.count_nonzero(across.reshape(len(xs), -1).max(axis=1) > threshold))
    return hits / len(xs)


def locate_document(
    image: Image, *, scale: float = 1.0, colour: Image | None = None
) -> DocumentLocation:
    """Find the sheet of paper in a frame.

    The paper is the largest bright, smooth region once text is erased by a grey closing;
    Otsu's threshold separates it from the background. A region that covers nearly the
    whole frame means the frame *is* the page (a flat scan).

    Args:
        image: the frame, or a downscaled copy of it.
        scale: the size of ``image`` relative to the full frame (for the returned quad).
        colour: a BGR copy of the frame (any size) when ``image`` is grey; lets dark parts of
            a document (a card's coloured header) join the paper.
    """
    gray = to_gray(image)
    s0 = scale_for(gray.shape, max_side=LOCATE_MAX_SIDE)
    small = resize(gray, s0)
    s = s0 * scale
    h, w = small.shape
    frame_area = float(h * w)
    bg = _paper_background(small)
    otsu, _ = cv2.threshold(bg, 0, 255, cv2.THRESH_BINARY + cv2.THRESH_OTSU)
    band = max(2, round(min(h, w) * 0.01))

    # Spread of brightness: a frame that is all paper has no real bimodality.
    p5, p95 = np_percentile_u8(bg, [5, 95])
    mask_full = np.full_like(small, 255)
    full = DocumentLocation(
        quad=None,
        fills_frame=True,
        area_share=1.0,
        touched_sides=("top", "right", "bottom", "left"),
        background_visible=False,
        mask=mask_full,
        mask_scale=s,
    )
    if p95 - p5 < 40:
        return full
    bright = np.where(bg > otsu, 255, 0).astype(np.uint8)
    paper, area = _largest_component(bright)
    if area < 0.02 * frame_area:
        return full
    paper = _fill_holes(paper)
    share = float(np.count_nonzero(paper)) / frame_area
    touch = _side_touch(paper, band)
    touched = tuple(side for side in ("top", "right", "bottom", "left") if touch[side] > 0.10)
    outside = paper == 0
    # Background must really differ from paper: dark margins of a scan lid do not count as
    # a separate document unless they are a sizeable, clearly darker area.
    paper_level = np_median_u8(bg[paper > 0])
    out_level = np_median_u8(bg[outside]) if np.any(outside) else paper_level
    background_visible = share < 0.97 and paper_level - out_level > 25
    if colour is None and image.ndim == 3:
        colour = image
    if background_visible and colour is not None and colour.ndim == 3:
        tiny = np.asarray(cv2.resize(colour, (w, h), interpolation=cv2.INTER_AREA), np.uint8)
        extended = _extend_by_colour(paper, tiny)
        if extended is not paper:
            paper = extended
            share = float(np.count_nonzero(paper)) / frame_area
            touch = _side_touch(paper, band)
            touched = tuple(s_ for s_ in ("top", "right", "bottom", "left") if touch[s_] > 0.10)
    if share >= 0.93 or not background_visible:
        if share >= 0.93:
            return DocumentLocation(
                quad=None,
                fills_frame=True,
                area_share=share,
                touched_sides=touched,
                background_visible=background_visible,
                mask=paper if background_visible else mask_full,
                mask_scale=s,
            )
        return full
    quad = _quad_from_mask(paper)
    if quad is not None:
        qa = quad_area(quad)
        if not (0.75 * share * frame_area <= qa <= 1.3 * share * frame_area):
            quad = None
    # The brightness mask leaks into a light background under uneven light; the sheet's own
    # edge is a better witness. Keep whichever outline the image's edges support more.
    support = _edge_support(small, quad)
    edge_quad = _quad_from_edges(small)
    if edge_quad is not None:
        edge_support = _edge_support(small, edge_quad)
        if edge_support >= 0.6 and edge_support > support + 0.1:
            quad, support = edge_quad, edge_support
            share = quad_area(quad) / frame_area
    if quad is not None and support < 0.8:
        # An outline the image's edges do not follow all round is a guess; warping by it
        # would bend the page. Better to straighten by the text lines alone. (On generated
        # photos, outlines within 1 % of the true corners score 0.9-1.0 and wrong ones at
        # most 0.66.)
        quad = None
    return DocumentLocation(
        quad=None if quad is None else quad / s,
        fills_frame=False,
        area_share=share,
        touched_sides=touched,
        background_visible=True,
        mask=paper,
        mask_scale=s,
    )


_QUARTER_TURNS = {
    90: cv2.ROTATE_90_CLOCKWISE,
    180: cv2.ROTATE_180,
    270: cv2.ROTATE_90_COUNTERCLOCKWISE,
}


def rotate_clockwise(image: np.ndarray, degrees: int) -> np.ndarray:
    """``image`` turned clockwise by 0, 90, 180 or 270 degrees (the same array for 0)."""
    if degrees % 360 == 0:
        return image
    return np.asarray(cv2.rotate(image, _QUARTER_TURNS[degrees % 360]), np.uint8)
