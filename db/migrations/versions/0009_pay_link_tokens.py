"""pay links: random public tokens stored as hashes, expiring and revocable

Revision ID: 0009_pay_link_tokens
Revises: 0008_sessions_and_token_expiry
Create Date: 2026-12-07 00:00:00

The former links (``/pay/<HMAC of the invoice number>``) keep working GRACE_DAYS after the
upgrade: their tokens move into the new table as hashes with that expiry. The links' own
``token`` column stays as their internal id.
"""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime, timedelta

import sqlalchemy as sa
from alembic import op

revision = "0009_pay_link_tokens"
down_revision = "0008_sessions_and_token_expiry"
branch_labels = None
depends_on = None

GRACE_DAYS = 90


def upgrade() -> None:
    tokens = op.create_table(
        "pay_link_tokens",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("payment_link_id", sa.Integer(), nullable=False),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("(CURRENT_TIMESTAMP)"),
            nullable=False,
        ),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("revoked_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(["payment_link_id"], ["payment_links.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("token_hash"),
    )
    op.create_index(
        op.f("ix_pay_link_tokens_payment_link_id"), "pay_link_tokens", ["payment_link_id"]
    )
    links = op.get_bind().execute(sa.text("SELECT id, token FROM payment_links")).fetchall()
    expires = datetime.now(UTC) + timedelta(days=GRACE_DAYS)
    if links:
        op.bulk_insert(
            tokens,
            [
                {
                    "token_hash": hashlib.sha256(token.encode()).hexdigest(),
                    "payment_link_id": link_id,
                    "expires_at": expires,
                }
                for link_id, token in links
            ],
        )


def downgrade() -> None:
    op.drop_index(op.f("ix_pay_link_tokens_payment_link_id"), table_name="pay_link_tokens")
    op.drop_table("pay_link_tokens")
