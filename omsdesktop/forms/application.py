"""One application from a birth certificate and a policy: merged fields and cross-checks."""

from __future__ import annotations

import dataclasses
from typing import Any, Protocol

from omsdesktop.forms.model import DocumentKind, ExtractedDocument, FieldValue
from omsdesktop.forms.validators import cross_check

# The child's identity is printed on both documents; everything else comes from one of them.
SHARED_FIELDS = ("last_name", "first_name", "patronymic", "birth_date")
CERTIFICATE_ONLY = (
    "birth_place",
    "birth_certificate_series",
    "birth_certificate_number",
    "birth_certificate_issue_date",
    "birth_act_record_number",
)
POLICY_ONLY = (
    "sex",
    "policy_form",
    "policy_number",
    "policy_series",
    "policy_issue_date",
    "policy_expiry_date",
    "insurer",
)
APPLICATION_FIELDS = SHARED_FIELDS + CERTIFICATE_ONLY + POLICY_ONLY


class HasDocument(Protocol):
    @property
    def kind(self) -> DocumentKind: ...

    @property
    def document(self) -> ExtractedDocument | None: ...


def _fields(result: HasDocument) -> dict[str, FieldValue]:
    return dict(result.document.fields) if result.document else {}


def _pick(cert: FieldValue | None, policy: FieldValue | None) -> FieldValue | None:
    """For a field on both documents: a barcode reading wins, then the surer reading."""
    candidates = [f for f in (cert, policy) if f is not None and f.value is not None]
    if not candidates:
        return cert or policy
    barcode = [f for f in candidates if f.source == "barcode"]
    if barcode:
        return barcode[0]
    return max(candidates, key=lambda f: f.confidence)


def merge_fields(
    certificate: dict[str, FieldValue], policy: dict[str, FieldValue]
) -> tuple[dict[str, FieldValue], tuple[Any, ...]]:
    """The application's fields and the cross-document problems.

    A disagreement marks the merged field for review, keeps the other reading as an
    alternative, and adds a problem naming both readings.
    """
    cert_values = {k: v.value for k, v in certificate.items()}
    policy_values = {k: v.value for k, v in policy.items()}
    problems = cross_check(cert_values, policy_values)
    disputed = {p.params.get("field") for p in problems if p.params.get("field")}
    merged: dict[str, FieldValue] = {}
    for name in SHARED_FIELDS:
        chosen = _pick(certificate.get(name), policy.get(name))
        if chosen is None:
            continue
        if name in disputed:
            others = {
                f.value
                for f in (certificate.get(name), policy.get(name))
                if f is not None and f.value is not None and f.value != chosen.value
            }
            chosen = dataclasses.replace(
                chosen,
                needs_review=True,
                alternatives=tuple(sorted(set(chosen.alternatives) | others)),
                problems=chosen.problems
                + tuple(p for p in problems if p.params.get("field") == name),
            )
        merged[name] = chosen
    for name in CERTIFICATE_ONLY:
        if name in certificate:
            merged[name] = certificate[name]
    for name in POLICY_ONLY:
        if name in policy:
            merged[name] = policy[name]
    return merged, problems


def merge_pair(certificate: HasDocument, policy: HasDocument) -> dict[str, Any]:
    """The CLI's pair line: ``{"application": {...}, "problems": [...]}``.

    If the two files were given the other way round (the policy first), they are swapped: the
    documents' own kinds decide, not their order.
    """
    if (
        certificate.kind is DocumentKind.OMS_POLICY
        and policy.kind is DocumentKind.BIRTH_CERTIFICATE
    ):
        certificate, policy = policy, certificate
    merged, problems = merge_fields(_fields(certificate), _fields(policy))
    application = {
        name: merged[name].value if name in merged else None for name in APPLICATION_FIELDS
    }
    return {
        "application": application,
        "needs_review": sorted(name for name, f in merged.items() if f.needs_review),
        "problems": [p.to_json() for p in problems],
    }
