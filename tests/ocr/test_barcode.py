"""The policy PDF417: payload layouts (domain.md) and finding real symbols on page images.

The encoder below is written independently of ``omsdesktop.ocr.barcode`` (bit strings instead
of integer shifts, an explicit code table) so a shared misunderstanding cannot pass silently.
Symbols are rendered by zxing-cpp's real Compact PDF417 writer and read back from warped pages.
"""

from __future__ import annotations

import random
from datetime import date

import cv2
import numpy as np
import pytest
import zxingcpp

from omsdesktop.errors import OmsError
from omsdesktop.ocr.barcode import (
    BarcodeError,
    BarcodeUnknownLayoutError,
    PolicyBarcode,
    find_pdf417,
    parse_policy_payload,
    read_policy_barcode,
)

# --- an independent encoder -------------------------------------------------------------------

_LETTERS = "АБВГДЕЁЖЗИЙКЛМНОПРСТУФХЦЧШЩЬЪЫЭЮЯ"
CODE: dict[str, int] = {" ": 0, ".": 1, "-": 2, "‘": 3, "|": 63}
CODE.update({str(d): 4 + d for d in range(10)})
CODE.update({ch: 14 + i for i, ch in enumerate(_LETTERS)})


def pack6(text: str, n_bytes: int) -> bytes:
    n_chars = n_bytes * 8 // 6
    assert len(text) <= n_chars
    bits = "".join(format(CODE[ch], "06b") for ch in text.ljust(n_chars))
    return bytes(int(bits[i : i + 8], 2) for i in range(0, len(bits), 8))


def days(d: date | None) -> bytes:
    n = 0 if d is None else (d - date(1900, 1, 1)).days
    return n.to_bytes(2, "big")


def encode_type2(
    enp: str, last: str, first: str, middle: str, sex: int, born: date, expiry: date | None
) -> bytes:
    out = bytes([2]) + int(enp).to_bytes(8, "big")
    out += pack6(f"{last}|{first}|{middle}", 51)
    out += bytes([sex]) + days(born) + days(expiry)
    assert len(out) == 65
    return out + bytes(range(65))  # the signature is not read


def encode_type1(
    enp: str,
    last: str,
    first: str,
    middle: str,
    sex: int,
    born: date,
    expiry: date | None,
    ogrn: int,
    okato: int,
) -> bytes:
    out = bytes([1]) + int(enp).to_bytes(8, "big")
    name = f"{middle[::-1]}|{last[::-1]}|{first[::-1]}"
    out += pack6(name, 42)[::-1]
    out += bytes([sex]) + days(born) + days(expiry)
    out += ogrn.to_bytes(6, "big") + okato.to_bytes(3, "big")
    assert len(out) == 65
    return out + bytes(65)


# --- payload decoding -------------------------------------------------------------------------


def test_type2_round_trip() -> None:
    payload = encode_type2(
        "7700000000000016", "ИВАНОВА", "АННА-МАРИЯ", "СЕРГЕЕВНА", 2, date(2019, 3, 12), None
    )
    assert len(payload) == 130
    got = parse_policy_payload(payload)
    assert got.layout_type == 2
    assert got.enp == "7700000000000016"
    assert (got.last_name, got.first_name, got.patronymic) == ("Иванова", "Анна-Мария", "Сергеевна")
    assert got.sex == "Ж"
    assert got.birth_date == date(2019, 3, 12)
    assert got.expiry_date is None
    assert got.ogrn is None and got.okato is None


def test_type2_male_with_expiry_and_leading_zero_enp() -> None:
    payload = encode_type2(
        "0500000000000004", "ЁЛКИН", "ПЁТР", "", 1, date(2008, 12, 31), date(2030, 1, 15)
    )
    got = parse_policy_payload(payload)
    assert got.enp == "0500000000000004"  # zero-padded to 16 digits
    assert (got.last_name, got.first_name, got.patronymic) == ("Ёлкин", "Пётр", "")
    assert got.sex == "М"
    assert got.birth_date == date(2008, 12, 31)
    assert got.expiry_date == date(2030, 1, 15)


