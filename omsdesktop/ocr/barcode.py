"""The paper OMS policy's PDF417 barcode: finding it on a page and decoding its payload.

Layout (docs/domain.md and the last section of docs/forms.md, after Goznak/FOMS "Правила
формирования штрих-кода на бумажном носителе", v2, 2011): Compact PDF417 in byte compaction. Byte
0 is the layout type; numbers are big-endian binary, dates a 16-bit count of days since
1900-01-01 (0 = no expiry), sex 1 = male / 2 = female, text a 6-bit alphabet packed MSB first; the
65-byte signature is always last.

Real payloads are not all 130 bytes: type 01 allows a 7-byte number, a variable-length name (up
to 42 bytes), a 5-byte OGRN and a 2-byte OKATO (the official specimen's payload is 121 bytes), and
the rules can be read two ways on where the name's space padding goes. So the decoder enumerates
every layout the rules allow (anchored on the signature at the end, and the full-width layouts
anchored at the start for payloads cut short), decodes each field of each, scores how plausible
the whole reading is, and keeps the best. Every field that decodes is kept even when another does
not (a specimen's name block may be a dummy): a field that does not decode is None.

Where the barcode decodes, its fields are exact and beat OCR. This module stays independent of
``omsdesktop.forms`` (import-linter contract): it does its own tiny title-casing and Luhn check.

Nothing here logs or prints the payload or the decoded fields: they are a child's personal data.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, timedelta

import cv2
import numpy as np
import zxingcpp

from omsdesktop.errors import OmsError
from omsdesktop.ocr.types import Box, Image

PAYLOAD_SIZE = 130
"""Bytes in a full-length payload (the last 65 are the signature, not read here)."""

SIGNATURE_SIZE = 65
"""The signature: always the payload's last 65 bytes."""

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
    """The fields of a decoded policy barcode; a field that did not decode is None.

    Attributes:
        layout_type: 1 or 2 (byte 0 of the payload).
        enp: the policy number, zero-padded to 16 digits (its check digit is NOT required here:
            a Luhn-valid number only makes a reading more plausible); None if it did not decode.
        last_name, first_name, patronymic: in title case ("Иванова"); patronymic "" when the
            barcode holds none; all three None when the name block did not decode (a specimen's
            dummy block, or reserved codes): see :attr:`name_decoded`.
        sex: "М" or "Ж"; None if the byte is neither 1 nor 2.
        birth_date: date of birth; None if the field is not a plausible date.
        expiry_date: None for an open-ended ("бессрочно") policy — or when the field did not
            decode: see ``expiry_decoded``.
        ogrn: the insurer's OGRN (13 digits; 15 for a sole trader) when present and plausible.
        okato: the region's OKATO code, 5 digits, when present and plausible (layout 1 only).
        box: where on the image the barcode was found (zero box when decoded from bytes).
        expiry_decoded: False when the validity field held an impossible value (not 0 and not
            a date after the date of birth): ``expiry_date`` is then None but means "unknown".
        variant: which layout was read, for diagnostics (no personal data), e.g.
            ``"type1 end number8 name35 ogrn5 okato2 name:reversed-after"``.
    """

    layout_type: int
    enp: str | None
    last_name: str | None
    first_name: str | None
    patronymic: str | None
    sex: str | None
    birth_date: date | None
    expiry_date: date | None
    ogrn: str | None
    okato: str | None
    box: Box
    expiry_decoded: bool = True
    variant: str = ""

    @property
    def name_decoded(self) -> bool:
        """The name block gave a plausible surname and first name."""
        return self.last_name is not None


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


