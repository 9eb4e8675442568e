"""periodic declarations and members' social-security data

Revision ID: 0003_declarations
Revises: 0001
Create Date: 2026-11-23 21:28:12.767808
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003_declarations"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "periodic_declarations",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("period_key", sa.String(length=100), nullable=False),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("jurisdiction", sa.String(length=2), nullable=False),
        sa.Column("period", sa.String(length=10), nullable=False),
        sa.Column("payload", sa.JSON(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("(CURRENT_TIMESTAMP)"),
            nullable=False,
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("period_key"),
    )
    with op.batch_alter_table("periodic_declarations", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_periodic_declarations_period"), ["period"], unique=False
        )

    op.create_table(
        "member_social_insurance",
        sa.Column("member_id", sa.Integer(), nullable=False),
        sa.Column("jurisdiction", sa.String(length=2), nullable=False),
        sa.Column("insurance_number", sa.String(length=16), nullable=False),
        sa.Column("family_name", sa.String(length=100), nullable=False),
        sa.Column("given_name", sa.String(length=100), nullable=False),
        sa.Column("health_fund_number", sa.String(length=8), nullable=True),
        sa.Column("person_group", sa.String(length=3), nullable=False),
        sa.Column("contribution_groups", sa.String(length=4), nullable=False),
        sa.Column("occupation_key", sa.String(length=9), nullable=True),
        sa.Column("childless", sa.Boolean(), nullable=False),
        sa.Column("church_tax", sa.String(length=2), nullable=True),
        sa.Column("contract_type", sa.String(length=16), nullable=False),
        sa.Column("joint_committee", sa.String(length=10), nullable=True),
        sa.Column("dimona_worker_type", sa.String(length=3), nullable=True),
        sa.Column(
            "updated_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("(CURRENT_TIMESTAMP)"),
            nullable=False,
        ),
        sa.ForeignKeyConstraint(
            ["member_id"],
            ["members.id"],
        ),
        sa.PrimaryKeyConstraint("member_id"),
    )


def downgrade() -> None:
    op.drop_table("member_social_insurance")
    with op.batch_alter_table("periodic_declarations", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_periodic_declarations_period"))

    op.drop_table("periodic_declarations")
