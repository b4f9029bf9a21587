"""Drawing helpers shared by the renderers: a sheet that records value boxes, security
backgrounds, seals, signatures and emblems."""

from __future__ import annotations

import math
import random
from collections.abc import Sequence
from dataclasses import dataclass, field

import cv2
import numpy as np
from PIL import Image, ImageDraw, ImageFont

from .fonts import FontFamily, font

RGB = tuple[int, int, int]
BoxT = tuple[int, int, int, int]

INK_BLACK: tuple[RGB, ...] = ((20, 20, 22), (28, 26, 30), (12, 12, 18), (35, 35, 40))
FORM_COLORS: tuple[RGB, ...] = ((25, 25, 25), (30, 60, 45), (45, 40, 70), (60, 40, 30))
SERIES_RED: tuple[RGB, ...] = ((190, 25, 30), (170, 20, 40), (200, 40, 35))
SEAL_INKS: tuple[RGB, ...] = ((40, 60, 170), (70, 50, 160), (90, 50, 150), (30, 70, 160))
PEN_INKS: tuple[RGB, ...] = ((25, 35, 110), (20, 25, 60), (30, 45, 130))


def mm(v: float, dpi: int = 300) -> int:
    return round(v / 25.4 * dpi)


def pt(v: float, dpi: int = 300) -> int:
    """Font size in pixels for a point size."""
    return round(v / 72 * dpi)


@dataclass
class Sheet:
    """A page being drawn; ``boxes`` collects where each field's value was printed."""

    image: Image.Image
    boxes: dict[str, BoxT] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.draw = ImageDraw.Draw(self.image)

    @property
    def width(self) -> int:
        return self.image.width

    @property
    def height(self) -> int:
        return self.image.height

    def text(
        self,
        x: float,
        y: float,
        s: str,
        fnt: ImageFont.FreeTypeFont,
        fill: RGB,
        *,
        anchor: str = "ls",
        key: str | None = None,
    ) -> BoxT:
        """Draw ``s`` at (x, y) (default anchor: left end of the baseline); return its box."""
        self.draw.text((x, y), s, font=fnt, fill=fill, anchor=anchor)
        left, top, right, bottom = self.draw.textbbox((x, y), s, font=fnt, anchor=anchor)
        box = (int(left), int(top), int(right - left), int(bottom - top))
        if key is not None:
            self.add_box(key, box)
        return box

    def add_box(self, key: str, box: BoxT) -> None:
        """Record a value box; a second box for the same key is merged into the first."""
        if key in self.boxes:
            x0, y0, w0, h0 = self.boxes[key]
            x1, y1, w1, h1 = box
            left, top = min(x0, x1), min(y0, y1)
            right, bottom = max(x0 + w0, x1 + w1), max(y0 + h0, y1 + h1)
            box = (left, top, right - left, bottom - top)
        self.boxes[key] = box

    def words(
        self,
        x: float,
        y: float,
        parts: Sequence[tuple[str, str | None]],
        fnt: ImageFont.FreeTypeFont,
        fill: RGB,
    ) -> float:
        """Draw space-separated parts on one baseline, each with its own box key.

        Returns the x after the last part.
        """
        space = fnt.getlength(" ")
        for s, key in parts:
            self.text(x, y, s, fnt, fill, key=key)
            x += fnt.getlength(s) + space
        return x - space

    def hline(self, x0: float, x1: float, y: float, fill: RGB, width: int = 2) -> None:
        self.draw.line([(x0, y), (x1, y)], fill=fill, width=width)

    def rect(self, box: tuple[float, float, float, float], outline: RGB, width: int = 2) -> None:
        self.draw.rectangle(box, outline=outline, width=width)


def fit_font(
    path: str, size: float, s: str, max_width: float, min_size: int = 18
) -> ImageFont.FreeTypeFont:
    """The font at ``size`` or smaller so that ``s`` fits ``max_width``."""
    fnt = font(path, size)
    while fnt.getlength(s) > max_width and size > min_size:
        size -= 2
        fnt = font(path, size)
    return fnt


def wrap(s: str, fnt: ImageFont.FreeTypeFont, widths: Sequence[float]) -> list[str]:
    """Greedy word wrap; line i may be at most widths[min(i, len-1)] wide."""
    lines: list[str] = []
    current = ""
    for word in s.split():
        candidate = f"{current} {word}".strip()
        limit = widths[min(len(lines), len(widths) - 1)]
        if current and fnt.getlength(candidate) > limit:
            lines.append(current)
            current = word
        else:
            current = candidate
    if current:
        lines.append(current)
    return lines


def case_name(s: str, upper: bool) -> str:
    return s.upper() if upper else s


