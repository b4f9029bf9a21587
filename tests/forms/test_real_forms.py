"""The real forms: the unified policy and the temporary certificate on the official blanks.

Documents are drawn on the Goznak specimens (``tests/docgen/blanks``) by
``tests/docgen/render_real.py`` and read with real Tesseract through ``extract_document`` or
the whole pipeline. The blanks themselves are read too: a blank form must yield nothing that
looks certain.
"""

from __future__ import annotations

from pathlib import Path

import cv2
import numpy as np
import pytest
from PIL import Image, ImageDraw, ImageFont

from omsdesktop.forms.extract import extract_document
from omsdesktop.forms.insurers import match_insurer
from omsdesktop.forms.model import DocumentKind, FieldValue
from omsdesktop.forms.pipeline import FLAT_FORM_FIT, DocumentResult, process_file
from omsdesktop.forms.template import Anchor, register
from omsdesktop.forms.temporary import _other_digits
from omsdesktop.forms.unified import ANCHORS as UNIFIED_ANCHORS
from omsdesktop.forms.unified import register_unified
from omsdesktop.ocr.engine import OcrEngine, Word, create_engine
from omsdesktop.ocr.layout import PageText, group_lines
from omsdesktop.ocr.types import Box
from tests.docgen import degrade
from tests.docgen.document import GeneratedDocument
from tests.docgen.render_real import TEMPORARY_BLANK, UNIFIED_BLANK, generate_real

MM = 300 / 25.4
SANS = "/usr/share/fonts/truetype/liberation/LiberationSans-Regular.ttf"
CAPTION_WORDS = ("фамилия", "имя", "отчество", "наличии", "приналичии", "дата", "пол")


@pytest.fixture(scope="module")
def engine() -> OcrEngine:
    return create_engine()


def _certain(fields: dict[str, FieldValue]) -> dict[str, str]:
    return {
        name: fv.value
        for name, fv in fields.items()
        if fv.value is not None and not fv.needs_review and name != "policy_form"
    }


def _same(name: str, got: str | None, want: str | None) -> bool:
    """Equal values; an insurer is the same entry of the shipped list (printed names vary)."""
    if name == "insurer" and got and want:
        return match_insurer(got)[0] == match_insurer(want)[0] is not None
    return got == want


def _silent_errors(fields: dict[str, FieldValue], truth: dict[str, str | None]) -> dict:
    return {
        name: (want, fields[name].value)
        for name, want in truth.items()
        if not _same(name, fields[name].value, want) and not fields[name].needs_review
    }


# --- the official blanks --------------------------------------------------------------------------


@pytest.mark.parametrize("blank", [UNIFIED_BLANK, TEMPORARY_BLANK], ids=["unified", "temporary"])
def test_official_blank_yields_nothing_certain(blank: Path, engine: OcrEngine) -> None:
    result = process_file(blank, engine=engine)
    assert result.kind is DocumentKind.OMS_POLICY
    assert result.document is not None
    fields = result.document.fields
    assert fields["policy_form"].value in ("unified", "temporary")
    assert _certain(fields) == {}
    # The temporary blank's printed «000000000» is not a number.
    assert fields["policy_number"].value is None


# --- the unified policy ---------------------------------------------------------------------------


@pytest.mark.parametrize(("seed", "font_set"), [(11, "train"), (12, "train"), (13, "holdout")])
def test_unified_scan_reads_every_field(seed: int, font_set: str, engine: OcrEngine) -> None:
    doc = generate_real(seed, "unified_real", font_set)
    image, _ = degrade(doc, "scan300", seed=seed)
    fields = extract_document(image, engine=engine).fields
    got = {name: fields[name].value for name in doc.truth}
    assert got == doc.truth
    assert _silent_errors(fields, doc.truth) == {}
    # The front carries no date of issue and no insurer: absent, not for review.
    for name in ("policy_issue_date", "insurer"):
        assert fields[name].value is None and not fields[name].needs_review


