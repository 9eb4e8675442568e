"""merge the payroll, declarations and payments branches

Revision ID: 0006_merge_areas
Revises: 0002_payroll, 0003_declarations, 0005_payments
"""

from __future__ import annotations

revision = "0006_merge_areas"
down_revision = ("0002_payroll", "0003_declarations", "0005_payments")
branch_labels = None
depends_on = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
