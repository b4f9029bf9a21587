"""A PNG's pixel data inflated by ISA-L, handed to libpng already inflated.

A 300-dpi colour scan is about 16 MB of filtered rows, and scanner noise compresses badly:
zlib's inflate takes about 90 ms of the 105 ms ``cv2.imdecode`` spends on such a file, on one
core. Intel's ISA-L (the ``isal`` package) inflates the same stream about three times faster.
libpng cannot be given another inflater, so :func:`decode` rebuilds the file with its pixel
data in *stored* deflate blocks (no compression: libpng's inflate is then a copy) and libpng
still does everything else: the row filters, the bit depths, the colour types. The pixels are
the very same; only the work moves. And the rebuilt rows are cut in two, at a row past the
middle whose filter does not refer to the row above, each half a PNG of its own decoded on its
own core (libpng's work, the row filters, cannot otherwise be shared).

Anything unusual is left (``decode`` returns None) for the ordinary path to decode or refuse:
``isal`` missing (a platform without its wheel), an interlaced image, a chunk whose CRC is
wrong, a stream that does not inflate to exactly the size the header implies (truncated, or a
decompression bomb: inflation stops at that size), or a malformed chunk list.
"""

from __future__ import annotations

import struct
from dataclasses import dataclass
from types import ModuleType

import cv2
import numpy as np
import numpy.typing as npt

from omsdesktop.ocr.layout import beside
from omsdesktop.ocr.types import Image

_SIGNATURE = b"\x89PNG\r\n\x1a\n"
_CHANNELS = {0: 1, 2: 3, 3: 1, 4: 2, 6: 4}
"""Samples per pixel by PNG colour type: grey, RGB, palette, grey+alpha, RGBA."""
_STORED_BLOCK = 65535
"""The largest stored deflate block (RFC 1951, 3.2.4)."""


def _isal() -> ModuleType | None:
    try:
        from isal import isal_zlib
    except ImportError:  # pragma: no cover - every supported platform has the wheel
        return None
    return isal_zlib


_ISAL = _isal()


def _raw_size(ihdr: bytes) -> int | None:
    """Bytes of filtered rows the header implies, or None when this module leaves the file."""
    if len(ihdr) != 13:
        return None
    width, height, depth, colour, _compression, _filter, interlace = struct.unpack(">IIBBBBB", ihdr)
    channels = _CHANNELS.get(colour)
    if channels is None or interlace != 0 or depth not in (1, 2, 4, 8, 16):
        return None
    if not width or not height:
        return None
    row = (width * channels * depth + 7) // 8
    return int(height * (row + 1))


def _stored_blocks(out: memoryview, raw: bytes | bytearray | memoryview) -> None:
    """Write ``raw`` into ``out`` as a zlib stream of stored blocks (``out`` is sized for it)."""
    count = _block_count(len(raw))
    out[0:2] = b"\x78\x01"
    view = memoryview(raw)
    pos = 2
    for index in range(count):
        block = view[index * _STORED_BLOCK : (index + 1) * _STORED_BLOCK]
        size = len(block)
        final = 1 if index == count - 1 else 0
        struct.pack_into("<BHH", out, pos, final, size, 0xFFFF ^ size)
        pos += 5
        out[pos : pos + size] = block
        pos += size


