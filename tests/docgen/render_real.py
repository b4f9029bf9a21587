"""OMS policies drawn on the REAL blank forms (official Goznak specimens, 300 dpi).

Unlike ``render_policy`` (whose forms are drawn from retellings, labels left of values), this
module fills the scanned blanks in ``blanks/`` the way insurers do (see the shared
``docs/forms.md``):

* ``unified_real``: the unified paper policy's front. Surname, first name, patronymic and
  «DD.MM.YYYY г., М» are typed ABOVE their small Goznak captions, a PDF417 barcode and the
  16-digit ENP under it, a validity date above «срок действия*» only on a minority (foreign
  residents), sometimes the holder's signature. The front has no issue date and no insurer.
* ``temporary_real``: the temporary certificate (landscape): insurer and its address on the top
  lines, the issue date on «« __ » ______ 20__ г.», the 9-digit number in the shaded box, the
  child's name, birth document and place of birth on the lines, a hand-drawn «V» in the sex
  box, «до « __ » ______ 20__ г.». Typed on most, hand-written on about a fifth.
* ``unified_blank`` / ``temporary_blank``: the blanks with nothing filled in (every truth value
  None; the temporary blank's «000000000» is not data).

All landmark coordinates below are pixels on the 300-dpi blanks (1 mm = 11.81 px), measured
on the blank images themselves.

    doc = generate_real(7, "unified_real")
    img, info = degrade(doc, "hand", seed=1)
"""

from __future__ import annotations

import datetime as dt
import functools
import itertools
import math
import random
from dataclasses import dataclass
from pathlib import Path

import cv2
import numpy as np
import zxingcpp
from PIL import Image, ImageDraw, ImageFont

from .barcode import encode_payload, encode_short_type1, fits_type1, pdf417_image
from .canvas import INK_BLACK, PEN_INKS, RGB, Sheet, seal, signature, yo
from .data import INSURERS, random_official
from .document import DPI, ChildRecord, GeneratedDocument, child_record
from .fonts import FontFamily, MissingFontError, families, font
from .numbers import (
    MONTHS_GENITIVE,
    dotted,
    random_act_record_number,
    random_certificate_number,
    random_certificate_series,
    random_temporary_number,
)
from .render_policy import child_enp, insurer_ogrn

REAL_FORMS: tuple[str, ...] = ("unified_real", "temporary_real", "unified_blank", "temporary_blank")
_FORM_WEIGHTS = (0.62, 0.28, 0.05, 0.05)

BLANKS_DIR = Path(__file__).resolve().parent / "blanks"
UNIFIED_BLANK = BLANKS_DIR / "oms-unified-policy-front-blank.jpg"
TEMPORARY_BLANK = BLANKS_DIR / "oms-temporary-certificate-blank.jpg"

PX_PER_MM = DPI / 25.4


def px(v_mm: float) -> int:
    return round(v_mm * PX_PER_MM)


# --- landmarks of the unified policy blank (1736 x 2442 px) ----------------------------------

UNIFIED_SIZE = (1736, 2442)
UNIFIED_VALUE_X = px(40.3)
UNIFIED_FIELDS: tuple[str, ...] = ("last_name", "first_name", "patronymic", "birth_date")
UNIFIED_CAPTIONS: dict[str, tuple[int, int]] = {
    # field -> (top, bottom) of the caption's lower-case letters, measured on the blank
    "last_name": (939, 949),  # «фамилия»
    "first_name": (1039, 1046),  # «имя»
    "patronymic": (1137, 1147),  # «отчество (при наличии)»
    "birth_date": (1236, 1247),  # «дата рождения, пол»
}
UNIFIED_CAPTION_X = 493  # left end of the captions
UNIFIED_BASELINES: dict[str, int] = {
    "last_name": px(76.9),
    "first_name": px(85.3),
    "patronymic": px(93.6),
    "birth_date": px(101.9),
}
UNIFIED_BARCODE = (px(40.5), px(109.4), px(50), px(11))  # x, y, w, h
UNIFIED_ENP = (px(51.3), px(158.8), px(2.6))  # x, top, digit height
UNIFIED_SIGNATURE_CAPTION = (708, 2099, 1034, 2109)  # «подпись застрахованного лица»
UNIFIED_VALIDITY = (px(57.2), px(186.4))  # x, baseline
UNIFIED_VALIDITY_CAPTION = (791, 2226, 948, 2236)  # «срок действия*»

# --- landmarks of the temporary certificate blank (2371 x 1641 px, landscape) ----------------

TEMPORARY_SIZE = (2371, 1641)
T_INSURER_LINE = (474, 2249, 116)  # x0, x1, y of the underline
T_ADDRESS_LINE = (475, 2249, 200)
T_ISSUE_DAY = (490, 557, 564)
T_ISSUE_MONTH = (586, 858, 564)
T_ISSUE_YEAR = (927, 994, 564)
T_NUMBER_BOX = (1960, 505, 2275, 582)  # x0, y0, x1, y1 of the shaded box
T_NUMBER_ZEROS = (1985, 524, 2254, 567)  # the printed «000000000»
T_NAME_LINE = (1000, 2248, 696)
T_DOC_LINE = (130, 2249, 781)
T_DOC_LINE2 = (130, 2245, 866)
T_PLACE_LINE = (480, 2250, 950)
T_BOX_MALE = (384, 977, 458, 1048)  # x0, y0, x1, y1 of the «муж.» box
T_BOX_FEMALE = (699, 977, 773, 1048)
T_VALID_DAY = (1268, 1336, 1161)
T_VALID_MONTH = (1365, 1637, 1161)
T_VALID_YEAR = (1705, 1773, 1161)
T_HOLDER_SIGNATURE_LINE = (763, 1172, 1303)
T_REPRESENTATIVE_LINE = (1202, 1813, 1415)
T_REPRESENTATIVE_SIGNATURE_LINE = (1843, 2251, 1415)
T_STAMP_PLACE = (2000, 1480)  # «М.П.»


