"""payout attempts: a rejected or returned wage is paid again under a new EndToEndId

Revision ID: 0014_payout_attempts
Revises: 0013_reconciliation_lock
Create Date: 2026-12-07 04:40:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0014_payout_attempts"
down_revision = "0013_reconciliation_lock"
branch_labels = None
depends_on = None

# 0001 left the unique constraint on payouts.order_id unnamed: PostgreSQL named it itself,
# SQLite's batch mode needs a naming convention to find it.
_SQLITE_NAMES = {"uq": "uq_%(table_name)s_%(column_0_name)s"}


def _drop_one_payout_per_order() -> None:
    if op.get_bind().dialect.name == "sqlite":
        with op.batch_alter_table("payouts", naming_convention=_SQLITE_NAMES) as batch_op:
            batch_op.drop_constraint("uq_payouts_order_id", type_="unique")
    else:
        op.drop_constraint("payouts_order_id_key", "payouts", type_="unique")


def upgrade() -> None:
    _drop_one_payout_per_order()
    with op.batch_alter_table("payouts", schema=None) as batch_op:
        batch_op.add_column(sa.Column("attempt", sa.Integer(), server_default="1", nullable=False))
        batch_op.add_column(sa.Column("bank_status", sa.String(length=4), nullable=True))
        batch_op.add_column(sa.Column("failure_code", sa.String(length=35), nullable=True))
        batch_op.add_column(sa.Column("failure_reason", sa.Text(), nullable=True))
        batch_op.add_column(sa.Column("failed_at", sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column("failure_told_at", sa.DateTime(timezone=True), nullable=True))
        batch_op.create_unique_constraint("uq_payouts_order_id_attempt", ["order_id", "attempt"])
        batch_op.create_index(batch_op.f("ix_payouts_message_id"), ["message_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("payouts", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_payouts_message_id"))
        batch_op.drop_constraint("uq_payouts_order_id_attempt", type_="unique")
        batch_op.drop_column("failure_told_at")
        batch_op.drop_column("failed_at")
        batch_op.drop_column("failure_reason")
        batch_op.drop_column("failure_code")
        batch_op.drop_column("bank_status")
        batch_op.drop_column("attempt")
        batch_op.create_unique_constraint("uq_payouts_order_id", ["order_id"])
