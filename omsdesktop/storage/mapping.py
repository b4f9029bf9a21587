"""From extracted documents (``FieldValue`` per extraction key) to draft fields.

The choice between the two documents' readings is :func:`omsdesktop.forms.application.merge`'s;
this module only turns its result into :class:`DraftField` values keyed by draft key, plus the
values the user typed (SNILS, the applicant).
"""

from __future__ import annotations

from collections.abc import Mapping

from omsdesktop.forms.application import Merged, merge
from omsdesktop.forms.model import FieldValue
from omsdesktop.storage.model import DraftField


def draft_field(value: FieldValue) -> DraftField:
    return DraftField(
        value=value.value,
        source=value.source,
        confidence=float(value.confidence),
        needs_review=value.needs_review,
    )


def draft_fields(merged: Merged) -> dict[str, DraftField]:
    """The merged application's read values as draft fields (unread fields left out)."""
    return {
        key: draft_field(m.value) for key, m in merged.fields.items() if m.value.value is not None
    }


def fields_from_documents(
    certificate: Mapping[str, FieldValue] | None,
    policy: Mapping[str, FieldValue] | None,
    *,
    child_snils: str | None = None,
    applicant_name: str | None = None,
    applicant_snils: str | None = None,
) -> dict[str, DraftField]:
    """Draft fields from the two documents' extracted fields plus typed extras."""
    out = draft_fields(merge(certificate, policy))
    for target, typed in (
        ("child.snils", child_snils),
        ("applicant.full_name", applicant_name),
        ("applicant.snils", applicant_snils),
    ):
        if typed is not None and typed.strip():
            out[target] = DraftField(typed.strip(), "typed", 1.0)
    return out
