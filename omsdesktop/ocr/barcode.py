"""The paper OMS policy's PDF417 barcode: finding it on a page and decoding its payload.

Layout (docs/domain.md, after Goznak/FOMS "Правила формирования штрих-кода на бумажном
носителе", v2, 2011): Compact PDF417 in byte compaction, a 130-byte payload whose byte 0 is the
layout type. Numbers are big-endian binary, dates a 16-bit count of days since 1900-01-01 (0 =
no expiry), sex 1 = male / 2 = female, text a 6-bit alphabet packed MSB first.

Where the barcode decodes, its fields are exact and beat OCR. This module stays independent of
``omsdesktop.forms`` (import-linter contract): it does its own tiny title-casing and leaves the
ENP check digit to the validators.

Nothing here logs or prints the payload or the decoded fields: they are a child's personal data.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

import cv2
import numpy as np
import zxingcpp

from omsdesktop.errors import OmsError
from omsdesktop.ocr.types import Box, Image

PAYLOAD_SIZE = 130
"""Bytes in a full payload (the last 65 are the signature, not read here)."""

_DATA_SIZE = 65
"""Bytes 0..64 carry the data of both layout types."""

_EPOCH = date(1900, 1, 1)

SIX_BIT_ALPHABET: str = (
    " .-‘"  # 0-3
    "0123456789"  # 4-13
    "АБВГДЕЁЖЗИЙКЛМНОПРСТУФХЦЧШЩЬЪЫЭЮЯ"  # 14-46 (Ь before Ъ before Ы)
)
"""Codes 0..46 of the barcode's 6-bit alphabet; 47..62 are reserved, 63 is the separator."""

SEPARATOR_CODE = 63

_FORMATS = zxingcpp.BarcodeFormats(
    [zxingcpp.BarcodeFormat.PDF417, zxingcpp.BarcodeFormat.CompactPDF417]
)


class BarcodeError(OmsError):
    """A PDF417 barcode was found but its payload is not a readable policy record."""

    code = "barcode_unreadable"
    message_ru = (
        "Штрих-код полиса найден, но прочитать его не удалось. Данные будут взяты из текста "
        "полиса: проверьте их внимательно."
    )
    message_en = (
        "The policy barcode was found but could not be read. The data will be taken from the "
        "printed text: check it carefully."
    )


class BarcodeUnknownLayoutError(BarcodeError):
    """The payload's layout type byte is neither 1 nor 2."""

    code = "barcode_unknown_layout"
    message_ru = (
        "Штрих-код на полисе имеет неизвестный формат. Данные будут взяты из текста полиса: "
        "проверьте их внимательно."
    )
    message_en = (
        "The barcode on the policy has an unknown layout. The data will be taken from the "
        "printed text: check it carefully."
    )


@dataclass(frozen=True)
class PolicyBarcode:
    """The fields of a decoded policy barcode.

    Attributes:
        layout_type: 1 or 2 (byte 0 of the payload).
        enp: the 16-digit policy number, zero-padded (its check digit is NOT verified here).
        last_name, first_name, patronymic: in title case ("Иванова"); patronymic may be "".
        sex: "М" or "Ж".
        birth_date: date of birth.
        expiry_date: None for an open-ended ("бессрочно") policy.
        ogrn: the insurer's 13-digit OGRN (layout 1 only).
        okato: the region's OKATO code, zero-padded to 5 digits (layout 1 only).
        box: where on the image the barcode was found (zero box when decoded from bytes).
    """

    layout_type: int
    enp: str
    last_name: str
    first_name: str
    patronymic: str
    sex: str
    birth_date: date
    expiry_date: date | None
    ogrn: str | None
    okato: str | None
    box: Box


# --- finding ---------------------------------------------------------------------------------


def _box_of(position: zxingcpp.Position) -> Box:
    points = (position.top_left, position.top_right, position.bottom_right, position.bottom_left)
    xs = [p.x for p in points]
    ys = [p.y for p in points]
    x0, y0 = max(0, min(xs)), max(0, min(ys))
    return Box(x0, y0, max(xs) - x0 + 1, max(ys) - y0 + 1)


def _scaled_box(box: Box, factor: float) -> Box:
    return Box(
        round(box.x * factor),
        round(box.y * factor),
        round(box.width * factor),
        round(box.height * factor),
    )


def find_pdf417(image: Image) -> list[tuple[bytes, Box]]:
    """Find and decode every PDF417 / Compact PDF417 symbol on an image.

    Tries zxing-cpp's default local-average binarizer with rotation and downscaling, then the
    global-histogram binarizer (better on evenly lit scans with faint print), then — for big
    photos whose modules zxing's own downscaling misses — a half-size copy. Stops at the first
    pass that finds something, so a clean 300-dpi page costs one pass.

    Returns:
        (raw payload bytes, box in the image's pixel coordinates) per distinct symbol.
    """
    grey: Image = np.ascontiguousarray(
        image if image.ndim == 2 else cv2.cvtColor(image, cv2.COLOR_BGR2GRAY), dtype=np.uint8
    )
    attempts: list[tuple[Image, float, zxingcpp.Binarizer]] = [
        (grey, 1.0, zxingcpp.Binarizer.LocalAverage),
        (grey, 1.0, zxingcpp.Binarizer.GlobalHistogram),
    ]
    if max(grey.shape) > 2000:
        half: Image = np.ascontiguousarray(
            cv2.resize(grey, None, fx=0.5, fy=0.5, interpolation=cv2.INTER_AREA), dtype=np.uint8
        )
        attempts.append((half, 2.0, zxingcpp.Binarizer.LocalAverage))
    for candidate, factor, binarizer in attempts:
        found = zxingcpp.read_barcodes(
            candidate,
            formats=_FORMATS,
            try_rotate=True,
            try_downscale=True,
            try_invert=False,
            binarizer=binarizer,
        )
        results: list[tuple[bytes, Box]] = []
        seen: set[bytes] = set()
        for barcode in found:
            payload = bytes(barcode.bytes)
            if not barcode.valid or not payload or payload in seen:
                continue
            seen.add(payload)
            results.append((payload, _scaled_box(_box_of(barcode.position), factor)))
        if results:
            return results
    return []


