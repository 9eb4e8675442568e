"""Escalated cases and finance decisions (an Update on the order's workflow)."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from temporalio.client import Client as TemporalClient

from api.auth import Principal
from api.errors import ProblemError, not_found
from api.idempotency import Idempotency
from api.schemas import DecisionRequest, FinanceCaseOut, OrderOut
from api.services.orders import order_out
from api.temporal import UPDATE_DECIDE, order_update
from db.models import Client, FinanceCase, Invoice, Member, Order
from domain.order_messages import FinanceDecision, PaymentReceived


async def open_cases(session: AsyncSession) -> list[FinanceCaseOut]:
    query = (
        select(FinanceCase, Invoice, Member.name, Client.name)
        .join(Invoice, Invoice.id == FinanceCase.invoice_id)
        .join(Order, Order.id == FinanceCase.order_id)
        .join(Member, Member.id == Order.member_id)
        .join(Client, Client.id == Order.client_id)
        .where(FinanceCase.status == "open")
        .order_by(FinanceCase.opened_on, FinanceCase.id)
    )
    rows = (await session.execute(query)).unique().all()
    return [
        FinanceCaseOut(
            case_id=case.id,
            order_id=case.order_id,
            member_name=member_name,
            client_name=client_name,
            invoice_id=invoice.id,
            invoice_number=invoice.number,
            due_date=invoice.due_date,
            opened_on=case.opened_on,
            amount_due_cents=case.amount_due_cents,
            dunning_level=case.dunning_level,
        )
        for case, invoice, member_name, client_name in rows
    ]


def build_decision(case_id: int, principal: Principal, data: DecisionRequest) -> FinanceDecision:
    payment = None
    if data.payment is not None:
        payment = PaymentReceived(
            # One recorded payment per case unless finance names the payment itself.
            payment_key=data.payment.payment_key or f"case-{case_id}",
            amount_cents=data.payment.amount_cents,
            received_on=data.payment.received_on,
            source="finance",
            reference=data.payment.reference,
        )
    return FinanceDecision(
        kind=data.kind,
        decided_by=principal.label,
        note=data.note,
        new_due_date=data.new_due_date,
        payment=payment,
        instalments=tuple(data.instalments),
    )


async def decide(
    session: AsyncSession,
    temporal: TemporalClient,
    principal: Principal,
    case_id: int,
    data: DecisionRequest,
    idem: Idempotency | None = None,
) -> OrderOut:
    case = await session.get(FinanceCase, case_id)
    if case is None:
        raise not_found("finance case", case_id)
    if case.status != "open":
        raise ProblemError(
            409,
            "case-decided",
            f"Finance case {case_id} was already decided ({case.decision} by {case.decided_by});"
            " see GET /finance/cases for the open ones.",
        )
    decision = build_decision(case_id, principal, data)
    update_id = idem.derived(UPDATE_DECIDE) if idem is not None else None
    view = await order_update(temporal, case.order_id, UPDATE_DECIDE, decision, update_id=update_id)
    order = await session.get(Order, case.order_id)
    assert order is not None
    await session.refresh(order)
    return order_out(order, view=view)