# --- fonts -----------------------------------------------------------------------------------

_LIB = "/usr/share/fonts/truetype/liberation"
_DJV = "/usr/share/fonts/truetype/dejavu"
_FREE = "/usr/share/fonts/truetype/freefont"
_PT = "/usr/share/fonts/truetype/paratype"
_KLEE = "/usr/share/fonts/truetype/klee"

_MONO: dict[str, tuple[str, ...]] = {
    "train": (
        f"{_LIB}/LiberationMono-Regular.ttf",
        f"{_DJV}/DejaVuSansMono.ttf",
        f"{_FREE}/FreeMono.ttf",
    ),
    "holdout": (f"{_PT}/PTM55F.ttf",),
}


@dataclass(frozen=True)
class HandFont:
    """A face used for hand-written values; ``fullwidth`` faces get their own letter spacing."""

    path: str
    fullwidth: bool
    slant: float  # extra shear, as tan(angle)
    package: str


_HANDS: dict[str, tuple[HandFont, ...]] = {
    "train": (
        HandFont(f"{_KLEE}/KleeOne-Regular.ttf", True, 0.22, "fonts-klee"),
        HandFont(f"{_KLEE}/KleeOne-SemiBold.ttf", True, 0.18, "fonts-klee"),
        HandFont(f"{_LIB}/LiberationSerif-Italic.ttf", False, 0.08, "fonts-liberation"),
    ),
    "holdout": (
        HandFont(f"{_PT}/PTF56F.ttf", False, 0.1, "fonts-paratype"),
        HandFont(f"{_PT}/PTS56F.ttf", False, 0.12, "fonts-paratype"),
    ),
}

REAL_APT_PACKAGES: tuple[str, ...] = ("fonts-klee",)
"""Apt packages this module needs beyond ``fonts.REQUIRED_APT_PACKAGES``."""


def _check(paths: tuple[str, ...]) -> None:
    missing = [p for p in paths if not Path(p).is_file()]
    if missing:
        raise MissingFontError(
            f"fonts not installed: {', '.join(missing)}; "
            f"apt-get install {' '.join(REAL_APT_PACKAGES)} fonts-liberation fonts-paratype"
        )


def _mono(font_set: str) -> tuple[str, ...]:
    _check(_MONO[font_set])
    return _MONO[font_set]


def _hands(font_set: str) -> tuple[HandFont, ...]:
    hands = _HANDS[font_set]
    _check(tuple(h.path for h in hands))
    return hands


@functools.cache
def _blank_rgb(path: str) -> np.ndarray:
    img = np.asarray(Image.open(path).convert("RGB"))
    if Path(path) == UNIFIED_BLANK:
        img = _fade_specimen_overprint(img)
    img.setflags(write=False)
    return img


def _fade_specimen_overprint(img: np.ndarray) -> np.ndarray:
    """Fade the specimen's faint red «ОБРАЗЕЦ» (a real policy has none).

    Red ink took green and blue away from the paper: give back what it took, only across the
    middle band where the overprint lies (the maroon «ОМС» logo lower down stays)."""
    out = img.astype(np.float32)
    band = slice(700, 1750)
    r, g, b = out[band, :, 0], out[band, :, 1], out[band, :, 2]
    excess = np.clip(r - np.maximum(g, b), 0, None)
    out[band, :, 1] += excess
    out[band, :, 2] += excess
    return np.clip(out, 0, 255).astype(np.uint8)


def blank_image(form: str) -> np.ndarray:
    """A writable RGB copy of the blank of ``form`` ("unified..." or "temporary...")."""
    path = UNIFIED_BLANK if form.startswith("unified") else TEMPORARY_BLANK
    return np.array(_blank_rgb(str(path)))


# --- ink layers ------------------------------------------------------------------------------


class _Layer:
    """An ink coverage mask (0..255) of one colour, with the value boxes drawn on it."""

    def __init__(self, size: tuple[int, int]) -> None:
        self.image = Image.new("L", size, 0)
        self.draw = ImageDraw.Draw(self.image)
        self.boxes: dict[str, tuple[int, int, int, int]] = {}

    def add_box(self, key: str | None, box: tuple[int, int, int, int]) -> None:
        if key is None or box[2] <= 0 or box[3] <= 0:
            return
        if key in self.boxes:
            x0, y0, w0, h0 = self.boxes[key]
            x1, y1, w1, h1 = box
            left, top = min(x0, x1), min(y0, y1)
            right, bottom = max(x0 + w0, x1 + w1), max(y0 + h0, y1 + h1)
            box = (left, top, right - left, bottom - top)
        self.boxes[key] = box

    def text(
        self,
        x: float,
        y: float,
        s: str,
        fnt: ImageFont.FreeTypeFont,
        *,
        key: str | None = None,
        anchor: str = "ls",
        level: int = 255,
    ) -> tuple[int, int, int, int]:
        self.draw.text((x, y), s, font=fnt, fill=level, anchor=anchor)
        left, top, right, bottom = self.draw.textbbox((x, y), s, font=fnt, anchor=anchor)
        box = (int(left), int(top), int(right - left), int(bottom - top))
        self.add_box(key, box)
        return box

    def words(
        self,
        x: float,
        y: float,
        parts: list[tuple[str, str | None]],
        fnt: ImageFont.FreeTypeFont,
    ) -> float:
        """Space-separated parts on one baseline, each with its own key; returns the end x."""
        space = fnt.getlength(" ")
        for s, key in parts:
            self.text(x, y, s, fnt, key=key)
            x += fnt.getlength(s) + space
        return x - space

    def paste_alpha(self, alpha: np.ndarray, x: int, y: int, key: str | None = None) -> None:
        """Max-combine a 0..255 coverage patch at (x, y); records its ink box under ``key``."""
        h, w = alpha.shape
        W, H = self.image.size
        x0, y0, x1, y1 = max(0, x), max(0, y), min(W, x + w), min(H, y + h)
        if x0 >= x1 or y0 >= y1:
            return
        arr = np.asarray(self.image).copy()
        patch = alpha[y0 - y : y1 - y, x0 - x : x1 - x]
        np.maximum(arr[y0:y1, x0:x1], patch, out=arr[y0:y1, x0:x1])
        self.image = Image.fromarray(arr, "L")
        self.draw = ImageDraw.Draw(self.image)
        ys, xs = np.nonzero(patch > 40)
        if key is not None and len(xs):
            self.add_box(
                key,
                (
                    int(x0 + xs.min()),
                    int(y0 + ys.min()),
                    int(xs.max() - xs.min() + 1),
                    int(ys.max() - ys.min() + 1),
                ),
            )


