"""Auto-crop: cut the document out of a whole-glass flatbed scan.

Operators put a card in a corner of the glass, or a certificate slightly turned, and scan the
whole glass. The document is what differs from the lid:

* under a **white lid** (most flatbeds) the lid and the paper are both bright, so the outline
  cannot be told by brightness alone: the document is found as the region that differs from the
  lid colour (its tint, its print, the shadow of its edge), closed into one blob;
* under a **dark lid** or with the lid open, the paper is the bright region on a dark
  background, and :func:`omsdesktop.ocr.straighten.find_document_quad` finds it.

The cut follows the document's tilt (a rotated rectangle), so a turned certificate comes out
level; then :func:`omsdesktop.ocr.straighten.straighten` turns it upright if it lies upside down
or sideways. When no document stands out (an empty glass, a sheet that fills it), the scan is
returned unchanged.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

import cv2
import numpy as np
import numpy.typing as npt

from omsdesktop.ocr.geometry import (
    order_quad,
    quad_area,
    quad_size,
    resize,
    rotate_clockwise,
    scale_for,
    to_bgr,
)
from omsdesktop.ocr.straighten import find_document_quad, straighten
from omsdesktop.ocr.types import Image

FloatArray = npt.NDArray[np.float64]

WORK_SIDE = 1200
"""Long side of the copy the document is looked for on."""
MIN_SHARE = 0.004
"""Smallest document, as a share of the glass (a 54 x 86 mm card is ~7.5 % of A4)."""
MAX_SHARE = 0.92
"""A region bigger than this is the whole glass: nothing to crop."""


@dataclass(frozen=True, eq=False)
class Cropped:
    """The result of :func:`autocrop`.

    Attributes:
        image: the document, cut out and level (or the input unchanged when ``found`` is False).
        found: a document was found and cut out.
        quad: its corners (tl, tr, br, bl) in the input image, or None.
        angle_deg: how far the document was turned on the glass (counter-clockwise positive).
        rotation: the clockwise quarter turn applied afterwards to make the text upright.
    """

    image: Image
    found: bool
    quad: FloatArray | None = None
    angle_deg: float = 0.0
    rotation: int = 0


def _border(gray: Image, band: int) -> npt.NDArray[np.uint8]:
    return np.concatenate(
        [gray[:band].ravel(), gray[-band:].ravel(), gray[:, :band].ravel(), gray[:, -band:].ravel()]
    )


def _lid_colour(small: npt.NDArray[np.generic], band: int) -> npt.NDArray[np.float32]:
    """The lid's colour: the median of the frame's outer band (mostly lid, whatever lies there)."""
    strips = np.concatenate(
        [
            small[:band].reshape(-1, 3),
            small[-band:].reshape(-1, 3),
            small[:, :band].reshape(-1, 3),
            small[:, -band:].reshape(-1, 3),
        ]
    )
    return np.asarray(np.median(strips, axis=0), dtype=np.float32)


def _content_mask(small: Image) -> npt.NDArray[np.uint8]:
    """Pixels that differ from the lid, closed into blobs the size of a document.

    The working copy is already averaged down (about 3x for an A4 scan at 300 dpi), which
    leaves the lid's noise well under one grey level, so even a near-white card (a few levels
    off the lid) or the faint shadow of a paper edge stands out.
    """
    h, w = small.shape[:2]
    band = max(2, round(min(h, w) * 0.01))
    blurred = cv2.GaussianBlur(small.astype(np.float32), (5, 5), 0)
    lid = _lid_colour(blurred, band)
    diff = np.abs(blurred - lid).max(axis=2)
    border = np.concatenate(
        [diff[:band].ravel(), diff[-band:].ravel(), diff[:, :band].ravel(), diff[:, -band:].ravel()]
    )
    # Robust spread of the lid (the outer band may hold a bit of a document: median, not max).
    spread = float(np.median(border)) * 1.4826 + 0.25
    threshold = max(3.0, 6.0 * spread)
    raw = np.where(diff > threshold, 255, 0).astype(np.uint8)
    opened = cv2.morphologyEx(
        raw, cv2.MORPH_OPEN, cv2.getStructuringElement(cv2.MORPH_RECT, (3, 3))
    )
    k = max(3, round(max(h, w) * 0.03)) | 1
    kernel = cv2.getStructuringElement(cv2.MORPH_RECT, (k, k))
    return np.asarray(cv2.morphologyEx(opened, cv2.MORPH_CLOSE, kernel), np.uint8)


def find_documents(image: Image) -> list[FloatArray]:
    """Rotated rectangles (tl, tr, br, bl in input pixels) of the documents on a white-lid
    scan, largest first. Two documents side by side on the glass come out as two."""
    bgr = to_bgr(image)
    s = scale_for(bgr.shape[:2], max_side=WORK_SIDE)
    small = resize(bgr, s)
    mask = _content_mask(small)
    h, w = mask.shape
    frame = float(h * w)
    count, labels, stats, _ = cv2.connectedComponentsWithStats(mask, connectivity=8)
    quads: list[tuple[float, FloatArray]] = []
    for label in range(1, count):
        area = float(stats[label, cv2.CC_STAT_AREA])
        if area < MIN_SHARE * frame:
            continue
        ys, xs = np.nonzero(labels == label)
        points = np.stack([xs, ys], axis=1).astype(np.float32)
        hull = cv2.convexHull(points)
        rect = cv2.minAreaRect(hull)
        box = cv2.boxPoints(rect).astype(np.float64)
        if quad_area(box) > MAX_SHARE * frame:
            continue
        quads.append((quad_area(box), _level_order(box) / s))
    quads.sort(key=lambda item: -item[0])
    return [q for _, q in quads]


def _level_order(box: FloatArray) -> FloatArray:
    """Order a rotated rectangle's corners so its top edge is the one closest to horizontal."""
    quad = order_quad(box)
    tl, tr = quad[0], quad[1]
    angle = math.degrees(math.atan2(tr[1] - tl[1], tr[0] - tl[0]))
    if abs(angle) > 45:
        quad = np.roll(quad, 1 if angle > 0 else -1, axis=0)
    return quad


