"""The wage: payroll (flat rates for replayed orders, the exact engines otherwise), payout."""

from __future__ import annotations

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession
from temporalio import activity

from activities.errors import permanent_errors
from activities.heartbeat import heartbeating
from activities.order_base import OrderSteps
from activities.payroll_step import ExactPayrollStep, payroll_request
from adapters.banking.sepa import Banking, PayoutInstruction, fit_remittance
from db import ledger
from db.models import (
    Member,
    Payout,
    Payslip,
)
from domain import ledger as entries
from domain import order_steps as steps
from domain.order_contract import order_workflow_id
from domain.order_messages import (
    WagePaid,
)
from domain.payout_runs import QueuePayout, payout_key_of
from domain.payroll.protocol import Payroll


class WageSteps(OrderSteps):
    """The payout is idempotent by the order's payout key (``WAGE-<order id>``)."""

    _payroll: Payroll
    _payroll_step: ExactPayrollStep
    _banking: Banking

    # ------------------------------------------------------------------ wage

    @activity.defn(name=steps.RUN_PAYROLL)
    @heartbeating
    @permanent_errors
    async def run_payroll(self, request: steps.RunPayroll) -> int:
        order = request.order
        async with self._sessions.begin() as session:
            existing = await session.scalar(
                select(Payslip.id).where(Payslip.order_id == order.order_id)
            )
            if existing is not None:
                return int(existing)
            result = await self._payroll.run(payroll_request(request))
            payslip = Payslip(
                order_id=order.order_id,
                member_id=order.member_id,
                jurisdiction=order.jurisdiction,
                period_start=request.actual_start,
                period_end=request.actual_end,
                work_days=request.work_days,
                **result.data.model_dump(),
            )
            session.add(payslip)
            await session.flush()
            await ledger.post(
                session,
                entries.payroll_posted(order_workflow_id(order.order_id), request.breakdown),
                order_id=order.order_id,
                posted_on=request.pay_date,
            )
            return payslip.id

    @activity.defn(name=steps.RUN_EXACT_PAYROLL)
    @heartbeating
    @permanent_errors
    async def run_exact_payroll(self, request: steps.RunPayroll) -> steps.PayrollDone:
        """The wage by the member's employment record (exact engines), once per order."""
        return await self._payroll_step.run(request)

    @activity.defn(name=steps.PAY_WAGE)
    @permanent_errors
    async def pay_wage(self, request: steps.PayWage) -> WagePaid:
        order = request.order
        async with self._sessions.begin() as session:
            payout, member = await order_payout(session, request, status="pending")
        payout_key = payout.payout_key
        if payout.status != "sent":
            receipt = await self._banking.pay(
                PayoutInstruction(
                    payout_id=payout_key,
                    creditor_name=member.name,
                    creditor_iban=member.iban,
                    creditor_bic=member.bic,
                    amount_cents=payout.amount_cents,
                    remittance=fit_remittance(f"Wage order {order.order_id}: {order.description}"),
                    execution_date=payout.execution_date,
                )
            )
            async with self._sessions.begin() as session:
                await session.execute(
                    update(Payout)
                    .where(Payout.id == payout.id)
                    .values(status="sent", file_path=receipt.file_path)
                )
                await ledger.post(
                    session,
                    entries.wage_paid(
                        order_workflow_id(order.order_id),
                        payout.amount_cents,
                        payout.advanced_cents,
                    ),
                    order_id=order.order_id,
                    posted_on=payout.execution_date,
                )
        return WagePaid(
            payslip_id=request.payslip_id,
            payout_id=payout_key,
            payout_cents=payout.amount_cents,
            advanced_cents=payout.advanced_cents,
            paid_on=payout.execution_date,
        )


async def order_payout(
    session: AsyncSession, request: steps.PayWage | QueuePayout, *, status: str
) -> tuple[Payout, Member]:
    """The order's payout row for the request's attempt (``WAGE-<order id>``, then
    ``WAGE-<order id>-2``…: its EndToEndId), created on first use with ``status``; and the
    member it pays."""
    order = request.order
    attempt = request.attempt if isinstance(request, QueuePayout) else 1
    key = payout_key_of(order.order_id, attempt)
    payout = await session.scalar(select(Payout).where(Payout.payout_key == key))
    member = await session.get_one(Member, order.member_id)
    if payout is None:
        payout = Payout(
            payout_key=key,
            order_id=order.order_id,
            attempt=attempt,
            member_id=order.member_id,
            amount_cents=request.payout_cents,
            advanced_cents=request.advanced_cents,
            iban=member.iban,
            execution_date=request.execution_date,
            status=status,
        )
        session.add(payout)
    return payout, member
