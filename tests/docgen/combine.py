"""Several documents in one file: combined PDFs/TIFFs, glass scans and photos of two documents.

Issue #15: parents scan both documents into one PDF, or photograph them side by side on a
table; operators put a card and a certificate on the flatbed glass together. Everything here is
deterministic from the seed and keeps the ground truth of every document it places:

    cert, policy = generate_certificate(7), generate_real(7, "unified_real")
    scan = glass_scan([cert, policy], "side_by_side", seed=1)
    scan.image, scan.placements[1].quad  # the policy's corners on the glass

    data = combined_pdf([cert.image, policy.image, blank_page()], dpi=300)
"""

from __future__ import annotations

import io
import random
from collections.abc import Sequence
from dataclasses import dataclass

import cv2
import numpy as np
from PIL import Image, ImageDraw

from .canvas import add_noise
from .degrade import _background, _doc_mask, _jpeg, _light_field
from .document import DPI, GeneratedDocument
from .fonts import families, font

ARRANGEMENTS: tuple[str, ...] = ("side_by_side", "card_beside", "overlap", "upside_down")
"""How two documents lie together: apart, a card beside a sheet, the second one's edge over
the first one's by a few millimetres, the second one upside down."""

GLASS_MM = (356.0, 216.0)
"""A legal-size flatbed glass (landscape): two A5 sheets fit side by side."""


@dataclass(frozen=True)
class Placement:
    """Where one document ended up.

    Attributes:
        quad: 4 x 2 corners in the output (TL, TR, BR, BL of the upright document).
        rotation: degrees the document was turned (counter-clockwise positive, as OpenCV).
    """

    quad: np.ndarray
    rotation: float

    def bbox(self) -> tuple[int, int, int, int]:
        lo = np.floor(self.quad.min(axis=0)).astype(int)
        hi = np.ceil(self.quad.max(axis=0)).astype(int)
        return int(lo[0]), int(lo[1]), int(hi[0] - lo[0]), int(hi[1] - lo[1])


@dataclass(frozen=True, eq=False)
class MultiImage:
    """One image holding several documents, with where each one lies."""

    image: np.ndarray
    dpi: float | None
    documents: tuple[GeneratedDocument, ...]
    placements: tuple[Placement, ...]
    arrangement: str
    photo: bool


def _affine_place(
    doc: GeneratedDocument, scale: float, angle: float, centre: tuple[float, float]
) -> np.ndarray:
    """3x3 matrix: document pixels -> output pixels (scaled, turned by ``angle``, centred)."""
    h, w = doc.image.shape[:2]
    m = cv2.getRotationMatrix2D((w / 2, h / 2), angle, scale)
    m[0, 2] += centre[0] - w / 2
    m[1, 2] += centre[1] - h / 2
    return np.vstack([m, [0, 0, 1]])


def _corners(doc: GeneratedDocument) -> np.ndarray:
    h, w = doc.image.shape[:2]
    return np.array([[0, 0], [w, 0], [w, h], [0, h]], np.float32)


def _layout(
    docs: Sequence[GeneratedDocument], arrangement: str, rnd: random.Random, px_per_mm: float
) -> tuple[list[tuple[float, float, float]], tuple[int, int]]:
    """Centre and angle of each document (output pixels) and the canvas size."""
    scale = px_per_mm / (DPI / 25.4)
    sizes = [(d.image.shape[1] * scale, d.image.shape[0] * scale) for d in docs]
    gap_mm = {"overlap": -rnd.uniform(3.0, 7.0)}.get(arrangement, rnd.uniform(8.0, 30.0))
    margin = rnd.uniform(8.0, 20.0) * px_per_mm
    x = margin
    placed: list[tuple[float, float, float]] = []
    height = max(h for _, h in sizes)
    for i, (w, h) in enumerate(sizes):
        angle = rnd.uniform(-3.0, 3.0)
        if arrangement == "upside_down" and i == len(docs) - 1:
            angle += 180.0
        cy = margin + height / 2 + rnd.uniform(-0.5, 0.5) * (height - h)
        placed.append((x + w / 2, cy, angle))
        x += w + gap_mm * px_per_mm
    x += margin - gap_mm * px_per_mm
    return placed, (round(x), round(height + 2 * margin))


