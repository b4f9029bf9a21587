"""Tests of the synthetic document generator itself."""

from __future__ import annotations

import datetime as dt
import io
import json
import re
import subprocess
import sys
from pathlib import Path

import cv2
import numpy as np
import pytesseract
import pytest
import zxingcpp
from PIL import Image

from omsdesktop.forms.registry import BIRTH_CERTIFICATE_FIELDS, OMS_POLICY_FIELDS
from tests.docgen import (
    CERTIFICATE_LAYOUTS,
    DEGRADATIONS,
    FONT_SETS,
    INSURERS,
    POLICY_FORMS,
    DegradeInfo,
    GeneratedDocument,
    build_corpus,
    degrade,
    generate,
    generate_certificate,
    generate_policy,
)
from tests.docgen.data import patronymic
from tests.docgen.numbers import date_in_words, luhn_check_digit, luhn_valid, roman

REPO = Path(__file__).resolve().parents[2]
LIMIT = dt.date(2026, 11, 21)
SERIES_RE = re.compile(r"^[IVXLCDM]{1,6}-[А-ЯЁ]{2}$")
NAME_RE = re.compile(r"^[А-ЯЁ][а-яё]+(-[А-ЯЁ][а-яё]+)?$")

_cache: dict[tuple[str, int, str, str], GeneratedDocument] = {}


def cert(seed: int, layout: str, font_set: str = "train") -> GeneratedDocument:
    key = ("c", seed, layout, font_set)
    if key not in _cache:
        _cache[key] = generate_certificate(seed, layout, font_set)
    return _cache[key]


def policy(seed: int, form: str, font_set: str = "train") -> GeneratedDocument:
    key = ("p", seed, form, font_set)
    if key not in _cache:
        _cache[key] = generate_policy(seed, form, font_set)
    return _cache[key]


def sample_documents() -> list[GeneratedDocument]:
    docs = [cert(s, layout) for layout in CERTIFICATE_LAYOUTS for s in (1, 2, 3)]
    docs += [policy(s, form) for form in POLICY_FORMS for s in (1, 2)]
    docs += [cert(5, "caption_below", "holdout"), policy(5, "unified", "holdout")]
    return docs


def iso(value: str | None) -> dt.date:
    assert value is not None and re.fullmatch(r"\d{4}-\d{2}-\d{2}", value), value
    return dt.date.fromisoformat(value)


# --- numbers and words -----------------------------------------------------------------------


def test_luhn_matches_the_domain_examples() -> None:
    for good in ("7700000000000016", "5000000000000009", "6400000000001233"):
        assert luhn_valid(good)
        assert luhn_check_digit(good[:-1]) == good[-1]
    assert not luhn_valid("6449020886006381")


@pytest.mark.parametrize(
    ("day", "words"),
    [
        (dt.date(2019, 3, 12), "двенадцатого марта две тысячи девятнадцатого года"),
        (dt.date(2021, 1, 21), "двадцать первого января две тысячи двадцать первого года"),
        (dt.date(2000, 12, 31), "тридцать первого декабря двухтысячного года"),
        (dt.date(2010, 10, 27), "двадцать седьмого октября две тысячи десятого года"),
        (dt.date(2020, 2, 20), "двадцатого февраля две тысячи двадцатого года"),
        (dt.date(1987, 7, 4), "четвертого июля тысяча девятьсот восемьдесят седьмого года"),
        (dt.date(2011, 11, 11), "одиннадцатого ноября две тысячи одиннадцатого года"),
    ],
)
def test_date_in_words(day: dt.date, words: str) -> None:
    assert date_in_words(day) == words


@pytest.mark.parametrize(
    ("father", "son", "daughter"),
    [
        ("Сергей", "Сергеевич", "Сергеевна"),
        ("Николай", "Николаевич", "Николаевна"),
        ("Иван", "Иванович", "Ивановна"),
        ("Юрий", "Юрьевич", "Юрьевна"),
        ("Дмитрий", "Дмитриевич", "Дмитриевна"),
        ("Илья", "Ильич", "Ильинична"),
        ("Никита", "Никитич", "Никитична"),
        ("Лев", "Львович", "Львовна"),
        ("Пётр", "Петрович", "Петровна"),
        ("Игорь", "Игоревич", "Игоревна"),
        ("Тимур", "Тимурович", "Тимуровна"),
    ],
)
def test_patronymics(father: str, son: str, daughter: str) -> None:
    assert patronymic(father, "М") == son
    assert patronymic(father, "Ж") == daughter


