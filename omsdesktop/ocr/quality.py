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
  are sliced by the frame edge.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, fields
from types import MappingProxyType
from typing import Any

import cv2
import numpy as np
import numpy.typing as npt

from omsdesktop.ocr.geometry import (
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
    "На изображении не найден текст: проверьте, что выбран нужный файл и документ виден на "
    "снимке.",
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

    Attributes:
        normal_text_px: characters are resized to this height before edges are measured.
        blur_rel: edge width / character height above which text counts as blurred.
        blur_min_px: ... but only if edges are also at least this wide in the original pixels
            (a sharp low-resolution image is "low_resolution", not "blurry").
        min_text_px: characters (median ink-component height) shorter than this are too few
            pixels to read: "low_resolution".
        min_declared_dpi: with no measurable text, a declared resolution below this is too low.
        dark_paper: paper brightness (0–255) below which the image is too dark.
        bright_ink: ink brightness above which the text is washed out ...
        bright_paper: ... when the paper is at least this bright.
        min_contrast: paper − ink brightness below which contrast is too low.
        glare_level: brightness from which a pixel counts as blown out.
        glare_max_saturation: blown-out pixels are unsaturated (HSV S below this).
        glare_above_paper: glare is this much brighter than the typical paper.
        glare_min_share: glare patches covering this share of the document are reported.
        glare_text_share: glare inside the text area above this share blocks reading.
        cut_min_touch: share of a frame side the paper must run along to count as touching it.
        cut_text_components: this many characters sliced by the frame edge mean a cut-off page.
        min_document_share: document area / frame area below which the document is too small.
    """

    normal_text_px: float = 24.0
    blur_rel: float = 0.16
    blur_min_px: float = 2.6
    min_text_px: float = 13.0
    min_declared_dpi: float = 150.0
    dark_paper: float = 95.0
    bright_ink: float = 150.0
    bright_paper: float = 235.0
    min_contrast: float = 60.0
    glare_level: float = 250.0
    glare_max_saturation: float = 40.0
    glare_above_paper: float = 20.0
    glare_min_share: float = 0.01
    glare_text_share: float = 0.3
    cut_min_touch: float = 0.3
    cut_text_components: int = 3
    min_document_share: float = 0.2

    def to_json(self) -> dict[str, float]:
        return {f.name: float(getattr(self, f.name)) for f in fields(self)}

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> QualityThresholds:
        """Build from settings; unknown keys are ignored, missing ones keep their default."""
        known = {f.name: f for f in fields(cls)}
        kwargs: dict[str, Any] = {}
        for key, value in data.items():
            if key in known:
                kwargs[key] = int(value) if known[key].type in ("int", int) else float(value)
        return cls(**kwargs)


@dataclass(frozen=True)
class QualityReport:
    """What :func:`assess` found.

    Attributes:
        ok: False exactly when a blocking problem is present.
        problems: every problem found, blocking first.
        metrics: the numbers behind the decision (for logs, calibration and the UI).
        document_quad: 4x2 corners (tl, tr, br, bl) of the document in the input image, if the
            document was told apart from a background.
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

    def to_json(self) -> dict[str, Any]:
        return {"ok": self.ok, "problems": [p.to_json() for p in self.problems]}


# --------------------------------------------------------------------------------------------
# Measurements.


@dataclass(frozen=True)
class TextScale:
    """Ink components of the document on the working copy."""

    height_px: float  # median character height in full-size pixels; 0 when no text
    count: int
    boxes: npt.NDArray[np.int32]  # N x 4 (x, y, w, h) on the working copy
    ink_mask: Image  # 255 = ink on the working copy
    paper_level: float
    ink_level: float


def _region_mask(loc: DocumentLocation, shape: tuple[int, int]) -> Image:
    mask = loc.mask
    if mask.shape != shape:
        mask = np.asarray(
            cv2.resize(mask, (shape[1], shape[0]), interpolation=cv2.INTER_NEAREST),
            dtype=np.uint8,
        )
    # Stay clear of the paper edge: its shadow and the background are not text.
    if not loc.fills_frame or loc.background_visible:
        k = max(3, round(min(shape) * 0.01)) | 1
        mask = np.asarray(cv2.erode(mask, np.ones((k, k), np.uint8)), dtype=np.uint8)
    return mask


def _text_scale(gray: Image, region: Image, scale: float) -> TextScale:
    """Find character-like ink components on the working copy ``gray`` (full size * scale)."""
    h, w = gray.shape
    k = max(15, round(min(h, w) / 30)) | 1
    kernel = cv2.getStructuringElement(cv2.MORPH_RECT, (k, k))
    background = cv2.morphologyEx(gray, cv2.MORPH_CLOSE, kernel)
    background = np.maximum(background, 1)
    norm = np.clip(gray.astype(np.float32) / background.astype(np.float32) * 255.0, 0, 255)
    norm8 = norm.astype(np.uint8)
    inside = region > 0
    values = norm8[inside]
    if values.size == 0:
        values = norm8.ravel()
    otsu, _ = cv2.threshold(values.reshape(1, -1), 0, 255, cv2.THRESH_BINARY + cv2.THRESH_OTSU)
    thr = float(np.clip(otsu, 120, 225))
    ink = ((norm8 < thr) & inside).astype(np.uint8) * 255
    count, _, stats, _ = cv2.connectedComponentsWithStats(ink, connectivity=8)
    stats = stats[1:]
    hs = stats[:, cv2.CC_STAT_HEIGHT]
    ws = stats[:, cv2.CC_STAT_WIDTH]
    areas = stats[:, cv2.CC_STAT_AREA]
    fill = areas / np.maximum(hs * ws, 1)
    keep = (hs >= 3) & (hs <= h / 12) & (ws <= 12 * hs) & (areas >= 5) & (fill < 0.9)
    boxes = stats[keep][:, :4].astype(np.int32)
    paper_vals = gray[inside & (ink == 0)]
    paper_level = float(np.percentile(paper_vals, 60)) if paper_vals.size else float(gray.mean())
    ink_vals = gray[ink > 0]
    ink_level = float(np.percentile(ink_vals, 30)) if ink_vals.size else paper_level
    if len(boxes) < 8:
        return TextScale(0.0, int(len(boxes)), boxes, ink, paper_level, ink_level)
    heights = boxes[:, 3].astype(np.float64)
    # Noise specks and punctuation are small; headings and seals are large. The median of the
    # component heights above the speck level is a stable character height.
    med = float(np.median(heights))
    core = heights[(heights >= 0.5 * med) & (heights <= 2.5 * med)]
    height = float(np.median(core)) if core.size else med
    return TextScale(height / scale, int(len(boxes)), boxes, ink, paper_level, ink_level)


def _edge_widths(tile: Image) -> tuple[npt.NDArray[np.float32], npt.NDArray[np.int64]]:
    """Edge widths (px) and direction bins (0..3) at ridge points of strong edges."""
    g = tile.astype(np.float32)
    gx = cv2.Sobel(g, cv2.CV_32F, 1, 0, ksize=3) / 4.0
    gy = cv2.Sobel(g, cv2.CV_32F, 0, 1, ksize=3) / 4.0
    mag = cv2.magnitude(gx, gy)
    k = 7
    kernel = np.ones((k, k), np.uint8)
    contrast = cv2.dilate(g, kernel) - cv2.erode(g, kernel)
    ridge = mag >= cv2.dilate(mag, np.ones((3, 3), np.uint8))
    strong_level = float(np.percentile(contrast, 90))
    sel = ridge & (mag > 2.0) & (contrast >= max(25.0, 0.6 * strong_level))
    widths = contrast[sel] / np.maximum(mag[sel], 1e-3)
    angle = np.arctan2(gy[sel], gx[sel])
    bins = (np.round(angle / (np.pi / 4)).astype(np.int64)) % 4
    return widths.astype(np.float32), bins


def _edge_width(
    gray_full: Image, text: TextScale, work_scale: float, offset: tuple[int, int], normal_px: float
) -> tuple[float, float]:
    """Median edge width at the normalised text scale, and that scale (normalised / full)."""
    norm_scale = min(1.0, normal_px / text.height_px) if text.height_px > 0 else 1.0
    boxes = text.boxes
    # Pick tiles dense in text: a grid over the working copy, tiles ranked by ink components.
    tile_work = max(32, round(10 * text.height_px * work_scale)) if text.height_px else 128
    hw, ww = text.ink_mask.shape
    if boxes.size:
        cx = (boxes[:, 0] + boxes[:, 2] // 2) // tile_work
        cy = (boxes[:, 1] + boxes[:, 3] // 2) // tile_work
        gw = ww // tile_work + 1
        counts = np.bincount(cy * gw + cx, minlength=(hw // tile_work + 1) * gw)
        order = np.argsort(-counts)[:12]
        cells = [(int(c // gw), int(c % gw)) for c in order if counts[c] >= 3]
    else:
        cells = []
    if not cells:
        gh = max(1, hw // tile_work)
        gw2 = max(1, ww // tile_work)
        cells = [(gh // 2, gw2 // 2)]
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
        return float(np.median(all_w)) if all_w.size else 0.0, norm_scale
    per_dir = [
        float(np.median(all_w[all_b == b])) for b in range(4) if np.count_nonzero(all_b == b) >= 30
    ]
    overall = float(np.median(all_w))
    # Motion blur spreads edges across one direction only: take the worst direction, but do
    # not let a sparse direction dominate.
    worst = max(per_dir) if per_dir else overall
    return max(overall, 0.5 * (overall + worst)), norm_scale


def _glare(
    bgr_work: Image, gray_work: Image, region: Image, text: TextScale, th: QualityThresholds
) -> tuple[float, float]:
    """Share of the document that is blown out, and the share of glare inside the text area."""
    inside = region > 0
    n_inside = int(np.count_nonzero(inside))
    if n_inside == 0:
        return 0.0, 0.0
    hsv = cv2.cvtColor(bgr_work, cv2.COLOR_BGR2HSV)
    sat = hsv[:, :, 1]
    blown = (gray_work >= th.glare_level) & (sat <= th.glare_max_saturation) & inside
    # A scan's paper is white everywhere; glare is blown out *against* a greyer paper.
    if text.paper_level >= th.glare_level - th.glare_above_paper:
        return 0.0, 0.0
    blown8 = blown.astype(np.uint8) * 255
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
    share = float(np.count_nonzero(glare)) / n_inside
    # The text area: ink components smeared into lines and blocks.
    kk = max(5, round(min(gray_work.shape) * 0.05)) | 1
    text_area = cv2.dilate(text.ink_mask, np.ones((kk, kk), np.uint8)) > 0
    text_area |= cv2.dilate(text.ink_mask, np.ones((kk, kk), np.uint8)) > 0
    in_text = float(np.count_nonzero(glare & (text_area | inside))) / max(
        1, int(np.count_nonzero(glare))
    )
    return share, in_text


def _sliced_by_frame(text: TextScale, shape: tuple[int, int], scale: float) -> dict[str, int]:
    """Per frame side, how many character-sized components touch the frame edge."""
    h, w = shape
    boxes = text.boxes
    out = {"top": 0, "right": 0, "bottom": 0, "left": 0}
    if boxes.size == 0 or text.height_px <= 0:
        return out
    ch = text.height_px * scale
    sized = (boxes[:, 3] >= 0.4 * ch) | (boxes[:, 2] >= 0.4 * ch)
    x, y, bw, bh = boxes[:, 0], boxes[:, 1], boxes[:, 2], boxes[:, 3]
    out["left"] = int(np.count_nonzero(sized & (x <= 0)))
    out["top"] = int(np.count_nonzero(sized & (y <= 0)))
    out["right"] = int(np.count_nonzero(sized & (x + bw >= w)))
    out["bottom"] = int(np.count_nonzero(sized & (y + bh >= h)))
    return out


# --------------------------------------------------------------------------------------------
# The decision.


def _image_of(page: Page | Image) -> tuple[Image, float | None]:
    if isinstance(page, Page):
        return page.image, page.dpi
    return page, None


def assess(
    page: Page | Image,
    thresholds: QualityThresholds = QualityThresholds(),  # noqa: B008 - frozen, immutable
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
    image, page_dpi = _image_of(page)
    declared_dpi = dpi if dpi is not None else page_dpi
    th = thresholds
    bgr = to_bgr(image)
    gray = to_gray(image)
    fh, fw = gray.shape
    loc = locate_document(gray)

    # The working copy covers the document's bounding box (or the whole frame).
    if loc.quad is not None:
        x0 = max(0, int(np.floor(loc.quad[:, 0].min())))
        y0 = max(0, int(np.floor(loc.quad[:, 1].min())))
        x1 = min(fw, int(np.ceil(loc.quad[:, 0].max())))
        y1 = min(fh, int(np.ceil(loc.quad[:, 1].max())))
    else:
        x0, y0, x1, y1 = 0, 0, fw, fh
    crop_gray = gray[y0:y1, x0:x1]
    ws = scale_for(crop_gray.shape, max_pixels=WORK_PIXELS)
    gray_work = resize(crop_gray, ws)
    bgr_work = resize(bgr[y0:y1, x0:x1], ws)
    full_mask = loc.mask
    # Map the tiny paper mask onto the working crop.
    mh, mw = full_mask.shape
    ms = loc.mask_scale
    mx0, my0 = round(x0 * ms), round(y0 * ms)
    mx1, my1 = max(mx0 + 1, round(x1 * ms)), max(my0 + 1, round(y1 * ms))
    crop_mask = full_mask[my0:min(mh, my1), mx0:min(mw, mx1)]
    region_loc = DocumentLocation(
        quad=loc.quad,
        fills_frame=loc.fills_frame,
        area_share=loc.area_share,
        touched_sides=loc.touched_sides,
        background_visible=loc.background_visible,
        mask=crop_mask,
        mask_scale=ms,
    )
    region = _region_mask(region_loc, gray_work.shape)

    text = _text_scale(gray_work, region, ws)
    edge_norm, norm_scale = _edge_width(gray, text, ws, (x0, y0), th.normal_text_px)
    norm_text = text.height_px * norm_scale if text.height_px > 0 else 0.0
    blur_rel = edge_norm / norm_text if norm_text > 0 else 0.0
    edge_native = edge_norm / norm_scale if norm_scale > 0 else edge_norm

    inside = region > 0
    doc_vals = gray_work[inside] if np.any(inside) else gray_work.ravel()
    mean_level = float(doc_vals.mean())
    contrast = text.paper_level - text.ink_level
    glare_share, glare_in_text = _glare(bgr_work, gray_work, region, text, th)
    sliced = _sliced_by_frame(text, gray_work.shape, ws) if loc.quad is None else {}

    metrics: dict[str, float] = {
        "text_height_px": round(text.height_px, 2),
        "text_components": float(text.count),
        "edge_width_px": round(edge_native, 3),
        "edge_width_norm_px": round(edge_norm, 3),
        "blur_score": round(blur_rel, 4),
        "effective_dpi": round(text.height_px * EFFECTIVE_DPI_PER_PX, 1),
        "paper_level": round(text.paper_level, 1),
        "ink_level": round(text.ink_level, 1),
        "contrast": round(contrast, 1),
        "mean_level": round(mean_level, 1),
        "glare_share": round(glare_share, 4),
        "glare_in_text": round(glare_in_text, 3),
        "document_share": round(loc.area_share, 4),
        "work_scale": round(ws, 4),
    }
    if declared_dpi is not None:
        metrics["declared_dpi"] = float(declared_dpi)

    problems: list[Problem] = []

    def add(spec: ProblemSpec, severity: Severity) -> None:
        problems.append(Problem.of(spec, severity))

    # Exposure first: a dark or washed-out image also looks blurred and text-less.
    too_dark = text.paper_level < th.dark_paper
    too_bright = text.paper_level >= th.bright_paper and text.ink_level > th.bright_ink
    if too_dark:
        add(TOO_DARK, "blocking")
    elif too_bright:
        add(TOO_BRIGHT, "blocking")
    elif text.height_px > 0 and contrast < th.min_contrast:
        add(LOW_CONTRAST, "blocking")

    if text.height_px <= 0:
        if declared_dpi is not None and declared_dpi < th.min_declared_dpi:
            add(LOW_RESOLUTION, "blocking")
        elif not (too_dark or too_bright):
            add(NO_TEXT, "blocking")
    else:
        blurry = blur_rel > th.blur_rel and edge_native > th.blur_min_px
        if blurry:
            add(BLURRY, "blocking")
        if text.height_px < th.min_text_px:
            add(LOW_RESOLUTION, "blocking")

    if glare_share >= th.glare_min_share:
        add(GLARE, "blocking" if glare_in_text >= th.glare_text_share else "warning")

    touched_long = [s for s in loc.touched_sides if _touch_share(loc, s) >= th.cut_min_touch]
    cut = False
    if not loc.fills_frame and loc.background_visible and touched_long:
        cut = True
    if sliced and max(sliced.values()) >= th.cut_text_components:
        cut = True
    metrics["sliced_components"] = float(max(sliced.values())) if sliced else 0.0
    if cut:
        add(CUT_OFF, "blocking")

    if not loc.fills_frame and loc.area_share < th.min_document_share:
        add(TOO_SMALL, "blocking" if text.height_px < th.min_text_px * 1.5 else "warning")

    problems.sort(key=lambda p: p.severity != "blocking")
    ok = not any(p.severity == "blocking" for p in problems)
    return QualityReport(
        ok=ok, problems=tuple(problems), metrics=MappingProxyType(metrics), document_quad=loc.quad
    )


EFFECTIVE_DPI_PER_PX = 10.0
"""Median character height at 300 dpi on our documents is ~30 px: dpi ≈ 10 × height."""


def _touch_share(loc: DocumentLocation, side: str) -> float:
    mask = loc.mask
    band = max(2, round(min(mask.shape) * 0.01))
    if side == "top":
        return float(np.mean(mask[:band, :].max(axis=0) > 0))
    if side == "bottom":
        return float(np.mean(mask[-band:, :].max(axis=0) > 0))
    if side == "left":
        return float(np.mean(mask[:, :band].max(axis=1) > 0))
    return float(np.mean(mask[:, -band:].max(axis=1) > 0))
