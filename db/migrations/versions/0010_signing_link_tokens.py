"""signing links: random public tokens stored as hashes, revocable

Revision ID: 0010_signing_link_tokens
Revises: 0009_pay_link_tokens
Create Date: 2026-12-07 02:00:00

The former links (``/sign/<HMAC-signed claims>``) need no row: they carry their own expiry (the
offer's last day) and keep working until then.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0010_signing_link_tokens"
down_revision = "0009_pay_link_tokens"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "signing_link_tokens",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("signing_token_id", sa.String(length=64), nullable=False),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("(CURRENT_TIMESTAMP)"),
            nullable=False,
        ),
        sa.Column("revoked_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(["signing_token_id"], ["signing_tokens.token_id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("token_hash"),
    )
    op.create_index(
        op.f("ix_signing_link_tokens_signing_token_id"),
        "signing_link_tokens",
        ["signing_token_id"],
    )


def downgrade() -> None:
    op.drop_index(op.f("ix_signing_link_tokens_signing_token_id"), table_name="signing_link_tokens")
    op.drop_table("signing_link_tokens")
