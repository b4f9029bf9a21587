"""A PNG inflated by ISA-L before libpng, and decoded in two halves on two cores
(ocr/_png.py): the same pixels, or the file left to the ordinary decoder.

The reference is libpng on the file as written (``cv2.imdecode``), and Pillow where OpenCV
does not decode the mode. Whatever the fast path cannot vouch for it leaves alone (None), so
the ordinary path decodes the very same bytes, or refuses them, exactly as before.
"""

from __future__ import annotations

import io
import struct
import zlib
from pathlib import Path

import cv2
import numpy as np
import pytest
from PIL import Image

from omsdesktop.ocr import _png, intake
from omsdesktop.ocr._intake_errors import IntakeError
from omsdesktop.ocr._png import decode as png_decode
from omsdesktop.ocr._png import has_chunk

SIGNATURE = b"\x89PNG\r\n\x1a\n"


def chunk(kind: bytes, body: bytes) -> bytes:
    return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))


def chunks(data: bytes) -> list[tuple[bytes, bytes]]:
    out, at = [], 8
    while at < len(data):
        length = int.from_bytes(data[at : at + 4], "big")
        out.append((data[at + 4 : at + 8], data[at + 8 : at + 8 + length]))
        at += 12 + length
    return out


def noisy(height: int, width: int, channels: int, seed: int = 1) -> np.ndarray:
    rng = np.random.default_rng(seed)
    shape = (height, width, channels) if channels > 1 else (height, width)
    base = np.linspace(0, 255, width, dtype=np.float32)[None, :]
    image = base + rng.normal(0, 40, size=(height, width)).astype(np.float32)
    image = np.clip(image, 0, 255).astype(np.uint8)
    if channels > 1:
        image = np.repeat(image[:, :, None], channels, axis=2)
        image[:, :, 0] = rng.integers(0, 256, size=(height, width), dtype=np.uint8)
    return image.reshape(shape)


def cv2_png(image: np.ndarray, level: int = 3) -> bytes:
    ok, encoded = cv2.imencode(".png", image, [cv2.IMWRITE_PNG_COMPRESSION, level])
    assert ok
    return encoded.tobytes()


def pil_png(im: Image.Image, **kwargs: object) -> bytes:
    buf = io.BytesIO()
    im.save(buf, "PNG", **kwargs)
    return buf.getvalue()


def pre_inflated(data: bytes) -> bytes | None:
    """The file as ``_png.decode`` hands it to libpng in one piece (its rows inflated, in
    stored blocks), or None where the fast path leaves the file to the ordinary decoder."""
    isal = _png._ISAL
    assert isal is not None
    png = _png._parse(data, isal)
    raw = None if png is None else _png._inflated(png, isal)
    return None if png is None or raw is None else bytes(_png._rebuilt(png, raw, None, isal))


def decode(data: bytes | np.ndarray, flags: int = cv2.IMREAD_UNCHANGED) -> np.ndarray:
    image = cv2.imdecode(np.frombuffer(data, np.uint8), flags)
    assert image is not None
    return image


@pytest.mark.parametrize(
    ("channels", "level", "size"),
    [(3, 1, (301, 257)), (3, 9, (64, 70001)), (1, 3, (523, 411)), (4, 6, (97, 113))],
)
def test_cv2_written_pngs_decode_to_the_same_pixels(
    channels: int, level: int, size: tuple[int, int]
) -> None:
    # Rows wider than one stored block (70001 px x 3 bytes), many IDAT chunks, every filter
    # libpng's adaptive choice makes on noise and gradients.
    data = cv2_png(noisy(*size, channels), level)
    assert sum(kind == b"IDAT" for kind, _ in chunks(data)) > 1 or size[0] * size[1] < 9000
    rebuilt = pre_inflated(data)
    assert rebuilt is not None
    kinds = [kind for kind, _ in chunks(rebuilt)]
    assert kinds.count(b"IDAT") == 1 and kinds[-1] == b"IEND"
    # Stored blocks: the new stream is the raw rows plus a few bytes per 64 KiB, not deflated.
    (_, body) = next(c for c in chunks(rebuilt) if c[0] == b"IDAT")
    assert body[:2] == b"\x78\x01"
    assert np.array_equal(decode(rebuilt), decode(data))


@pytest.mark.parametrize("mode", ["1", "L", "P", "RGB", "RGBA", "LA", "I;16"])
def test_pillow_written_modes_decode_to_the_same_pixels(mode: str) -> None:
    rgb = Image.fromarray(noisy(90, 131, 3, seed=7)[:, :, ::-1].copy())
    if mode == "I;16":
        im = Image.fromarray(noisy(90, 131, 1).astype(np.uint16) * 257)
        assert im.mode == "I;16"
    else:
        im = rgb.convert(mode)
    data = pil_png(im, optimize=False)
    rebuilt = pre_inflated(data)
    assert rebuilt is not None
    assert np.array_equal(decode(rebuilt), decode(data))
    assert np.array_equal(np.asarray(Image.open(io.BytesIO(rebuilt))), np.asarray(im))
    assert np.array_equal(png_decode(data, cv2.IMREAD_UNCHANGED), decode(data))


