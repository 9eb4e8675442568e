"""member magic links: one-time log-in links of the member's pages, stored as hashes

Revision ID: 0021_member_magic_links
Revises: 0020_case_notes
Create Date: 2026-12-07 07:20:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0021_member_magic_links"
down_revision = "0020_case_notes"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "member_login_links",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("member_id", sa.Integer(), nullable=False),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("(CURRENT_TIMESTAMP)"),
            nullable=False,
        ),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("used_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(["member_id"], ["members.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("token_hash"),
    )
    with op.batch_alter_table("member_login_links", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_member_login_links_member_id"), ["member_id"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("member_login_links", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_member_login_links_member_id"))
    op.drop_table("member_login_links")