@pytest.mark.parametrize("degrees", [1.2, 4.0])
def test_a_page_left_leaning_is_read(degrees: float, engine: OcrEngine) -> None:
    # Read without the straightener: a slight lean is read in place, a steeper one is turned
    # upright by the captions' own slope and read again; either way every field is right.
    doc = generate_real(11, "unified_real", "train")
    h, w = doc.image.shape[:2]
    turn = cv2.getRotationMatrix2D((w / 2, h / 2), degrees, 1.0)
    leaning = cv2.warpAffine(doc.image, turn, (w, h), borderValue=(255, 255, 255))
    fields = extract_document(leaning, engine=engine).fields
    assert {name: fields[name].value for name in doc.truth} == doc.truth
    assert _silent_errors(fields, doc.truth) == {}


def _read_photo(
    doc: GeneratedDocument, condition: str, seed: int, path: Path, engine: OcrEngine
) -> DocumentResult:
    """``doc`` photographed as ``condition``, saved as a JPEG at ``path``, read from the file."""
    image, _ = degrade(doc, condition, seed=seed)
    path.write_bytes(cv2.imencode(".jpg", image, [cv2.IMWRITE_JPEG_QUALITY, 90])[1].tobytes())
    return process_file(path, engine=engine)


def test_unified_photo_has_no_silent_error(engine: OcrEngine, tmp_path: Path) -> None:
    doc = generate_real(21, "unified_real", "train")
    result = _read_photo(doc, "photo", 21, tmp_path / "полис фото.jpg", engine)
    assert result.document is not None
    fields = result.document.fields
    assert fields["policy_form"].value == "unified"
    assert _silent_errors(fields, doc.truth) == {}
    for name in ("last_name", "first_name", "birth_date"):
        assert fields[name].value == doc.truth[name]


def test_photo_whose_outline_lost_a_corner_is_read_levelled_by_its_text(
    engine: OcrEngine, tmp_path: Path
) -> None:
    """A shadow over one corner: the outline found cuts across the sheet, and the page it
    flattens reads as nothing. The page is then levelled by its text lines and read."""
    doc = generate_real(5001, "unified_real", "holdout")
    result = _read_photo(doc, "photo", 5001, tmp_path / "полис в тени.jpg", engine)
    assert result.document is not None
    fields = result.document.fields
    assert fields["policy_form"].value == "unified"
    assert "extract_without_outline" in result.timings
    assert _silent_errors(fields, doc.truth) == {}
    for name in ("last_name", "first_name", "patronymic", "birth_date", "policy_number"):
        assert fields[name].value == doc.truth[name]


def test_finger_over_the_edge_bends_the_outline_and_the_text_lines_level_it(
    engine: OcrEngine, tmp_path: Path
) -> None:
    """A temporary certificate held in a hand, a finger over its left edge: the outline found
    is wrong and the page it flattens reads half its fields; levelled by its text lines it
    reads them all, and that reading is kept."""
    doc = generate_real(6000, "temporary_real", "train")
    result = _read_photo(doc, "hand", 6000, tmp_path / "временное в руке.jpg", engine)
    assert result.document is not None
    fields = result.document.fields
    assert "extract_without_outline" in result.timings
    assert _silent_errors(fields, doc.truth) == {}
    for name in ("last_name", "first_name", "patronymic", "birth_date", "sex", "policy_number"):
        assert fields[name].value == doc.truth[name], name


@pytest.mark.parametrize(
    ("form", "condition", "seed"),
    [("temporary_blank", "photo", 5001), ("temporary_blank", "hand", 5003)],
)
def test_blank_photo_read_again_without_its_outline_is_still_blank(
    form: str, condition: str, seed: int, engine: OcrEngine, tmp_path: Path
) -> None:
    """A photo of an empty form reads poorly whatever is tried; the second try, levelled by
    its text lines with the perspective left in, must not bring a box's border in as a tick."""
    doc = generate_real(seed, form, "holdout")
    result = _read_photo(doc, condition, seed, tmp_path / "бланк.jpg", engine)
    assert result.document is not None
    assert _certain(result.document.fields) == {}


@pytest.mark.parametrize("form", ["temporary_blank", "unified_blank"])
def test_a_flat_blank_photo_is_not_read_twice(form: str, engine: OcrEngine, tmp_path: Path) -> None:
    """A blank reads poorly (nothing on it), but its form's own print lines up with the form
    nearly everywhere: the page is flat, and reading it again without its outline is waste."""
    doc = generate_real(6002, form, "train")
    result = _read_photo(doc, "photo", 6002, tmp_path / "бланк.jpg", engine)
    assert result.document is not None
    assert result.document.form_fit >= FLAT_FORM_FIT
    assert "extract_without_outline" not in result.timings
    assert _certain(result.document.fields) == {}


