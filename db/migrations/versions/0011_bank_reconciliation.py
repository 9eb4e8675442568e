"""bank reconciliation: statements, transactions, allocations, decisions

Revision ID: 0011_bank_reconciliation
Revises: 0010_signing_link_tokens
Create Date: 2026-12-07 01:40:55.782928
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0011_bank_reconciliation"
down_revision = "0010_signing_link_tokens"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "bank_statements",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("identity", sa.String(length=100), nullable=False),
        sa.Column("kind", sa.String(length=8), nullable=False),
        sa.Column("version", sa.String(length=8), nullable=False),
        sa.Column("message_id", sa.String(length=35), nullable=False),
        sa.Column("statement_id", sa.String(length=35), nullable=False),
        sa.Column("account_iban", sa.String(length=34), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("created_at_bank", sa.DateTime(timezone=True), nullable=False),
        sa.Column("sequence", sa.String(length=35), nullable=False),
        sa.Column("opening_cents", sa.BigInteger(), nullable=True),
        sa.Column("opening_on", sa.Date(), nullable=True),
        sa.Column("closing_cents", sa.BigInteger(), nullable=True),
        sa.Column("closing_on", sa.Date(), nullable=True),
        sa.Column("line_count", sa.Integer(), nullable=False),
        sa.Column("new_lines", sa.Integer(), nullable=False),
        sa.Column("credit_cents", sa.BigInteger(), nullable=False),
        sa.Column("debit_cents", sa.BigInteger(), nullable=False),
        sa.Column("source", sa.String(length=16), nullable=False),
        sa.Column("filename", sa.String(length=255), nullable=False),
        sa.Column("imported_by", sa.String(length=200), nullable=False),
        sa.Column("workflow_id", sa.String(length=200), nullable=False),
        sa.Column("matched", sa.Integer(), nullable=False),
        sa.Column("suggested", sa.Integer(), nullable=False),
        sa.Column("unmatched", sa.Integer(), nullable=False),
        sa.Column("reconciled_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column(
            "imported_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("(CURRENT_TIMESTAMP)"),
            nullable=False,
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("identity"),
    )
    with op.batch_alter_table("bank_statements", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_bank_statements_account_iban"), ["account_iban"], unique=False
        )

    op.create_table(
        "bank_transactions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("identity", sa.String(length=100), nullable=False),
        sa.Column("statement_id", sa.Integer(), nullable=False),
        sa.Column("account_iban", sa.String(length=34), nullable=False),
        sa.Column("direction", sa.String(length=6), nullable=False),
        sa.Column("amount_cents", sa.BigInteger(), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("booking_date", sa.Date(), nullable=False),
        sa.Column("value_date", sa.Date(), nullable=True),
        sa.Column("account_servicer_ref", sa.String(length=100), nullable=False),
        sa.Column("entry_ref", sa.String(length=100), nullable=False),
        sa.Column("end_to_end_id", sa.String(length=35), nullable=False),
        sa.Column("structured_refs", sa.Text(), nullable=False),
        sa.Column("unstructured", sa.Text(), nullable=False),
        sa.Column("counterparty_name", sa.String(length=140), nullable=False),
        sa.Column("counterparty_iban", sa.String(length=34), nullable=False),
        sa.Column("bank_code", sa.String(length=40), nullable=False),
        sa.Column("return_reason", sa.String(length=8), nullable=False),
        sa.Column("batch_index", sa.Integer(), nullable=False),
        sa.Column("occurrence", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("rule", sa.String(length=24), nullable=False),
        sa.Column("confidence", sa.Integer(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("surplus_cents", sa.BigInteger(), nullable=False),
        sa.Column("payout_id", sa.Integer(), nullable=True),
        sa.Column("decided_by", sa.String(length=200), nullable=False),
        sa.Column("decided_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("(CURRENT_TIMESTAMP)"),
            nullable=False,
        ),
        sa.ForeignKeyConstraint(
            ["statement_id"],
            ["bank_statements.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("identity"),
    )
    with op.batch_alter_table("bank_transactions", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_bank_transactions_counterparty_iban"),
            ["counterparty_iban"],
            unique=False,
        )
        batch_op.create_index(
            batch_op.f("ix_bank_transactions_end_to_end_id"), ["end_to_end_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_bank_transactions_statement_id"), ["statement_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_bank_transactions_status"), ["status"], unique=False)

    op.create_table(
        "bank_decisions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("transaction_id", sa.Integer(), nullable=False),
        sa.Column("action", sa.String(length=16), nullable=False),
        sa.Column("decided_by", sa.String(length=200), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("detail", sa.Text(), nullable=False),
        sa.Column(
            "decided_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("(CURRENT_TIMESTAMP)"),
            nullable=False,
        ),
        sa.ForeignKeyConstraint(
            ["transaction_id"],
            ["bank_transactions.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("bank_decisions", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_bank_decisions_transaction_id"), ["transaction_id"], unique=False
        )

    op.create_table(
        "bank_allocations",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("transaction_id", sa.Integer(), nullable=False),
        sa.Column("invoice_id", sa.Integer(), nullable=False),
        sa.Column("order_id", sa.Integer(), nullable=False),
        sa.Column("amount_cents", sa.BigInteger(), nullable=False),
        sa.Column("applied", sa.Boolean(), nullable=False),
        sa.Column("payment_key", sa.String(length=100), nullable=True),
        sa.Column("signalled_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("(CURRENT_TIMESTAMP)"),
            nullable=False,
        ),
        sa.ForeignKeyConstraint(
            ["invoice_id"],
            ["invoices.id"],
        ),
        sa.ForeignKeyConstraint(
            ["order_id"],
            ["orders.id"],
        ),
        sa.ForeignKeyConstraint(
            ["transaction_id"],
            ["bank_transactions.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("payment_key"),
    )
    with op.batch_alter_table("bank_allocations", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_bank_allocations_invoice_id"), ["invoice_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_bank_allocations_transaction_id"), ["transaction_id"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("bank_allocations", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_bank_allocations_transaction_id"))
        batch_op.drop_index(batch_op.f("ix_bank_allocations_invoice_id"))

    op.drop_table("bank_allocations")
    with op.batch_alter_table("bank_decisions", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_bank_decisions_transaction_id"))

    op.drop_table("bank_decisions")
    with op.batch_alter_table("bank_transactions", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_bank_transactions_status"))
        batch_op.drop_index(batch_op.f("ix_bank_transactions_statement_id"))
        batch_op.drop_index(batch_op.f("ix_bank_transactions_end_to_end_id"))
        batch_op.drop_index(batch_op.f("ix_bank_transactions_counterparty_iban"))

    op.drop_table("bank_transactions")
    with op.batch_alter_table("bank_statements", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_bank_statements_account_iban"))

    op.drop_table("bank_statements")
