"""A page where the splitter saw two documents but the cut did not hold (issue #15): the
document read from the whole page says a second one lies there, unless the parts were one
document's halves. No OCR: the results are built as the pipeline builds them."""

from __future__ import annotations

from omsdesktop.forms.model import DocumentKind, ExtractedDocument, FieldValue
from omsdesktop.forms.pipeline import DocumentResult, _second_unread


def _result(kind: DocumentKind, filled: int) -> DocumentResult:
    if kind is DocumentKind.UNKNOWN:
        return DocumentResult(file="x.jpg")
    fields = {f"f{i}": FieldValue(value=str(i), confidence=0.9) for i in range(filled)}
    return DocumentResult(
        file="x.jpg", kind=kind, document=ExtractedDocument(kind=kind, fields=fields)
    )


CERT = DocumentKind.BIRTH_CERTIFICATE
POLICY = DocumentKind.OMS_POLICY
UNKNOWN = DocumentKind.UNKNOWN


def test_one_part_read_the_other_not() -> None:
    whole = _result(CERT, 9)
    assert _second_unread([_result(CERT, 9), _result(UNKNOWN, 0)], whole)
    assert _second_unread([_result(UNKNOWN, 0), _result(POLICY, 5)], _result(POLICY, 5))


def test_halves_of_one_document_say_nothing() -> None:
    whole = _result(CERT, 10)
    # The top half reads as the certificate with half its fields: one document cut in two.
    assert not _second_unread([_result(CERT, 5), _result(UNKNOWN, 0)], whole)
    # Both halves read as the same document (the cut was refused for that).
    assert not _second_unread([_result(CERT, 8), _result(CERT, 8)], whole)
    # Nothing read on either side.
    assert not _second_unread([_result(UNKNOWN, 0), _result(UNKNOWN, 0)], whole)


def test_no_note_without_a_document_read_whole() -> None:
    assert not _second_unread([_result(CERT, 9), _result(UNKNOWN, 0)], _result(UNKNOWN, 0))
    assert not _second_unread([], _result(CERT, 9))


def _policy(number: str, *, certain: bool) -> DocumentResult:
    fields = {"policy_number": FieldValue(value=number, confidence=0.9, needs_review=not certain)}
    return DocumentResult(
        file="x.jpg", kind=POLICY, document=ExtractedDocument(kind=POLICY, fields=fields)
    )


def test_a_cut_holds_for_two_policies_with_two_certain_numbers() -> None:
    from omsdesktop.forms.pipeline import _split_holds

    assert _split_holds(
        [_policy("5252697559107088", certain=True), _policy("7724156947266375", certain=True)]
    )
    # The bottom half of one policy shows the insurer's OGRN where a number would be: flagged
    # (13 digits), so it is no second policy.
    assert not _split_holds(
        [_policy("5252697559107088", certain=True), _policy("1032535902299", certain=False)]
    )
    assert _split_holds([_result(CERT, 9), _result(POLICY, 5)])  # two kinds
