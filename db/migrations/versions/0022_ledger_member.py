"""ledger member: entries and lines carry the member they belong to (the budget's key), so the
ledger can hold member-level entries that belong to no order; existing rows take their order's

Revision ID: 0022_ledger_member
Revises: 0021_member_magic_links
Create Date: 2026-12-07 07:20:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0022_ledger_member"
down_revision = "0021_member_magic_links"
branch_labels = None
depends_on = None


def upgrade() -> None:
    for table in ("ledger_entries", "ledger_lines"):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.add_column(sa.Column("member_id", sa.Integer(), nullable=True))
            batch_op.create_index(batch_op.f(f"ix_{table}_member_id"), ["member_id"], unique=False)
        op.execute(
            f"UPDATE {table} SET member_id = "
            f"(SELECT orders.member_id FROM orders WHERE orders.id = {table}.order_id) "
            "WHERE order_id IS NOT NULL"
        )


def downgrade() -> None:
    # Not in batch mode: SQLite (3.35+) drops a column in place, where a batch would copy
    # ledger_entries and trip over the lines' foreign keys to it.
    for table in ("ledger_lines", "ledger_entries"):
        op.drop_index(op.f(f"ix_{table}_member_id"), table_name=table)
        op.drop_column(table, "member_id")
