"""One application from a birth certificate and a policy: the one merge and the local checks.

:func:`merge` is the only place where two documents become one application: the window, the
CLI's ``extract`` pair line, ``draft create`` and batch intake all call it (through
:class:`omsdesktop.session.ApplicationSession` or directly). :func:`check_values` is the only
place where an application's values are validated before they are saved as final or sent.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any, Protocol

from omsdesktop.forms.model import DocumentKind, ExtractedDocument, FieldValue
from omsdesktop.forms.registry import (
    BY_KEY,
    FIELDS,
    FieldDef,
    same_value,
    validation_context,
)
from omsdesktop.forms.validators import (
    MISMATCH_SPECS,
    POLICY_FORMS,
    ValidationResult,
    cross_check,
    validate_field,
)
from omsdesktop.ocr.types import Problem, ProblemSpec

CERT = DocumentKind.BIRTH_CERTIFICATE
POLICY = DocumentKind.OMS_POLICY

APPLICATION_FIELDS: tuple[str, ...] = tuple(f.extracted for f in FIELDS if f.extracted)
"""The extraction keys of an application (the CLI's pair line), in the registry's order."""

# Which reading of a field printed on both documents wins: the barcode is exact, a typed value
# is the user's word, then the surer OCR reading.
_SOURCE_RANK = {"barcode": 2, "typed": 1, "ocr": 0}


@dataclass(frozen=True)
class MergedField:
    """One field of the application.

    Attributes:
        field: its registry entry.
        value: the chosen reading, marked for review when the documents disagree.
        readings: each document's own reading of it.
        disputed: both documents carry a value and they differ by the field's «same value» rule.
    """

    field: FieldDef
    value: FieldValue
    readings: Mapping[DocumentKind, FieldValue]
    disputed: bool = False


@dataclass(frozen=True)
class Merged:
    """The merged application: fields by draft key, and the cross-document problems."""

    fields: Mapping[str, MergedField]
    problems: tuple[Problem, ...] = ()

    def by_extracted(self) -> dict[str, FieldValue]:
        """The chosen readings keyed by extraction key (``last_name``)."""
        return {m.field.extracted: m.value for m in self.fields.values() if m.field.extracted}

    @property
    def needs_review(self) -> tuple[str, ...]:
        return tuple(key for key, m in self.fields.items() if m.value.needs_review)


def _rank(value: FieldValue) -> tuple[int, float]:
    return (_SOURCE_RANK.get(value.source, 0), value.confidence)


def merge(
    certificate: Mapping[str, FieldValue] | None,
    policy: Mapping[str, FieldValue] | None,
    *,
    today: date | None = None,
) -> Merged:
    """The one merge of two documents' fields (keyed by extraction key) into an application.

    A field printed on both documents takes the better reading (barcode, then typed, then the
    surer OCR). When the two readings differ by the field's «same value» rule, the field is
    marked for review, keeps the other reading as an alternative, and carries a problem naming
    both readings; the other checks between the documents (issued before the birth, not a minor)
    come from :func:`cross_check`.
    """
    docs: dict[DocumentKind, Mapping[str, FieldValue]] = {
        CERT: certificate or {},
        POLICY: policy or {},
    }
    values = {
        kind: {k: v.value for k, v in fields.items() if v is not None}
        for kind, fields in docs.items()
    }
    problems: list[Problem] = [
        p for p in cross_check(values[CERT], values[POLICY], today) if not _is_mismatch(p)
    ]
    merged: dict[str, MergedField] = {}
    for f in FIELDS:
        if f.extracted is None:
            continue
        readings = {
            kind: fields[f.extracted]
            for kind, fields in docs.items()
            if kind in f.documents and fields.get(f.extracted) is not None
        }
        if not readings:
            continue
        read = [v for v in readings.values() if v.value or (f.blank_counts and v.value is not None)]
        filled = [v for v in read if v.value]
        chosen = max(filled, key=_rank) if filled else next(iter(readings.values()))
        disputed = len(read) == 2 and not same_value(f, read[0].value or "", read[1].value or "")
        if disputed:
            mismatch = _mismatch(f, readings)
            problems.append(mismatch)
            others = {v.value for v in read if v.value and v.value != chosen.value}
            chosen = dataclasses.replace(
                chosen,
                needs_review=True,
                alternatives=tuple(sorted(set(chosen.alternatives) | others)),
                problems=(*chosen.problems, mismatch),
            )
        merged[f.key] = MergedField(f, chosen, readings, disputed)
    return Merged(merged, tuple(problems))


def _is_mismatch(problem: Problem) -> bool:
    return problem.code.startswith("mismatch_")


def _mismatch(f: FieldDef, readings: Mapping[DocumentKind, FieldValue]) -> Problem:
    assert f.extracted is not None
    spec = MISMATCH_SPECS.get(f.extracted) or ProblemSpec(
        f"mismatch_{f.extracted}",
        f"«{f.label_ru}» в свидетельстве о рождении и в полисе не совпадает. Сравните документы.",
        f"“{f.label_en}” differs between the birth certificate and the policy. Compare them.",
    )
    return Problem.of(
        spec,
        "blocking",
        field=f.extracted,
        certificate_value=readings[CERT].value or "",
        policy_value=readings[POLICY].value or "",
    )


def merge_fields(
    certificate: Mapping[str, FieldValue], policy: Mapping[str, FieldValue]
) -> tuple[dict[str, FieldValue], tuple[Problem, ...]]:
    """:func:`merge` keyed by extraction key: ``(fields, cross-document problems)``."""
    merged = merge(certificate, policy)
    return merged.by_extracted(), merged.problems


class HasDocument(Protocol):
    @property
    def kind(self) -> DocumentKind: ...

    @property
    def document(self) -> ExtractedDocument | None: ...


def _fields(result: HasDocument) -> dict[str, FieldValue]:
    return dict(result.document.fields) if result.document else {}


def merge_pair(certificate: HasDocument, policy: HasDocument) -> dict[str, Any]:
    """The CLI's pair line: ``{"application": {...}, "problems": [...]}``.

    If the two files were given the other way round (the policy first), they are swapped: the
    documents' own kinds decide, not their order.
    """
    if certificate.kind is POLICY and policy.kind is CERT:
        certificate, policy = policy, certificate
    merged = merge(_fields(certificate), _fields(policy))
    chosen = merged.by_extracted()
    return {
        "application": {
            name: chosen[name].value if name in chosen else None for name in APPLICATION_FIELDS
        },
        "needs_review": sorted(
            m.field.extracted or k for k, m in merged.fields.items() if m.value.needs_review
        ),
        "problems": [p.to_json() for p in merged.problems],
    }


# --- local checks of an application's values --------------------------------------------------

POLICY_FORM_UNKNOWN = ProblemSpec(
    "policy_form",
    "Форма полиса указана неверно. Выберите одну из форм: единого образца, пластиковая карта, "
    "электронный, старого образца, временное свидетельство.",
    "The policy form is not one of: unified, card, electronic, old, temporary. Choose one.",
)


def check_value(
    key: str, values: Mapping[str, str | None], *, today: date | None = None
) -> ValidationResult | None:
    """Validate one draft field against the registry's rule, with the other values as context.

    None when the field is empty or free text.
    """
    f = BY_KEY[key]
    value = (values.get(key) or "").strip()
    if not value:
        return None
    if f.kind == "policy_form":
        if value in POLICY_FORMS:
            return ValidationResult(key, value, value, True)
        problem = Problem.of(POLICY_FORM_UNKNOWN, "blocking")
        return ValidationResult(key, value, None, False, (problem,))
    if f.validator is None:
        return None
    return validate_field(f.validator, value, today=today, context=validation_context(f, values))


def check_values(
    values: Mapping[str, str | None], *, today: date | None = None
) -> dict[str, ValidationResult]:
    """Every filled field's verdict, by draft key (fields without a rule are left out)."""
    out: dict[str, ValidationResult] = {}
    for f in FIELDS:
        result = check_value(f.key, values, today=today)
        if result is not None:
            out[f.key] = result
    return out


def blocking_fields(results: Mapping[str, ValidationResult]) -> tuple[str, ...]:
    """The draft keys whose values must be fixed before the application may be sent."""
    return tuple(key for key, r in results.items() if r.valid is False)