def test_type1_round_trip_with_insurer_and_region() -> None:
    payload = encode_type1(
        "5000000000000009",
        "ПЕТРОВ",
        "ИЛЬЯ",
        "АЛЕКСАНДРОВИЧ",
        1,
        date(2016, 2, 29),
        None,
        1027739008440,
        46000,
    )
    got = parse_policy_payload(payload)
    assert got.layout_type == 1
    assert got.enp == "5000000000000009"
    assert (got.last_name, got.first_name, got.patronymic) == ("Петров", "Илья", "Александрович")
    assert got.sex == "М"
    assert got.birth_date == date(2016, 2, 29)
    assert got.expiry_date is None
    assert got.ogrn == "1027739008440"
    assert got.okato == "46000"


def test_type1_short_okato_is_zero_padded() -> None:
    payload = encode_type1(
        "6400000000001233", "ЩУКИНА", "ЮЛЯ", "", 2, date(2021, 7, 1), date(2026, 7, 1), 0, 4000
    )
    got = parse_policy_payload(payload)
    assert (got.last_name, got.first_name, got.patronymic) == ("Щукина", "Юля", "")
    assert got.okato == "04000"
    assert got.ogrn is None
    assert got.expiry_date == date(2026, 7, 1)


def test_day_count_starts_at_1900_01_01() -> None:
    # 2000-01-01 is 100 * 365 + 24 leap days after 1900-01-01 (1900 is not a leap year).
    payload = bytearray(encode_type2("7700000000000016", "А", "Б", "В", 1, date(2001, 1, 1), None))
    payload[61:63] = (36524).to_bytes(2, "big")
    payload[63:65] = (36525).to_bytes(2, "big")
    got = parse_policy_payload(bytes(payload))
    assert got.birth_date == date(2000, 1, 1)
    assert got.expiry_date == date(2000, 1, 2)
    assert got.expiry_decoded


def test_alphabet_puts_soft_sign_before_hard_sign_before_yery() -> None:
    # Codes 29, 41, 42, 43 written by hand: О, Ь, Ъ, Ы (domain.md), then "|" separators.
    codes = [29, 41, 42, 43, 63, 14, 63, 15] + [0] * 60
    bits = "".join(format(c, "06b") for c in codes)
    name = bytes(int(bits[i : i + 8], 2) for i in range(0, len(bits), 8))
    payload = bytes([2]) + (7700000000000016).to_bytes(8, "big") + name + bytes([1, 0, 1, 0, 0])
    got = parse_policy_payload(payload + bytes(65))
    assert (got.last_name, got.first_name, got.patronymic) == ("Оьъы", "А", "Б")


def test_hyphen_and_apostrophe_codes() -> None:
    # "Д‘АРК-ОВА|Я|" by hand: codes 3 (‘) and 2 (-), then "|" separators.
    codes = [18, 3, 14, 31, 25, 2, 29, 16, 14, 63, 46, 63] + [0] * 56
    bits = "".join(format(c, "06b") for c in codes)
    name = bytes(int(bits[i : i + 8], 2) for i in range(0, len(bits), 8))
    payload = bytes([2]) + (7700000000000016).to_bytes(8, "big") + name + bytes([2, 0, 1, 0, 0])
    got = parse_policy_payload(payload + bytes(65))
    assert (got.last_name, got.first_name, got.patronymic) == ("Д‘Арк-Ова", "Я", "")


def test_digits_and_dots_are_no_name_but_the_other_fields_stay() -> None:
    codes = [4, 13, 1, 2, 3, 63, 14, 63, 14] + [0] * 59  # "09.-‘|А|А"
    bits = "".join(format(c, "06b") for c in codes)
    name = bytes(int(bits[i : i + 8], 2) for i in range(0, len(bits), 8))
    payload = (
        bytes([2])
        + (7700000000000016).to_bytes(8, "big")
        + name
        + bytes([2])
        + days(date(2015, 6, 1))
    )
    got = parse_policy_payload(payload + bytes(2) + bytes(65))
    assert not got.name_decoded
    assert (got.last_name, got.first_name, got.patronymic) == (None, None, None)
    assert (got.enp, got.sex, got.birth_date) == ("7700000000000016", "Ж", date(2015, 6, 1))


def test_unknown_layout_is_a_typed_error() -> None:
    payload = bytearray(encode_type2("7700000000000016", "А", "Б", "В", 1, date(2019, 1, 1), None))
    payload[0] = 7
    with pytest.raises(BarcodeUnknownLayoutError) as info:
        parse_policy_payload(bytes(payload))
    assert info.value.code == "barcode_unknown_layout"
    assert isinstance(info.value, BarcodeError) and isinstance(info.value, OmsError)
    assert "неизвестный формат" in info.value.message()


