"""The 130-byte payload of the unified paper policy's PDF417 barcode, and barcode images.

Layout per the FOMS rules (domain.md): byte 0 is the layout type; numbers are big-endian;
dates are days since 1900-01-01 (0 = no expiry); sex 1 = male, 2 = female; text in a 6-bit
alphabet packed MSB first.
"""

from __future__ import annotations

import datetime as dt
import random

import numpy as np
import zxingcpp

from .numbers import days_since_1900

PAYLOAD_SIZE = 130

ALPHABET_6BIT = " .-‘0123456789АБВГДЕЁЖЗИЙКЛМНОПРСТУФХЦЧШЩЬЪЫЭЮЯ"
"""Code 0..46 in order; 47..62 reserved; 63 is the "|" separator."""
SEPARATOR_CODE = 63

assert len(ALPHABET_6BIT) == 47


def pack_6bit(text: str, length: int) -> bytes:
    """``text`` (upper case) padded with spaces to ``length`` characters, 6 bits each."""
    codes: list[int] = []
    for ch in text:
        if ch == "|":
            codes.append(SEPARATOR_CODE)
        else:
            idx = ALPHABET_6BIT.find(ch)
            if idx < 0:
                raise ValueError(f"character {ch!r} has no 6-bit code")
            codes.append(idx)
    if len(codes) > length:
        raise ValueError(f"name needs {len(codes)} characters, the field holds {length}")
    codes += [0] * (length - len(codes))
    bits = 0
    for code in codes:
        bits = (bits << 6) | code
    n_bytes = length * 6 // 8
    return bits.to_bytes(n_bytes, "big")


def fits_type1(last: str, first: str, middle: str) -> bool:
    return len(last) + len(first) + len(middle) + 2 <= 56


def encode_payload(
    *,
    layout_type: int,
    enp: str,
    last_name: str,
    first_name: str,
    patronymic: str,
    sex: str,
    birth_date: dt.date,
    expiry: dt.date | None,
    ogrn: str,
    okato: int,
    rnd: random.Random,
) -> bytes:
    """The 130-byte payload, layout type 1 or 2, with random signature bytes."""
    names = [s.upper() for s in (last_name, first_name, patronymic)]
    sex_byte = bytes([1 if sex == "М" else 2])
    born = days_since_1900(birth_date).to_bytes(2, "big")
    expires = (0 if expiry is None else days_since_1900(expiry)).to_bytes(2, "big")
    head = bytes([layout_type]) + int(enp).to_bytes(8, "big")
    if layout_type == 2:
        body = pack_6bit("|".join(names), 68) + sex_byte + born + expires
    elif layout_type == 1:
        last, first, middle = names
        text = "|".join((middle[::-1], last[::-1], first[::-1]))
        name_field = pack_6bit(text, 56)[::-1]
        body = (
            name_field
            + sex_byte
            + born
            + expires
            + int(ogrn).to_bytes(6, "big")
            + okato.to_bytes(3, "big")
        )
    else:
        raise ValueError(f"unknown layout type {layout_type}")
    signature = bytes(rnd.randrange(256) for _ in range(PAYLOAD_SIZE - len(head) - len(body)))
    payload = head + body + signature
    assert len(payload) == PAYLOAD_SIZE
    return payload


SIGNATURE_SIZE = 65


