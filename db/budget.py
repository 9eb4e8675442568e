"""The member's budget read from the ledger: the member's lines in one query (by the lines'
``member_id``), the payslips' expenses in another, the figures from ``domain.budget``."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from db.models import LedgerEntry, LedgerLine, Payslip
from domain.budget import Budget, BudgetRow, MonthBudget, member_budget, month_budget
from domain.money import Cents


async def member_rows(session: AsyncSession, member_id: int) -> list[BudgetRow]:
    """Every ledger line of the member's, with its entry's key and day."""
    found = await session.execute(
        select(
            LedgerEntry.entry_key,
            LedgerLine.account,
            LedgerLine.order_id,
            LedgerLine.debit_cents,
            LedgerLine.credit_cents,
            LedgerEntry.posted_on,
        )
        .join(LedgerEntry, LedgerEntry.id == LedgerLine.entry_id)
        .where(LedgerLine.member_id == member_id)
        .order_by(LedgerEntry.posted_on, LedgerLine.id)
    )
    return [BudgetRow(*row) for row in found.all()]


async def payslip_expenses(session: AsyncSession, member_id: int) -> dict[int | None, Cents]:
    """Each order's expenses on its payslip (the ledger holds them inside the net payout)."""
    found = await session.execute(
        select(Payslip.order_id, Payslip.expenses_cents).where(Payslip.member_id == member_id)
    )
    return {order_id: cents for order_id, cents in found.all() if cents}


async def budget_of(session: AsyncSession, member_id: int) -> Budget:
    rows = await member_rows(session, member_id)
    return member_budget(rows, expenses=await payslip_expenses(session, member_id))


async def month_of(session: AsyncSession, member_id: int, month: str) -> MonthBudget:
    rows = await member_rows(session, member_id)
    return month_budget(rows, month, expenses=await payslip_expenses(session, member_id))
