"""The draft store: typed Python API over SQLAlchemy (SQLite by default, PostgreSQL for centres).

Every public method is one transaction, committed before it returns: what a method returned is
on disk. Personal data (names, numbers, images, the portal's free-text reasons) are encrypted
with AES-GCM before they reach the database (see :mod:`omsdesktop.storage.crypto`).

Two desks editing the same draft: every save names the version it started from; the database
row is updated only if that is still the version (``UPDATE ... WHERE version = :expected``), so
the second save gets :class:`ConflictError` and nothing is overwritten.
"""

from __future__ import annotations

import base64
import json
import sqlite3
import time
import uuid
from collections.abc import Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path
from typing import Any, cast

from sqlalchemy import CursorResult, Engine, create_engine, delete, event, select, update
from sqlalchemy.engine import make_url
from sqlalchemy.exc import (
    ArgumentError,
    DBAPIError,
    IntegrityError,
    NoSuchModuleError,
    OperationalError,
)
from sqlalchemy.orm import Session, sessionmaker

from omsdesktop.forms.model import FieldSource
from omsdesktop.storage import crypto
from omsdesktop.storage.config import resolve_database_url, resolve_operator
from omsdesktop.storage.errors import (
    AlreadySubmittedError,
    AttachmentNotFoundError,
    ConflictError,
    DatabaseUnavailableError,
    DataCorruptedError,
    DraftLockedError,
    DraftNotFoundError,
    EncryptionKeyMismatchError,
    StorageError,
    UnknownFieldError,
)
from omsdesktop.storage.migrate import upgrade_to_head
from omsdesktop.storage.model import (
    DEFAULT_REQUEST_TYPE,
    DRAFT_FIELDS,
    FIELD_SOURCES,
    PORTAL_APIS,
    PORTAL_STATUSES,
    REQUEST_TYPES,
    AttachmentInfo,
    AuditEntry,
    DocumentRole,
    Draft,
    DraftField,
    DraftState,
    DraftSummary,
    FieldEdit,
    PortalApi,
    PortalStatus,
    RequestType,
    Submission,
    SubmissionEvent,
    SubmissionState,
)
from omsdesktop.storage.tables import (
    AttachmentRow,
    AuditRow,
    DraftFieldRow,
    DraftRow,
    FieldEditRow,
    StorageMeta,
    SubmissionEventRow,
    SubmissionRow,
    utcnow,
)

_KEY_CHECK_PLAINTEXT = b"omsdesktop data key check v1"
_KEY_CHECK_CONTEXT = "meta:key_check"
_DOCUMENT_ROLES: tuple[DocumentRole, ...] = ("birth_certificate", "oms_policy", "other")


def _field_context(draft_id: str, name: str) -> str:
    return f"field:{draft_id}:{name}"


def _history_context(draft_id: str, name: str) -> str:
    return f"history:{draft_id}:{name}"


def _rowcount(result: Any) -> int:
    return int(cast(CursorResult[Any], result).rowcount)