def _decode(
    image: Image, factor: float, binarizer: zxingcpp.Binarizer, offset: tuple[int, int] = (0, 0)
) -> list[tuple[bytes, Box]]:
    """zxing-cpp over one image; boxes scaled by ``factor`` and moved by ``offset`` (x, y)."""
    found = zxingcpp.read_barcodes(
        image,
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
        box = _scaled_box(_box_of(barcode.position), factor)
        results.append((payload, Box(box.x + offset[0], box.y + offset[1], box.width, box.height)))
    return results


_PROPOSAL_SIDE = 1000
"""Long side (px) of the copy where barcode-like regions are looked for."""


def _barcode_regions(grey: Image, limit: int = 4) -> list[Box]:
    """Regions that look like a PDF417 (dense bars: strong edges across one direction only).

    zxing's detector scans the whole page for the start and stop patterns and can miss a symbol
    printed without a quiet zone over a guilloche; cropped to the symbol, it reads it. Bars are
    found in a copy ~1000 px long: the gradient across the bars minus the one along them,
    smoothed, thresholded (Otsu) and closed along the rows; the biggest blobs are the regions.
    """
    scale = min(1.0, _PROPOSAL_SIDE / max(grey.shape))
    small = (
        cv2.resize(grey, None, fx=scale, fy=scale, interpolation=cv2.INTER_AREA)
        if scale < 1.0
        else grey
    )
    gx = np.abs(cv2.Sobel(small, cv2.CV_32F, 1, 0, ksize=3))
    gy = np.abs(cv2.Sobel(small, cv2.CV_32F, 0, 1, ksize=3))
    boxes: list[tuple[float, Box]] = []
    for across, along, kernel in ((gx, gy, (15, 5)), (gy, gx, (5, 15))):
        edges = cv2.convertScaleAbs(np.clip(across - along, 0, None))
        blurred = cv2.blur(edges, (9, 9))
        _, mask = cv2.threshold(blurred, 0, 255, cv2.THRESH_BINARY + cv2.THRESH_OTSU)
        mask = cv2.morphologyEx(
            mask, cv2.MORPH_CLOSE, cv2.getStructuringElement(cv2.MORPH_RECT, kernel)
        )
        square = np.ones((3, 3), np.uint8)
        mask = cv2.dilate(cv2.erode(mask, square, iterations=2), square, iterations=2)
        contours, _ = cv2.findContours(mask, cv2.RETR_EXTERNAL, cv2.CHAIN_APPROX_SIMPLE)
        for contour in contours:
            x, y, w, h = cv2.boundingRect(contour)
            area = float(cv2.contourArea(contour))
            if w * h < 0.002 * small.size or area < 0.5 * w * h:
                continue
            box = Box(int(x / scale), int(y / scale), int(w / scale) + 1, int(h / scale) + 1)
            boxes.append((area, box))
    boxes.sort(key=lambda item: -item[0])
    return [box for _, box in boxes[:limit]]


def find_pdf417(image: Image) -> list[tuple[bytes, Box]]:
    """Find and decode every PDF417 / Compact PDF417 symbol on an image.

    Tries zxing-cpp's default local-average binarizer with rotation and downscaling, then the
    global-histogram binarizer (better on evenly lit scans with faint print), then — for big
    photos whose modules zxing's own downscaling misses — a half-size copy, then crops of the
    regions that look like bars (:func:`_barcode_regions`: a symbol without a quiet zone on a
    busy background). Stops at the first pass that finds something, so a clean 300-dpi page
    costs one pass.

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
        results = _decode(candidate, factor, binarizer)
        if results:
            return results
    for region in _barcode_regions(grey):
        margin = int(0.15 * max(region.width, region.height))
        x0, y0 = max(0, region.x - margin), max(0, region.y - margin)
        crop: Image = np.ascontiguousarray(
            grey[y0 : region.y + region.height + margin, x0 : region.x + region.width + margin]
        )
        results = _decode(crop, 1.0, zxingcpp.Binarizer.LocalAverage, (x0, y0))
        if results:
            return results
    return []


# --- decoding ---------------------------------------------------------------------------------

_VOWELS = frozenset("АЕЁИОУЫЭЮЯ")
_NAME_PART = re.compile(r"[А-ЯЁ]+(?:[- ‘][А-ЯЁ]+)*")
_CONSONANT_RUN = re.compile(r"[^АЕЁИОУЫЭЮЯ]{6,}")
_SURNAME_ENDINGS = (
    "ОВ", "ЕВ", "ЁВ", "ИН", "ЫН", "ОВА", "ЕВА", "ЁВА", "ИНА", "ЫНА", "СКИЙ", "ЦКИЙ", "СКАЯ",
    "ЦКАЯ", "ОЙ", "ИЙ", "ЫЙ", "АЯ", "ЯЯ", "ИХ", "ЫХ", "КО", "УК", "ЮК", "ЕЦ", "ЯН", "ДЗЕ", "ШВИЛИ",
)  # fmt: skip
_PATRONYMIC_ENDINGS = ("ВИЧ", "ВНА", "ИЧ", "ИЧНА", "ОГЛЫ", "КЫЗЫ", "УГЛИ")


@dataclass(frozen=True)
class _Layout:
    """Field widths of one reading of a payload; fields follow each other from byte 1."""

    layout_type: int
    anchor: str  # "end": the signature is the last 65 bytes; "start": a full-width layout
    number: int
    name: int
    ogrn: int  # 0 in layout 2
    okato: int

    @property
    def sex_at(self) -> int:
        return 1 + self.number + self.name

    def describe(self) -> str:
        text = f"type{self.layout_type} {self.anchor} number{self.number} name{self.name}"
        if self.layout_type == 1:
            text += f" ogrn{self.ogrn} okato{self.okato}"
        return text


def _layouts(size: int, layout_type: int) -> list[_Layout]:
    """Every field layout the rules allow for a payload of ``size`` bytes.

    Anchored on the signature first: the data is everything before the last 65 bytes and the
    name takes whatever the other fields leave (type 01: number 8 or 7 bytes, OGRN 6 or 5,
    OKATO 3 or 2, name up to 42; type 02: number 8 or 7, name up to 51). Then the full-width
    layouts (and type 01 with the specimen's 35-byte name) anchored at byte 1 only, for payloads
    whose signature is cut short.
    """
    from_start: tuple[int, ...]
    if layout_type == 1:
        widths = [(nb, og, ok) for nb in (8, 7) for og in (6, 5) for ok in (3, 2)]
        longest, from_start = 42, (42, 35)
    else:
        widths = [(nb, 0, 0) for nb in (8, 7)]
        longest, from_start = 51, (51,)
    out: list[_Layout] = []
    seen: set[tuple[int, int, int, int]] = set()
    for nb, og, ok in widths:
        name = size - SIGNATURE_SIZE - 1 - nb - 5 - og - ok
        if 0 <= name <= longest:
            out.append(_Layout(layout_type, "end", nb, name, og, ok))
            seen.add((nb, name, og, ok))
    for nb, og, ok in widths:
        for name in from_start:
            if 1 + nb + name + 5 + og + ok <= size and (nb, name, og, ok) not in seen:
                out.append(_Layout(layout_type, "start", nb, name, og, ok))
                seen.add((nb, name, og, ok))
    return out


def _codes(data: bytes, skip: int) -> list[int] | None:
    """The 6-bit codes of ``data`` read MSB first after ``skip`` bits, or None when the skipped
    bits or the bits left over at the end are not zero (padding is always zero)."""
    total = len(data) * 8
    bits = int.from_bytes(data, "big")
    count = max(0, total - skip) // 6
    if skip and bits >> (total - skip):
        return None
    rest = total - skip - 6 * count
    if rest and bits & ((1 << rest) - 1):
        return None
    return [(bits >> (total - skip - 6 * (i + 1))) & 0x3F for i in range(count)]


def _text_of(codes: list[int]) -> str | None:
    """The codes as text ("|" for the separator); None if a reserved code (47..62) occurs."""
    out = []
    for code in codes:
        if code == SEPARATOR_CODE:
            out.append("|")
        elif code < len(SIX_BIT_ALPHABET):
            out.append(SIX_BIT_ALPHABET[code])
        else:
            return None
    return "".join(out)


def _part_score(part: str) -> float:
    """How much ``part`` looks like a name: 1 for letters making words, 0 for no letters."""
    if not part:
        return 0.0
    if not _NAME_PART.fullmatch(part):
        return 0.0
    score = 1.0
    for word in re.split(r"[- ‘]", part):
        if len(word) > 1 and not _VOWELS & set(word):
            score -= 0.5
        if word[0] in "ЬЪ":
            score -= 0.5
        elif word[0] == "Ы":
            score -= 0.2
        if _CONSONANT_RUN.search(word):
            score -= 0.3
    return max(score, 0.1)


def _collapse(part: str) -> str:
    return " ".join(part.split())


@dataclass(frozen=True)
class _Name:
    last: str
    first: str
    middle: str
    score: float
    how: str


def _name_readings(block: bytes, layout_type: int) -> Iterator[_Name]:
    """Every plausible reading of a name block.

    The block may be stored as is or with its byte order reversed; its zero (space) padding may
    come after the packed name or before it (the rules read both ways), so the text may start at
    any byte: bit offsets 0, 2 and 4 cover every byte boundary. The words may be in type 2's
    order (ФАМИЛИЯ|ИМЯ|ОТЧЕСТВО) or type 1's (отчество|фамилия|имя, each word reversed).
    """
    for reverse in (False, True):
        data = block[::-1] if reverse else block
        for skip in (0, 2, 4):
            codes = _codes(data, skip)
            if codes is None:
                continue
            text = _text_of(codes)
            if text is None:
                continue
            pieces = text.strip(" ").split("|")
            if not 2 <= len(pieces) <= 3:
                continue
            untidy = any(p != p.strip(" ") or "  " in p for p in pieces)
            for words_reversed in (False, True):
                if words_reversed:
                    rev = [p[::-1] for p in pieces]
                    last, first, middle = (
                        (rev[1], rev[2], rev[0]) if len(rev) == 3 else (rev[0], rev[1], "")
                    )
                    documented = layout_type == 1 and reverse
                else:
                    last, first = pieces[0], pieces[1]
                    middle = pieces[2] if len(pieces) == 3 else ""
                    documented = layout_type == 2 and not reverse
                last, first, middle = _collapse(last), _collapse(first), _collapse(middle)
                if not last or not first:
                    continue
                words = [_part_score(last), _part_score(first)]
                if middle:
                    words.append(_part_score(middle))
                if min(words) < 0.75:
                    continue  # not letters making words: digits, stray punctuation
                score = 2.0 + sum(words) + (0.0 if middle else 0.3)
                if last.endswith(_SURNAME_ENDINGS):
                    score += 0.7
                if middle.endswith(_PATRONYMIC_ENDINGS):
                    score += 1.0
                if untidy:
                    score -= 0.5
                if documented:
                    score += 0.6
                elif layout_type == 1 and not reverse and not words_reversed:
                    score += 0.4  # the packed name first, as type 1 without the reversals
                how = ("bytes-reversed " if reverse else "") + (
                    "words-reversed" if words_reversed else "plain"
                )
                yield _Name(last, first, middle, score, f"{how} skip{skip}")


def _best_name(block: bytes, layout_type: int) -> _Name | None:
    best: _Name | None = None
    for reading in _name_readings(block, layout_type):
        if best is None or reading.score > best.score:
            best = reading
    return best


def _title(name: str) -> str:
    """ "ИВАНОВА-ПЕТРОВА" → "Иванова-Петрова"; each piece between spaces, hyphens and ‘."""
    return re.sub(r"[^- ‘]+", lambda m: m.group(0)[:1].upper() + m.group(0)[1:].lower(), name)


def _luhn_ok(digits: str) -> bool:
    total = 0
    for i, ch in enumerate(reversed(digits)):
        d = int(ch) * (2 if i % 2 else 1)
        total += d - 9 if d > 9 else d
    return total % 10 == 0


def _enp(data: bytes) -> tuple[str | None, float]:
    """The ENP: 16 digits, the first two the region's code (01..99), so 10**14 <= n < 10**16."""
    number = int.from_bytes(data, "big")
    if not 10**14 <= number < 10**16:
        return None, -4.0
    text = f"{number:016d}"
    return text, 3.0 + (3.0 if _luhn_ok(text) else 0.0)


def _birth_day(data: bytes) -> tuple[date | None, float]:
    days = int.from_bytes(data, "big")
    if days == 0 or _EPOCH + timedelta(days=days) > date.today():
        return None, -3.0
    born = _EPOCH + timedelta(days=days)
    return born, 2.0 if born.year >= 1915 else 0.5  # nobody that old got a 2011 policy


def _expiry_day(data: bytes, birth: date | None) -> tuple[date | None, bool, float]:
    """(date or None, whether the field decoded, score): 0 = no expiry; else after the birth."""
    days = int.from_bytes(data, "big")
    if days == 0:
        return None, True, 1.0
    day = _EPOCH + timedelta(days=days)
    if birth is not None and day > birth:
        return day, True, 1.0
    if birth is None and day.year >= 1990:
        return day, True, 0.5
    return None, False, -2.0


def _sex(code: int) -> tuple[str | None, float]:
    if code == 1:
        return "М", 3.0
    if code == 2:
        return "Ж", 3.0
    return None, -3.0


def _ogrn(data: bytes) -> tuple[str | None, float]:
    """OGRN: 13 digits, check digit = first 12 mod 11 mod 10 (15 digits from 3…, mod 13)."""
    number = int.from_bytes(data, "big")
    if not data or number == 0:
        return None, 0.0
    text = str(number)
    if len(text) == 13 and int(text[:12]) % 11 % 10 == int(text[12]):
        return text, 1.5
    if len(text) == 15 and text[0] == "3" and int(text[:14]) % 13 % 10 == int(text[14]):
        return text, 1.5
    return None, -1.5


def _okato(data: bytes) -> tuple[str | None, float]:
    """The region's OKATO: 5 digits (45000); a value up to 99 is the two-digit region prefix."""
    number = int.from_bytes(data, "big")
    if not data or number == 0:
        return None, 0.0
    if number <= 99:
        return f"{number:02d}000", 0.5
    if number <= 99999:
        return f"{number:05d}", 1.0 if number % 1000 == 0 else 0.3
    return None, -1.5


@dataclass(frozen=True)
class _Reading:
    score: float
    useful: bool
    barcode: PolicyBarcode


def _read(payload: bytes, lay: _Layout, box: Box) -> _Reading:
    at = lay.sex_at
    enp, score = _enp(payload[1 : 1 + lay.number])
    name = _best_name(payload[1 + lay.number : at], lay.layout_type)
    sex, sex_score = _sex(payload[at])
    birth, birth_score = _birth_day(payload[at + 1 : at + 3])
    expiry, expiry_ok, expiry_score = _expiry_day(payload[at + 3 : at + 5], birth)
    ogrn, ogrn_score = _ogrn(payload[at + 5 : at + 5 + lay.ogrn])
    okato, okato_score = _okato(payload[at + 5 + lay.ogrn : at + 5 + lay.ogrn + lay.okato])
    score += sex_score + birth_score + expiry_score + ogrn_score + okato_score
    score += name.score if name is not None else 0.0
    if lay.anchor == "start":
        score -= 2.0  # only for a payload cut short
    if name is not None:
        useful = (enp is not None or birth is not None) and score >= 3.0
    else:
        # Without a name, random bytes pass the number, sex and date checks about once in a
        # few hundred payloads: ask for the layout anchored on the signature, the sex, a
        # consistent validity and one more sign of a real record (any one suffices; the check
        # digit is not required). A field of zero bytes is a specimen's blank (random bytes
        # are never all zero): with the number blank the dates alone are kept, with the date of
        # birth blank a number with a valid check digit is.
        number_blank = not any(payload[1 : 1 + lay.number])
        birth_blank = not any(payload[at + 1 : at + 3])
        corroborated = (
            (enp is not None and _luhn_ok(enp))
            or (expiry is None and expiry_ok)
            or ogrn is not None
            or (okato is not None and okato.endswith("000"))
        )
        useful = (
            lay.anchor == "end"
            and sex is not None
            and expiry_ok
            and (
                (enp is not None and birth is not None and corroborated)
                or (number_blank and birth is not None)
                or (birth_blank and enp is not None and _luhn_ok(enp))
            )
        )
    variant = lay.describe() + (f" name:{name.how}" if name else " name:none")
    barcode = PolicyBarcode(
        layout_type=lay.layout_type,
        enp=enp,
        last_name=_title(name.last) if name else None,
        first_name=_title(name.first) if name else None,
        patronymic=_title(name.middle) if name else None,
        sex=sex,
        birth_date=birth,
        expiry_date=expiry,
        ogrn=ogrn,
        okato=okato,
        box=box,
        expiry_decoded=expiry_ok,
        variant=variant,
    )
    return _Reading(score, useful, barcode)


def parse_policy_payload(payload: bytes, box: Box | None = None) -> PolicyBarcode:
    """Decode a policy barcode payload (layout types 1 and 2; docs/forms.md, last section).

    Every layout the rules allow for the payload's length is read (see :func:`_layouts`) and
    scored: sex 1 or 2; a date of birth in 1900..today and a validity of 0 or after it; a name
    of 6-bit letters (no reserved code) with one or two «|» separators, making words (a Russian
    surname or patronymic ending scores more, which tells the reversed words of type 1 from
    plain ones); a 16-digit number (10**14..10**16: region digits 01..99; a valid Luhn check
    digit scores more, but is not required); an OGRN with a valid check digit and an OKATO
    region code. The best reading that is useful wins:

    - with a name: a number or a date of birth as well;
    - without one (a specimen's dummy block): anchored on the signature, the sex, a consistent
      validity, and a number with a date of birth plus one more sign of a real record (a valid
      check digit, an open-ended validity, a valid OGRN or a region OKATO) — or, where the
      number or the date of birth is all zero bytes (a specimen's blank), the other one.

    Fields that do not decode in the winning reading are None.

    Raises:
        BarcodeUnknownLayoutError: byte 0 is neither 1 nor 2.
        BarcodeError: no reading of the payload is useful (too short, or random bytes: about
            one random payload in 20,000 passes).
    """
    box = box or Box(0, 0, 0, 0)
    if not payload:
        raise BarcodeError("empty payload")
    layout = payload[0]
    if layout not in (1, 2):
        raise BarcodeUnknownLayoutError(f"layout type {layout}")
    layouts = _layouts(len(payload), layout)
    if not layouts:
        raise BarcodeError("payload too short")
    best: _Reading | None = None
    for lay in layouts:
        reading = _read(payload, lay, box)
        if reading.useful and (best is None or reading.score > best.score):
            best = reading
    if best is None:
        raise BarcodeError("no plausible reading of the payload")
    return best.barcode


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
    "SIGNATURE_SIZE",
    "SIX_BIT_ALPHABET",
    "BarcodeError",
    "BarcodeUnknownLayoutError",
    "PolicyBarcode",
    "find_pdf417",
    "parse_policy_payload",
    "read_policy_barcode",
]
