"""Scans and phone photos of a generated document, clean or with a named defect.

Every degradation is deterministic from (document, name, seed) and returns the image with a
``DegradeInfo``: the dpi a scanner would declare (None for photos), the quality problems a
perfect checker should report, and where the document's corners ended up.
"""

from __future__ import annotations

import math
import random
from dataclasses import dataclass

import cv2
import numpy as np

from .canvas import add_noise as _add_noise
from .document import GeneratedDocument

DEGRADATIONS: tuple[str, ...] = (
    "scan300",
    "scan200",
    "photo",
    "rotate90",
    "rotate180",
    "rotate270",
    "skew",
    "blur",
    "motion_blur",
    "lowres",
    "dark",
    "bright",
    "low_contrast",
    "glare",
    "cutoff",
    "too_small",
    "defocus",
    "lamp",
    "hand",
)

EXPECTED_PROBLEMS: dict[str, frozenset[str]] = {
    "scan300": frozenset(),
    "scan200": frozenset(),
    "photo": frozenset(),
    "rotate90": frozenset(),
    "rotate180": frozenset(),
    "rotate270": frozenset(),
    "skew": frozenset(),
    "blur": frozenset({"blurry"}),
    "motion_blur": frozenset({"blurry"}),
    "lowres": frozenset({"low_resolution"}),
    "dark": frozenset({"too_dark"}),
    "bright": frozenset({"too_bright"}),
    "low_contrast": frozenset({"low_contrast"}),
    "glare": frozenset({"glare"}),
    "cutoff": frozenset({"cut_off"}),
    "too_small": frozenset({"too_small"}),
    # Readable photos with the troubles of real ones: slightly out of focus, under a warm lamp,
    # held in a hand with a thumb over an edge (``DegradeInfo.covered`` says what it hides).
    "defocus": frozenset(),
    "lamp": frozenset(),
    "hand": frozenset(),
}

PHOTO_SIZE = (4000, 3000)  # long side, short side: a 12 MP phone camera


@dataclass(frozen=True, eq=False)
class DegradeInfo:
    """What a degradation did.

    Attributes:
        name: the degradation.
        dpi: the resolution a scanner would declare for the image; None for photos.
        expected_problems: quality codes a perfect checker should report.
        quad: 4 x 2 float32, the document's corners in the output image in the order
            top-left, top-right, bottom-right, bottom-left *of the upright document*
            (so after ``rotate90`` the first corner is at the image's top right). Corners
            may lie outside the image (``cutoff``).
        homography: 3 x 3 float64 mapping ``doc.image`` pixel coordinates to the output.
        rotation: clockwise quarter turns applied to the content (0, 90, 180, 270).
        skew_degrees: the small extra rotation of a scan (positive = counter-clockwise).
        photo: True when the image imitates a phone photo.
        jpeg_quality: the JPEG quality already applied (photos), else None.
        doc_area_fraction: the share of the frame the document covers.
        covered: keys of ``doc.boxes`` whose value is hidden (at least 30 % of its box) by a
            finger (``hand``) or a blown-out highlight (``glare``).
    """

    name: str
    dpi: float | None
    expected_problems: frozenset[str]
    quad: np.ndarray
    homography: np.ndarray
    rotation: int = 0
    skew_degrees: float = 0.0
    photo: bool = False
    jpeg_quality: int | None = None
    doc_area_fraction: float = 1.0
    covered: frozenset[str] = frozenset()


@dataclass
class _Out:
    image: np.ndarray
    h: np.ndarray  # doc -> image homography
    dpi: float | None
    photo: bool = False
    jpeg: int | None = None
    skew: float = 0.0
    rotation: int = 0
    covered: frozenset[str] = frozenset()


def degrade(doc: GeneratedDocument, name: str, seed: int) -> tuple[np.ndarray, DegradeInfo]:
    """Apply the named degradation to ``doc``; deterministic from ``seed``."""
    if name not in EXPECTED_PROBLEMS:
        raise ValueError(f"unknown degradation {name!r}; use one of {DEGRADATIONS}")
    rnd = random.Random(f"degrade:{name}:{seed}:{doc.seed}:{doc.layout}")
    rng = np.random.default_rng(rnd.getrandbits(64))
    out = _APPLY[name](doc, rnd, rng)
    corners = _doc_corners(doc)
    quad = cv2.perspectiveTransform(corners[None], out.h)[0].astype(np.float32)
    area = abs(cv2.contourArea(quad)) if out.image.size else 0.0
    # Only the visible part counts towards the covered share of the frame.
    frame = np.array(
        [
            [0, 0],
            [out.image.shape[1], 0],
            [out.image.shape[1], out.image.shape[0]],
            [0, out.image.shape[0]],
        ],
        np.float32,
    )
    inter, _ = cv2.intersectConvexConvex(quad, frame)
    frac = float(inter) / float(out.image.shape[0] * out.image.shape[1]) if area else 0.0
    info = DegradeInfo(
        name=name,
        dpi=out.dpi,
        expected_problems=EXPECTED_PROBLEMS[name],
        quad=quad,
        homography=out.h,
        rotation=out.rotation,
        skew_degrees=out.skew,
        photo=out.photo,
        jpeg_quality=out.jpeg,
        doc_area_fraction=frac,
        covered=out.covered,
    )
    return np.ascontiguousarray(out.image), info


