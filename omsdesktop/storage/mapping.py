"""From extracted documents (``FieldValue`` per field name) to draft fields.

The child's name and date of birth are printed on both documents. The draft keeps one value:
the policy's barcode reading when there is one (it is exact), otherwise the more confident
reading; when the two documents disagree the field is marked ``needs_review`` so the user
decides (the extraction side's cross-check shows both readings).
"""

from __future__ import annotations

from collections.abc import Mapping

from omsdesktop.forms.model import FieldValue
from omsdesktop.storage.model import DraftField

CERTIFICATE_MAP: dict[str, str] = {
    "birth_certificate_series": "cert.series",
    "birth_certificate_number": "cert.number",
    "birth_certificate_issue_date": "cert.issue_date",
    "birth_act_record_number": "cert.act_record_number",
    "birth_place": "cert.birth_place",
}
POLICY_MAP: dict[str, str] = {
    "policy_form": "policy.form",
    "policy_number": "policy.number",
    "policy_series": "policy.series",
    "policy_issue_date": "policy.issue_date",
    "policy_expiry_date": "policy.expiry_date",
    "insurer": "policy.insurer",
    "sex": "policy.sex",
}
CHILD_MAP: dict[str, str] = {
    "last_name": "child.last_name",
    "first_name": "child.first_name",
    "patronymic": "child.patronymic",
    "birth_date": "child.birth_date",
}
_SOURCE_RANK = {"barcode": 2, "typed": 1, "ocr": 0}


def _draft_field(value: FieldValue) -> DraftField:
    return DraftField(
        value=value.value,
        source=value.source,
        confidence=float(value.confidence),
        needs_review=value.needs_review,
    )


def _same(a: str, b: str) -> bool:
    def key(text: str) -> str:
        return " ".join(text.casefold().replace("ё", "е").split())

    return key(a) == key(b)


def _better(a: FieldValue, b: FieldValue) -> FieldValue:
    rank_a = (_SOURCE_RANK.get(a.source, 0), a.confidence)
    rank_b = (_SOURCE_RANK.get(b.source, 0), b.confidence)
    return b if rank_b > rank_a else a


def fields_from_documents(
    certificate: Mapping[str, FieldValue] | None,
    policy: Mapping[str, FieldValue] | None,
    *,
    child_snils: str | None = None,
    applicant_name: str | None = None,
    applicant_snils: str | None = None,
) -> dict[str, DraftField]:
    """Draft fields from the two documents' extracted fields plus typed extras."""
    certificate = certificate or {}
    policy = policy or {}
    out: dict[str, DraftField] = {}
    for source, mapping in ((certificate, CERTIFICATE_MAP), (policy, POLICY_MAP)):
        for name, target in mapping.items():
            value = source.get(name)
            if value is not None and value.value is not None:
                out[target] = _draft_field(value)
    for name, target in CHILD_MAP.items():
        cert_value = certificate.get(name)
        policy_value = policy.get(name)
        readings = [v for v in (cert_value, policy_value) if v is not None and v.value is not None]
        if not readings:
            continue
        if len(readings) == 1:
            out[target] = _draft_field(readings[0])
            continue
        first, second = readings
        chosen = _better(first, second)
        item = _draft_field(chosen)
        assert first.value is not None and second.value is not None
        if not _same(first.value, second.value):
            item = DraftField(item.value, item.source, item.confidence, needs_review=True)
        out[target] = item
    for target, typed in (
        ("child.snils", child_snils),
        ("applicant.full_name", applicant_name),
        ("applicant.snils", applicant_snils),
    ):
        if typed is not None and typed.strip():
            out[target] = DraftField(typed.strip(), "typed", 1.0)
    return out
