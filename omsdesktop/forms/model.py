"""The data model of extracted documents: field values with confidence, source and box."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import Enum
from typing import Any, Literal

from omsdesktop.ocr.types import Box, Problem

FieldSource = Literal["ocr", "barcode", "typed"]


class DocumentKind(str, Enum):
    BIRTH_CERTIFICATE = "birth_certificate"
    OMS_POLICY = "oms_policy"
    UNKNOWN = "unknown"


ABSENT_ON_FORM: dict[str, frozenset[str]] = {
    # The unified policy's front prints no series, no date of issue and no insurer (the insurer
    # is stamped on the back and may change): those fields are absent, not unread.
    "unified": frozenset({"policy_series", "policy_issue_date", "insurer"}),
    "temporary": frozenset({"policy_series"}),
}
"""Fields a policy form does not carry, by form: empty there is the right answer."""


@dataclass(frozen=True)
class FieldValue:
    """One field as read from a document (or typed by the user).

    ``value`` is normalised (dates ``YYYY-MM-DD``); ``raw`` is the text as read.
    ``box`` is where on the straightened page the value was read, for the source crop.
    """

    value: str | None
    confidence: float
    source: FieldSource = "ocr"
    box: Box | None = None
    raw: str | None = None
    needs_review: bool = False
    problems: tuple[Problem, ...] = ()
    alternatives: tuple[str, ...] = ()

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "value": self.value,
            "confidence": round(self.confidence, 3),
            "source": self.source,
            "needs_review": self.needs_review,
            "problems": [p.to_json() for p in self.problems],
        }
        if self.box is not None:
            out["box"] = self.box.to_json()
        return out


@dataclass(frozen=True)
class ExtractedDocument:
    """The fields of one page.

    ``rotation`` is a clockwise turn (0/90/180/270) the reader applied on top of the
    straightened page because the text read upside down or sideways; field boxes refer to the
    page after that turn.
    """

    kind: DocumentKind
    fields: dict[str, FieldValue] = field(default_factory=dict)
    problems: tuple[Problem, ...] = ()
    rotation: int = 0
    other_document_seen: bool = False
    """The page also shows print of another document (two sheets photographed together,
    one over the other's edge): only this one was read."""
    form_fit: float = 0.0
    """The share of a real form's own printed words found in their places when the page was
    registered to it (0 when it was not): near 1, the page is flat and the form is known."""