def glass_scan(
    docs: Sequence[GeneratedDocument], arrangement: str, *, seed: int, dpi: int = 300
) -> MultiImage:
    """Documents lying on a flatbed glass under a white lid, scanned at ``dpi``.

    The canvas grows when the documents need more than :data:`GLASS_MM` (a card beside an A4
    extract); the paper's edge shows as a faint grey line, as on real scans.
    """
    if arrangement not in ARRANGEMENTS:
        raise ValueError(f"unknown arrangement {arrangement!r}; use one of {ARRANGEMENTS}")
    rnd = random.Random(f"glass:{arrangement}:{seed}:{[d.seed for d in docs]}")
    rng = np.random.default_rng(rnd.randrange(2**32))
    px_per_mm = dpi / 25.4
    placed, (cw, ch) = _layout(docs, arrangement, rnd, px_per_mm)
    cw = max(cw, round(GLASS_MM[0] * px_per_mm))
    ch = max(ch, round(GLASS_MM[1] * px_per_mm))
    lid = rnd.randint(236, 250)
    canvas = np.full((ch, cw, 3), lid, np.uint8)
    placements = []
    scale = dpi / DPI
    for doc, (cx, cy, angle) in zip(docs, placed, strict=True):
        m = _affine_place(doc, scale, angle, (cx, cy))
        warped = cv2.warpAffine(doc.image, m[:2], (cw, ch), flags=cv2.INTER_AREA)
        mask = cv2.warpAffine(_doc_mask(doc), m[:2], (cw, ch), flags=cv2.INTER_LINEAR)
        # The paper's edge: a thin shadow line where the lid does not press the sheet flat.
        edge = cv2.morphologyEx(mask, cv2.MORPH_GRADIENT, np.ones((3, 3), np.uint8))
        edge = cv2.GaussianBlur(edge, (0, 0), 1.2).astype(np.float32) / 255.0
        alpha = (mask.astype(np.float32) / 255.0)[..., None]
        canvas = (warped * alpha + canvas * (1.0 - alpha)).astype(np.float32)
        canvas *= 1.0 - rnd.uniform(0.06, 0.14) * edge[..., None]
        canvas = np.clip(canvas, 0, 255).astype(np.uint8)
        quad = cv2.transform(_corners(doc)[None], m[:2])[0].astype(np.float64)
        placements.append(Placement(quad, angle))
    image = add_noise(canvas, rng, rnd.uniform(1.2, 2.2))
    return MultiImage(image, float(dpi), tuple(docs), tuple(placements), arrangement, False)


def photo_of(
    docs: Sequence[GeneratedDocument], arrangement: str, *, seed: int, jpeg: bool = True
) -> MultiImage:
    """Documents lying together on a table, photographed from above by a 12 MP phone."""
    if arrangement not in ARRANGEMENTS:
        raise ValueError(f"unknown arrangement {arrangement!r}; use one of {ARRANGEMENTS}")
    rnd = random.Random(f"photo2:{arrangement}:{seed}:{[d.seed for d in docs]}")
    rng = np.random.default_rng(rnd.randrange(2**32))
    px_per_mm = DPI / 25.4
    placed, (lw, lh) = _layout(docs, arrangement, rnd, px_per_mm)
    frame = (4000, 3000)
    # The group covers 70-85 % of the frame's width or height, whichever binds.
    fill = rnd.uniform(0.7, 0.85)
    k = min(frame[0] * fill / lw, frame[1] * fill / lh)
    off = ((frame[0] - lw * k) / 2, (frame[1] - lh * k) / 2)
    # A slight camera tilt: one perspective for the whole table.
    src = np.array([[0, 0], [lw, 0], [lw, lh], [0, lh]], np.float32)
    dst = src * k + np.array(off, np.float32)
    tilt = rnd.uniform(0.0, 0.05) * lw * k
    side = rnd.randrange(2)
    dst[side * 2] += (tilt, 0) if side == 0 else (-tilt, 0)
    dst[side * 2 + 1] += (-tilt, 0) if side == 0 else (tilt, 0)
    table = cv2.getPerspectiveTransform(src, dst).astype(np.float64)
    fw, fh = frame
    img = _background(fw, fh, rnd, rng).astype(np.float32)
    all_mask = np.zeros((fh, fw), np.float32)
    placements = []
    for doc, (cx, cy, angle) in zip(docs, placed, strict=True):
        hom = table @ _affine_place(doc, 1.0, angle, (cx, cy))
        doc_img = doc.image
        if rnd.random() < 0.6:
            doc_img = cv2.GaussianBlur(doc_img, (0, 0), rnd.uniform(0.4, 0.8))
        warped = cv2.warpPerspective(doc_img, hom, (fw, fh), flags=cv2.INTER_AREA)
        mask = cv2.warpPerspective(_doc_mask(doc), hom, (fw, fh), flags=cv2.INTER_LINEAR)
        m = mask.astype(np.float32)[..., None] / 255.0
        img = warped * m + img * (1.0 - m)
        all_mask = np.maximum(all_mask, m[..., 0])
        quad = cv2.perspectiveTransform(_corners(doc)[None], hom)[0].astype(np.float64)
        placements.append(Placement(quad, angle))
    sw, sh = fw // 8, fh // 8
    small = cv2.resize(all_mask, (sw, sh), interpolation=cv2.INTER_AREA)
    shadow = np.roll(cv2.GaussianBlur(small, (0, 0), 1.2), (1, 1), axis=(0, 1))
    light = _light_field(sw, sh, rnd) * (1 - 0.35 * shadow * (1 - small))
    light_full = cv2.resize(light, (fw, fh), interpolation=cv2.INTER_LINEAR)
    out = np.clip(img * light_full[..., None], 0, 255).astype(np.uint8)
    out = add_noise(out, rng, rnd.uniform(2.0, 3.5))
    if jpeg:
        out = _jpeg(out, rnd.randint(82, 92))
    return MultiImage(out, None, tuple(docs), tuple(placements), arrangement, True)


