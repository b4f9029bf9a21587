"""A PNG's pixel data inflated by ISA-L, handed to libpng already inflated.

A 300-dpi colour scan is about 16 MB of filtered rows, and scanner noise compresses badly:
zlib's inflate takes about 90 ms of the 105 ms ``cv2.imdecode`` spends on such a file, on one
core. Intel's ISA-L (the ``isal`` package) inflates the same stream about three times faster.
libpng cannot be given another inflater, so :func:`pre_inflated` rebuilds the file with its
pixel data in *stored* deflate blocks (no compression: libpng's inflate is then a copy) and
libpng still does everything else: the row filters, the bit depths, the colour types. The pixels
are the very same; only the work moves.

Anything unusual returns the file unchanged, for the ordinary path to decode or to refuse:
``isal`` missing (a platform without its wheel), an interlaced image, a chunk whose CRC is
wrong, a stream that does not inflate to exactly the size the header implies (truncated, or a
decompression bomb: inflation stops at that size), or a malformed chunk list.
"""

from __future__ import annotations

import struct
from types import ModuleType

import numpy as np
import numpy.typing as npt

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


def _stored_blocks(out: memoryview, raw: bytes) -> None:
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


def pre_inflated(data: bytes) -> bytes | npt.NDArray[np.uint8]:
    """The same PNG with its pixel data already inflated, or ``data`` itself (see module doc)."""
    isal = _ISAL
    if isal is None or not data.startswith(_SIGNATURE):
        return data
    head: list[bytes] = []
    tail: list[bytes] = []
    idat: list[memoryview] = []
    view = memoryview(data)
    expected: int | None = None
    pos = len(_SIGNATURE)
    while pos + 12 <= len(data):
        (length,) = struct.unpack_from(">I", data, pos)
        end = pos + 12 + length
        if end > len(data):
            return data
        kind = bytes(view[pos + 4 : pos + 8])
        body = view[pos + 8 : pos + 8 + length]
        (crc,) = struct.unpack_from(">I", data, pos + 8 + length)
        if isal.crc32(body, isal.crc32(kind)) != crc:
            return data  # libpng would refuse it: let it, on the ordinary path
        if kind == b"IHDR":
            expected = _raw_size(bytes(body))
            if expected is None:
                return data
        if kind == b"IDAT":
            if tail:
                return data  # pixel data in two runs: not a valid PNG
            idat.append(body)
        else:
            (tail if idat else head).append(bytes(view[pos:end]))
        pos = end
        if kind == b"IEND":
            break
    if expected is None or not idat or not tail or tail[-1][4:8] != b"IEND":
        return data
    inflater = isal.decompressobj()
    try:
        raw = inflater.decompress(b"".join(idat), expected)
    except isal.error:
        return data
    if len(raw) != expected or not inflater.eof:
        return data
    # One buffer for the whole new file (np.empty: 16 MB not zeroed first, not copied again).
    stream_size = 2 + len(raw) + 5 * _block_count(len(raw)) + 4
    before = len(_SIGNATURE) + sum(map(len, head))
    out = np.empty(before + 12 + stream_size + sum(map(len, tail)), np.uint8)
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
    del raw
    pos += 8 + stream_size
    struct.pack_into(">I", buffer, pos, isal.crc32(stream, isal.crc32(b"IDAT")))
    pos += 4
    for chunk in tail:
        buffer[pos : pos + len(chunk)] = chunk
        pos += len(chunk)
    return out
