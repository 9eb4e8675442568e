"""client e-invoice profile: XRechnung per client, and the client's own buyer reference

Revision ID: 0018_client_einvoice_profile
Revises: 0017_order_interest_projection
Create Date: 2026-12-08 05:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0018_client_einvoice_profile"
down_revision = "0017_order_interest_projection"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("clients") as batch:
        batch.add_column(sa.Column("buyer_reference", sa.String(100), nullable=True))
        batch.add_column(
            sa.Column("einvoice_profile", sa.String(16), nullable=False, server_default="en16931")
        )


def downgrade() -> None:
    with op.batch_alter_table("clients") as batch:
        batch.drop_column("einvoice_profile")
        batch.drop_column("buyer_reference")
