"""The ledger's answers (``GET /orders/{id}/ledger``): an order's journal entries and its
balances per account."""

from __future__ import annotations

from datetime import date

from pydantic import BaseModel, ConfigDict, Field


class _FromRows(BaseModel):
    model_config = ConfigDict(from_attributes=True)


class LedgerLineOut(_FromRows):
    account: str
    debit_cents: int
    credit_cents: int


class LedgerEntryOut(_FromRows):
    id: int
    entry_key: str
    posted_on: date
    description: str
    lines: list[LedgerLineOut]


class AccountBalance(BaseModel):
    account: str
    debit_cents: int
    credit_cents: int
    balance_cents: int = Field(description="debits minus credits")


class OrderLedger(BaseModel):
    order_id: int
    entries: list[LedgerEntryOut]
    balances: list[AccountBalance]
