"""Extracted documents (FieldValue per field) to draft fields."""

from __future__ import annotations

from omsdesktop.forms.model import DocumentKind, FieldValue
from omsdesktop.forms.registry import BY_EXTRACTED, fields_of
from omsdesktop.storage.mapping import fields_from_documents
from omsdesktop.storage.model import DRAFT_FIELDS, DraftField


def test_every_extracted_field_has_a_place_in_the_draft() -> None:
    for kind in (DocumentKind.BIRTH_CERTIFICATE, DocumentKind.OMS_POLICY):
        assert fields_of(kind), kind
    assert {f.key for f in BY_EXTRACTED.values()} <= set(DRAFT_FIELDS)
    # The child's identity is on both documents; every other field on at most one.
    shared = {f.extracted for f in BY_EXTRACTED.values() if f.shared}
    assert shared == {"last_name", "first_name", "patronymic", "birth_date"}


def test_a_latin_lookalike_is_the_same_name_for_the_merge() -> None:
    # «Иванoва» with a Latin «o» (OCR with the English model): the same surname, no dispute.
    cert = {"last_name": FieldValue("Иванoва", 0.9)}
    policy = {"last_name": FieldValue("ИВАНОВА", 0.8)}
    fields = fields_from_documents(cert, policy)
    assert fields["child.last_name"] == DraftField("Иванoва", "ocr", 0.9, False)
    # A different surname is disputed, whichever reading is surer.
    fields = fields_from_documents(cert, {"last_name": FieldValue("Иванюк", 0.95)})
    assert fields["child.last_name"] == DraftField("Иванюк", "ocr", 0.95, True)


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
