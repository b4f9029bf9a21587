"""Intake: every format, normalisation, and every guard, on real files made in tmp_path.

PDFs go through the real pdftoppm/pdfinfo (poppler-utils); nothing is faked except where noted.
"""

from __future__ import annotations

import io
import os
import random
import re
import struct
import subprocess
import sys
import tempfile
import zlib
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

import cv2
import numpy as np
import pillow_heif
import pypdf
import pytest
from PIL import Image, ImageFile, TiffImagePlugin

from omsdesktop.errors import CancelledError, OmsError
from omsdesktop.ocr import intake
from omsdesktop.ocr._intake_errors import ALL_INTAKE_ERRORS
from omsdesktop.ocr.intake import IntakeError, IntakeLimits
from omsdesktop.ocr.types import Page

CYRILLIC = re.compile(r"[А-Яа-яЁё]")

# Expected BGR colours of the four quadrants drawn by quadrant_image().
RED, GREEN, BLUE, WHITE = (0, 0, 255), (0, 255, 0), (255, 0, 0), (255, 255, 255)


def quadrant_image(width: int = 120, height: int = 80) -> Image.Image:
    """RGB test card: red top-left, green top-right, blue bottom-left, white bottom-right."""
    im = Image.new("RGB", (width, height), (255, 255, 255))
    im.paste((255, 0, 0), (0, 0, width // 2, height // 2))
    im.paste((0, 255, 0), (width // 2, 0, width, height // 2))
    im.paste((0, 0, 255), (0, height // 2, width // 2, height))
    return im


def quadrant_colours(img: np.ndarray) -> list[tuple[int, int, int]]:
    """BGR colour at the centre of each quadrant: TL, TR, BL, BR."""
    h, w = img.shape[:2]
    points = [
        (h // 4, w // 4),
        (h // 4, 3 * w // 4),
        (3 * h // 4, w // 4),
        (3 * h // 4, 3 * w // 4),
    ]
    return [tuple(int(v) for v in img[y, x]) for y, x in points]  # type: ignore[misc]


def assert_colours(
    img: np.ndarray, expected: list[tuple[int, int, int]], tolerance: int = 12
) -> None:
    got = quadrant_colours(img)
    for g, e in zip(got, expected, strict=True):
        assert max(abs(a - b) for a, b in zip(g, e, strict=True)) <= tolerance, (got, expected)


def assert_page(page: Page, fmt: str, shape: tuple[int, int]) -> None:
    assert isinstance(page.image, np.ndarray)
    assert page.image.dtype == np.uint8
    assert page.image.shape == (*shape, 3)
    assert page.image.flags["C_CONTIGUOUS"]
    assert page.image.flags["WRITEABLE"]
    assert page.source_format == fmt


def save(im: Image.Image, fmt: str, **kwargs: object) -> bytes:
    buf = io.BytesIO()
    im.save(buf, fmt, **kwargs)
    return buf.getvalue()


def write(path: Path, data: bytes) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    return path


def expect_error(code: str, func: object, *args: object, **kwargs: object) -> IntakeError:
    with pytest.raises(IntakeError) as info:
        func(*args, **kwargs)  # type: ignore[operator]
    err = info.value
    assert err.code == code, (err.code, err.detail)
    message = err.message("ru")
    assert CYRILLIC.search(message), message
    assert "{" not in message and "Traceback" not in message
    assert err.message("en") and not CYRILLIC.search(err.message("en"))
    return err


def heif_bytes(im: Image.Image) -> bytes:
    buf = io.BytesIO()
    pillow_heif.from_pillow(im).save(buf, quality=95)
    return buf.getvalue()


def png_chunk(kind: bytes, body: bytes) -> bytes:
    return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))


def crafted_png(width: int, height: int, idat: bytes) -> bytes:
    """A PNG whose IHDR claims width x height 8-bit RGB, with the given IDAT payload."""
    ihdr = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + png_chunk(b"IHDR", ihdr)
        + png_chunk(b"IDAT", idat)
        + png_chunk(b"IEND", b"")
    )


# --------------------------------------------------------------------------- formats


def pdf_is_slow(formats: Iterable[str]) -> list[Any]:
    """The formats as parameters; PDF renders with poppler (pdftoppm, a subprocess): slow."""
    return [pytest.param(f, marks=pytest.mark.slow) if f == "pdf" else f for f in formats]


ENCODERS: dict[str, Callable[[Image.Image], bytes]] = {
    "jpeg": lambda im: save(im, "JPEG", quality=95),
    "png": lambda im: save(im, "PNG"),
    "tiff": lambda im: save(im, "TIFF", compression="tiff_lzw"),
    "bmp": lambda im: save(im, "BMP"),
    "webp": lambda im: save(im, "WEBP", lossless=True),
    "heif": heif_bytes,
    "pdf": lambda im: save(im, "PDF", resolution=100.0),
}


@pytest.mark.parametrize("fmt", pdf_is_slow(ENCODERS))
def test_every_format_loads_as_bgr_with_right_colours(tmp_path: Path, fmt: str) -> None:
    data = ENCODERS[fmt](quadrant_image())
    path = write(tmp_path / f"doc.{fmt}", data)
    assert intake.sniff_format(data[:64]) == fmt
    limits = IntakeLimits(pdf_dpi=100)
    pages = intake.load_pages(path, limits)
    assert len(pages) == 1
    page = pages[0]
    assert_page(page, fmt, (80, 120))
    assert page.index == 0 and page.page_count == 1
    assert_colours(page.image, [RED, GREEN, BLUE, WHITE], tolerance=25 if fmt == "heif" else 12)
    assert intake.count_pages(path) == 1


def test_supported_formats_constant() -> None:
    assert intake.SUPPORTED_FORMATS == ("jpeg", "png", "tiff", "bmp", "webp", "heif", "pdf")


@pytest.mark.parametrize(
    ("head", "expected"),
    [
        (b"\xff\xd8\xff\xe0\x00\x10JFIF", "jpeg"),
        (b"\x89PNG\r\n\x1a\n\x00\x00", "png"),
        (b"II*\x00\x08\x00\x00\x00", "tiff"),
        (b"MM\x00*\x00\x00\x00\x08", "tiff"),
        (b"II+\x00\x08\x00\x00\x00", "tiff"),
        (b"BM" + b"\x00" * 12 + struct.pack("<I", 40), "bmp"),
        (b"RIFF\x00\x00\x00\x00WEBPVP8 ", "webp"),
        (b"\x00\x00\x00\x18ftypheic\x00\x00\x00\x00mif1heic", "heif"),
        (b"\x00\x00\x00\x1cftypavif\x00\x00\x00\x00avifmif1miaf", None),
        (b"\x00\x00\x00\x18ftypisom\x00\x00\x02\x00isomiso2", None),
        (b"%PDF-1.7\n", "pdf"),
        (b"\r\n garbage before the header %PDF-1.4\n", "pdf"),
        (b"GIF89a\x01\x00\x01\x00", None),
        (b"BMW service report, not a bitmap at all", None),
        (b"PK\x03\x04\x14\x00", None),
        (b"", None),
        ("Свидетельство".encode(), None),
    ],
)
def test_sniff_format_uses_magic_bytes(head: bytes, expected: str | None) -> None:
    assert intake.sniff_format(head) == expected


@pytest.mark.slow  # renders PDF with poppler (pdftoppm, a subprocess)
def test_content_decides_not_the_extension(tmp_path: Path) -> None:
    im = quadrant_image()
    jpeg_named_png = write(tmp_path / "scan.png", save(im, "JPEG", quality=95))
    png_named_jpg = write(tmp_path / "scan.jpg", save(im, "PNG"))
    pdf_named_jpg = write(tmp_path / "scan.jpg.pdf.jpg", save(im, "PDF"))
    assert intake.load_page(jpeg_named_png).source_format == "jpeg"
    assert intake.load_page(png_named_jpg).source_format == "png"
    pdf_page = intake.load_page(pdf_named_jpg, limits=IntakeLimits(pdf_dpi=72))
    assert pdf_page.source_format == "pdf"
    assert_colours(pdf_page.image, [RED, GREEN, BLUE, WHITE])


def test_text_file_named_jpg_is_not_an_image(tmp_path: Path) -> None:
    path = write(tmp_path / "photo.jpg", "Это не картинка, а текст.\n".encode() * 10)
    expect_error("not_an_image", intake.load_pages, path)
    expect_error("not_an_image", intake.count_pages, path)


def test_bmp_lookalike_text_is_not_an_image(tmp_path: Path) -> None:
    path = write(tmp_path / "x.bmp", b"BMW service report, version 2, nothing else here")
    expect_error("not_an_image", intake.load_pages, path)


@pytest.mark.parametrize(
    ("data", "kind"),
    [
        (save(Image.new("RGB", (8, 8)), "GIF"), "GIF"),
        (b"PK\x03\x04\x14\x00\x06\x00" + b"\x00" * 40, "DOCX"),
        (b"AT&TFORM\x00\x00\x10\x00DJVU" + b"\x00" * 30, "DjVu"),
        (b"\x00\x00\x00\x1cftypavif\x00\x00\x00\x00avifmif1miaf" + b"\x00" * 30, "AVIF"),
    ],
)
def test_known_other_formats_are_unsupported(tmp_path: Path, data: bytes, kind: str) -> None:
    path = write(tmp_path / "document.jpg", data)
    err = expect_error("unsupported_format", intake.load_pages, path)
    message = err.message()
    assert kind in message
    for name in ("JPEG", "PNG", "TIFF", "PDF", "HEIC"):
        assert name in message


# --------------------------------------------------------------------------- normalisation


@pytest.mark.parametrize("fmt", ["JPEG", "PNG", "TIFF", "WEBP"])
def test_exif_orientation_is_applied(tmp_path: Path, fmt: str) -> None:
    exif = Image.Exif()
    exif[0x0112] = 6  # stored sideways: display needs a 90 degree clockwise turn
    kwargs: dict[str, object] = {"quality": 95} if fmt == "JPEG" else {}
    if fmt == "WEBP":
        kwargs = {"lossless": True}
    data = save(quadrant_image(), fmt, exif=exif, **kwargs)
    page = intake.load_page(write(tmp_path / f"phone.{fmt.lower()}", data))
    assert_page(page, fmt.lower(), (120, 80))  # width and height swapped
    # After a clockwise turn: old bottom-left (blue) is top-left, old top-left (red) top-right.
    assert_colours(page.image, [BLUE, RED, WHITE, GREEN])


@pytest.mark.parametrize("fmt", ["JPEG", "PNG"])
@pytest.mark.parametrize(
    ("orientation", "colours"),
    [
        (3, [WHITE, BLUE, GREEN, RED]),  # upside down
        (8, [GREEN, WHITE, RED, BLUE]),  # a quarter turn the other way
        (2, [GREEN, RED, WHITE, BLUE]),  # mirrored: left to Pillow
    ],
)
def test_every_exif_orientation_comes_out_upright(
    tmp_path: Path, fmt: str, orientation: int, colours: list[tuple[int, int, int]]
) -> None:
    # JPEG and PNG are decoded by OpenCV where they can be; the turn is ours to apply.
    exif = Image.Exif()
    exif[0x0112] = orientation
    kwargs: dict[str, object] = {"quality": 95} if fmt == "JPEG" else {}
    data = save(quadrant_image(), fmt, exif=exif, **kwargs)
    page = intake.load_page(write(tmp_path / f"phone.{fmt.lower()}", data))
    assert_colours(page.image, colours)


def _png_chunks(data: bytes) -> list[bytes]:
    """A PNG's chunks, each whole (length, type, body, CRC), after the signature."""
    chunks, at = [], 8
    while at < len(data):
        length = int.from_bytes(data[at : at + 4], "big")
        chunks.append(data[at : at + 12 + length])
        at += 12 + length
    return chunks


def test_png_exif_after_the_pixels_is_applied(tmp_path: Path) -> None:
    # PNG allows the eXIf chunk after the image data, where a quick look at the header does
    # not see it: the turn must still be applied.
    exif = Image.Exif()
    exif[0x0112] = 6
    data = save(quadrant_image(), "PNG", exif=exif)
    chunks = _png_chunks(data)
    moved = [c for c in chunks if c[4:8] == b"eXIf"]
    rest = [c for c in chunks if c[4:8] != b"eXIf"]
    assert len(moved) == 1 and rest[-1][4:8] == b"IEND"
    late = data[:8] + b"".join(rest[:-1]) + moved[0] + rest[-1]
    page = intake.load_page(write(tmp_path / "late-exif.png", late))
    assert_page(page, "png", (120, 80))
    assert_colours(page.image, [BLUE, RED, WHITE, GREEN])


def test_tiff_orientation_is_per_page(tmp_path: Path) -> None:
    buf = io.BytesIO()
    with TiffImagePlugin.AppendingTiffWriter(buf) as tiff:
        for orientation in (1, 6, 1):
            exif = Image.Exif()
            exif[0x0112] = orientation
            quadrant_image().save(tiff, "TIFF", exif=exif)
            tiff.newFrame()
    path = write(tmp_path / "scan.tiff", buf.getvalue())
    shapes = [p.image.shape for p in intake.load_pages(path)]
    assert shapes == [(80, 120, 3), (120, 80, 3), (80, 120, 3)]


def test_exif_orientation_1_leaves_image_alone(tmp_path: Path) -> None:
    exif = Image.Exif()
    exif[0x0112] = 1
    path = write(tmp_path / "a.jpg", save(quadrant_image(), "JPEG", quality=95, exif=exif))
    page = intake.load_page(path)
    assert_page(page, "jpeg", (80, 120))
    assert_colours(page.image, [RED, GREEN, BLUE, WHITE])


def gradient16(width: int = 256, height: int = 8) -> np.ndarray:
    row = np.linspace(0, 65535, width).round().astype(np.uint16)
    return np.tile(row, (height, 1))


@pytest.mark.parametrize("ext", [".png", ".tiff"])
def test_16_bit_grey_is_scaled_not_clipped(tmp_path: Path, ext: str) -> None:
    grey = gradient16()
    ok, encoded = cv2.imencode(ext, grey)
    assert ok
    page = intake.load_page(write(tmp_path / f"g16{ext}", encoded.tobytes()))
    assert_page(page, ext.strip(".").replace("tif", "tiff").replace("tifff", "tiff"), (8, 256))
    row = page.image[0, :, 0].astype(int)
    expected = np.round(grey[0].astype(float) / 257.0)
    assert np.abs(row - expected).max() <= 1
    assert row[0] == 0 and row[-1] == 255 and 120 <= row[128] <= 135
    assert (page.image[..., 0] == page.image[..., 1]).all()


@pytest.mark.parametrize("ext", [".png", ".tiff"])
def test_16_bit_colour_is_scaled(tmp_path: Path, ext: str) -> None:
    grey = gradient16()
    bgr16 = np.dstack([grey, grey // 2, np.full_like(grey, 65535)])  # B, G, R as OpenCV writes
    ok, encoded = cv2.imencode(ext, bgr16)
    assert ok
    page = intake.load_page(write(tmp_path / f"c16{ext}", encoded.tobytes()))
    img = page.image.astype(int)
    assert img.shape == (8, 256, 3)
    assert np.abs(img[0, :, 0] - np.round(grey[0] / 257.0)).max() <= 1
    assert np.abs(img[0, :, 1] - np.round((grey[0] // 2) / 257.0)).max() <= 1
    assert (img[..., 2] == 255).all()


@pytest.mark.parametrize("fmt", ["JPEG", "TIFF"])
def test_cmyk_becomes_rgb(tmp_path: Path, fmt: str) -> None:
    im = Image.new("CMYK", (60, 40), (0, 0, 0, 0))  # white paper
    im.paste((255, 0, 0, 0), (0, 0, 30, 40))  # pure cyan on the left
    page = intake.load_page(write(tmp_path / f"cmyk.{fmt.lower()}", save(im, fmt)))
    left, right = page.image[20, 10].astype(int), page.image[20, 50].astype(int)
    assert np.abs(left - (255, 255, 0)).max() <= 12  # cyan in BGR
    assert np.abs(right - (255, 255, 255)).max() <= 12


def test_palette_png_with_transparency_is_composited_on_white(tmp_path: Path) -> None:
    im = Image.new("P", (40, 20), 0)
    im.putpalette([0, 0, 0, 255, 0, 0] + [0] * (254 * 3))  # index 0 black, 1 red
    im.paste(1, (20, 0, 40, 20))
    data = save(im, "PNG", transparency=0)  # the black index is transparent
    page = intake.load_page(write(tmp_path / "pal.png", data))
    assert tuple(page.image[10, 5]) == WHITE
    assert tuple(page.image[10, 30]) == RED


def test_rgba_and_grey_alpha_are_composited_on_white(tmp_path: Path) -> None:
    rgba = Image.new("RGBA", (40, 20), (0, 0, 0, 0))
    rgba.paste((0, 0, 255, 255), (20, 0, 40, 20))
    page = intake.load_page(write(tmp_path / "rgba.png", save(rgba, "PNG")))
    assert tuple(page.image[10, 5]) == WHITE
    assert tuple(page.image[10, 30]) == BLUE
    la = Image.new("LA", (40, 20), (0, 0))
    la.paste((0, 255), (20, 0, 40, 20))
    page = intake.load_page(write(tmp_path / "la.png", save(la, "PNG")))
    assert tuple(page.image[10, 5]) == WHITE
    assert tuple(page.image[10, 30]) == (0, 0, 0)


@pytest.mark.parametrize(
    ("mode", "fmt", "kwargs"),
    [
        ("L", "JPEG", {"quality": 95}),
        ("L", "PNG", {}),
        ("1", "TIFF", {"compression": "group4"}),
        ("1", "PNG", {}),
        ("1", "BMP", {}),
        ("L", "TIFF", {"compression": "tiff_lzw"}),
    ],
)
def test_grey_and_bilevel_become_three_channels(
    tmp_path: Path, mode: str, fmt: str, kwargs: dict[str, object]
) -> None:
    im = Image.new(mode, (64, 32), 255 if mode == "L" else 1)
    im.paste(0, (0, 0, 32, 32))
    page = intake.load_page(write(tmp_path / f"grey.{fmt.lower()}", save(im, fmt, **kwargs)))
    assert page.image.shape == (32, 64, 3)
    assert page.image[16, 10].max() <= 10
    assert page.image[16, 50].min() >= 245


def test_mpo_from_a_camera_is_one_page(tmp_path: Path) -> None:
    im = quadrant_image()
    data = save(im, "MPO", save_all=True, append_images=[im.rotate(180)])
    path = write(tmp_path / "camera.jpg", data)
    assert intake.count_pages(path) == 1
    pages = intake.load_pages(path)
    assert len(pages) == 1 and pages[0].source_format == "jpeg"
    assert_colours(pages[0].image, [RED, GREEN, BLUE, WHITE])


# --------------------------------------------------------------------------- dpi


@pytest.mark.parametrize(
    ("fmt", "dpi", "expected"),
    [
        ("JPEG", (300, 300), 300.0),
        ("JPEG", (72, 72), None),  # phone default, not a resolution
        ("JPEG", (96, 96), None),
        ("JPEG", (75, 75), None),  # too low for a photo/JPEG
        ("JPEG", (200, 100), None),  # anisotropic
        ("PNG", (600, 600), 600.0),
        ("TIFF", (75, 75), 75.0),  # a real low-resolution scanner TIFF
        ("TIFF", (72, 72), None),
        ("TIFF", (5000, 5000), None),
        ("BMP", (200, 200), 200.0),
    ],
)
def test_declared_dpi_policy(
    tmp_path: Path, fmt: str, dpi: tuple[int, int], expected: float | None
) -> None:
    im = Image.new("RGB", (1000, 1400), "white")
    page = intake.load_page(write(tmp_path / f"dpi.{fmt.lower()}", save(im, fmt, dpi=dpi)))
    assert page.dpi == expected


def test_no_dpi_in_webp(tmp_path: Path) -> None:
    page = intake.load_page(write(tmp_path / "a.webp", save(quadrant_image(), "WEBP")))
    assert page.dpi is None


def test_dpi_implying_an_absurd_page_is_ignored(tmp_path: Path) -> None:
    # 6000 px at 200 dpi would be a 30-inch document.
    im = Image.new("L", (6000, 100), 255)
    page = intake.load_page(write(tmp_path / "strip.png", save(im, "PNG", dpi=(200, 200))))
    assert page.dpi is None


# --------------------------------------------------------------------------- multi-page


def coloured_pages(n: int, size: tuple[int, int] = (60, 40)) -> list[Image.Image]:
    return [Image.new("RGB", size, (10 * i % 256, 255 - 10 * i % 256, 50)) for i in range(n)]


def page_colour(page: Page) -> tuple[int, int, int]:
    h, w = page.image.shape[:2]
    return tuple(int(v) for v in page.image[h // 2, w // 2])  # type: ignore[return-value]


def test_multi_page_tiff(tmp_path: Path) -> None:
    frames = coloured_pages(3)
    data = save(frames[0], "TIFF", save_all=True, append_images=frames[1:], compression="tiff_lzw")
    path = write(tmp_path / "scan.tiff", data)
    assert intake.count_pages(path) == 3
    pages = intake.load_pages(path)
    assert [p.index for p in pages] == [0, 1, 2]
    assert all(p.page_count == 3 for p in pages)
    for i, page in enumerate(pages):
        r, g, b = frames[i].getpixel((0, 0))  # type: ignore[misc]
        assert page_colour(page) == (b, g, r)
    only_last = intake.load_pages(path, pages=[2])
    assert len(only_last) == 1 and only_last[0].index == 2
    assert page_colour(only_last[0]) == page_colour(pages[2])
    assert intake.load_page(path, 1).index == 1
    err = expect_error("page_out_of_range", intake.load_pages, path, pages=[3])
    assert "4" in err.message() and "3" in err.message()
    expect_error("page_out_of_range", intake.load_pages, path, pages=[-1])


def test_max_pages_limits_work_but_not_the_reported_count(tmp_path: Path) -> None:
    frames = coloured_pages(4)
    path = write(
        tmp_path / "m.tiff", save(frames[0], "TIFF", save_all=True, append_images=frames[1:])
    )
    limits = IntakeLimits(max_pages=2)
    pages = intake.load_pages(path, limits)
    assert [p.index for p in pages] == [0, 1]
    assert all(p.page_count == 4 for p in pages)
    assert intake.load_pages(path, limits, pages=[3])[0].index == 3
    err = expect_error("too_many_pages", intake.load_pages, path, limits, pages=[0, 1, 2])
    assert "3" in err.message() and "2" in err.message()


def test_tiff_frame_size_is_checked_per_page(tmp_path: Path) -> None:
    small = Image.new("L", (100, 100), 255)
    large = Image.new("L", (3000, 2000), 255)
    path = write(tmp_path / "mixed.tiff", save(small, "TIFF", save_all=True, append_images=[large]))
    limits = IntakeLimits(max_pixels=1_000_000)
    assert intake.load_page(path, 0, limits).image.shape == (100, 100, 3)
    err = expect_error("image_too_large", intake.load_page, path, 1, limits)
    assert err.params == {"megapixels": "6.0", "limit_megapixels": "1.0"}


def test_single_image_page_index_out_of_range(tmp_path: Path) -> None:
    path = write(tmp_path / "one.png", save(quadrant_image(), "PNG"))
    expect_error("page_out_of_range", intake.load_page, path, 1)


# --------------------------------------------------------------------------- PDF


@pytest.mark.slow  # renders PDF with poppler (pdftoppm, a subprocess)
def test_multi_page_pdf_renders_each_page_at_configured_dpi(tmp_path: Path) -> None:
    frames = coloured_pages(3, size=(144, 72))
    data = save(frames[0], "PDF", save_all=True, append_images=frames[1:], resolution=72.0)
    path = write(tmp_path / "scan.pdf", data)  # each page is 2 x 1 inch
    assert intake.count_pages(path) == 3
    pages = intake.load_pages(path, IntakeLimits(pdf_dpi=50))
    assert len(pages) == 3
    for i, page in enumerate(pages):
        assert_page(page, "pdf", (50, 100))
        assert page.dpi == 50.0 and page.index == i and page.page_count == 3
        r, g, b = frames[i].getpixel((0, 0))  # type: ignore[misc]
        assert np.abs(np.array(page_colour(page)) - (b, g, r)).max() <= 3


def make_500_page_pdf(path: Path) -> None:
    frames = [Image.new("L", (8, 8), i % 256) for i in range(500)]
    frames[0].save(path, "PDF", save_all=True, append_images=frames[1:], resolution=72.0)


@pytest.mark.slow  # renders PDF with poppler (pdftoppm, a subprocess)
def test_500_page_pdf_renders_only_requested_pages(tmp_path: Path) -> None:
    path = tmp_path / "500.pdf"
    make_500_page_pdf(path)
    assert intake.count_pages(path) == 500
    limits = IntakeLimits(pdf_dpi=72)
    first = intake.load_page(path, 0, limits)
    last = intake.load_page(path, 499, limits)
    assert first.page_count == last.page_count == 500
    assert last.index == 499
    assert page_colour(first) == (0, 0, 0)
    assert page_colour(last) == (499 % 256,) * 3
    # pages=None stops at max_pages; page_count still says 500.
    some = intake.load_pages(path, IntakeLimits(pdf_dpi=10, max_pages=3))
    assert [p.index for p in some] == [0, 1, 2]
    expect_error("page_out_of_range", intake.load_page, path, 500, limits)


def test_encrypted_pdf_is_refused_with_a_clear_message(tmp_path: Path) -> None:
    src = write(tmp_path / "plain.pdf", save(quadrant_image(), "PDF"))
    writer = pypdf.PdfWriter(clone_from=src)
    writer.encrypt(user_password="секрет", owner_password="owner", algorithm="AES-256")
    enc = tmp_path / "locked.pdf"
    with enc.open("wb") as fh:
        writer.write(fh)
    err = expect_error("pdf_encrypted", intake.load_pages, enc)
    assert "паролем" in err.message()
    expect_error("pdf_encrypted", intake.count_pages, enc)


@pytest.mark.slow  # renders PDF with poppler (pdftoppm, a subprocess)
def test_qpdf_encrypted_pdf_is_refused(tmp_path: Path) -> None:
    src = write(tmp_path / "plain.pdf", save(quadrant_image(), "PDF"))
    enc = tmp_path / "qpdf-locked.pdf"
    subprocess.run(
        ["qpdf", "--encrypt", "user", "owner", "256", "--", str(src), str(enc)], check=True
    )
    expect_error("pdf_encrypted", intake.load_pages, enc)


@pytest.mark.slow  # renders PDF with poppler (pdftoppm, a subprocess)
def test_pdf_with_only_an_owner_password_opens(tmp_path: Path) -> None:
    src = write(tmp_path / "plain.pdf", save(quadrant_image(), "PDF"))
    writer = pypdf.PdfWriter(clone_from=src)
    writer.encrypt(user_password="", owner_password="owner", algorithm="AES-128")
    enc = tmp_path / "restricted.pdf"
    with enc.open("wb") as fh:
        writer.write(fh)
    page = intake.load_page(enc, limits=IntakeLimits(pdf_dpi=72))
    assert_colours(page.image, [RED, GREEN, BLUE, WHITE])


@pytest.mark.slow  # renders PDF with poppler (pdftoppm, a subprocess)
def test_broken_pdf(tmp_path: Path) -> None:
    path = write(tmp_path / "broken.pdf", b"%PDF-1.4\n" + b"\x00garbage\xff" * 50)
    expect_error("pdf_broken", intake.load_pages, path)
    expect_error("pdf_broken", intake.count_pages, path)


@pytest.mark.slow  # renders PDF with poppler (pdftoppm, a subprocess)
def test_truncated_pdf_is_broken(tmp_path: Path) -> None:
    data = save(quadrant_image(), "PDF")
    # Keep the header and the start of the page objects, lose the image stream and the xref.
    path = write(tmp_path / "cut.pdf", data[: len(data) // 4])
    expect_error("pdf_broken", intake.load_pages, path)


@pytest.mark.slow  # renders PDF with poppler (pdftoppm, a subprocess)
def test_pdf_only_poppler_can_read_still_loads(tmp_path: Path) -> None:
    # Every xref offset is wrong: pypdf gives up, Poppler rebuilds the table by scanning.
    good = save(Image.new("RGB", (144, 72), (0, 0, 255)), "PDF", resolution=72.0)
    bad = re.sub(rb"\d{10} 00000 n", b"0000000001 00000 n", good)
    with pytest.raises(Exception):  # noqa: B017 - any pypdf failure will do
        len(pypdf.PdfReader(io.BytesIO(bad)).pages)
    path = write(tmp_path / "xref.pdf", bad)
    assert intake.count_pages(path) == 1
    page = intake.load_page(path, limits=IntakeLimits(pdf_dpi=72))
    assert page.image.shape == (72, 144, 3)
    assert np.abs(page.image[36, 72].astype(int) - BLUE).max() <= 3


@pytest.mark.slow  # renders PDF with poppler (pdftoppm, a subprocess)
def test_poppler_missing(tmp_path: Path) -> None:
    path = write(tmp_path / "a.pdf", save(quadrant_image(), "PDF"))
    empty = tmp_path / "no-poppler-here"
    empty.mkdir()
    limits = IntakeLimits(poppler_path=str(empty))
    err = expect_error("poppler_missing", intake.load_pages, path, limits)
    assert "poppler-utils" in err.message() and "Windows" in err.message()
    assert intake.count_pages(path, limits) == 1  # counting needs no Poppler


@pytest.mark.slow  # renders PDF with poppler (pdftoppm, a subprocess)
def test_render_timeout(tmp_path: Path) -> None:
    path = write(tmp_path / "a.pdf", save(quadrant_image(), "PDF"))
    # No pdftoppm process starts and renders within a microsecond: a real timeout.
    limits = IntakeLimits(pdf_render_timeout_s=1e-6)
    err = expect_error("render_timeout", intake.load_pages, path, limits)
    assert "1e-06" in err.message()


@pytest.mark.slow  # renders PDF with poppler (pdftoppm, a subprocess)
def test_pdf_temporary_copy_is_removed(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # The copy handed to Poppler holds personal data: it must not outlive the call.
    temp = tmp_path / "temp"
    temp.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(temp))
    path = write(tmp_path / "a.pdf", save(quadrant_image(), "PDF"))
    intake.load_pages(path, IntakeLimits(pdf_dpi=30))
    expect_error("render_timeout", intake.load_pages, path, IntakeLimits(pdf_render_timeout_s=1e-6))
    assert list(temp.iterdir()) == []


@pytest.mark.slow  # renders PDF with poppler (pdftoppm, a subprocess)
def test_poster_sized_pdf_page_renders_at_lower_dpi(tmp_path: Path) -> None:
    # 200 x 100 px at 1 dpi: a 200 x 100 inch page. At 300 dpi that would be 1.8 gigapixels.
    im = Image.new("RGB", (200, 100), (0, 0, 255))
    path = write(tmp_path / "poster.pdf", save(im, "PDF", resolution=1.0))
    limits = IntakeLimits(max_pixels=500_000)
    page = intake.load_page(path, limits=limits)
    assert page.dpi is not None and page.dpi < 300
    assert page.image.shape[0] * page.image.shape[1] <= 500_000
    assert page.image.shape[1] == pytest.approx(200 * page.dpi, abs=2)
    centre = page.image[page.image.shape[0] // 2, page.image.shape[1] // 2].astype(int)
    assert np.abs(centre - BLUE).max() <= 3


@pytest.mark.slow  # renders PDF with poppler (pdftoppm, a subprocess)
def test_pdf_from_bytes_and_non_ascii_path(tmp_path: Path) -> None:
    data = save(quadrant_image(), "PDF", resolution=100.0)
    folder = tmp_path / "Документы" / "папка с пробелами"
    path = write(folder / "полис ОМС ребёнка.pdf", data)
    limits = IntakeLimits(pdf_dpi=100)
    for pages in (intake.load_pages(path, limits), intake.load_bytes(data, "полис.pdf", limits)):
        assert len(pages) == 1
        assert_page(pages[0], "pdf", (80, 120))
        assert_colours(pages[0].image, [RED, GREEN, BLUE, WHITE])


@pytest.mark.slow  # renders PDF with poppler (pdftoppm, a subprocess)
def test_pdf_preview_max_side(tmp_path: Path) -> None:
    im = Image.new("RGB", (850, 1100), "white")
    path = write(tmp_path / "a.pdf", save(im, "PDF", resolution=100.0))  # 8.5 x 11 in page
    page = intake.load_page(path, max_side=220)
    assert max(page.image.shape[:2]) <= 220
    assert page.dpi == 20.0


# --------------------------------------------------------------------------- guards


def test_empty_file(tmp_path: Path) -> None:
    path = write(tmp_path / "empty.jpg", b"")
    expect_error("empty_file", intake.load_pages, path)
    expect_error("empty_file", intake.load_bytes, b"")


def test_file_too_large(tmp_path: Path) -> None:
    data = save(Image.effect_noise((100, 100), 64).convert("RGB"), "PNG")
    assert len(data) > 10_000
    path = write(tmp_path / "big.png", data)
    limits = IntakeLimits(max_file_bytes=10_000)
    err = expect_error("file_too_large", intake.load_pages, path, limits)
    assert "МБ" in err.message()
    assert err.params["limit_mb"] == "0.0"
    expect_error("file_too_large", intake.load_bytes, data, "", limits)
    expect_error("file_too_large", intake.count_pages, path, limits)
    mb_limits = IntakeLimits(max_file_bytes=2 * 1024 * 1024)
    err = expect_error(
        "file_too_large", intake.load_bytes, b"\xff\xd8\xff" * 1_000_000, "", mb_limits
    )
    assert "2 МБ" in err.message()


@pytest.mark.parametrize("fmt", ["JPEG", "PNG", "TIFF", "WEBP"])
def test_truncated_image(tmp_path: Path, fmt: str) -> None:
    im = Image.effect_noise((300, 200), 80).convert("RGB")
    data = save(im, fmt)
    path = write(tmp_path / f"cut.{fmt.lower()}", data[: len(data) // 2])
    expect_error("truncated_file", intake.load_pages, path)
    assert ImageFile.LOAD_TRUNCATED_IMAGES is False


def test_header_only_files_are_truncated(tmp_path: Path) -> None:
    for name, data in {
        "sig.png": b"\x89PNG\r\n\x1a\n",
        "soi.jpg": b"\xff\xd8\xff\xe0\x00\x10JFIF\x00",
        "hdr.bmp": b"BM" + b"\x00" * 12 + struct.pack("<I", 40) + b"\x00" * 4,
    }.items():
        expect_error("truncated_file", intake.load_pages, write(tmp_path / name, data))


def test_decompression_bomb_rejected_from_header(tmp_path: Path) -> None:
    # 50000 x 50000 RGB claimed (7.5 GB decoded) in a file of a few hundred bytes.
    idat = zlib.compress(b"\x00" * (1 + 3 * 50000) * 4, 9)
    data = crafted_png(50000, 50000, idat)
    assert len(data) < 2000
    path = write(tmp_path / "bomb.png", data)
    err = expect_error("image_too_large", intake.load_pages, path)
    assert err.params["megapixels"] == "2500"
    expect_error("image_too_large", intake.load_bytes, data)


def test_configured_pixel_limit_applies_before_decoding(tmp_path: Path) -> None:
    data = crafted_png(2000, 2000, zlib.compress(b"\x00" * (1 + 3 * 2000), 9))
    limits = IntakeLimits(max_pixels=1_000_000)
    err = expect_error("image_too_large", intake.load_bytes, data, "", limits)
    assert err.params == {"megapixels": "4.0", "limit_megapixels": "1.0"}


def test_pillow_bomb_warning_never_escapes(monkeypatch: pytest.MonkeyPatch) -> None:
    # Lower Pillow's own threshold so a small image is in its "warn" band (over the limit, under
    # twice it). Under -W error a leaked DecompressionBombWarning would break loading; our own
    # limit is what decides, so the image must load normally.
    monkeypatch.setattr(Image, "MAX_IMAGE_PIXELS", 10_000)
    data = save(quadrant_image(120, 120), "PNG")
    page = intake.load_bytes(data)[0]
    assert_colours(page.image, [RED, GREEN, BLUE, WHITE])


def test_pillow_bomb_error_is_mapped(monkeypatch: pytest.MonkeyPatch) -> None:
    # Above twice Pillow's threshold Pillow refuses by itself; that too is image_too_large.
    monkeypatch.setattr(Image, "MAX_IMAGE_PIXELS", 10_000)
    err = expect_error("image_too_large", intake.load_bytes, save(quadrant_image(200, 200), "PNG"))
    assert err.params == {"megapixels": "0.04", "limit_megapixels": "0.02"}


def test_directory_missing_and_dangling_link(tmp_path: Path) -> None:
    folder = tmp_path / "Сканы"
    folder.mkdir()
    expect_error("is_directory", intake.load_pages, folder)
    expect_error("file_not_found", intake.load_pages, tmp_path / "нет такого.jpg")
    link = tmp_path / "link.jpg"
    link.symlink_to(tmp_path / "gone.jpg")
    expect_error("file_not_found", intake.load_pages, link)
    expect_error("file_not_found", intake.count_pages, link)
    expect_error("file_not_found", intake.load_pages, tmp_path / "a.jpg" / "b.jpg")


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="FIFOs are POSIX-only")
def test_device_file_is_not_read(tmp_path: Path) -> None:
    fifo = tmp_path / "pipe.jpg"
    os.mkfifo(fifo)  # opening it for reading would block forever
    expect_error("not_an_image", intake.load_pages, fifo)


@pytest.mark.skipif(sys.platform == "win32", reason="POSIX permission bits")
def test_permission_denied(tmp_path: Path) -> None:
    if os.geteuid() != 0:
        path = write(tmp_path / "secret.jpg", save(quadrant_image(), "JPEG"))
        path.chmod(0)
    else:
        # Root reads any mode-000 file; a write-only sysctl is refused even to root.
        path = Path("/proc/sys/vm/compact_memory")
        if not path.exists():
            pytest.skip("running as root and no write-only sysctl file to test with")
    expect_error("permission_denied", intake.load_pages, path)


def test_non_ascii_path(tmp_path: Path) -> None:
    path = tmp_path / "Документы" / "свидетельство ребёнка.jpg"
    write(path, save(quadrant_image(), "JPEG", quality=95))
    page = intake.load_page(path)
    assert_colours(page.image, [RED, GREEN, BLUE, WHITE])
    assert intake.count_pages(str(path)) == 1


def test_load_bytes(tmp_path: Path) -> None:
    data = save(quadrant_image(), "PNG")
    pages = intake.load_bytes(data, "from-clipboard.jpg")
    assert len(pages) == 1 and pages[0].source_format == "png"
    assert_colours(pages[0].image, [RED, GREEN, BLUE, WHITE])
    assert intake.load_bytes(bytearray(data))[0].image.shape == (80, 120, 3)
    expect_error("not_an_image", intake.load_bytes, b"hello")


def test_cancel_and_progress(tmp_path: Path) -> None:
    frames = coloured_pages(3)
    path = write(
        tmp_path / "m.tiff", save(frames[0], "TIFF", save_all=True, append_images=frames[1:])
    )
    # Cancelling is not a failure to load the file: the one CancelledError of every layer.
    with pytest.raises(CancelledError):
        intake.load_pages(path, cancelled=lambda: True)
    done: list[float] = []
    calls = 0

    def cancel_after_first_page() -> bool:
        nonlocal calls
        calls += 1
        return calls > 2  # one check before reading, one before page 0

    with pytest.raises(CancelledError):
        intake.load_pages(path, cancelled=cancel_after_first_page, progress=done.append)
    assert done == [pytest.approx(1 / 3)]
    done.clear()
    intake.load_pages(path, progress=done.append)
    assert done == [pytest.approx(1 / 3), pytest.approx(2 / 3), 1.0]


def test_jpeg_preview_with_max_side(tmp_path: Path) -> None:
    im = quadrant_image(2000, 1000)
    path = write(tmp_path / "big.jpg", save(im, "JPEG", quality=90, dpi=(300, 300)))
    page = intake.load_page(path, max_side=500)
    assert page.image.shape == (250, 500, 3)
    assert page.dpi == 75.0
    assert_colours(page.image, [RED, GREEN, BLUE, WHITE], tolerance=20)


def test_every_error_is_an_oms_error_with_bilingual_messages() -> None:
    codes = [cls.code for cls in ALL_INTAKE_ERRORS]
    assert len(codes) == len(set(codes))
    for required in (
        "file_not_found",
        "is_directory",
        "empty_file",
        "file_too_large",
        "unsupported_format",
        "not_an_image",
        "truncated_file",
        "image_too_large",
        "pdf_encrypted",
        "pdf_broken",
        "page_out_of_range",
        "too_many_pages",
        "poppler_missing",
        "permission_denied",
        "render_timeout",
    ):
        assert required in codes
    for cls in ALL_INTAKE_ERRORS:
        assert issubclass(cls, IntakeError) and issubclass(cls, OmsError)
        assert CYRILLIC.search(cls.message_ru)
        assert not CYRILLIC.search(cls.message_en)


FUZZ_SEEDS: dict[str, Callable[[Image.Image], bytes]] = {
    name: ENCODERS[name] for name in ("jpeg", "png", "tiff", "bmp", "webp", "heif", "pdf")
}


@pytest.mark.parametrize("fmt", pdf_is_slow(FUZZ_SEEDS))
def test_damaged_files_give_pages_or_intake_errors_only(fmt: str) -> None:
    """Random byte damage must never surface as anything but a typed intake error."""
    original = FUZZ_SEEDS[fmt](Image.effect_noise((48, 32), 60).convert("RGB"))
    rng = random.Random(f"intake-{fmt}")
    limits = IntakeLimits(pdf_dpi=20, pdf_render_timeout_s=20)
    for _ in range(12 if fmt == "pdf" else 40):
        damaged = bytearray(original)
        for _ in range(rng.choice([1, 3, 10])):
            pos = rng.randrange(len(damaged))
            if rng.random() < 0.7:
                damaged[pos] = rng.randrange(256)
            else:
                del damaged[pos : pos + rng.randrange(1, 40)]
        try:
            pages = intake.load_bytes(bytes(damaged), limits=limits)
        except IntakeError as err:
            assert CYRILLIC.search(err.message())
            continue
        for page in pages:
            assert page.image.dtype == np.uint8 and page.image.ndim == 3
            assert page.image.shape[2] == 3


@pytest.mark.parametrize("cls", ALL_INTAKE_ERRORS)
def test_errors_raised_without_parameters_still_read_well(cls: type[IntakeError]) -> None:
    # Other layers raise e.g. ImageTooLargeError() after a MemoryError, without numbers.
    err = cls()
    for lang in ("ru", "en"):
        text = err.message(lang)
        assert text and "{" not in text and "}" not in text
    assert CYRILLIC.search(err.message("ru"))
    assert err.to_json()["code"] == cls.code


def test_limits_are_validated() -> None:
    with pytest.raises(ValueError):
        IntakeLimits(max_pixels=0)
    with pytest.raises(ValueError):
        IntakeLimits(pdf_render_timeout_s=0)
