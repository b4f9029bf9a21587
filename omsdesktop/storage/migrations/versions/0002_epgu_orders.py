"""Submissions through the EPGU API: the API used, the reserved order, the push, two status layers.

Revision ID: 0002_epgu_orders
Revises: 0001_initial
Create Date: 2026-12-10
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision: str = "0002_epgu_orders"
down_revision: str | None = "0001_initial"
branch_labels: str | None = None
depends_on: str | None = None


def upgrade() -> None:
    # Plain ADD COLUMN and a unique index, no batch rebuild: rebuilding ``submissions`` on SQLite
    # would drop the table its history rows cascade from.
    op.add_column(
        "submissions",
        sa.Column("portal_api", sa.String(16), server_default="contract", nullable=False),
    )
    op.add_column("submissions", sa.Column("order_id", sa.String(64), nullable=True))
    op.add_column(
        "submissions", sa.Column("reserve_started_at", sa.DateTime(timezone=True), nullable=True)
    )
    op.add_column(
        "submissions", sa.Column("push_started_at", sa.DateTime(timezone=True), nullable=True)
    )
    op.add_column(
        "submissions", sa.Column("pushes", sa.Integer(), server_default="0", nullable=False)
    )
    op.add_column("submissions", sa.Column("processing_code", sa.String(40), nullable=True))
    op.add_column("submissions", sa.Column("status_id", sa.Integer(), nullable=True))
    op.create_index("ix_submissions_order_id", "submissions", ["order_id"], unique=True)


def downgrade() -> None:
    op.drop_index("ix_submissions_order_id", table_name="submissions")
    # ALTER TABLE … DROP COLUMN (SQLite ≥ 3.35), again without rebuilding the table.
    for name in (
        "status_id",
        "processing_code",
        "pushes",
        "push_started_at",
        "reserve_started_at",
        "order_id",
        "portal_api",
    ):
        op.drop_column("submissions", name)