@pytest.mark.parametrize("seed", range(20))
def test_random_garbage_with_a_valid_type_byte_is_rejected(seed: int) -> None:
    rng = random.Random(seed)
    payload = bytes([rng.choice((1, 2))]) + bytes(rng.randrange(256) for _ in range(129))
    with pytest.raises(BarcodeError) as info:
        parse_policy_payload(payload)
    assert info.value.code == "barcode_unreadable"


def test_short_payload_is_unreadable() -> None:
    with pytest.raises(BarcodeError) as info:
        parse_policy_payload(b"\x02hello")
    assert info.value.code == "barcode_unreadable"
    assert "не удалось" in info.value.message()


def test_a_bad_sex_or_birth_date_loses_that_field_only() -> None:
    good = encode_type2("7700000000000016", "ИВАНОВ", "ИВАН", "", 1, date(2019, 1, 1), None)
    bad_sex = bytearray(good)
    bad_sex[60] = 3
    got = parse_policy_payload(bytes(bad_sex))
    assert got.sex is None
    assert (got.enp, got.last_name, got.birth_date) == (
        "7700000000000016",
        "Иванов",
        date(2019, 1, 1),
    )
    no_birth = bytearray(good)
    no_birth[61:63] = b"\x00\x00"
    got = parse_policy_payload(bytes(no_birth))
    assert got.birth_date is None
    assert (got.enp, got.last_name, got.sex) == ("7700000000000016", "Иванов", "М")
    born_later_than_today = bytearray(good)
    born_later_than_today[61:63] = (65000).to_bytes(2, "big")  # 2077
    assert parse_policy_payload(bytes(born_later_than_today)).birth_date is None


def test_an_expiry_before_the_birth_is_unknown_not_open_ended() -> None:
    payload = encode_type2(
        "7700000000000016", "ИВАНОВ", "ИВАН", "", 1, date(2019, 1, 1), date(2018, 1, 1)
    )
    got = parse_policy_payload(payload)
    assert got.expiry_date is None and not got.expiry_decoded
    assert got.birth_date == date(2019, 1, 1)


def test_enp_wider_than_16_digits_is_no_number_but_the_rest_stays() -> None:
    payload = bytearray(
        encode_type2("7700000000000016", "ЛЕБЕДЕВА", "ОЛЬГА", "", 2, date(2019, 1, 1), None)
    )
    payload[1:9] = (10**16).to_bytes(8, "big")
    got = parse_policy_payload(bytes(payload))
    assert got.enp is None
    assert (got.last_name, got.first_name, got.sex) == ("Лебедева", "Ольга", "Ж")


def test_a_number_with_a_wrong_check_digit_is_still_read() -> None:
    """Luhn validity makes a reading more plausible; the validators report a bad one."""
    payload = encode_type2("6449020886006381", "ИВАНОВ", "ИВАН", "", 1, date(2019, 1, 1), None)
    assert parse_policy_payload(payload).enp == "6449020886006381"


# --- finding symbols on images ----------------------------------------------------------------


def render(payload: bytes, scale: int = 3) -> np.ndarray:
    symbol = zxingcpp.create_barcode(payload, zxingcpp.BarcodeFormat.CompactPDF417)
    return np.array(symbol.to_image(scale=scale))


def make_page(symbol: np.ndarray, at: tuple[int, int]) -> np.ndarray:
    """A 300-dpi A5 sheet (1748 x 2480) with text-like clutter and the symbol at ``at``."""
    page = np.full((2480, 1748, 3), 235, np.uint8)
    rng = np.random.default_rng(7)
    for row in range(120, 2400, 70):
        cv2.putText(
            page,
            "POLIS OBYAZATELNOGO MEDICINSKOGO STRAHOVANIYA 0123456789",
            (80, row),
            cv2.FONT_HERSHEY_SIMPLEX,
            1.0,
            (40, 40, 40),
            2,
        )
    y, x = at
    h, w = symbol.shape[:2]
    page[y - 20 : y + h + 20, x - 20 : x + w + 20] = 255  # the quiet zone
    page[y : y + h, x : x + w] = cv2.cvtColor(symbol, cv2.COLOR_GRAY2BGR)
    noise = rng.normal(0, 6, page.shape)
    return np.clip(page.astype(np.float64) + noise, 0, 255).astype(np.uint8)