def yo(s: str, keep: bool) -> str:
    """Print ё as е when a document does (many do)."""
    return s if keep else s.replace("ё", "е").replace("Ё", "Е")


# --- backgrounds -----------------------------------------------------------------------------


def paper(
    w: int, h: int, rng: np.random.Generator, base: RGB, tint: RGB, strength: float
) -> Image.Image:
    """Paper with a subtle guilloche security pattern in ``tint`` over ``base``.

    The pattern is computed at half resolution (it is smooth) and scaled up.
    """
    sw, sh = (w + 1) // 2, (h + 1) // 2
    yy, xx = np.mgrid[0:sh, 0:sw].astype(np.float32)
    lines = np.zeros((sh, sw), np.float32)
    for _ in range(2):
        period = rng.uniform(14, 26)
        amp = rng.uniform(6, 16)
        wave = rng.uniform(120, 300)
        phase = rng.uniform(0, 2 * math.pi)
        angle = rng.uniform(-0.6, 0.6)
        u = xx * math.cos(angle) + yy * math.sin(angle)
        v = -xx * math.sin(angle) + yy * math.cos(angle)
        f = np.cos((v + amp * np.sin(u * (2 * math.pi / wave) + phase)) * (2 * math.pi / period))
        np.maximum(lines, (f - 0.82) * (1 / 0.18), out=lines)
    # A rosette under the middle of the page.
    cx, cy = sw * rng.uniform(0.35, 0.65), sh * rng.uniform(0.35, 0.6)
    r = np.hypot(xx - cx, yy - cy)
    theta = np.arctan2(yy - cy, xx - cx)
    petals = int(rng.integers(18, 36))
    ros = np.cos(petals * theta + 6 * np.sin(r / rng.uniform(18, 30)))
    fade = np.clip(1 - r / (min(sw, sh) * 0.45), 0, 1)
    np.maximum(lines, (ros - 0.9) * 10 * fade, out=lines)
    level = np.clip(lines * (255 * strength), 0, 255).astype(np.uint8)
    # Colour by table look-up: level 0 is the paper, 255 the full tint.
    ramp = np.linspace(0, 1, 256, dtype=np.float32)[:, None]
    table = (
        np.array(base, np.float32)
        + (np.array(tint, np.float32) - np.array(base, np.float32)) * ramp
    )
    lut = np.clip(table, 0, 255).astype(np.uint8).reshape(256, 1, 3)
    small = cv2.LUT(cv2.merge([level, level, level]), lut)
    img = cv2.resize(small, (w, h), interpolation=cv2.INTER_LINEAR)
    return Image.fromarray(add_noise(img, rng, 1.6), "RGB")


def add_noise(img: np.ndarray, rng: np.random.Generator, sigma: float) -> np.ndarray:
    """Add Gaussian noise, tiled from a patch (fast on 12 MP frames and looks the same)."""
    if sigma <= 0:
        return img
    size = 509  # prime: the repetition lines up with nothing in the picture
    tile = np.clip(np.round(rng.normal(0, sigma, (size, size, 3))), -127, 127).astype(np.int8)
    h, w = img.shape[:2]
    ny, nx = h // size + 2, w // size + 2
    oy, ox = (int(v) for v in rng.integers(0, size, 2))
    # A row-strided view is fine for OpenCV: no copy of the full-size noise.
    noise = cv2.repeat(tile, ny, nx)[oy : oy + h, ox : ox + w]
    out: np.ndarray = cv2.add(img, noise, dtype=cv2.CV_8U)  # saturating uint8 + int8
    return out


def plain_paper(
    w: int, h: int, rng: np.random.Generator, base: RGB = (250, 250, 248)
) -> Image.Image:
    img = np.empty((h, w, 3), np.uint8)
    img[:] = base
    return Image.fromarray(add_noise(img, rng, 1.2), "RGB")


def frame_border(sheet: Sheet, rnd: random.Random, color: RGB, inset: int) -> None:
    """A decorative double frame with a small repeating ornament."""
    w, h = sheet.width, sheet.height
    sheet.rect((inset, inset, w - inset, h - inset), color, 4)
    sheet.rect((inset + 14, inset + 14, w - inset - 14, h - inset - 14), color, 2)
    step = rnd.randint(26, 40)
    for x in range(inset + 30, w - inset - 30, step):
        for y in (inset + 7, h - inset - 7):
            sheet.draw.ellipse((x - 3, y - 3, x + 3, y + 3), outline=color, width=1)
    for y in range(inset + 30, h - inset - 30, step):
        for x in (inset + 7, w - inset - 7):
            sheet.draw.ellipse((x - 3, y - 3, x + 3, y + 3), outline=color, width=1)


