"""Reading OMS policies of all five forms with real Tesseract, field by field.

The reader is driven as ``extract_document`` drives it (page pass, ``read_policy``, field
rules), so a failure here is the reader's, not classification's or orientation's.
"""

from __future__ import annotations

import dataclasses
import random

import cv2
import numpy as np
import pytest
from PIL import Image, ImageDraw

from omsdesktop.forms.checks import apply_field_rules
from omsdesktop.forms.extract import extract_document
from omsdesktop.forms.insurers import match_insurer
from omsdesktop.forms.model import DocumentKind, FieldValue
from omsdesktop.forms.policy import BARCODE_OCR_MISMATCH, printed_enp, read_policy
from omsdesktop.forms.registry import OMS_POLICY_FIELDS
from omsdesktop.ocr.barcode import find_pdf417
from omsdesktop.ocr.engine import OcrEngine, create_engine
from omsdesktop.ocr.layout import Line, PageText, read_page
from tests.docgen import generate_policy
from tests.docgen.barcode import encode_payload, pdf417_image
from tests.docgen.fonts import families, font
from tests.docgen.render_policy import POLICY_FORMS

# Surnames that the payload of a doctored barcode carries instead of the printed one.
OTHER_SURNAMES = ("Белозёрова", "Никифорова", "Степанова")


@pytest.fixture(scope="module")
def engine() -> OcrEngine:
    return create_engine()


def read(engine: OcrEngine, image: np.ndarray) -> dict[str, FieldValue]:
    page = read_page(engine, image)
    return apply_field_rules(read_policy(engine, page, image))


def insurer_entry(text: str | None) -> str | None:
    if not text:
        return None
    insurer, _ = match_insurer(text)
    return insurer.short_name if insurer else None


def is_listed(name: str | None) -> bool:
    """The insurer is in the shipped list (not merely close to a listed name)."""
    insurer, score = match_insurer(name or "")
    return insurer is not None and score >= 0.85


def wrong_fields(fields: dict[str, FieldValue], truth: dict[str, str | None]) -> dict[str, str]:
    """Fields whose value differs from the truth (values are synthetic; shown on failure)."""
    wrong = {}
    for name in OMS_POLICY_FIELDS:
        value = fields[name].value
        if name == "insurer":
            ok = insurer_entry(value) == insurer_entry(truth[name])
        else:
            ok = value == truth[name]
        if not ok:
            wrong[name] = f"{value!r} != {truth[name]!r}"
    return wrong


@pytest.mark.parametrize("form", POLICY_FORMS)
@pytest.mark.parametrize(("seed", "font_set"), [(11, "train"), (12, "train"), (13, "holdout")])
def test_clean_scan_reads_every_field(engine, form, seed, font_set):
    doc = generate_policy(seed, form, font_set)
    fields = read(engine, doc.image)
    assert set(fields) == set(OMS_POLICY_FIELDS)
    wrong = wrong_fields(fields, doc.truth)
    assert not wrong, wrong
    for name, fv in fields.items():
        assert 0.0 <= fv.confidence <= 1.0
        if fv.value is not None and name != "policy_form":
            assert fv.box is not None, f"{name} has no box for its source crop"
    # A field read right from a clean scan is not sent for review (an insurer missing from
    # the shipped list would be: the user picks it by hand).
    flagged = [n for n, fv in fields.items() if fv.needs_review]
    if not is_listed(doc.truth["insurer"]):
        flagged = [n for n in flagged if n != "insurer"]
    assert not flagged, flagged
    if form == "unified":
        assert fields["policy_number"].source == "barcode"
        assert fields["policy_number"].confidence == 1.0
    else:
        assert fields["policy_number"].source == "ocr"


def test_whole_pipeline_reads_a_unified_policy(engine):
    doc = generate_policy(14, "unified")
    result = extract_document(doc.image, engine=engine)
    assert result.kind is DocumentKind.OMS_POLICY
    assert not wrong_fields(result.fields, doc.truth)


def _barcode_payload(doc, **changes: object) -> bytes:
    truth = doc.truth
    fields: dict[str, object] = {
        "layout_type": 2,
        "enp": truth["policy_number"],
        "last_name": truth["last_name"],
        "first_name": truth["first_name"],
        "patronymic": truth["patronymic"],
        "sex": truth["sex"],
        "birth_date": _date(truth["birth_date"]),
        "expiry": _date(truth["policy_expiry_date"]),
        "ogrn": "1027739008440",
        "okato": 45000,
        "rnd": random.Random(1),
    }
    fields.update(changes)
    return encode_payload(**fields)  # type: ignore[arg-type]


def _date(text: str | None):
    import datetime as dt

    return None if text is None else dt.date.fromisoformat(text)


