"""The monthly salary's activities (``workflows.salary``): the month's plan from the arrangement
and the budget, the month's payroll booked against the member's budget, the continuing
employment's declarations, and the wage mode an order reads when the client signs.

Idempotent: one salary month per member and month (``salary_months``), its ledger entry keyed
``salary-<member>-<YYYY-MM>:payroll``, a declaration per member, kind and day.
"""

from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy.ext.asyncio import AsyncSession
from temporalio import activity

from activities.employment_declarations import declare_once
from activities.errors import permanent_errors
from activities.heartbeat import heartbeating
from activities.order_base import OrderSteps
from adapters.social_security.declarations import EmploymentDeclaration, SocialSecurity
from db import budget as budgets
from db import ledger
from db import salary as salaries
from db.employment_records import employment_of
from db.models import Member
from db.models_salary import SalaryMonth
from domain import ledger as entries
from domain import salary_messages as msg
from domain.errors import DomainError
from domain.payroll.employment import MemberEmployment
from domain.payroll.monthly_salary import employer_cost_cents, month_end, monthly_salary_result
from domain.salary_category import month_end_decision, salary_policy_for


def salary_key(member_id: int, month: date) -> str:
    """The salary month's key in the ledger and the declarations: ``salary-7-2026-12``."""
    return f"salary-{member_id}-{msg.month_key(month)}"


async def _member_and_record(
    session: AsyncSession, member_id: int
) -> tuple[Member, MemberEmployment | None]:
    member = await session.get(Member, member_id)
    if member is None:
        raise DomainError(f"member {member_id} does not exist")
    return member, await employment_of(session, member_id)


class SalarySteps(OrderSteps):
    _social_security: SocialSecurity

    @activity.defn(name=msg.SALARY_MONTH_PLAN)
    @permanent_errors
    async def salary_month_plan(self, request: msg.MonthPlanRequest) -> msg.MonthPlan:
        month = request.month
        async with self._sessions() as session:
            arrangement = await salaries.arrangement_for(session, request.member_id, month)
            member, record = await _member_and_record(session, request.member_id)
            if arrangement is None or arrangement.mode != "monthly":
                why = (
                    "the member left"
                    if arrangement and arrangement.mode == "left"
                    else ("the member went back to a wage per order")
                )
                return msg.MonthPlan(
                    action="stop",
                    message=f"no salary from {msg.month_key(month)}: {why}",
                    jurisdiction=member.jurisdiction,
                    left_on=month - timedelta(days=1),  # the last day of the last salary
                )
            following = await salaries.arrangement_for(
                session, request.member_id, month_end(month) + timedelta(days=1)
            )
            budget = await budgets.budget_of(session, request.member_id)
            paid = await salaries.months_paid(session, request.member_id, month)
        policy = salary_policy_for(member.jurisdiction, month)
        cost = employer_cost_cents(
            arrangement.gross_cents, member.jurisdiction, record, month, paid=paid
        )
        # The budget's signed balance: the page's "available" stops at zero, but a salary paid
        # while it was below zero leaves the member owing it, and that must count here.
        balance = budget.total.budget_held_cents - budget.total.unbacked_cents
        decision = month_end_decision(balance, cost, request.negative_months, policy)
        return msg.MonthPlan(
            action="pay" if decision.pay else "pause",
            message=decision.message,
            gross_cents=arrangement.gross_cents,
            employer_cost_cents=cost,
            available_cents=balance,
            negative_months=decision.negative_months,
            jurisdiction=member.jurisdiction,
            last_month=following is None or following.mode != "monthly",
        )

    @activity.defn(name=msg.RUN_MONTHLY_SALARY)
    @heartbeating
    @permanent_errors
    async def run_monthly_salary(self, request: msg.RunMonthlySalary) -> msg.SalaryPaid:
        async with self._sessions.begin() as session:
            done = await salaries.salary_month(session, request.member_id, request.month)
            if done is None:
                member, record = await _member_and_record(session, request.member_id)
                done = SalaryMonth(
                    member_id=request.member_id,
                    month=request.month,
                    status=request.status,
                    message=request.message,
                    jurisdiction=member.jurisdiction,
                    pay_date=request.pay_date,
                    available_before_cents=request.available_cents,
                    negative_months=request.negative_months,
                )
                if request.status == "paid":
                    arrangement = await salaries.arrangement_for(
                        session, request.member_id, request.month
                    )
                    result = monthly_salary_result(
                        request.gross_cents,
                        member.jurisdiction,
                        record,
                        request.month,
                        request.pay_date,
                        paid=await salaries.months_paid(session, request.member_id, request.month),
                        hours_per_month=arrangement.hours_per_month if arrangement else None,
                    )
                    d = result.data
                    done.engine = result.engine
                    done.gross_wage_cents = d.gross_wage_cents
                    done.employee_contributions_cents = d.employee_contributions_cents
                    done.employer_contributions_cents = d.employer_contributions_cents
                    done.wage_tax_cents = d.wage_tax_cents
                    done.net_wage_cents = d.net_wage_cents
                    done.employer_cost_cents = d.employer_cost_cents
                    done.details = result.details
                    await ledger.post(
                        session,
                        entries.payslip_posted(
                            salary_key(request.member_id, request.month),
                            employer_cost=d.employer_cost_cents,
                            employee_contributions=d.employee_contributions_cents,
                            employer_contributions=d.employer_contributions_cents,
                            wage_tax=d.wage_tax_cents,
                            net_wage=d.net_wage_cents,
                            expenses=0,
                            remainder=0,
                        ),
                        order_id=None,
                        member_id=request.member_id,
                        posted_on=request.pay_date,
                    )
                session.add(done)
                await session.flush()
            return msg.SalaryPaid(
                salary_month_id=done.id,
                net_cents=done.net_wage_cents,
                employer_cost_cents=done.employer_cost_cents,
                engine=done.engine or "none",
            )

    @activity.defn(name=msg.DECLARE_SALARY_EMPLOYMENT)
    @heartbeating
    @permanent_errors
    async def declare_salary_employment(self, request: msg.DeclareSalaryEmployment) -> str:
        """The continuing employment's registration (start) or deregistration (end): DEÜV in
        Germany, Dimona IN / OUT in Belgium, through the same adapter as the orders'."""
        async with self._sessions() as session:
            member, _ = await _member_and_record(session, request.member_id)
        return await declare_once(
            self._sessions,
            self._social_security,
            EmploymentDeclaration(
                declaration_key=f"salary-{member.id}-{request.kind}-{request.on.isoformat()}",
                kind=request.kind,
                jurisdiction=member.jurisdiction,  # type: ignore[arg-type]
                member_id=str(member.id),
                member_name=member.name,
                order_id=msg.salary_workflow_id(member.id),
                period_start=request.on,
                period_end=request.on,
            ),
            order_id=None,
        )

    @activity.defn(name=msg.WAGE_MODE_OF)
    @permanent_errors
    async def wage_mode_of(self, request: msg.WageModeRequest) -> str:
        """The member's wage mode on ``on`` (an order reads it once, when the client signs)."""
        async with self._sessions() as session:
            arrangement = await salaries.arrangement_for(session, request.member_id, request.on)
        return (
            "monthly"
            if arrangement is not None and arrangement.mode == "monthly"
            else ("per_order")
        )