# --- decoding ---------------------------------------------------------------------------------


def _six_bit_text(data: bytes, chars: int) -> str:
    """Unpack ``chars`` 6-bit codes, MSB first, into text (63 → "|")."""
    bits = int.from_bytes(data, "big")
    total_bits = len(data) * 8
    out = []
    for i in range(chars):
        shift = total_bits - 6 * (i + 1)
        code = (bits >> shift) & 0x3F
        if code == SEPARATOR_CODE:
            out.append("|")
        elif code < len(SIX_BIT_ALPHABET):
            out.append(SIX_BIT_ALPHABET[code])
        else:
            raise BarcodeError("reserved 6-bit code in the name field")
    return "".join(out)


def _title(word: str) -> str:
    parts = [" ".join(w[:1].upper() + w[1:].lower() for w in p.split(" ")) for p in word.split("-")]
    return "-".join(parts)


def _split_name(text: str) -> list[str]:
    parts = [" ".join(p.split()) for p in text.split("|")]
    if len(parts) > 3:
        raise BarcodeError("the name field holds more than three parts")
    return parts + [""] * (3 - len(parts))


def _birth_day(data: bytes) -> date:
    days = int.from_bytes(data, "big")
    if days == 0:
        raise BarcodeError("no date of birth")
    return _EPOCH + timedelta(days=days)


def _expiry_day(data: bytes) -> date | None:
    days = int.from_bytes(data, "big")
    return None if days == 0 else _EPOCH + timedelta(days=days)


def _sex(code: int) -> str:
    if code == 1:
        return "М"
    if code == 2:
        return "Ж"
    raise BarcodeError("sex code is neither 1 nor 2")


def _enp(data: bytes) -> str:
    number = int.from_bytes(data, "big")
    if number >= 10**16 or number == 0:
        raise BarcodeError("the policy number does not fit 16 digits")
    return f"{number:016d}"


def _optional_number(data: bytes, width: int) -> str | None:
    number = int.from_bytes(data, "big")
    if number == 0:
        return None
    text = str(number)
    if len(text) > width:
        raise BarcodeError("a number field is too long")
    return text.zfill(width)


def parse_policy_payload(payload: bytes, box: Box | None = None) -> PolicyBarcode:
    """Decode a policy barcode payload (layout types 1 and 2 of domain.md).

    Raises:
        BarcodeUnknownLayoutError: byte 0 is neither 1 nor 2.
        BarcodeError: too short, or a field holds an impossible value (reserved 6-bit code,
            sex other than 1/2, no date of birth, a number longer than its field).
    """
    box = box or Box(0, 0, 0, 0)
    if len(payload) < _DATA_SIZE:
        raise BarcodeError("payload too short")
    layout = payload[0]
    if layout == 2:
        enp = _enp(payload[1:9])
        last, first, middle = _split_name(_six_bit_text(payload[9:60], 68))
        if not last:
            raise BarcodeError("no surname in the name field")
        return PolicyBarcode(
            layout_type=2,
            enp=enp,
            last_name=_title(last),
            first_name=_title(first),
            patronymic=_title(middle),
            sex=_sex(payload[60]),
            birth_date=_birth_day(payload[61:63]),
            expiry_date=_expiry_day(payload[63:65]),
            ogrn=None,
            okato=None,
            box=box,
        )
    if layout == 1:
        enp = _enp(payload[1:9])
        # Type 1 stores "отчество|фамилия|имя" with each word reversed and the field's byte
        # order reversed: undo the byte order, unpack, then reverse each word back.
        text = _six_bit_text(payload[9:51][::-1], 56)
        reversed_words = _split_name(text.strip())
        middle, last, first = (w[::-1] for w in reversed_words)
        if not last:
            raise BarcodeError("no surname in the name field")
        return PolicyBarcode(
            layout_type=1,
            enp=enp,
            last_name=_title(last),
            first_name=_title(first),
            patronymic=_title(middle),
            sex=_sex(payload[51]),
            birth_date=_birth_day(payload[52:54]),
            expiry_date=_expiry_day(payload[54:56]),
            ogrn=_optional_number(payload[56:62], 13),
            okato=_optional_number(payload[62:65], 5),
            box=box,
        )
    raise BarcodeUnknownLayoutError(f"layout type {layout}")


def read_policy_barcode(image: Image) -> PolicyBarcode | None:
    """Find the policy's PDF417 on a page image and decode it.

    Returns:
        The decoded fields of the first symbol that is a policy record, or None when the image
        has no PDF417 symbol at all.

    Raises:
        BarcodeError: PDF417 symbols were found but none is a readable policy record (the
            caller should say so and fall back to OCR).
    """
    found = find_pdf417(image)
    error: BarcodeError | None = None
    for payload, box in found:
        try:
            return parse_policy_payload(payload, box)
        except BarcodeError as exc:
            error = exc
    if error is not None:
        raise error
    return None


__all__ = [
    "PAYLOAD_SIZE",
    "SEPARATOR_CODE",
    "SIX_BIT_ALPHABET",
    "BarcodeError",
    "BarcodeUnknownLayoutError",
    "PolicyBarcode",
    "find_pdf417",
    "parse_policy_payload",
    "read_policy_barcode",
]
