"""order interest projection: the pay page's settlement amount includes interest to the day

Revision ID: 0017_order_interest_projection
Revises: 0016_dunning_document_kinds
Create Date: 2026-12-07 05:35:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0017_order_interest_projection"
down_revision = "0016_dunning_document_kinds"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("orders", schema=None) as batch_op:
        batch_op.add_column(sa.Column("interest_runs_from", sa.Date(), nullable=True))
        batch_op.add_column(
            sa.Column("interest_accrued_cents", sa.BigInteger(), server_default="0", nullable=False)
        )


def downgrade() -> None:
    with op.batch_alter_table("orders", schema=None) as batch_op:
        batch_op.drop_column("interest_accrued_cents")
        batch_op.drop_column("interest_runs_from")
