"""The member's wage mode: per order, or a monthly salary from the budget (issue: the budget
and wage smoothing). The member chooses for itself; staff read any member's."""

from __future__ import annotations

from decimal import Decimal
from typing import Annotated, Literal

from fastapi import APIRouter, Query

from api.auth import AdminPrincipal, MemberPrincipal, StaffPrincipal
from api.bounds import IdPath, Limit, Offset
from api.deps import AppConfig, DbSession, TemporalConn
from api.schemas_salary import SalaryChoice, SalaryMonthRow, SalaryOut
from api.services import salary as service
from api.services.orders import utc_today

router = APIRouter(tags=["members"])

Hours = Annotated[
    Decimal | None,
    Query(gt=0, le=260, description="the hours a month to show the salary range for"),
]


@router.get("/members/me/salary")
async def my_salary(
    principal: MemberPrincipal, session: DbSession, hours_per_month: Hours = None
) -> SalaryOut:
    """My wage mode, the salary range my budget supports from next month (from the minimum
    wage for the hours to what the average employment budget of the last months pays) and my
    monthly salaries."""
    return await service.salary_of(session, principal.own_member_id, utc_today(), hours_per_month)


@router.put("/members/me/salary")
async def choose_salary(
    choice: SalaryChoice,
    principal: MemberPrincipal,
    session: DbSession,
    config: AppConfig,
    temporal: TemporalConn,
) -> SalaryOut:
    """Choose per-order wages or a monthly salary (a gross within the range), from the first
    day of next month; a monthly salary starts the member's salary workflow."""
    return await service.choose(
        session,
        await temporal.get(),
        task_queue=config.task_queue,
        seconds_per_day=config.seconds_per_day,
        principal=principal,
        member_id=principal.own_member_id,
        choice=choice,
        today=utc_today(),
    )


@router.get("/members/{member_id}/salary")
async def member_salary(member_id: IdPath, _staff: StaffPrincipal, session: DbSession) -> SalaryOut:
    """A member's wage mode and monthly salaries, for finance and admin."""
    return await service.salary_of(session, member_id, utc_today())


@router.post("/members/{member_id}/leave")
async def member_leaves(
    member_id: IdPath,
    _admin: AdminPrincipal,
    session: DbSession,
    config: AppConfig,
    temporal: TemporalConn,
) -> SalaryOut:
    """The member leaves at the end of this month: a monthly salary ends after the month with
    the end of its continuing employment declared (DEÜV deregistration, Dimona OUT)."""
    return await service.leave(
        session,
        await temporal.get(),
        task_queue=config.task_queue,
        principal=_admin,
        member_id=member_id,
        today=utc_today(),
    )


@router.get("/finance/salary-months", tags=["finance"])
async def salary_months(
    _staff: StaffPrincipal,
    session: DbSession,
    status: Literal["paused", "paid"] = "paused",
    limit: Limit = 100,
    offset: Offset = 0,
) -> list[SalaryMonthRow]:
    """Monthly salaries by status, newest first: ``paused`` ones are the members whose budget
    could not carry their salary (the reason with each)."""
    return await service.months_with_status(session, status, limit=limit, offset=offset)
