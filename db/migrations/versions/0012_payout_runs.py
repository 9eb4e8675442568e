"""payout runs

Revision ID: 0012_payout_runs
Revises: 0011_bank_reconciliation
Create Date: 2026-12-07 02:27:47.658775
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0012_payout_runs"
down_revision = "0011_bank_reconciliation"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "payout_runs",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("run_key", sa.String(length=32), nullable=False),
        sa.Column("part", sa.Integer(), nullable=False),
        sa.Column("message_id", sa.String(length=35), nullable=False),
        sa.Column("file_path", sa.Text(), nullable=False),
        sa.Column("payouts", sa.Integer(), nullable=False),
        sa.Column("total_cents", sa.BigInteger(), nullable=False),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("(CURRENT_TIMESTAMP)"),
            nullable=False,
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("message_id"),
        sa.UniqueConstraint("run_key", "part"),
    )
    with op.batch_alter_table("payouts", schema=None) as batch_op:
        batch_op.add_column(sa.Column("run_key", sa.String(length=32), nullable=True))
        batch_op.add_column(sa.Column("message_id", sa.String(length=35), nullable=True))
        batch_op.create_index(batch_op.f("ix_payouts_run_key"), ["run_key"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("payouts", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_payouts_run_key"))
        batch_op.drop_column("message_id")
        batch_op.drop_column("run_key")

    op.drop_table("payout_runs")