def warp(page: np.ndarray, angle: float, skew: float) -> np.ndarray:
    """Rotate by ``angle`` degrees and tilt the sheet like a phone photo."""
    h, w = page.shape[:2]
    src = np.float32([[0, 0], [w, 0], [w, h], [0, h]])
    dst = np.float32([[skew * w, 0], [w - skew * w, skew * h], [w, h], [0, h - skew * h]])
    persp = cv2.getPerspectiveTransform(src, dst)
    warped = cv2.warpPerspective(page, persp, (w, h), borderValue=(200, 200, 200))
    rot = cv2.getRotationMatrix2D((w / 2, h / 2), angle, 1.0)
    rotated = cv2.warpAffine(warped, rot, (w, h), borderValue=(200, 200, 200))
    return cv2.GaussianBlur(rotated, (3, 3), 0)


POLICY = encode_type2(
    "6400000000001233", "СМИРНОВА", "ВАРВАРА", "ИГОРЕВНА", 2, date(2020, 1, 1), None
)


@pytest.mark.slow  # renders and processes whole pages, over a second each
def test_finds_a_rendered_symbol_on_a_warped_page() -> None:
    symbol = render(POLICY)
    page = warp(make_page(symbol, (150, 900)), angle=4.0, skew=0.03)
    found = find_pdf417(page)
    assert [payload for payload, _ in found] == [POLICY]
    box = found[0][1]
    # The symbol was placed in the upper right quarter of the sheet.
    assert box.x > 700 and box.y < 600
    assert box.width > symbol.shape[1] * 0.8


@pytest.mark.slow  # renders and processes whole pages, over a second each
def test_reads_policy_fields_from_a_page_scanned_sideways() -> None:
    page = np.ascontiguousarray(np.rot90(make_page(render(POLICY), (150, 900))))
    got = read_policy_barcode(page)
    assert isinstance(got, PolicyBarcode)
    assert got.enp == "6400000000001233"
    assert (got.last_name, got.first_name, got.patronymic) == ("Смирнова", "Варвара", "Игоревна")
    assert got.birth_date == date(2020, 1, 1)
    assert got.box.width > 0 and got.box.height > 0


def test_reads_a_greyscale_type1_page() -> None:
    payload = encode_type1(
        "7700000000000016", "ОРЛОВ", "ЯН", "", 1, date(2012, 5, 5), None, 1027739008440, 45000
    )
    page = cv2.cvtColor(make_page(render(payload), (1800, 300)), cv2.COLOR_BGR2GRAY)
    got = read_policy_barcode(warp(page, angle=-3.0, skew=0.02))
    assert got is not None
    assert (got.layout_type, got.last_name, got.first_name, got.ogrn) == (
        1,
        "Орлов",
        "Ян",
        "1027739008440",
    )
    assert got.box.y > 1200  # placed in the lower half


@pytest.mark.slow  # renders and processes whole pages, over a second each
def test_a_page_without_a_barcode_gives_none() -> None:
    page = make_page(np.full((10, 10), 255, np.uint8), (150, 900))
    assert find_pdf417(page) == []
    assert read_policy_barcode(page) is None


@pytest.mark.slow  # renders and processes whole pages, over a second each
def test_a_foreign_pdf417_raises_a_typed_error() -> None:
    foreign = b"\x09" + bytes(range(129))
    page = make_page(render(foreign), (150, 900))
    with pytest.raises(BarcodeUnknownLayoutError):
        read_policy_barcode(page)


def test_a_qr_code_is_not_taken_for_the_policy_barcode() -> None:
    qr = np.array(zxingcpp.create_barcode(POLICY, zxingcpp.BarcodeFormat.QRCode).to_image(scale=6))
    page = make_page(qr, (150, 900))
    assert find_pdf417(page) == []


# --- against the test-document generator's own encoder ----------------------------------------