def _replace_barcode(image: np.ndarray, payload: bytes | None) -> np.ndarray:
    """The page with its PDF417 painted over (white) and, if given, a new one in its place."""
    found = find_pdf417(image)
    assert found, "the generated unified policy has a readable barcode"
    _, box = found[0]
    out = image.copy()
    pad = 12
    out[box.y - pad : box.y + box.height + pad, box.x - pad : box.x + box.width + pad] = 255
    if payload is not None:
        code = pdf417_image(payload, 3, 3)
        h, w = code.shape
        y0, x1 = box.y, box.x + box.width
        out[y0 : y0 + h, x1 - w : x1] = cv2.cvtColor(code, cv2.COLOR_GRAY2BGR)
    return out


def test_barcode_wins_over_printed_text_and_the_disagreement_is_recorded(engine):
    doc = generate_policy(21, "unified")
    printed = doc.truth["last_name"]
    other = next(s for s in OTHER_SURNAMES if s != printed)
    image = _replace_barcode(doc.image, _barcode_payload(doc, last_name=other))
    fields = read(engine, image)
    surname = fields["last_name"]
    assert surname.value == other
    assert surname.source == "barcode"
    assert surname.confidence == 1.0
    assert not surname.needs_review
    assert printed in surname.alternatives
    assert [p.code for p in surname.problems] == [BARCODE_OCR_MISMATCH.code]
    assert surname.problems[0].severity == "warning"
    assert "штрих-код" in surname.problems[0].message
    # Fields where the print and the barcode agree carry no warning.
    for name in ("first_name", "patronymic", "sex", "birth_date", "policy_number"):
        assert fields[name].source == "barcode"
        assert fields[name].value == doc.truth[name]
        assert not fields[name].problems, name


def test_barcode_value_stands_when_the_page_pass_misread_a_name(engine):
    """A page pass that got a word wrong: the barcode gives the value; a re-read of the print
    agrees with it, so no disagreement is reported."""
    doc = generate_policy(22, "unified")
    page = read_page(engine, doc.image)
    truth_upper = doc.truth["first_name"].upper()
    changed = False
    lines = []
    for line in page.lines:
        words = []
        for w in line.words:
            if w.text.upper() == truth_upper:
                w = dataclasses.replace(w, text=w.text[:-1] + "Ы")
                changed = True
            words.append(w)
        lines.append(Line(tuple(words)))
    assert changed, "the first name is on the page pass"
    doctored = PageText(lines=tuple(lines), image=page.image, scale=page.scale)
    fields = read_policy(engine, doctored, doc.image)
    assert fields["first_name"].value == doc.truth["first_name"]
    assert fields["first_name"].source == "barcode"
    assert not fields["first_name"].problems


def test_without_barcode_the_unified_policy_is_read_from_the_print(engine):
    doc = generate_policy(23, "unified")
    fields = read(engine, _replace_barcode(doc.image, None))
    assert fields["policy_form"].value == "unified"
    # Nothing on this drawing but the barcode tells the unified form from an extract whose
    # title was lost: without it the form is a guess, shown for review.
    assert fields["policy_form"].needs_review
    assert fields["policy_number"].source == "ocr"
    assert not wrong_fields(fields, doc.truth)


def test_an_unread_date_under_a_printed_label_is_not_declared_absent(engine):
    # The real unified front prints no date of issue, so there an empty one is right. This
    # printing of the unified form has «Дата выдачи» with a date that could not be read (here:
    # wiped out): it is flagged for review, not given as certainly absent.
    doc = generate_policy(4100, form="unified")
    assert doc.truth["policy_issue_date"] is not None
    image = doc.image.copy()
    x, y, w, h = doc.boxes["policy_issue_date"]
    image[y - 4 : y + h + 4, x - 4 : x + w + 4] = 255
    fields = extract_document(image, engine=engine).fields
    assert fields["policy_form"].value == "unified"
    issued = fields["policy_issue_date"]
    assert issued.value is None
    assert issued.needs_review and issued.confidence < 0.5
    # Fields the form truly lacks stay absent and certain where no label for them is printed.
    assert fields["policy_series"].value is None and not fields["policy_series"].needs_review


@pytest.mark.parametrize("form", ["electronic", "old", "unified"])
def test_open_ended_policy_has_no_expiry_date_and_needs_no_review(engine, form):
    seed = next(
        s for s in range(100, 400) if generate_policy(s, form).truth["policy_expiry_date"] is None
    )
    doc = generate_policy(seed, form)
    image = doc.image if form != "unified" else _replace_barcode(doc.image, None)
    fields = read(engine, image)
    expiry = fields["policy_expiry_date"]
    assert expiry.value is None
    assert not expiry.needs_review
    assert expiry.box is not None  # «бессрочно» was read, not just missing


def test_dated_expiry_is_read(engine):
    seed = next(s for s in range(100, 400) if generate_policy(s, "old").truth["policy_expiry_date"])
    doc = generate_policy(seed, "old")
    fields = read(engine, doc.image)
    assert fields["policy_expiry_date"].value == doc.truth["policy_expiry_date"]


