"""order units: an order priced in hours or days carries its quantity and unit to the invoice

Revision ID: 0019_order_units
Revises: 0018_client_einvoice_profile
Create Date: 2026-12-07 05:40:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0019_order_units"
down_revision = "0018_client_einvoice_profile"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("orders", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("quantity", sa.String(length=16), server_default="1", nullable=False)
        )
        batch_op.add_column(
            sa.Column("unit_code", sa.String(length=3), server_default="LS", nullable=False)
        )


def downgrade() -> None:
    with op.batch_alter_table("orders", schema=None) as batch_op:
        batch_op.drop_column("unit_code")
        batch_op.drop_column("quantity")