@pytest.mark.slow  # renders and processes whole pages, over a second each
@pytest.mark.parametrize("layout", [1, 2])
def test_docgen_payloads_in_a_real_symbol_decode(layout: int) -> None:
    """tests/docgen writes policy barcodes for the synthetic documents: a second encoder."""
    from tests.docgen.barcode import encode_payload, pdf417_image

    payload = encode_payload(
        layout_type=layout,
        enp="5000000000000009",
        last_name="Ёлкина",
        first_name="Дарья",
        patronymic="Юрьевна",
        sex="Ж",
        birth_date=date(2017, 9, 30),
        expiry=None,
        ogrn="1027739099629",
        okato=45000,
        rnd=random.Random(5),
    )
    symbol = pdf417_image(payload, module=2, row_height=3)  # EC level 4, dense rows
    got = read_policy_barcode(warp(make_page(symbol, (200, 700)), angle=2.0, skew=0.01))
    assert got is not None
    assert got.layout_type == layout
    assert got.enp == "5000000000000009"
    assert (got.last_name, got.first_name, got.patronymic) == ("Ёлкина", "Дарья", "Юрьевна")
    assert (got.sex, got.birth_date, got.expiry_date) == ("Ж", date(2017, 9, 30), None)
    if layout == 1:
        assert (got.ogrn, got.okato) == ("1027739099629", "45000")


# --- shortened and variable-length payloads (docs/forms.md, last section) ---------------------


def bits_to_bytes(bits: str) -> bytes:
    bits += "0" * (-len(bits) % 8)
    return bytes(int(bits[i : i + 8], 2) for i in range(0, len(bits), 8))


def name_block(
    last: str, first: str, middle: str, size: int, *, padding: str, words: str = "type1"
) -> bytes:
    """A name block of ``size`` bytes.

    words="type1": "отчество|фамилия|имя", each word reversed, the packed bytes reversed;
    words="plain": "ФАМИЛИЯ|ИМЯ|ОТЧЕСТВО" as type 2 writes it, bytes in order.
    padding="after": the packed name first, then zero bytes; "before": the zeros come first.
    """
    if words == "type1":
        text = f"{middle[::-1]}|{last[::-1]}|{first[::-1]}"
    else:
        text = f"{last}|{first}|{middle}"
    packed = bits_to_bytes("".join(format(CODE[ch], "06b") for ch in text))
    assert len(packed) <= size
    if words == "type1":
        packed = packed[::-1]
        if padding == "before":
            # Padded with spaces to the block's capacity, packed, then the whole block reversed.
            cap = size * 8 // 6
            full = bits_to_bytes("".join(format(CODE[ch], "06b") for ch in text.ljust(cap)))
            return full[::-1]
    zeros = bytes(size - len(packed))
    return packed + zeros if padding == "after" else zeros + packed


def encode_short1(
    enp: str,
    block: bytes,
    sex: int,
    born: date,
    expiry: date | None,
    ogrn: int,
    okato: int,
    *,
    number: int = 8,
    ogrn_bytes: int = 5,
    okato_bytes: int = 2,
) -> bytes:
    out = bytes([1]) + int(enp).to_bytes(number, "big") + block
    out += bytes([sex]) + days(born) + days(expiry)
    out += ogrn.to_bytes(ogrn_bytes, "big") + okato.to_bytes(okato_bytes, "big")
    return out + bytes((7 * i + 3) % 256 for i in range(65))  # a signature-like tail


def specimen_like(padding: str = "after", **kw: object) -> bytes:
    block = name_block("СМИРНОВА", "ВАРВАРА", "ИГОРЕВНА", 35, padding=padding)
    args: dict[str, object] = {
        "enp": "7700000000000016",
        "block": block,
        "sex": 2,
        "born": date(2020, 1, 1),
        "expiry": None,
        "ogrn": 1027739008440,
        "okato": 45000,
    }
    args.update(kw)
    return encode_short1(**args)  # type: ignore[arg-type]


@pytest.mark.parametrize("padding", ["after", "before"])
def test_the_specimens_121_byte_type1_payload(padding: str) -> None:
    payload = specimen_like(padding)
    assert len(payload) == 121 and payload[44] == 2  # sex at byte 44, as on the specimen
    got = parse_policy_payload(payload)
    assert got.layout_type == 1
    assert got.enp == "7700000000000016"
    assert (got.last_name, got.first_name, got.patronymic) == ("Смирнова", "Варвара", "Игоревна")
    assert (got.sex, got.birth_date, got.expiry_date) == ("Ж", date(2020, 1, 1), None)
    assert (got.ogrn, got.okato) == ("1027739008440", "45000")
    assert got.name_decoded and got.expiry_decoded
    assert "number8 name35 ogrn5 okato2" in got.variant


