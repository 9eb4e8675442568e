"""bank clearing: the books' bank postings move to bank_clearing; bank:<IBAN> is the statements'

Revision ID: 0015_bank_clearing
Revises: 0014_payout_attempts
Create Date: 2026-12-07 05:00:00
"""

from __future__ import annotations

from alembic import op

revision = "0015_bank_clearing"
down_revision = "0014_payout_attempts"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # Statements imported before this revision posted nothing: their lines stay unposted
    # (re-importing a statement changes nothing); the next statement brings its opening balance.
    op.execute("UPDATE ledger_lines SET account = 'bank_clearing' WHERE account = 'bank'")


def downgrade() -> None:
    op.execute(
        "DELETE FROM ledger_lines WHERE account LIKE 'bank:%' OR account = 'opening_balances'"
    )
    op.execute(
        "DELETE FROM ledger_entries WHERE entry_key LIKE 'bank-statement:%' "
        "OR entry_key LIKE 'bank-opening:%'"
    )
    op.execute("UPDATE ledger_lines SET account = 'bank' WHERE account = 'bank_clearing'")
