"""SQLAlchemy 2 models: the database projection of orders and the books of the cooperative.

Money columns are ``BigInteger`` cents named ``*_cents``; every table works on SQLite and
PostgreSQL.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import (
    BigInteger,
    Boolean,
    CheckConstraint,
    Date,
    DateTime,
    ForeignKey,
    Integer,
    String,
    Text,
    UniqueConstraint,
    func,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship


class Base(DeclarativeBase):
    pass


def _now() -> Mapped[datetime]:
    return mapped_column(DateTime(timezone=True), server_default=func.now())


class Member(Base):
    __tablename__ = "members"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    email: Mapped[str] = mapped_column(String(320), unique=True)
    jurisdiction: Mapped[str] = mapped_column(String(2))
    language: Mapped[str] = mapped_column(String(2), default="en")
    iban: Mapped[str] = mapped_column(String(34))
    bic: Mapped[str | None] = mapped_column(String(11), nullable=True)
    created_at: Mapped[datetime] = _now()


class ApiToken(Base):
    """Bearer tokens, stored as SHA-256 hashes."""

    __tablename__ = "api_tokens"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    role: Mapped[str] = mapped_column(String(16))  # member | finance | admin
    member_id: Mapped[int | None] = mapped_column(ForeignKey("members.id"), nullable=True)
    label: Mapped[str] = mapped_column(String(200), default="")
    created_at: Mapped[datetime] = _now()
    expires_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    revoked_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)


class DeskSession(Base):
    """A log-in on the finance desk: the cookie holds a random id (stored as its SHA-256), not
    the token; log-out, the token's revocation or the expiry end it."""

    __tablename__ = "desk_sessions"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    session_hash: Mapped[str] = mapped_column(String(64), unique=True)
    token_id: Mapped[int | None] = mapped_column(ForeignKey("api_tokens.id"), nullable=True)
    role: Mapped[str] = mapped_column(String(16))
    label: Mapped[str] = mapped_column(String(200))
    csrf_token: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = _now()
    expires_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    revoked_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)


class Client(Base):
    __tablename__ = "clients"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    member_id: Mapped[int] = mapped_column(ForeignKey("members.id"), index=True)
    name: Mapped[str] = mapped_column(String(200))
    email: Mapped[str] = mapped_column(String(320))
    address: Mapped[str] = mapped_column(Text, default="")
    country: Mapped[str] = mapped_column(String(2))
    is_business: Mapped[bool] = mapped_column(Boolean, default=True)
    vat_id: Mapped[str | None] = mapped_column(String(20), nullable=True)
    language: Mapped[str] = mapped_column(String(2), default="en")
    # The client's own reference for its invoices (BT-10; a German public buyer's Leitweg-ID)
    # and the e-invoice it receives besides the Factur-X PDF ("en16931" or "xrechnung").
    buyer_reference: Mapped[str | None] = mapped_column(String(100), nullable=True)
    einvoice_profile: Mapped[str] = mapped_column(
        String(16), default="en16931", server_default="en16931"
    )
    created_at: Mapped[datetime] = _now()


class Order(Base):
    __tablename__ = "orders"
    __table_args__ = (CheckConstraint("net_amount_cents > 0", name="ck_orders_net_positive"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    member_id: Mapped[int] = mapped_column(ForeignKey("members.id"), index=True)
    client_id: Mapped[int] = mapped_column(ForeignKey("clients.id"), index=True)
    description: Mapped[str] = mapped_column(Text)
    jurisdiction: Mapped[str] = mapped_column(String(2))
    period_start: Mapped[date] = mapped_column(Date)
    period_end: Mapped[date] = mapped_column(Date)
    net_amount_cents: Mapped[int] = mapped_column(BigInteger)
    # The net amount as quantity × unit (LS lump sum, HUR hours, DAY days); the quantity as
    # its decimal text (SQLite has no exact decimal type)
    quantity: Mapped[str] = mapped_column(String(16), default="1", server_default="1")
    unit_code: Mapped[str] = mapped_column(String(3), default="LS", server_default="LS")
    vat_category: Mapped[str] = mapped_column(String(16), default="standard")
    payment_terms_days: Mapped[int] = mapped_column(Integer, default=30)
    offer_valid_until: Mapped[date] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(32), default="Draft", index=True)
    workflow_id: Mapped[str | None] = mapped_column(String(64), nullable=True, unique=True)
    work_days: Mapped[int | None] = mapped_column(Integer, nullable=True)
    actual_start: Mapped[date | None] = mapped_column(Date, nullable=True)
    actual_end: Mapped[date | None] = mapped_column(Date, nullable=True)
    amount_due_cents: Mapped[int] = mapped_column(BigInteger, default=0)
    # Interest not yet charged (collection rules 2): accrued up to interest_runs_from, running
    # on the principal due from then on; the pay page counts the days since.
    interest_runs_from: Mapped[date | None] = mapped_column(Date, nullable=True)
    interest_accrued_cents: Mapped[int] = mapped_column(BigInteger, default=0, server_default="0")
    dunning_level: Mapped[int] = mapped_column(Integer, default=0)
    escalated: Mapped[bool] = mapped_column(Boolean, default=False)
    signed_by: Mapped[str | None] = mapped_column(String(200), nullable=True)
    created_at: Mapped[datetime] = _now()
    updated_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), server_default=func.now(), onupdate=func.now()
    )

    member: Mapped[Member] = relationship(lazy="joined")
    client: Mapped[Client] = relationship(lazy="joined")


