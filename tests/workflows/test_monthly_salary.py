"""The monthly salary on the time-skipping server with the real activities: a member's budget
fed by irregular orders pays the same salary at each month end; a budget that cannot carry it
pauses the salary with a message; going back to per-order wages ends it after the month; an
order of a member on monthly salary pays no wage of its own."""

from __future__ import annotations

import asyncio
from datetime import date, timedelta
from decimal import Decimal

from sqlalchemy import func, select

from db import ledger
from db.models import Declaration, LedgerLine, Member, Payout, Payslip
from db.models_salary import SalaryArrangement, SalaryMonth
from domain import salary_messages as msg
from domain.ledger import JournalEntry, Line
from domain.order_status import OrderStatus
from domain.payroll.monthly_salary import month_end
from domain.salary_category import first_month_of_change
from tests.factories import create_member
from tests.workflows.conftest import Lifecycle
from tests.workflows.test_order_lifecycle import pay, sign_and_complete
from workflows import search_attributes as sa
from workflows.salary import MonthlySalaryWorkflow

GROSS = 250_000  # the salary category: €2,500.00 a month


async def _arrange(lc: Lifecycle, member: Member, mode: str, effective_from: date) -> None:
    async with lc.sessions.begin() as session:
        session.add(
            SalaryArrangement(
                member_id=member.id,
                mode=mode,
                gross_cents=GROSS if mode == "monthly" else 0,
                hours_per_month=Decimal(160),
                effective_from=effective_from,
                requested_by=member.name,
            )
        )


async def _earn(lc: Lifecycle, member: Member, key: str, net: int, on: date) -> None:
    """An order's budget as the ledger holds it once the client paid: invoiced (net + 19 %
    VAT), the 9 % fee, the payment received (the order itself is not needed here)."""
    vat, fee = net * 19 // 100, net * 9 // 100
    for entry in (
        JournalEntry(
            key=f"{key}:invoice",
            description="Invoice issued",
            lines=(
                Line(account="client_receivable", debit=net + vat),
                Line(account="vat_payable", credit=vat),
                Line(account="member_budget", credit=net),
            ),
        ),
        JournalEntry(
            key=f"{key}:fee",
            description="Cooperative fee",
            lines=(
                Line(account="member_budget", debit=fee),
                Line(account="coop_fee", credit=fee),
            ),
        ),
        JournalEntry(
            key=f"{key}:payment",
            description="Payment received",
            lines=(
                Line(account="bank_clearing", debit=net + vat),
                Line(account="client_receivable", credit=net + vat),
            ),
        ),
    ):
        async with lc.sessions.begin() as session:
            await ledger.post(session, entry, order_id=None, member_id=member.id, posted_on=on)


async def _start(lc: Lifecycle, member: Member, month: date, today: date):  # type: ignore[no-untyped-def]
    return await lc.env.client.start_workflow(
        MonthlySalaryWorkflow.run,
        msg.SalaryInput(member_id=member.id, month=month, started_on=today),
        id=msg.salary_workflow_id(member.id),
        task_queue=lc.task_queue,
    )


async def _months(lc: Lifecycle, member: Member, count: int) -> list[SalaryMonth]:
    """Wait (real seconds) until ``count`` salary months are recorded and paid out."""
    rows: list[SalaryMonth] = []
    for _ in range(200):
        async with lc.sessions() as session:
            rows = list(
                await session.scalars(
                    select(SalaryMonth)
                    .where(SalaryMonth.member_id == member.id)
                    .order_by(SalaryMonth.month)
                )
            )
            sent = await session.scalar(
                select(func.count())
                .select_from(Payout)
                .where(Payout.member_id == member.id, Payout.status == "sent")
            )
        paid = sum(1 for r in rows if r.status == "paid")
        if len(rows) >= count and sent == paid:
            return rows
        await asyncio.sleep(0.05)
    raise AssertionError(f"{count} salary months expected, found {rows}")


async def _through_month_end(lc: Lifecycle, month: date) -> None:
    """Skip the server's clock past ``month``'s last day and the payout run after it."""
    now = await lc.today()
    await lc.env.sleep(timedelta(days=(month_end(month) - now).days + 2))