def test_roman_numerals() -> None:
    assert [roman(n) for n in (1, 4, 9, 14, 19, 40, 88, 99)] == [
        "I",
        "IV",
        "IX",
        "XIV",
        "XIX",
        "XL",
        "LXXXVIII",
        "XCIX",
    ]


# --- documents -------------------------------------------------------------------------------


@pytest.mark.slow  # renders and processes whole pages, over a second each
def test_same_seed_same_document() -> None:
    pairs = [
        (generate_certificate(21, "labels_left"), generate_certificate(21, "labels_left")),
        (generate_policy(21, "unified"), generate_policy(21, "unified")),
    ]
    for a, b in pairs:
        assert np.array_equal(a.image, b.image)
        assert a.truth == b.truth
        assert a.boxes == b.boxes
        assert a.barcode_payload == b.barcode_payload


def test_different_seeds_differ() -> None:
    a, b = cert(1, "labels_left"), cert(2, "labels_left")
    assert a.truth != b.truth
    assert a.image.shape != b.image.shape or not np.array_equal(a.image, b.image)


@pytest.mark.slow  # renders and processes whole pages, over a second each
def test_generate_picks_kind_and_layout_from_the_seed() -> None:
    docs = [generate(seed) for seed in range(6)]
    assert {d.kind for d in docs} == {"birth_certificate", "oms_policy"}
    again = generate(0)
    assert (again.kind, again.layout, again.truth) == (docs[0].kind, docs[0].layout, docs[0].truth)
    assert generate(3, "oms_policy").layout in POLICY_FORMS
    assert generate(3, "birth_certificate").layout in CERTIFICATE_LAYOUTS


def test_unknown_names_are_refused() -> None:
    with pytest.raises(ValueError):
        generate_certificate(1, "sideways")
    with pytest.raises(ValueError):
        generate_policy(1, "napkin")
    with pytest.raises(ValueError):
        generate(1, "passport")
    with pytest.raises(ValueError):
        degrade(cert(1, "labels_left"), "coffee_stain", 1)


@pytest.mark.slow  # renders and processes whole pages, over a second each
def test_truth_has_exactly_the_app_field_names() -> None:
    for doc in sample_documents():
        expected = (
            BIRTH_CERTIFICATE_FIELDS if doc.kind == "birth_certificate" else OMS_POLICY_FIELDS
        )
        assert sorted(doc.truth) == sorted(expected)


def test_certificate_truth_formats() -> None:
    for doc in sample_documents():
        if doc.kind != "birth_certificate":
            continue
        t = doc.truth
        assert doc.layout in CERTIFICATE_LAYOUTS
        for key in ("last_name", "first_name", "patronymic"):
            assert NAME_RE.match(t[key] or ""), t[key]
        assert SERIES_RE.match(t["birth_certificate_series"] or "")
        assert re.fullmatch(r"\d{6}", t["birth_certificate_number"] or "")
        born = iso(t["birth_date"])
        issued = iso(t["birth_certificate_issue_date"])
        assert born <= issued <= LIMIT
        assert (LIMIT - born).days < 17 * 365
        act = t["birth_act_record_number"] or ""
        assert act.isdigit()
        registered_2018 = len(act) == 21
        assert registered_2018 or len(act) <= 4
        if registered_2018:
            assert act.startswith("1") and int(act[1:5]) >= 2018
        assert t["birth_place"] and re.match(
            r"^(гор\.|г\.|город|с\.|пос\.|дер\.) ", t["birth_place"]
        )