@pytest.mark.parametrize("padding", ["after", "before"])
@pytest.mark.parametrize(
    ("number", "ogrn_bytes", "okato_bytes", "name"),
    [(8, 6, 3, 42), (7, 6, 3, 35), (7, 5, 2, 35), (8, 6, 2, 30), (8, 5, 3, 20), (7, 5, 3, 41)],
)
def test_every_allowed_width_of_type1(
    padding: str, number: int, ogrn_bytes: int, okato_bytes: int, name: int
) -> None:
    block = name_block("ПЕТРОВ", "ИЛЬЯ", "АЛЕКСАНДРОВИЧ", name, padding=padding)
    payload = encode_short1(
        "5000000000000009",
        block,
        1,
        date(2016, 2, 29),
        date(2031, 5, 17),
        1027739099629,
        46000,
        number=number,
        ogrn_bytes=ogrn_bytes,
        okato_bytes=okato_bytes,
    )
    got = parse_policy_payload(payload)
    assert got.enp == "5000000000000009"
    assert (got.last_name, got.first_name, got.patronymic) == ("Петров", "Илья", "Александрович")
    assert (got.sex, got.birth_date, got.expiry_date) == ("М", date(2016, 2, 29), date(2031, 5, 17))
    assert (got.ogrn, got.okato) == ("1027739099629", "46000")
    assert f"number{number} name{name} ogrn{ogrn_bytes} okato{okato_bytes}" in got.variant


@pytest.mark.parametrize("padding", ["after", "before"])
def test_a_type1_name_in_type2_word_order_is_read_too(padding: str) -> None:
    """The rules' «pad, then reverse» read as no reversal at all: ФАМИЛИЯ|ИМЯ|ОТЧЕСТВО."""
    block = name_block("ЩУКИНА", "ЮЛЯ", "", 35, padding=padding, words="plain")
    got = parse_policy_payload(specimen_like(block=block))
    assert (got.last_name, got.first_name, got.patronymic) == ("Щукина", "Юля", "")


@pytest.mark.parametrize("dummy", ["zeros", "reserved", "ones"])
def test_a_dummy_name_block_keeps_number_sex_and_dates(dummy: str) -> None:
    block = {
        "zeros": bytes(35),
        "reserved": bits_to_bytes(format(50, "06b") * 46)[:35],
        "ones": b"\xff" * 35,  # all separators
    }[dummy]
    got = parse_policy_payload(specimen_like(block=block, expiry=date(2024, 12, 31)))
    assert not got.name_decoded
    assert (got.last_name, got.first_name, got.patronymic) == (None, None, None)
    assert got.enp == "7700000000000016"
    assert (got.sex, got.birth_date, got.expiry_date) == ("Ж", date(2020, 1, 1), date(2024, 12, 31))


def test_a_dummy_name_and_a_number_without_check_digit_still_decode() -> None:
    """Luhn is a bonus: an open-ended validity is enough to trust a reading without a name."""
    got = parse_policy_payload(specimen_like(block=bytes(35), enp="6449020886006381"))
    assert (got.enp, got.sex, got.birth_date) == ("6449020886006381", "Ж", date(2020, 1, 1))


def test_a_specimen_with_a_blank_number_and_a_dummy_name_keeps_sex_and_dates() -> None:
    """The specimen prints «0000000000000000»: a zero number field is a blank, not noise."""
    payload = bytearray(
        specimen_like(block=bytes(35), born=date(1964, 2, 28), expiry=date(2012, 2, 28))
    )
    payload[1:9] = bytes(8)
    got = parse_policy_payload(bytes(payload))
    assert (got.enp, got.last_name) == (None, None)
    assert (got.sex, got.birth_date, got.expiry_date) == ("Ж", date(1964, 2, 28), date(2012, 2, 28))


def test_a_blank_birth_date_and_a_dummy_name_keep_the_number() -> None:
    payload = bytearray(specimen_like(block=bytes(35)))
    payload[45:47] = bytes(2)
    got = parse_policy_payload(bytes(payload))
    assert (got.enp, got.sex, got.birth_date) == ("7700000000000016", "Ж", None)


def test_a_shortened_type2_payload_is_read_from_the_signature_back() -> None:
    name = bits_to_bytes("".join(format(CODE[ch], "06b") for ch in "ОРЛОВ|ЯН|"))
    name += bytes(30 - len(name))
    data = bytes([2]) + (7700000000000016).to_bytes(8, "big") + name
    data += bytes([1]) + days(date(2012, 5, 5)) + days(None)
    got = parse_policy_payload(data + bytes(range(65)))
    assert (got.layout_type, got.enp, got.last_name, got.first_name) == (
        2,
        "7700000000000016",
        "Орлов",
        "Ян",
    )
    assert (got.sex, got.birth_date) == ("М", date(2012, 5, 5))