def _doc_corners(doc: GeneratedDocument) -> np.ndarray:
    h, w = doc.image.shape[:2]
    return np.array([[0, 0], [w, 0], [w, h], [0, h]], np.float32)


def _doc_mask(doc: GeneratedDocument) -> np.ndarray:
    """255 on the document, 0 outside (only a card's rounded corners are outside)."""
    h, w = doc.image.shape[:2]
    mask = np.full((h, w), 255, np.uint8)
    r = doc.corner_radius
    if r:
        mask[:] = 0
        cv2.rectangle(mask, (r, 0), (w - 1 - r, h - 1), 255, -1)
        cv2.rectangle(mask, (0, r), (w - 1, h - 1 - r), 255, -1)
        for cx, cy in ((r, r), (w - 1 - r, r), (r, h - 1 - r), (w - 1 - r, h - 1 - r)):
            cv2.circle(mask, (cx, cy), r, 255, -1, cv2.LINE_AA)
    return mask


# --- scanner ---------------------------------------------------------------------------------


def _scan(
    doc: GeneratedDocument, rnd: random.Random, rng: np.random.Generator, angle: float
) -> _Out:
    """A flatbed scan at the document's dpi: small white margins, ``angle`` degrees of skew."""
    h, w = doc.image.shape[:2]
    margin = [round(rnd.uniform(2, 10) / 25.4 * doc.dpi) for _ in range(4)]  # l, t, r, b
    rad = math.radians(angle)
    bw = w * abs(math.cos(rad)) + h * abs(math.sin(rad))
    bh = w * abs(math.sin(rad)) + h * abs(math.cos(rad))
    out_w = round(bw + margin[0] + margin[2])
    out_h = round(bh + margin[1] + margin[3])
    m = cv2.getRotationMatrix2D((w / 2, h / 2), angle, 1.0)
    m[0, 2] += margin[0] + bw / 2 - w / 2
    m[1, 2] += margin[1] + bh / 2 - h / 2
    lid = rnd.randint(238, 252)
    img = cv2.warpAffine(
        doc.image,
        m,
        (out_w, out_h),
        flags=cv2.INTER_LINEAR,
        borderMode=cv2.BORDER_CONSTANT,
        borderValue=(lid, lid, lid),
    )
    if doc.corner_radius:
        # A card's rounded corners show the lid, not the white fill of the flat render.
        warped = cv2.warpAffine(_doc_mask(doc), m, (out_w, out_h), flags=cv2.INTER_LINEAR)
        img[warped < 128] = (lid, lid, lid)
    img = _add_noise(img, rng, rnd.uniform(1.2, 2.5))
    hom = np.vstack([m, [0, 0, 1]])
    return _Out(img, hom, float(doc.dpi), skew=angle)


def _small_skew(rnd: random.Random) -> float:
    return rnd.uniform(-2.0, 2.0)


def _scan300(doc: GeneratedDocument, rnd: random.Random, rng: np.random.Generator) -> _Out:
    return _scan(doc, rnd, rng, _small_skew(rnd))


def _resize(out: _Out, factor: float) -> _Out:
    h, w = out.image.shape[:2]
    nw, nh = max(1, round(w * factor)), max(1, round(h * factor))
    img = cv2.resize(out.image, (nw, nh), interpolation=cv2.INTER_AREA)
    s = np.diag([nw / w, nh / h, 1.0])
    return _Out(
        img,
        s @ out.h,
        None if out.dpi is None else out.dpi * factor,
        out.photo,
        out.jpeg,
        out.skew,
        out.rotation,
    )


def _scan200(doc: GeneratedDocument, rnd: random.Random, rng: np.random.Generator) -> _Out:
    out = _resize(_scan300(doc, rnd, rng), 200 / doc.dpi)
    out.dpi = 200.0
    return out


def _rotate(out: _Out, quarter_turns_cw: int) -> _Out:
    img = out.image
    h, w = img.shape[:2]
    if quarter_turns_cw == 1:
        rot = cv2.rotate(img, cv2.ROTATE_90_CLOCKWISE)
        t = np.array([[0, -1, h], [1, 0, 0], [0, 0, 1]], np.float64)
    elif quarter_turns_cw == 2:
        rot = cv2.rotate(img, cv2.ROTATE_180)
        t = np.array([[-1, 0, w], [0, -1, h], [0, 0, 1]], np.float64)
    else:
        rot = cv2.rotate(img, cv2.ROTATE_90_COUNTERCLOCKWISE)
        t = np.array([[0, 1, 0], [-1, 0, w], [0, 0, 1]], np.float64)
    return _Out(rot, t @ out.h, out.dpi, out.photo, out.jpeg, out.skew, 90 * quarter_turns_cw)


def _rotator(turns: int):  # type: ignore[no-untyped-def]
    def apply(doc: GeneratedDocument, rnd: random.Random, rng: np.random.Generator) -> _Out:
        return _rotate(_scan300(doc, rnd, rng), turns)

    return apply