def _block_count(size: int) -> int:
    return max(1, -(-size // _STORED_BLOCK))


@dataclass(frozen=True)
class _Png:
    """A PNG's chunks, checked: those before the pixel data, the data, those after it."""

    ihdr: bytes
    head: list[bytes]  # whole chunks, IHDR first
    idat: list[memoryview]
    tail: list[bytes]  # whole chunks, IEND last
    raw_size: int  # bytes of filtered rows the header implies

    @property
    def height(self) -> int:
        return int(struct.unpack_from(">I", self.ihdr, 4)[0])

    @property
    def row_size(self) -> int:
        """Bytes per filtered row, its filter-type byte included."""
        return self.raw_size // self.height


def _parse(data: bytes, isal: ModuleType) -> _Png | None:
    """The file's chunks, or None when this module leaves the file (see the module doc)."""
    if not data.startswith(_SIGNATURE):
        return None
    head: list[bytes] = []
    tail: list[bytes] = []
    idat: list[memoryview] = []
    view = memoryview(data)
    ihdr = b""
    expected: int | None = None
    pos = len(_SIGNATURE)
    while pos + 12 <= len(data):
        (length,) = struct.unpack_from(">I", data, pos)
        end = pos + 12 + length
        if end > len(data):
            return None
        kind = bytes(view[pos + 4 : pos + 8])
        body = view[pos + 8 : pos + 8 + length]
        (crc,) = struct.unpack_from(">I", data, pos + 8 + length)
        if isal.crc32(body, isal.crc32(kind)) != crc:
            return None  # libpng would refuse it: let it, on the ordinary path
        if kind == b"IHDR":
            ihdr = bytes(body)
            expected = _raw_size(ihdr)
            if expected is None or head:
                return None
        if kind == b"IDAT":
            if tail:
                return None  # pixel data in two runs: not a valid PNG
            idat.append(body)
        else:
            (tail if idat else head).append(bytes(view[pos:end]))
        pos = end
        if kind == b"IEND":
            break
    if expected is None or not idat or not tail or tail[-1][4:8] != b"IEND":
        return None
    return _Png(ihdr=ihdr, head=head, idat=idat, tail=tail, raw_size=expected)


def has_chunk(data: bytes, kind: bytes) -> bool:
    """Whether the PNG ``data`` holds a chunk of ``kind``, by its chunk headers alone.

    (Searching the whole file for the four letters also finds them inside the compressed
    pixels, and takes 5 ms on a scan; the headers take a fifth of that.)
    """
    pos = len(_SIGNATURE)
    while pos + 8 <= len(data):
        (length,) = struct.unpack_from(">I", data, pos)
        if data[pos + 4 : pos + 8] == kind:
            return True
        pos += 12 + length
    return False


def _rebuilt(
    png: _Png, raw: bytes | bytearray | memoryview, rows: int | None, isal: ModuleType
) -> npt.NDArray[np.uint8]:
    """``png`` with ``raw`` (its filtered rows, or the first or last ``rows`` of them) as its
    pixel data, in stored blocks."""
    head = png.head
    if rows is not None:
        width, _height, *rest = struct.unpack(">IIBBBBB", png.ihdr)
        ihdr = struct.pack(">IIBBBBB", width, rows, *rest)
        crc = isal.crc32(ihdr, isal.crc32(b"IHDR"))
        head = [struct.pack(">I4s", 13, b"IHDR") + ihdr + struct.pack(">I", crc), *head[1:]]
    # One buffer for the whole new file (np.empty: 16 MB not zeroed first, not copied again).
    stream_size = 2 + len(raw) + 5 * _block_count(len(raw)) + 4
    before = len(_SIGNATURE) + sum(map(len, head))
    out = np.empty(before + 12 + stream_size + sum(map(len, png.tail)), np.uint8)
    buffer = memoryview(out)  # type: ignore[arg-type]
    buffer[: len(_SIGNATURE)] = _SIGNATURE
    pos = len(_SIGNATURE)
    for chunk in head:
        buffer[pos : pos + len(chunk)] = chunk
        pos += len(chunk)
    struct.pack_into(">I4s", buffer, pos, stream_size, b"IDAT")
    stream = buffer[pos + 8 : pos + 8 + stream_size]
    _stored_blocks(stream, raw)
    struct.pack_into(">I", stream, stream_size - 4, isal.adler32(raw))
    pos += 8 + stream_size
    struct.pack_into(">I", buffer, pos, isal.crc32(stream, isal.crc32(b"IDAT")))
    pos += 4
    for chunk in png.tail:
        buffer[pos : pos + len(chunk)] = chunk
        pos += len(chunk)
    return out


def _inflated(png: _Png, isal: ModuleType) -> bytes | None:
    """The filtered rows, or None unless the stream inflates to exactly their size."""
    inflater = isal.decompressobj()
    try:
        raw = inflater.decompress(b"".join(png.idat), png.raw_size)
    except isal.error:
        return None
    if len(raw) != png.raw_size or not inflater.eof:
        return None
    return bytes(raw)


_SPLIT_FROM_ROWS = 64
"""Smaller images are decoded in one piece."""

_SPLIT_MAX_BYTES = 32 << 20
"""Larger images (filtered rows; a 300-dpi colour A4 scan has 26 MB) are decoded in one
piece: the two halves keep the inflated rows, both halves and the whole image in memory at
once, 60 MB more at the peak of a 600-dpi scan."""

_INDEPENDENT_ROW = (0, 1)
"""PNG row filters that do not refer to the row above (None, Sub): a file can start there."""


def decode(data: bytes, flags: int) -> Image | None:
    """``cv2.imdecode(data, flags)`` of a PNG, inflated by ISA-L and decoded on two cores.

    At the first row past the middle whose filter does not refer to the row above, the rows
    are cut in two PNGs of their own: the upper decoded on the side thread, the lower here.
    The same pixels as one decode of the whole file, about 10 ms sooner on a 300-dpi colour
    scan. A file with no such row, or larger than :data:`_SPLIT_MAX_BYTES`, is decoded in one
    piece. None for a file this module leaves
    (see the module doc): the caller decodes it the ordinary way, or refuses it.
    """
    isal = _ISAL
    png = None if isal is None else _parse(data, isal)
    raw = None if isal is None or png is None else _inflated(png, isal)
    if isal is None or png is None or raw is None:
        return None
    row, height = png.row_size, png.height
    cut = (
        next(
            (k for k in range(height // 2, height) if raw[k * row] in _INDEPENDENT_ROW),
            None,
        )
        if height >= _SPLIT_FROM_ROWS and png.raw_size <= _SPLIT_MAX_BYTES
        else None
    )
    if cut is None:
        whole = _rebuilt(png, raw, None, isal)
        del raw  # the rows are in the rebuilt file now: one copy in memory, not two
        return _imdecode(whole, flags)
    rows = memoryview(raw)
    upper = beside(lambda: _imdecode(_rebuilt(png, rows[: cut * row], cut, isal), flags))
    lower = _imdecode(_rebuilt(png, rows[cut * row :], height - cut, isal), flags)
    above = upper()
    if above is None or lower is None or above.shape[1:] != lower.shape[1:]:
        return None
    out = np.empty((height, *above.shape[1:]), above.dtype)
    out[:cut] = above
    out[cut:] = lower
    return out


def _imdecode(encoded: bytes | npt.NDArray[np.uint8], flags: int) -> Image | None:
    decoded = cv2.imdecode(np.frombuffer(encoded, np.uint8), flags)
    return None if decoded is None else np.asarray(decoded)
