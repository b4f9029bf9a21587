"""Extracted documents (FieldValue per field) to draft fields."""

from __future__ import annotations

from omsdesktop.forms.model import BIRTH_CERTIFICATE_FIELDS, OMS_POLICY_FIELDS, FieldValue
from omsdesktop.storage.mapping import CERTIFICATE_MAP, CHILD_MAP, POLICY_MAP, fields_from_documents
from omsdesktop.storage.model import DRAFT_FIELDS, DraftField


def test_every_extracted_field_has_a_place_in_the_draft() -> None:
    mapped = set(CERTIFICATE_MAP) | set(POLICY_MAP) | set(CHILD_MAP)
    assert set(BIRTH_CERTIFICATE_FIELDS) <= mapped
    assert set(OMS_POLICY_FIELDS) <= mapped
    assert set(CERTIFICATE_MAP.values()) | set(POLICY_MAP.values()) <= set(DRAFT_FIELDS)
    assert set(CHILD_MAP.values()) <= set(DRAFT_FIELDS)


def test_documents_to_draft_fields() -> None:
    cert = {
        "last_name": FieldValue("Белоусова", 0.8),
        "first_name": FieldValue("Аглая", 0.9),
        "patronymic": FieldValue("Святославовна", 0.7),
        "birth_date": FieldValue("2019-03-12", 0.95),
        "birth_certificate_series": FieldValue("IV-МЮ", 0.6, needs_review=True),
        "birth_certificate_number": FieldValue("123456", 0.9),
        "birth_place": FieldValue(None, 0.0),
    }
    policy = {
        "policy_number": FieldValue("7700000000000016", 1.0, "barcode"),
        "last_name": FieldValue("БЕЛОУСОВА", 1.0, "barcode"),
        "first_name": FieldValue("Аглая", 0.4),
        "patronymic": FieldValue("Святославовна", 1.0, "barcode"),
        "birth_date": FieldValue("2019-03-13", 1.0, "barcode"),
        "sex": FieldValue("Ж", 1.0, "barcode"),
    }
    fields = fields_from_documents(cert, policy, child_snils=" 112-233-445 95 ")

    # Barcode readings win; a case difference is not a disagreement.
    assert fields["child.last_name"] == DraftField("БЕЛОУСОВА", "barcode", 1.0, False)
    assert fields["child.patronymic"] == DraftField("Святославовна", "barcode", 1.0, False)
    # Same source: the more confident reading.
    assert fields["child.first_name"] == DraftField("Аглая", "ocr", 0.9, False)
    # The documents disagree: keep the barcode's date but ask the user to check it.
    assert fields["child.birth_date"] == DraftField("2019-03-13", "barcode", 1.0, True)
    assert fields["cert.series"].needs_review is True
    assert fields["policy.number"].source == "barcode"
    assert fields["policy.sex"].value == "Ж"
    assert fields["child.snils"] == DraftField("112-233-445 95", "typed", 1.0)
    assert "cert.birth_place" not in fields  # nothing was read
    assert "applicant.full_name" not in fields


def test_one_document_only() -> None:
    fields = fields_from_documents(None, {"last_name": FieldValue("Иванов", 0.5)})
    assert fields == {"child.last_name": DraftField("Иванов", "ocr", 0.5)}
