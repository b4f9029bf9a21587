"""Field rules applied to extracted values: validator problems make a field need review."""

from __future__ import annotations

import dataclasses

from omsdesktop.forms.model import FieldValue
from omsdesktop.forms.validators import VALIDATED_FIELDS, validate_field

# Fields that may legitimately be empty on a document (no patronymic; old form has a series,
# others do not; «бессрочно» has no expiry date).
OPTIONAL_FIELDS = frozenset({"patronymic", "policy_series", "policy_expiry_date"})


def apply_field_rules(fields: dict[str, FieldValue]) -> dict[str, FieldValue]:
    """Run the validators on every field with the rest of the document as context."""
    context = {name: fv.value for name, fv in fields.items() if fv.value is not None}
    out: dict[str, FieldValue] = {}
    for name, fv in fields.items():
        if fv.value is None:
            needs = fv.needs_review if name in OPTIONAL_FIELDS else True
            out[name] = dataclasses.replace(fv, needs_review=needs)
            continue
        if name not in VALIDATED_FIELDS:
            out[name] = fv
            continue
        result = validate_field(name, fv.value, context=context)
        value = result.normalized if result.normalized is not None else fv.value
        problems = tuple(p for p in result.problems)
        blocking = result.valid is False
        out[name] = dataclasses.replace(
            fv,
            value=value,
            problems=fv.problems + problems,
            needs_review=fv.needs_review or blocking,
            confidence=min(fv.confidence, 0.3) if blocking else fv.confidence,
        )
    return out