def test_a_payload_cut_inside_its_signature_is_read_from_the_start() -> None:
    full = encode_type1(
        "5000000000000009", "ОРЛОВ", "ЯН", "", 1, date(2012, 5, 5), None, 1027739008440, 45000
    )
    got = parse_policy_payload(full[:100])
    assert (got.enp, got.last_name, got.first_name, got.patronymic) == (
        "5000000000000009",
        "Орлов",
        "Ян",
        "",
    )
    assert "start" in got.variant
    with pytest.raises(BarcodeError):
        parse_policy_payload(full[:40])


def test_garbage_of_every_length_is_rejected() -> None:
    rng = random.Random(2011)
    accepted = 0
    for size in (65, 90, 110, 121, 126, 130):
        for _ in range(150):
            payload = bytes([rng.choice((1, 2))]) + rng.randbytes(size - 1)
            try:
                parse_policy_payload(payload)
            except BarcodeError:
                continue
            accepted += 1
    assert accepted == 0


# --- shortened payloads in real symbols (zxing-cpp writes and reads them) ---------------------


def read_symbol(payload: bytes, *, seed: int = 0) -> PolicyBarcode | None:
    from tests.docgen.barcode import pdf417_image

    symbol = pdf417_image(payload, module=2, row_height=3)  # Compact PDF417, EC level 4
    page = make_page(symbol, (200 + 40 * seed, 700))
    return read_policy_barcode(warp(page, angle=2.0 - seed, skew=0.01))


def docgen_short(**kw: object) -> bytes:
    from tests.docgen.barcode import encode_short_type1

    args: dict[str, object] = {
        "enp": "6400000000001233",
        "last_name": "Белозёрова",
        "first_name": "Анна-Мария",
        "patronymic": "Юрьевна",
        "sex": "Ж",
        "birth_date": date(2018, 11, 3),
        "expiry": None,
        "ogrn": "1025004642519",
        "okato": 68000,
        "rnd": random.Random(3),
    }
    args.update(kw)
    return encode_short_type1(**args)  # type: ignore[arg-type]


@pytest.mark.slow  # renders and processes whole pages, over a second each
@pytest.mark.parametrize("padding", ["after", "before"])
def test_a_121_byte_symbol_decodes_with_either_padding(padding: str) -> None:
    payload = docgen_short(padding=padding)
    assert len(payload) == 121
    assert (
        payload[:-65]
        == specimen_like(
            padding,
            enp="6400000000001233",
            block=name_block("БЕЛОЗЁРОВА", "АННА-МАРИЯ", "ЮРЬЕВНА", 35, padding=padding),
            born=date(2018, 11, 3),
            ogrn=1025004642519,
            okato=68,  # 68000 does not fit 2 bytes: the region's two digits
        )[:-65]
    )
    got = read_symbol(payload)
    assert got is not None
    assert got.enp == "6400000000001233"
    assert (got.last_name, got.first_name, got.patronymic) == (
        "Белозёрова",
        "Анна-Мария",
        "Юрьевна",
    )
    assert (got.sex, got.birth_date, got.expiry_date) == ("Ж", date(2018, 11, 3), None)
    assert (got.ogrn, got.okato) == ("1025004642519", "68000")
    assert got.box.width > 0


def test_a_symbol_with_a_7_byte_number_and_6_byte_ogrn() -> None:
    payload = docgen_short(enp_bytes=7, ogrn_bytes=6, okato_bytes=3, expiry=date(2029, 3, 1))
    assert len(payload) == 1 + 7 + 35 + 5 + 6 + 3 + 65
    got = read_symbol(payload, seed=1)
    assert got is not None
    assert (got.enp, got.last_name, got.expiry_date) == (
        "6400000000001233",
        "Белозёрова",
        date(2029, 3, 1),
    )
    assert "number7" in got.variant


@pytest.mark.slow  # renders and processes whole pages, over a second each
def test_a_symbol_with_a_dummy_name_block_still_gives_number_sex_and_dates() -> None:
    got = read_symbol(docgen_short(dummy_name=True), seed=2)
    assert got is not None
    assert not got.name_decoded and got.last_name is None
    assert (got.enp, got.sex, got.birth_date, got.expiry_date) == (
        "6400000000001233",
        "Ж",
        date(2018, 11, 3),
        None,
    )


