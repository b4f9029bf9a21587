"""Policies on the real blank forms: the truth matches what is drawn, where it is drawn."""

from __future__ import annotations

import datetime as dt
import functools
import json
from pathlib import Path

import cv2
import numpy as np
import pytest
import zxingcpp

from tests.docgen import INSURERS, REAL_FORMS, build_corpus, degrade, generate_real, luhn_valid
from tests.docgen.render_real import (
    _HANDS,
    _MONO,
    PX_PER_MM,
    T_BOX_FEMALE,
    T_BOX_MALE,
    T_ISSUE_DAY,
    T_ISSUE_MONTH,
    T_NAME_LINE,
    T_NUMBER_BOX,
    T_NUMBER_ZEROS,
    T_VALID_MONTH,
    T_VALID_YEAR,
    TEMPORARY_SIZE,
    UNIFIED_BARCODE,
    UNIFIED_CAPTION_X,
    UNIFIED_CAPTIONS,
    UNIFIED_ENP,
    UNIFIED_FIELDS,
    UNIFIED_SIZE,
    UNIFIED_VALUE_X,
    add_working_days,
    blank_image,
)

pytestmark = pytest.mark.slow  # renders whole documents on the real blanks, seconds each

FIELDS = (
    "policy_form",
    "policy_number",
    "policy_series",
    "last_name",
    "first_name",
    "patronymic",
    "sex",
    "birth_date",
    "policy_issue_date",
    "policy_expiry_date",
    "insurer",
)
SEEDS = range(12)


@functools.cache
def real(seed: int, form: str, font_set: str = "train"):  # type: ignore[no-untyped-def]
    return generate_real(seed, form, font_set)


def _grey(img: np.ndarray) -> np.ndarray:
    return np.asarray(cv2.cvtColor(img, cv2.COLOR_BGR2GRAY), np.float32)


@functools.cache
def _blank_grey(form: str) -> np.ndarray:
    return _grey(np.ascontiguousarray(blank_image(form)[:, :, ::-1]))


def _ink_darkening(form: str, image: np.ndarray, box: tuple[int, int, int, int]) -> float:
    """How much darker the box is on the filled form than on the blank (mean grey levels)."""
    x, y, w, h = box
    blank = _blank_grey(form)
    return float(blank[y : y + h, x : x + w].mean() - _grey(image)[y : y + h, x : x + w].mean())


# --- the blanks' landmarks -------------------------------------------------------------------


def test_caption_landmarks_are_where_the_blank_prints_them() -> None:
    grey = _grey(np.ascontiguousarray(blank_image("unified_blank")[:, :, ::-1]))
    assert grey.shape[::-1] == UNIFIED_SIZE
    for field, (top, bottom) in UNIFIED_CAPTIONS.items():
        strip = grey[:, UNIFIED_CAPTION_X : UNIFIED_CAPTION_X + 80]
        # The caption's letters are dark; just above them (where the value goes) is paper.
        assert (strip[top : bottom + 1] < 110).sum() > 20, field
        assert (strip[top - 30 : top - 3] < 110).sum() < 5, field
    t = _grey(np.ascontiguousarray(blank_image("temporary_blank")[:, :, ::-1]))
    assert t.shape[::-1] == TEMPORARY_SIZE
    zx0, zy0, zx1, zy1 = T_NUMBER_ZEROS
    assert (t[zy0:zy1, zx0:zx1] < 110).sum() > 500  # the blank's «000000000»
    for x0, x1, y in (T_ISSUE_MONTH, T_VALID_MONTH, T_NAME_LINE):
        assert (t[y - 3 : y + 4, x0 + 5 : x1 - 5] < 185).any(axis=0).mean() > 0.8, (x0, y)


# --- unified policy --------------------------------------------------------------------------


