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
* Glare is a blown-out, unsaturated patch on the paper, brighter than the paper around it.
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
from omsdesktop.ocr.types import Image, Page, Problem, ProblemSpec, Severity

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
    "На снимке блик, он закрывает часть документа: переснимите без вспышки, немного изменив "
    "наклон телефона или положение лампы.",
    "There is glare covering part of the document: retake it without the flash, tilting the "
    "phone or moving the lamp a little.",
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
        glare_level: brightness (0–255) from which a pixel counts as blown out.
        glare_max_saturation: blown-out pixels are unsaturated (HSV saturation below this).

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
        glare_above_paper: glare is only looked for on paper at least this much darker than
            ``glare_level`` (a scan's paper is white all over).
        glare_min_share: blown-out patches covering this share of the document are glare.
        glare_text_share: glare lying this much inside the text block hides text: blocking.
        cut_min_touch: share of a frame side along which the paper must run into it.
        cut_min_margin: ink closer to a frame side than this (in character heights) means the
            page was cropped through its content.
        min_document_share: document area / frame area below which the document is too small.
    """

    normal_text_px: float = 24.0
    glare_level: float = 250.0
    glare_max_saturation: float = 40.0

    blur_rel: float = 0.12
    blur_min_px: float = 2.4
    min_text_px: float = 9.5
    min_declared_dpi: float = 120.0
    declared_text_factor: float = 1.4
    dark_paper: float = 90.0
    bright_paper: float = 245.0
    bright_ink: float = 160.0
    min_contrast: float = 50.0
    glare_above_paper: float = 15.0
    glare_min_share: float = 0.01
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


def _glare(
    bgr_work: Image, gray_work: Image, region: Image, text: TextScale, th: QualityThresholds
) -> tuple[float, float]:
    """Share of the document that is blown out, and the share of that glare in the text block."""
    inside = region > 0
    n_inside = int(np.count_nonzero(inside))
    if n_inside == 0:
        return 0.0, 0.0
    # A scan's paper is white everywhere; glare is blown out *against* a greyer paper.
    if text.paper_level >= th.glare_level - th.glare_above_paper:
        return 0.0, 0.0
    bright = (gray_work >= th.glare_level) & inside
    if np.count_nonzero(bright) < th.glare_min_share * n_inside * 0.25:
        return 0.0, 0.0
    top = bgr_work.max(axis=2)
    spread = cv2.subtract(top, bgr_work.min(axis=2))
    sat = spread.astype(np.float32) * 255.0 / np.maximum(top, 1).astype(np.float32)
    blown8 = (bright & (sat <= th.glare_max_saturation)).astype(np.uint8) * 255
    k = max(3, round(min(gray_work.shape) * 0.01)) | 1
    blown8 = cv2.morphologyEx(blown8, cv2.MORPH_OPEN, np.ones((k, k), np.uint8))
    count, labels, stats, _ = cv2.connectedComponentsWithStats(blown8, connectivity=8)
    if count <= 1:
        return 0.0, 0.0
    min_area = th.glare_min_share * n_inside * 0.25
    big = [i for i in range(1, count) if stats[i, cv2.CC_STAT_AREA] >= min_area]
    if not big:
        return 0.0, 0.0
    glare = np.isin(labels, big)
    n_glare = int(np.count_nonzero(glare))
    share = n_glare / n_inside
    # The text block: the box holding (nearly) all characters, plus two character heights.
    if len(text.boxes) < 8:
        return share, 0.0
    cx = text.boxes[:, 0] + text.boxes[:, 2] / 2.0
    cy = text.boxes[:, 1] + text.boxes[:, 3] / 2.0
    pad = 2.0 * float(np.median(text.boxes[:, 3]))
    x0, x1 = np.percentile(cx, [0.5, 99.5]) + np.array([-pad, pad])
    y0, y1 = np.percentile(cy, [0.5, 99.5]) + np.array([-pad, pad])
    in_block = int(
        np.count_nonzero(glare[max(0, int(y0)) : int(y1) + 1, max(0, int(x0)) : int(x1) + 1])
    )
    return share, in_block / max(1, n_glare)


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
    glare_share, glare_in_text = _glare(bgr_work, gray_work, region, text, th)
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
        "glare_share": round(glare_share, 4),
        "glare_in_text": round(glare_in_text, 3),
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

    if m["glare_share"] >= th.glare_min_share:
        add(GLARE, "blocking" if m["glare_in_text"] >= th.glare_text_share else "warning")

    photo_cut = (
        m["fills_frame"] == 0.0
        and m["background_visible"] == 1.0
        and any(m[f"touch_{s}"] >= th.cut_min_touch for s in SIDES)
    )
    # With bad exposure noise passes for ink; the ink margins then mean nothing.
    margin = min(m[f"margin_{s}"] for s in SIDES) if not exposure_bad else 99.0
    if photo_cut or margin < th.cut_min_margin:
        add(CUT_OFF, "blocking")

    if m["fills_frame"] == 0.0 and m["document_share"] < th.min_document_share:
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
