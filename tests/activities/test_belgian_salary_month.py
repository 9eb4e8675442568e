"""A Belgian white-collar member's May salary, through the real activities and database: the
month's plan counts last year's paid salary months and prices the double holiday pay; the paid
month books the salary and the allowance in balance and stores both on the payslip."""

from __future__ import annotations

import json
from datetime import date
from decimal import Decimal
from pathlib import Path

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from db import salary as salaries
from db.models import LedgerLine
from db.models_payroll import EmploymentRecord
from db.models_salary import SalaryArrangement, SalaryMonth
from domain import salary_messages as msg
from domain.payroll.employment import BelgianEmployment
from tests.activities.test_idempotence import make_activities
from tests.factories import create_member

MAY = date(2026, 5, 1)


async def _member_paid_through_2025(sessions: async_sessionmaker[AsyncSession]) -> int:
    member = await create_member(sessions, jurisdiction="BE", language="fr")
    async with sessions.begin() as session:
        session.add(
            EmploymentRecord(
                member_id=member.id,
                jurisdiction="BE",
                data=BelgianEmployment().model_dump_json(),
            )
        )
        session.add(
            SalaryArrangement(
                member_id=member.id,
                mode="monthly",
                gross_cents=400_000,
                hours_per_month=Decimal("164.67"),
                effective_from=date(2025, 1, 1),
                requested_by=member.name,
            )
        )
        for n in range(1, 13):  # every month of 2025, and January to April 2026
            session.add(_paid(member.id, date(2025, n, 1)))
        for n in range(1, 5):
            session.add(_paid(member.id, date(2026, n, 1)))
    return member.id


def _paid(member_id: int, month: date) -> SalaryMonth:
    return SalaryMonth(
        member_id=member_id, month=month, status="paid", jurisdiction="BE", pay_date=month
    )


async def test_may_salary_pays_the_double_holiday_pay(
    session_factory: async_sessionmaker[AsyncSession], tmp_path: Path
) -> None:
    acts = make_activities(session_factory, tmp_path)
    member_id = await _member_paid_through_2025(session_factory)
    async with session_factory() as session:
        paid = await salaries.months_paid(session, member_id, MAY)
    assert (paid.previous_year, paid.this_year_before) == (12, 4)

    plan = await acts.salary_month_plan(
        msg.MonthPlanRequest(member_id=member_id, month=MAY, negative_months=0)
    )
    # 4,000.00 + the employer's 25 % + a double holiday pay of 3,680.00 (no employer share).
    assert plan.employer_cost_cents == 400_000 + 100_000 + 368_000

    done = await acts.run_monthly_salary(
        msg.RunMonthlySalary(
            member_id=member_id,
            month=MAY,
            status="paid",
            pay_date=date(2026, 5, 29),
            gross_cents=400_000,
            negative_months=0,
            available_cents=0,
        )
    )
    assert done.employer_cost_cents == plan.employer_cost_cents
    async with session_factory() as session:
        month = await session.get(SalaryMonth, done.salary_month_id)
        assert month is not None
        assert month.gross_wage_cents == 768_000
        (allowance,) = json.loads(month.details or "{}")["allowances"]
        assert allowance["kind"] == "double_holiday_pay"
        assert allowance["wage_tax_cents"] == 137_158
        debit, credit = (
            await session.execute(
                select(func.sum(LedgerLine.debit_cents), func.sum(LedgerLine.credit_cents)).where(
                    LedgerLine.member_id == member_id
                )
            )
        ).one()
    assert debit == credit  # the salary and the allowance booked in balance
    assert debit >= 868_000  # at least the member budget's debit of the month's whole cost
