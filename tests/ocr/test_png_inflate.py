"""A PNG inflated by ISA-L before libpng (ocr/_png.py): the same pixels, or the file untouched.

The reference is libpng on the file as written (``cv2.imdecode``), and Pillow where OpenCV
does not decode the mode. Whatever the fast path cannot vouch for must come back as the very
same bytes, so the ordinary path decodes it or refuses it exactly as before.
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

from omsdesktop.ocr import intake
from omsdesktop.ocr._intake_errors import IntakeError
from omsdesktop.ocr._png import pre_inflated

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
    assert rebuilt is not data
    kinds = [kind for kind, _ in chunks(bytes(rebuilt))]
    assert kinds.count(b"IDAT") == 1 and kinds[-1] == b"IEND"
    # Stored blocks: the new stream is the raw rows plus a few bytes per 64 KiB, not deflated.
    (_, body) = next(c for c in chunks(bytes(rebuilt)) if c[0] == b"IDAT")
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
    assert rebuilt is not data
    assert np.array_equal(decode(rebuilt), decode(data))
    assert np.array_equal(np.asarray(Image.open(io.BytesIO(bytes(rebuilt)))), np.asarray(im))


def test_ancillary_chunks_keep_their_place() -> None:
    data = pil_png(Image.fromarray(noisy(40, 50, 3)), dpi=(300, 300))
    rebuilt = bytes(pre_inflated(data))
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


def test_files_it_cannot_vouch_for_come_back_untouched() -> None:
    good = cv2_png(noisy(50, 60, 3))
    cases = {
        "interlaced": _with_ihdr(good, interlace=1),
        "header smaller than the data (a bomb's shape)": _with_ihdr(good, height=10),
        "header larger than the data": _with_ihdr(good, height=80),
        "a wrong CRC": _idat_flipped(good, fix_crc=False),
        "a stream that does not inflate": _idat_flipped(good, fix_crc=True),
        "cut short": good[: len(good) // 2],
        "no IEND": good[: good.rindex(b"IEND") - 4],
        "not a PNG": b"GIF89a" + good[6:],
        "empty": b"",
    }
    for name, data in cases.items():
        assert pre_inflated(data) is data, name


def test_a_bomb_is_not_inflated_past_its_header() -> None:
    # 64 MB of zeros deflate to 64 KB; the header claims 10 x 10 pixels.
    stream = zlib.compress(b"\0" * (64 << 20), 9)
    data = (
        SIGNATURE
        + chunk(b"IHDR", struct.pack(">IIBBBBB", 10, 10, 8, 2, 0, 0, 0))
        + chunk(b"IDAT", stream)
        + chunk(b"IEND", b"")
    )
    assert pre_inflated(data) is data


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