def _misprint(layer: _Layer, rnd: random.Random, max_shift_mm: tuple[float, float], max_rot: float):
    """Move a printer's whole output: a shift of the sheet in the feed and a tiny rotation.

    Returns the transformed coverage (float32 0..1), boxes and (dx_mm, dy_mm, degrees)."""
    w, h = layer.image.size
    dx = rnd.uniform(-max_shift_mm[0], max_shift_mm[0]) * PX_PER_MM
    dy = rnd.uniform(-max_shift_mm[1], max_shift_mm[1]) * PX_PER_MM
    angle = rnd.uniform(-max_rot, max_rot)
    m = cv2.getRotationMatrix2D((w / 2, h / 2), angle, 1.0)
    m[0, 2] += dx
    m[1, 2] += dy
    arr = np.asarray(layer.image, np.float32) / 255.0
    warped = cv2.warpAffine(arr, m, (w, h), flags=cv2.INTER_LINEAR)
    boxes = {k: _map_box(b, m) for k, b in layer.boxes.items()}
    return warped, boxes, (dx / PX_PER_MM, dy / PX_PER_MM, angle), m


def _map_box(box: tuple[int, int, int, int], m: np.ndarray) -> tuple[int, int, int, int]:
    x, y, bw, bh = box
    pts = np.array([[x, y, 1], [x + bw, y, 1], [x + bw, y + bh, 1], [x, y + bh, 1]], np.float64)
    out = pts @ m.T
    x0, y0 = np.floor(out.min(axis=0)).astype(int)
    x1, y1 = np.ceil(out.max(axis=0)).astype(int)
    return int(x0), int(y0), int(x1 - x0), int(y1 - y0)


def _apply_ink(img: np.ndarray, alpha: np.ndarray, color: RGB, opacity: float) -> None:
    """Multiply-blend ink of ``color`` (RGB) with coverage ``alpha`` (0..1) into ``img``."""
    ink = 1 - np.array(color, np.float32) / 255.0
    rows = np.flatnonzero(alpha.max(axis=1) > 0)
    if not len(rows):
        return
    # Work band by band over the rows that carry ink (the layers are sparse).
    breaks = np.flatnonzero(np.diff(rows) > 8)
    starts = np.concatenate(([rows[0]], rows[breaks + 1]))
    ends = np.concatenate((rows[breaks], [rows[-1]]))
    h, w = alpha.shape
    for r0, r1 in zip(starts, ends, strict=True):
        y0, y1 = max(0, r0 - 3), min(h, r1 + 4)
        cols = np.flatnonzero(alpha[y0:y1].max(axis=0) > 0)
        x0, x1 = max(0, cols[0] - 3), min(w, cols[-1] + 4)
        a = cv2.GaussianBlur(alpha[y0:y1, x0:x1], (0, 0), 0.6)[..., None] * opacity
        region = img[y0:y1, x0:x1].astype(np.float32) * (1 - a * ink)
        img[y0:y1, x0:x1] = np.clip(region, 0, 255).astype(np.uint8)


# --- hand-writing ----------------------------------------------------------------------------


def hand_text(
    layer: _Layer,
    x: float,
    baseline: float,
    s: str,
    hand: HandFont,
    cap_height: float,
    rnd: random.Random,
    *,
    key: str | None = None,
    max_width: float | None = None,
) -> float:
    """Write ``s`` by hand: glyph by glyph with jittered size, baseline and spacing, slanted.

    Returns the x where the writing ends."""
    size = _hand_size(hand, cap_height)
    pad = size
    glyphs: list[tuple[np.ndarray, float, float]] = []  # coverage, x, baseline offset
    pen = 0.0
    drift = 0.0
    for ch in s:
        if ch == " ":
            pen += size * rnd.uniform(0.3, 0.42)
            continue
        fs = max(10, round(size * rnd.uniform(0.93, 1.07)))
        fnt = font(hand.path, fs)
        gl, gt, gr, gb = fnt.getbbox(ch, anchor="ls")
        gw, gh = gr - gl + 8, gb - gt + 8
        img = Image.new("L", (max(1, gw), max(1, gh)), 0)
        ImageDraw.Draw(img).text((4 - gl, 4 - gt), ch, font=fnt, fill=255, anchor="ls")
        drift = max(-0.08 * size, min(0.08 * size, drift + rnd.uniform(-0.03, 0.03) * size))
        arr = np.asarray(img)
        if hand.fullwidth:
            # Full-width (CJK-metric) letters: space them by their ink, not their advance.
            cols = np.nonzero(arr.max(axis=0) > 40)[0]
            ink0, ink1 = (int(cols[0]), int(cols[-1])) if len(cols) else (0, gw)
            glyphs.append((arr, pen - ink0, gt - 4 + drift))
            pen += (ink1 - ink0) + size * rnd.uniform(0.06, 0.12)
        else:
            glyphs.append((arr, pen + gl - 4, gt - 4 + drift))
            pen += fnt.getlength(ch) * rnd.uniform(0.97, 1.06)
    if not glyphs:
        return x
    width = int(pen + pad * 2)
    height = int(size * 2.2 + pad)
    base_y = size * 1.4
    canvas = np.zeros((height, width), np.uint8)
    for arr, gx, gy in glyphs:
        cx, cy = round(gx + pad), round(base_y + gy)
        h, w = arr.shape
        cx0, cy0 = max(0, cx), max(0, cy)
        cx1, cy1 = min(width, cx + w), min(height, cy + h)
        if cx0 < cx1 and cy0 < cy1:
            sub = arr[cy0 - cy : cy1 - cy, cx0 - cx : cx1 - cx]
            np.maximum(canvas[cy0:cy1, cx0:cx1], sub, out=canvas[cy0:cy1, cx0:cx1])
    # Slant about the baseline, and a slight upward or downward run of the whole line.
    shear = hand.slant + rnd.uniform(-0.04, 0.06)
    run = rnd.uniform(-0.012, 0.012)
    m = np.array([[1, -shear, shear * base_y], [run, 1, -run * pad]], np.float32)
    canvas = cv2.warpAffine(canvas, m, (width, height), flags=cv2.INTER_LINEAR)
    if hand.fullwidth:
        canvas = cv2.dilate(canvas, np.ones((2, 2), np.uint8))  # a ball-point, not a pencil
    scale = 1.0
    if max_width is not None and pen > max_width:
        scale = max_width / pen
        canvas = cv2.resize(
            canvas, (max(1, int(width * scale)), max(1, int(height * scale))), cv2.INTER_AREA
        )
    ox = round(x - pad * scale)
    oy = round(baseline - base_y * scale)
    layer.paste_alpha(canvas, ox, oy, key)
    return x + pen * scale