class Store:
    """Drafts, attachments, submissions and the audit log in one database.

    Open with :meth:`open`; close with :meth:`close` (or use it as a context manager). The
    object is safe to share between threads: each call uses its own session.
    """

    def __init__(self, engine: Engine, cipher: crypto.DataCipher, operator: str) -> None:
        self._engine = engine
        self._cipher = cipher
        self._sessions = sessionmaker(engine, expire_on_commit=False)
        self.operator = operator

    # ----------------------------------------------------------------------------- lifecycle

    @classmethod
    def open(
        cls,
        url: str | None = None,
        *,
        operator: str | None = None,
        keys: crypto.KeyProvider | None = None,
    ) -> Store:
        """Open (creating and migrating if needed) the database.

        Args:
            url: SQLAlchemy URL; None means ``OMSDESKTOP_DATABASE_URL``, then the settings,
                then a SQLite file in the per-user data folder.
            operator: who is working (desk or person), stored in the audit log.
            keys: where the data key comes from; default: env, OS keyring, 0600 key file.

        Raises:
            DatabaseUnavailableError: the database cannot be reached or created.
            DatabaseTooNewError: a newer program version has migrated the database.
            EncryptionKeyMismatchError: the key is not the one the database was created with.
        """
        resolved = resolve_database_url(url)
        engine = _create_engine(resolved)
        try:
            try:
                upgrade_to_head(engine)
            except (OperationalError, DBAPIError) as exc:
                raise DatabaseUnavailableError(
                    type(exc).__name__, where=_describe_url(resolved)
                ) from exc
            provider = keys if keys is not None else crypto.DefaultKeyProvider()
            store = cls(engine, crypto.DataCipher(provider.load_or_create()), "")
            store.operator = resolve_operator(operator)
            store._check_key()
        except BaseException:
            engine.dispose()
            raise
        return store

    def close(self) -> None:
        self._engine.dispose()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @property
    def dialect(self) -> str:
        """``sqlite`` or ``postgresql``."""
        return self._engine.dialect.name

    @property
    def url(self) -> str:
        """The database URL with any password hidden."""
        return _describe_url(self._engine.url.render_as_string(hide_password=False))

    @property
    def engine(self) -> Engine:
        return self._engine

    def _check_key(self) -> None:
        for _ in range(2):
            try:
                with self._tx() as session:
                    row = session.get(StorageMeta, "key_check")
                    if row is None:
                        blob = self._cipher.encrypt(_KEY_CHECK_PLAINTEXT, _KEY_CHECK_CONTEXT)
                        session.add(
                            StorageMeta(name="key_check", value=base64.b64encode(blob).decode())
                        )
                        return
                    try:
                        plain = self._cipher.decrypt(
                            base64.b64decode(row.value), _KEY_CHECK_CONTEXT
                        )
                    except DataCorruptedError as exc:
                        raise EncryptionKeyMismatchError("key check failed") from exc
                    if plain != _KEY_CHECK_PLAINTEXT:
                        raise EncryptionKeyMismatchError("key check value differs")
                    return
            except IntegrityError:
                continue  # another desk wrote the check value first: read theirs
        raise EncryptionKeyMismatchError("key check could not be written")

    @contextmanager
    def _tx(self) -> Iterator[Session]:
        try:
            with self._sessions.begin() as session:
                yield session
        except OperationalError as exc:
            raise DatabaseUnavailableError(type(exc).__name__, where=self.url) from exc

    # -------------------------------------------------------------------------------- drafts

    def create_draft(
        self,
        *,
        request_type: RequestType = DEFAULT_REQUEST_TYPE,
        fields: Mapping[str, DraftField] | None = None,
    ) -> Draft:
        """Store a new draft (state ``editing``, version 1) and return it."""
        _check_request_type(request_type)
        fields = dict(fields or {})
        for name, item in fields.items():
            _check_field(name, item)
        draft_id = str(uuid.uuid4())
        now = utcnow()
        with self._tx() as session:
            session.add(
                DraftRow(
                    id=draft_id,
                    version=1,
                    state="editing",
                    request_type=request_type,
                    created_at=now,
                    updated_at=now,
                    created_by=self.operator,
                    updated_by=self.operator,
                )
            )
            session.flush()
            for name, item in fields.items():
                self._write_field(session, draft_id, name, item, None, now)
            self._audit(session, "draft.create", draft_id, f"fields={len(fields)}", now)
        return self.get_draft(draft_id)

    def get_draft(self, draft_id: str) -> Draft:
        with self._tx() as session:
            row = session.get(DraftRow, draft_id)
            if row is None:
                raise DraftNotFoundError(draft_id=draft_id)
            field_rows = session.scalars(
                select(DraftFieldRow).where(DraftFieldRow.draft_id == draft_id)
            ).all()
            return self._draft_from_rows(row, field_rows)

    def list_drafts(self) -> list[DraftSummary]:
        """Every draft, the most recently changed first."""
        name_fields = ("child.last_name", "child.first_name", "child.patronymic")
        with self._tx() as session:
            drafts = session.scalars(
                select(DraftRow).order_by(DraftRow.updated_at.desc(), DraftRow.id)
            ).all()
            names: dict[str, dict[str, str]] = {}
            for frow in session.scalars(
                select(DraftFieldRow).where(DraftFieldRow.name.in_(name_fields))
            ):
                value = self._cipher.decrypt_text(
                    frow.value_enc, _field_context(frow.draft_id, frow.name)
                )
                if value:
                    names.setdefault(frow.draft_id, {})[frow.name] = value
            latest: dict[str, SubmissionRow] = {}
            for srow in session.scalars(select(SubmissionRow).order_by(SubmissionRow.created_at)):
                latest[srow.draft_id] = srow
            out = []
            for row in drafts:
                parts = names.get(row.id, {})
                sub = latest.get(row.id)
                out.append(
                    DraftSummary(
                        id=row.id,
                        version=row.version,
                        state=cast(DraftState, row.state),
                        request_type=cast(RequestType, row.request_type),
                        child_name=" ".join(parts[n] for n in name_fields if n in parts),
                        created_at=row.created_at,
                        updated_at=row.updated_at,
                        submission_state=None if sub is None else cast(SubmissionState, sub.state),
                        portal_status=None
                        if sub is None or sub.portal_status is None
                        else cast(PortalStatus, sub.portal_status),
                    )
                )
            return out

    def save_draft(self, draft: Draft, expected_version: int | None = None) -> Draft:
        """Write every field of ``draft`` that differs from the database; return the new draft.

        Raises:
            ConflictError: the draft changed since ``expected_version`` (default
                ``draft.version``); nothing was written and ``exc.unsaved`` is ``draft``.
            DraftLockedError: the draft is queued or submitted.
        """
        _check_request_type(draft.request_type)
        for name, item in draft.fields.items():
            _check_field(name, item)
        expected = draft.version if expected_version is None else expected_version
        now = utcnow()
        with self._tx() as session:
            self._bump_version(session, draft.id, expected, now, unsaved=draft)
            current = {
                r.name: r
                for r in session.scalars(
                    select(DraftFieldRow).where(DraftFieldRow.draft_id == draft.id)
                )
            }
            changed = []
            for name, item in draft.fields.items():
                if self._write_field(session, draft.id, name, item, current.get(name), now):
                    changed.append(name)
            row = session.get(DraftRow, draft.id)
            assert row is not None
            if row.request_type != draft.request_type:
                row.request_type = draft.request_type
                changed.append("request_type")
            self._audit(session, "draft.save", draft.id, "fields=" + ",".join(changed), now)
        return self.get_draft(draft.id)

    def save_fields(
        self,
        draft_id: str,
        fields: Mapping[str, DraftField],
        *,
        expected_version: int,
    ) -> int:
        """Autosave: write the given fields now (one transaction) and return the new version."""
        for name, item in fields.items():
            _check_field(name, item)
        now = utcnow()
        with self._tx() as session:
            version = self._bump_version(
                session, draft_id, expected_version, now, unsaved=dict(fields)
            )
            current = {
                r.name: r
                for r in session.scalars(
                    select(DraftFieldRow).where(
                        DraftFieldRow.draft_id == draft_id, DraftFieldRow.name.in_(list(fields))
                    )
                )
            }
            changed = [
                name
                for name, item in fields.items()
                if self._write_field(session, draft_id, name, item, current.get(name), now)
            ]
            if changed:
                self._audit(session, "field.edit", draft_id, "fields=" + ",".join(changed), now)
            return version

    def save_field(
        self,
        draft_id: str,
        name: str,
        value: str | None,
        *,
        expected_version: int,
        source: FieldSource = "typed",
        confidence: float = 1.0,
        needs_review: bool = False,
    ) -> int:
        """Autosave one field now; return the draft's new version (see :meth:`save_fields`)."""
        return self.save_fields(
            draft_id,
            {name: DraftField(value, source, confidence, needs_review)},
            expected_version=expected_version,
        )

    def field_history(self, draft_id: str, name: str | None = None) -> list[FieldEdit]:
        """Every recorded change of the draft's fields (or of one field), oldest first."""
        with self._tx() as session:
            if session.get(DraftRow, draft_id) is None:
                raise DraftNotFoundError(draft_id=draft_id)
            query = select(FieldEditRow).where(FieldEditRow.draft_id == draft_id)
            if name is not None:
                query = query.where(FieldEditRow.name == name)
            out = []
            for row in session.scalars(query.order_by(FieldEditRow.id)):
                context = _history_context(draft_id, row.name)
                out.append(
                    FieldEdit(
                        draft_id=draft_id,
                        name=row.name,
                        old_value=self._cipher.decrypt_text(row.old_value_enc, context),
                        new_value=self._cipher.decrypt_text(row.new_value_enc, context),
                        source=cast(FieldSource, row.source),
                        confidence=row.confidence,
                        operator=row.operator,
                        at=row.at,
                    )
                )
            return out

    def delete_draft(self, draft_id: str) -> None:
        """Delete the draft with its fields, history, images and submissions (cascade).

        The audit log keeps a line saying who deleted which draft id (no personal data).
        On SQLite the freed pages are zeroed (``secure_delete``) and the WAL is checkpointed,
        so the deleted (already encrypted) bytes leave the files too.
        """
        now = utcnow()
        with self._tx() as session:
            result = session.execute(delete(DraftRow).where(DraftRow.id == draft_id))
            if _rowcount(result) == 0:
                raise DraftNotFoundError(draft_id=draft_id)
            self._audit(session, "draft.delete", draft_id, "", now)
        self._checkpoint()

    def delete_all_drafts(self) -> int:
        """Delete every draft (the "wipe" of the data); return how many were deleted."""
        now = utcnow()
        with self._tx() as session:
            count = _rowcount(session.execute(delete(DraftRow)))
            self._audit(session, "draft.delete_all", None, f"count={count}", now)
        self._checkpoint()
        if self.dialect == "sqlite":
            self._sqlite_outside_transaction("VACUUM")
            self._checkpoint()
        return count

    def _checkpoint(self) -> None:
        if self.dialect == "sqlite":
            self._sqlite_outside_transaction("PRAGMA wal_checkpoint(TRUNCATE)")

    def _sqlite_outside_transaction(self, sql: str) -> None:
        # Checkpoints and VACUUM refuse to run inside a transaction, and SQLAlchemy would open
        # one (BEGIN IMMEDIATE): use the driver connection, which is in autocommit mode.
        try:
            raw = self._engine.raw_connection()
        except OperationalError as exc:
            raise DatabaseUnavailableError(type(exc).__name__, where=self.url) from exc
        try:
            cursor = raw.cursor()
            try:
                cursor.execute(sql)
                cursor.fetchall()
            except sqlite3.Error as exc:
                raise DatabaseUnavailableError(type(exc).__name__, where=self.url) from exc
            finally:
                cursor.close()
        finally:
            raw.close()

    # --------------------------------------------------------------------------- attachments

    def add_attachment(
        self,
        draft_id: str,
        *,
        document: DocumentRole,
        data: bytes,
        media_type: str,
        width: int,
        height: int,
        dpi: float | None,
        replace: bool = False,
    ) -> AttachmentInfo:
        """Store a prepared attachment (encrypted) for an editable draft.

        With ``replace`` the draft's earlier attachments for the same document go in the same
        transaction: two jobs for one document cannot leave two attachments for it.
        """
        if document not in _DOCUMENT_ROLES:
            raise ValueError(f"unknown document role {document!r}")
        attachment_id = str(uuid.uuid4())
        now = utcnow()
        with self._tx() as session:
            # Touch the draft row: takes its lock, so this serialises with queueing it.
            result = session.execute(
                update(DraftRow)
                .where(DraftRow.id == draft_id, DraftRow.state == "editing")
                .values(updated_at=now)
            )
            if _rowcount(result) == 0:
                self._raise_missing_or_locked(session, draft_id)
            if replace:
                for row in session.scalars(
                    select(AttachmentRow).where(
                        AttachmentRow.draft_id == draft_id, AttachmentRow.document == document
                    )
                ).all():
                    session.delete(row)
                    self._audit(session, "attachment.delete", draft_id, f"document={document}", now)
            session.add(
                AttachmentRow(
                    id=attachment_id,
                    draft_id=draft_id,
                    document=document,
                    media_type=media_type,
                    size_bytes=len(data),
                    width=width,
                    height=height,
                    dpi=dpi,
                    data_enc=self._cipher.encrypt(
                        data, _attachment_context(attachment_id, draft_id)
                    ),
                    created_at=now,
                )
            )
            self._audit(session, "attachment.add", draft_id, f"document={document}", now)
        return AttachmentInfo(
            attachment_id, draft_id, document, media_type, len(data), width, height, dpi, now
        )

    def replace_attachment(
        self,
        draft_id: str,
        *,
        document: DocumentRole,
        data: bytes,
        media_type: str,
        width: int,
        height: int,
        dpi: float | None,
    ) -> AttachmentInfo:
        """Make this the draft's only attachment for ``document``, in one transaction."""
        return self.add_attachment(
            draft_id,
            document=document,
            data=data,
            media_type=media_type,
            width=width,
            height=height,
            dpi=dpi,
            replace=True,
        )

    def list_attachments(self, draft_id: str) -> list[AttachmentInfo]:
        with self._tx() as session:
            rows = session.scalars(
                select(AttachmentRow)
                .where(AttachmentRow.draft_id == draft_id)
                .order_by(AttachmentRow.created_at, AttachmentRow.id)
            ).all()
            return [_attachment_info(r) for r in rows]

    def attachment_data(self, attachment_id: str) -> bytes:
        with self._tx() as session:
            row = session.get(AttachmentRow, attachment_id)
            if row is None:
                raise AttachmentNotFoundError(attachment_id=attachment_id)
            return self._cipher.decrypt(
                row.data_enc, _attachment_context(attachment_id, row.draft_id)
            )

    def delete_attachment(self, attachment_id: str) -> None:
        now = utcnow()
        with self._tx() as session:
            row = session.get(AttachmentRow, attachment_id)
            if row is None:
                raise AttachmentNotFoundError(attachment_id=attachment_id)
            draft = session.get(DraftRow, row.draft_id)
            if draft is not None and draft.state != "editing":
                raise DraftLockedError(draft_id=row.draft_id)
            session.delete(row)
            self._audit(session, "attachment.delete", row.draft_id, f"document={row.document}", now)
        self._checkpoint()

    # --------------------------------------------------------------------------- submissions

    def enqueue_submission(
        self,
        draft_id: str,
        *,
        portal_url: str,
        expected_version: int | None = None,
        portal_api: PortalApi = "contract",
    ) -> Submission:
        """Freeze the draft and queue it for the portal, with its idempotency key, committed.

        The key is generated and stored here, before any attempt to send, so every retry and
        every later ``outbox flush`` (from any desk) sends the same key. ``portal_api`` is the
        API the submission speaks from now on (an EPGU submission is flushed through EPGU).

        Raises:
            AlreadySubmittedError: the draft is already queued or submitted.
            ConflictError: ``expected_version`` is stale.
        """
        if portal_api not in PORTAL_APIS:
            raise ValueError(f"unknown portal API {portal_api!r}")
        now = utcnow()
        with self._tx() as session:
            row = session.get(DraftRow, draft_id)
            if row is None:
                raise DraftNotFoundError(draft_id=draft_id)
            if row.state != "editing":
                raise AlreadySubmittedError(draft_id=draft_id)
            expected = row.version if expected_version is None else expected_version
            result = session.execute(
                update(DraftRow)
                .where(
                    DraftRow.id == draft_id,
                    DraftRow.version == expected,
                    DraftRow.state == "editing",
                )
                .values(
                    state="queued", version=expected + 1, updated_at=now, updated_by=self.operator
                )
                .execution_options(synchronize_session=False)
            )
            if _rowcount(result) == 0:
                session.expire_all()
                fresh = session.get(DraftRow, draft_id)
                if fresh is None:
                    raise DraftNotFoundError(draft_id=draft_id)
                if fresh.state != "editing":
                    raise AlreadySubmittedError(draft_id=draft_id)
                raise ConflictError(
                    draft_id=draft_id, current_version=fresh.version, operator=fresh.updated_by
                )
            submission = SubmissionRow(
                id=str(uuid.uuid4()),
                draft_id=draft_id,
                idempotency_key=f"oms-{uuid.uuid4()}",
                state="queued",
                portal_url=portal_url,
                attempts=0,
                last_error_code=None,
                portal_id=None,
                request_number=None,
                portal_status=None,
                reason_enc=None,
                fields_to_fix="[]",
                created_at=now,
                updated_at=now,
                sent_at=None,
                portal_api=portal_api,
                order_id=None,
                reserve_started_at=None,
                push_started_at=None,
                pushes=0,
                processing_code=None,
                status_id=None,
            )
            session.add(submission)
            session.flush()
            self._event(session, submission, now)
            self._audit(session, "submission.queue", draft_id, f"submission={submission.id}", now)
            return self._submission(submission)

    def get_submission(self, submission_id: str) -> Submission:
        with self._tx() as session:
            row = session.get(SubmissionRow, submission_id)
            if row is None:
                raise StorageError(f"submission {submission_id} not found")
            return self._submission(row)

    def latest_submission(self, draft_id: str) -> Submission | None:
        with self._tx() as session:
            row = session.scalars(
                select(SubmissionRow)
                .where(SubmissionRow.draft_id == draft_id)
                .order_by(SubmissionRow.created_at.desc(), SubmissionRow.id)
                .limit(1)
            ).first()
            return None if row is None else self._submission(row)

    def pending_submissions(self) -> list[Submission]:
        """Queued submissions, oldest first: what ``outbox flush`` sends."""
        with self._tx() as session:
            rows = session.scalars(
                select(SubmissionRow)
                .where(SubmissionRow.state == "queued")
                .order_by(SubmissionRow.created_at, SubmissionRow.id)
            ).all()
            return [self._submission(r) for r in rows]

    def record_attempt(self, submission_id: str, *, error_code: str | None) -> None:
        """Count a send attempt that did not get the portal's answer (error code, no data)."""
        now = utcnow()
        with self._tx() as session:
            row = self._get_submission_row(session, submission_id)
            row.attempts += 1
            row.last_error_code = error_code
            row.updated_at = now
            if error_code is not None:
                self._event(session, row, now, error_code=error_code)

    def mark_sent(
        self,
        submission_id: str,
        *,
        portal_id: str,
        request_number: str | None,
        portal_status: PortalStatus,
        processing_code: str | None = None,
        status_id: int | None = None,
    ) -> Submission:
        """The portal accepted the application: the draft becomes ``submitted`` for good.

        EPGU: called when the push is accepted (``portal_id`` is the order id); the two status
        layers are stored when given.
        """
        _check_portal_status(portal_status)
        now = utcnow()
        with self._tx() as session:
            row = self._get_submission_row(session, submission_id)
            if row.state == "sent":
                if row.portal_id != portal_id:
                    raise StorageError("submission already sent with another portal id")
                return self._submission(row)
            if row.state != "queued":
                raise StorageError(f"cannot mark a {row.state} submission sent")
            row.state = "sent"
            row.portal_id = portal_id
            row.request_number = request_number
            row.portal_status = portal_status
            row.last_error_code = None
            row.attempts += 1
            row.sent_at = now
            row.updated_at = now
            row.push_started_at = None
            if processing_code is not None:
                row.processing_code = processing_code
            if status_id is not None:
                row.status_id = status_id
            session.execute(
                update(DraftRow)
                .where(DraftRow.id == row.draft_id)
                .values(state="submitted", version=DraftRow.version + 1, updated_at=now)
                .execution_options(synchronize_session=False)
            )
            self._event(session, row, now)
            self._audit(session, "submission.sent", row.draft_id, f"submission={row.id}", now)
            return self._submission(row)

    def mark_failed(
        self,
        submission_id: str,
        *,
        error_code: str,
        reason: str | None = None,
        fields_to_fix: Sequence[str] = (),
    ) -> Submission:
        """The portal refused the data (nothing was created there): the draft is editable again.

        A later submission of the corrected draft gets a new idempotency key.
        """
        now = utcnow()
        with self._tx() as session:
            row = self._get_submission_row(session, submission_id)
            if row.state != "queued":
                raise StorageError(f"cannot mark a {row.state} submission failed")
            row.state = "failed"
            row.last_error_code = error_code
            row.attempts += 1
            row.reason_enc = self._cipher.encrypt_text(reason, _reason_context(row.id))
            row.fields_to_fix = json.dumps(list(fields_to_fix), ensure_ascii=False)
            row.updated_at = now
            session.execute(
                update(DraftRow)
                .where(DraftRow.id == row.draft_id, DraftRow.state == "queued")
                .values(state="editing", version=DraftRow.version + 1, updated_at=now)
                .execution_options(synchronize_session=False)
            )
            self._event(session, row, now, error_code=error_code, detail=reason)
            self._audit(session, "submission.failed", row.draft_id, f"error={error_code}", now)
            return self._submission(row)

    def record_portal_status(
        self,
        submission_id: str,
        *,
        status: PortalStatus,
        reason: str | None = None,
        fields_to_fix: Sequence[str] = (),
        request_number: str | None = None,
        processing_code: str | None = None,
        status_id: int | None = None,
    ) -> Submission:
        """Store the portal's status of a sent application (history keeps every change).

        EPGU: ``processing_code`` and ``status_id`` are the two layers (None: unchanged).
        """
        _check_portal_status(status)
        now = utcnow()
        with self._tx() as session:
            row = self._get_submission_row(session, submission_id)
            if row.state != "sent":
                raise StorageError("status of a submission that was not sent")
            old_reason = self._cipher.decrypt_text(row.reason_enc, _reason_context(row.id))
            fields_json = json.dumps(list(fields_to_fix), ensure_ascii=False)
            changed = (
                row.portal_status != status
                or old_reason != reason
                or row.fields_to_fix != fields_json
                or (request_number is not None and row.request_number != request_number)
                or (processing_code is not None and row.processing_code != processing_code)
                or (status_id is not None and row.status_id != status_id)
            )
            if changed:
                if processing_code is not None:
                    row.processing_code = processing_code
                if status_id is not None:
                    row.status_id = status_id
                row.portal_status = status
                row.reason_enc = self._cipher.encrypt_text(reason, _reason_context(row.id))
                row.fields_to_fix = fields_json
                if request_number is not None:
                    row.request_number = request_number
                row.updated_at = now
                self._event(session, row, now, detail=reason)
                self._audit(session, "submission.status", row.draft_id, f"status={status}", now)
            return self._submission(row)

    # ------------------------------------------------------------------------ the EPGU flow

    def begin_order_reservation(self, submission_id: str) -> Submission:
        """Note, committed, that an order is about to be reserved for this queued submission.

        The first such time is kept: if the portal's answer is lost, the orders it reserved
        after that moment are where the submission's order is looked for (never a blind second
        reservation while one may exist).
        """
        now = utcnow()
        with self._tx() as session:
            row = self._get_submission_row(session, submission_id)
            if row.state != "queued" or row.order_id is not None:
                raise StorageError(f"no reservation for a {row.state} submission with an order")
            if row.reserve_started_at is None:
                row.reserve_started_at = now
            row.updated_at = now
            return self._submission(row)

    def claimed_order_ids(self, order_ids: Iterable[str]) -> set[str]:
        """Which of these portal orders already belong to a submission (of any desk)."""
        wanted = list(dict.fromkeys(order_ids))
        if not wanted:
            return set()
        with self._tx() as session:
            rows = session.scalars(
                select(SubmissionRow.order_id).where(SubmissionRow.order_id.in_(wanted))
            ).all()
            return {r for r in rows if r is not None}

    def claim_order(self, submission_id: str, order_id: str) -> Submission | None:
        """Store the order reserved for (or found for) this submission; one order, one draft.

        Returns None when another submission holds this order already (the unique index
        decides between two desks); the same order again is a no-op.

        Raises:
            StorageError: the submission has a different order, or is not queued.
        """
        now = utcnow()
        try:
            with self._tx() as session:
                row = self._get_submission_row(session, submission_id)
                if row.order_id == order_id:
                    return self._submission(row)
                if row.order_id is not None or row.state != "queued":
                    raise StorageError("the submission already has an order or is not queued")
                row.order_id = order_id
                row.updated_at = now
                session.flush()
                self._event(session, row, now, error_code=None)
                self._audit(session, "submission.order", row.draft_id, f"order={order_id}", now)
                return self._submission(row)
        except IntegrityError:
            return None

    def begin_push(self, submission_id: str) -> Submission:
        """Note, committed, that the archive is about to be pushed to the submission's order.

        From here until the portal's answer is stored, a retry first asks the portal what the
        order holds: a push whose answer was lost is never repeated blindly.
        """
        now = utcnow()
        with self._tx() as session:
            row = self._get_submission_row(session, submission_id)
            if row.state != "queued" or row.order_id is None:
                raise StorageError("push of a submission without an order or not queued")
            row.push_started_at = now
            row.pushes += 1
            row.updated_at = now
            return self._submission(row)

    def clear_push(self, submission_id: str) -> Submission:
        """The portal says the order holds no archive: the started push did not arrive."""
        now = utcnow()
        with self._tx() as session:
            row = self._get_submission_row(session, submission_id)
            if row.state == "queued":
                row.push_started_at = None
                row.updated_at = now
            return self._submission(row)

    def mark_processing_failed(
        self,
        submission_id: str,
        *,
        processing_code: str,
        reason: str | None = None,
        fields_to_fix: Sequence[str] = (),
        status_id: int | None = None,
    ) -> Submission:
        """EPGU refused the pushed application while processing it (VALIDATION_ERROR …).

        The order is finished on the portal without an application: the submission fails and
        the draft is editable again; a corrected draft is filed with a new order.
        """
        now = utcnow()
        with self._tx() as session:
            row = self._get_submission_row(session, submission_id)
            if row.state not in ("queued", "sent"):
                raise StorageError(f"cannot fail a {row.state} submission")
            was = row.state
            row.state = "failed"
            row.last_error_code = processing_code.lower()[:64]
            row.processing_code = processing_code
            if status_id is not None:
                row.status_id = status_id
            row.push_started_at = None
            row.reason_enc = self._cipher.encrypt_text(reason, _reason_context(row.id))
            row.fields_to_fix = json.dumps(list(fields_to_fix), ensure_ascii=False)
            row.updated_at = now
            draft_state = "queued" if was == "queued" else "submitted"
            session.execute(
                update(DraftRow)
                .where(DraftRow.id == row.draft_id, DraftRow.state == draft_state)
                .values(state="editing", version=DraftRow.version + 1, updated_at=now)
                .execution_options(synchronize_session=False)
            )
            self._event(session, row, now, error_code=row.last_error_code, detail=reason)
            self._audit(
                session, "submission.failed", row.draft_id, f"error={row.last_error_code}", now
            )
            return self._submission(row)

    def submission_history(self, submission_id: str) -> list[SubmissionEvent]:
        with self._tx() as session:
            rows = session.scalars(
                select(SubmissionEventRow)
                .where(SubmissionEventRow.submission_id == submission_id)
                .order_by(SubmissionEventRow.id)
            ).all()
            return [
                SubmissionEvent(
                    submission_id=r.submission_id,
                    at=r.at,
                    state=cast(SubmissionState, r.state),
                    portal_status=None
                    if r.portal_status is None
                    else cast(PortalStatus, r.portal_status),
                    error_code=r.error_code,
                    detail=self._cipher.decrypt_text(r.detail_enc, _event_context(r.submission_id)),
                    operator=r.operator,
                )
                for r in rows
            ]

    # ----------------------------------------------------------------------------- audit log

    def audit_log(self, draft_id: str | None = None, *, limit: int = 1000) -> list[AuditEntry]:
        """The newest ``limit`` audit entries (of one draft id, if given), oldest first."""
        with self._tx() as session:
            query = select(AuditRow)
            if draft_id is not None:
                query = query.where(AuditRow.draft_id == draft_id)
            rows = session.scalars(query.order_by(AuditRow.id.desc()).limit(limit)).all()
            return [AuditEntry(r.at, r.operator, r.action, r.draft_id, r.detail) for r in rows][
                ::-1
            ]

    # ------------------------------------------------------------------------------- helpers

    def _bump_version(
        self, session: Session, draft_id: str, expected: int, now: datetime, *, unsaved: object
    ) -> int:
        result = session.execute(
            update(DraftRow)
            .where(
                DraftRow.id == draft_id,
                DraftRow.version == expected,
                DraftRow.state == "editing",
            )
            .values(version=expected + 1, updated_at=now, updated_by=self.operator)
            .execution_options(synchronize_session=False)
        )
        if _rowcount(result) == 1:
            session.expire_all()
            return expected + 1
        session.expire_all()
        row = session.get(DraftRow, draft_id)
        if row is None:
            raise DraftNotFoundError(draft_id=draft_id)
        if row.state != "editing":
            raise DraftLockedError(draft_id=draft_id)
        raise ConflictError(
            f"expected version {expected}, found {row.version}",
            draft_id=draft_id,
            current_version=row.version,
            operator=row.updated_by,
            unsaved=unsaved,
        )

    def _raise_missing_or_locked(self, session: Session, draft_id: str) -> None:
        if session.get(DraftRow, draft_id) is None:
            raise DraftNotFoundError(draft_id=draft_id)
        raise DraftLockedError(draft_id=draft_id)

    def _write_field(
        self,
        session: Session,
        draft_id: str,
        name: str,
        item: DraftField,
        current: DraftFieldRow | None,
        now: datetime,
    ) -> bool:
        """Upsert one field row; add a history line if the value changed. True if changed."""
        context = _field_context(draft_id, name)
        old_value = (
            None if current is None else self._cipher.decrypt_text(current.value_enc, context)
        )
        if current is not None and (
            old_value == item.value
            and current.source == item.source
            and current.confidence == item.confidence
            and current.needs_review == item.needs_review
        ):
            return False
        encrypted = self._cipher.encrypt_text(item.value, context)
        if current is None:
            session.add(
                DraftFieldRow(
                    draft_id=draft_id,
                    name=name,
                    value_enc=encrypted,
                    source=item.source,
                    confidence=item.confidence,
                    needs_review=item.needs_review,
                    updated_at=now,
                )
            )
        else:
            current.value_enc = encrypted
            current.source = item.source
            current.confidence = item.confidence
            current.needs_review = item.needs_review
            current.updated_at = now
        if current is None or old_value != item.value:
            history = _history_context(draft_id, name)
            session.add(
                FieldEditRow(
                    draft_id=draft_id,
                    name=name,
                    old_value_enc=self._cipher.encrypt_text(old_value, history),
                    new_value_enc=self._cipher.encrypt_text(item.value, history),
                    source=item.source,
                    confidence=item.confidence,
                    operator=self.operator,
                    at=now,
                )
            )
        return True

    def _draft_from_rows(self, row: DraftRow, field_rows: Iterable[DraftFieldRow]) -> Draft:
        fields = {
            f.name: DraftField(
                value=self._cipher.decrypt_text(f.value_enc, _field_context(row.id, f.name)),
                source=cast(FieldSource, f.source),
                confidence=f.confidence,
                needs_review=f.needs_review,
            )
            for f in field_rows
        }
        return Draft(
            id=row.id,
            version=row.version,
            state=cast(DraftState, row.state),
            request_type=cast(RequestType, row.request_type),
            fields=fields,
            created_at=row.created_at,
            updated_at=row.updated_at,
            created_by=row.created_by,
            updated_by=row.updated_by,
        )

    def _get_submission_row(self, session: Session, submission_id: str) -> SubmissionRow:
        row = session.get(SubmissionRow, submission_id)
        if row is None:
            raise StorageError(f"submission {submission_id} not found")
        return row

    def _submission(self, row: SubmissionRow) -> Submission:
        return Submission(
            id=row.id,
            draft_id=row.draft_id,
            idempotency_key=row.idempotency_key,
            state=cast(SubmissionState, row.state),
            portal_url=row.portal_url,
            attempts=row.attempts,
            last_error_code=row.last_error_code,
            portal_id=row.portal_id,
            request_number=row.request_number,
            portal_status=None
            if row.portal_status is None
            else cast(PortalStatus, row.portal_status),
            reason=self._cipher.decrypt_text(row.reason_enc, _reason_context(row.id)),
            fields_to_fix=tuple(json.loads(row.fields_to_fix or "[]")),
            created_at=row.created_at,
            updated_at=row.updated_at,
            sent_at=row.sent_at,
            portal_api=cast(PortalApi, row.portal_api or "contract"),
            order_id=row.order_id,
            reserve_started_at=row.reserve_started_at,
            push_started_at=row.push_started_at,
            pushes=row.pushes or 0,
            processing_code=row.processing_code,
            status_id=row.status_id,
        )

    def _event(
        self,
        session: Session,
        row: SubmissionRow,
        now: datetime,
        *,
        error_code: str | None = None,
        detail: str | None = None,
    ) -> None:
        session.add(
            SubmissionEventRow(
                submission_id=row.id,
                at=now,
                state=row.state,
                portal_status=row.portal_status,
                error_code=error_code,
                detail_enc=self._cipher.encrypt_text(detail, _event_context(row.id)),
                operator=self.operator,
            )
        )

    def _audit(
        self, session: Session, action: str, draft_id: str | None, detail: str, now: datetime
    ) -> None:
        session.add(
            AuditRow(
                at=now, operator=self.operator, action=action, draft_id=draft_id, detail=detail
            )
        )


