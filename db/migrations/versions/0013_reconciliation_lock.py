"""reconciliation lock

Revision ID: 0013_reconciliation_lock
Revises: 0012_payout_runs
Create Date: 2026-12-07 03:39:27.119790
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0013_reconciliation_lock"
down_revision = "0012_payout_runs"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "reconciliation_lock",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("taken_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id"),
    )
    op.execute("INSERT INTO reconciliation_lock (id) VALUES (1)")


def downgrade() -> None:
    op.drop_table("reconciliation_lock")