@pytest.mark.parametrize("seed", SEEDS)
def test_unified_values_sit_just_above_their_captions(seed: int) -> None:
    doc = real(seed, "unified_real")
    assert doc.image.shape[:2] == UNIFIED_SIZE[::-1]
    line_pitch = UNIFIED_CAPTIONS["first_name"][0] - UNIFIED_CAPTIONS["last_name"][0]
    for field in UNIFIED_FIELDS:
        if field not in doc.boxes:
            assert field == "patronymic" and doc.truth["patronymic"] is None
            continue
        x, y, _w, h = doc.boxes[field]
        caption_top = UNIFIED_CAPTIONS[field][0]
        centre = y + h / 2
        # Above its own caption, below the previous one, at the values' left margin.
        assert caption_top - 0.8 * line_pitch < centre < caption_top - 5, (field, doc.boxes)
        assert abs(x - UNIFIED_VALUE_X) <= 2.5 * PX_PER_MM, field
        assert _ink_darkening("unified_real", doc.image, doc.boxes[field]) > 25, field
    # Sex sits on the date-of-birth line, after the date.
    sx, sy, _, sh = doc.boxes["sex"]
    bx, by, bw, bh = doc.boxes["birth_date"]
    assert sx > bx + bw and abs((sy + sh / 2) - (by + bh / 2)) < bh
    # The ENP under the barcode, its digits about 2.6 mm tall.
    ex, ey, _ew, eh = doc.boxes["policy_number"]
    nx, ntop, nh = UNIFIED_ENP
    assert abs(ex - nx) <= 2.5 * PX_PER_MM and abs(ey - ntop) <= 2.5 * PX_PER_MM
    assert 0.85 * nh <= eh <= 1.25 * nh
    assert _ink_darkening("unified_real", doc.image, doc.boxes["policy_number"]) > 15


@pytest.mark.parametrize("seed", SEEDS)
def test_unified_truth(seed: int) -> None:
    doc = real(seed, "unified_real")
    t = doc.truth
    assert set(t) == set(FIELDS)
    assert t["policy_form"] == "unified" and doc.kind == "oms_policy"
    assert t["policy_issue_date"] is None and t["insurer"] is None and t["policy_series"] is None
    enp = t["policy_number"]
    assert enp is not None and len(enp) == 16 and luhn_valid(enp)
    assert t["sex"] in ("М", "Ж")
    dt.date.fromisoformat(t["birth_date"] or "")
    assert ("policy_expiry_date" in doc.boxes) == (t["policy_expiry_date"] is not None)
    assert ("patronymic" in doc.boxes) == (t["patronymic"] is not None)
    assert set(doc.boxes) <= {k for k, v in t.items() if v is not None}


def test_unified_validity_and_patronymic_only_on_a_minority() -> None:
    docs = [generate_real(s, "unified_real") for s in range(40, 90)]
    with_expiry = sum(d.truth["policy_expiry_date"] is not None for d in docs)
    assert 1 <= with_expiry <= 12
    assert sum(d.truth["patronymic"] is None for d in docs) <= 7
    dx = {d.extra["print_shift_mm"] for d in docs}
    assert len(dx) > 40  # every print is shifted a little differently


@pytest.mark.parametrize("seed", range(6))
def test_unified_barcode_decodes_to_the_payload(seed: int) -> None:
    doc = real(seed, "unified_real")
    payload = doc.barcode_payload
    assert payload is not None and len(payload) in (121, 130)
    assert payload[0] in (1, 2)
    assert int.from_bytes(payload[1:9], "big") == int(doc.truth["policy_number"] or "")
    if len(payload) == 121:
        # The specimen's shortened type 01: sex at byte 44, then the date of birth.
        assert payload[44] == (1 if doc.truth["sex"] == "М" else 2)
        born = dt.date(1900, 1, 1) + dt.timedelta(days=int.from_bytes(payload[45:47], "big"))
        assert born.isoformat() == doc.truth["birth_date"]
    x, y, w, h = (int(v) for v in doc.extra["barcode_box"].split(","))
    bx, by, bw, bh = UNIFIED_BARCODE
    assert abs(x - bx) <= 3 * PX_PER_MM and abs(y - by) <= 3 * PX_PER_MM
    assert abs(w - bw) <= 0.05 * bw and abs(h - bh) <= 0.15 * bh
    crop = doc.image[max(0, y - 60) : y + h + 60, max(0, x - 60) : x + w + 60]
    found = zxingcpp.read_barcodes(crop)
    assert any(r.bytes == payload for r in found), [r.format for r in found]


# --- temporary certificate -------------------------------------------------------------------


def _inside(box: tuple[int, int, int, int], area: tuple[int, int, int, int], slack: float) -> bool:
    x, y, w, h = box
    x0, y0, x1, y1 = area
    return x >= x0 - slack and y >= y0 - slack and x + w <= x1 + slack and y + h <= y1 + slack