def test_policy_truth_formats() -> None:
    for doc in sample_documents():
        if doc.kind != "oms_policy":
            continue
        t = doc.truth
        form = t["policy_form"]
        assert form == doc.layout and form in POLICY_FORMS
        number = t["policy_number"] or ""
        if form in ("unified", "card", "electronic"):
            assert re.fullmatch(r"\d{16}", number) and luhn_valid(number)
            assert t["policy_series"] is None
        elif form == "old":
            series = t["policy_series"] or ""
            assert 1 <= len(series) <= 10
            assert number.isdigit() and len(number) <= 20
        else:
            assert re.fullmatch(r"\d{9}", number)
            assert t["policy_series"] is None
        for key in ("last_name", "first_name", "patronymic"):
            assert NAME_RE.match(t[key] or ""), t[key]
        assert t["sex"] in ("М", "Ж")
        ending = "на" if t["sex"] == "Ж" else "ич"
        assert (t["patronymic"] or "").endswith(ending)
        born = iso(t["birth_date"])
        issued = iso(t["policy_issue_date"])
        assert born <= issued <= LIMIT
        if t["policy_expiry_date"] is not None:
            assert iso(t["policy_expiry_date"]) > issued
        assert t["insurer"] in INSURERS


def test_boxes_lie_on_the_image_and_cover_the_printed_values() -> None:
    for doc in sample_documents():
        h, w = doc.image.shape[:2]
        assert doc.image.dtype == np.uint8 and doc.image.ndim == 3 and doc.image.shape[2] == 3
        assert doc.dpi == 300
        required = {k for k, v in doc.truth.items() if v is not None and k != "policy_form"}
        assert required <= set(doc.boxes), required - set(doc.boxes)
        assert set(doc.boxes) <= set(doc.truth)
        for key, (x, y, bw, bh) in doc.boxes.items():
            assert x >= 0 and y >= 0 and x + bw <= w and y + bh <= h, key
            assert bw > 5 and bh > 5, key
            crop = cv2.cvtColor(doc.image[y : y + bh, x : x + bw], cv2.COLOR_BGR2GRAY)
            assert crop.min() < 120, f"no ink in the box of {key}"


def test_certificate_and_policy_of_one_seed_describe_the_same_child() -> None:
    def fold(s: str | None) -> str:
        return (s or "").upper().replace("Ё", "Е")

    for seed in (1, 2, 3):
        c = cert(seed, "labels_left")
        p = policy(seed, "unified")
        for key in ("last_name", "first_name", "patronymic", "birth_date"):
            assert fold(c.truth[key]) == fold(p.truth[key])


@pytest.mark.slow  # renders and processes whole pages, over a second each
def test_holdout_fonts_are_a_different_set() -> None:
    assert FONT_SETS["train"] and FONT_SETS["holdout"]
    assert not set(FONT_SETS["train"]) & set(FONT_SETS["holdout"])
    train, holdout = cert(5, "caption_below"), cert(5, "caption_below", "holdout")
    assert train.truth == holdout.truth
    assert holdout.image.shape == train.image.shape
    assert not np.array_equal(train.image, holdout.image)


def test_layouts_are_jittered_between_seeds() -> None:
    tops = {cert(s, "labels_left").boxes["last_name"][:2] for s in (1, 2, 3)}
    assert len(tops) == 3


# --- the barcode -----------------------------------------------------------------------------

# Written from domain.md, independently of the generator's encoder.
SIX_BIT = " .-‘0123456789АБВГДЕЁЖЗИЙКЛМНОПРСТУФХЦЧШЩЬЪЫЭЮЯ"


def _unpack(field: bytes, n_chars: int) -> str:
    bits = "".join(f"{b:08b}" for b in field)
    out = []
    for i in range(n_chars):
        code = int(bits[6 * i : 6 * i + 6], 2)
        out.append("|" if code == 63 else SIX_BIT[code])
    return "".join(out).rstrip(" ")


def _days(b: bytes) -> dt.date | None:
    n = int.from_bytes(b, "big")
    return None if n == 0 else dt.date(1900, 1, 1) + dt.timedelta(days=n)


def parse_policy_payload(p: bytes) -> dict[str, object]:
    assert len(p) == 130
    out: dict[str, object] = {"type": p[0], "enp": str(int.from_bytes(p[1:9], "big")).zfill(16)}
    if p[0] == 2:
        last, first, middle = _unpack(p[9:60], 68).split("|")
        sex, born, expiry = p[60], _days(p[61:63]), _days(p[63:65])
    else:
        assert p[0] == 1
        middle, last, first = (w[::-1] for w in _unpack(p[9:51][::-1], 56).split("|"))
        sex, born, expiry = p[51], _days(p[52:54]), _days(p[54:56])
        out["ogrn"] = str(int.from_bytes(p[56:62], "big"))
        out["okato"] = int.from_bytes(p[62:65], "big")
    out.update(name=(last, first, middle), sex={1: "М", 2: "Ж"}[sex], born=born, expiry=expiry)
    return out