@pytest.mark.slow  # renders and processes whole pages, over a second each
def test_a_full_type2_symbol_decodes() -> None:
    from tests.docgen.barcode import encode_payload

    payload = encode_payload(
        layout_type=2,
        enp="7700000000000016",
        last_name="Мамин-Сибиряк",
        first_name="Лев",
        patronymic="Оглы",
        sex="М",
        birth_date=date(2021, 6, 30),
        expiry=None,
        ogrn="1027739008440",
        okato=45000,
        rnd=random.Random(4),
    )
    got = read_symbol(payload)
    assert got is not None
    assert (got.layout_type, got.last_name, got.first_name, got.patronymic) == (
        2,
        "Мамин-Сибиряк",
        "Лев",
        "Оглы",
    )


@pytest.mark.slow  # renders and processes whole pages, over a second each
def test_a_garbage_symbol_raises_and_a_cut_one_decodes() -> None:
    garbage = bytes([1]) + random.Random(8).randbytes(120)
    with pytest.raises(BarcodeError) as info:
        read_symbol(garbage)
    assert info.value.code == "barcode_unreadable"
    from tests.docgen.barcode import encode_payload

    full = encode_payload(
        layout_type=1,
        enp="5000000000000009",
        last_name="Ким",
        first_name="Ия",
        patronymic="",
        sex="Ж",
        birth_date=date(2019, 1, 1),
        expiry=None,
        ogrn="1027739008440",
        okato=45000,
        rnd=random.Random(6),
    )
    got = read_symbol(full[:90], seed=1)  # an encoder that wrote only part of the signature
    assert got is not None
    assert (got.enp, got.last_name, got.first_name) == ("5000000000000009", "Ким", "Ия")


def test_docgen_short_encoder_truncates_a_long_name_like_a_fixed_field() -> None:
    payload = docgen_short(
        last_name="Константинопольская",
        first_name="Александра",
        patronymic="Константиновна",
        name_bytes=30,  # 40 characters: the 45 of "отчество|фамилия|имя" lose 5
    )
    got = parse_policy_payload(payload)
    assert (got.last_name, got.patronymic) == ("Константинопольская", "Константиновна")
    assert got.first_name == "Андра"  # the reversed first name lost its tail: "Алекс"


# --- the real blank: a 50 x 11 mm symbol without a quiet zone over the guilloche ---------------


@pytest.mark.slow  # renders and processes whole pages, over a second each
@pytest.mark.parametrize("compact", [True, False])
def test_a_symbol_on_the_real_unified_blank_is_found(compact: bool) -> None:
    """forms.md: the barcode is 50 x 11 mm at (40.5, 109.4) mm; its rows are barely a module
    and a half high and it sits on the guilloche. zxing's scan of the whole page misses it; the
    crop of the region that looks like bars reads it."""
    from pathlib import Path

    from tests.docgen.barcode import pdf417_image

    blank = cv2.imread(
        str(Path(__file__).parents[1] / "docgen" / "blanks" / "oms-unified-policy-front-blank.jpg")
    )
    assert blank is not None
    payload = docgen_short(rnd=random.Random(12))
    if compact:
        matrix = pdf417_image(payload, 1, 1)
    else:
        code = zxingcpp.create_barcode(payload, zxingcpp.BarcodeFormat.PDF417, ec_level=4)
        matrix = np.array(code.to_image(scale=1), dtype=np.uint8)
    dark = matrix < 128
    ys, xs = np.nonzero(dark)
    core = dark[ys.min() : ys.max() + 1, xs.min() : xs.max() + 1].astype(np.uint8)
    mm = 300 / 25.4
    x, y, w, h = round(40.5 * mm), round(109.4 * mm), round(50 * mm), round(11 * mm)
    bars = cv2.resize(core, (w, h), interpolation=cv2.INTER_NEAREST)
    page = blank.copy()
    page[y : y + h, x : x + w][bars > 0] = (35, 35, 35)
    found = find_pdf417(page)
    assert [p for p, _ in found] == [payload]
    box = found[0][1]
    assert abs(box.x - x) < 30 and abs(box.y - y) < 30
    got = read_policy_barcode(page)
    assert got is not None and got.enp == "6400000000001233"
