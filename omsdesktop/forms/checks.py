"""Field rules applied to extracted values: validator problems make a field need review."""

from __future__ import annotations

import dataclasses

from omsdesktop.forms.model import FieldValue
from omsdesktop.forms.names import (
    NAME_CORRECTED,
    NAME_SLOTS,
    check_name,
    correct_name,
    name_problem,
    same_as_other_problem,
)
from omsdesktop.forms.normalize import fold
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
        if name in NAME_SLOTS and result.valid is True:
            out[name] = _name_rules(name, out[name])
    return _same_names_rule(out)


# --- names ----------------------------------------------------------------------------------
# Names are checked as names (omsdesktop.forms.names) only when OCR read them: the barcode's
# fields are exact and a typed value is the user's own.
#
# Decisions:
# * A reading the dictionary corrects (one look-alike letter, exactly one candidate:
#   «Алексанлр» → «Александр») takes the corrected value but always stays for review with
#   confidence at most 0.5, whatever OCR's confidence: OCR was confident about the wrong letter
#   too, and a rare name the dictionary lacks can be one letter from a common one. The reading
#   as scanned goes first into ``alternatives``.
# * A name that must not be certain (check_name) needs review, confidence at most 0.5, its
#   problems are added and its candidates go into ``alternatives``.
# * The same word in two name fields of one document (surname = first name) is never certain.

_NAME_REVIEW_CONFIDENCE = 0.5


def _merge(*groups: tuple[str, ...], exclude: str | None) -> tuple[str, ...]:
    seen = {fold(exclude)} if exclude else set()
    out: list[str] = []
    for group in groups:
        for item in group:
            if item and fold(item) not in seen:
                seen.add(fold(item))
                out.append(item)
    return tuple(out)


def _name_rules(slot: str, fv: FieldValue) -> FieldValue:
    if fv.source != "ocr" or not fv.value:
        return fv
    value = fv.value
    problems = fv.problems
    alternatives = fv.alternatives
    review = False
    correction = correct_name(slot, value)
    if correction.value != value:
        problems = (*problems, name_problem(NAME_CORRECTED, slot, "warning"))
        alternatives = _merge((value,), correction.candidates, alternatives, exclude=None)
        value = correction.value
        review = True
    check = check_name(slot, value)
    if not check.certain_ok:
        review = True
    problems += check.problems
    alternatives = _merge(alternatives, check.candidates, exclude=value)
    return dataclasses.replace(
        fv,
        value=value,
        problems=problems,
        alternatives=alternatives,
        needs_review=fv.needs_review or review,
        confidence=min(fv.confidence, _NAME_REVIEW_CONFIDENCE) if review else fv.confidence,
    )


def _same_names_rule(fields: dict[str, FieldValue]) -> dict[str, FieldValue]:
    """Two name fields read (by OCR) as the same word: neither is certain."""
    read = {
        slot: fold(fv.value)
        for slot in NAME_SLOTS
        if (fv := fields.get(slot)) is not None and fv.value and fv.source == "ocr"
    }
    out = dict(fields)
    for slot, key in read.items():
        others = [o for o, k in read.items() if o != slot and k == key]
        if not others:
            continue
        fv = out[slot]
        out[slot] = dataclasses.replace(
            fv,
            problems=(*fv.problems, same_as_other_problem(slot, others[0])),
            needs_review=True,
            confidence=min(fv.confidence, _NAME_REVIEW_CONFIDENCE),
        )
    return out