def _skew(doc: GeneratedDocument, rnd: random.Random, rng: np.random.Generator) -> _Out:
    angle = rnd.uniform(3.0, 12.0) * rnd.choice((-1, 1))
    return _scan(doc, rnd, rng, angle)


def _blur(doc: GeneratedDocument, rnd: random.Random, rng: np.random.Generator) -> _Out:
    out = _scan300(doc, rnd, rng)
    # Defocus strong enough that letters merge: sigma a good fraction of the capital height.
    sigma = doc.text_height * rnd.uniform(0.16, 0.24)
    out.image = cv2.GaussianBlur(out.image, (0, 0), sigma)
    out.image = _add_noise(out.image, rng, 1.5)
    return out


def _motion_blur(doc: GeneratedDocument, rnd: random.Random, rng: np.random.Generator) -> _Out:
    out = _scan300(doc, rnd, rng)
    length = max(9, int(doc.text_height * rnd.uniform(0.7, 1.0)))
    angle = rnd.uniform(0, 180)
    k = np.zeros((length, length), np.float32)
    c = (length - 1) / 2
    dx, dy = math.cos(math.radians(angle)) * c, math.sin(math.radians(angle)) * c
    cv2.line(k, (round(c - dx), round(c - dy)), (round(c + dx), round(c + dy)), 1.0, 1, cv2.LINE_AA)
    k /= k.sum()
    out.image = cv2.filter2D(out.image, -1, k)
    out.image = _add_noise(out.image, rng, 1.5)
    return out


def _lowres(doc: GeneratedDocument, rnd: random.Random, rng: np.random.Generator) -> _Out:
    target = rnd.uniform(70, 110)
    out = _resize(_scan300(doc, rnd, rng), target / doc.dpi)
    out.dpi = round(target, 1)
    return out


def _lut(img: np.ndarray, curve: np.ndarray) -> np.ndarray:
    table = np.clip(np.round(curve), 0, 255).astype(np.uint8)
    return cv2.LUT(img, table)


_LEVELS = np.arange(256, dtype=np.float64)


def _dark(doc: GeneratedDocument, rnd: random.Random, rng: np.random.Generator) -> _Out:
    out = _photo_or_scan(doc, rnd, rng)
    white = rnd.uniform(40, 65)  # where the paper ends up
    curve = np.power(_LEVELS / 255.0, rnd.uniform(1.1, 1.5)) * white
    out.image = _add_noise(_lut(out.image, curve), rng, rnd.uniform(1.5, 3.0))
    return _maybe_jpeg(out, rnd)


def _bright(doc: GeneratedDocument, rnd: random.Random, rng: np.random.Generator) -> _Out:
    out = _photo_or_scan(doc, rnd, rng)
    keep = rnd.uniform(0.18, 0.3)  # what is left of the ink's darkness
    curve = 255 - (255 - _LEVELS) * keep + rnd.uniform(5, 20)
    out.image = _add_noise(_lut(out.image, curve), rng, 1.0)
    return _maybe_jpeg(out, rnd)


def _low_contrast(doc: GeneratedDocument, rnd: random.Random, rng: np.random.Generator) -> _Out:
    out = _photo_or_scan(doc, rnd, rng)
    mid = rnd.uniform(120, 150)
    k = rnd.uniform(0.12, 0.2)
    curve = mid + (_LEVELS - 160) * k
    out.image = _add_noise(_lut(out.image, curve), rng, 1.0)
    return _maybe_jpeg(out, rnd)


def _photo_or_scan(doc: GeneratedDocument, rnd: random.Random, rng: np.random.Generator) -> _Out:
    if rnd.random() < 0.5:
        return _scan300(doc, rnd, rng)
    return _photograph(doc, rnd, rng, area=(0.5, 0.8), jpeg=False)


def _maybe_jpeg(out: _Out, rnd: random.Random) -> _Out:
    if out.photo:
        q = rnd.randint(80, 92)
        out.image = _jpeg(out.image, q)
        out.jpeg = q
    return out


def _jpeg(img: np.ndarray, quality: int) -> np.ndarray:
    ok, buf = cv2.imencode(".jpg", img, [cv2.IMWRITE_JPEG_QUALITY, quality])
    decoded = cv2.imdecode(buf, cv2.IMREAD_COLOR)
    assert ok and decoded is not None
    return np.asarray(decoded, np.uint8)


# --- phone photos ----------------------------------------------------------------------------