def test_ancillary_chunks_keep_their_place() -> None:
    data = pil_png(Image.fromarray(noisy(40, 50, 3)), dpi=(300, 300))
    rebuilt = pre_inflated(data)
    assert rebuilt is not None
    before = [k for k, _ in chunks(data) if k != b"IDAT"]
    after = [k for k, _ in chunks(rebuilt) if k != b"IDAT"]
    assert before == after and b"pHYs" in after
    with Image.open(io.BytesIO(rebuilt)) as im:
        assert round(im.info["dpi"][0]) == 300


def _with_ihdr(data: bytes, **changes: int) -> bytes:
    parts = chunks(data)
    width, height, depth, colour, comp, filt, interlace = struct.unpack(">IIBBBBB", parts[0][1])
    fields = {"width": width, "height": height, "interlace": interlace, **changes}
    ihdr = struct.pack(
        ">IIBBBBB",
        fields["width"],
        fields["height"],
        depth,
        colour,
        comp,
        filt,
        fields["interlace"],
    )
    return SIGNATURE + chunk(b"IHDR", ihdr) + b"".join(chunk(k, b) for k, b in parts[1:])


def _idat_flipped(data: bytes, fix_crc: bool) -> bytes:
    """The file with one bit of its first IDAT flipped; its CRC recomputed or left stale."""
    out, flipped = [], False
    for kind, body in chunks(data):
        wrapped = chunk(kind, body)
        if kind == b"IDAT" and not flipped:
            flipped = True
            changed = body[:10] + bytes([body[10] ^ 0x40]) + body[11:]
            wrapped = chunk(kind, changed) if fix_crc else wrapped[:8] + changed + wrapped[-4:]
        out.append(wrapped)
    return SIGNATURE + b"".join(out)


