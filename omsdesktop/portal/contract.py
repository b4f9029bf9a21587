"""The portal contract (docs/portal-api.yaml) as typed Python: request and response bodies.

Field paths on the portal side are ``section.field`` (``policy.number``); drafts use their own
names (``policy.number``, ``cert.series`` ...). :data:`DRAFT_TO_PORTAL` maps one to the other.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, cast

from omsdesktop.forms.registry import FIELDS
from omsdesktop.portal.errors import PortalBadResponseError
from omsdesktop.storage.model import PORTAL_STATUSES, Draft, PortalStatus

API_PREFIX = ""  # paths are relative to the portal's base URL
MAX_ATTACHMENT_BYTES = 5 * 1024 * 1024
ATTACHMENT_MEDIA_TYPES: tuple[str, ...] = ("application/pdf", "image/jpeg", "image/png")

SECTIONS: tuple[str, ...] = ("applicant", "child", "birth_certificate", "policy")

DRAFT_TO_PORTAL: dict[str, str] = {f.key: f.portal_key for f in FIELDS}
"""Draft key → portal path, from the field registry."""
PORTAL_TO_DRAFT: dict[str, str] = {v: k for k, v in DRAFT_TO_PORTAL.items()}


def draft_field_for(portal_path: str) -> str:
    """The draft field behind a portal field path (unknown paths are returned unchanged)."""
    return PORTAL_TO_DRAFT.get(portal_path, portal_path)


@dataclass(frozen=True)
class ApplicationPayload:
    """The body of ``POST /applications``."""

    request_type: str
    client_reference: str
    sections: Mapping[str, Mapping[str, str]]
    attachments: tuple[str, ...] = ()

    @classmethod
    def from_draft(cls, draft: Draft, attachment_ids: Sequence[str] = ()) -> ApplicationPayload:
        sections: dict[str, dict[str, str]] = {name: {} for name in SECTIONS}
        for draft_name, portal_path in DRAFT_TO_PORTAL.items():
            value = draft.value(draft_name)
            if value is None or not value.strip():
                continue
            section, field = portal_path.split(".", 1)
            sections[section][field] = value.strip()
        return cls(draft.request_type, draft.id, sections, tuple(attachment_ids))

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "request_type": self.request_type,
            "client_reference": self.client_reference,
        }
        for section in SECTIONS:
            out[section] = dict(sorted(self.sections.get(section, {}).items()))
        out["attachments"] = list(self.attachments)
        return out


@dataclass(frozen=True)
class PortalApplication:
    """An application as the portal reports it."""

    id: str
    status: PortalStatus
    request_number: str | None = None
    reason: str | None = None
    fields_to_fix: tuple[str, ...] = ()

    @classmethod
    def from_json(cls, data: object) -> PortalApplication:
        """Parse the portal's answer; anything unexpected is a bad response, not a crash."""
        if not isinstance(data, dict):
            raise PortalBadResponseError("application is not an object")
        app_id = data.get("id")
        status = data.get("status")
        if not isinstance(app_id, str) or not app_id:
            raise PortalBadResponseError("application without id")
        if status not in PORTAL_STATUSES:
            raise PortalBadResponseError("unknown application status")
        number = data.get("request_number")
        reason = data.get("reason")
        fields = data.get("fields_to_fix") or []
        if number is not None and not isinstance(number, str):
            raise PortalBadResponseError("request_number is not a string")
        if reason is not None and not isinstance(reason, str):
            raise PortalBadResponseError("reason is not a string")
        if not isinstance(fields, list) or not all(isinstance(f, str) for f in fields):
            raise PortalBadResponseError("fields_to_fix is not a list of strings")
        return cls(
            id=app_id,
            status=cast(PortalStatus, status),
            request_number=number,
            reason=reason,
            fields_to_fix=tuple(fields),
        )

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "status": self.status,
            "request_number": self.request_number,
            "reason": self.reason,
            "fields_to_fix": list(self.fields_to_fix),
        }


@dataclass(frozen=True)
class PortalErrorBody:
    """The portal's error model: ``{"code", "message", "fields": [{field, code, message}]}``."""

    code: str
    message: str
    fields: tuple[tuple[str, str, str], ...] = ()

    @classmethod
    def parse(cls, data: object) -> PortalErrorBody | None:
        if not isinstance(data, dict):
            return None
        code = data.get("code")
        message = data.get("message")
        if not isinstance(code, str) or not isinstance(message, str):
            return None
        fields: list[tuple[str, str, str]] = []
        raw_fields = data.get("fields")
        if isinstance(raw_fields, list):
            for item in raw_fields:
                if isinstance(item, dict):
                    fields.append(
                        (
                            str(item.get("field", "")),
                            str(item.get("code", "")),
                            str(item.get("message", "")),
                        )
                    )
        return cls(code, message, tuple(fields))

    def reason(self) -> str:
        """One line for the user: the message plus each field's message."""
        parts = [self.message.rstrip(".")]
        parts.extend(f"{field}: {message.rstrip('.')}" for field, _code, message in self.fields)
        return "; ".join(p for p in parts if p)