def encode_short_type1(
    *,
    enp: str,
    last_name: str,
    first_name: str,
    patronymic: str,
    sex: str,
    birth_date: dt.date,
    expiry: dt.date | None,
    ogrn: str,
    okato: int,
    rnd: random.Random,
    name_bytes: int = 35,
    enp_bytes: int = 8,
    ogrn_bytes: int = 5,
    okato_bytes: int = 2,
    padding: str = "after",
    dummy_name: bool = False,
) -> bytes:
    """A shortened type-01 payload as real policies carry it (docs/forms.md, last section).

    Layout: type byte 1, the number in ``enp_bytes`` (8 or 7), the name block (``name_bytes``, up
    to 42), sex, date of birth, validity, OGRN in ``ogrn_bytes`` (6 or 5), OKATO in
    ``okato_bytes`` (3 or 2), then 65 random signature bytes. The defaults give the official
    specimen's 121 bytes (1 + 8 + 35 + 1 + 2 + 2 + 5 + 2 + 65).

    The name block holds type 1's text "отчество|фамилия|имя" with each word reversed, packed 6
    bits a character MSB first, the packed bytes in reversed order. ``padding`` says where the
    zero (space) padding goes: "after" = the packed name (as few bytes as it needs) first, then
    zero bytes, as real payloads do; "before" = the text padded with spaces to the block's
    capacity, packed, then the whole block reversed, so the zeros come first (the other reading
    of the rules, and what :func:`encode_payload` writes for a full type 1).

    Truncation: a name longer than the block's capacity (``name_bytes * 8 // 6`` characters) is
    cut like a fixed-width field — the field-order text above loses its last characters, i.e.
    the reversed first name's tail, which is the first name's FIRST letters ("МАРИЯ" → "ИЯ").

    ``dummy_name`` fills the block with reserved 6-bit codes (47..62) instead: a specimen's block
    that decodes to nothing; number, sex and dates are still real.

    Numbers must fit their widths: an OGRN that does not fit ``ogrn_bytes`` raises ValueError
    (5 bytes hold OGRNs up to 1099511627775, i.e. those starting 10…); an OKATO code that does
    not fit ``okato_bytes`` is stored as its two-digit region prefix (68000 → 68) if it ends in
    000, otherwise ValueError.
    """
    if enp_bytes not in (7, 8) or ogrn_bytes not in (5, 6) or okato_bytes not in (2, 3):
        raise ValueError("widths: number 8 or 7, OGRN 6 or 5, OKATO 3 or 2 bytes")
    if not 0 <= name_bytes <= 42:
        raise ValueError("the name block holds 0..42 bytes")
    if padding not in ("after", "before"):
        raise ValueError(f"padding is 'after' or 'before', not {padding!r}")
    capacity = name_bytes * 8 // 6
    if dummy_name:
        codes = [rnd.randrange(47, 63) for _ in range(capacity)]
        bits = 0
        for code in codes:
            bits = (bits << 6) | code
        bits <<= name_bytes * 8 - 6 * capacity
        name_block = bits.to_bytes(name_bytes, "big")
    else:
        last, first, middle = (s.upper() for s in (last_name, first_name, patronymic))
        text = "|".join((middle[::-1], last[::-1], first[::-1]))[:capacity]
        if padding == "before":
            name_block = _pack_tight(text.ljust(capacity))[::-1]
        else:
            packed = _pack_tight(text)[::-1]
            name_block = packed + bytes(name_bytes - len(packed))
    assert len(name_block) == name_bytes
    if int(ogrn) >= 256**ogrn_bytes:
        raise ValueError(f"OGRN {ogrn} does not fit {ogrn_bytes} bytes")
    if okato >= 256**okato_bytes:
        if okato % 1000 or okato // 1000 >= 256**okato_bytes:
            raise ValueError(f"OKATO {okato} does not fit {okato_bytes} bytes")
        okato //= 1000
    payload = (
        bytes([1])
        + int(enp).to_bytes(enp_bytes, "big")
        + name_block
        + bytes([1 if sex == "М" else 2])
        + days_since_1900(birth_date).to_bytes(2, "big")
        + (0 if expiry is None else days_since_1900(expiry)).to_bytes(2, "big")
        + int(ogrn).to_bytes(ogrn_bytes, "big")
        + okato.to_bytes(okato_bytes, "big")
    )
    return payload + bytes(rnd.randrange(256) for _ in range(SIGNATURE_SIZE))


def _pack_tight(text: str) -> bytes:
    """``text`` packed 6 bits a character into as few bytes as it needs (zero bits at the end)."""
    n_bytes = -(-len(text) * 6 // 8)
    bits = 0
    for ch in text:
        bits = (bits << 6) | (SEPARATOR_CODE if ch == "|" else _code(ch))
    return (bits << (n_bytes * 8 - len(text) * 6)).to_bytes(n_bytes, "big")


def _code(ch: str) -> int:
    idx = ALPHABET_6BIT.find(ch)
    if idx < 0:
        raise ValueError(f"character {ch!r} has no 6-bit code")
    return idx


def _symbol_matrix(
    content: bytes | str, fmt: zxingcpp.BarcodeFormat, **kwargs: object
) -> np.ndarray:
    """A barcode as a 0/255 matrix with one pixel per module (quiet zone included)."""
    code = zxingcpp.create_barcode(content, fmt, **kwargs)
    return np.array(code.to_image(scale=1), dtype=np.uint8)


def pdf417_image(payload: bytes, module: int, row_height: int) -> np.ndarray:
    """A Compact PDF417 (EC level 4) of ``payload``: grey uint8, ``module`` px per module.

    zxing draws each row ``k`` modules tall; rows are resampled to ``row_height`` modules.
    """
    matrix = _symbol_matrix(payload, zxingcpp.BarcodeFormat.CompactPDF417, ec_level=4)
    rows = _rows_of(matrix)
    out_rows = []
    for row in rows:
        out_rows.extend([row] * row_height)
    body = np.array(out_rows, dtype=np.uint8)
    return np.kron(body, np.ones((module, module), dtype=np.uint8))


def _rows_of(matrix: np.ndarray) -> list[np.ndarray]:
    """Unique consecutive module rows (zxing repeats each PDF417 row several times)."""
    rows: list[np.ndarray] = []
    for line in matrix:
        if not rows or not np.array_equal(rows[-1], line):
            rows.append(line)
    # zxing's quiet zone rows are blank; keep one on top and bottom.
    return rows


def qr_image(content: str, module: int) -> np.ndarray:
    matrix = _symbol_matrix(content, zxingcpp.BarcodeFormat.QRCode)
    return np.kron(matrix, np.ones((module, module), dtype=np.uint8))
