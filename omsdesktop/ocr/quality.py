"""Image quality assessment: is this scan or photo good enough to read?

The checks run on a downscaled copy of the document region (about a megapixel) plus a few
full-resolution tiles of text, so a 12 MP photo costs tens of milliseconds.

* Text scale: the median height of ink connected components (characters) in the document.
* Blur is measured *relative to that text scale*: text tiles are resized so characters are
  ``normal_text_px`` tall, then the width of ink edges is estimated from the ratio of local
  contrast to peak gradient (a step blurred by a Gaussian of sigma has width ~2.5 sigma). A
  sharp 100 dpi image has narrow edges (1–2 px) but few pixels per character: that is
  ``low_resolution``, not ``blurry``; sharp small text is not ``blurry`` either.
* Exposure and contrast are measured on the paper (not the background around it).
* Glare is a blown-out, unsaturated patch on the paper, brighter than the paper around it
  (measured against a ring of paper around the patch, so a scan's white paper is no glare), big
  and thick enough relative to the document, and either falling off smoothly into the paper
  (a light's halo) or standing out strongly (a sharp-edged reflection).
* :func:`glare_regions` finds the same patches, and fingers over an edge, on the straightened
  page, so the pipeline can flag the fields under them.
* Cut-off: the paper runs into the frame edge while background shows elsewhere, or characters
  run into the frame edge (a scan cropped through its text).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, fields
from types import MappingProxyType
from typing import Any, Literal

import cv2
import numpy as np
import numpy.typing as npt

from omsdesktop.ocr.geometry import (
    LOCATE_MAX_SIDE,
    WORK_PIXELS,
    DocumentLocation,
    FloatArray,
    locate_document,
    resize,
    scale_for,
    to_bgr,
    to_gray,
)
from omsdesktop.ocr.types import Box, Image, Page, Problem, ProblemSpec, Severity

# --------------------------------------------------------------------------------------------
# Problem kinds (stable codes).

BLURRY = ProblemSpec(
    "blurry",
    "Снимок размыт: положите документ на ровную поверхность и переснимите, держа телефон "
    "неподвижно и дождавшись фокусировки.",
    "The image is blurred: lay the document on a flat surface and retake it, holding the phone "
    "still and letting it focus.",
)
LOW_RESOLUTION = ProblemSpec(
    "low_resolution",
    "Слишком низкое разрешение: буквы слишком мелкие, чтобы их прочитать. Отсканируйте документ "
    "с разрешением 300 dpi или сфотографируйте его ближе, чтобы он занимал весь кадр.",
    "The resolution is too low: the letters are too small to read. Scan the document at 300 dpi "
    "or take the photo closer so that the document fills the frame.",
)
TOO_DARK = ProblemSpec(
    "too_dark",
    "Снимок слишком тёмный: переснимите документ при хорошем освещении.",
    "The image is too dark: retake it in good light.",
)
TOO_BRIGHT = ProblemSpec(
    "too_bright",
    "Снимок пересвечен, текст бледный: уменьшите освещение или яркость сканера и переснимите.",
    "The image is washed out and the text is faint: reduce the light or the scanner brightness "
    "and retake it.",
)
LOW_CONTRAST = ProblemSpec(
    "low_contrast",
    "Текст плохо отличается от фона: переснимите документ при ровном ярком освещении или "
    "увеличьте контрастность сканера.",
    "The text hardly stands out from the paper: retake it in even, bright light or raise the "
    "scanner contrast.",
)
GLARE = ProblemSpec(
    "glare",
    "Блик закрывает часть документа: наклоните документ или телефон, выключите вспышку или "
    "отодвиньте лампу и переснимите.",
    "Glare covers part of the document: tilt the document or the phone, turn the flash off or "
    "move the lamp, and retake the photo.",
)
CUT_OFF = ProblemSpec(
    "cut_off",
    "Документ не поместился в кадр целиком: переснимите так, чтобы были видны все четыре края.",
    "The document is cut off by the frame edge: retake it so that all four edges are visible.",
)
TOO_SMALL = ProblemSpec(
    "too_small",
    "Документ занимает слишком малую часть кадра: поднесите телефон ближе, чтобы документ "
    "заполнил почти весь кадр.",
    "The document takes up too little of the frame: move the phone closer so the document "
    "fills most of the frame.",
)
NO_TEXT = ProblemSpec(
    "no_text",
    "На изображении не найден текст: проверьте, что выбран нужный файл и документ виден на снимке.",
    "No text was found in the image: check that this is the right file and the document is "
    "visible.",
)

PROBLEM_SPECS: Mapping[str, ProblemSpec] = MappingProxyType(
    {
        spec.code: spec
        for spec in (
            BLURRY,
            LOW_RESOLUTION,
            TOO_DARK,
            TOO_BRIGHT,
            LOW_CONTRAST,
            GLARE,
            CUT_OFF,
            TOO_SMALL,
            NO_TEXT,
        )
    }
)


@dataclass(frozen=True)
class QualityThresholds:
    """Every threshold of :func:`assess`. Defaults come from benchmarks/quality_calibration.py.

    Measurement parameters:
        normal_text_px: characters are resized to (at most) this height before edge widths
            are measured, so blur is judged relative to the text.
        glare_level: level (0–255) every colour channel must reach for a pixel to count as
            blown out.
        glare_max_saturation: blown-out pixels are unsaturated (HSV saturation below this).
        glare_min_patch: a blown-out patch smaller than this share of the document is ignored.
        glare_min_radius: ... and so is one thinner than this (radius of the largest disc
            inside it, as a share of the document's side): a fold's bright line is not glare.
        glare_min_halo: a patch whose edge falls off into the paper at least this much (0 =
            sharp, 1 = the paper beside it is as bright as the patch) has a light's halo.

    Decision thresholds:
        blur_rel: edge width / character height above which text counts as blurred ...
        blur_min_px: ... provided edges are also at least this wide in image pixels (a sharp
            low-resolution image is "low_resolution", not "blurry").
        min_text_px: characters (median ink-component height, image pixels) shorter than this
            are too few pixels to read: "low_resolution".
        min_declared_dpi: a declared resolution below this is too low when no text can be
            measured, or when characters are below ``min_text_px * declared_text_factor``.
        declared_text_factor: see ``min_declared_dpi``.
        dark_paper: paper brightness below which the image is too dark.
        bright_paper, bright_ink: paper at least this bright and ink lighter than
            ``bright_ink`` mean a washed-out image.
        min_contrast: paper − ink brightness below which the contrast is too low.
        glare_above_paper: a patch with a halo is glare when it is this much brighter than
            the paper around it (a scan's paper is white all over: nothing stands out) ...
        glare_sharp_above_paper: ... and a sharp-edged patch when it is this much brighter
            (white printed areas next to a pale guilloche are a little brighter and sharp).
        glare_min_share: glare patches covering this share of the document are reported.
        glare_text_share: glare lying this much inside the text block hides text: blocking.
        finger_min_redness: skin is at least this much redder (YCrCb Cr) than the paper, and
            half this much less blue (Cb).
        finger_min_share: a finger covers at least this share of the page ...
        finger_max_along: ... and runs along at most this share of the side it enters over
            (a strip of table left by the straightening runs along all of it).
        cut_min_touch: share of a frame side along which the paper must run into it.
        cut_min_margin: ink closer to a frame side than this (in character heights) means the
            page was cropped through its content.
        min_document_share: document area / frame area below which the document is too small.
    """

    normal_text_px: float = 24.0
    glare_level: float = 250.0
    glare_max_saturation: float = 40.0
    glare_min_patch: float = 0.001
    glare_min_radius: float = 0.006
    glare_min_halo: float = 0.3

    blur_rel: float = 0.12
    blur_min_px: float = 2.4
    min_text_px: float = 9.5
    min_declared_dpi: float = 120.0
    declared_text_factor: float = 1.4
    dark_paper: float = 90.0
    bright_paper: float = 245.0
    bright_ink: float = 160.0
    min_contrast: float = 50.0
    glare_above_paper: float = 8.0
    glare_sharp_above_paper: float = 25.0
    finger_min_redness: float = 8.0
    finger_min_share: float = 0.004
    finger_max_along: float = 0.45
    glare_min_share: float = 0.002
    glare_text_share: float = 0.3
    cut_min_touch: float = 0.5
    cut_min_margin: float = 0.3
    min_document_share: float = 0.25

    def to_json(self) -> dict[str, float]:
        return {f.name: float(getattr(self, f.name)) for f in fields(self)}

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> QualityThresholds:
        """Build from settings; unknown keys are ignored, missing ones keep their default."""
        kinds = {f.name: f.type for f in fields(cls)}
        kwargs: dict[str, Any] = {}
        for key, value in data.items():
            if key in kinds:
                kwargs[key] = int(value) if kinds[key] in ("int", int) else float(value)
        return cls(**kwargs)


@dataclass(frozen=True)
class QualityReport:
    """What :func:`assess` found.

    Attributes:
        ok: False exactly when a blocking problem is present.
        problems: every problem found, blocking first.
        metrics: the measurements behind the decision (for logs, calibration and the UI).
        document_quad: 4x2 corners (tl, tr, br, bl) of the document in the input image, when
            it was told apart from a background (None for a page that fills the frame).
    """

    ok: bool
    problems: tuple[Problem, ...]
    metrics: Mapping[str, float] = field(default_factory=dict)
    document_quad: FloatArray | None = None

    @property
    def codes(self) -> frozenset[str]:
        return frozenset(p.code for p in self.problems)

    @property
    def blocking(self) -> tuple[Problem, ...]:
        return tuple(p for p in self.problems if p.severity == "blocking")

    def to_json(self, lang: Literal["ru", "en"] = "ru") -> dict[str, Any]:
        return {"ok": self.ok, "problems": [p.to_json(lang) for p in self.problems]}


# --------------------------------------------------------------------------------------------
# Measurements.

SIDES = ("top", "right", "bottom", "left")

EFFECTIVE_DPI_PER_PX = 300.0 / 21.0
"""Median ink-component height of our documents at 300 dpi is ~21 px (mixed case, 11-14 pt)."""


@dataclass(frozen=True)
class TextScale:
    """Ink components of the document on the working copy."""

    height_px: float  # median character height in full-size pixels; 0 when no text
    count: int
    boxes: npt.NDArray[np.int32]  # N x 4 (x, y, w, h) of character-like components, work copy
    edge_boxes: npt.NDArray[np.int32]  # every ink component big enough to matter, work copy
    paper_level: float
    ink_level: float


def percentile_u8(values: Image, q: float) -> float:
    """Percentile of uint8 values through a histogram (much faster than np.percentile)."""
    if values.size == 0:
        return 0.0
    hist = np.bincount(values.ravel(), minlength=256)
    cum = np.cumsum(hist)
    return float(np.searchsorted(cum, q / 100.0 * (cum[-1] - 1) + 1))


def paper_normalised(gray: Image) -> Image:
    """Divide by a text-free background estimate: paper becomes ~255, ink stays dark."""
    h, w = gray.shape
    half = resize(gray, 0.5)
    k = max(9, round(min(h, w) / 60)) | 1
    kernel = cv2.getStructuringElement(cv2.MORPH_RECT, (k, k))
    background = cv2.morphologyEx(half, cv2.MORPH_CLOSE, kernel)
    background = cv2.resize(background, (w, h), interpolation=cv2.INTER_LINEAR)
    return np.asarray(cv2.divide(gray, np.maximum(background, 1), scale=255.0), np.uint8)


def _text_scale(gray: Image, region: Image, scale: float) -> TextScale:
    """Find character-like ink components on the working copy ``gray`` (full size * scale)."""
    h = gray.shape[0]
    norm8 = paper_normalised(gray)
    inside = region > 0
    values = norm8[inside]
    if values.size == 0:
        values = norm8.ravel()
    otsu, _ = cv2.threshold(values.reshape(1, -1), 0, 255, cv2.THRESH_BINARY + cv2.THRESH_OTSU)
    thr = float(np.clip(otsu, 120, 225))
    ink = ((norm8 < thr) & inside).astype(np.uint8) * 255
    _, _, stats, _ = cv2.connectedComponentsWithStats(ink, connectivity=8)
    stats = stats[1:]
    hs = stats[:, cv2.CC_STAT_HEIGHT]
    ws = stats[:, cv2.CC_STAT_WIDTH]
    areas = stats[:, cv2.CC_STAT_AREA]
    fill = areas / np.maximum(hs * ws, 1)
    keep = (hs >= 3) & (hs <= h / 12) & (ws <= 12 * hs) & (areas >= 5) & (fill < 0.9)
    boxes = stats[keep][:, :4].astype(np.int32)
    edge_boxes = stats[(areas >= 5) & ((hs >= 3) | (ws >= 3))][:, :4].astype(np.int32)
    paper_vals = gray[inside & (ink == 0)]
    paper_level = percentile_u8(paper_vals, 60) if paper_vals.size else float(gray.mean())
    ink_vals = gray[ink > 0]
    ink_level = percentile_u8(ink_vals, 30) if ink_vals.size else paper_level
    if len(boxes) < 8:
        return TextScale(0.0, len(boxes), boxes, edge_boxes, paper_level, ink_level)
    heights = boxes[:, 3].astype(np.float64)
    # Noise specks and punctuation are small; headings and seals are large. The median of the
    # component heights around the first median is a stable character height.
    med = float(np.median(heights))
    core = heights[(heights >= 0.5 * med) & (heights <= 2.5 * med)]
    height = float(np.median(core)) if core.size else med
    return TextScale(height / scale, len(boxes), boxes, edge_boxes, paper_level, ink_level)


MAX_EDGE_WIDTH = 12.0
"""Widest edge (px at the normalised text scale) that is measured; wider ones are noise."""


def _edge_widths(tile: Image) -> tuple[npt.NDArray[np.float32], npt.NDArray[np.int64]]:
    """Edge widths (px) and direction bins (0..3) at ridge points of strong edges.

    The width of an edge is its step height over its steepest slope: a sharp step is ~1 px
    wide, a step blurred by a Gaussian of sigma is ~2.5 sigma wide.
    """
    g = tile.astype(np.float32)
    gx = np.asarray(cv2.Sobel(g, cv2.CV_32F, 1, 0, ksize=3, scale=0.25), np.float32)
    gy = np.asarray(cv2.Sobel(g, cv2.CV_32F, 0, 1, ksize=3, scale=0.25), np.float32)
    mag = np.asarray(cv2.magnitude(gx, gy), np.float32)
    kernel = np.ones((15, 15), np.uint8)
    contrast = cv2.dilate(g, kernel) - cv2.erode(g, kernel)
    ridge = mag >= cv2.dilate(mag, np.ones((3, 3), np.uint8))
    strong_level = float(np.percentile(contrast[::2, ::2], 90))
    # Most of a tile is paper: the median gradient is the noise level. Edge points must stand
    # well above it, or noise next to a letter reads as an enormously wide edge.
    noise = float(np.median(mag[::2, ::2]))
    sel = (
        ridge
        & (mag > max(2.0, 4.0 * noise))
        & (mag * MAX_EDGE_WIDTH > contrast)
        & (contrast >= max(25.0, 0.6 * strong_level))
    )
    widths = contrast[sel] / np.maximum(mag[sel], 1e-3)
    angle = np.arctan2(gy[sel], gx[sel])
    bins = (np.round(angle / (np.pi / 4)).astype(np.int64)) % 4
    return widths.astype(np.float32), bins


def _edge_width(
    gray_full: Image, text: TextScale, work_scale: float, offset: tuple[int, int], normal_px: float
) -> tuple[float, float]:
    """Typical edge width at the normalised text scale, and that scale (normalised / full)."""
    norm_scale = min(1.0, normal_px / text.height_px) if text.height_px > 0 else 1.0
    boxes = text.boxes
    hw, ww = gray_full.shape[0] * work_scale, gray_full.shape[1] * work_scale
    # Tiles dense in text: a grid over the working copy, ranked by character count.
    tile_work = max(32, round(10 * text.height_px * work_scale)) if text.height_px else 128
    cells: list[tuple[int, int]] = []
    if boxes.size:
        gw = int(ww // tile_work) + 1
        gh = int(hw // tile_work) + 1
        cx = np.clip((boxes[:, 0] + boxes[:, 2] // 2) // tile_work, 0, gw - 1)
        cy = np.clip((boxes[:, 1] + boxes[:, 3] // 2) // tile_work, 0, gh - 1)
        counts = np.bincount(cy * gw + cx, minlength=gh * gw)
        order = np.argsort(-counts)[:12]
        cells = [(int(c // gw), int(c % gw)) for c in order if counts[c] >= 3]
    if not cells:
        cells = [(int(hw // tile_work) // 2, int(ww // tile_work) // 2)]
    widths: list[npt.NDArray[np.float32]] = []
    bins: list[npt.NDArray[np.int64]] = []
    full_tile = tile_work / work_scale
    fh, fw = gray_full.shape
    for row, col in cells:
        x0 = int(offset[0] + col * full_tile)
        y0 = int(offset[1] + row * full_tile)
        x1 = min(fw, int(x0 + full_tile))
        y1 = min(fh, int(y0 + full_tile))
        if x1 - x0 < 8 or y1 - y0 < 8:
            continue
        tile = resize(gray_full[y0:y1, x0:x1], norm_scale)
        if min(tile.shape) < 8:
            continue
        wd, bn = _edge_widths(tile)
        widths.append(wd)
        bins.append(bn)
    if not widths:
        return 0.0, norm_scale
    all_w = np.concatenate(widths)
    all_b = np.concatenate(bins)
    if all_w.size < 20:
        return (float(np.median(all_w)) if all_w.size else 0.0), norm_scale
    overall = float(np.median(all_w))
    per_dir = [
        float(np.median(all_w[all_b == b])) for b in range(4) if np.count_nonzero(all_b == b) >= 30
    ]
    # Motion blur spreads edges across one direction only: lean towards the worst direction.
    worst = max(per_dir) if per_dir else overall
    return max(overall, 0.5 * (overall + worst)), norm_scale


GLARE_WORK_PIXELS = 200_000
"""Pixel budget of the copy glare and occlusions are looked for on (they are big and smooth)."""

GLARE_CANDIDATES = 6
"""How many of the biggest blown-out patches :func:`measure` reports (for :func:`decide`)."""


@dataclass(frozen=True)
class GlarePatch:
    """One blown-out patch, measured on a downscaled copy.

    Attributes:
        box: x, y, w, h of the patch's core (the blown-out pixels) on that copy.
        label: the patch's label in the candidates' label image.
        share: core area / document area.
        radius: radius of the largest disc inside the core / the document's side (the square
            root of its area): a fold's bright line is thin.
        contrast: core brightness minus the paper around it (a ring 1.5–2.5 radii out).
        halo: how far the paper just outside the core is lifted towards the core's
            brightness (0 = a sharp edge like a white printed area; a light's reflection falls
            off smoothly, 0.4–0.8).
    """

    box: tuple[int, int, int, int]
    label: int
    share: float
    radius: float
    contrast: float
    halo: float


def is_glare(
    share: float,
    radius: float,
    contrast: float,
    halo: float,
    th: QualityThresholds,
    scan: bool = False,
) -> bool:
    """The decision on one blown-out patch (pure: calibration sweeps it).

    A patch is glare when it is big and thick enough relative to the document and stands out
    from the paper around it: by ``glare_above_paper`` when its edge falls off smoothly into
    the paper (the light's halo), by ``glare_sharp_above_paper`` when its edge is sharp (a
    scan's white printed area next to a pale guilloche is sharp-edged and only a little
    brighter than the paper). On a flatbed scan (``scan``) only a strong patch counts: a
    flatbed throws no reflections, while its white lid beside a skewed or tinted sheet is a
    little brighter than the paper and soft-edged at 200 dpi.
    """
    if share < th.glare_min_patch or radius < th.glare_min_radius:
        return False
    halo_ok = halo >= th.glare_min_halo and not scan
    return contrast >= (th.glare_above_paper if halo_ok else th.glare_sharp_above_paper)


def _odd(value: float, low: int = 3) -> int:
    return max(low, round(value)) | 1


def _border_strip(box: tuple[int, int, int, int], radius: float, area: int, w: int, h: int) -> bool:
    """A thin patch along the sides of the image: a scanner lid's white margin, the sheet's
    own unprinted edge, or bright background left by the straightening, not a reflection.

    Thin means the largest disc inside it is small for its area (a disc scores 1, a lamp's
    streak about 0.3, a margin strip or an L round a corner less)."""
    x, y, bw, bh = box
    band = 0.08 * min(w, h)
    near = x <= band or y <= band or x + bw >= w - band or y + bh >= h - band
    return near and radius < 0.4 * float(np.sqrt(area / np.pi))


def _blown_patches(
    bgr: Image, inside: npt.NDArray[np.bool_], th: QualityThresholds
) -> tuple[list[GlarePatch], npt.NDArray[np.int32]]:
    """Candidate glare: blown-out patches on the paper, measured for :func:`is_glare`.

    A candidate pixel is near-saturated in every channel and unsaturated in colour. Patches
    far below any sensible threshold (specks, hairlines) are dropped here already.

    Returns:
        The candidates, biggest first, and their label image.
    """
    h, w = bgr.shape[:2]
    n_inside = int(np.count_nonzero(inside))
    empty = np.zeros((h, w), np.int32)
    floor_share = 0.25 * th.glare_min_patch
    if n_inside == 0:
        return [], empty
    b, g, r = cv2.split(bgr)
    lo = cv2.min(cv2.min(b, g), r)
    cand = (lo >= th.glare_level) & inside
    if np.count_nonzero(cand) < floor_share * n_inside:
        return [], empty
    # Unsaturated: (max - min) / max below glare_max_saturation / 255.
    hi = cv2.max(cv2.max(b, g), r).astype(np.float32)
    cand &= (hi - lo) * 255.0 <= th.glare_max_saturation * np.maximum(hi, 1.0)
    side = float(np.sqrt(n_inside))
    opened = cv2.morphologyEx(
        cand.astype(np.uint8) * 255, cv2.MORPH_OPEN, np.ones((3, 3), np.uint8)
    )
    # Text faintly left inside the patch splits it: close gaps of a stroke or two.
    join = _odd(side * 0.008)
    cand8 = np.asarray(
        cv2.morphologyEx(opened, cv2.MORPH_CLOSE, np.ones((join, join), np.uint8)), np.uint8
    )
    cand8[~inside] = 0
    count, labels_any, stats, _ = cv2.connectedComponentsWithStats(cand8, connectivity=8)
    labels = np.asarray(labels_any, np.int32)
    if count <= 1:
        return [], labels
    gray = to_gray(bgr)
    # The paper with its text erased: the closing lifts ink to the paper around it.
    k_paper = _odd(side * 0.02)
    paper = cv2.morphologyEx(gray, cv2.MORPH_CLOSE, np.ones((k_paper, k_paper), np.uint8))
    floor_radius = 0.5 * th.glare_min_radius * side
    order = np.argsort(-stats[1:, cv2.CC_STAT_AREA]) + 1
    # The paper away from every candidate: the reference when a patch is so big that no
    # paper is left around it.
    rest = inside & (labels == 0)
    overall = percentile_u8(paper[rest], 60) if np.count_nonzero(rest) >= 64 else 0.0
    patches: list[GlarePatch] = []
    for i in order[: 4 * GLARE_CANDIDATES]:
        x, y, bw, bh, area = (int(v) for v in stats[i])
        if area < floor_share * n_inside or min(bw, bh) < 2 * floor_radius:
            continue
        r_eq = float(np.sqrt(area / np.pi))
        pad = round(2.6 * r_eq + k_paper)
        x0, y0 = max(0, x - pad), max(0, y - pad)
        x1, y1 = min(w, x + bw + pad), min(h, y + bh + pad)
        core = labels[y0:y1, x0:x1] == i
        core8 = core.astype(np.uint8)
        # Thickness of the patch with its holes filled: text still showing through a veil of
        # light leaves holes that say nothing about the reflection's size.
        contours, _ = cv2.findContours(core8, cv2.RETR_EXTERNAL, cv2.CHAIN_APPROX_SIMPLE)
        filled = np.zeros_like(core8)
        cv2.drawContours(filled, contours, -1, 1, thickness=-1)
        radius = float(cv2.distanceTransform(filled, cv2.DIST_L2, 3).max())
        filled_area = int(np.count_nonzero(filled))
        if radius < floor_radius or _border_strip((x, y, bw, bh), radius, filled_area, w, h):
            continue
        outer = cv2.distanceTransform(1 - core8, cv2.DIST_L2, 3)
        ok = inside[y0:y1, x0:x1] & ~(labels[y0:y1, x0:x1] > 0)
        # The halo right outside the core (past the pixel the downscaling blurs), on the grey
        # itself: a light's falloff is a few pixels wide here, a printed edge is not.
        near = ok & (outer > 1.5) & (outer <= 1.5 + max(2.0, 0.2 * r_eq))
        far_lo = 1.5 * r_eq + k_paper / 2
        far = ok & (outer > far_lo) & (outer <= far_lo + r_eq)
        if np.count_nonzero(near) < 4:
            continue
        gray_crop = gray[y0:y1, x0:x1]
        if np.count_nonzero(far) >= 8:
            far_level = percentile_u8(paper[y0:y1, x0:x1][far], 60)
        elif overall > 0:
            far_level = overall
        else:
            continue
        near_level = percentile_u8(gray_crop[near], 75)
        core_level = float(np.median(gray_crop[core]))
        contrast = core_level - far_level
        halo = (near_level - far_level) / max(contrast, 1.0)
        patches.append(
            GlarePatch((x, y, bw, bh), int(i), area / n_inside, radius / side, contrast, halo)
        )
        if len(patches) >= GLARE_CANDIDATES:
            break
    return patches, labels


def _mostly_blown(bgr: Image, inside: npt.NDArray[np.bool_], th: QualityThresholds) -> bool:
    """More than a third of ``inside`` is blown out."""
    lo = cv2.min(cv2.min(bgr[..., 0], bgr[..., 1]), bgr[..., 2])
    n = int(np.count_nonzero(inside))
    return n > 0 and int(np.count_nonzero((lo >= th.glare_level) & inside)) > n / 3


def _glare(
    bgr_work: Image, region: Image, text: TextScale, th: QualityThresholds, scan: bool
) -> dict[str, float]:
    """Glare metrics: the share of the document blown out and how much of it is in the text
    block (at ``th``), and every candidate patch's measurements (for :func:`decide`)."""
    s = scale_for(bgr_work.shape, max_pixels=GLARE_WORK_PIXELS)
    small = resize(bgr_work, s)
    shape = (small.shape[1], small.shape[0])
    inside = np.asarray(cv2.resize(region, shape, interpolation=cv2.INTER_NEAREST)) > 0
    sheet_is_glare = not inside.all() and _mostly_blown(small, inside, th)
    if sheet_is_glare:
        # A close-up with a big reflection: the "sheet" told apart from a "background" was
        # the reflection itself, the paper around it the background. Look at the whole frame.
        inside[:] = True
    if inside.all():
        # A page filling the frame (a scan): its outer margin is the scanner lid and the
        # sheet's unprinted edge, whiter than a tinted paper and never a reflection.
        band = max(1, round(0.05 * min(inside.shape)))
        inner = np.zeros_like(inside)
        inner[band:-band, band:-band] = True
        inside &= inner
    patches, labels = _blown_patches(small, inside, th)
    out: dict[str, float] = {"sheet_is_glare": float(sheet_is_glare)}
    block: tuple[int, int, int, int] | None = None
    if len(text.boxes) >= 8:
        # The text block: the box holding (nearly) all characters, plus two character heights.
        boxes = text.boxes.astype(np.float64) * s
        cx = boxes[:, 0] + boxes[:, 2] / 2.0
        cy = boxes[:, 1] + boxes[:, 3] / 2.0
        pad = 2.0 * float(np.median(boxes[:, 3]))
        bx0, bx1 = np.percentile(cx, [0.5, 99.5]) + np.array([-pad, pad])
        by0, by1 = np.percentile(cy, [0.5, 99.5]) + np.array([-pad, pad])
        block = (max(0, int(bx0)), max(0, int(by0)), int(bx1) + 1, int(by1) + 1)
    total = in_text = 0.0
    for n, p in enumerate(patches):
        in_block = 0.0
        if block is not None:
            x, y, bw, bh = p.box
            sub = labels[y : y + bh, x : x + bw] == p.label
            ys, xs = np.nonzero(sub)
            inb = (
                (xs + x >= block[0])
                & (xs + x < block[2])
                & (ys + y >= block[1])
                & (ys + y < block[3])
            )
            in_block = float(np.count_nonzero(inb)) / max(1, xs.size)
        out[f"glare_c{n}_share"] = round(p.share, 5)
        out[f"glare_c{n}_radius"] = round(p.radius, 4)
        out[f"glare_c{n}_contrast"] = round(p.contrast, 1)
        out[f"glare_c{n}_halo"] = round(p.halo, 3)
        out[f"glare_c{n}_in_text"] = round(in_block, 3)
        if is_glare(p.share, p.radius, p.contrast, p.halo, th, scan):
            total += p.share
            in_text += p.share * in_block
    out["glare_share"] = round(total, 4)
    out["glare_in_text"] = round(in_text / total, 3) if total > 0 else 0.0
    return out


def _is_scan(fills_frame: bool, background_visible: bool, dpi: float | None) -> bool:
    """A flatbed scan: the page fills the frame and the file declares its resolution (phone
    photos and the pages phone "scanner" apps crop out of them carry none: intake drops the
    72/96 placeholders)."""
    return fills_frame and not background_visible and dpi is not None


def is_scan(metrics: Mapping[str, float]) -> bool:
    """Whether :func:`measure`'s metrics describe a flatbed scan (see :func:`is_glare`)."""
    return _is_scan(
        metrics.get("fills_frame") == 1.0,
        metrics.get("background_visible") == 1.0,
        metrics.get("declared_dpi"),
    )


def glare_decision(metrics: Mapping[str, float], th: QualityThresholds) -> tuple[float, float]:
    """Glare share and its share in the text block under ``th``, from :func:`measure`'s
    candidate measurements (older metrics without them: their stored totals)."""
    if "glare_c0_share" not in metrics:
        return metrics.get("glare_share", 0.0), metrics.get("glare_in_text", 0.0)
    total = in_text = 0.0
    scan = is_scan(metrics)
    for n in range(GLARE_CANDIDATES):
        key = f"glare_c{n}_"
        if key + "share" not in metrics:
            break
        share = metrics[key + "share"]
        radius, contrast, halo = (metrics[key + k] for k in ("radius", "contrast", "halo"))
        if is_glare(share, radius, contrast, halo, th, scan):
            total += share
            in_text += share * metrics[key + "in_text"]
    return total, (in_text / total if total > 0 else 0.0)


def _ink_margins(text: TextScale, shape: tuple[int, int], scale: float) -> dict[str, float]:
    """Per frame side: the gap between the side and the nearest ink, in character heights.

    A scanned page keeps a blank margin on every side; a page cropped through its text has
    ink right at the edge.
    """
    h, w = shape
    boxes = text.edge_boxes
    ch = text.height_px * scale if text.height_px > 0 else 6.0
    far = 99.0
    if boxes.size == 0:
        return dict.fromkeys(SIDES, far)
    x, y, bw, bh = boxes[:, 0], boxes[:, 1], boxes[:, 2], boxes[:, 3]
    # Ignore specks, and lines spanning most of a side (a scanner's dark edge, not content).
    sized = np.maximum(bw, bh) >= 0.3 * ch
    long_h = bw >= 0.5 * w
    long_v = bh >= 0.5 * h

    def gap(values: npt.NDArray[np.int32], keep: npt.NDArray[np.bool_]) -> float:
        return float(values[keep].min()) / ch if np.any(keep) else far

    return {
        "top": gap(y, sized & ~long_h),
        "left": gap(x, sized & ~long_v),
        "bottom": gap(h - (y + bh), sized & ~long_h),
        "right": gap(w - (x + bw), sized & ~long_v),
    }


def _touch_shares(loc: DocumentLocation, small: Image, glare_level: float) -> dict[str, float]:
    """Share of each frame side along which the paper runs into it.

    Blown-out pixels do not count: glare spilling from the sheet onto the table and out of
    the frame is not paper.
    """
    mh, mw = loc.mask.shape
    tiny = np.asarray(cv2.resize(small, (mw, mh), interpolation=cv2.INTER_AREA), np.uint8)
    mask = (loc.mask > 0) & (tiny < glare_level)
    band = max(2, round(min(mask.shape) * 0.01))
    if loc.quad is not None:
        # Only the sheet itself: not a glare halo or a shadow joined to it.
        sheet = np.zeros((mh, mw), np.uint8)
        cv2.fillConvexPoly(sheet, np.round(loc.quad * loc.mask_scale).astype(np.int32), 255)
        grown = cv2.dilate(sheet, np.ones((2 * band + 1, 2 * band + 1), np.uint8))
        mask &= np.asarray(grown) > 0
    return {
        "top": float(np.mean(mask[:band, :].max(axis=0))),
        "bottom": float(np.mean(mask[-band:, :].max(axis=0))),
        "left": float(np.mean(mask[:, :band].max(axis=1))),
        "right": float(np.mean(mask[:, -band:].max(axis=1))),
    }


def _region_mask(
    loc: DocumentLocation, crop: tuple[int, int, int, int], shape: tuple[int, int]
) -> Image:
    """The paper mask cut to the crop and sized like the working copy, edges eroded."""
    if loc.fills_frame and not loc.background_visible:
        return np.full(shape, 255, np.uint8)
    x0, y0, x1, y1 = crop
    ms = loc.mask_scale
    mh, mw = loc.mask.shape
    mx0, my0 = min(mw - 1, round(x0 * ms)), min(mh - 1, round(y0 * ms))
    mx1, my1 = max(mx0 + 1, round(x1 * ms)), max(my0 + 1, round(y1 * ms))
    mask = np.asarray(
        cv2.resize(
            loc.mask[my0:my1, mx0:mx1], (shape[1], shape[0]), interpolation=cv2.INTER_NEAREST
        ),
        np.uint8,
    )
    # Stay clear of the paper's edge: its shadow and the background are not text.
    k = max(3, round(min(shape) * 0.015)) | 1
    return np.asarray(cv2.erode(mask, np.ones((k, k), np.uint8)), np.uint8)


def _image_of(page: Page | Image) -> tuple[Image, float | None]:
    if isinstance(page, Page):
        return page.image, page.dpi
    return page, None


def measure(
    page: Page | Image,
    thresholds: QualityThresholds = QualityThresholds(),
    dpi: float | None = None,
) -> tuple[dict[str, float], FloatArray | None]:
    """All the measurements :func:`decide` needs, and the document quad if one was found."""
    image, page_dpi = _image_of(page)
    declared_dpi = dpi if dpi is not None else page_dpi
    th = thresholds
    gray = to_gray(image)
    fh, fw = gray.shape
    frame_scale = scale_for(gray.shape, max_pixels=WORK_PIXELS)
    small = resize(gray, frame_scale)
    colour = None
    if image.ndim == 3:
        ts = scale_for(gray.shape, max_side=LOCATE_MAX_SIDE)
        colour = np.asarray(
            cv2.resize(
                to_bgr(image),
                (max(1, round(fw * ts)), max(1, round(fh * ts))),
                interpolation=cv2.INTER_LINEAR,
            ),
            np.uint8,
        )
    loc = locate_document(small, scale=frame_scale, colour=colour)

    # The working copy covers the document's bounding box (or the whole frame).
    if loc.quad is not None:
        x0 = max(0, int(np.floor(loc.quad[:, 0].min())))
        y0 = max(0, int(np.floor(loc.quad[:, 1].min())))
        x1 = min(fw, int(np.ceil(loc.quad[:, 0].max())))
        y1 = min(fh, int(np.ceil(loc.quad[:, 1].max())))
    else:
        x0, y0, x1, y1 = 0, 0, fw, fh
    ws = scale_for((y1 - y0, x1 - x0), max_pixels=WORK_PIXELS)
    if ws <= frame_scale * 1.25:
        # Cut the crop out of the frame's working copy: no second pass over the full image.
        ws = frame_scale
        sx0, sy0 = round(x0 * ws), round(y0 * ws)
        sx1, sy1 = max(sx0 + 1, round(x1 * ws)), max(sy0 + 1, round(y1 * ws))
        gray_work = small[sy0:sy1, sx0:sx1]
    else:
        # A small document in a big frame: read it at a finer scale.
        gray_work = resize(gray[y0:y1, x0:x1], ws)
    if image.ndim == 3:
        bgr_work = np.asarray(
            cv2.resize(
                to_bgr(image[y0:y1, x0:x1]),
                (gray_work.shape[1], gray_work.shape[0]),
                interpolation=cv2.INTER_LINEAR,
            ),
            np.uint8,
        )
    else:
        bgr_work = to_bgr(gray_work)
    region = _region_mask(loc, (x0, y0, x1, y1), gray_work.shape)

    text = _text_scale(gray_work, region, ws)
    edge_norm, norm_scale = _edge_width(gray, text, ws, (x0, y0), th.normal_text_px)
    norm_text = text.height_px * norm_scale if text.height_px > 0 else 0.0
    scan = _is_scan(loc.fills_frame, loc.background_visible, declared_dpi)
    glare = _glare(bgr_work, region, text, th, scan)
    margins = _ink_margins(text, gray_work.shape, ws)
    # Ink running into the frame edge tells a cropped page only when the page fills the
    # frame; a photographed sheet is judged by its outline (touch_* below).
    at_edge = dict.fromkeys(SIDES, loc.quad is None)
    margins = {side: gap if at_edge[side] else 99.0 for side, gap in margins.items()}
    touch = _touch_shares(loc, small, th.glare_level)

    metrics: dict[str, float] = {
        "text_height_px": round(text.height_px, 2),
        "text_components": float(text.count),
        "effective_dpi": round(text.height_px * EFFECTIVE_DPI_PER_PX, 1),
        "edge_width_px": round(edge_norm / norm_scale if norm_scale > 0 else edge_norm, 3),
        "edge_width_norm_px": round(edge_norm, 3),
        "blur_score": round(edge_norm / norm_text if norm_text > 0 else 0.0, 4),
        "paper_level": round(text.paper_level, 1),
        "ink_level": round(text.ink_level, 1),
        "contrast": round(text.paper_level - text.ink_level, 1),
        **glare,
        "document_share": round(loc.area_share, 4),
        "fills_frame": float(loc.fills_frame),
        "background_visible": float(loc.background_visible),
        "document_found": float(loc.quad is not None),
        "work_scale": round(ws, 4),
    }
    for side in SIDES:
        metrics[f"touch_{side}"] = round(touch[side], 3)
        metrics[f"margin_{side}"] = round(margins[side], 3)
    if declared_dpi is not None:
        metrics["declared_dpi"] = float(declared_dpi)
    return metrics, loc.quad


def decide(metrics: Mapping[str, float], thresholds: QualityThresholds) -> list[Problem]:
    """Turn measurements into problems (pure: used by calibration to sweep thresholds)."""
    th = thresholds
    m = metrics
    problems: list[Problem] = []

    def add(spec: ProblemSpec, severity: Severity) -> None:
        problems.append(Problem.of(spec, severity))

    text_h = m["text_height_px"]
    has_text = text_h > 0
    blurry = has_text and m["blur_score"] > th.blur_rel and m["edge_width_px"] > th.blur_min_px
    if blurry:
        add(BLURRY, "blocking")
    declared = m.get("declared_dpi")
    # A scanner's declared resolution (intake drops the 72/96 placeholders of cameras) tips
    # borderline cases: small characters from a low-dpi scan are too coarse.
    coarse_scan = (
        declared is not None
        and declared < th.min_declared_dpi
        and text_h < th.min_text_px * th.declared_text_factor
    )
    if has_text and (text_h < th.min_text_px or coarse_scan):
        add(LOW_RESOLUTION, "blocking")

    too_dark = m["paper_level"] < th.dark_paper
    # Without measurable text only a clipped-white page counts as washed out (a blank
    # light page is "no text").
    too_bright = (
        not blurry
        and m["paper_level"] >= th.bright_paper
        and (m["ink_level"] > th.bright_ink if has_text else m["paper_level"] >= 252.0)
    )
    if too_dark:
        add(TOO_DARK, "blocking")
    elif too_bright:
        add(TOO_BRIGHT, "blocking")
    elif has_text and m["contrast"] < th.min_contrast:
        add(LOW_CONTRAST, "blocking")
    exposure_bad = bool(problems) and problems[-1].code in (
        "too_dark",
        "too_bright",
        "low_contrast",
    )

    if not has_text:
        if declared is not None and declared < th.min_declared_dpi:
            add(LOW_RESOLUTION, "blocking")
        elif not (too_dark or too_bright):
            add(NO_TEXT, "blocking")

    glare_share, glare_in_text = glare_decision(m, th)
    # A page washed out all over is "too bright": its white is no reflection of a lamp.
    if glare_share >= th.glare_min_share and not too_bright:
        add(GLARE, "blocking" if glare_in_text >= th.glare_text_share else "warning")

    # When the "sheet" found in a close-up was a big reflection, its outline says nothing
    # about the paper's size or edges.
    sheet_is_glare = m.get("sheet_is_glare", 0.0) == 1.0
    photo_cut = (
        m["fills_frame"] == 0.0
        and m["background_visible"] == 1.0
        and not sheet_is_glare
        and any(m[f"touch_{s}"] >= th.cut_min_touch for s in SIDES)
    )
    # With bad exposure noise passes for ink; the ink margins then mean nothing.
    margin = min(m[f"margin_{s}"] for s in SIDES) if not exposure_bad else 99.0
    if photo_cut or margin < th.cut_min_margin:
        add(CUT_OFF, "blocking")

    if (
        m["fills_frame"] == 0.0
        and m["document_share"] < th.min_document_share
        and not sheet_is_glare
    ):
        add(TOO_SMALL, "blocking")

    problems.sort(key=lambda p: p.severity != "blocking")
    return problems


def assess(
    page: Page | Image,
    thresholds: QualityThresholds = QualityThresholds(),
    dpi: float | None = None,
) -> QualityReport:
    """Assess whether a page image is good enough to read.

    Args:
        page: a decoded page (or a bare BGR/grey image).
        thresholds: the decision thresholds (user settings, "advanced").
        dpi: declared resolution, overriding the page's own; used only when no text is found.

    Returns:
        The report; ``ok`` is False exactly when a blocking problem was found.
    """
    metrics, quad = measure(page, thresholds, dpi)
    problems = decide(metrics, thresholds)
    ok = not any(p.severity == "blocking" for p in problems)
    return QualityReport(
        ok=ok, problems=tuple(problems), metrics=MappingProxyType(metrics), document_quad=quad
    )


# --------------------------------------------------------------------------------------------
# Glare and fingers on the straightened page, for flagging the fields under them.

GLARE_OVER_FIELD = ProblemSpec(
    "occluded",
    "Блик или палец закрывает это поле: сфотографируйте документ ещё раз, без вспышки, "
    "не закрывая его пальцами, и сверьте значение с документом.",
    "Glare or a finger covers this field: photograph the document again, without the flash and "
    "without fingers over it, and compare the value with the document.",
)
"""The field problem given to fields under a :func:`glare_regions` box."""


def _finger_boxes(bgr: Image, th: QualityThresholds) -> list[tuple[int, int, int, int]]:
    """Skin-coloured blobs entering the page over one of its edges (a finger or a thumb).

    Skin is redder and less blue than the paper (YCrCb chroma, measured against the paper's
    own chroma so that warm light does not make the paper "skin"). A wooden table is as skin-
    coloured as a finger: a strip of table left along a side by an imperfect straightening
    runs along most of that side, a finger along a small part of it. A desk lamp's warm pool
    of light is skin-coloured too, but has no outline.
    """
    h, w = bgr.shape[:2]
    ycc = np.asarray(cv2.cvtColor(bgr, cv2.COLOR_BGR2YCrCb), np.uint8)
    y, cr, cb = ycc[..., 0], ycc[..., 1].astype(np.int16), ycc[..., 2].astype(np.int16)
    paper_cr = percentile_u8(ycc[..., 1], 30)
    paper_cb = percentile_u8(ycc[..., 2], 70)
    skin = (
        (cr - paper_cr >= th.finger_min_redness)
        & (paper_cb - cb >= th.finger_min_redness / 2)
        & (cr <= 185)
        & (cb >= 70)
        & (y >= 40)
    )
    side = float(np.sqrt(h * w))
    k = _odd(side * 0.015)
    skin8 = cv2.morphologyEx(skin.astype(np.uint8) * 255, cv2.MORPH_OPEN, np.ones((k, k), np.uint8))
    count, labels, stats, _ = cv2.connectedComponentsWithStats(skin8, connectivity=8)
    band = max(2, round(0.02 * min(h, w)))
    ring = np.ones((5, 5), np.uint8)
    boxes: list[tuple[int, int, int, int]] = []
    for i in range(1, count):
        x, yy, bw, bh, area = (int(v) for v in stats[i])
        if area < th.finger_min_share * h * w:
            continue
        # A finger's outline is a step in colour; a lamp's warm pool fades in smoothly, so
        # thresholding it gives a blob with no step at its edge.
        x0, y0, x1, y1 = max(0, x - 3), max(0, yy - 3), min(w, x + bw + 3), min(h, yy + bh + 3)
        blob = (labels[y0:y1, x0:x1] == i).astype(np.uint8)
        inner = (blob > 0) & (cv2.erode(blob, ring) == 0)
        outer = (cv2.dilate(blob, ring) > 0) & (blob == 0)
        if np.count_nonzero(outer) < 8 or np.count_nonzero(inner) < 8:
            continue
        crop = cr[y0:y1, x0:x1]
        if float(np.median(crop[inner]) - np.median(crop[outer])) < th.finger_min_redness / 2:
            continue
        # (touches, extent along the side / side length, depth into the page / page depth)
        sides = (
            (yy <= band, bw / w, bh / h),
            (yy + bh >= h - band, bw / w, bh / h),
            (x <= band, bh / h, bw / w),
            (x + bw >= w - band, bh / h, bw / w),
        )
        touching = [(along, depth) for touches, along, depth in sides if touches]
        if not touching or len(touching) > 2:
            continue
        if all(along <= th.finger_max_along and depth >= 0.04 for along, depth in touching):
            boxes.append((x, yy, bw, bh))
    return boxes


def _downscaled(image: Image, max_pixels: int) -> Image:
    """A BGR copy within ``max_pixels``, cheaply: sampling to twice the size, then area
    averaging (area averaging a 12 MP page directly costs ~25 ms, this ~4 ms)."""
    h, w = image.shape[:2]
    s = scale_for((h, w), max_pixels=max_pixels)
    if s >= 1.0:
        return to_bgr(image)
    small = image
    if s < 0.5:
        size = (max(1, round(2 * s * w)), max(1, round(2 * s * h)))
        small = np.asarray(cv2.resize(image, size, interpolation=cv2.INTER_NEAREST), np.uint8)
    size = (max(1, round(s * w)), max(1, round(s * h)))
    return to_bgr(np.asarray(cv2.resize(small, size, interpolation=cv2.INTER_AREA), np.uint8))


def glare_regions(
    image: Image, thresholds: QualityThresholds = QualityThresholds(), *, scan: bool = False
) -> list[Box]:
    """Blown-out patches and fingers over a straightened page, in the page's pixel coordinates.

    Works on a copy of about :data:`GLARE_WORK_PIXELS` pixels, so a 12 MP page costs a few tens
    of milliseconds. A grey image has no colour: only glare is looked for there.

    Args:
        image: the straightened page (BGR or grey).
        thresholds: the same thresholds :func:`assess` uses.
        scan: the page is a flatbed scan (:func:`is_scan` of its quality metrics): only strong
            patches count (a tinted blank's whiter margins are no reflection).
    """
    if image.size == 0 or image.ndim not in (2, 3):
        return []
    h, w = image.shape[:2]
    small = _downscaled(image, GLARE_WORK_PIXELS)
    sy, sx = h / small.shape[0], w / small.shape[1]
    inside = np.ones(small.shape[:2], bool)
    patches, _ = _blown_patches(small, inside, thresholds)
    boxes: list[tuple[float, float, float, float]] = []
    for p in patches:
        if not is_glare(p.share, p.radius, p.contrast, p.halo, thresholds, scan):
            continue
        px, py, pw, ph = p.box
        grow = max(2.0, 0.15 * float(np.sqrt(pw * ph)))  # the halo dims text too
        boxes.append((px - grow, py - grow, pw + 2 * grow, ph + 2 * grow))
    if image.ndim == 3:
        # A finger is big: half the resolution is plenty.
        half = resize(small, 0.5)
        boxes.extend(
            (2.0 * x, 2.0 * y, 2.0 * bw, 2.0 * bh)
            for x, y, bw, bh in _finger_boxes(half, thresholds)
        )
    out: list[Box] = []
    for x, y, bw, bh in boxes:
        x0, y0 = max(0, int(np.floor(x * sx))), max(0, int(np.floor(y * sy)))
        x1, y1 = min(w, int(np.ceil((x + bw) * sx))), min(h, int(np.ceil((y + bh) * sy)))
        if x1 > x0 and y1 > y0:
            out.append(Box(x0, y0, x1 - x0, y1 - y0))
    return out


def boxes_overlap(a: Box, b: Box) -> bool:
    """True when two boxes share some area."""
    return (
        a.x < b.x + b.width
        and b.x < a.x + a.width
        and a.y < b.y + b.height
        and b.y < a.y + a.height
    )
