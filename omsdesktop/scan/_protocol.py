"""The tiny wire format between the app and a scanner worker process.

A frame is ``>II`` (header length, payload length), a UTF-8 JSON header, then the payload
(raw pixels of a page, or nothing). Both directions use it over the worker's stdin/stdout.
"""

from __future__ import annotations

import json
import struct
from typing import Any, BinaryIO

_PREFIX = struct.Struct(">II")
MAX_HEADER = 1 << 20
MAX_PAYLOAD = 1 << 31  # a 1200-dpi A3 colour page is ~0.8 GB; more is nonsense


class ProtocolError(Exception):
    """The other side sent something that is not a frame (it crashed mid-write, or is not ours)."""


def write_frame(
    stream: BinaryIO, header: dict[str, Any], payload: bytes | memoryview = b""
) -> None:
    head = json.dumps(header, ensure_ascii=True).encode("ascii")
    size = memoryview(payload).nbytes
    stream.write(_PREFIX.pack(len(head), size))
    stream.write(head)
    if size:
        stream.write(payload)
    stream.flush()


def _read_exact(stream: BinaryIO, size: int) -> bytes | None:
    chunks: list[bytes] = []
    remaining = size
    while remaining:
        chunk = stream.read(min(remaining, 1 << 22))
        if not chunk:
            if remaining == size:
                return None
            raise ProtocolError(f"stream ended {remaining} bytes short")
        chunks.append(chunk)
        remaining -= len(chunk)
    return b"".join(chunks)


def read_frame(stream: BinaryIO) -> tuple[dict[str, Any], bytes] | None:
    """The next frame, or None at a clean end of stream (between frames)."""
    prefix = _read_exact(stream, _PREFIX.size)
    if prefix is None:
        return None
    head_size, payload_size = _PREFIX.unpack(prefix)
    if head_size > MAX_HEADER or payload_size > MAX_PAYLOAD:
        raise ProtocolError("frame too large")
    head = _read_exact(stream, head_size) if head_size else b"{}"
    if head is None:
        raise ProtocolError("stream ended inside a frame")
    try:
        header = json.loads(head.decode("ascii"))
    except (UnicodeDecodeError, ValueError) as exc:
        raise ProtocolError("bad frame header") from exc
    if not isinstance(header, dict):
        raise ProtocolError("frame header is not an object")
    payload = b""
    if payload_size:
        data = _read_exact(stream, payload_size)
        if data is None:
            raise ProtocolError("stream ended before the payload")
        payload = data
    return header, payload