def _draw_unified(values: list[tuple[str, float]], number: str | None = None) -> np.ndarray:
    """The unified blank with ``values`` typed at x = 40.3 mm on the given baselines (mm)."""
    image = Image.open(UNIFIED_BLANK).convert("RGB")
    draw = ImageDraw.Draw(image)
    face = ImageFont.truetype(SANS, 50)
    for text, baseline in values:
        draw.text((40.3 * MM, baseline * MM), text, font=face, fill=(25, 25, 25), anchor="ls")
    if number:
        mono = ImageFont.truetype(SANS, 40)
        draw.text((51.3 * MM, 158.8 * MM), number, font=mono, fill=(25, 25, 25), anchor="lt")
    return cv2.cvtColor(np.asarray(image), cv2.COLOR_RGB2BGR)


def test_no_patronymic_is_empty_never_the_caption(engine: OcrEngine) -> None:
    """«(при наличии)»: no patronymic printed, so none is read — least of all the caption."""
    image = _draw_unified(
        [("Мамедова", 76.9), ("Айсель", 85.3), ("03.07.2019 г., Ж", 101.9)], "7700000000000016"
    )
    fields = extract_document(image, engine=engine).fields
    assert fields["last_name"].value == "Мамедова"
    assert fields["first_name"].value == "Айсель"
    assert fields["patronymic"].value is None
    assert (fields["birth_date"].value, fields["sex"].value) == ("2019-07-03", "Ж")
    for fv in fields.values():
        assert (fv.value or "").casefold() not in CAPTION_WORDS


def test_print_shifted_down_still_belongs_to_its_caption(engine: OcrEngine) -> None:
    """A printer 2 mm low: the surname nearly touches «фамилия» and is still the surname."""
    shift = 2.0
    image = _draw_unified(
        [
            ("Чернодубровский", 76.9 + shift),
            ("Александр", 85.3 + shift),
            ("Владимирович", 93.6 + shift),
            ("28.02.2014 г., М", 101.9 + shift),
        ]
    )
    fields = extract_document(image, engine=engine).fields
    assert fields["last_name"].value == "Чернодубровский"
    assert fields["first_name"].value == "Александр"
    assert fields["patronymic"].value == "Владимирович"
    assert fields["birth_date"].value == "2014-02-28"


# --- the temporary certificate --------------------------------------------------------------------


@pytest.mark.parametrize(("seed", "font_set"), [(0, "train"), (4, "holdout")])
def test_temporary_typed_scan(seed: int, font_set: str, engine: OcrEngine) -> None:
    doc = generate_real(seed, "temporary_real", font_set)
    assert "handwritten" not in doc.extra
    image, _ = degrade(doc, "scan300", seed=seed)
    fields = extract_document(image, engine=engine).fields
    assert fields["policy_form"].value == "temporary"
    for name in ("policy_number", "last_name", "first_name", "patronymic", "sex", "birth_date"):
        assert fields[name].value == doc.truth[name], name
    assert _silent_errors(fields, doc.truth) == {}


def test_temporary_single_digit_day_is_read_from_its_slot(engine: OcrEngine) -> None:
    # «« 7 » октября 20 11 г.»: the day is one digit, one piece of ink between the quotes, and
    # the year's slot reaches up to the bottoms of «законом» on the line above. The line's own
    # reading gave «05»; the slots must read the date, so the value is the printed one.
    doc = generate_real(6003, "temporary_real", "holdout")
    assert doc.truth["policy_expiry_date"] == "2011-10-07"
    image, _ = degrade(doc, "scan300", seed=6003)
    fields = extract_document(image, engine=engine).fields
    for name in ("policy_issue_date", "policy_expiry_date"):
        assert fields[name].value == doc.truth[name], name
    assert _silent_errors(fields, doc.truth) == {}