@pytest.mark.parametrize("seed", SEEDS)
def test_temporary_truth_and_positions(seed: int) -> None:
    doc = real(seed, "temporary_real")
    t = doc.truth
    assert doc.image.shape[:2] == TEMPORARY_SIZE[::-1]  # landscape
    assert set(t) == set(FIELDS) and t["policy_form"] == "temporary"
    number = t["policy_number"] or ""
    assert len(number) == 9 and number.isdigit()
    assert t["insurer"] in INSURERS and t["policy_series"] is None
    issued = dt.date.fromisoformat(t["policy_issue_date"] or "")
    until = dt.date.fromisoformat(t["policy_expiry_date"] or "")
    assert until == add_working_days(issued, 45)
    assert 60 <= (until - issued).days <= 67
    assert dt.date.fromisoformat(t["birth_date"] or "") <= issued
    # The number in the shaded box, the dates on their underlines, the tick in the right box.
    assert _inside(doc.boxes["policy_number"], T_NUMBER_BOX, 4)
    slack = 2 * PX_PER_MM
    day_x0, _, issue_y = T_ISSUE_DAY
    x, y, w, h = doc.boxes["policy_issue_date"]
    assert abs(x - day_x0) < 4 * PX_PER_MM and issue_y - 70 < y + h < issue_y + slack
    x, y, w, h = doc.boxes["policy_expiry_date"]
    assert x < T_VALID_MONTH[0] and x + w > T_VALID_YEAR[0]
    ticked = T_BOX_MALE if t["sex"] == "М" else T_BOX_FEMALE
    other = T_BOX_FEMALE if t["sex"] == "М" else T_BOX_MALE
    sx, sy, sw, sh = doc.boxes["sex"]
    cx, cy = sx + sw / 2, sy + sh / 2
    assert ticked[0] - 20 < cx < ticked[2] + 20 and ticked[1] - 40 < cy < ticked[3] + 20
    assert not (other[0] < cx < other[2])
    nx0, nx1, ny = T_NAME_LINE
    for key in ("last_name", "first_name"):
        x, y, w, h = doc.boxes[key]
        assert nx0 - slack < x and x + w < nx1 + slack and ny - 90 < y + h < ny + 30, key
    for key in ("last_name", "policy_issue_date", "birth_date"):
        assert _ink_darkening("temporary_real", doc.image, doc.boxes[key]) > 10, key


def test_temporary_is_handwritten_on_a_minority() -> None:
    docs = [generate_real(s, "temporary_real") for s in range(30)]
    hand = [d for d in docs if d.extra.get("handwritten") == "1"]
    assert 2 <= len(hand) <= 12
    assert all("hand_font" in d.extra for d in hand)
    grouped = sum(d.extra["number_grouped"] == "1" for d in docs)
    assert 1 <= grouped <= 20
    # Forcing the hand changes only the hand: same child, same number, same dates.
    typed = next(d for d in docs if "handwritten" not in d.extra)
    forced = generate_real(typed.seed, "temporary_real", handwritten=True)
    assert forced.extra["handwritten"] == "1" and forced.truth == typed.truth
    unforced = generate_real(hand[0].seed, "temporary_real", handwritten=False)
    assert "handwritten" not in unforced.extra and unforced.truth == hand[0].truth


def test_holdout_faces_are_not_train_faces() -> None:
    assert not set(_MONO["train"]) & set(_MONO["holdout"])
    assert not {h.path for h in _HANDS["train"]} & {h.path for h in _HANDS["holdout"]}
    train_fonts = {generate_real(s, "unified_real").extra["font"] for s in range(8)}
    holdout_fonts = {generate_real(s, "unified_real", "holdout").extra["font"] for s in range(8)}
    assert not train_fonts & holdout_fonts


# --- blanks ----------------------------------------------------------------------------------


@pytest.mark.parametrize("form", ["unified_blank", "temporary_blank"])
def test_blank_forms_carry_no_data(form: str) -> None:
    doc = real(3, form)
    expected = "unified" if form == "unified_blank" else "temporary"
    assert doc.truth == {k: (expected if k == "policy_form" else None) for k in FIELDS}
    assert doc.boxes == {} and doc.barcode_payload is None
    if form == "temporary_blank":
        zx0, zy0, zx1, zy1 = T_NUMBER_ZEROS
        assert (_grey(doc.image)[zy0:zy1, zx0:zx1] < 110).sum() > 500  # still «000000000»


