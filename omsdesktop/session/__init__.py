"""One application's life, without Qt: documents, merged fields, edits, saving, submitting."""

from omsdesktop.session.errors import (
    InvalidApplicationError,
    InvalidValueError,
    NothingToSendError,
)
from omsdesktop.session.session import (
    ApplicationSession,
    Event,
    FieldView,
    OpenedDraft,
    SessionDocument,
)

__all__ = [
    "ApplicationSession",
    "Event",
    "FieldView",
    "InvalidApplicationError",
    "InvalidValueError",
    "NothingToSendError",
    "OpenedDraft",
    "SessionDocument",
]