def _attachment_context(attachment_id: str, draft_id: str) -> str:
    return f"attachment:{draft_id}:{attachment_id}"


def _reason_context(submission_id: str) -> str:
    return f"submission-reason:{submission_id}"


def _event_context(submission_id: str) -> str:
    return f"submission-event:{submission_id}"


def _attachment_info(row: AttachmentRow) -> AttachmentInfo:
    return AttachmentInfo(
        id=row.id,
        draft_id=row.draft_id,
        document=cast(DocumentRole, row.document),
        media_type=row.media_type,
        size_bytes=row.size_bytes,
        width=row.width,
        height=row.height,
        dpi=row.dpi,
        created_at=row.created_at,
    )


def _check_field(name: str, item: DraftField) -> None:
    if name not in DRAFT_FIELDS:
        raise UnknownFieldError(field=name, fields=", ".join(DRAFT_FIELDS))
    if item.source not in FIELD_SOURCES:
        raise ValueError(f"unknown field source {item.source!r}")


def _check_request_type(request_type: str) -> None:
    if request_type not in REQUEST_TYPES:
        raise ValueError(f"unknown request type {request_type!r}")


def _check_portal_status(status: str) -> None:
    if status not in PORTAL_STATUSES:
        raise ValueError(f"unknown portal status {status!r}")