class OrderExpense(Base):
    __tablename__ = "order_expenses"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    order_id: Mapped[int] = mapped_column(ForeignKey("orders.id"), index=True)
    description: Mapped[str] = mapped_column(String(200))
    amount_cents: Mapped[int] = mapped_column(BigInteger)
    incurred_on: Mapped[date] = mapped_column(Date)
    created_at: Mapped[datetime] = _now()


class SigningToken(Base):
    """An offer's signing: when its links expire and when the client answered (single use).
    Clients reach it through ``SigningLinkToken``s (or, until they expire, the former
    HMAC-signed links that carry ``token_id``)."""

    __tablename__ = "signing_tokens"

    token_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    order_id: Mapped[int] = mapped_column(ForeignKey("orders.id"), index=True)
    expires_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    used_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)


class SigningLinkToken(Base):
    """A public ``/sign/<token>`` capability: random (192 bits), stored only as its SHA-256,
    revocable; it expires with its offer (``SigningToken.expires_at``). The offer e-mail and
    the member's submit answer each carry a token of their own."""

    __tablename__ = "signing_link_tokens"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    signing_token_id: Mapped[str] = mapped_column(ForeignKey("signing_tokens.token_id"), index=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    revoked_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)


class InvoiceSeries(Base):
    """Gapless numbering: one row per jurisdiction and year, locked while a number is taken."""

    __tablename__ = "invoice_series"

    jurisdiction: Mapped[str] = mapped_column(String(2), primary_key=True)
    year: Mapped[int] = mapped_column(Integer, primary_key=True)
    last_number: Mapped[int] = mapped_column(Integer, default=0)