@pytest.mark.parametrize("condition", ["scan200", "lamp"])
def test_a_birth_date_both_russian_readings_get_wrong_is_not_certain(
    condition: str, engine: OcrEngine, tmp_path: Path
) -> None:
    # «23.07.2014» in the hold-out face: the page pass and the re-read of the line both read
    # «25», and were certain. The English model, digits only, reads «23»: shown for review.
    doc = generate_real(9301, "temporary_real", "holdout")
    assert doc.truth["birth_date"] == "2014-07-23"
    image, _ = degrade(doc, condition, seed=9301)
    path = tmp_path / ("page.jpg" if condition == "lamp" else "page.png")
    params = [cv2.IMWRITE_JPEG_QUALITY, 90] if condition == "lamp" else []
    path.write_bytes(cv2.imencode(path.suffix, image, params)[1].tobytes())
    birth = process_file(path, engine=engine).document.fields["birth_date"]
    assert birth.value == "2014-07-23" or (
        birth.needs_review and "2014-07-23" in birth.alternatives
    )


def test_a_hand_written_birth_date_that_lost_a_digit_is_not_certain(
    engine: OcrEngine, tmp_path: Path
) -> None:
    # A hand-written «20.11.2025» read «20.1.2025» by every reading: January, a valid date,
    # and certain. The form's dates have two-digit days and months: a one-digit one is doubt.
    doc = generate_real(9401, "temporary_real", "train")
    assert doc.extra.get("handwritten") and doc.truth["birth_date"] == "2025-11-20"
    image, _ = degrade(doc, "scan300", seed=9401)
    path = tmp_path / "page.png"
    path.write_bytes(cv2.imencode(".png", image)[1].tobytes())
    birth = process_file(path, engine=engine).document.fields["birth_date"]
    assert birth.value == "2025-11-20" or birth.needs_review


def test_a_day_run_into_its_closing_quote_is_not_confirmed(
    engine: OcrEngine, tmp_path: Path
) -> None:
    # «27» and «29» printed into the closing quotes under a lamp: the «7» and «9» went with
    # the quotes when those were painted out, both dates read with day «2» along the line and
    # slot by slot, and the two dates still a validity apart: both certain, both wrong.
    doc = generate_real(9601, "temporary_real", "train")
    fields = _read_photo(doc, "lamp", 9601, tmp_path / "page.jpg", engine).document.fields
    for name in ("policy_issue_date", "policy_expiry_date"):
        assert fields[name].value == doc.truth[name] or fields[name].needs_review, name


def test_a_day_whose_slot_readings_lost_a_digit_is_not_confirmed(
    engine: OcrEngine, tmp_path: Path
) -> None:
    # A hand-written «18» октября held in a hand: the line read «[8», the day's slot «18» at
    # its first scale and «8» at the other two; «8» won the slot's vote and agreed with the
    # line, so 08.10.2021 was certain. A slot reading that holds the winner's digits and more
    # says a digit was lost: the slot confirms nothing.
    doc = generate_real(10301, "temporary_real", "train")
    assert doc.extra.get("handwritten") and doc.truth["policy_issue_date"] == "2021-10-18"
    read = _read_photo(doc, "hand", 10301, tmp_path / "page.jpg", engine)
    issued = read.document.fields["policy_issue_date"]
    assert issued.value == "2021-10-18" or issued.needs_review


def test_a_birth_date_the_digits_reader_reads_otherwise_is_not_certain(
    engine: OcrEngine, tmp_path: Path
) -> None:
    # A hand-written 09.10.2015 held in a hand: the Russian model read «04.10.2015» at both
    # scales, and the English digits-only reader «99.10.2018.», no date at all; that used to
    # count as no opinion, and 04.10.2015 was certain. A date-shaped reading with other digits
    # is a reader that disagrees.
    doc = generate_real(5006, "temporary_real", "train")
    assert doc.extra.get("handwritten") and doc.truth["birth_date"] == "2015-10-09"
    born = _read_photo(doc, "hand", 5006, tmp_path / "page.jpg", engine).document.fields[
        "birth_date"
    ]
    assert born.value == "2015-10-09" or born.needs_review


