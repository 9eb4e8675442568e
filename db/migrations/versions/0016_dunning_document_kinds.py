"""dunning document kinds: interest charged at payment is a document of its own

Revision ID: 0016_dunning_document_kinds
Revises: 0015_bank_clearing
Create Date: 2026-12-07 05:20:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0016_dunning_document_kinds"
down_revision = "0015_bank_clearing"
branch_labels = None
depends_on = None

# 0001 left the unique constraint on (invoice_id, level) unnamed.
_SQLITE_NAMES = {"uq": "uq_%(table_name)s_%(column_0_name)s"}


def upgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        with op.batch_alter_table("dunning_documents", naming_convention=_SQLITE_NAMES) as batch:
            batch.drop_constraint("uq_dunning_documents_invoice_id", type_="unique")
    else:
        op.drop_constraint(
            "dunning_documents_invoice_id_level_key", "dunning_documents", type_="unique"
        )
    with op.batch_alter_table("dunning_documents", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("kind", sa.String(length=16), server_default="reminder", nullable=False)
        )


def downgrade() -> None:
    with op.batch_alter_table("dunning_documents", schema=None) as batch_op:
        batch_op.drop_column("kind")
        batch_op.create_unique_constraint(
            "uq_dunning_documents_invoice_id", ["invoice_id", "level"]
        )
