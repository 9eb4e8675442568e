"""Putting (part of) a bank transaction on an invoice: a proposal (a suggestion finance may
accept) or applied money, which is a ``Payment`` of the order with a key unique to the
transaction and invoice, so recording it again changes nothing."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from db.models import Payment
from db.models_banking import BankAllocation, BankTransaction
from domain.order_messages import PaymentReceived


def payment_key(transaction_id: int, invoice_id: int) -> str:
    return f"bank:{transaction_id}:{invoice_id}"


def payment_reference(row: BankTransaction) -> str:
    """What the payer wrote, as the order's payment shows it."""
    return (row.structured_refs or row.unstructured)[:140]


def allocate(
    session: AsyncSession,
    row: BankTransaction,
    *,
    invoice_id: int,
    order_id: int,
    amount_cents: int,
    applied: bool,
    recorded_by: str,
) -> BankAllocation:
    key = payment_key(row.id, invoice_id) if applied else None
    allocation = BankAllocation(
        transaction_id=row.id,
        invoice_id=invoice_id,
        order_id=order_id,
        amount_cents=amount_cents,
        applied=applied,
        payment_key=key,
    )
    session.add(allocation)
    if key is not None:
        session.add(
            Payment(
                payment_key=key,
                order_id=order_id,
                amount_cents=amount_cents,
                received_on=row.booking_date,
                source="bank",
                reference=payment_reference(row),
                recorded_by=recorded_by,
                applied=False,
            )
        )
    return allocation


def payment_message(allocation: BankAllocation, row: BankTransaction) -> PaymentReceived:
    """The ``payment_received`` signal an applied allocation gives its order."""
    assert allocation.payment_key is not None, "only an applied allocation is a payment"
    return PaymentReceived(
        payment_key=allocation.payment_key,
        amount_cents=allocation.amount_cents,
        received_on=row.booking_date,
        source="bank",
        reference=payment_reference(row),
    )