async def test_irregular_orders_pay_three_equal_monthly_salaries(lifecycle: Lifecycle) -> None:
    today = await lifecycle.today()
    member = await create_member(lifecycle.sessions)
    first = first_month_of_change(today)
    await _arrange(lifecycle, member, "monthly", first)
    await _earn(lifecycle, member, "job-1", 900_000, today)  # a big order before the salary
    handle = await _start(lifecycle, member, first, today)

    month = first
    earnings = {1: 0, 2: 150_000}  # nothing in the second month, a small order in the third
    for n in (1, 2, 3):
        await _through_month_end(lifecycle, month)
        await _months(lifecycle, member, n)
        if n in earnings and earnings[n]:
            await _earn(lifecycle, member, f"job-{n + 1}", earnings[n], await lifecycle.today())
        month = month_end(month) + timedelta(days=1)
    rows = await _months(lifecycle, member, 3)
    assert [r.status for r in rows] == ["paid", "paid", "paid"]
    assert {r.gross_wage_cents for r in rows} == {GROSS}
    assert len({r.net_wage_cents for r in rows}) == 1  # three equal salaries
    assert [r.month for r in rows][0] == first
    view = await handle.query(MonthlySalaryWorkflow.state)
    assert view.status == "waiting for the month end"

    async with lifecycle.sessions() as session:
        payouts = list(await session.scalars(select(Payout).where(Payout.member_id == member.id)))
        declared = list(
            await session.scalars(
                select(Declaration.declaration_key).where(
                    Declaration.declaration_key.like(f"salary-{member.id}-%")
                )
            )
        )
        debit, credit = (
            await session.execute(
                select(func.sum(LedgerLine.debit_cents), func.sum(LedgerLine.credit_cents)).where(
                    LedgerLine.member_id == member.id
                )
            )
        ).one()
    assert sorted(p.payout_key for p in payouts) == [
        f"SAL-{member.id}-{r.month:%Y%m}" for r in rows
    ]
    assert all(p.order_id is None and p.advanced_cents == 0 for p in payouts)
    assert [p.amount_cents for p in payouts] == [r.net_wage_cents for r in rows]
    assert declared == [f"salary-{member.id}-start-{first.isoformat()}"]  # one employment
    assert debit == credit  # every salary and payout booked in balance


async def test_a_budget_that_cannot_carry_the_salary_pauses_it(lifecycle: Lifecycle) -> None:
    today = await lifecycle.today()
    member = await create_member(lifecycle.sessions)
    first = first_month_of_change(today)
    await _arrange(lifecycle, member, "monthly", first)
    await _earn(lifecycle, member, "job-1", 200_000, today)  # less than one month's cost
    handle = await _start(lifecycle, member, first, today)
    await _through_month_end(lifecycle, first)
    await _months(lifecycle, member, 1)
    second = month_end(first) + timedelta(days=1)
    await _through_month_end(lifecycle, second)
    await _months(lifecycle, member, 2)
    third = month_end(second) + timedelta(days=1)
    await _through_month_end(lifecycle, third)
    rows = await _months(lifecycle, member, 3)
    # paid once into the red (the one month allowed), then paused while the budget stays there
    assert [r.status for r in rows] == ["paid", "paused", "paused"]
    assert "below zero" in rows[0].message
    assert "paused" in rows[1].message
    assert rows[1].net_wage_cents == 0
    assert rows[2].available_before_cents == rows[1].available_before_cents < 0
    view = await handle.query(MonthlySalaryWorkflow.state)
    assert view.status == "paused"
    described = await handle.describe()
    assert described.typed_search_attributes.get(sa.ORDER_STATUS) == "SalaryPaused"


