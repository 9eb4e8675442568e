"""The member's wage mode and monthly salary (``/members/me/salary``): the choice checked
against the salary category rule, stored from the first day of next month, and the member's
salary workflow started or told."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from sqlalchemy.ext.asyncio import AsyncSession
from temporalio.client import Client
from temporalio.common import WorkflowIDConflictPolicy
from temporalio.service import RPCError, RPCStatusCode

from api.auth import Principal
from api.schemas_salary import (
    ArrangementOut,
    SalaryChoice,
    SalaryMonthOut,
    SalaryMonthRow,
    SalaryOut,
    SalaryRangeOut,
)
from api.services import members as member_service
from db import salary as salaries
from db.employment_records import employment_of
from domain import salary_messages as msg
from domain.errors import DomainError
from domain.salary_category import (
    check_category,
    first_month_of_change,
    salary_range,
)
from workflows.salary import MonthlySalaryWorkflow

DEFAULT_HOURS = Decimal("160")  # shown when the member has not chosen hours yet


async def _range(
    session: AsyncSession, member_id: int, jurisdiction: str, hours: Decimal, month: date
) -> SalaryRangeOut:
    try:
        history = await salaries.budget_history(session, member_id, jurisdiction, month)
        found = salary_range(
            history, jurisdiction, await employment_of(session, member_id), hours, month
        )
    except DomainError as refused:
        return SalaryRangeOut(
            month=month,
            hours_per_month=hours,
            minimum_gross_cents=0,
            maximum_gross_cents=0,
            average_budget_cents=0,
            supported=False,
            refused=refused.message,
        )
    return SalaryRangeOut(
        month=month,
        hours_per_month=hours,
        minimum_gross_cents=found.minimum_gross_cents,
        maximum_gross_cents=found.maximum_gross_cents,
        average_budget_cents=found.average_budget_cents,
        supported=found.supported,
    )


async def salary_of(
    session: AsyncSession, member_id: int, today: date, hours: Decimal | None = None
) -> SalaryOut:
    member = await member_service.get_member(session, member_id)
    rows = await salaries.arrangements(session, member_id)
    now = await salaries.arrangement_for(session, member_id, today)
    chosen_hours = hours or next(
        (Decimal(r.hours_per_month) for r in rows if r.hours_per_month), None
    )
    months = await salaries.salary_months(session, member_id)
    return SalaryOut(
        member_id=member_id,
        mode_now=now.mode if now is not None else "per_order",  # type: ignore[arg-type]
        arrangements=[
            ArrangementOut(
                mode=r.mode,  # type: ignore[arg-type]
                gross_cents=r.gross_cents,
                hours_per_month=Decimal(r.hours_per_month),
                effective_from=r.effective_from,
                requested_by=r.requested_by,
            )
            for r in rows
        ],
        range=await _range(
            session,
            member_id,
            member.jurisdiction,
            chosen_hours or DEFAULT_HOURS,
            first_month_of_change(today),
        ),
        months=[
            SalaryMonthOut(
                month=m.month,
                status=m.status,
                message=m.message,
                pay_date=m.pay_date,
                gross_wage_cents=m.gross_wage_cents,
                net_wage_cents=m.net_wage_cents,
                employer_cost_cents=m.employer_cost_cents,
                payout_key=m.payout_key,
            )
            for m in months
        ],
        workflow_id=msg.salary_workflow_id(member_id) if rows else None,
    )


async def choose(
    session: AsyncSession,
    temporal: Client,
    *,
    task_queue: str,
    seconds_per_day: float,
    principal: Principal,
    member_id: int,
    choice: SalaryChoice,
    today: date,
) -> SalaryOut:
    """Store the choice from the first day of next month (checked against the rule for a
    monthly salary), then start the member's salary workflow, or tell the running one."""
    member = await member_service.get_member(session, member_id)
    month = first_month_of_change(today)
    gross, hours = 0, Decimal(0)
    if choice.mode == "monthly":
        assert choice.gross_cents is not None
        assert choice.hours_per_month is not None
        gross, hours = choice.gross_cents, choice.hours_per_month
        history = await salaries.budget_history(session, member_id, member.jurisdiction, month)
        check_category(
            gross,
            hours,
            member.jurisdiction,
            await employment_of(session, member_id),
            month,
            history,
        )
    await salaries.add_arrangement(
        session,
        member_id,
        mode=choice.mode,
        gross_cents=gross,
        hours_per_month=hours,
        effective_from=month,
        requested_by=principal.label,
    )
    await session.commit()
    await tell_workflow(
        temporal,
        task_queue,
        msg.SalaryInput(
            member_id=member_id, month=month, seconds_per_day=seconds_per_day, started_on=today
        ),
        start=choice.mode == "monthly",
    )
    return await salary_of(session, member_id, today, hours or None)


async def tell_workflow(
    temporal: Client, task_queue: str, first: msg.SalaryInput, *, start: bool
) -> None:
    """Start the member's salary workflow (a monthly salary chosen) or, when it runs, tell it
    the arrangement changed; a per-order choice with no workflow running needs nothing."""
    workflow_id = msg.salary_workflow_id(first.member_id)
    if start:
        handle = await temporal.start_workflow(
            MonthlySalaryWorkflow.run,
            first,
            id=workflow_id,
            task_queue=task_queue,
            id_conflict_policy=WorkflowIDConflictPolicy.USE_EXISTING,
            static_summary=f"Monthly salary of member {first.member_id}",
        )
    else:
        handle = temporal.get_workflow_handle(workflow_id)
    try:
        await handle.signal(MonthlySalaryWorkflow.arrangement_changed)
    except RPCError as exc:
        if exc.status != RPCStatusCode.NOT_FOUND:
            raise  # none running (a per-order choice): the choice is stored, nothing to tell


async def leave(
    session: AsyncSession,
    temporal: Client,
    *,
    task_queue: str,
    principal: Principal,
    member_id: int,
    today: date,
) -> SalaryOut:
    """The member leaves the cooperative at the end of this month: a monthly salary is paid for
    the month, then the continuing employment ends with its declaration (DEÜV deregistration,
    Dimona OUT); per-order wages end with each order as they always do."""
    await member_service.get_member(session, member_id)
    await salaries.add_arrangement(
        session,
        member_id,
        mode="left",
        gross_cents=0,
        hours_per_month=Decimal(0),
        effective_from=first_month_of_change(today),
        requested_by=principal.label,
    )
    await session.commit()
    await tell_workflow(
        temporal, task_queue, msg.SalaryInput(member_id=member_id, month=today), start=False
    )
    return await salary_of(session, member_id, today)


async def months_with_status(
    session: AsyncSession, status: str, *, limit: int, offset: int
) -> list[SalaryMonthRow]:
    """Salary months of every member with ``status`` (paused: what finance looks at), newest
    first."""
    rows = await salaries.months_by_status(session, status, limit=limit, offset=offset)
    return [
        SalaryMonthRow(
            member_id=month.member_id,
            member_name=name,
            available_before_cents=month.available_before_cents,
            month=month.month,
            status=month.status,
            message=month.message,
            pay_date=month.pay_date,
            gross_wage_cents=month.gross_wage_cents,
            net_wage_cents=month.net_wage_cents,
            employer_cost_cents=month.employer_cost_cents,
            payout_key=month.payout_key,
        )
        for month, name in rows
    ]
