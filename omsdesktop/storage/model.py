"""The public data model of drafts: frozen dataclasses, no database or Qt types.

A draft is one application in progress: the request type and every field of the applicant, the
child, the birth certificate and the policy, each with its value, where it came from (OCR, the
policy's barcode, or typed), the confidence of that reading, and its edit history.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import datetime
from types import MappingProxyType
from typing import Any, Literal

from omsdesktop.forms.model import FieldSource
from omsdesktop.forms.registry import DRAFT_KEYS

RequestType = Literal["attach_policy", "update_policy", "change_insurer"]
REQUEST_TYPES: tuple[RequestType, ...] = ("attach_policy", "update_policy", "change_insurer")
DEFAULT_REQUEST_TYPE: RequestType = "attach_policy"

DraftState = Literal["editing", "queued", "submitted"]
"""``editing``: may change; ``queued``: handed to the outbox, frozen; ``submitted``: the portal
accepted it (it is never sent again)."""

SubmissionState = Literal["queued", "sent", "failed"]
"""``queued``: the idempotency key is stored and sending is pending (or being retried);
``sent``: the portal accepted it; ``failed``: the portal refused the data (nothing was created)."""

PortalStatus = Literal["under_review", "needs_clarification", "approved", "rejected"]
PORTAL_STATUSES: tuple[PortalStatus, ...] = (
    "under_review",
    "needs_clarification",
    "approved",
    "rejected",
)

PortalApi = Literal["contract", "epgu"]
PORTAL_APIS: tuple[PortalApi, ...] = ("contract", "epgu")
"""``contract``: docs/portal-api.yaml (an idempotency key); ``epgu``: the state services portal's
API for organisations (an order reserved first, one ZIP pushed, two layers of status)."""

DocumentRole = Literal["birth_certificate", "oms_policy", "other"]
FIELD_SOURCES: tuple[FieldSource, ...] = ("ocr", "barcode", "typed")

DRAFT_FIELDS: tuple[str, ...] = DRAFT_KEYS
"""Every field a draft may hold; values are strings, dates ``YYYY-MM-DD``."""


@dataclass(frozen=True)
class DraftField:
    """One field's current value and where it came from."""

    value: str | None
    source: FieldSource = "typed"
    confidence: float = 1.0
    needs_review: bool = False

    def to_json(self) -> dict[str, Any]:
        return {
            "value": self.value,
            "source": self.source,
            "confidence": round(self.confidence, 3),
            "needs_review": self.needs_review,
        }


def _frozen_fields(fields: Mapping[str, DraftField]) -> Mapping[str, DraftField]:
    return MappingProxyType(dict(fields))


@dataclass(frozen=True)
class Draft:
    """A snapshot of a draft at ``version``. Edit with :meth:`with_field`, save with the store."""

    id: str
    version: int
    state: DraftState
    request_type: RequestType
    fields: Mapping[str, DraftField]
    created_at: datetime
    updated_at: datetime
    created_by: str
    updated_by: str

    def __post_init__(self) -> None:
        if not isinstance(self.fields, MappingProxyType):
            object.__setattr__(self, "fields", _frozen_fields(self.fields))

    def value(self, name: str) -> str | None:
        item = self.fields.get(name)
        return None if item is None else item.value

    def with_field(
        self,
        name: str,
        value: str | None,
        *,
        source: FieldSource = "typed",
        confidence: float = 1.0,
        needs_review: bool = False,
    ) -> Draft:
        """A copy with one field changed (not saved: pass it to ``Store.save_draft``)."""
        fields = dict(self.fields)
        fields[name] = DraftField(value, source, confidence, needs_review)
        return replace(self, fields=_frozen_fields(fields))

    def with_request_type(self, request_type: RequestType) -> Draft:
        return replace(self, request_type=request_type)

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "version": self.version,
            "state": self.state,
            "request_type": self.request_type,
            "fields": {name: self.fields[name].to_json() for name in sorted(self.fields)},
            "created_at": self.created_at.isoformat(),
            "updated_at": self.updated_at.isoformat(),
            "created_by": self.created_by,
            "updated_by": self.updated_by,
        }