def test_other_digits_compares_day_month_and_year() -> None:
    assert _other_digits("99.10.2018.", "2015-10-04")
    assert _other_digits("9.10.2015", "2015-10-04")
    assert not _other_digits("4.10.2015", "2015-10-04")
    assert not _other_digits("04,10.2015 27", "2015-10-04")
    assert not _other_digits("0410", "2015-10-04")  # not date-shaped: no opinion
    assert not _other_digits("", "2015-10-04")


def test_handwritten_temporary_is_flagged_not_guessed(engine: OcrEngine) -> None:
    seed = next(
        s for s in range(100) if generate_real(s, "temporary_real").extra.get("handwritten")
    )
    doc = generate_real(seed, "temporary_real", "train")
    image, _ = degrade(doc, "scan300", seed=seed)
    fields = extract_document(image, engine=engine).fields
    assert _silent_errors(fields, doc.truth) == {}


# --- registration (no OCR) ------------------------------------------------------------------------


def _page(
    words: list[tuple[str, float, float, float]], scale: float, tx: float, ty: float
) -> PageText:
    """A page pass holding ``words`` (text, x0, x1, centre y in mm) under the given model."""
    out = []
    for i, (text, x0, x1, y) in enumerate(words):
        left, right = int(scale * x0 + tx), int(scale * x1 + tx)
        box = Box(left, int(scale * y + ty - 15), right - left, 30)
        out.append(Word(text, 0.95, box, (0, 0, i)))
    return PageText(
        lines=tuple(group_lines(out)), image=np.full((3000, 2200), 255, np.uint8), scale=1.0
    )


def test_registration_recovers_scale_and_shift_and_ignores_look_alikes() -> None:
    anchors = [(a.text, a.x0, a.x1, a.cy) for a in UNIFIED_ANCHORS]
    # A value that reads like a caption, and a footnote word off its place.
    noise = [("Фамилия", 40.3, 55.0, 60.0), ("пол", 90.0, 93.0, 150.0)]
    page = _page(anchors[1:8] + noise, scale=10.0, tx=120.0, ty=-40.0)
    reg = register_unified(page)
    assert reg is not None
    assert reg.scale == pytest.approx(10.0, abs=0.05)
    assert reg.angle_deg == pytest.approx(0.0, abs=0.2)
    assert reg.px(0.0, 0.0) == pytest.approx((120.0, -40.0), abs=2.0)
    assert len(reg.anchors) == 7


def test_certificate_labels_alone_do_not_register_as_the_policy() -> None:
    """«Фамилия», «Имя», «Отчество», «Дата рождения» on a birth certificate can line up."""
    labels = [("Фамилия", 41.7, 49.5, 79.9), ("Имя", 41.7, 44.9, 88.3)]
    labels += [("Отчество", 41.7, 49.5, 96.7), ("Дата", 41.5, 45.3, 105.2)]
    labels += [("рождения", 46.1, 55.5, 105.0)]
    assert register_unified(_page(labels, scale=11.8, tx=0.0, ty=0.0)) is None


def test_too_few_anchors_do_not_register() -> None:
    anchors = (Anchor("фамилия", 41.7, 49.5, 79.9), Anchor("имя", 41.7, 44.9, 88.3))
    page = _page([("фамилия", 41.7, 49.5, 79.9)], scale=11.8, tx=0.0, ty=0.0)
    assert register(page, anchors, sheet_width_mm=147.0, min_anchors=2) is None


def test_a_few_temporary_certificate_words_lining_up_by_chance_do_not_register() -> None:
    # A drawn unified policy read as a temporary certificate from three words that happened
    # to fit («полиса», «Представитель», «Медицинское»): the form prints dozens of words,
    # and a page of it shows seven or more even under glare; four are not enough.
    from omsdesktop.forms.temporary import ANCHORS as TEMPORARY_ANCHORS
    from omsdesktop.forms.temporary import register_temporary

    wanted = ("полиса", "представитель", "медицинскую", "настоящему", "временное")
    anchors = [(a.text, a.x0, a.x1, a.cy) for a in TEMPORARY_ANCHORS if a.text in wanted]
    assert len(anchors) == 5
    assert register_temporary(_page(anchors[:4], scale=10.0, tx=100.0, ty=50.0)) is None
    reg = register_temporary(_page(anchors, scale=10.0, tx=100.0, ty=50.0))
    assert reg is not None and len(reg.anchors) == 5
