"""Escalated cases and finance decisions (an Update on the order's workflow)."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from temporalio.client import Client as TemporalClient

from api.auth import Principal
from api.errors import ProblemError, not_found
from api.idempotency import Idempotency
from api.schemas import (
    CreditNoteRequest,
    DecisionRequest,
    FinanceCaseOut,
    OrderOut,
    RefundRecordedOut,
    RefundRequest,
)
from api.services.orders import order_out
from api.temporal import order_update, signal_refund
from db.models import Client, FinanceCase, Invoice, Member, Order
from domain import order_contract as contract
from domain.order_messages import Cancellation, FinanceDecision, PaymentReceived, RefundRecorded
from workflows.order import OrderLifecycleWorkflow


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
            kind="refund" if case.kind == "refund" else "overdue",
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


async def open_case(session: AsyncSession, case_id: int) -> FinanceCase:
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
    return case


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
        promised_on=data.promised_on,
        payment=payment,
        instalments=tuple(data.instalments),
        waive_charges=data.waive_charges,
    )


async def decide(
    session: AsyncSession,
    temporal: TemporalClient,
    principal: Principal,
    case_id: int,
    data: DecisionRequest,
    idem: Idempotency | None = None,
) -> OrderOut:
    case = await open_case(session, case_id)
    if case.kind == "refund":
        raise ProblemError(
            409,
            "refund-case",
            f"Finance case {case_id} is a refund: record the transfer with "
            f"POST /finance/cases/{case_id}/refund.",
        )
    decision = build_decision(case_id, principal, data)
    update_id = idem.derived(contract.DECIDE) if idem is not None else None
    view = await order_update(
        temporal, case.order_id, OrderLifecycleWorkflow.decide, decision, update_id=update_id
    )
    order = await session.get(Order, case.order_id)
    assert order is not None
    await session.refresh(order)
    return order_out(order, view=view)


async def issue_credit_note(
    session: AsyncSession,
    temporal: TemporalClient,
    principal: Principal,
    order_id: int,
    data: CreditNoteRequest,
    idem: Idempotency | None = None,
) -> OrderOut:
    """Cancel the order's issued invoice by a credit note (the order's workflow decides whether
    it still can: not once the wage is being paid)."""
    order = await session.get(Order, order_id)
    if order is None:
        raise not_found("order", order_id)
    if order.workflow_id is None:
        raise ProblemError(
            409, "invalid-state", f"Order {order_id} was never submitted; it has no invoice."
        )
    cancellation = Cancellation(requested_by=principal.label, reason=data.reason)
    update_id = idem.derived(contract.CANCEL) if idem is not None else None
    view = await order_update(
        temporal, order_id, OrderLifecycleWorkflow.cancel, cancellation, update_id=update_id
    )
    await session.refresh(order)
    return order_out(order, view=view)


async def record_refund(
    session: AsyncSession,
    temporal: TemporalClient,
    case_id: int,
    data: RefundRequest,
) -> RefundRecordedOut:
    """Finance paid money back by transfer: the order's workflow books it (once per key)."""
    case = await open_case(session, case_id)
    if case.kind != "refund":
        raise ProblemError(
            409, "not-a-refund-case", f"Finance case {case_id} is not a refund case."
        )
    key = data.refund_key or f"case-{case_id}:{data.refunded_on}:{data.amount_cents}"
    refund = RefundRecorded(
        refund_key=key,
        amount_cents=data.amount_cents,
        refunded_on=data.refunded_on,
        source="finance",
        reference=data.reference,
    )
    await signal_refund(temporal, case.order_id, refund)
    return RefundRecordedOut(
        case_id=case_id,
        order_id=case.order_id,
        refund_key=key,
        amount_cents=data.amount_cents,
        message="recorded; the order books it and closes the case once everything is repaid",
    )
