"""The finance queue of bank transactions: what the matcher could not place, or placed only as
a suggestion. Finance assigns a transaction to invoices, accepts a suggestion, or dismisses it
(not ours, paid back); each decision is recorded with who and when, and money put on an invoice
is handed to its order like any other payment (key ``bank:<transaction>:<invoice>``)."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession
from temporalio.client import Client as TemporalClient

from api.auth import Principal
from api.errors import ProblemError, not_found
from api.schemas_bank import (
    QUEUE,
    AllocationOut,
    AssignRequest,
    BankLineOut,
    DecisionOut,
    DismissRequest,
)
from api.temporal import signal_payment
from db.bank_allocations import allocate, payment_message
from db.models import Invoice, Order
from db.models_banking import BankAllocation, BankDecision, BankTransaction
from domain.money import format_eur

_ENDED = {"Closed", "Cancelled", "Rejected", "Expired"}


async def _allocations(session: AsyncSession, ids: list[int]) -> dict[int, list[AllocationOut]]:
    found: dict[int, list[AllocationOut]] = {i: [] for i in ids}
    if not ids:
        return found
    rows = await session.execute(
        select(BankAllocation, Invoice.number)
        .join(Invoice, Invoice.id == BankAllocation.invoice_id)
        .where(BankAllocation.transaction_id.in_(ids))
        .order_by(BankAllocation.id)
    )
    for allocation, number in rows:
        found[allocation.transaction_id].append(
            AllocationOut(
                invoice_id=allocation.invoice_id,
                invoice_number=number,
                order_id=allocation.order_id,
                amount_cents=allocation.amount_cents,
                applied=allocation.applied,
            )
        )
    return found


def _view(row: BankTransaction, allocations: list[AllocationOut]) -> BankLineOut:
    return BankLineOut.model_validate(
        {c: getattr(row, c) for c in BankLineOut.model_fields if c != "allocations"}
        | {"allocations": allocations}
    )


async def lines(
    session: AsyncSession,
    *,
    status: str,
    statement_id: int | None,
    limit: int,
    offset: int,
) -> list[BankLineOut]:
    query = select(BankTransaction)
    if status == "open":
        query = query.where(BankTransaction.status.in_(QUEUE))
    else:
        query = query.where(BankTransaction.status == status)
    if statement_id is not None:
        query = query.where(BankTransaction.statement_id == statement_id)
    rows = list(
        await session.scalars(
            query.order_by(BankTransaction.booking_date, BankTransaction.id)
            .limit(limit)
            .offset(offset)
        )
    )
    allocations = await _allocations(session, [r.id for r in rows])
    return [_view(r, allocations[r.id]) for r in rows]


async def _open_line(session: AsyncSession, line_id: int) -> BankTransaction:
    row = await session.get(BankTransaction, line_id, with_for_update=True)
    if row is None:
        raise not_found("bank line", line_id)
    if row.status not in QUEUE:
        raise ProblemError(
            409,
            "bank-line-decided",
            f"Bank line {line_id} is {row.status}"
            + (f" (decided by {row.decided_by})" if row.decided_by else "")
            + "; only a suggested, unmatched, refund or duplicate line waits for a decision.",
        )
    if row.status == "return":
        raise ProblemError(
            409,
            "payout-returned",
            f"Bank line {line_id} is one of our payouts coming back ({row.reason}). An order "
            "still open was told and waits for ops (fix the member's bank account, then "
            "POST /finance/orders/{id}/retry); once its order has closed, pay the member by "
            "hand (see docs/reconciliation.md).",
        )
    return row


def _decided(
    session: AsyncSession,
    row: BankTransaction,
    principal: Principal,
    action: str,
    status: str,
    note: str,
    detail: str,
) -> None:
    now = datetime.now(UTC)
    row.status = status
    row.decided_by = principal.label
    row.decided_at = now
    session.add(
        BankDecision(
            transaction_id=row.id,
            action=action,
            decided_by=principal.label,
            note=note,
            detail=detail,
            decided_at=now,
        )
    )


async def _hand_over(session: AsyncSession, temporal: TemporalClient, row: BankTransaction) -> int:
    """Signal each applied, not yet signalled allocation of the line to its order."""
    pending = list(
        await session.scalars(
            select(BankAllocation).where(
                BankAllocation.transaction_id == row.id,
                BankAllocation.applied.is_(True),
                BankAllocation.signalled_at.is_(None),
            )
        )
    )
    for allocation in pending:
        await signal_payment(temporal, allocation.order_id, payment_message(allocation, row))
        allocation.signalled_at = datetime.now(UTC)
    await session.commit()
    return len(pending)


async def _result(
    session: AsyncSession, temporal: TemporalClient, row: BankTransaction
) -> DecisionOut:
    # Committed before the signals: an order's activity finds the payment row; a signal that
    # fails leaves the allocation unsignalled, and the order still reads the payment before
    # its next reminder (unapplied payments), so nothing is lost.
    await session.commit()
    signalled = await _hand_over(session, temporal, row)
    allocations = await _allocations(session, [row.id])
    return DecisionOut(line=_view(row, allocations[row.id]), signalled=signalled)


async def assign(
    session: AsyncSession,
    temporal: TemporalClient,
    principal: Principal,
    line_id: int,
    body: AssignRequest,
) -> DecisionOut:
    row = await _open_line(session, line_id)
    if row.direction != "credit":
        raise ProblemError(
            422, "not-a-payment", f"Bank line {line_id} is money out; it pays no invoice."
        )
    total = sum(a.amount_cents for a in body.allocations)
    if total != row.amount_cents:
        raise ProblemError(
            422,
            "allocations-do-not-add-up",
            f"The parts add up to {format_eur(total)}, the transfer is "
            f"{format_eur(row.amount_cents)}: put all of it on invoices (what goes beyond an "
            "invoice's balance is held by its order), or dismiss the line.",
        )
    numbers = [a.invoice_number.strip().upper() for a in body.allocations]
    if len(set(numbers)) != len(numbers):
        raise ProblemError(422, "invoice-twice", "Name each invoice once.")
    invoices = {
        inv.number.upper(): (inv, order)
        for inv, order in (
            await session.execute(
                select(Invoice, Order)
                .join(Order, Order.id == Invoice.order_id)
                .where(func.upper(Invoice.number).in_(numbers))
            )
        ).all()
    }
    missing = [n for n in numbers if n not in invoices]
    if missing:
        raise ProblemError(422, "unknown-invoice", f"There is no invoice {', '.join(missing)}.")
    for number, part in zip(numbers, body.allocations, strict=True):
        invoice, order = invoices[number]
        if order.workflow_id is None or order.status in _ENDED:
            raise ProblemError(
                409,
                "order-ended",
                f"Order {order.id} of invoice {invoice.number} is {order.status}: it takes no "
                "more payments. Dismiss the line as refunded once the money is paid back.",
            )
        allocate(
            session,
            row,
            invoice_id=invoice.id,
            order_id=order.id,
            amount_cents=part.amount_cents,
            applied=True,
            recorded_by=principal.label,
        )
    # Proposals the matcher made are superseded by the decision.
    for proposal in await session.scalars(
        select(BankAllocation).where(
            BankAllocation.transaction_id == row.id, BankAllocation.applied.is_(False)
        )
    ):
        await session.delete(proposal)
    detail = ", ".join(
        f"{n} {format_eur(a.amount_cents)}" for n, a in zip(numbers, body.allocations, strict=True)
    )
    _decided(session, row, principal, "assign", "assigned", body.note, detail)
    await session.flush()
    return await _result(session, temporal, row)


async def accept(
    session: AsyncSession, temporal: TemporalClient, principal: Principal, line_id: int
) -> DecisionOut:
    """The suggestion as proposed; a surplus goes with the last invoice (its order holds it)."""
    row = await _open_line(session, line_id)
    proposals = list(
        await session.scalars(
            select(BankAllocation)
            .where(BankAllocation.transaction_id == row.id, BankAllocation.applied.is_(False))
            .order_by(BankAllocation.id)
        )
    )
    if not proposals:
        raise ProblemError(
            409,
            "nothing-proposed",
            f"Bank line {line_id} has no proposal to accept; assign it to invoices instead.",
        )
    rest = row.amount_cents - sum(p.amount_cents for p in proposals)
    parts = []
    for i, proposal in enumerate(proposals):
        amount = proposal.amount_cents + (rest if i == len(proposals) - 1 else 0)
        await session.delete(proposal)
        await session.flush()
        allocate(
            session,
            row,
            invoice_id=proposal.invoice_id,
            order_id=proposal.order_id,
            amount_cents=amount,
            applied=True,
            recorded_by=principal.label,
        )
        parts.append(f"invoice {proposal.invoice_id} {format_eur(amount)}")
    _decided(session, row, principal, "accept", "assigned", "", ", ".join(parts))
    await session.flush()
    return await _result(session, temporal, row)


async def dismiss(
    session: AsyncSession,
    temporal: TemporalClient,
    principal: Principal,
    line_id: int,
    body: DismissRequest,
) -> DecisionOut:
    row = await _open_line(session, line_id)
    for proposal in await session.scalars(
        select(BankAllocation).where(BankAllocation.transaction_id == row.id)
    ):
        await session.delete(proposal)
    _decided(session, row, principal, body.outcome, body.outcome, body.note, "")
    await session.flush()
    return await _result(session, temporal, row)
