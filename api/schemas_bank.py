"""Bank statements and the finance queue of bank transactions, as the API shows them."""

from __future__ import annotations

from datetime import date
from typing import Literal

from pydantic import BaseModel, Field

from api.bounds import Cents, line, paragraph
from api.schemas import UtcDatetime

QUEUE = ("suggested", "unmatched", "refund", "duplicate", "return")
LineStatus = Literal[
    "open",  # every status in QUEUE: what waits for a person
    "new",
    "matched",
    "suggested",
    "unmatched",
    "refund",
    "duplicate",
    "payout",
    "return",
    "ignored",
    "assigned",
    "not_ours",
    "refunded",
]


class StatementImported(BaseModel):
    statement_id: int
    workflow_id: str = Field(description="The statement's reconciliation in the Temporal UI")
    created: bool = Field(description="False: this statement was imported before; nothing changed")
    kind: str
    account_iban: str
    line_count: int
    new_lines: int = Field(description="Transactions not known from an earlier file")
    credit_cents: int
    debit_cents: int
    summary: str


class StatusReportImported(BaseModel):
    original_message_id: str = Field(description="The payout batch (pain.001 MsgId) it answers")
    group_status: str = Field(description="The status of the whole batch, when the bank gave one")
    payouts: int = Field(description="Our payouts the report gives a status for")
    newly_rejected: int = Field(description="Payouts rejected by this report, not known before")
    orders_told: int = Field(description="Orders stopped for ops with the bank's reason")


class StatementOut(BaseModel):
    id: int
    kind: str
    version: str
    statement_id: str
    account_iban: str
    opening_cents: int | None
    closing_cents: int | None
    closing_on: date | None
    line_count: int
    new_lines: int
    credit_cents: int
    debit_cents: int
    matched: int
    suggested: int
    unmatched: int
    source: str
    filename: str
    imported_by: str
    imported_at: UtcDatetime
    reconciled_at: UtcDatetime | None
    workflow_id: str
    ledger_balance_cents: int | None = Field(
        default=None,
        description="The ledger's balance of this bank account at the end of the closing "
        "balance's day (statements with a closing balance only)",
    )
    balance_agrees: bool | None = Field(
        default=None,
        description="Whether the ledger's bank account equals the statement's closing balance; "
        "False when a statement before it is missing or was read out of order",
    )


class AllocationOut(BaseModel):
    invoice_id: int
    invoice_number: str
    order_id: int
    amount_cents: int
    applied: bool = Field(description="False: proposed by the matcher, not booked")


class BankLineOut(BaseModel):
    id: int
    statement_id: int
    direction: str
    amount_cents: int
    booking_date: date
    counterparty_name: str
    counterparty_iban: str
    structured_refs: str
    unstructured: str
    end_to_end_id: str
    return_reason: str
    status: str
    rule: str
    confidence: int
    reason: str
    surplus_cents: int
    allocations: list[AllocationOut]
    decided_by: str
    decided_at: UtcDatetime | None


class AllocationIn(BaseModel):
    invoice_number: str = line(40, 1)
    amount_cents: Cents


class AssignRequest(BaseModel):
    """Put the transaction on one or more invoices; the parts add up to its amount (what goes
    beyond an invoice's balance is held by its order for a refund or the next invoice)."""

    allocations: list[AllocationIn] = Field(min_length=1, max_length=50)
    note: str = paragraph(1000)


class DismissRequest(BaseModel):
    outcome: Literal["not_ours", "refunded"] = Field(
        description="not_ours: not a payment for us (a wrong transfer, our own transfer); "
        "refunded: paid back to the sender"
    )
    note: str = paragraph(1000, 1)


class DecisionOut(BaseModel):
    line: BankLineOut
    signalled: int = Field(description="Payments handed to their orders")


class InboxTriggered(BaseModel):
    schedule_id: str
    message: str
