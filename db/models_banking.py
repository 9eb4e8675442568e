"""Bank reconciliation: imported statements, their transactions, what each was matched to, and
what finance decided about the ones nobody could match.

A transaction (``BankTransaction``) is stored once per identity (``BankLine.identity``): the
same transfer in a camt.054 and in the camt.053 that follows it, or in a file imported twice,
is one row. Money reaches an order as a ``db.models.Payment`` (source ``bank``, key
``bank:<transaction id>:<invoice id>``), signalled to the order's workflow.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import (
    BigInteger,
    Boolean,
    Date,
    DateTime,
    ForeignKey,
    Integer,
    String,
    Text,
    func,
)
from sqlalchemy.orm import Mapped, mapped_column

from db.models import Base


def _now() -> Mapped[datetime]:
    return mapped_column(DateTime(timezone=True), server_default=func.now())


class BankStatement(Base):
    """One imported camt.053 statement or camt.054 notification (once per identity)."""

    __tablename__ = "bank_statements"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    identity: Mapped[str] = mapped_column(String(100), unique=True)
    kind: Mapped[str] = mapped_column(String(8))  # camt.053 | camt.054
    version: Mapped[str] = mapped_column(String(8))
    message_id: Mapped[str] = mapped_column(String(35))
    statement_id: Mapped[str] = mapped_column(String(35))
    account_iban: Mapped[str] = mapped_column(String(34), index=True)
    currency: Mapped[str] = mapped_column(String(3))
    created_at_bank: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    sequence: Mapped[str] = mapped_column(String(35), default="")
    opening_cents: Mapped[int | None] = mapped_column(BigInteger, nullable=True)
    opening_on: Mapped[date | None] = mapped_column(Date, nullable=True)
    closing_cents: Mapped[int | None] = mapped_column(BigInteger, nullable=True)
    closing_on: Mapped[date | None] = mapped_column(Date, nullable=True)
    line_count: Mapped[int] = mapped_column(Integer)
    new_lines: Mapped[int] = mapped_column(Integer)  # the others came with an earlier file
    credit_cents: Mapped[int] = mapped_column(BigInteger)
    debit_cents: Mapped[int] = mapped_column(BigInteger)
    source: Mapped[str] = mapped_column(String(16))  # upload | inbox
    filename: Mapped[str] = mapped_column(String(255), default="")
    imported_by: Mapped[str] = mapped_column(String(200), default="")
    workflow_id: Mapped[str] = mapped_column(String(200))
    # Set by the reconciliation workflow's activities.
    matched: Mapped[int] = mapped_column(Integer, default=0)
    suggested: Mapped[int] = mapped_column(Integer, default=0)
    unmatched: Mapped[int] = mapped_column(Integer, default=0)
    reconciled_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    imported_at: Mapped[datetime] = _now()


class BankTransaction(Base):
    """One transaction the bank reported (a batch booking gives one per ``TxDtls``).

    ``status``: new (not matched yet) → matched | suggested | unmatched | refund | duplicate |
    payout | return | ignored (the matcher) → assigned | not_ours | refunded (finance).
    """

    __tablename__ = "bank_transactions"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    identity: Mapped[str] = mapped_column(String(100), unique=True)
    statement_id: Mapped[int] = mapped_column(ForeignKey("bank_statements.id"), index=True)
    account_iban: Mapped[str] = mapped_column(String(34))
    direction: Mapped[str] = mapped_column(String(6))  # credit | debit
    amount_cents: Mapped[int] = mapped_column(BigInteger)
    currency: Mapped[str] = mapped_column(String(3))
    booking_date: Mapped[date] = mapped_column(Date)
    value_date: Mapped[date | None] = mapped_column(Date, nullable=True)
    account_servicer_ref: Mapped[str] = mapped_column(String(100), default="")
    entry_ref: Mapped[str] = mapped_column(String(100), default="")
    end_to_end_id: Mapped[str] = mapped_column(String(35), default="", index=True)
    structured_refs: Mapped[str] = mapped_column(Text, default="")  # space-separated
    unstructured: Mapped[str] = mapped_column(Text, default="")
    counterparty_name: Mapped[str] = mapped_column(String(140), default="")
    counterparty_iban: Mapped[str] = mapped_column(String(34), default="", index=True)
    bank_code: Mapped[str] = mapped_column(String(40), default="")
    return_reason: Mapped[str] = mapped_column(String(8), default="")
    # With the references above, what ``BankLine.identity`` is made of (kept to rebuild it).
    batch_index: Mapped[int] = mapped_column(Integer, default=0)
    occurrence: Mapped[int] = mapped_column(Integer, default=0)
    status: Mapped[str] = mapped_column(String(16), default="new", index=True)
    rule: Mapped[str] = mapped_column(String(24), default="")
    confidence: Mapped[int] = mapped_column(Integer, default=0)
    reason: Mapped[str] = mapped_column(Text, default="")
    surplus_cents: Mapped[int] = mapped_column(BigInteger, default=0)
    payout_id: Mapped[int | None] = mapped_column(Integer, nullable=True)
    decided_by: Mapped[str] = mapped_column(String(200), default="")
    decided_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    created_at: Mapped[datetime] = _now()


class BankAllocation(Base):
    """Part of a transaction put on an invoice: proposed by the matcher (a suggestion, not
    applied) or applied (then a ``Payment`` with ``payment_key`` exists and is signalled)."""

    __tablename__ = "bank_allocations"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    transaction_id: Mapped[int] = mapped_column(ForeignKey("bank_transactions.id"), index=True)
    invoice_id: Mapped[int] = mapped_column(ForeignKey("invoices.id"), index=True)
    order_id: Mapped[int] = mapped_column(ForeignKey("orders.id"))
    amount_cents: Mapped[int] = mapped_column(BigInteger)
    applied: Mapped[bool] = mapped_column(Boolean, default=False)
    payment_key: Mapped[str | None] = mapped_column(String(100), unique=True, nullable=True)
    signalled_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    created_at: Mapped[datetime] = _now()


class BankDecision(Base):
    """What finance decided about a transaction, by whom and when (never edited)."""

    __tablename__ = "bank_decisions"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    transaction_id: Mapped[int] = mapped_column(ForeignKey("bank_transactions.id"), index=True)
    action: Mapped[str] = mapped_column(String(16))  # assign | accept | not_ours | refunded
    decided_by: Mapped[str] = mapped_column(String(200))
    note: Mapped[str] = mapped_column(Text, default="")
    detail: Mapped[str] = mapped_column(Text, default="")  # the allocations, as text
    decided_at: Mapped[datetime] = _now()


class ReconciliationLock(Base):
    """One row, updated first by every statement's matching: statements are matched one after
    the other, each seeing what the others put on invoices (a client paying twice in two files
    reconciled at once gives one match and one duplicate)."""

    __tablename__ = "reconciliation_lock"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    taken_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
