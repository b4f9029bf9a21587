"""Drafts, attachments, submissions and the audit log, encrypted at rest (no Qt here).

Public API::

    from omsdesktop.storage import Store, Draft, DraftField
    store = Store.open()                    # SQLite in the per-user data folder
    draft = store.create_draft(fields={...})
    version = store.save_field(draft.id, "child.first_name", "Анна", expected_version=1)
"""

from __future__ import annotations

from omsdesktop.storage.autosave import AutoSaver
from omsdesktop.storage.errors import (
    AlreadySubmittedError,
    ConflictError,
    DatabaseTooNewError,
    DatabaseUnavailableError,
    DataCorruptedError,
    DraftLockedError,
    DraftNotFoundError,
    EncryptionKeyMismatchError,
    EncryptionKeyUnavailableError,
    StorageError,
    UnknownFieldError,
)
from omsdesktop.storage.mapping import fields_from_documents
from omsdesktop.storage.model import (
    DRAFT_FIELDS,
    REQUEST_TYPES,
    AttachmentInfo,
    AuditEntry,
    Draft,
    DraftField,
    DraftSummary,
    FieldEdit,
    RequestType,
    Submission,
    SubmissionEvent,
)
from omsdesktop.storage.store import Store

__all__ = [
    "DRAFT_FIELDS",
    "REQUEST_TYPES",
    "AlreadySubmittedError",
    "AttachmentInfo",
    "AuditEntry",
    "AutoSaver",
    "ConflictError",
    "DataCorruptedError",
    "DatabaseTooNewError",
    "DatabaseUnavailableError",
    "Draft",
    "DraftField",
    "DraftLockedError",
    "DraftNotFoundError",
    "DraftSummary",
    "EncryptionKeyMismatchError",
    "EncryptionKeyUnavailableError",
    "FieldEdit",
    "RequestType",
    "StorageError",
    "Store",
    "Submission",
    "SubmissionEvent",
    "UnknownFieldError",
    "fields_from_documents",
]