def _unvouched(height: int = 50) -> dict[str, bytes]:
    good = cv2_png(noisy(height, 60, 3))
    return {
        "interlaced": _with_ihdr(good, interlace=1),
        "header smaller than the data (a bomb's shape)": _with_ihdr(good, height=height // 5),
        "header larger than the data": _with_ihdr(good, height=height + 30),
        "a wrong CRC": _idat_flipped(good, fix_crc=False),
        "a stream that does not inflate": _idat_flipped(good, fix_crc=True),
        "cut short": good[: len(good) // 2],
        "no IEND": good[: good.rindex(b"IEND") - 4],
        "not a PNG": b"GIF89a" + good[6:],
        "empty": b"",
    }


def test_files_it_cannot_vouch_for_are_not_rebuilt() -> None:
    for name, data in _unvouched().items():
        assert pre_inflated(data) is None, name


@pytest.mark.parametrize("height", [50, 300])  # one piece; two halves
def test_files_it_cannot_vouch_for_are_left_to_the_ordinary_decoder(height: int) -> None:
    for name, data in _unvouched(height).items():
        assert png_decode(data, cv2.IMREAD_COLOR) is None, name


def test_a_bomb_is_not_inflated_past_its_header() -> None:
    # 64 MB of zeros deflate to 64 KB; the header claims 10 x 10 pixels.
    stream = zlib.compress(b"\0" * (64 << 20), 9)
    data = (
        SIGNATURE
        + chunk(b"IHDR", struct.pack(">IIBBBBB", 10, 10, 8, 2, 0, 0, 0))
        + chunk(b"IDAT", stream)
        + chunk(b"IEND", b"")
    )
    assert pre_inflated(data) is None
    assert png_decode(data, cv2.IMREAD_COLOR) is None


def test_a_corrupt_idat_is_refused_by_intake_as_before(tmp_path: Path) -> None:
    # The fast path must not turn a damaged file into a picture: the chunk CRC no longer
    # matches, so the file goes to the ordinary path, which refuses it.
    good = pil_png(Image.fromarray(noisy(200, 180, 3)))
    bad = _idat_flipped(good, fix_crc=False)
    path = tmp_path / "damaged.png"
    path.write_bytes(bad)
    with pytest.raises(IntakeError):
        intake.load_page(path)


def test_intake_reads_a_scan_the_same_with_and_without_the_fast_inflate(tmp_path: Path) -> None:
    image = noisy(700, 500, 3, seed=3)
    path = tmp_path / "scan.png"
    path.write_bytes(cv2_png(image))
    page = intake.load_page(path)
    assert np.array_equal(page.image, image)


def filtered_png(image: np.ndarray, filters: list[int]) -> bytes:
    """An 8-bit grey or RGB PNG whose row ``y`` is written with filter ``filters[y]``:
    0 None, 1 Sub (from the pixel to the left), 2 Up (from the pixel above)."""
    h, w = image.shape[:2]
    channels = 1 if image.ndim == 2 else image.shape[2]
    rows = image.reshape(h, w * channels).astype(np.int16)
    left = np.zeros_like(rows)
    left[:, channels:] = rows[:, :-channels]
    above = np.zeros_like(rows)
    above[1:] = rows[:-1]
    raw = bytearray()
    for y, kind in enumerate(filters):
        residual = {0: rows[y], 1: rows[y] - left[y], 2: rows[y] - above[y]}[kind]
        raw += bytes([kind]) + (residual % 256).astype(np.uint8).tobytes()
    colour = 0 if channels == 1 else 2
    ihdr = struct.pack(">IIBBBBB", w, h, 8, colour, 0, 0, 0)
    return (
        SIGNATURE
        + chunk(b"IHDR", ihdr)
        + chunk(b"IDAT", zlib.compress(bytes(raw), 6))
        + chunk(b"IEND", b"")
    )


@pytest.fixture
def halves(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """How many times a decode handed its upper half to the side thread."""
    handed: list[int] = []
    real = _png.beside

    def counting(job):  # type: ignore[no-untyped-def]
        handed.append(1)
        return real(job)

    monkeypatch.setattr(_png, "beside", counting)
    return handed


@pytest.mark.parametrize(
    ("channels", "level", "size"),
    [(3, 1, (701, 257)), (1, 6, (523, 411)), (4, 6, (297, 113)), (3, 9, (64, 70001))],
)
@pytest.mark.parametrize("flags", [cv2.IMREAD_COLOR, cv2.IMREAD_UNCHANGED, cv2.IMREAD_GRAYSCALE])
def test_two_halves_decode_to_the_pixels_of_one_decode(
    channels: int, level: int, size: tuple[int, int], flags: int, halves: list[int]
) -> None:
    image = noisy(*size, channels)
    image[np.arange(size[0]) % 50 < 4] = 255  # a page's blank rows between its lines
    data = cv2_png(image, level)
    whole = cv2.imdecode(np.frombuffer(data, np.uint8), flags)
    decoded = png_decode(data, flags)
    assert decoded is not None and decoded.dtype == whole.dtype
    assert np.array_equal(decoded, whole)
    # A blank row is written Sub or None by libpng's adaptive choice: a row the lower half
    # can start at (on noise alone it often picks rows that refer to the row above).
    assert halves


def test_rows_that_all_refer_to_the_row_above_are_decoded_in_one_piece(
    halves: list[int],
) -> None:
    image = noisy(200, 90, 3, seed=4)
    data = filtered_png(image, [0] * 100 + [2] * 100)  # Up from the middle on
    assert np.array_equal(png_decode(data, cv2.IMREAD_UNCHANGED), image[:, :, ::-1])
    assert not halves


@pytest.mark.parametrize("channels", [1, 3])
def test_the_cut_is_at_the_first_row_past_the_middle_that_stands_alone(
    channels: int, halves: list[int]
) -> None:
    # Rows 100-160 refer to the row above; 161 (Sub) is the first the lower half can start at.
    # A cut at an Up row would decode it against a row of zeros: the pixels would differ.
    image = noisy(200, 90, channels, seed=5)
    kinds = [1] * 100 + [2] * 61 + [1] + [2] * 38
    data = filtered_png(image, kinds)
    expected = image if channels == 1 else image[:, :, ::-1]
    assert np.array_equal(png_decode(data, cv2.IMREAD_UNCHANGED), expected)
    assert halves == [1]


def test_an_exif_chunk_is_found_by_the_chunk_headers_not_by_the_letters() -> None:
    exif = Image.Exif()
    exif[0x0112] = 6
    with_exif = pil_png(Image.fromarray(noisy(40, 50, 3)), exif=exif)
    assert has_chunk(with_exif, b"eXIf")
    # The four letters inside the compressed pixels are not a chunk.
    plain = SIGNATURE + chunk(b"IHDR", struct.pack(">IIBBBBB", 4, 1, 8, 0, 0, 0, 0))
    plain += chunk(b"IDAT", b"..eXIf..") + chunk(b"IEND", b"")
    assert b"eXIf" in plain and not has_chunk(plain, b"eXIf")
    assert not has_chunk(cv2_png(noisy(40, 50, 3)), b"eXIf")


def test_a_large_image_is_decoded_in_one_piece(
    monkeypatch: pytest.MonkeyPatch, halves: list[int]
) -> None:
    # Two halves hold the rows, both halves and the whole image at once: above the limit
    # (a 600-dpi scan), memory counts more than the 10 ms.
    image = noisy(300, 200, 3, seed=6)
    image[np.arange(300) % 50 < 4] = 255
    data = cv2_png(image)
    monkeypatch.setattr(_png, "_SPLIT_MAX_BYTES", 300 * (200 * 3 + 1) - 1)
    assert np.array_equal(png_decode(data, cv2.IMREAD_UNCHANGED), image)
    assert not halves
    monkeypatch.setattr(_png, "_SPLIT_MAX_BYTES", 300 * (200 * 3 + 1))
    assert np.array_equal(png_decode(data, cv2.IMREAD_UNCHANGED), image)
    assert halves == [1]
