"""The barcode's fields over the OCR ones (``policy_barcode.apply_barcode``), field by field.

No OCR here: the OCR fields are given without boxes, so nothing is re-read; what is checked is
which value wins, and that a disagreement keeps the printed reading as an alternative.
"""

from __future__ import annotations

from datetime import date
from typing import Any, cast

import pytest

from omsdesktop.forms.model import FieldValue
from omsdesktop.forms.policy_barcode import BARCODE_OCR_MISMATCH, apply_barcode
from omsdesktop.ocr.barcode import PolicyBarcode
from omsdesktop.ocr.types import Box

OCR = {
    "policy_number": "7700000000000016",
    "last_name": "Смирнова",
    "first_name": "Варвара",
    "patronymic": "Игоревна",
    "sex": "Ж",
    "birth_date": "2020-01-01",
    "policy_expiry_date": None,
}


def ocr_fields(**changes: str | None) -> dict[str, FieldValue]:
    values = {**OCR, **changes}
    return {
        name: FieldValue(value=value, confidence=0.9, raw=value) for name, value in values.items()
    }


def code(**changes: Any) -> PolicyBarcode:
    fields: dict[str, Any] = {
        "layout_type": 1,
        "enp": "7700000000000016",
        "last_name": "Смирнова",
        "first_name": "Варвара",
        "patronymic": "Игоревна",
        "sex": "Ж",
        "birth_date": date(2020, 1, 1),
        "expiry_date": None,
        "ogrn": None,
        "okato": None,
        "box": Box(10, 20, 300, 60),
    }
    fields.update(changes)
    return PolicyBarcode(**fields)


def merge(fields: dict[str, FieldValue], barcode: PolicyBarcode) -> dict[str, FieldValue]:
    return apply_barcode(cast(Any, None), fields, barcode)


def test_agreeing_fields_come_from_the_barcode_without_a_warning() -> None:
    out = merge(ocr_fields(), code())
    for name in ("policy_number", "last_name", "first_name", "patronymic", "sex", "birth_date"):
        assert out[name].source == "barcode", name
        assert out[name].value == OCR[name]
        assert out[name].confidence == 1.0
        assert not out[name].problems


def test_a_dummy_name_block_leaves_the_printed_names() -> None:
    barcode = code(last_name=None, first_name=None, patronymic=None)
    assert not barcode.name_decoded
    fields = ocr_fields(last_name="Смирнава")  # an OCR slip stays: nothing to check it against
    out = merge(fields, barcode)
    for name in ("last_name", "first_name", "patronymic"):
        assert out[name] == fields[name], name
    assert out["policy_number"].source == "barcode"
    assert out["sex"].source == "barcode"
    assert out["birth_date"].source == "barcode"


def test_fields_the_barcode_did_not_decode_stay_as_read() -> None:
    barcode = code(enp=None, sex=None, birth_date=None, expiry_decoded=False)
    fields = ocr_fields(policy_expiry_date="2030-01-01")
    out = merge(fields, barcode)
    for name in ("policy_number", "sex", "birth_date", "policy_expiry_date"):
        assert out[name] == fields[name], name
    assert out["last_name"].source == "barcode"


def test_disagreements_keep_the_barcode_value_and_the_printed_one_as_alternative() -> None:
    fields = ocr_fields(
        policy_number="7700000000000024", sex="М", birth_date="2020-01-07", first_name="Варвора"
    )
    out = merge(fields, code())
    expected = {
        "policy_number": ("7700000000000016", "7700000000000024"),
        "sex": ("Ж", "М"),
        "birth_date": ("2020-01-01", "2020-01-07"),
        "first_name": ("Варвара", "Варвора"),
    }
    for name, (value, printed) in expected.items():
        assert out[name].value == value, name
        assert out[name].source == "barcode"
        assert out[name].alternatives == (printed,), name
        assert [p.code for p in out[name].problems] == [BARCODE_OCR_MISMATCH.code], name
        assert not out[name].needs_review


def test_a_barcode_without_patronymic_clears_a_stray_printed_one() -> None:
    out = merge(ocr_fields(patronymic=None), code(patronymic=""))
    assert out["patronymic"].value is None and not out["patronymic"].needs_review


def test_an_expiry_date_against_a_printed_open_ended_policy_is_flagged() -> None:
    fields = ocr_fields()
    out = merge(fields, code(expiry_date=date(2027, 3, 1)))
    assert out["policy_expiry_date"].value == "2027-03-01"
    assert [p.code for p in out["policy_expiry_date"].problems] == [BARCODE_OCR_MISMATCH.code]


@pytest.mark.slow  # real Tesseract
def test_a_specimen_like_barcode_with_a_dummy_name_on_the_real_form() -> None:
    """The whole pipeline on a policy drawn on the real blank whose barcode's name block is a
    dummy (as on the official specimen): number, sex and date of birth come from the barcode,
    the names from the print."""
    import os
    import random
    import tempfile

    import cv2
    import numpy as np

    from omsdesktop.forms.pipeline import process_file
    from tests.docgen import generate_real
    from tests.docgen.barcode import encode_short_type1
    from tests.docgen.render_real import barcode_patch

    doc = generate_real(4, "unified_real")
    truth = doc.truth
    expiry = truth["policy_expiry_date"]
    payload = encode_short_type1(
        enp=str(truth["policy_number"]),
        last_name="А",
        first_name="Б",
        patronymic="",
        sex=str(truth["sex"]),
        birth_date=date.fromisoformat(str(truth["birth_date"])),
        expiry=date.fromisoformat(expiry) if expiry else None,
        ogrn="1027739008440",
        okato=45000,
        rnd=random.Random(4),
        dummy_name=True,
    )
    x, y, w, h = (int(v) for v in doc.extra["barcode_box"].split(","))
    image = doc.image.copy()
    paper = np.median(image[y - 20 : y - 8, x : x + w].reshape(-1, 3), axis=0)
    image[y - 4 : y + h + 4, x - 4 : x + w + 4] = paper
    image[y : y + h, x : x + w][barcode_patch(payload, w, h) > 0] = (35, 35, 35)
    with tempfile.TemporaryDirectory() as tmp:
        path = os.path.join(tmp, "policy.png")
        cv2.imwrite(path, image)
        result = process_file(path)
    assert result.document is not None
    fields = result.document.fields
    for name in ("policy_number", "sex", "birth_date"):
        assert (fields[name].source, fields[name].value) == ("barcode", truth[name]), name
    for name in ("last_name", "first_name", "patronymic"):
        assert (fields[name].source, fields[name].value) == ("ocr", truth[name]), name