def _background(w: int, h: int, rnd: random.Random, rng: np.random.Generator) -> np.ndarray:
    """A table top: wood, plain laminate, fabric or dark desk, BGR uint8."""
    kind = rnd.choice(("wood", "wood", "plain", "fabric", "dark"))
    sw, sh = w // 4, h // 4
    yy, xx = np.mgrid[0:sh, 0:sw].astype(np.float32)
    if kind == "wood":
        base = np.array(
            rnd.choice(((60, 105, 150), (45, 80, 120), (90, 140, 185), (40, 60, 90))), np.float32
        )
        # Grain: stripes across the planks, bent by smooth noise (cubic, so no kinks).
        warp = cv2.resize(
            rng.normal(0, 1, (4, 4)).astype(np.float32), (sw, sh), interpolation=cv2.INTER_CUBIC
        ) * rnd.uniform(8, 20)
        period = rnd.uniform(10, 22)
        horizontal = rnd.random() < 0.5
        across = yy if horizontal else xx
        grain = np.sin((across + warp) / period * 2 * math.pi)
        streak = rng.normal(0, 1, (sh, 1) if horizontal else (1, sw)).astype(np.float32)
        streaks = cv2.GaussianBlur(np.broadcast_to(streak, (sh, sw)).copy(), (0, 0), 1.5)
        shade = 1 + 0.08 * grain + 0.06 * streaks
        img = base[None, None, :] * shade[..., None]
    elif kind == "plain":
        base = np.array(
            rnd.choice(((200, 200, 195), (170, 180, 185), (120, 130, 140), (210, 215, 220))),
            np.float32,
        )
        img = np.broadcast_to(base, (sh, sw, 3)).astype(np.float32)
    elif kind == "fabric":
        base = np.array(
            rnd.choice(((120, 60, 40), (60, 90, 60), (130, 120, 110), (90, 60, 120))), np.float32
        )
        weave = np.sin(xx * 1.3) * np.sin(yy * 1.3)
        img = base[None, None, :] * (1 + 0.08 * weave[..., None])
    else:
        base = np.array(rnd.choice(((35, 35, 38), (50, 45, 40), (30, 40, 50))), np.float32)
        img = np.broadcast_to(base, (sh, sw, 3)).astype(np.float32)
    low = cv2.resize(rng.normal(0, 1, (5, 5)).astype(np.float32), (sw, sh))
    img = img * (1 + 0.06 * low[..., None])
    small = np.clip(img, 0, 255).astype(np.uint8)
    return np.asarray(cv2.resize(small, (w, h), interpolation=cv2.INTER_LINEAR), np.uint8)


def _photo_quad(
    doc_w: int,
    doc_h: int,
    frame: tuple[int, int],
    rnd: random.Random,
    area: float,
) -> np.ndarray:
    """Corners of the document in the frame (TL, TR, BR, BL) covering ``area`` of it."""
    fw, fh = frame
    scale = math.sqrt(area * fw * fh / (doc_w * doc_h))
    w, h = doc_w * scale, doc_h * scale
    rect = np.array(
        [[-w / 2, -h / 2], [w / 2, -h / 2], [w / 2, h / 2], [-w / 2, h / 2]], np.float64
    )
    ang = math.radians(rnd.uniform(-8, 8))
    rot = np.array([[math.cos(ang), -math.sin(ang)], [math.sin(ang), math.cos(ang)]])
    quad = rect @ rot.T
    # Perspective: the far edge shrinks (camera tilted towards one side), plus corner jitter.
    tilt = rnd.uniform(0.0, 0.12)
    side = rnd.randrange(4)
    a, b = side, (side + 1) % 4
    centre_ab = (quad[a] + quad[b]) / 2
    quad[a] += (centre_ab - quad[a]) * tilt
    quad[b] += (centre_ab - quad[b]) * tilt
    quad += np.array(
        [[rnd.uniform(-0.02, 0.02) * w, rnd.uniform(-0.02, 0.02) * h] for _ in range(4)]
    )
    # Restore the requested area after the distortion.
    quad *= math.sqrt(area * fw * fh / abs(cv2.contourArea(quad.astype(np.float32))))
    return np.asarray(quad, np.float64)


def _place(
    quad: np.ndarray, frame: tuple[int, int], rnd: random.Random, margin: float
) -> np.ndarray:
    """Shift a centred quad randomly, keeping it ``margin`` px inside the frame if it fits."""
    fw, fh = frame
    lo = quad.min(axis=0)
    hi = quad.max(axis=0)
    out = quad.copy()
    for axis, size in ((0, fw), (1, fh)):
        free_lo = margin - lo[axis]
        free_hi = size - margin - hi[axis]
        if free_lo <= free_hi:
            out[:, axis] += rnd.uniform(free_lo, free_hi)
        else:
            out[:, axis] += (free_lo + free_hi) / 2
    return out