def _describe_url(url: str) -> str:
    try:
        parsed = make_url(url)
    except ArgumentError:
        return "?"
    if parsed.get_backend_name() == "sqlite":
        return parsed.database or ":memory:"
    return parsed.render_as_string(hide_password=True)


def _create_engine(url: str) -> Engine:
    try:
        parsed = make_url(url)
    except ArgumentError as exc:
        raise DatabaseUnavailableError("bad database URL", where="?") from exc
    try:
        if parsed.get_backend_name() == "sqlite":
            return _create_sqlite_engine(url, parsed.database)
        return create_engine(url, pool_pre_ping=True)
    except (NoSuchModuleError, ImportError) as exc:
        raise DatabaseUnavailableError(
            "no driver for the database URL", where=_describe_url(url)
        ) from exc


_WAL_WAIT_S = 30.0


def _use_wal(cursor: sqlite3.Cursor) -> None:
    """Switch the database file to write-ahead logging, waiting for other desks if need be.

    The switch needs the database to itself and SQLite does not wait for it (busy_timeout
    does not apply): desks opening a new database at the same moment got "database is
    locked". The mode is stored in the file, so once one desk has switched, the others find
    it already set.
    """
    deadline = time.monotonic() + _WAL_WAIT_S
    delay = 0.01
    while True:
        try:
            mode = cursor.execute("PRAGMA journal_mode").fetchone()
            if mode is not None and str(mode[0]).lower() == "wal":
                return
            cursor.execute("PRAGMA journal_mode = WAL")
            return
        except sqlite3.OperationalError as exc:
            if "locked" not in str(exc) or time.monotonic() > deadline:
                raise
        time.sleep(delay)
        delay = min(delay * 2, 0.2)


def _create_sqlite_engine(url: str, database: str | None) -> Engine:
    if database and database != ":memory:" and not database.startswith("file:"):
        folder = Path(database).parent
        try:
            folder.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise DatabaseUnavailableError(str(exc), where=database) from exc
    engine = create_engine(url, connect_args={"timeout": 30})

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        # Let SQLAlchemy, not the driver, start transactions (see _on_begin).
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        try:
            cursor.execute("PRAGMA busy_timeout = 30000")
            _use_wal(cursor)
            # FULL: a commit is on disk before the call returns (power loss, not only kill -9).
            cursor.execute("PRAGMA synchronous = FULL")
            cursor.execute("PRAGMA foreign_keys = ON")
            # Deleted drafts' (encrypted) bytes are overwritten with zeros, not left in free pages.
            cursor.execute("PRAGMA secure_delete = ON")
        finally:
            cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn: Any) -> None:
        # IMMEDIATE takes the write lock up front: two processes never deadlock upgrading a
        # read transaction to a write one, they wait (busy_timeout) instead.
        conn.exec_driver_sql("BEGIN IMMEDIATE")

    return engine