def _expand(quad: FloatArray, pixels: float) -> FloatArray:
    centre = quad.mean(axis=0)
    out = []
    for corner in quad:
        direction = corner - centre
        norm = float(np.hypot(direction[0], direction[1])) or 1.0
        out.append(corner + direction / norm * pixels * math.sqrt(2))
    return np.asarray(out, np.float64)


def _lid_is_white(bgr: Image) -> bool:
    gray = np.asarray(cv2.cvtColor(bgr, cv2.COLOR_BGR2GRAY), np.uint8)
    small = resize(gray, scale_for(gray.shape, max_side=600))
    band = max(2, round(min(small.shape) * 0.01))
    return float(np.median(_border(small, band))) > 180


def autocrop(
    image: Image,
    *,
    dpi: float | None = None,
    margin_mm: float = 1.0,
    upright: bool = True,
    progress: Callable[[float], None] | None = None,
    cancelled: Callable[[], bool] | None = None,
) -> Cropped:
    """Cut the (largest) document out of a whole-glass scan and level it.

    Args:
        image: the scan, BGR (or grey).
        dpi: its resolution, for the margin; None assumes 300.
        margin_mm: lid left around the document so no edge is lost.
        upright: also turn the cut-out upright by its text (a card put on the glass upside down).
    """
    bgr = to_bgr(image)
    if progress is not None:
        progress(0.0)
    quad: FloatArray | None = None
    if _lid_is_white(bgr):
        found = find_documents(bgr)
        quad = found[0] if found else None
    else:
        located = find_document_quad(bgr)
        if located is not None:
            quad = _level_order(np.asarray(located, np.float64))
    if progress is not None:
        progress(0.4)
    if quad is None or (cancelled is not None and cancelled()):
        return Cropped(image=bgr, found=False)
    pixels = (dpi or 300.0) * margin_mm / 25.4
    quad = _expand(quad, pixels)
    width, height = quad_size(quad)
    out_w, out_h = max(1, round(width)), max(1, round(height))
    dst = np.array([[0, 0], [out_w - 1, 0], [out_w - 1, out_h - 1], [0, out_h - 1]], np.float32)
    matrix = cv2.getPerspectiveTransform(quad.astype(np.float32), dst)
    h, w = bgr.shape[:2]
    band = max(2, round(min(h, w) * 0.01))
    lid = tuple(float(v) for v in _lid_colour(bgr[:: max(1, h // 400), :: max(1, w // 400)], 2))
    del band
    cut = np.asarray(
        cv2.warpPerspective(bgr, matrix, (out_w, out_h), flags=cv2.INTER_LINEAR, borderValue=lid),
        np.uint8,
    )
    tl, tr = quad[0], quad[1]
    angle = -math.degrees(math.atan2(tr[1] - tl[1], tr[0] - tl[0]))
    rotation = 0
    if upright:
        flat = straighten(cut, cancelled=cancelled)
        if flat.rotation:
            rotation = flat.rotation
            cut = rotate_clockwise(cut, rotation)
    if progress is not None:
        progress(1.0)
    return Cropped(image=cut, found=True, quad=quad, angle_deg=angle, rotation=rotation)