def _photograph(
    doc: GeneratedDocument,
    rnd: random.Random,
    rng: np.random.Generator,
    *,
    area: tuple[float, float],
    jpeg: bool = True,
    cut: float | None = None,
) -> _Out:
    """The document lying on a table, photographed by a 12 MP phone."""
    dh, dw = doc.image.shape[:2]
    long_side, short_side = PHOTO_SIZE
    frame = (short_side, long_side) if dh >= dw else (long_side, short_side)
    frac = rnd.uniform(*area)
    quad = _photo_quad(dw, dh, frame, rnd, frac)
    # Fit in the frame: shrink while the bounding box is larger than the frame.
    for _ in range(20):
        span = quad.max(axis=0) - quad.min(axis=0)
        limit = np.array(frame, np.float64) * 0.985
        if (span <= limit).all():
            break
        quad *= float(min(limit / span)) * 0.99
    quad = _place(quad, frame, rnd, 0.01 * min(frame))
    if cut is not None:
        quad = _cut(quad, frame, rnd, cut)
    src = _doc_corners(doc)
    hom = cv2.getPerspectiveTransform(src, quad.astype(np.float32)).astype(np.float64)
    fw, fh = frame
    doc_img = doc.image
    if rnd.random() < 0.6:
        doc_img = cv2.GaussianBlur(doc_img, (0, 0), rnd.uniform(0.4, 0.8))
    warped = cv2.warpPerspective(doc_img, hom, (fw, fh), flags=cv2.INTER_LINEAR)
    mask = cv2.warpPerspective(_doc_mask(doc), hom, (fw, fh), flags=cv2.INTER_LINEAR)
    m = mask.astype(np.float32) * (1.0 / 255.0)
    bg = _background(fw, fh, rnd, rng)
    img = cv2.blendLinear(warped, bg, m, 1.0 - m)
    # Light, the sheet's contact shadow and a colour cast, computed at 1/8 scale.
    sw, sh = fw // 8, fh // 8
    small_mask = cv2.resize(mask, (sw, sh), interpolation=cv2.INTER_AREA).astype(np.float32) / 255
    shadow = cv2.GaussianBlur(small_mask, (0, 0), rnd.uniform(0.8, 1.8))
    shadow = np.roll(shadow, (rnd.randint(1, 2), rnd.randint(1, 2)), axis=(0, 1))
    light = _light_field(sw, sh, rnd) * (1 - 0.35 * shadow * (1 - small_mask))
    cast = np.array(
        [rnd.uniform(0.93, 1.0), rnd.uniform(0.97, 1.0), rnd.uniform(0.95, 1.03)], np.float32
    )
    light3 = np.ascontiguousarray(light[..., None] * cast[None, None, :])
    light_full = cv2.resize(light3, (fw, fh), interpolation=cv2.INTER_LINEAR)
    img = cv2.multiply(img, light_full, dtype=cv2.CV_8U)
    img = _add_noise(img, rng, rnd.uniform(2.0, 4.0))
    out = _Out(img, hom, None, photo=True)
    if jpeg:
        q = rnd.randint(80, 92)
        out.image = _jpeg(out.image, q)
        out.jpeg = q
    return out


def _light_field(sw: int, sh: int, rnd: random.Random) -> np.ndarray:
    """Uneven light at low resolution: a gradient, vignetting and maybe a soft cast shadow."""
    yy, xx = np.mgrid[0:sh, 0:sw].astype(np.float32)
    gx, gy = rnd.uniform(-1, 1), rnd.uniform(-1, 1)
    grad = 1 + 0.2 * (gx * (xx / sw - 0.5) + gy * (yy / sh - 0.5))
    r = np.hypot(xx / sw - 0.5, yy / sh - 0.5)
    vignette = 1 - rnd.uniform(0.08, 0.2) * (r / 0.7) ** 2
    light = grad * vignette * rnd.uniform(0.84, 0.93)
    if rnd.random() < 0.6:
        # A phone or hand shadow: a soft dark blob entering from one side.
        cx, cy = rnd.choice(
            ((0.0, rnd.uniform(0, 1)), (1.0, rnd.uniform(0, 1)), (rnd.uniform(0, 1), 1.0))
        )
        sx, sy = rnd.uniform(0.2, 0.4), rnd.uniform(0.2, 0.4)
        blob = np.exp(-(((xx / sw - cx) / sx) ** 2 + ((yy / sh - cy) / sy) ** 2))
        light *= 1 - rnd.uniform(0.15, 0.3) * blob
    return np.asarray(light, np.float32)


def _cut(quad: np.ndarray, frame: tuple[int, int], rnd: random.Random, cut: float) -> np.ndarray:
    """Shift the quad so that ``cut`` of its extent along one axis leaves the frame."""
    fw, fh = frame
    side = rnd.randrange(4)  # 0 left, 1 right, 2 top, 3 bottom
    lo, hi = quad.min(axis=0), quad.max(axis=0)
    span = hi - lo
    out = quad.copy()
    if side == 0:
        out[:, 0] += -lo[0] - cut * span[0]
    elif side == 1:
        out[:, 0] += fw - hi[0] + cut * span[0]
    elif side == 2:
        out[:, 1] += -lo[1] - cut * span[1]
    else:
        out[:, 1] += fh - hi[1] + cut * span[1]
    return out


def _photo(doc: GeneratedDocument, rnd: random.Random, rng: np.random.Generator) -> _Out:
    return _photograph(doc, rnd, rng, area=(0.5, 0.85))