def emblem(sheet: Sheet, cx: float, top: float, size: float, color: RGB) -> None:
    """A placeholder state emblem: crown, shield and wings, in outline."""
    d = sheet.draw
    s = size
    # Wings.
    for side in (-1, 1):
        pts = [
            (cx + side * 0.12 * s, top + 0.35 * s),
            (cx + side * 0.45 * s, top + 0.12 * s),
            (cx + side * 0.5 * s, top + 0.45 * s),
            (cx + side * 0.42 * s, top + 0.6 * s),
            (cx + side * 0.18 * s, top + 0.7 * s),
        ]
        d.line([*pts, pts[0]], fill=color, width=3, joint="curve")
        for i in range(1, 5):
            d.line(
                [
                    (cx + side * 0.16 * s, top + (0.35 + 0.07 * i) * s),
                    (cx + side * (0.5 - 0.02 * i) * s, top + (0.18 + 0.1 * i) * s),
                ],
                fill=color,
                width=2,
            )
    # Shield.
    shield = [
        (cx - 0.14 * s, top + 0.3 * s),
        (cx + 0.14 * s, top + 0.3 * s),
        (cx + 0.14 * s, top + 0.62 * s),
        (cx, top + 0.78 * s),
        (cx - 0.14 * s, top + 0.62 * s),
    ]
    d.polygon(shield, outline=color, width=4)
    d.ellipse((cx - 0.05 * s, top + 0.4 * s, cx + 0.05 * s, top + 0.55 * s), outline=color, width=3)
    # Crown.
    d.polygon(
        [
            (cx - 0.12 * s, top + 0.2 * s),
            (cx - 0.08 * s, top + 0.06 * s),
            (cx, top + 0.14 * s),
            (cx + 0.08 * s, top + 0.06 * s),
            (cx + 0.12 * s, top + 0.2 * s),
        ],
        outline=color,
        width=3,
    )
    d.line([(cx, top), (cx, top + 0.06 * s)], fill=color, width=3)
    # Tail.
    d.polygon(
        [(cx - 0.08 * s, top + 0.82 * s), (cx + 0.08 * s, top + 0.82 * s), (cx, top + s)],
        outline=color,
        width=3,
    )


# --- ink: seals and signatures ---------------------------------------------------------------


def _blend_ink(base: Image.Image, alpha: np.ndarray, color: RGB, x0: int, y0: int) -> None:
    """Multiply-blend ink of ``color`` with coverage ``alpha`` (0..1) at (x0, y0)."""
    h, w = alpha.shape
    bx0, by0 = max(0, x0), max(0, y0)
    bx1, by1 = min(base.width, x0 + w), min(base.height, y0 + h)
    if bx0 >= bx1 or by0 >= by1:
        return
    region = np.asarray(base.crop((bx0, by0, bx1, by1)), dtype=np.float32)
    a = alpha[by0 - y0 : by1 - y0, bx0 - x0 : bx1 - x0, None]
    ink = np.array(color, np.float32) / 255.0
    mixed = region * (1 - a * (1 - ink))
    base.paste(Image.fromarray(np.clip(mixed, 0, 255).astype(np.uint8), "RGB"), (bx0, by0))


