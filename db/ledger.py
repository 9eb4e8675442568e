"""Posting journal entries (once per key) and reading balances."""

from __future__ import annotations

from datetime import date

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from db.models import LedgerEntry, LedgerLine, Order
from domain.ledger import JournalEntry, bank_account


async def post(
    session: AsyncSession,
    entry: JournalEntry,
    *,
    order_id: int | None,
    posted_on: date,
    member_id: int | None = None,
) -> bool:
    """Add ``entry`` unless its key was posted before. Returns whether it was added. The
    caller's transaction makes it atomic with the business change it records.

    ``member_id``: the member the entry belongs to (the budget reads by it); taken from the
    order when not given, so an order's callers need not pass it; a member-level entry (no
    order) passes it."""
    exists = await session.scalar(select(LedgerEntry.id).where(LedgerEntry.entry_key == entry.key))
    if exists is not None:
        return False
    if member_id is None and order_id is not None:
        member_id = await session.scalar(select(Order.member_id).where(Order.id == order_id))
    session.add(
        LedgerEntry(
            entry_key=entry.key,
            order_id=order_id,
            member_id=member_id,
            posted_on=posted_on,
            description=entry.description,
            lines=[
                LedgerLine(
                    account=line.account,
                    order_id=order_id,
                    member_id=member_id,
                    debit_cents=line.debit,
                    credit_cents=line.credit,
                )
                for line in entry.lines
            ],
        )
    )
    await session.flush()
    return True


async def balances(session: AsyncSession, *, order_id: int | None = None) -> dict[str, int]:
    """Debit minus credit per account (for one order, or the whole books)."""
    query = select(
        LedgerLine.account,
        func.sum(LedgerLine.debit_cents - LedgerLine.credit_cents),
    ).group_by(LedgerLine.account)
    if order_id is not None:
        query = query.where(LedgerLine.order_id == order_id)
    rows = await session.execute(query)
    return {account: int(total or 0) for account, total in rows.all()}


async def bank_balance(session: AsyncSession, iban: str, on: date) -> int:
    """The ledger's balance of bank account ``iban`` at the end of ``on`` (statement lines are
    posted on their booking day, the opening balance on its date)."""
    total = await session.scalar(
        select(func.sum(LedgerLine.debit_cents - LedgerLine.credit_cents))
        .join(LedgerEntry, LedgerEntry.id == LedgerLine.entry_id)
        .where(LedgerLine.account == bank_account(iban), LedgerEntry.posted_on <= on)
    )
    return int(total or 0)