def hand_width(s: str, hand: HandFont, cap_height: float) -> float:
    """About how wide ``hand_text`` writes ``s`` (without the jitter)."""
    size = _hand_size(hand, cap_height)
    fnt = font(hand.path, size)
    total = 0.0
    for ch in s:
        if ch == " ":
            total += size * 0.36
        elif hand.fullwidth:
            bbox = fnt.getmask(ch).getbbox()
            total += (bbox[2] - bbox[0] if bbox else size * 0.5) + size * 0.09
        else:
            total += fnt.getlength(ch) * 1.015
    return total


def _hand_size(hand: HandFont, cap_height: float) -> int:
    probe = font(hand.path, 100)
    _, top, _, _ = probe.getbbox("Н", anchor="ls")
    return max(12, round(cap_height / max(1, -top) * 100))


def hand_tick(layer: _Layer, box: tuple[int, int, int, int], rnd: random.Random) -> None:
    """A hand-drawn «V» in a square box (x0, y0, x1, y1); it may overshoot the box."""
    x0, y0, x1, y1 = box
    w = x1 - x0
    size = w * rnd.uniform(0.7, 1.05)
    cx = (x0 + x1) / 2 + rnd.uniform(-0.12, 0.15) * w
    cy = (y0 + y1) / 2 + rnd.uniform(-0.15, 0.1) * w
    pts = [
        (cx - size * rnd.uniform(0.35, 0.5), cy - size * rnd.uniform(0.35, 0.6)),
        (cx + rnd.uniform(-0.08, 0.06) * size, cy + size * rnd.uniform(0.3, 0.45)),
        (cx + size * rnd.uniform(0.4, 0.65), cy - size * rnd.uniform(0.5, 0.85)),
    ]
    pad = int(size)
    ox, oy = int(cx - size - pad / 2), int(cy - size - pad / 2)
    side = int(2 * size + pad)
    img = Image.new("L", (side, side), 0)
    d = ImageDraw.Draw(img)
    local = [(px_ - ox, py_ - oy) for px_, py_ in pts]
    # Slightly curved strokes: a few segments with jitter.
    path: list[tuple[float, float]] = []
    for (ax, ay), (bx, by) in itertools.pairwise(local):
        for k in range(6):
            t = k / 6
            bend = math.sin(t * math.pi) * rnd.uniform(-2, 2)
            path.append((ax + (bx - ax) * t + bend, ay + (by - ay) * t))
    path.append(local[-1])
    d.line(path, fill=255, width=rnd.randint(4, 6), joint="curve")
    layer.paste_alpha(np.asarray(img), ox, oy, "sex")


# --- content ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Child:
    last: str
    first: str
    middle: str | None
    sex: str
    birth: dt.date


def _child(seed: int, rec: ChildRecord, content: random.Random) -> _Child:
    keep_yo = content.random() < 0.5
    child = rec.family.child
    middle = None if content.random() < 0.03 else yo(child.patronymic, keep_yo)
    return _Child(
        yo(child.last_name, keep_yo),
        yo(child.first_name, keep_yo),
        middle,
        rec.family.sex,
        rec.birth_date,
    )


def _typed_family(rnd: random.Random, font_set: str) -> FontFamily:
    """Insurers print in a sans face mostly (Arial-like), sometimes a serif one."""
    serif = rnd.random() < 0.2
    return rnd.choice(families(font_set, serif=serif))


def _sized(path: str, cap_height: float) -> ImageFont.FreeTypeFont:
    """The font at the pixel size whose capital «Н» is ``cap_height`` tall."""
    probe = font(path, 100)
    _, top, _, _ = probe.getbbox("Н", anchor="ls")
    return font(path, max(8, round(cap_height / max(1, -top) * 100)))


def _digits_sized(path: str, digit_height: float) -> ImageFont.FreeTypeFont:
    probe = font(path, 100)
    _, top, _, _ = probe.getbbox("0", anchor="ls")
    return font(path, max(8, round(digit_height / max(1, -top) * 100)))


def _pt_cap(rnd: random.Random, lo: float = 11.0, hi: float = 13.0) -> float:
    """Capital height in pixels of a lo..hi pt face (caps are ~0.72 em in Arial)."""
    return rnd.uniform(lo, hi) / 72 * DPI * 0.72