def test_determinism() -> None:
    for form in REAL_FORMS:
        a, b = generate_real(21, form), generate_real(21, form)
        assert a.truth == b.truth and a.boxes == b.boxes and a.extra == b.extra
        assert np.array_equal(a.image, b.image)
    assert generate_real(21).layout in REAL_FORMS


# --- degradations ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("form", "name"),
    [(f, "scan300") for f in REAL_FORMS]
    + [(f, "photo") for f in REAL_FORMS]
    + [
        (f, n)
        for f in ("unified_real", "temporary_real")
        for n in ("scan200", "glare", "hand", "lamp", "defocus")
    ],
)
def test_degrade_works_on_every_real_form(form: str, name: str) -> None:
    doc = real(4, form)
    img, info = degrade(doc, name, 3)
    assert img.dtype == np.uint8 and img.ndim == 3
    dh, dw = doc.image.shape[:2]
    corners = np.array([[0, 0], [dw, 0], [dw, dh], [0, dh]], np.float32)
    mapped = cv2.perspectiveTransform(corners[None], info.homography)[0]
    assert np.allclose(mapped, info.quad, atol=0.5)
    assert info.covered <= set(doc.boxes)
    if info.photo:
        # A landscape document is photographed in a landscape frame, a portrait one upright.
        assert (img.shape[1] > img.shape[0]) == (dw > dh)
        assert 0.3 < info.doc_area_fraction < 0.9
    else:
        width = float(np.linalg.norm(info.quad[1] - info.quad[0]))
        assert width == pytest.approx(dw * (info.dpi or 0) / 300, rel=0.01)


def test_glare_and_thumb_record_what_they_hide() -> None:
    hidden: dict[str, set[str]] = {"glare": set(), "hand": set()}
    docs = [real(seed, "unified_real") for seed in range(3)] + [real(0, "temporary_real")]
    for doc in docs:
        for name in hidden:
            seed = doc.seed
            img, info = degrade(doc, name, seed)
            hidden[name] |= info.covered
            grey = _grey(img)
            for key in info.covered:
                x, y, w, h = doc.boxes[key]
                box = np.array([[[x, y], [x + w, y], [x + w, y + h], [x, y + h]]], np.float32)
                quad = cv2.perspectiveTransform(box, info.homography)[0]
                lo = np.maximum(np.floor(quad.min(axis=0)).astype(int), 0)
                hi = np.ceil(quad.max(axis=0)).astype(int) + 1
                mask = np.zeros((hi[1] - lo[1], hi[0] - lo[0]), np.uint8)
                cv2.fillConvexPoly(mask, np.round(quad - lo).astype(np.int32), 1)
                region = grey[lo[1] : hi[1], lo[0] : hi[0]]
                values = region[mask[: region.shape[0], : region.shape[1]] > 0]
                if name == "glare":
                    # Washed out: hardly any dark ink left in the box.
                    assert np.percentile(values, 10) > 150, (seed, key)
                else:
                    # Under a thumb: skin, not ink on paper (no near-white paper left).
                    assert np.percentile(values, 50) < 215, (seed, key)
    assert hidden["glare"], "the highlight is centred on a value: some must be hidden"
    assert hidden["hand"], "a third of the thumbs reach over a value near an edge"


# --- corpus ----------------------------------------------------------------------------------


def test_real_corpus(tmp_path: Path) -> None:
    truth = build_corpus(tmp_path, 3, 5, ["scan300", "scan200", "hand"], forms="real")
    records = [json.loads(line) for line in truth.read_text(encoding="utf-8").splitlines()]
    assert len(records) == 3
    for rec in records:
        assert rec["kind"] == "oms_policy" and rec["layout"] in REAL_FORMS
        assert (tmp_path / rec["file"]).is_file()
        doc = generate_real(rec["seed"], rec["layout"], rec["font_set"])
        assert rec["truth"] == doc.truth
        assert set(rec["covered"]) <= set(doc.boxes)
    with pytest.raises(ValueError, match="forms"):
        build_corpus(tmp_path, 1, 5, ["scan300"], forms="painted")
