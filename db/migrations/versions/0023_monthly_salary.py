"""monthly salary: the member's wage arrangement (per order or a monthly salary), each month's
salary, and payouts that belong to a salary month instead of an order

Revision ID: 0023_monthly_salary
Revises: 0022_ledger_member
Create Date: 2026-12-07 07:30:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0023_monthly_salary"
down_revision = "0022_ledger_member"
branch_labels = None
depends_on = None


def _now() -> sa.Column[sa.DateTime]:
    return sa.Column(
        "created_at",
        sa.DateTime(timezone=True),
        server_default=sa.text("(CURRENT_TIMESTAMP)"),
        nullable=False,
    )


def upgrade() -> None:
    op.create_table(
        "salary_arrangements",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("member_id", sa.Integer(), nullable=False),
        sa.Column("mode", sa.String(length=16), nullable=False),
        sa.Column("gross_cents", sa.BigInteger(), nullable=False),
        sa.Column("hours_per_month", sa.Numeric(precision=6, scale=2), nullable=False),
        sa.Column("effective_from", sa.Date(), nullable=False),
        sa.Column("requested_by", sa.String(length=200), nullable=False),
        _now(),
        sa.ForeignKeyConstraint(["member_id"], ["members.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("salary_arrangements", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_salary_arrangements_member_id"), ["member_id"], unique=False
        )
    op.create_table(
        "salary_months",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("member_id", sa.Integer(), nullable=False),
        sa.Column("month", sa.Date(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("message", sa.Text(), nullable=False),
        sa.Column("jurisdiction", sa.String(length=2), nullable=False),
        sa.Column("engine", sa.String(length=16), nullable=False),
        sa.Column("pay_date", sa.Date(), nullable=False),
        sa.Column("gross_wage_cents", sa.BigInteger(), nullable=False),
        sa.Column("employee_contributions_cents", sa.BigInteger(), nullable=False),
        sa.Column("employer_contributions_cents", sa.BigInteger(), nullable=False),
        sa.Column("wage_tax_cents", sa.BigInteger(), nullable=False),
        sa.Column("net_wage_cents", sa.BigInteger(), nullable=False),
        sa.Column("employer_cost_cents", sa.BigInteger(), nullable=False),
        sa.Column("available_before_cents", sa.BigInteger(), nullable=False),
        sa.Column("negative_months", sa.Integer(), nullable=False),
        sa.Column("payout_key", sa.String(length=35), nullable=True),
        sa.Column("details", sa.Text(), nullable=True),
        _now(),
        sa.ForeignKeyConstraint(["member_id"], ["members.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("member_id", "month", name="uq_salary_months_member_month"),
    )
    with op.batch_alter_table("salary_months", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_salary_months_member_id"), ["member_id"], unique=False)
    with op.batch_alter_table("declarations", schema=None) as batch_op:
        batch_op.alter_column("order_id", existing_type=sa.Integer(), nullable=True)
    with op.batch_alter_table("payouts", schema=None) as batch_op:
        batch_op.alter_column("order_id", existing_type=sa.Integer(), nullable=True)
        batch_op.add_column(sa.Column("salary_month_id", sa.Integer(), nullable=True))
        batch_op.create_foreign_key(
            "fk_payouts_salary_month_id", "salary_months", ["salary_month_id"], ["id"]
        )
        batch_op.create_unique_constraint("uq_payouts_salary_month_id", ["salary_month_id"])


def downgrade() -> None:
    with op.batch_alter_table("payouts", schema=None) as batch_op:
        batch_op.drop_constraint("uq_payouts_salary_month_id", type_="unique")
        batch_op.drop_constraint("fk_payouts_salary_month_id", type_="foreignkey")
        batch_op.drop_column("salary_month_id")
        batch_op.alter_column("order_id", existing_type=sa.Integer(), nullable=False)
    with op.batch_alter_table("declarations", schema=None) as batch_op:
        batch_op.alter_column("order_id", existing_type=sa.Integer(), nullable=False)
    with op.batch_alter_table("salary_months", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_salary_months_member_id"))
    op.drop_table("salary_months")
    with op.batch_alter_table("salary_arrangements", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_salary_arrangements_member_id"))
    op.drop_table("salary_arrangements")