def _glare(doc: GeneratedDocument, rnd: random.Random, rng: np.random.Generator) -> _Out:
    out = _photograph(doc, rnd, rng, area=(0.5, 0.8), jpeg=False)
    h, w = out.image.shape[:2]
    # Centre the highlight on a printed value so that it really hides text.
    keys = sorted(doc.boxes)
    x, y, bw, bh = doc.boxes[rnd.choice(keys)] if keys else (0, 0, *doc.image.shape[1::-1])
    centre = cv2.perspectiveTransform(np.array([[[x + bw / 2, y + bh / 2]]], np.float32), out.h)[
        0, 0
    ]
    quad = cv2.perspectiveTransform(_doc_corners(doc)[None], out.h)[0]
    doc_w = float(np.linalg.norm(quad[1] - quad[0]))
    ax = doc_w * rnd.uniform(0.16, 0.28)
    ay = ax * rnd.uniform(0.45, 0.8)
    ang = math.radians(rnd.uniform(0, 180))
    # Work in the highlight's bounding box only (a full 12 MP field is slow).
    reach = 2.2 * ax
    x0, x1 = max(0, int(centre[0] - reach)), min(w, int(centre[0] + reach))
    y0, y1 = max(0, int(centre[1] - reach)), min(h, int(centre[1] + reach))
    yy, xx = np.mgrid[y0:y1, x0:x1].astype(np.float32)
    u = (xx - centre[0]) * math.cos(ang) + (yy - centre[1]) * math.sin(ang)
    v = -(xx - centre[0]) * math.sin(ang) + (yy - centre[1]) * math.cos(ang)
    d2 = (u / ax) ** 2 + (v / ay) ** 2
    # A blown-out core (everything clips to white) with a soft halo.
    glow = 1.6 * np.exp(-d2 * 1.2)
    roi = out.image[y0:y1, x0:x1].astype(np.float32) + glow[..., None] * 255
    out.image[y0:y1, x0:x1] = np.clip(roi, 0, 255).astype(np.uint8)
    # Where even black ink is washed out to paper white, the value is gone.
    out.covered = _covered(doc, out.h, glow >= 0.9, (x0, y0))
    q = rnd.randint(80, 92)
    out.image = _jpeg(out.image, q)
    out.jpeg = q
    return out


def _cutoff(doc: GeneratedDocument, rnd: random.Random, rng: np.random.Generator) -> _Out:
    cut = rnd.uniform(0.1, 0.25)
    if rnd.random() < 0.5:
        return _photograph(doc, rnd, rng, area=(0.5, 0.75), cut=cut)
    out = _scan300(doc, rnd, rng)
    quad = cv2.perspectiveTransform(_doc_corners(doc)[None], out.h)[0]
    lo, hi = quad.min(axis=0), quad.max(axis=0)
    span = hi - lo
    side = rnd.randrange(4)
    if side == 0:
        x0 = int(lo[0] + cut * span[0])
        out.image = out.image[:, x0:]
        shift = np.array([[1, 0, -x0], [0, 1, 0], [0, 0, 1]], np.float64)
    elif side == 1:
        x1 = int(hi[0] - cut * span[0])
        out.image = out.image[:, :x1]
        shift = np.eye(3)
    elif side == 2:
        y0 = int(lo[1] + cut * span[1])
        out.image = out.image[y0:]
        shift = np.array([[1, 0, 0], [0, 1, -y0], [0, 0, 1]], np.float64)
    else:
        y1 = int(hi[1] - cut * span[1])
        out.image = out.image[:y1]
        shift = np.eye(3)
    out.h = shift @ out.h
    return out


def _too_small(doc: GeneratedDocument, rnd: random.Random, rng: np.random.Generator) -> _Out:
    dh, dw = doc.image.shape[:2]
    frame_area = PHOTO_SIZE[0] * PHOTO_SIZE[1]
    # Small in the frame but still ~140 dpi, so the picture is "too small", not "too coarse".
    needed = (dw / doc.dpi * 140) * (dh / doc.dpi * 140) / frame_area
    lo = max(0.05, needed)
    hi = max(lo + 0.01, 0.17)
    return _photograph(doc, rnd, rng, area=(lo, hi))


def _covered(
    doc: GeneratedDocument, hom: np.ndarray, hidden: np.ndarray, origin: tuple[int, int]
) -> frozenset[str]:
    """Keys of ``doc.boxes`` whose box (mapped by ``hom``) is at least 30 % under ``hidden``.

    ``hidden`` is a boolean mask of a region of the output image whose top-left is ``origin``.
    """
    ox, oy = origin
    hh, hw = hidden.shape
    keys = []
    for key, (x, y, bw, bh) in doc.boxes.items():
        box = np.array([[[x, y], [x + bw, y], [x + bw, y + bh], [x, y + bh]]], np.float32)
        poly = cv2.perspectiveTransform(box, hom)[0] - np.array([ox, oy], np.float32)
        lo = np.floor(poly.min(axis=0)).astype(int)
        hi = np.ceil(poly.max(axis=0)).astype(int)
        bx0, by0 = max(0, lo[0]), max(0, lo[1])
        bx1, by1 = min(hw, hi[0] + 1), min(hh, hi[1] + 1)
        area = abs(cv2.contourArea(poly))
        if area < 1 or bx0 >= bx1 or by0 >= by1:
            continue
        mask = np.zeros((hi[1] - lo[1] + 1, hi[0] - lo[0] + 1), np.uint8)
        cv2.fillConvexPoly(mask, np.round(poly - lo).astype(np.int32), 1)
        sub = mask[by0 - lo[1] : by1 - lo[1], bx0 - lo[0] : bx1 - lo[0]].astype(bool)
        if np.count_nonzero(hidden[by0:by1, bx0:bx1] & sub) >= 0.3 * np.count_nonzero(mask):
            keys.append(key)
    return frozenset(keys)