def _without_line(page: PageText, predicate) -> PageText:
    lines = tuple(line for line in page.lines if not predicate(line))
    return PageText(lines=lines, image=page.image, scale=page.scale)


def _digits(text: str) -> str:
    return "".join(ch for ch in text if ch.isdigit())


def test_blank_serial_is_never_taken_for_the_policy_number(engine):
    doc = generate_policy(24, "unified")
    image = _replace_barcode(doc.image, None)
    page = read_page(engine, image)
    serial_lines = [ln for ln in page.lines if "ланк" in ln.text.lower()]
    assert serial_lines, "the blank serial is printed and read"
    serial = _digits(serial_lines[0].text)
    assert len(serial) == 11
    fields = read_policy(engine, page, image)
    assert fields["policy_number"].value == doc.truth["policy_number"]
    # With the ENP itself unreadable, the serial still must not stand in for it.
    enp = doc.truth["policy_number"]
    no_enp = _without_line(page, lambda ln: enp[:4] in _digits(ln.text) and "ланк" not in ln.text)
    fields = read_policy(engine, no_enp, image)
    assert fields["policy_number"].value != serial
    assert fields["policy_number"].value is None or fields["policy_number"].needs_review


def _reprint(image: np.ndarray, box: tuple[int, int, int, int], text: str) -> np.ndarray:
    """Paint over a printed value and print ``text`` in its place (a misprinted document)."""
    x, y, w, h = box
    out = image.copy()
    out[y - 4 : y + h + 6, x - 4 : x + w + 60] = 255
    pil = Image.fromarray(cv2.cvtColor(out, cv2.COLOR_BGR2RGB))
    draw = ImageDraw.Draw(pil)
    fnt = font(families("train", serif=True)[0].bold, int(h * 1.35))
    draw.text((x, y + h), text, font=fnt, fill=(20, 20, 20), anchor="ls")
    return cv2.cvtColor(np.asarray(pil), cv2.COLOR_RGB2BGR)


def test_enp_with_a_failing_check_digit_is_returned_as_printed_and_flagged(engine):
    doc = generate_policy(25, "electronic")
    enp = doc.truth["policy_number"]
    misprinted = enp[:5] + str((int(enp[5]) + 1) % 10) + enp[6:]
    image = _reprint(doc.image, doc.boxes["policy_number"], misprinted)
    fields = read(engine, image)
    number = fields["policy_number"]
    assert number.value == misprinted  # never "corrected" to a valid number
    assert number.needs_review
    assert "policy_number_checksum" in [p.code for p in number.problems]


def test_printed_enp_finds_the_number_on_a_card_without_its_title(engine):
    """Classification can fall back on the ENP: a card's title is white on a coloured band and
    often does not survive the page pass (it does not on this card at the time of writing)."""
    doc = generate_policy(1000, "card")
    page = read_page(engine, doc.image)
    assert printed_enp(page) == doc.truth["policy_number"]
    unified = generate_policy(24, "unified")
    assert printed_enp(read_page(engine, unified.image)) == unified.truth["policy_number"]


@pytest.mark.slow
def test_a_series_the_re_reads_all_shorten_is_not_certain(tmp_path) -> None:
    """An old policy photographed: the page pass reads the bold series «СДЮ», every re-read
    of its crop «ДЮ», and the majority made «ДЮ» certain. A reading with letters the value
    lacks puts it in doubt."""
    from omsdesktop.forms.pipeline import process_file
    from tests.docgen import degrade

    doc = generate_policy(940100, form="old", font_set="holdout")
    assert doc.truth["policy_series"] == "СДЮ"
    image, _ = degrade(doc, "photo", seed=9401)
    path = tmp_path / "полис.jpg"
    path.write_bytes(cv2.imencode(".jpg", image, [cv2.IMWRITE_JPEG_QUALITY, 90])[1].tobytes())
    series = process_file(path, engine=create_engine()).document.fields["policy_series"]
    assert series.value == "СДЮ" or (series.needs_review and "СДЮ" in series.alternatives)


@pytest.mark.parametrize(
    ("value", "other", "drops"),
    [
        ("ДЮ", "СДЮ", True),
        ("СДЮ", "СДЮ", False),
        ("СДЮ", "ДЮ", False),
        ("АБ", "БВА", False),
        # A digit split in two by the page pass («3» read «35»): the re-reads settle it.
        ("305740882330", "3057408823530", False),
    ],
)
def test_a_value_with_characters_left_out(value: str, other: str, drops: bool) -> None:
    from omsdesktop.forms.policy_page import _drops_from

    assert _drops_from(value, other) is drops


@pytest.mark.parametrize(
    ("series", "mixed"),
    [("233Л", True), ("23 ЗЛ", False), ("ЖЖ-12", False), ("6165", False), ("АБ-1В", True)],
)
def test_an_old_series_part_mixing_digits_and_letters(series: str, mixed: bool) -> None:
    from omsdesktop.forms.policy_old import _mixed_token

    assert _mixed_token(series) is mixed