def _unified_with_type(layout_type: int) -> GeneratedDocument:
    for seed in range(1, 60):
        doc = policy(seed, "unified")
        assert doc.barcode_payload is not None
        if doc.barcode_payload[0] == layout_type:
            return doc
    raise AssertionError(f"no unified policy with barcode layout {layout_type} in 60 seeds")


@pytest.mark.parametrize("layout_type", [1, 2])
def test_policy_barcode_decodes_to_the_payload_and_matches_truth(layout_type: int) -> None:
    doc = _unified_with_type(layout_type)
    payload = doc.barcode_payload
    assert payload is not None
    found = [
        r for r in zxingcpp.read_barcodes(doc.image) if r.format == zxingcpp.BarcodeFormat.PDF417
    ]
    assert [r.bytes for r in found] == [payload]
    fields = parse_policy_payload(payload)
    t = doc.truth
    assert fields["type"] == layout_type
    assert fields["enp"] == t["policy_number"]
    names = tuple(str(t[k]).upper() for k in ("last_name", "first_name", "patronymic"))
    assert fields["name"] == names
    assert fields["sex"] == t["sex"]
    assert fields["born"] == iso(t["birth_date"])
    expected_expiry = None if t["policy_expiry_date"] is None else iso(t["policy_expiry_date"])
    assert fields["expiry"] == expected_expiry
    if layout_type == 1:
        ogrn = str(fields["ogrn"])
        assert len(ogrn) == 13 and int(ogrn[:12]) % 11 % 10 == int(ogrn[12])


def test_policy_barcode_survives_a_scan() -> None:
    doc = policy(2, "unified")
    img, _ = degrade(doc, "scan300", 4)
    assert [r.bytes for r in zxingcpp.read_barcodes(img)] == [doc.barcode_payload]


def test_only_unified_policies_carry_a_payload() -> None:
    for doc in sample_documents():
        if doc.layout == "unified":
            assert doc.barcode_payload is not None and len(doc.barcode_payload) == 130
        else:
            assert doc.barcode_payload is None


# --- degradations ----------------------------------------------------------------------------


Degraded = dict[str, tuple[np.ndarray, DegradeInfo]]


@pytest.fixture(scope="module")
def degraded() -> Degraded:
    doc = cert(2, "labels_left")
    return {name: degrade(doc, name, 7) for name in DEGRADATIONS}


def _grey(img: np.ndarray) -> np.ndarray:
    return np.asarray(cv2.cvtColor(img, cv2.COLOR_BGR2GRAY))


def _inside(img: np.ndarray, quad: np.ndarray) -> np.ndarray:
    mask = np.zeros(img.shape[:2], np.uint8)
    cv2.fillConvexPoly(mask, np.round(quad).astype(np.int32), 255)
    return mask > 0


@pytest.mark.slow  # renders and processes whole pages, over a second each
def test_every_degradation_returns_an_image_and_honest_info(degraded: Degraded) -> None:
    doc = cert(2, "labels_left")
    expected = {
        "blur": {"blurry"},
        "motion_blur": {"blurry"},
        "lowres": {"low_resolution"},
        "dark": {"too_dark"},
        "bright": {"too_bright"},
        "low_contrast": {"low_contrast"},
        "glare": {"glare"},
        "cutoff": {"cut_off"},
        "too_small": {"too_small"},
    }
    assert set(degraded) == set(DEGRADATIONS)
    for name, (img, info) in degraded.items():
        assert img.dtype == np.uint8 and img.ndim == 3 and img.shape[2] == 3, name
        assert info.name == name
        assert info.expected_problems == frozenset(expected.get(name, set())), name
        assert info.quad.shape == (4, 2)
        dh, dw = doc.image.shape[:2]
        corners = np.array([[0, 0], [dw, 0], [dw, dh], [0, dh]], np.float32)
        mapped = cv2.perspectiveTransform(corners[None], info.homography)[0]
        assert np.allclose(mapped, info.quad, atol=0.5), name
        if info.photo:
            assert info.dpi is None
            assert max(img.shape[:2]) == 4000 and min(img.shape[:2]) == 3000
        else:
            assert info.dpi is not None