async def test_back_to_per_order_wages_ends_the_salary_after_the_month(
    lifecycle: Lifecycle,
) -> None:
    today = await lifecycle.today()
    member = await create_member(lifecycle.sessions)
    first = first_month_of_change(today)
    await _arrange(lifecycle, member, "monthly", first)
    await _earn(lifecycle, member, "job-1", 900_000, today)
    handle = await _start(lifecycle, member, first, today)
    # Mid-month, the member goes back to per-order wages: from the next month on.
    await lifecycle.env.sleep(timedelta(days=(first - today).days + 14))
    second = month_end(first) + timedelta(days=1)
    await _arrange(lifecycle, member, "per_order", second)
    await handle.signal(MonthlySalaryWorkflow.arrangement_changed)
    result = await handle.result()
    await lifecycle.save_history(handle, "salary_back_to_per_order")
    assert result == f"monthly salary ended after {msg.month_key(first)}"
    rows = await _months(lifecycle, member, 1)
    assert [r.status for r in rows] == ["paid"]
    async with lifecycle.sessions() as session:
        declared = sorted(
            await session.scalars(
                select(Declaration.declaration_key).where(
                    Declaration.declaration_key.like(f"salary-{member.id}-%")
                )
            )
        )
    assert declared == [
        f"salary-{member.id}-end-{month_end(first).isoformat()}",
        f"salary-{member.id}-start-{first.isoformat()}",
    ]


async def test_an_order_of_a_member_on_monthly_salary_pays_no_wage_of_its_own(
    lifecycle: Lifecycle,
) -> None:
    today = await lifecycle.today()
    handle, inp = await lifecycle.start()
    async with lifecycle.sessions() as session:
        member = await session.get_one(Member, inp.member_id)
    await _arrange(lifecycle, member, "monthly", today.replace(day=1))
    view = await sign_and_complete(lifecycle, handle, inp)
    assert view.wage_mode == "monthly"
    await handle.signal("payment_received", pay("paid", view.principal_due_cents, today))
    summary = await handle.result()
    await lifecycle.save_history(handle, "order_on_monthly_salary")
    assert summary.status == OrderStatus.CLOSED
    assert summary.outcome.endswith("; wage: monthly salary")
    async with lifecycle.sessions() as session:
        payslips = await session.scalar(
            select(func.count()).select_from(Payslip).where(Payslip.order_id == inp.order_id)
        )
        payouts = await session.scalar(
            select(func.count()).select_from(Payout).where(Payout.order_id == inp.order_id)
        )
        declared = await session.scalar(
            select(func.count())
            .select_from(Declaration)
            .where(Declaration.order_id == inp.order_id)
        )
    assert (payslips, payouts, declared) == (0, 0, 0)


async def test_a_refused_step_holds_the_salary_for_ops_until_retried(
    lifecycle: Lifecycle,
) -> None:
    today = await lifecycle.today()
    member = await create_member(lifecycle.sessions, iban="DE00370400440532013000")  # bad sum
    first = first_month_of_change(today)
    await _arrange(lifecycle, member, "monthly", first)
    await _earn(lifecycle, member, "job-1", 900_000, today)
    handle = await _start(lifecycle, member, first, today)
    await _through_month_end(lifecycle, first)
    view = None
    for _ in range(100):
        view = await handle.query(MonthlySalaryWorkflow.state)
        if view is not None and view.status == "held":
            break
        await asyncio.sleep(0.05)
    assert view is not None
    assert view.status == "held", view
    assert "queue_salary_payout was refused" in view.message
    assert "DE00370400440532013000" in view.message
    described = await handle.describe()
    assert described.typed_search_attributes.get(sa.ORDER_STATUS) == "SalaryHeld"
    # ops fix the member's bank details, then retry: paid once, with the month's payslip
    async with lifecycle.sessions.begin() as session:
        (await session.get_one(Member, member.id)).iban = "DE89370400440532013000"
    await handle.signal(MonthlySalaryWorkflow.retry)
    rows = await _months(lifecycle, member, 1)
    assert [r.status for r in rows] == ["paid"]
    async with lifecycle.sessions() as session:
        payouts = list(await session.scalars(select(Payout).where(Payout.member_id == member.id)))
    assert [(p.iban, p.status) for p in payouts] == [("DE89370400440532013000", "sent")]