def _payload(child: _Child, enp: str, expiry: dt.date | None, ogrn: str, okato: int, rnd):
    """The barcode's bytes: mostly the shortened 121-byte type-01 real policies carry (as the
    specimen), sometimes the full 130-byte layout type 1 or 2."""
    middle = child.middle or ""
    if rnd.random() < 0.8:
        return encode_short_type1(
            enp=enp,
            last_name=child.last,
            first_name=child.first,
            patronymic=middle,
            sex=child.sex,
            birth_date=child.birth,
            expiry=expiry,
            ogrn=ogrn,
            okato=okato,
            rnd=rnd,
            ogrn_bytes=5 if int(ogrn) < 256**5 else 6,
        )
    layout = 1 if rnd.random() < 0.5 and fits_type1(child.last, child.first, middle) else 2
    return encode_payload(
        layout_type=layout,
        enp=enp,
        last_name=child.last,
        first_name=child.first,
        patronymic=middle,
        sex=child.sex,
        birth_date=child.birth,
        expiry=expiry,
        ogrn=ogrn,
        okato=okato,
        rnd=rnd,
    )


def barcode_patch(payload: bytes, width: int, height: int, compact: bool = True) -> np.ndarray:
    """The PDF417 of ``payload`` stretched to ``width`` x ``height``: 1.0 where a bar is.

    ``compact``: Compact PDF417 (no right row indicator and stop pattern), else full PDF417."""
    if compact:
        matrix = pdf417_image(payload, 1, 1)
    else:
        code = zxingcpp.create_barcode(payload, zxingcpp.BarcodeFormat.PDF417, ec_level=4)
        matrix = np.array(code.to_image(scale=1), dtype=np.uint8)
    dark = matrix < 128
    ys, xs = np.nonzero(dark)
    core = dark[ys.min() : ys.max() + 1, xs.min() : xs.max() + 1].astype(np.uint8)
    out = cv2.resize(core, (width, height), interpolation=cv2.INTER_NEAREST)
    return out.astype(np.float32)


# --- public API ------------------------------------------------------------------------------


def generate_real(
    seed: int,
    form: str | None = None,
    font_set: str = "train",
    *,
    handwritten: bool | None = None,
) -> GeneratedDocument:
    """A policy on a real blank: ``form`` one of REAL_FORMS (drawn from the seed when None).

    ``handwritten`` (temporary_real only): force the values to be hand-written (True) or typed
    (False); by default about a fifth of the seeds are hand-written. Everything else stays as
    the seed makes it."""
    if form is None:
        form = random.Random(f"real-form:{seed}").choices(REAL_FORMS, weights=_FORM_WEIGHTS)[0]
    if form not in REAL_FORMS:
        raise ValueError(f"unknown real form {form!r}; use one of {REAL_FORMS}")
    if font_set not in ("train", "holdout"):
        raise ValueError(f"unknown font set {font_set!r}")
    if form == "unified_real":
        return _unified(seed, font_set)
    if form == "temporary_real":
        return _temporary(seed, font_set, handwritten)
    return _blank(seed, form, font_set)


_NONE_TRUTH: dict[str, str | None] = {
    "policy_form": None,
    "policy_number": None,
    "policy_series": None,
    "last_name": None,
    "first_name": None,
    "patronymic": None,
    "sex": None,
    "birth_date": None,
    "policy_issue_date": None,
    "policy_expiry_date": None,
    "insurer": None,
}