def seal(
    sheet: Sheet,
    cx: float,
    cy: float,
    radius: int,
    ring_text: str,
    centre_lines: Sequence[str],
    fam: FontFamily,
    rnd: random.Random,
    rng: np.random.Generator,
) -> None:
    """A round rubber stamp, semi-transparent, unevenly inked, slightly rotated."""
    size = radius * 2 + 20
    layer = Image.new("L", (size, size), 0)
    d = ImageDraw.Draw(layer)
    c = size / 2
    d.ellipse(
        (c - radius, c - radius, c + radius, c + radius), outline=255, width=max(4, radius // 28)
    )
    inner = radius * 0.7
    d.ellipse((c - inner, c - inner, c + inner, c + inner), outline=255, width=max(2, radius // 60))
    fsize = max(14, int(radius * 0.16))
    fnt = font(fam.bold, fsize)
    text = ring_text.upper()
    text_r = (radius + inner) / 2
    total = sum(fnt.getlength(ch) for ch in text)
    circumference = 2 * math.pi * text_r
    scale = min(1.0, circumference * 0.95 / max(total, 1))
    if scale < 1.0:
        fsize = max(10, int(fsize * scale))
        fnt = font(fam.bold, fsize)
        total = sum(fnt.getlength(ch) for ch in text)
    angle = -math.pi / 2 - (total / text_r) / 2
    for ch in text:
        adv = fnt.getlength(ch)
        mid = angle + adv / 2 / text_r
        glyph = Image.new("L", (fsize * 2, fsize * 2), 0)
        ImageDraw.Draw(glyph).text((fsize, fsize), ch, font=fnt, fill=255, anchor="mm")
        rotated = glyph.rotate(-math.degrees(mid) - 90, resample=Image.Resampling.BICUBIC)
        gx = c + text_r * math.cos(mid) - fsize
        gy = c + text_r * math.sin(mid) - fsize
        layer.paste(rotated, (int(gx), int(gy)), rotated)
        angle += adv / text_r
    cfnt = font(fam.bold, max(12, int(radius * 0.15)))
    n = len(centre_lines)
    for i, line in enumerate(centre_lines):
        lf = fit_font(fam.bold, cfnt.size, line, inner * 1.7, 10)
        d.text((c, c + (i - (n - 1) / 2) * lf.size * 1.2), line, font=lf, fill=255, anchor="mm")
    layer = layer.rotate(rnd.uniform(-40, 40), resample=Image.Resampling.BICUBIC)
    alpha = np.asarray(layer, np.float32) / 255.0
    # Uneven inking: a soft low-frequency field and speckle.
    field_ = cv2.resize(rng.uniform(0.45, 1.0, (5, 5)).astype(np.float32), (size, size))
    speck = rng.uniform(0.6, 1.0, (size, size)).astype(np.float32)
    alpha = cv2.GaussianBlur(alpha, (0, 0), 1.0) * field_ * speck * rnd.uniform(0.55, 0.8)
    _blend_ink(sheet.image, alpha, rnd.choice(SEAL_INKS), int(cx - c), int(cy - c))


def signature(
    sheet: Sheet, x: float, y: float, width: float, height: float, rnd: random.Random
) -> None:
    """A pen scribble inside the given box (vertically centred on ``y``)."""
    w, h = int(width) + 20, int(height) + 20
    layer = Image.new("L", (w, h), 0)
    d = ImageDraw.Draw(layer)
    # Control points: a capital-like loop, then a run of cursive humps with back-steps.
    ctrl: list[tuple[float, float]] = []
    px = 10 + rnd.uniform(0, width * 0.05)
    ctrl.append((px, h / 2 + rnd.uniform(-0.1, 0.4) * height))
    ctrl.append((px + width * 0.08, h / 2 - rnd.uniform(0.3, 0.5) * height))
    ctrl.append((px + width * rnd.uniform(0.0, 0.05), h / 2 + rnd.uniform(0.0, 0.3) * height))
    px += width * 0.12
    while px < width * 0.92:
        step = width * rnd.uniform(0.04, 0.11)
        px += step
        ctrl.append((px, h / 2 + rnd.uniform(-0.45, 0.35) * height))
        if rnd.random() < 0.3:
            ctrl.append(
                (px - step * rnd.uniform(0.3, 0.7), h / 2 + rnd.uniform(-0.2, 0.4) * height)
            )
    ctrl.append((width * rnd.uniform(0.95, 1.0), h / 2 + rnd.uniform(0.1, 0.4) * height))
    pts: list[tuple[float, float]] = []
    padded = [ctrl[0], *ctrl, ctrl[-1]]
    for i in range(1, len(padded) - 2):
        p0, p1, p2, p3 = padded[i - 1], padded[i], padded[i + 1], padded[i + 2]
        for k in range(10):
            t = k / 10
            t2, t3 = t * t, t * t * t
            pts.append(
                tuple(  # type: ignore[arg-type]
                    0.5
                    * (
                        2 * p1[j]
                        + (-p0[j] + p2[j]) * t
                        + (2 * p0[j] - 5 * p1[j] + 4 * p2[j] - p3[j]) * t2
                        + (-p0[j] + 3 * p1[j] - 3 * p2[j] + p3[j]) * t3
                    )
                    for j in (0, 1)
                )
            )
    d.line(pts, fill=255, width=rnd.randint(3, 5), joint="curve")
    if rnd.random() < 0.7:
        fy = h / 2 + height * rnd.uniform(0.2, 0.45)
        d.line(
            [
                (w * rnd.uniform(0.1, 0.4), fy),
                (w * rnd.uniform(0.8, 1.0), fy - height * rnd.uniform(0.0, 0.25)),
            ],
            fill=255,
            width=3,
        )
    alpha = cv2.GaussianBlur(np.asarray(layer, np.float32) / 255.0, (0, 0), 0.8) * 0.9
    _blend_ink(sheet.image, alpha, rnd.choice(PEN_INKS), int(x - 10), int(y - h / 2))


def soften(img: Image.Image, rng: np.random.Generator, sigma: float) -> np.ndarray:
    """RGB PIL image -> BGR uint8 with a slight print/scan softness."""
    arr = np.asarray(img)
    if sigma > 0:
        arr = cv2.GaussianBlur(arr, (0, 0), sigma)
    return np.ascontiguousarray(arr[:, :, ::-1])
