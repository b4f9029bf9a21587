"""One application's life, without Qt.

An :class:`ApplicationSession` owns what the window used to keep in a dozen flags: the two
documents and their readings, the merged fields with their sources, the user's edits, the draft
it is saved in, the scans attached to it, local validation, the submission and its portal
status. The window, the CLI's ``draft`` and ``submit`` commands and batch intake all use it; the
window subscribes to its events and shows them.

Threads: methods marked *blocking* touch the database, the network or image encoding and must not
run on a GUI thread; the others only change memory and return at once. State is guarded by one
lock, so a blocking method running in a worker and an edit on the GUI thread do not interleave
badly. Listeners are called on the thread that made the change (a Qt front end forwards them to
its own thread with a queued signal).

Nothing here logs values: they are a child's personal data.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import TYPE_CHECKING, Literal

from omsdesktop.errors import OmsError
from omsdesktop.forms.application import (
    Merged,
    blocking_fields,
    check_value,
    check_values,
    merge,
)
from omsdesktop.forms.model import DocumentKind, FieldSource, FieldValue
from omsdesktop.forms.registry import BY_KEY, DRAFT_KEYS
from omsdesktop.forms.validators import ValidationResult
from omsdesktop.session.errors import (
    InvalidApplicationError,
    InvalidValueError,
    NothingToSendError,
)
from omsdesktop.storage.mapping import draft_field
from omsdesktop.storage.model import (
    DEFAULT_REQUEST_TYPE,
    Draft,
    DraftField,
    DraftState,
    RequestType,
    Submission,
)

if TYPE_CHECKING:
    import numpy as np

    from omsdesktop.portal.outbox import AdapterFactory, FlushReport, SubmitOutcome
    from omsdesktop.storage.autosave import AutoSaver
    from omsdesktop.storage.model import AttachmentInfo, DocumentRole
    from omsdesktop.storage.store import Store

CERT = DocumentKind.BIRTH_CERTIFICATE
POLICY = DocumentKind.OMS_POLICY
ROLES: dict[DocumentKind, DocumentRole] = {CERT: "birth_certificate", POLICY: "oms_policy"}

EventKind = Literal["fields", "documents", "draft", "saved", "save_failed", "submission"]


@dataclass(frozen=True)
class Event:
    """A change a view may want to show.

    ``fields``: values changed (``keys``); ``documents``: a document was set or cleared;
    ``draft``: a draft was created, opened or left, or its state changed; ``saved``: edits
    reached the database (``version``); ``save_failed``: they did not (``error``: a conflict,
    a lock, an unreachable database); ``submission``: the submission or its status changed.
    """

    kind: EventKind
    keys: tuple[str, ...] = ()
    version: int | None = None
    error: OmsError | None = None


Listener = Callable[[Event], None]


@dataclass(frozen=True)
class SessionDocument:
    """A document as read: its fields by extraction key and, for the attachment and the crops,
    the straightened page (kept in memory only)."""

    kind: DocumentKind
    fields: Mapping[str, FieldValue]
    image: np.ndarray | None = None
    dpi: float | None = None


@dataclass(frozen=True)
class FieldView:
    """Everything a view shows for one field.

    ``disputed``: the documents disagree and the user has not settled it by typing or picking
    a value.
    """

    key: str
    value: str | None
    source: FieldSource
    confidence: float
    needs_review: bool
    readings: Mapping[DocumentKind, FieldValue] = field(default_factory=dict)
    disputed: bool = False
    typed: bool = False


@dataclass(frozen=True)
class OpenedDraft:
    """A stored draft as opened: the draft, its attachments (encrypted at rest; decrypted bytes
    here, for the view to show) and its latest submission."""

    draft: Draft
    attachments: Mapping[DocumentRole, bytes]
    submission: Submission | None


class ApplicationSession:
    """One application: documents, fields, edits, draft, attachments, submission.

    Args:
        store: the draft database; None when it is not open (yet): edits are kept in memory
            and saved by :meth:`save` once :meth:`attach_store` gives one.
        autosave_delay: edits reach the database this long after the first unsaved one.
        today: the date validation judges "future" and "under 18" against (tests).
        request_type: the kind of application a new draft is created as.
    """

    def __init__(
        self,
        store: Store | None = None,
        *,
        autosave_delay: float = 0.25,
        today: date | None = None,
        request_type: RequestType = DEFAULT_REQUEST_TYPE,
    ) -> None:
        self._store = store
        self._request_type: RequestType = request_type
        self._delay = autosave_delay
        self._today = today
        self._lock = threading.RLock()
        self._create_lock = threading.Lock()
        self._attach_lock = threading.Lock()
        self._listeners: list[Listener] = []
        self._reset()

    def _reset(self) -> None:
        self._documents: dict[DocumentKind, SessionDocument] = {}
        self._merged: Merged = merge(None, None)
        self._values: dict[str, DraftField] = {}
        self._typed: set[str] = set()
        self._unsaved: dict[str, DraftField] = {}
        self._draft_id: str | None = None
        self._state: DraftState = "editing"
        self._saver: AutoSaver | None = None
        self._submission: Submission | None = None
        self._generation: dict[DocumentKind, int] = {CERT: 0, POLICY: 0}
        self._unattached: set[DocumentKind] = set()

    # ------------------------------------------------------------------------------ listeners

    def subscribe(self, listener: Listener) -> Callable[[], None]:
        """Call ``listener`` on every change; returns a function that unsubscribes."""
        with self._lock:
            self._listeners.append(listener)

        def unsubscribe() -> None:
            with self._lock:
                if listener in self._listeners:
                    self._listeners.remove(listener)

        return unsubscribe

    def _emit(self, event: Event) -> None:
        with self._lock:
            listeners = list(self._listeners)
        for listener in listeners:
            listener(event)

    # ---------------------------------------------------------------------------------- state

    @property
    def store(self) -> Store | None:
        return self._store

    def attach_store(self, store: Store) -> None:
        """The database is open: what was edited before is saved by the next :meth:`save`."""
        with self._lock:
            self._store = store

    @property
    def draft_id(self) -> str | None:
        return self._draft_id

    @property
    def state(self) -> DraftState:
        """``editing`` until the application is queued or sent; then it is read-only."""
        return self._state

    @property
    def editable(self) -> bool:
        return self._state == "editing"

    @property
    def submission(self) -> Submission | None:
        return self._submission

    @property
    def version(self) -> int | None:
        """The draft's version after the last save this session made, None without a draft."""
        saver = self._saver
        return None if saver is None else saver.version

    @property
    def pending(self) -> dict[str, DraftField]:
        """Edits not written to the database yet (kept after a conflict)."""
        with self._lock:
            saver = self._saver
            unsaved = dict(self._unsaved)
        return saver.pending if saver is not None else unsaved

    @property
    def has_unsaved(self) -> bool:
        """Edits exist that no draft holds yet (a draft is created by :meth:`save`)."""
        with self._lock:
            return self._draft_id is None and bool(self._unsaved)

    def document(self, kind: DocumentKind) -> SessionDocument | None:
        return self._documents.get(kind)

    def value(self, key: str) -> str | None:
        item = self._values.get(_known(key))
        return None if item is None else item.value

    def values(self) -> dict[str, str | None]:
        with self._lock:
            return {key: item.value for key, item in self._values.items()}

    def view(self, key: str) -> FieldView:
        key = _known(key)
        with self._lock:
            item = self._values.get(key)
            merged = self._merged.fields.get(key)
            typed = key in self._typed
        readings = merged.readings if merged is not None else {}
        # A value the user typed or picked settles the documents' disagreement.
        disputed = merged is not None and merged.disputed and not typed
        if item is None:
            return FieldView(key, None, "ocr", 0.0, False, readings, disputed, typed)
        return FieldView(
            key,
            item.value,
            item.source,
            item.confidence,
            item.needs_review,
            readings,
            disputed,
            typed,
        )

    def review_keys(self) -> tuple[str, ...]:
        """Fields the user should look at: read unsurely or disputed between the documents."""
        with self._lock:
            return tuple(
                k for k in DRAFT_KEYS if k in self._values and self._values[k].needs_review
            )

    @property
    def merged(self) -> Merged:
        return self._merged

    # ------------------------------------------------------------------------------ documents

    def set_document(
        self,
        kind: DocumentKind,
        fields: Mapping[str, FieldValue],
        *,
        image: np.ndarray | None = None,
        dpi: float | None = None,
    ) -> tuple[str, ...]:
        """A document was read: merge it in. Returns the draft keys whose values changed.

        Values the user typed are kept; every other field takes the merged reading.
        """
        if kind not in ROLES:
            raise ValueError(f"not an application document: {kind}")
        with self._lock:
            self._require_editable()
            self._documents[kind] = SessionDocument(kind, dict(fields), image, dpi)
            self._generation[kind] += 1
            if image is not None:
                self._unattached.add(kind)
            changed = self._remerge()
        self._emit(Event("documents"))
        if changed:
            self._emit(Event("fields", changed))
        return changed

    def clear_document(self, kind: DocumentKind) -> None:
        """The document was removed from the view: its readings no longer count.

        The values it gave stay in the draft (the user may have checked them); only the
        readings, the crops and a pending attachment go.
        """
        with self._lock:
            if self._documents.pop(kind, None) is None:
                return
            self._generation[kind] += 1
            self._unattached.discard(kind)
            self._merged = merge(self._fields_of(CERT), self._fields_of(POLICY), today=self._today)
        self._emit(Event("documents"))

    def _fields_of(self, kind: DocumentKind) -> Mapping[str, FieldValue] | None:
        doc = self._documents.get(kind)
        return None if doc is None else doc.fields

    def _remerge(self) -> tuple[str, ...]:
        self._merged = merge(self._fields_of(CERT), self._fields_of(POLICY), today=self._today)
        changed: list[str] = []
        for key, m in self._merged.fields.items():
            if key in self._typed or m.value.value is None:
                continue
            item = draft_field(m.value)
            if self._values.get(key) != item:
                self._values[key] = item
                self._record(key, item)
                changed.append(key)
        return tuple(changed)

    # ---------------------------------------------------------------------------------- edits

    def edit(self, key: str, value: str | None, *, strict: bool = False) -> ValidationResult | None:
        """The user typed a value. Returns the field's verdict (None: empty or free text).

        In a window an invalid value is kept (the user may be half-way through typing); it
        blocks :meth:`submit`, not the edit. With ``strict`` (a script's ``draft set``) an
        invalid value is refused with :class:`InvalidValueError` and nothing changes.
        """
        key = _known(key)
        value = value.strip() if isinstance(value, str) else value
        item = DraftField(value or None, "typed", 1.0, False)
        if strict:
            values = self.values()
            values[key] = item.value
            verdict = check_value(key, values, today=self._today)
            if verdict is not None and verdict.valid is False:
                raise InvalidValueError.of(key, verdict)
        with self._lock:
            self._require_editable()
            self._typed.add(key)
            if self._values.get(key) != item:
                self._values[key] = item
                self._record(key, item)
                changed = True
            else:
                changed = False
            values = self.values()
        if changed:
            self._emit(Event("fields", (key,)))
        return check_value(key, values, today=self._today)

    def _record(self, key: str, item: DraftField) -> None:
        """Route a changed value to the draft: the autosaver, or memory until a draft exists."""
        if self._saver is not None:
            self._saver.edit(
                key,
                item.value,
                source=item.source,
                confidence=item.confidence,
                needs_review=item.needs_review,
            )
        else:
            self._unsaved[key] = item

    def _require_editable(self) -> None:
        if self._state != "editing":
            from omsdesktop.storage.errors import DraftLockedError

            raise DraftLockedError(draft_id=self._draft_id or "")

    # ----------------------------------------------------------------------------- validation

    def check(self) -> dict[str, ValidationResult]:
        """Every filled field's verdict by the registry's rules, by draft key."""
        return check_values(self.values(), today=self._today)

    def blocking(self) -> tuple[str, ...]:
        """The fields that must be fixed before sending."""
        return blocking_fields(self.check())

    # --------------------------------------------------------------------------------- saving

    def save(self) -> int | None:
        """*Blocking.* Write what is pending: create the draft the first time, then flush.

        Returns the draft version, or None when there is nothing to save and no draft yet.
        """
        store = self._require_store()
        with self._create_lock:
            with self._lock:
                saver = self._saver
                creating = self._draft_id is None and self._state == "editing"
                fields = dict(self._unsaved) if creating else {}
            if creating:
                if not fields:
                    return None
                draft = store.create_draft(request_type=self._request_type, fields=fields)
                with self._lock:
                    for key, item in fields.items():
                        if self._unsaved.get(key) == item:
                            del self._unsaved[key]
                    self._start(draft)
                    leftovers = dict(self._unsaved)
                    self._unsaved.clear()
                    saver = self._saver
                    for key, item in leftovers.items():
                        self._record(key, item)
                self._emit(Event("draft"))
                if saver is None or not leftovers:
                    self._emit(Event("saved", version=draft.version))
                    return draft.version
        if saver is None:
            return None
        try:
            version = saver.flush()
        except OmsError as exc:
            self._emit(Event("save_failed", error=exc))
            raise
        self._emit(Event("saved", version=version))
        return version

    def _start(self, draft: Draft) -> None:
        """Follow ``draft`` (under the lock): autosave its edits while it is editable."""
        from omsdesktop.storage.autosave import AutoSaver

        self._draft_id = draft.id
        self._state = draft.state
        self._saver = None
        if draft.state == "editing":
            store = self._require_store()
            self._saver = AutoSaver(
                store,
                draft.id,
                draft.version,
                delay=self._delay,
                on_saved=lambda v: self._emit(Event("saved", version=v)),
                on_error=lambda e: self._emit(Event("save_failed", error=e)),
            )

    def keep_my_edits(self) -> int:
        """*Blocking.* After a conflict: write this desk's edits on top of the other desk's."""
        store = self._require_store()
        saver, draft_id = self._saver, self._draft_id
        if saver is None or draft_id is None:
            raise NothingToSendError()
        saver.rebase(store.get_draft(draft_id).version)
        version = saver.flush()
        self._emit(Event("saved", version=version))
        return version

    def _stop_saver(self) -> None:
        """*Blocking.* Stop autosaving (writing what is pending unless a conflict stopped it)."""
        with self._lock:
            saver, self._saver = self._saver, None
        if saver is not None:
            saver.close()

    # ---------------------------------------------------------------------------- attachments

    def store_attachments(
        self,
        *,
        progress: Callable[[float], None] | None = None,
        cancelled: Callable[[], bool] | None = None,
    ) -> tuple[AttachmentInfo, ...]:
        """*Blocking.* Attach each newly read document's page to the draft, replacing the one
        stored for that document (one transaction: never two attachments for one document).

        A page replaced while it was being prepared is not written: the newer one is.
        """
        from omsdesktop.portal.attachments import prepare_attachment

        store = self._require_store()
        done: list[AttachmentInfo] = []
        with self._lock:
            if self._draft_id is None or self._state != "editing":
                return ()
            todo = [
                (kind, self._generation[kind], self._documents[kind])
                for kind in sorted(self._unattached, key=lambda k: k.value)
                if kind in self._documents
            ]
            draft_id = self._draft_id
        for kind, generation, doc in todo:
            if doc.image is None:
                continue
            prepared = prepare_attachment(
                doc.image, doc.dpi, progress=progress, cancelled=cancelled
            )
            with self._attach_lock:
                with self._lock:
                    if self._generation[kind] != generation or self._draft_id != draft_id:
                        continue  # a newer page came while this one was encoded
                info = store.replace_attachment(
                    draft_id,
                    document=ROLES[kind],
                    data=prepared.data,
                    media_type=prepared.media_type,
                    width=prepared.width,
                    height=prepared.height,
                    dpi=prepared.dpi,
                )
                with self._lock:
                    if self._generation[kind] == generation:
                        self._unattached.discard(kind)
            done.append(info)
        return tuple(done)

    @property
    def attachments_pending(self) -> bool:
        with self._lock:
            return bool(self._unattached) and self._draft_id is not None

    # ------------------------------------------------------------------------- open and leave

    def open(self, draft_id: str, *, attachments: bool = True) -> OpenedDraft:
        """*Blocking.* Leave the current draft (writing its edits) and follow a stored one.

        With ``attachments`` the stored scans are decrypted for the view to show.
        """
        store = self._require_store()
        self._stop_saver()
        draft = store.get_draft(draft_id)
        scans: dict[DocumentRole, bytes] = {}
        for info in store.list_attachments(draft_id) if attachments else ():
            if info.document in ("birth_certificate", "oms_policy"):
                scans[info.document] = store.attachment_data(info.id)
        submission = store.latest_submission(draft_id)
        with self._lock:
            self._reset()
            self._values = dict(draft.fields)
            self._typed = {k for k, v in draft.fields.items() if v.source == "typed"}
            self._start(draft)
            self._submission = submission
        self._emit(Event("draft"))
        self._emit(Event("fields", tuple(draft.fields)))
        if submission is not None:
            self._emit(Event("submission"))
        return OpenedDraft(draft, scans, submission)

    def new(self) -> Callable[[], None]:
        """Start a new application at once.

        Returns the *blocking* rest: writing the previous draft's pending edits and stopping its
        autosaver (milliseconds; a GUI runs it in a worker, a script calls it right away).
        """
        with self._lock:
            saver = self._saver
            self._saver = None
            self._reset()
        self._emit(Event("draft"))
        self._emit(Event("documents"))
        self._emit(Event("fields", DRAFT_KEYS))
        return saver.close if saver is not None else _nothing

    def forget(self, draft_id: str) -> bool:
        """The draft was deleted elsewhere (the drafts list): if it is this one, start anew
        without writing to it. Returns whether it was this session's draft."""
        with self._lock:
            if self._draft_id != draft_id:
                return False
            saver, self._saver = self._saver, None
        if saver is not None:
            saver.discard()  # nothing pending may reach a deleted draft
        with self._lock:
            self._reset()
        self._emit(Event("draft"))
        self._emit(Event("fields", DRAFT_KEYS))
        return True

    def close(self) -> None:
        """*Blocking* (milliseconds). Write what is pending and stop autosaving."""
        self._stop_saver()

    # ----------------------------------------------------------------------------- submitting

    def submit(self, portal_url: str, adapter_factory: AdapterFactory) -> SubmitOutcome:
        """*Blocking.* Check the application, save it, and send it (or queue it when the portal
        cannot be reached).

        Raises:
            InvalidApplicationError: a field breaks a rule (names the fields): nothing is sent.
            NothingToSendError: no values at all.
            AlreadySubmittedError: the draft is already queued or sent (it is never sent twice).
        """
        from omsdesktop.portal.outbox import submit_draft
        from omsdesktop.storage.errors import AlreadySubmittedError

        if not self.editable:
            raise AlreadySubmittedError(draft_id=self._draft_id or "")
        if not self.values():
            raise NothingToSendError()
        results = self.check()
        bad = blocking_fields(results)
        if bad:
            raise InvalidApplicationError.of(bad, results)
        version = self.save()
        with self._lock:
            draft_id = self._draft_id
        if draft_id is None or version is None:
            raise NothingToSendError()
        self.store_attachments()
        store = self._require_store()
        adapter = adapter_factory(portal_url)
        try:
            outcome = submit_draft(
                store, adapter, draft_id, portal_url=portal_url, expected_version=version
            )
        finally:
            adapter.close()
        self._follow(outcome.submission)
        return outcome

    def _follow(self, submission: Submission) -> None:
        """A submission of this draft changed: queued/sent freeze it, a refusal reopens it."""
        with self._lock:
            if submission.draft_id != self._draft_id:
                return
            self._submission = submission
            state = submission.state
        if state in ("queued", "sent"):
            self._stop_saver()
            with self._lock:
                self._state = "queued" if state == "queued" else "submitted"
        elif state == "failed":
            store = self._require_store()
            self._stop_saver()
            draft = store.get_draft(submission.draft_id)
            with self._lock:
                self._start(draft)
        self._emit(Event("submission"))
        self._emit(Event("draft"))

    def refresh_status(self, adapter_factory: AdapterFactory) -> Submission | None:
        """*Blocking.* Ask the portal for the status of this draft's sent application."""
        from omsdesktop.portal.outbox import poll_status

        store = self._require_store()
        draft_id = self._draft_id
        if draft_id is None:
            return None
        submission = store.latest_submission(draft_id)
        if submission is not None and submission.state == "sent":
            adapter = adapter_factory(submission.portal_url)
            try:
                submission = poll_status(store, adapter, draft_id)
            finally:
                adapter.close()
        if submission is not None:
            self._follow(submission)
        return submission

    def flush_outbox(
        self,
        adapter_factory: AdapterFactory,
        *,
        progress: Callable[[float], None] | None = None,
        cancelled: Callable[[], bool] | None = None,
    ) -> FlushReport | None:
        """*Blocking.* Send what waits in this desk's queue; None when nothing waits."""
        from omsdesktop.portal.outbox import flush_outbox

        store = self._require_store()
        if not store.pending_submissions():
            return None
        report = flush_outbox(store, adapter_factory, progress=progress, cancelled=cancelled)
        for outcome in report.outcomes:
            if outcome.submission.draft_id == self._draft_id:
                self._follow(outcome.submission)
        return report

    # -------------------------------------------------------------------------------- helpers

    def _require_store(self) -> Store:
        store = self._store
        if store is None:
            from omsdesktop.storage.errors import DatabaseUnavailableError

            raise DatabaseUnavailableError("not open", where="")
        return store


def _nothing() -> None:
    return None


def _known(key: str) -> str:
    if key not in BY_KEY:
        from omsdesktop.errors import UnknownFieldError

        raise UnknownFieldError(field=key, fields=", ".join(DRAFT_KEYS))
    return key
