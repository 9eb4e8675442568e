"""The member's wage arrangement over time and its monthly salaries, read and written."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from db import budget as budgets
from db.models import Member
from db.models_salary import SalaryArrangement, SalaryMonth
from domain.budget import employment_budget_by_month
from domain.payroll.be_salary_allowances import SalaryMonthsPaid
from domain.salary_category import salary_policy_for


async def arrangement_for(
    session: AsyncSession, member_id: int, on: date
) -> SalaryArrangement | None:
    """The arrangement in force on ``on``: the newest one whose first month has begun (None:
    the member never chose, so per-order wages)."""
    return await session.scalar(
        select(SalaryArrangement)
        .where(SalaryArrangement.member_id == member_id, SalaryArrangement.effective_from <= on)
        .order_by(SalaryArrangement.effective_from.desc(), SalaryArrangement.id.desc())
        .limit(1)
    )


async def arrangements(session: AsyncSession, member_id: int) -> list[SalaryArrangement]:
    """Every arrangement the member had or will have, newest first."""
    found = await session.scalars(
        select(SalaryArrangement)
        .where(SalaryArrangement.member_id == member_id)
        .order_by(SalaryArrangement.effective_from.desc(), SalaryArrangement.id.desc())
    )
    return list(found)


async def add_arrangement(
    session: AsyncSession,
    member_id: int,
    *,
    mode: str,
    gross_cents: int,
    hours_per_month: Decimal,
    effective_from: date,
    requested_by: str,
) -> SalaryArrangement:
    row = SalaryArrangement(
        member_id=member_id,
        mode=mode,
        gross_cents=gross_cents,
        hours_per_month=hours_per_month,
        effective_from=effective_from,
        requested_by=requested_by,
    )
    session.add(row)
    await session.flush()
    return row


async def salary_months(
    session: AsyncSession, member_id: int, limit: int = 24
) -> list[SalaryMonth]:
    """The member's salary months, newest first."""
    found = await session.scalars(
        select(SalaryMonth)
        .where(SalaryMonth.member_id == member_id)
        .order_by(SalaryMonth.month.desc())
        .limit(limit)
    )
    return list(found)


async def salary_month(session: AsyncSession, member_id: int, month: date) -> SalaryMonth | None:
    return await session.scalar(
        select(SalaryMonth).where(SalaryMonth.member_id == member_id, SalaryMonth.month == month)
    )


async def months_paid(session: AsyncSession, member_id: int, month: date) -> SalaryMonthsPaid:
    """The member's paid salary months in the calendar year before ``month``'s and in its
    year before ``month`` (what the Belgian allowances are pro rata of)."""
    this_year = month.replace(month=1, day=1)
    last_year = this_year.replace(year=this_year.year - 1)

    async def count(start: date, end: date) -> int:
        found = await session.scalar(
            select(func.count())
            .select_from(SalaryMonth)
            .where(
                SalaryMonth.member_id == member_id,
                SalaryMonth.status == "paid",
                SalaryMonth.month >= start,
                SalaryMonth.month < end,
            )
        )
        return int(found or 0)

    return SalaryMonthsPaid(
        previous_year=await count(last_year, this_year),
        this_year_before=await count(this_year, month),
    )


async def budget_history(
    session: AsyncSession, member_id: int, jurisdiction: str, month: date
) -> list[int]:
    """The employment budget the member earned in each of the months the jurisdiction's salary
    policy averages, before ``month`` (oldest first): what the salary category rule reads."""
    months = salary_policy_for(jurisdiction, month).months_averaged
    rows = await budgets.member_rows(session, member_id)
    return employment_budget_by_month(rows, month, months)


async def months_by_status(
    session: AsyncSession, status: str, *, limit: int, offset: int
) -> list[tuple[SalaryMonth, str]]:
    """Every member's salary months with ``status`` and the member's name, newest first."""
    found = await session.execute(
        select(SalaryMonth, Member.name)
        .join(Member, Member.id == SalaryMonth.member_id)
        .where(SalaryMonth.status == status)
        .order_by(SalaryMonth.month.desc(), SalaryMonth.id.desc())
        .limit(limit)
        .offset(offset)
    )
    return [(month, name) for month, name in found.all()]