def _finish(img: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """RGB -> BGR with a trace of scanner noise (the blank is already a scan)."""
    from .canvas import add_noise

    return np.ascontiguousarray(add_noise(img, rng, 0.8)[:, :, ::-1])


def _blank(seed: int, form: str, font_set: str) -> GeneratedDocument:
    rnd = random.Random(f"real:{seed}:{form}:{font_set}")
    rng = np.random.default_rng(rnd.getrandbits(64))
    img = blank_image(form)
    truth = dict(_NONE_TRUTH)
    truth["policy_form"] = "unified" if form == "unified_blank" else "temporary"
    return GeneratedDocument(
        image=_finish(img, rng),
        dpi=DPI,
        kind="oms_policy",
        layout=form,
        truth=truth,
        boxes={},
        barcode_payload=None,
        seed=seed,
        font_set=font_set,
        text_height=px(3.0),
        extra={"blank": "1"},
    )


def _unified(seed: int, font_set: str) -> GeneratedDocument:
    rec = child_record(seed)
    content = random.Random(f"real-content:{seed}:unified")
    rnd = random.Random(f"real:{seed}:unified_real:{font_set}")
    rng = np.random.default_rng(rnd.getrandbits(64))
    child = _child(seed, rec, content)
    enp = child_enp(seed, rec)
    expiry: dt.date | None = None
    if content.random() < 0.1:
        # A foreign resident's fixed-term policy: valid for a while after the reference day.
        expiry = rec.reference + dt.timedelta(days=content.randint(30, 3 * 365))
    insurer = content.choice(INSURERS)
    payload = _payload(child, enp, expiry, insurer_ogrn(insurer), rec.place.okato, content)

    img = blank_image("unified_real")
    layer = _Layer(UNIFIED_SIZE)
    fam = _typed_family(rnd, font_set)
    path = fam.bold if rnd.random() < 0.1 else fam.regular
    vfont = _sized(path, _pt_cap(rnd))
    upper = rnd.random() < 0.45
    x = UNIFIED_VALUE_X + rnd.randint(-3, 3)

    def cased(s: str) -> str:
        return s.upper() if upper else s

    layer.text(x, UNIFIED_BASELINES["last_name"], cased(child.last), vfont, key="last_name")
    layer.text(x, UNIFIED_BASELINES["first_name"], cased(child.first), vfont, key="first_name")
    if child.middle is not None:
        layer.text(x, UNIFIED_BASELINES["patronymic"], cased(child.middle), vfont, key="patronymic")
    layer.words(
        x,
        UNIFIED_BASELINES["birth_date"],
        [(dotted(child.birth), "birth_date"), ("г.,", None), (child.sex, "sex")],
        vfont,
    )
    # The barcode and the ENP under it.
    bx, by, bw, bh = UNIFIED_BARCODE
    bars = barcode_patch(payload, bw, bh, compact=rnd.random() < 0.2)
    arr = np.asarray(layer.image).copy()
    arr[by : by + bh, bx : bx + bw] = np.maximum(arr[by : by + bh, bx : bx + bw], bars * 255)
    layer.image = Image.fromarray(arr, "L")
    layer.draw = ImageDraw.Draw(layer.image)
    layer.boxes["barcode"] = (bx, by, bw, bh)
    ex, etop, eh = UNIFIED_ENP
    mono = rnd.choice(_mono(font_set))
    efont = _digits_sized(mono, eh * rnd.uniform(0.95, 1.05))
    layer.text(ex, etop + eh, enp, efont, key="policy_number")
    if expiry is not None:
        vx, vy = UNIFIED_VALIDITY
        layer.words(vx, vy, [(dotted(expiry), "policy_expiry_date"), ("г.", None)], vfont)

    coverage, boxes, (dx, dy, rot), _ = _misprint(layer, rnd, (2.0, 1.5), 0.5)
    ink = rnd.choice((*INK_BLACK, (55, 55, 58), (70, 70, 72)))
    _apply_ink(img, coverage, ink, rnd.uniform(0.88, 1.0))
    barcode_box = boxes.pop("barcode")

    sheet = Sheet(Image.fromarray(img, "RGB"))
    signed = rnd.random() < 0.65
    if signed:
        sx0, sy0, _sx1, _sy1 = UNIFIED_SIGNATURE_CAPTION
        crossing = rnd.random() < 0.45
        cy = sy0 - (px(1.5) if crossing else px(rnd.uniform(4, 7)))
        signature(
            sheet,
            sx0 + rnd.uniform(-40, 120),
            cy,
            px(rnd.uniform(22, 38)),
            px(rnd.uniform(7, 11)),
            rnd,
        )
    out = np.asarray(sheet.image)
    truth: dict[str, str | None] = dict(_NONE_TRUTH)
    truth.update(
        policy_form="unified",
        policy_number=enp,
        last_name=child.last,
        first_name=child.first,
        patronymic=child.middle,
        sex=child.sex,
        birth_date=child.birth.isoformat(),
        policy_expiry_date=None if expiry is None else expiry.isoformat(),
    )
    return GeneratedDocument(
        image=_finish(out, rng),
        dpi=DPI,
        kind="oms_policy",
        layout="unified_real",
        truth=truth,
        boxes=boxes,
        barcode_payload=payload,
        seed=seed,
        font_set=font_set,
        text_height=boxes["birth_date"][3],
        extra={
            "print_shift_mm": f"{dx:.2f},{dy:.2f}",
            "print_rotation_deg": f"{rot:.3f}",
            "barcode_box": ",".join(str(v) for v in barcode_box),
            "font": Path(path).name,
            "signed": "1" if signed else "0",
        },
    )


# --- temporary certificate -------------------------------------------------------------------

_STREETS = (
    "Ленина",
    "Советская",
    "Мира",
    "Пушкина",
    "Гагарина",
    "Садовая",
    "Октябрьская",
    "Молодёжная",
    "Лесная",
    "Центральная",
    "Комсомольская",
    "Школьная",
)


def add_working_days(day: dt.date, n: int) -> dt.date:
    """``day`` plus ``n`` working days (Monday to Friday; holidays ignored)."""
    while n > 0:
        day += dt.timedelta(days=1)
        if day.weekday() < 5:
            n -= 1
    return day


def _address(rnd: random.Random, rec: ChildRecord) -> str:
    street = rnd.choice(_STREETS)
    house = rnd.randint(1, 120)
    index = rnd.randint(101000, 692999)
    code = rnd.randint(301, 999)
    phone = f"{rnd.randint(100, 999)}-{rnd.randint(10, 99)}-{rnd.randint(10, 99)}"
    return rnd.choice(
        (
            f"{index}, {rec.place.region_name}, ул. {street}, д. {house}, тел. 8 ({code}) {phone}",
            f"{rec.place.region_name}, ул. {street}, {house}; тел. 8-{code}-{phone}",
            f"{index}, ул. {street}, д. {house}, тел.: 8 800 {rnd.randint(100, 999)}-"
            f"{rnd.randint(10, 99)}-{rnd.randint(10, 99)}",
        )
    )


def _certificate_of(seed: int, rec: ChildRecord) -> tuple[str, str, dt.date]:
    """Series, number and issue date of the seed's birth certificate (as render_certificate)."""
    content = random.Random(f"certificate-content:{seed}")
    series = random_certificate_series(content)
    number = random_certificate_number(content)
    random_act_record_number(content, rec.registered, rec.place.okato)
    issued = rec.registered
    if content.random() < 0.1 and (rec.reference - rec.registered).days > 60:
        issued = rec.registered + dt.timedelta(
            days=content.randint(30, (rec.reference - rec.registered).days)
        )
    return series, number, issued


class _Writer:
    """Puts values on the temporary certificate's lines, typed or by hand."""

    def __init__(
        self,
        layer: _Layer,
        rnd: random.Random,
        typed: FontFamily,
        hand: HandFont | None,
        cap: float,
    ) -> None:
        self.layer, self.rnd, self.hand, self.cap = layer, rnd, hand, cap
        self.fam = typed
        self.font = _sized(typed.regular, cap)

    def width(self, s: str) -> float:
        if self.hand is None:
            return self.font.getlength(s)
        return hand_width(s, self.hand, self.cap)

    def at(self, x: float, baseline: float, s: str, key: str | None = None) -> float:
        if self.hand is None:
            box = self.layer.text(x, baseline, s, self.font, key=key)
            return box[0] + self.font.getlength(s)
        return hand_text(self.layer, x, baseline, s, self.hand, self.cap, self.rnd, key=key)

    def centred(self, x0: float, x1: float, baseline: float, s: str, key: str | None) -> None:
        w = self.width(s)
        self.at((x0 + x1) / 2 - w / 2 + self.rnd.uniform(-4, 4), baseline, s, key)

    def parts(self, x: float, baseline: float, parts: list[tuple[str, str | None]]) -> float:
        for s, key in parts:
            x = self.at(x, baseline, s, key) + (
                self.font.getlength(" ") if self.hand is None else self.cap * 0.4
            )
        return x


def _line_parts(
    parts: list[tuple[str, str | None]], writer: _Writer, widths: tuple[float, float]
) -> tuple[list[tuple[str, str | None]], list[tuple[str, str | None]]]:
    """Split word parts over two lines of the given widths."""
    first: list[tuple[str, str | None]] = []
    used = 0.0
    space = writer.width(" ")
    rest = list(parts)
    while rest:
        w = writer.width(rest[0][0]) + space
        if used + w > widths[0] and first:
            break
        first.append(rest.pop(0))
        used += w
    return first, rest


def _temporary(seed: int, font_set: str, force_hand: bool | None = None) -> GeneratedDocument:
    rec = child_record(seed)
    content = random.Random(f"real-content:{seed}:temporary")
    rnd = random.Random(f"real:{seed}:temporary_real:{font_set}")
    rng = np.random.default_rng(rnd.getrandbits(64))
    child = _child(seed, rec, content)
    number = random_temporary_number(content)
    insurer = content.choice(INSURERS)
    age = (rec.reference - rec.birth_date).days
    if content.random() < 0.7:
        issued = rec.birth_date + dt.timedelta(days=content.randint(5, max(5, min(age, 90))))
    else:
        issued = rec.birth_date + dt.timedelta(days=content.randint(5, max(5, age)))
    issued = min(issued, rec.reference)
    if issued < dt.date(2011, 6, 1):  # the 2011 form
        issued = dt.date(2011, 6, 1) + dt.timedelta(days=content.randint(0, 400))
    valid_until = add_working_days(issued, 45)
    series, cert_number, cert_issued = _certificate_of(seed, rec)
    handwritten = rnd.random() < 0.2
    if force_hand is not None:
        handwritten = force_hand

    img = blank_image("temporary_real")
    # Paint the shade of the number box over the blank's «000000000», then print the number.
    zx0, zy0, zx1, zy1 = T_NUMBER_ZEROS
    grey = cv2.cvtColor(img, cv2.COLOR_RGB2GRAY)
    bx0, by0, bx1, by1 = T_NUMBER_BOX
    mask = np.zeros(grey.shape, np.uint8)
    mask[zy0:zy1, zx0:zx1] = (grey[zy0:zy1, zx0:zx1] < 190).astype(np.uint8) * 255
    mask = cv2.dilate(mask, np.ones((7, 7), np.uint8))
    img[by0:by1, bx0:bx1] = cv2.inpaint(
        np.ascontiguousarray(img[by0:by1, bx0:bx1]), mask[by0:by1, bx0:bx1], 6, cv2.INPAINT_TELEA
    )
    goznak = _Layer(TEMPORARY_SIZE)
    nfam = rnd.choice(families(font_set, serif=False))
    grouped = rnd.random() < 0.3
    num_text = f"{number[:3]} {number[3:]}" if grouped else number
    nfont = _digits_sized(nfam.regular, (zy1 - zy0 - 4) * rnd.uniform(0.93, 1.0))
    target = (zx1 - zx0) * (1.08 if grouped else 1.0)
    while nfont.getlength(num_text) > target and nfont.size > 20:
        nfont = font(nfam.regular, nfont.size - 1)
    cx = (zx0 + zx1) / 2 + rnd.uniform(-6, 6)
    goznak.text(cx, zy1 - 3 + rnd.uniform(-2, 2), num_text, nfont, key="policy_number", anchor="ms")
    _apply_ink(img, np.asarray(goznak.image, np.float32) / 255.0, (48, 50, 56), 0.95)

    typed_layer = _Layer(TEMPORARY_SIZE)
    hand_layer = _Layer(TEMPORARY_SIZE)
    fam = _typed_family(rnd, font_set)
    cap = _pt_cap(rnd, 10.5, 12.5)
    hand = rnd.choice(_hands(font_set)) if handwritten else None
    hand_cap = px(rnd.uniform(3.0, 3.8))
    typed = _Writer(typed_layer, rnd, fam, None, cap)
    writer = _Writer(hand_layer, rnd, fam, hand, hand_cap) if handwritten else typed
    head = typed if (not handwritten or rnd.random() < 0.5) else writer
    upper = rnd.random() < 0.4 and not handwritten

    # Insurer and its address (typed or stamped on most, even when the rest is by hand).
    ix0, ix1, iy = T_INSURER_LINE
    if rnd.random() < 0.6:
        head.centred(ix0, ix1, iy - 7, insurer, "insurer")
    else:
        head.at(ix0 + rnd.randint(20, 120), iy - 7, insurer, "insurer")
    ax0, ax1, ay = T_ADDRESS_LINE
    address = _address(rnd, rec)
    head.centred(ax0, ax1, ay - 7, address, None)

    # Issue date on «« __ » ______ 20__ г.».
    for (x0, x1, y), s in (
        (T_ISSUE_DAY, f"{issued.day:02d}" if rnd.random() < 0.7 else str(issued.day)),
        (T_ISSUE_MONTH, MONTHS_GENITIVE[issued.month - 1]),
        (T_ISSUE_YEAR, f"{issued.year % 100:02d}"),
    ):
        writer.centred(x0, x1, y - 6, s, "policy_issue_date")

    def cased(s: str) -> str:
        return s.upper() if upper else s

    # Full name.
    nx0, _nx1, ny = T_NAME_LINE
    name_parts: list[tuple[str, str | None]] = [
        (cased(child.last), "last_name"),
        (cased(child.first), "first_name"),
    ]
    if child.middle is not None:
        name_parts.append((cased(child.middle), "patronymic"))
    writer.parts(nx0 + rnd.randint(20, 160), ny - 7, name_parts)

    # Birth date and the birth certificate, over one or two lines.
    doc_words: list[tuple[str, str | None]] = [(dotted(child.birth), "birth_date")]
    doc_words.append((rnd.choice(("г.р.,", "г. р.,", "г.р.")), None))
    doc_words += [
        (w, None)
        for w in (
            f"{rnd.choice(('свидетельство', 'свид-во', 'Свидетельство'))} о рождении "
            f"{series} № {cert_number} от {dotted(cert_issued)} г. {rec.place.registry_office}"
        ).split()
    ]
    dx0, dx1, dy_ = T_DOC_LINE
    widths = (dx1 - dx0 - 80, T_DOC_LINE2[1] - T_DOC_LINE2[0] - 80)
    total = sum(writer.width(s) + writer.width(" ") for s, _ in doc_words)
    doc_writer = writer
    if total > 0.92 * sum(widths):
        # A long registry office: the clerk squeezes the text onto the two lines.
        doc_writer = _Writer(writer.layer, rnd, fam, hand, writer.cap * 0.92 * sum(widths) / total)
    first, rest = _line_parts(doc_words, doc_writer, widths)
    doc_writer.parts(dx0 + rnd.randint(10, 60), dy_ - 7, first)
    if rest:
        doc_writer.parts(T_DOC_LINE2[0] + rnd.randint(10, 60), T_DOC_LINE2[2] - 7, rest)

    # Place of birth.
    px0, _px1, py = T_PLACE_LINE
    writer.at(px0 + rnd.randint(15, 80), py - 7, rec.place.birth_place, None)

    # Sex: a hand-drawn «V» in one of the boxes.
    hand_tick(hand_layer, T_BOX_MALE if child.sex == "М" else T_BOX_FEMALE, rnd)

    # Valid until.
    for (x0, x1, y), s in (
        (T_VALID_DAY, f"{valid_until.day:02d}" if rnd.random() < 0.7 else str(valid_until.day)),
        (T_VALID_MONTH, MONTHS_GENITIVE[valid_until.month - 1]),
        (T_VALID_YEAR, f"{valid_until.year % 100:02d}"),
    ):
        writer.centred(x0, x1, y - 6, s, "policy_expiry_date")

    # The representative's name.
    rx0, rx1, ry = T_REPRESENTATIVE_LINE
    writer.centred(rx0, rx1, ry - 7, random_official(rnd), None)

    coverage, boxes, (dx, dy, rot), _ = _misprint(typed_layer, rnd, (1.5, 1.0), 0.4)
    _apply_ink(img, coverage, rnd.choice(INK_BLACK), rnd.uniform(0.88, 1.0))
    if handwritten or hand_layer.boxes:
        pen = rnd.choice(PEN_INKS)
        _apply_ink(img, np.asarray(hand_layer.image, np.float32) / 255.0, pen, 0.92)
    for key, box in hand_layer.boxes.items():
        if key in boxes:
            x0, y0, w0, h0 = boxes[key]
            x1, y1, w1, h1 = box
            left, top = min(x0, x1), min(y0, y1)
            boxes[key] = (
                left,
                top,
                max(x0 + w0, x1 + w1) - left,
                max(y0 + h0, y1 + h1) - top,
            )
        else:
            boxes[key] = box
    boxes["policy_number"] = goznak.boxes["policy_number"]

    sheet = Sheet(Image.fromarray(img, "RGB"))
    if rnd.random() < 0.75:
        hx0, _hx1, hy = T_HOLDER_SIGNATURE_LINE
        signature(sheet, hx0 + rnd.uniform(20, 120), hy - px(2.5), px(28), px(9), rnd)
    sx0, _sx1, sy = T_REPRESENTATIVE_SIGNATURE_LINE
    signature(sheet, sx0 + rnd.uniform(10, 80), sy - px(2.5), px(rnd.uniform(22, 30)), px(9), rnd)
    if rnd.random() < 0.85:
        seal(
            sheet,
            T_STAMP_PLACE[0] + rnd.uniform(-120, 80),
            T_STAMP_PLACE[1] + rnd.uniform(-90, 40),
            px(rnd.uniform(18, 21)),
            f"{insurer} * Для документов *",
            ("СМО",),
            fam,
            rnd,
            rng,
        )
    out = np.asarray(sheet.image)
    truth: dict[str, str | None] = dict(_NONE_TRUTH)
    truth.update(
        policy_form="temporary",
        policy_number=number,
        last_name=child.last,
        first_name=child.first,
        patronymic=child.middle,
        sex=child.sex,
        birth_date=child.birth.isoformat(),
        policy_issue_date=issued.isoformat(),
        policy_expiry_date=valid_until.isoformat(),
        insurer=insurer,
    )
    extra = {
        "print_shift_mm": f"{dx:.2f},{dy:.2f}",
        "print_rotation_deg": f"{rot:.3f}",
        "font": Path(fam.regular).name,
        "number_grouped": "1" if grouped else "0",
    }
    if handwritten:
        extra["handwritten"] = "1"
        assert hand is not None
        extra["hand_font"] = Path(hand.path).name
    return GeneratedDocument(
        image=_finish(out, rng),
        dpi=DPI,
        kind="oms_policy",
        layout="temporary_real",
        truth=truth,
        boxes=boxes,
        barcode_payload=None,
        seed=seed,
        font_set=font_set,
        text_height=boxes["birth_date"][3],
        extra=extra,
    )