@pytest.mark.slow  # renders and processes whole pages, over a second each
def test_scans_keep_dpi_and_orientation(degraded: Degraded) -> None:
    doc = cert(2, "labels_left")
    assert degraded["scan300"][1].dpi == 300
    assert degraded["scan200"][1].dpi == 200
    lowres_dpi = degraded["lowres"][1].dpi
    assert lowres_dpi is not None and 70 <= lowres_dpi <= 110
    assert abs(degraded["scan300"][1].skew_degrees) <= 2
    assert 3 <= abs(degraded["skew"][1].skew_degrees) <= 12
    for name, dpi in (("scan300", 300), ("scan200", 200), ("lowres", degraded["lowres"][1].dpi)):
        quad = degraded[name][1].quad
        height = float(np.linalg.norm(quad[3] - quad[0]))
        assert height == pytest.approx(doc.image.shape[0] * dpi / 300, rel=0.01), name
    # A quarter turn clockwise puts the document's top-left corner at the image's top right.
    img90, info90 = degraded["rotate90"]
    tl = info90.quad[0]
    assert tl[0] > img90.shape[1] * 0.8 and tl[1] < img90.shape[0] * 0.2
    assert info90.rotation == 90
    img180, info180 = degraded["rotate180"]
    assert info180.quad[0][0] > img180.shape[1] * 0.8 and info180.quad[0][1] > img180.shape[0] * 0.8
    img270, info270 = degraded["rotate270"]
    assert info270.quad[0][0] < img270.shape[1] * 0.2 and info270.quad[0][1] > img270.shape[0] * 0.8
    assert doc.image.shape[0] > doc.image.shape[1] and img90.shape[1] > img90.shape[0]


@pytest.mark.slow  # the module's `degraded` pages: every degradation of a page
def test_blur_is_really_blurry(degraded: Degraded) -> None:
    def sharpness(img: np.ndarray) -> float:
        # Smooth away the sensor noise first: it is sharp, the letters should not be.
        smooth = cv2.GaussianBlur(_grey(img), (0, 0), 1.0)
        return float(cv2.Laplacian(smooth, cv2.CV_64F).var())

    clean = sharpness(degraded["scan300"][0])
    assert sharpness(degraded["blur"][0]) < clean / 20
    assert sharpness(degraded["motion_blur"][0]) < clean / 4


@pytest.mark.slow  # the module's `degraded` pages: every degradation of a page
def test_exposure_degradations(degraded: Degraded) -> None:
    def doc_pixels(name: str) -> np.ndarray:
        img, info = degraded[name]
        return np.asarray(_grey(img)[_inside(img, info.quad)])

    assert doc_pixels("dark").mean() < 70
    bright = doc_pixels("bright")
    assert bright.mean() > 225 and np.percentile(bright, 1) > 150
    low = doc_pixels("low_contrast")
    assert 90 < low.mean() < 190
    assert np.percentile(low, 99) - np.percentile(low, 1) < 70
    clean = doc_pixels("scan300")
    assert np.percentile(clean, 99) - np.percentile(clean, 1) > 150
    photo = doc_pixels("photo")
    assert 120 < photo.mean() < 240 and (photo >= 254).mean() < 0.001


@pytest.mark.slow  # the module's `degraded` pages: every degradation of a page
def test_glare_blows_out_part_of_the_document(degraded: Degraded) -> None:
    img, info = degraded["glare"]
    inside = _inside(img, info.quad)
    blown = (_grey(img) >= 250) & inside
    share = blown.sum() / inside.sum()
    assert 0.005 < share < 0.2


@pytest.mark.slow  # the module's `degraded` pages: every degradation of a page
def test_framing_degradations(degraded: Degraded) -> None:
    assert 0.45 <= degraded["photo"][1].doc_area_fraction <= 0.86
    assert degraded["too_small"][1].doc_area_fraction < 0.2
    img, info = degraded["cutoff"]
    h, w = img.shape[:2]
    outside = [not (0 <= x <= w and 0 <= y <= h) for x, y in info.quad]
    assert sum(outside) >= 2
    full = abs(cv2.contourArea(info.quad))
    frame = np.array([[0, 0], [w, 0], [w, h], [0, h]], np.float32)
    visible, _ = cv2.intersectConvexConvex(info.quad, frame)
    assert 0.72 <= visible / full <= 0.92