def _out_mm(doc: GeneratedDocument, hom: np.ndarray) -> float:
    """Output pixels per millimetre of the document (along its top edge)."""
    quad = cv2.perspectiveTransform(_doc_corners(doc)[None], hom)[0]
    doc_w_mm = doc.image.shape[1] / doc.dpi * 25.4
    return float(np.linalg.norm(quad[1] - quad[0])) / doc_w_mm


def _defocus(doc: GeneratedDocument, rnd: random.Random, rng: np.random.Generator) -> _Out:
    """A phone photo slightly out of focus: soft, but the letters stay apart."""
    out = _photograph(doc, rnd, rng, area=(0.5, 0.85), jpeg=False)
    text_px = doc.text_height * _out_mm(doc, out.h) / (doc.dpi / 25.4)
    out.image = cv2.GaussianBlur(out.image, (0, 0), max(0.8, text_px * rnd.uniform(0.05, 0.08)))
    out.image = _add_noise(out.image, rng, rnd.uniform(1.5, 2.5))
    return _maybe_jpeg(out, rnd)


def _lamp(doc: GeneratedDocument, rnd: random.Random, rng: np.random.Generator) -> _Out:
    """Under a desk lamp: a warm, uneven pool of light falling off across the sheet."""
    out = _photograph(doc, rnd, rng, area=(0.5, 0.85), jpeg=False)
    h, w = out.image.shape[:2]
    sw, sh = max(8, w // 8), max(8, h // 8)
    yy, xx = np.mgrid[0:sh, 0:sw].astype(np.float32)
    cx, cy = rnd.uniform(-0.2, 1.2) * sw, rnd.uniform(-0.2, 1.2) * sh
    sigma = rnd.uniform(0.35, 0.6) * max(sw, sh)
    pool = np.exp(-((xx - cx) ** 2 + (yy - cy) ** 2) / (2 * sigma**2))
    light = rnd.uniform(0.55, 0.7) + rnd.uniform(0.4, 0.55) * pool
    warm = np.array(
        [rnd.uniform(0.7, 0.82), rnd.uniform(0.9, 0.96), rnd.uniform(1.0, 1.05)], np.float32
    )  # B, G, R
    light3 = np.ascontiguousarray(light[..., None] * warm[None, None, :]).astype(np.float32)
    full = cv2.resize(light3, (w, h), interpolation=cv2.INTER_LINEAR)
    out.image = cv2.multiply(out.image, full, dtype=cv2.CV_8U)
    out.image = _add_noise(out.image, rng, rnd.uniform(1.5, 3.0))
    return _maybe_jpeg(out, rnd)


_SKIN = ((120, 150, 205), (100, 135, 190), (85, 115, 165), (140, 170, 220), (70, 95, 140))


def _hand(doc: GeneratedDocument, rnd: random.Random, rng: np.random.Generator) -> _Out:
    """The document held in a hand: a thumb over one edge, the rest of the hand beyond it."""
    out = _photograph(doc, rnd, rng, area=(0.45, 0.75), jpeg=False)
    h, w = out.image.shape[:2]
    quad = cv2.perspectiveTransform(_doc_corners(doc)[None], out.h)[0].astype(np.float64)
    mm_px = _out_mm(doc, out.h)
    target: np.ndarray | None = None
    dh, dw = doc.image.shape[:2]
    doc_mm = doc.dpi / 25.4
    reachable = [  # values a thumb can reach from an edge (at most 45 mm in)
        key
        for key, (x, y, bw, bh) in sorted(doc.boxes.items())
        if min(x, y, dw - x - bw, dh - y - bh) < 45 * doc_mm
    ]
    if reachable and rnd.random() < 0.35:
        # The thumb reaches over the near end of a value from the nearest edge.
        x, y, bw, bh = doc.boxes[rnd.choice(reachable)]
        cx, cy = x + bw / 2, y + bh / 2
        into_x, into_y = min(0.3 * bw, 8 * doc_mm), min(0.3 * bh, 8 * doc_mm)
        _, tx, ty = min(
            (x, x + into_x, cy),
            (dw - x - bw, x + bw - into_x, cy),
            (y, cx, y + into_y),
            (dh - y - bh, cx, y + bh - into_y),
        )
        point = np.array([[[tx, ty]]], np.float32)
        target = cv2.perspectiveTransform(point, out.h)[0, 0].astype(np.float64)
    if target is None:
        side = rnd.randrange(4)
        a, b = quad[side], quad[(side + 1) % 4]
        p = a + (b - a) * rnd.uniform(0.15, 0.85)
    else:
        feet = []
        for side in range(4):
            a, b = quad[side], quad[(side + 1) % 4]
            t = float(np.clip(np.dot(target - a, b - a) / np.dot(b - a, b - a), 0.05, 0.95))
            feet.append((float(np.linalg.norm(a + (b - a) * t - target)), side, t))
        _, side, t = min(feet)
        a, b = quad[side], quad[(side + 1) % 4]
        p = a + (b - a) * t
    edge = b - a
    normal = np.array([-edge[1], edge[0]]) / max(1e-6, float(np.linalg.norm(edge)))
    if np.dot(quad.mean(axis=0) - p, normal) < 0:
        normal = -normal
    tilt = math.radians(rnd.uniform(-35, 35) if target is None else rnd.uniform(-6, 6))
    d = np.array(
        [
            normal[0] * math.cos(tilt) - normal[1] * math.sin(tilt),
            normal[0] * math.sin(tilt) + normal[1] * math.cos(tilt),
        ]
    )
    thumb_w = rnd.uniform(16, 22) * mm_px
    thumb_len = rnd.uniform(55, 75) * mm_px
    if target is None:
        tip = p + d * rnd.uniform(8, 35) * mm_px
    else:
        reach = float(np.linalg.norm(target - p)) + rnd.uniform(0.6, 1.0) * thumb_w
        tip = p + d * reach
    # Draw at a quarter of the resolution (the shape is smooth), then scale up.
    q = 4
    sw, sh = w // q + 1, h // q + 1
    small = np.zeros((sh, sw), np.uint8)
    ang = math.degrees(math.atan2(d[1], d[0]))

    def ellipse(centre: np.ndarray, half_len: float, half_w: float, angle: float) -> None:
        cv2.ellipse(
            small,
            (round(centre[0] / q), round(centre[1] / q)),
            (max(1, round(half_len / q)), max(1, round(half_w / q))),
            angle,
            0,
            360,
            255,
            -1,
            cv2.LINE_AA,
        )

    ellipse(tip - d * thumb_len / 2, thumb_len / 2, thumb_w / 2, ang)
    palm_len = thumb_len * rnd.uniform(0.9, 1.3)
    ellipse(
        tip - d * (thumb_len * 0.85 + palm_len * 0.5),
        palm_len * 0.6,
        palm_len * 0.5,
        ang + rnd.uniform(-20, 20),
    )
    mask = cv2.GaussianBlur(small.astype(np.float32) / 255, (0, 0), 1.2)
    dist = cv2.distanceTransform((small > 127).astype(np.uint8), cv2.DIST_L2, 5)
    shade = 0.72 + 0.28 * np.sqrt(np.clip(dist / max(1.0, thumb_w / q / 2), 0, 1))
    skin = np.array(rnd.choice(_SKIN), np.float32) * rnd.uniform(0.9, 1.1)
    colour = shade[..., None] * skin[None, None, :]
    if rnd.random() < 0.6:
        # A nail near the tip, paler and pinker.
        nail = np.zeros_like(small)
        nc = tip - d * thumb_len * 0.14
        cv2.ellipse(
            nail,
            (round(nc[0] / q), round(nc[1] / q)),
            (max(1, round(thumb_len * 0.1 / q)), max(1, round(thumb_w * 0.32 / q))),
            ang,
            0,
            360,
            255,
            -1,
            cv2.LINE_AA,
        )
        nm = cv2.GaussianBlur(nail.astype(np.float32) / 255, (0, 0), 0.8)[..., None]
        nm = nm * 0.55
        colour = colour * (1 - nm) + np.array((160, 170, 210), np.float32) * nm
    shadow = np.roll(cv2.GaussianBlur(mask, (0, 0), 6), (2, 2), axis=(0, 1))
    # Blend only where the hand or its shadow is (a full 12 MP frame is slow).
    ys, xs = np.nonzero(shadow > 0.002)
    if len(xs):
        x0, x1 = int(xs.min()), int(xs.max()) + 1
        y0, y1 = int(ys.min()), int(ys.max()) + 1
        fx0, fy0 = x0 * q, y0 * q
        fx1, fy1 = min(w, x1 * q), min(h, y1 * q)
        size = ((x1 - x0) * q, (y1 - y0) * q)
        crop = (slice(0, fy1 - fy0), slice(0, fx1 - fx0))
        m = cv2.resize(mask[y0:y1, x0:x1], size, interpolation=cv2.INTER_LINEAR)[crop]
        col = cv2.resize(np.clip(colour[y0:y1, x0:x1], 0, 255).astype(np.float32), size)[crop]
        shd = cv2.resize(shadow[y0:y1, x0:x1], size, interpolation=cv2.INTER_LINEAR)[crop]
        roi = out.image[fy0:fy1, fx0:fx1].astype(np.float32) * (1 - 0.4 * shd[..., None])
        roi = roi * (1 - m[..., None]) + col * m[..., None]
        out.image[fy0:fy1, fx0:fx1] = np.clip(roi, 0, 255).astype(np.uint8)
        out.covered = _covered(doc, out.h, m > 0.5, (fx0, fy0))
    out.image = _add_noise(out.image, rng, 1.5)
    return _maybe_jpeg(out, rnd)


_APPLY = {
    "scan300": _scan300,
    "scan200": _scan200,
    "photo": _photo,
    "rotate90": _rotator(1),
    "rotate180": _rotator(2),
    "rotate270": _rotator(3),
    "skew": _skew,
    "blur": _blur,
    "motion_blur": _motion_blur,
    "lowres": _lowres,
    "dark": _dark,
    "bright": _bright,
    "low_contrast": _low_contrast,
    "glare": _glare,
    "cutoff": _cutoff,
    "too_small": _too_small,
    "defocus": _defocus,
    "lamp": _lamp,
    "hand": _hand,
}
