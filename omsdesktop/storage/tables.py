"""SQLAlchemy 2 tables. Personal data live only in the ``*_enc`` columns (AES-GCM).

The Alembic migrations in ``omsdesktop/storage/migrations`` create exactly this schema; a test
compares the two.
"""

from __future__ import annotations

from datetime import datetime, timezone

from sqlalchemy import (
    Boolean,
    DateTime,
    Dialect,
    Float,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Text,
    TypeDecorator,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class UTCDateTime(TypeDecorator[datetime]):
    """Aware UTC datetimes on every backend (SQLite keeps them naive, in UTC)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to the database")
        value = value.astimezone(timezone.utc)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=timezone.utc)
        return value.astimezone(timezone.utc)


def utcnow() -> datetime:
    return datetime.now(timezone.utc)


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


class StorageMeta(Base):
    __tablename__ = "storage_meta"

    name: Mapped[str] = mapped_column(String(64), primary_key=True)
    value: Mapped[str] = mapped_column(Text)


class DraftRow(Base):
    __tablename__ = "drafts"

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    version: Mapped[int] = mapped_column(Integer)
    state: Mapped[str] = mapped_column(String(16))
    request_type: Mapped[str] = mapped_column(String(32))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime())
    created_by: Mapped[str] = mapped_column(String(200))
    updated_by: Mapped[str] = mapped_column(String(200))


class DraftFieldRow(Base):
    __tablename__ = "draft_fields"
    __table_args__ = (UniqueConstraint("draft_id", "name"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    draft_id: Mapped[str] = mapped_column(
        String(36), ForeignKey("drafts.id", ondelete="CASCADE"), index=True
    )
    name: Mapped[str] = mapped_column(String(64))
    value_enc: Mapped[bytes | None] = mapped_column(LargeBinary, nullable=True)
    source: Mapped[str] = mapped_column(String(16))
    confidence: Mapped[float] = mapped_column(Float)
    needs_review: Mapped[bool] = mapped_column(Boolean)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime())


class FieldEditRow(Base):
    __tablename__ = "field_edits"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    draft_id: Mapped[str] = mapped_column(
        String(36), ForeignKey("drafts.id", ondelete="CASCADE"), index=True
    )
    name: Mapped[str] = mapped_column(String(64))
    old_value_enc: Mapped[bytes | None] = mapped_column(LargeBinary, nullable=True)
    new_value_enc: Mapped[bytes | None] = mapped_column(LargeBinary, nullable=True)
    source: Mapped[str] = mapped_column(String(16))
    confidence: Mapped[float] = mapped_column(Float)
    operator: Mapped[str] = mapped_column(String(200))
    at: Mapped[datetime] = mapped_column(UTCDateTime())


class AttachmentRow(Base):
    __tablename__ = "attachments"

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    draft_id: Mapped[str] = mapped_column(
        String(36), ForeignKey("drafts.id", ondelete="CASCADE"), index=True
    )
    document: Mapped[str] = mapped_column(String(32))
    media_type: Mapped[str] = mapped_column(String(64))
    size_bytes: Mapped[int] = mapped_column(Integer)
    width: Mapped[int] = mapped_column(Integer)
    height: Mapped[int] = mapped_column(Integer)
    dpi: Mapped[float | None] = mapped_column(Float, nullable=True)
    data_enc: Mapped[bytes] = mapped_column(LargeBinary)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())


class SubmissionRow(Base):
    __tablename__ = "submissions"
    # A unique index, not a constraint: SQLite adds it without rebuilding the table (a rebuild
    # would cascade-delete the submissions' history).
    __table_args__ = (Index("ix_submissions_order_id", "order_id", unique=True),)

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    draft_id: Mapped[str] = mapped_column(
        String(36), ForeignKey("drafts.id", ondelete="CASCADE"), index=True
    )
    idempotency_key: Mapped[str] = mapped_column(String(64), unique=True)
    state: Mapped[str] = mapped_column(String(16), index=True)
    portal_url: Mapped[str] = mapped_column(String(500))
    attempts: Mapped[int] = mapped_column(Integer)
    last_error_code: Mapped[str | None] = mapped_column(String(64), nullable=True)
    portal_id: Mapped[str | None] = mapped_column(String(100), nullable=True)
    request_number: Mapped[str | None] = mapped_column(String(100), nullable=True)
    portal_status: Mapped[str | None] = mapped_column(String(32), nullable=True)
    reason_enc: Mapped[bytes | None] = mapped_column(LargeBinary, nullable=True)
    fields_to_fix: Mapped[str] = mapped_column(Text)  # JSON list of field names
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime())
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    # The EPGU flow (0002): which API the submission speaks, the order reserved for it (one
    # per draft, unique), when a reservation and a push were started (a lost answer after
    # either is resolved by asking the portal, never by a blind repeat) and both status layers.
    portal_api: Mapped[str] = mapped_column(String(16), server_default="contract")
    order_id: Mapped[str | None] = mapped_column(String(64), nullable=True)
    reserve_started_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    push_started_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    pushes: Mapped[int] = mapped_column(Integer, server_default="0")
    processing_code: Mapped[str | None] = mapped_column(String(40), nullable=True)
    status_id: Mapped[int | None] = mapped_column(Integer, nullable=True)


class SubmissionEventRow(Base):
    __tablename__ = "submission_events"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    submission_id: Mapped[str] = mapped_column(
        String(36), ForeignKey("submissions.id", ondelete="CASCADE"), index=True
    )
    at: Mapped[datetime] = mapped_column(UTCDateTime())
    state: Mapped[str] = mapped_column(String(16))
    portal_status: Mapped[str | None] = mapped_column(String(32), nullable=True)
    error_code: Mapped[str | None] = mapped_column(String(64), nullable=True)
    detail_enc: Mapped[bytes | None] = mapped_column(LargeBinary, nullable=True)
    operator: Mapped[str] = mapped_column(String(200))


class AuditRow(Base):
    """Who changed what. Kept after a draft is deleted; holds no personal data."""

    __tablename__ = "audit_log"
    __table_args__ = (Index("ix_audit_log_draft_id", "draft_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime())
    operator: Mapped[str] = mapped_column(String(200))
    action: Mapped[str] = mapped_column(String(64))
    draft_id: Mapped[str | None] = mapped_column(String(36), nullable=True)
    detail: Mapped[str] = mapped_column(Text)