@pytest.mark.slow  # renders and processes whole pages, over a second each
def test_degradations_are_deterministic(degraded: Degraded) -> None:
    doc = cert(2, "labels_left")
    for name in ("photo", "cutoff", "rotate90"):
        again, info = degrade(doc, name, 7)
        assert np.array_equal(again, degraded[name][0]), name
        assert np.array_equal(info.quad, degraded[name][1].quad)
    other, _ = degrade(doc, "photo", 8)
    assert not np.array_equal(other, degraded["photo"][0])


# --- OCR readability -------------------------------------------------------------------------


@pytest.mark.slow  # real Tesseract
@pytest.mark.parametrize("layout", CERTIFICATE_LAYOUTS)
def test_tesseract_reads_a_clean_scan(layout: str) -> None:
    doc = cert(3, layout)
    img, _ = degrade(doc, "scan300", 1)
    top = img[: img.shape[0] * 2 // 5]  # title and the child's name: enough, and faster
    text = pytesseract.image_to_string(top, lang="rus").upper()
    assert "СВИДЕТЕЛЬСТВО" in text
    assert "РОЖДЕНИИ" in text
    assert (doc.truth["last_name"] or "").upper() in text.replace("Ё", "Е") or (
        doc.truth["last_name"] or ""
    ).upper() in text


# --- corpus ----------------------------------------------------------------------------------


@pytest.mark.slow  # renders and processes whole pages, over a second each
def test_build_corpus_writes_files_and_truth(tmp_path: Path) -> None:
    seen: list[float] = []
    truth_path = build_corpus(
        tmp_path / "корпус",
        count=4,
        seed=5,
        degradations=("scan300", "rotate90", "lowres"),
        progress=seen.append,
    )
    assert truth_path.name == "truth.jsonl"
    lines = [json.loads(x) for x in truth_path.read_text(encoding="utf-8").splitlines()]
    assert len(lines) == 4
    assert seen[-1] == pytest.approx(1.0)
    assert any(not rec["file"].isascii() for rec in lines)
    assert {rec["degradation"] for rec in lines} == {"scan300", "rotate90", "lowres"}
    for rec in lines:
        assert set(rec) >= {"file", "kind", "layout", "degradation", "font_set", "seed"}
        assert set(rec) >= {"truth", "expected_problems", "dpi", "quad"}
        data = (truth_path.parent / rec["file"]).read_bytes()
        img = cv2.imdecode(np.frombuffer(data, np.uint8), cv2.IMREAD_COLOR)
        assert img is not None and img.ndim == 3
        with Image.open(io.BytesIO(data)) as pil:
            assert pil.info.get("dpi") is not None
            assert float(pil.info["dpi"][0]) == pytest.approx(rec["dpi"], abs=0.6)
        regenerated = generate(rec["seed"], rec["kind"], rec["font_set"])
        assert regenerated.truth == rec["truth"]
        lowres = rec["degradation"] == "lowres"
        assert rec["expected_problems"] == (["low_resolution"] if lowres else [])


@pytest.mark.slow  # worker processes
def test_corpus_is_reproducible_with_any_number_of_workers(tmp_path: Path) -> None:
    a = build_corpus(tmp_path / "a", count=3, seed=9, degradations=("scan200", "lowres"))
    b = build_corpus(tmp_path / "b", count=3, seed=9, degradations=("scan200", "lowres"), workers=2)
    assert a.read_text(encoding="utf-8") == b.read_text(encoding="utf-8")
    for rec in map(json.loads, a.read_text(encoding="utf-8").splitlines()):
        assert (a.parent / rec["file"]).read_bytes() == (b.parent / rec["file"]).read_bytes()


@pytest.mark.slow  # a subprocess
def test_command_line(tmp_path: Path) -> None:
    out = tmp_path / "out"
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "tests.docgen",
            "--out",
            str(out),
            "--count",
            "2",
            "--seed",
            "3",
            "--degradations",
            "scan200,lowres",
        ],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    lines = (out / "truth.jsonl").read_text(encoding="utf-8").splitlines()
    assert len(lines) == 2
    bad = subprocess.run(
        [
            sys.executable,
            "-m",
            "tests.docgen",
            "--out",
            str(out),
            "--count",
            "1",
            "--degradations",
            "smudge",
        ],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert bad.returncode != 0 and "smudge" in bad.stderr