class Invoice(Base):
    __tablename__ = "invoices"
    __table_args__ = (UniqueConstraint("jurisdiction", "year", "sequence"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    order_id: Mapped[int] = mapped_column(ForeignKey("orders.id"), unique=True)
    number: Mapped[str] = mapped_column(String(32), unique=True)
    jurisdiction: Mapped[str] = mapped_column(String(2))
    year: Mapped[int] = mapped_column(Integer)
    sequence: Mapped[int] = mapped_column(Integer)
    issue_date: Mapped[date] = mapped_column(Date)
    due_date: Mapped[date] = mapped_column(Date)
    currency: Mapped[str] = mapped_column(String(3), default="EUR")
    net_cents: Mapped[int] = mapped_column(BigInteger)
    vat_rate: Mapped[str] = mapped_column(String(8))
    vat_cents: Mapped[int] = mapped_column(BigInteger)
    gross_cents: Mapped[int] = mapped_column(BigInteger)
    vat_treatment: Mapped[str] = mapped_column(String(20))
    vat_note: Mapped[str] = mapped_column(Text, default="")
    creditor_reference: Mapped[str] = mapped_column(String(40), unique=True)
    client_name: Mapped[str] = mapped_column(String(200))
    client_address: Mapped[str] = mapped_column(Text, default="")
    client_vat_id: Mapped[str | None] = mapped_column(String(20), nullable=True)
    description: Mapped[str] = mapped_column(Text)
    period_start: Mapped[date] = mapped_column(Date)
    period_end: Mapped[date] = mapped_column(Date)
    paid_cents: Mapped[int] = mapped_column(BigInteger, default=0)
    status: Mapped[str] = mapped_column(String(16), default="open")  # open|paid|written_off
    mail_message_id: Mapped[str | None] = mapped_column(String(200), nullable=True)
    created_at: Mapped[datetime] = _now()


class DunningDocument(Base):
    """A reminder, or interest charged up to a payment's day (``kind`` "interest"): fees and
    interest are their own document, never an edit of the invoice. One reminder per level;
    the number (``<invoice>-R<level>``, ``<invoice>-I<n>``) is unique."""

    __tablename__ = "dunning_documents"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    invoice_id: Mapped[int] = mapped_column(ForeignKey("invoices.id"), index=True)
    number: Mapped[str] = mapped_column(String(40), unique=True)
    kind: Mapped[str] = mapped_column(String(16), default="reminder", server_default="reminder")
    level: Mapped[int] = mapped_column(Integer)
    name: Mapped[str] = mapped_column(String(100))
    issue_date: Mapped[date] = mapped_column(Date)
    principal_due_cents: Mapped[int] = mapped_column(BigInteger)
    fee_cents: Mapped[int] = mapped_column(BigInteger, default=0)
    flat_compensation_cents: Mapped[int] = mapped_column(BigInteger, default=0)
    interest_cents: Mapped[int] = mapped_column(BigInteger, default=0)
    interest_rate: Mapped[str] = mapped_column(String(12), default="0")
    pay_by: Mapped[date] = mapped_column(Date)
    created_at: Mapped[datetime] = _now()


class Payment(Base):
    __tablename__ = "payments"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    payment_key: Mapped[str] = mapped_column(String(100), unique=True)
    order_id: Mapped[int] = mapped_column(ForeignKey("orders.id"), index=True)
    amount_cents: Mapped[int] = mapped_column(BigInteger)
    received_on: Mapped[date] = mapped_column(Date)
    source: Mapped[str] = mapped_column(String(16))
    reference: Mapped[str] = mapped_column(String(140), default="")
    recorded_by: Mapped[str] = mapped_column(String(200), default="")
    # Set by the workflow's activity when the payment is booked against the invoice.
    applied: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = _now()


class Payslip(Base):
    __tablename__ = "payslips"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    order_id: Mapped[int] = mapped_column(ForeignKey("orders.id"), unique=True)
    member_id: Mapped[int] = mapped_column(ForeignKey("members.id"), index=True)
    jurisdiction: Mapped[str] = mapped_column(String(2))
    pay_date: Mapped[date] = mapped_column(Date)
    period_start: Mapped[date] = mapped_column(Date)
    period_end: Mapped[date] = mapped_column(Date)
    work_days: Mapped[int] = mapped_column(Integer)
    employment_budget_cents: Mapped[int] = mapped_column(BigInteger)
    gross_wage_cents: Mapped[int] = mapped_column(BigInteger)
    employee_contributions_cents: Mapped[int] = mapped_column(BigInteger)
    employer_contributions_cents: Mapped[int] = mapped_column(BigInteger)
    wage_tax_cents: Mapped[int] = mapped_column(BigInteger)
    net_wage_cents: Mapped[int] = mapped_column(BigInteger)
    expenses_cents: Mapped[int] = mapped_column(BigInteger)
    employer_cost_cents: Mapped[int] = mapped_column(BigInteger)
    # The engine's full payslip (branches, taxes, regime) as JSON; None for provisional ones.
    details: Mapped[str | None] = mapped_column(Text, nullable=True)
    created_at: Mapped[datetime] = _now()


class Payout(Base):
    """A wage payout: one per order, and one more for each time the bank rejected or returned
    it and ops had it paid again (``attempt`` 2, 3…, each with its own EndToEndId)."""

    __tablename__ = "payouts"
    __table_args__ = (UniqueConstraint("order_id", "attempt", name="uq_payouts_order_id_attempt"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    payout_key: Mapped[str] = mapped_column(String(35), unique=True)
    # The order whose wage it is; None for a monthly salary (``salary_month_id``).
    order_id: Mapped[int | None] = mapped_column(ForeignKey("orders.id"), nullable=True)
    salary_month_id: Mapped[int | None] = mapped_column(
        ForeignKey("salary_months.id"), unique=True, nullable=True
    )
    attempt: Mapped[int] = mapped_column(Integer, default=1, server_default="1")
    member_id: Mapped[int] = mapped_column(ForeignKey("members.id"), index=True)
    amount_cents: Mapped[int] = mapped_column(BigInteger)
    advanced_cents: Mapped[int] = mapped_column(BigInteger, default=0)
    iban: Mapped[str] = mapped_column(String(34))
    execution_date: Mapped[date] = mapped_column(Date)
    file_path: Mapped[str | None] = mapped_column(Text, nullable=True)
    # pending | sent (one file per payout, orders before payout runs) | queued | sent (in a
    # run) | rejected (pain.002 RJCT) | returned (a return in a camt statement)
    status: Mapped[str] = mapped_column(String(16), default="pending")
    run_key: Mapped[str | None] = mapped_column(String(32), nullable=True, index=True)
    message_id: Mapped[str | None] = mapped_column(String(35), nullable=True, index=True)
    # The bank's last word on it: a pain.002 status (ACCP, ACSC, RJCT…), or RTRN for a return
    bank_status: Mapped[str | None] = mapped_column(String(4), nullable=True)
    failure_code: Mapped[str | None] = mapped_column(String(35), nullable=True)
    failure_reason: Mapped[str | None] = mapped_column(Text, nullable=True)
    failed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    # When the order was told (``payout_failed``), or found ended: then finance pays by hand
    failure_told_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    created_at: Mapped[datetime] = _now()


class PayoutRun(Base):
    """One pain.001 batch handed to the bank: the payouts queued before a cut-off. A run that
    had to be cut twice (a payout arriving while it was cut) has parts 1, 2…"""

    __tablename__ = "payout_runs"
    __table_args__ = (UniqueConstraint("run_key", "part"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    run_key: Mapped[str] = mapped_column(String(32))
    part: Mapped[int] = mapped_column(Integer)
    message_id: Mapped[str] = mapped_column(String(35), unique=True)
    file_path: Mapped[str] = mapped_column(Text)
    payouts: Mapped[int] = mapped_column(Integer)
    total_cents: Mapped[int] = mapped_column(BigInteger)
    created_at: Mapped[datetime] = _now()


class Declaration(Base):
    __tablename__ = "declarations"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    declaration_key: Mapped[str] = mapped_column(String(100), unique=True)
    # The order's employment; None for a monthly salary's continuing one (key salary-…).
    order_id: Mapped[int | None] = mapped_column(ForeignKey("orders.id"), index=True, nullable=True)
    kind: Mapped[str] = mapped_column(String(16))
    reference: Mapped[str] = mapped_column(String(100))
    status: Mapped[str] = mapped_column(String(32))
    created_at: Mapped[datetime] = _now()


class FinanceCase(Base):
    __tablename__ = "finance_cases"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    case_key: Mapped[str] = mapped_column(String(100), unique=True)
    order_id: Mapped[int] = mapped_column(ForeignKey("orders.id"), index=True)
    invoice_id: Mapped[int] = mapped_column(ForeignKey("invoices.id"))
    opened_on: Mapped[date] = mapped_column(Date)
    amount_due_cents: Mapped[int] = mapped_column(BigInteger)
    dunning_level: Mapped[int] = mapped_column(Integer)
    # overdue: an escalated invoice; refund: money to pay back after a credit note
    kind: Mapped[str] = mapped_column(String(16), default="overdue", server_default="overdue")
    status: Mapped[str] = mapped_column(String(16), default="open")  # open | decided
    decision: Mapped[str | None] = mapped_column(String(32), nullable=True)
    decided_by: Mapped[str | None] = mapped_column(String(200), nullable=True)
    decision_note: Mapped[str] = mapped_column(Text, default="")
    decided_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    created_at: Mapped[datetime] = _now()

    order: Mapped[Order] = relationship(lazy="joined")


class CaseNote(Base):
    """A note finance staff wrote on a case (never edited): who, when, what."""

    __tablename__ = "case_notes"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("finance_cases.id"), index=True)
    author: Mapped[str] = mapped_column(String(200))
    text: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = _now()


class LedgerEntry(Base):
    __tablename__ = "ledger_entries"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    entry_key: Mapped[str] = mapped_column(String(160), unique=True)
    order_id: Mapped[int | None] = mapped_column(ForeignKey("orders.id"), index=True, nullable=True)
    # The member the entry belongs to (its order's, or a member-level entry's): the budget's key.
    member_id: Mapped[int | None] = mapped_column(Integer, index=True, nullable=True)
    posted_on: Mapped[date] = mapped_column(Date)
    description: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = _now()

    lines: Mapped[list[LedgerLine]] = relationship(lazy="selectin", cascade="all, delete-orphan")


class LedgerLine(Base):
    __tablename__ = "ledger_lines"
    __table_args__ = (
        CheckConstraint("debit_cents >= 0 AND credit_cents >= 0", name="ck_ledger_nonneg"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    entry_id: Mapped[int] = mapped_column(ForeignKey("ledger_entries.id"), index=True)
    account: Mapped[str] = mapped_column(String(40), index=True)
    order_id: Mapped[int | None] = mapped_column(Integer, index=True, nullable=True)
    member_id: Mapped[int | None] = mapped_column(Integer, index=True, nullable=True)
    debit_cents: Mapped[int] = mapped_column(BigInteger, default=0)
    credit_cents: Mapped[int] = mapped_column(BigInteger, default=0)


class IdempotencyRecord(Base):
    """Replays of POSTs carrying an ``Idempotency-Key``: same key and body → same answer."""

    __tablename__ = "idempotency_records"

    principal: Mapped[str] = mapped_column(String(100), primary_key=True)
    key: Mapped[str] = mapped_column(String(200), primary_key=True)
    request_fingerprint: Mapped[str] = mapped_column(String(64))
    status_code: Mapped[int] = mapped_column(Integer)
    response_body: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = _now()
