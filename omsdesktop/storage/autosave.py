"""Autosave: every edit reaches the database within ``delay`` seconds (default 0.25 s).

The window calls :meth:`AutoSaver.edit` on every change; a single background thread writes the
pending edits of the draft in one transaction (:meth:`Store.save_fields`) at most ``delay``
after the first unsaved edit. A conflict (another desk saved the draft) or a locked draft stops
autosaving and keeps the pending edits: nothing typed is dropped, nothing is overwritten.
Callbacks run on the saver's thread: a Qt front end forwards them with a signal.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable

from omsdesktop.errors import OmsError
from omsdesktop.forms.model import FieldSource
from omsdesktop.storage.errors import (
    ConflictError,
    DatabaseUnavailableError,
    DraftLockedError,
    UnknownFieldError,
)
from omsdesktop.storage.model import DRAFT_FIELDS, DraftField
from omsdesktop.storage.store import Store

_RETRY_DELAY = 2.0  # seconds before retrying when the database was unreachable


class AutoSaver:
    """Debounced, crash-safe saving of one draft's field edits."""

    def __init__(
        self,
        store: Store,
        draft_id: str,
        version: int,
        *,
        delay: float = 0.25,
        on_saved: Callable[[int], None] | None = None,
        on_error: Callable[[OmsError], None] | None = None,
    ) -> None:
        self._store = store
        self._draft_id = draft_id
        self._version = version
        self._delay = delay
        self._on_saved = on_saved
        self._on_error = on_error
        self._cond = threading.Condition()
        self._write_lock = threading.Lock()
        self._pending: dict[str, DraftField] = {}
        self._due: float | None = None
        self._error: OmsError | None = None
        self._closed = False
        self._thread = threading.Thread(target=self._run, name="omsdesktop-autosave", daemon=True)
        self._thread.start()

    @property
    def version(self) -> int:
        """The draft version after the last successful save."""
        with self._cond:
            return self._version

    @property
    def pending(self) -> dict[str, DraftField]:
        """Edits not written yet (kept after a conflict for the user to re-apply)."""
        with self._cond:
            return dict(self._pending)

    @property
    def error(self) -> OmsError | None:
        """The conflict or lock that stopped autosaving, if any."""
        with self._cond:
            return self._error

    def edit(
        self,
        name: str,
        value: str | None,
        *,
        source: FieldSource = "typed",
        confidence: float = 1.0,
        needs_review: bool = False,
    ) -> None:
        """Record an edit; it is written within ``delay`` seconds."""
        if name not in DRAFT_FIELDS:
            raise UnknownFieldError(field=name, fields=", ".join(DRAFT_FIELDS))
        with self._cond:
            if self._closed:
                raise RuntimeError("autosaver closed")
            self._pending[name] = DraftField(value, source, confidence, needs_review)
            if self._due is None:
                self._due = time.monotonic() + self._delay
            self._cond.notify_all()

    def rebase(self, version: int) -> None:
        """After a conflict: continue on top of ``version`` (the pending edits are kept)."""
        with self._cond:
            self._version = version
            self._error = None
            if self._pending:
                self._due = time.monotonic()
            self._cond.notify_all()

    def flush(self) -> int:
        """Write pending edits now, in the calling thread; return the draft version.

        Raises:
            OmsError: the conflict, lock or database error that stopped the save.
        """
        self._write_pending()
        with self._cond:
            if self._error is not None:
                raise self._error
            return self._version

    def discard(self) -> None:
        """Drop what is pending and stop the thread (the draft was deleted elsewhere)."""
        with self._cond:
            self._pending.clear()
            self._due = None
            self._closed = True
            self._cond.notify_all()
        self._thread.join()

    def close(self) -> None:
        """Write what is pending and stop the thread."""
        try:
            with self._cond:
                failed = self._error is not None
            if not failed:
                self._write_pending()
        finally:
            with self._cond:
                self._closed = True
                self._cond.notify_all()
            self._thread.join()

    def _run(self) -> None:
        while True:
            with self._cond:
                while not self._closed and (
                    not self._pending or self._error is not None or self._due is None
                ):
                    self._cond.wait()
                if self._closed or self._due is None:
                    return
                wait = self._due - time.monotonic()
                if wait > 0:
                    self._cond.wait(wait)
                    continue
            self._write_pending()

    def _write_pending(self) -> None:
        with self._write_lock:
            with self._cond:
                if not self._pending or self._error is not None:
                    return
                batch = self._pending
                self._pending = {}
                self._due = None
                version = self._version
            try:
                new_version = self._store.save_fields(
                    self._draft_id, batch, expected_version=version
                )
            except (ConflictError, DraftLockedError, DatabaseUnavailableError) as exc:
                with self._cond:
                    for name, item in batch.items():
                        self._pending.setdefault(name, item)  # newer edits win
                    if isinstance(exc, DatabaseUnavailableError):
                        self._due = time.monotonic() + _RETRY_DELAY
                    else:
                        self._error = exc
                if self._on_error is not None:
                    self._on_error(exc)
                return
            with self._cond:
                self._version = new_version
            if self._on_saved is not None:
                self._on_saved(new_version)