@dataclass(frozen=True)
class DraftSummary:
    """A line of the draft list."""

    id: str
    version: int
    state: DraftState
    request_type: RequestType
    child_name: str
    created_at: datetime
    updated_at: datetime
    submission_state: SubmissionState | None = None
    portal_status: PortalStatus | None = None

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "version": self.version,
            "state": self.state,
            "request_type": self.request_type,
            "child_name": self.child_name,
            "created_at": self.created_at.isoformat(),
            "updated_at": self.updated_at.isoformat(),
            "submission_state": self.submission_state,
            "portal_status": self.portal_status,
        }


@dataclass(frozen=True)
class FieldEdit:
    """One change of one field (history)."""

    draft_id: str
    name: str
    old_value: str | None
    new_value: str | None
    source: FieldSource
    confidence: float
    operator: str
    at: datetime


@dataclass(frozen=True)
class AttachmentInfo:
    """A prepared attachment (the bytes are read separately, decrypted on demand)."""

    id: str
    draft_id: str
    document: DocumentRole
    media_type: str
    size_bytes: int
    width: int
    height: int
    dpi: float | None
    created_at: datetime

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "document": self.document,
            "media_type": self.media_type,
            "size_bytes": self.size_bytes,
            "width": self.width,
            "height": self.height,
            "dpi": None if self.dpi is None else round(self.dpi, 1),
        }


@dataclass(frozen=True)
class Submission:
    """One attempt to file a draft with the portal, from queueing to the portal's answer."""

    id: str
    draft_id: str
    idempotency_key: str
    state: SubmissionState
    portal_url: str
    attempts: int
    last_error_code: str | None
    portal_id: str | None
    request_number: str | None
    portal_status: PortalStatus | None
    reason: str | None
    fields_to_fix: tuple[str, ...]
    created_at: datetime
    updated_at: datetime
    sent_at: datetime | None = None
    portal_api: PortalApi = "contract"
    order_id: str | None = None
    """EPGU: the order reserved for this draft (stored before any push)."""
    reserve_started_at: datetime | None = None
    push_started_at: datetime | None = None
    """EPGU: a push was started; until the portal's answer is known, ask before pushing again."""
    pushes: int = 0
    """EPGU: push requests sent for this order (for reports: a second one is never blind)."""
    processing_code: str | None = None
    """EPGU's first status layer (NEW, FILES_VERIFICATION, DONE, VALIDATION_ERROR …)."""
    status_id: int | None = None
    """EPGU's second layer: the order's numeric status (17 registered, 21 sent, 2 received …)."""

    def to_json(self) -> dict[str, Any]:
        return {
            "submission_id": self.id,
            "draft_id": self.draft_id,
            "state": self.state,
            "portal_url": self.portal_url,
            "attempts": self.attempts,
            "last_error_code": self.last_error_code,
            "portal_id": self.portal_id,
            "request_number": self.request_number,
            "portal_status": self.portal_status,
            "reason": self.reason,
            "fields_to_fix": list(self.fields_to_fix),
            "created_at": self.created_at.isoformat(),
            "sent_at": None if self.sent_at is None else self.sent_at.isoformat(),
            "portal_api": self.portal_api,
            "order_id": self.order_id,
            "pushes": self.pushes,
            "processing_code": self.processing_code,
            "status_id": self.status_id,
        }


@dataclass(frozen=True)
class SubmissionEvent:
    """One entry of a submission's status history."""

    submission_id: str
    at: datetime
    state: SubmissionState
    portal_status: PortalStatus | None
    error_code: str | None
    detail: str | None
    operator: str


@dataclass(frozen=True)
class AuditEntry:
    """Who did what and when. ``detail`` never holds personal data (field names at most)."""

    at: datetime
    operator: str
    action: str
    draft_id: str | None
    detail: str = ""
