"""What the matcher needs from the books, read once per statement: every invoice with what is
still owed on it, our payouts by EndToEndId, the IBANs clients paid from before, the clients'
names."""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from db.models import Client, Invoice, Order, Payment, Payout
from db.models_banking import BankAllocation, BankTransaction
from domain.banking.matching import KnownPayout, OpenInvoice
from domain.collection import owed_now


async def invoices(session: AsyncSession) -> list[OpenInvoice]:
    """Open ones with what the client owes now (principal and charges, the order's projection,
    less payments recorded but not yet booked by the order); paid and cancelled ones too, so a
    second payment or a payment for a cancelled invoice is recognised."""
    unapplied = dict(
        (
            await session.execute(
                select(Payment.order_id, func.sum(Payment.amount_cents))
                .where(Payment.applied.is_(False))
                .group_by(Payment.order_id)
            )
        ).all()
    )
    rows = await session.execute(
        select(
            Invoice.id,
            Invoice.order_id,
            Order.client_id,
            Invoice.number,
            Invoice.creditor_reference,
            Invoice.status,
            Invoice.gross_cents,
            Invoice.paid_cents,
            Order.amount_due_cents,
            Invoice.issue_date,
        ).join(Order, Order.id == Invoice.order_id)
    )
    found = []
    for inv_id, order_id, client_id, number, ref, status, gross, paid, due, issued in rows:
        state = {"open": "open", "cancelled": "cancelled"}.get(status, "paid")
        owed = 0
        if state == "open":
            left = owed_now(
                projected=int(due or 0),
                principal_left=gross - paid,
                unapplied=int(unapplied.get(order_id) or 0),
            )
            owed = max(left, 0)
        found.append(
            OpenInvoice(
                invoice_id=inv_id,
                order_id=order_id,
                client_id=client_id,
                number=number,
                creditor_reference=ref,
                outstanding_cents=owed,
                issue_date=issued,
                status=state,  # type: ignore[arg-type]
            )
        )
    return found


async def payouts(session: AsyncSession) -> list[KnownPayout]:
    rows = await session.execute(
        select(Payout.payout_key, Payout.id, Payout.order_id, Payout.amount_cents)
    )
    return [
        KnownPayout(end_to_end_id=key, payout_id=pid, order_id=oid, amount_cents=amount)
        for key, pid, oid, amount in rows
    ]


async def client_ibans(session: AsyncSession) -> dict[str, int]:
    """IBANs clients paid from before (transactions put on their invoices)."""
    rows = await session.execute(
        select(BankTransaction.counterparty_iban, Order.client_id)
        .join(BankAllocation, BankAllocation.transaction_id == BankTransaction.id)
        .join(Order, Order.id == BankAllocation.order_id)
        .where(BankAllocation.applied.is_(True), BankTransaction.counterparty_iban != "")
        .distinct()
    )
    found: dict[str, int] = {}
    shared: set[str] = set()
    for iban, client_id in rows:
        if found.setdefault(iban, client_id) != client_id:
            shared.add(iban)  # one account paying for several clients names none of them
    return {iban: client_id for iban, client_id in found.items() if iban not in shared}


async def client_names(session: AsyncSession) -> dict[int, str]:
    return dict((await session.execute(select(Client.id, Client.name))).all())