# ---------------------------------------------------------------------- pages of a PDF


def blank_page(dpi: int = DPI, *, seed: int = 0) -> np.ndarray:
    """An empty A4 page as a scanner delivers it: paper white with noise."""
    rng = np.random.default_rng(seed)
    w, h = round(210 / 25.4 * dpi), round(297 / 25.4 * dpi)
    page = np.full((h, w, 3), 250, np.uint8)
    return add_noise(page, rng, 1.5)


OTHER_TEXT = (
    "Справка",
    "Выдана для предъявления по месту требования в том, что",
    "заявитель действительно обратился в центр обслуживания",
    "с просьбой о консультации по вопросам оформления",
    "документов. Справка действительна в течение тридцати дней",
    "со дня выдачи и не является документом, удостоверяющим",
    "личность. Подпись уполномоченного сотрудника центра.",
)


def other_page(dpi: int = DPI, *, seed: int = 0) -> np.ndarray:
    """An A4 page of plain text that is neither document (a note from a service centre)."""
    rnd = random.Random(f"other:{seed}")
    w, h = round(210 / 25.4 * dpi), round(297 / 25.4 * dpi)
    im = Image.new("RGB", (w, h), (250, 250, 250))
    draw = ImageDraw.Draw(im)
    family = rnd.choice(families("train"))
    size = round(12 / 72 * dpi)
    y = round(30 / 25.4 * dpi)
    for i, line in enumerate(OTHER_TEXT):
        fnt = font(family.bold if i == 0 else family.regular, round(size * (1.4 if i == 0 else 1)))
        draw.text((round(25 / 25.4 * dpi), y), line, font=fnt, fill=(25, 25, 25))
        y += round(size * 2.0)
    rng = np.random.default_rng(seed)
    return add_noise(np.asarray(im)[..., ::-1].copy(), rng, 1.2)


def split_in_two(doc: GeneratedDocument, *, at: float = 0.55) -> tuple[np.ndarray, np.ndarray]:
    """A document printed over two A4 pages (the electronic extract): its top part on page 1,
    the rest on page 2, each on a white page of the document's width."""
    h, w = doc.image.shape[:2]
    cut = round(h * at)
    margin = round(12 / 25.4 * doc.dpi)
    pages = []
    for part in (doc.image[:cut], doc.image[cut:]):
        page = np.full((h, w, 3), 250, np.uint8)
        page[margin : margin + part.shape[0] - margin] = part[: part.shape[0] - margin]
        pages.append(page)
    return pages[0], pages[1]


def _to_pil(image: np.ndarray) -> Image.Image:
    return Image.fromarray(np.ascontiguousarray(image[..., ::-1]), "RGB")


def combined_pdf(pages: Sequence[np.ndarray], dpi: float = DPI) -> bytes:
    """A PDF with one page per image (BGR), each at ``dpi``, as a scanner's «save as PDF»."""
    ims = [_to_pil(p) for p in pages]
    buf = io.BytesIO()
    ims[0].save(buf, "PDF", save_all=True, append_images=ims[1:], resolution=float(dpi), quality=90)
    return buf.getvalue()


def combined_tiff(pages: Sequence[np.ndarray], dpi: float = DPI) -> bytes:
    """A multi-page TIFF (LZW), one page per image (BGR)."""
    ims = [_to_pil(p) for p in pages]
    buf = io.BytesIO()
    ims[0].save(
        buf,
        "TIFF",
        save_all=True,
        append_images=ims[1:],
        dpi=(dpi, dpi),
        compression="tiff_lzw",
    )
    return buf.getvalue()


def bbox_iou(a: Sequence[int], b: Sequence[int]) -> float:
    """Intersection over union of two [x, y, w, h] boxes."""
    ax, ay, aw, ah = a
    bx, by, bw, bh = b
    ix = max(0, min(ax + aw, bx + bw) - max(ax, bx))
    iy = max(0, min(ay + ah, by + bh) - max(ay, by))
    inter = ix * iy
    union = aw * ah + bw * bh - inter
    return inter / union if union else 0.0


__all__ = [
    "ARRANGEMENTS",
    "GLASS_MM",
    "MultiImage",
    "Placement",
    "bbox_iou",
    "blank_page",
    "combined_pdf",
    "combined_tiff",
    "glass_scan",
    "other_page",
    "photo_of",
    "split_in_two",
]
