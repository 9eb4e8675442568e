"""Payments recorded by finance: stored once per ``payment_key``, then signalled to the order.

The row is committed before the signal so the workflow's activity finds it when it books the
payment (and sets ``applied``); if the signal cannot be delivered the row is removed again.
"""

from __future__ import annotations

from uuid import uuid4

from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession
from temporalio.client import Client as TemporalClient

from api.auth import Principal
from api.errors import ProblemError
from api.idempotency import Idempotency
from api.schemas import PaymentCreate, PaymentRecorded
from api.temporal import signal_payment
from db.models import Order, Payment
from domain.order_messages import PaymentReceived


def _as_dict(payment: Payment, created: bool) -> dict[str, object]:
    return {c.key: getattr(payment, c.key) for c in Payment.__table__.columns} | {
        "created": created
    }


async def record_payment(
    session: AsyncSession,
    temporal: TemporalClient,
    principal: Principal,
    data: PaymentCreate,
    idem: Idempotency,
) -> PaymentRecorded:
    key = data.payment_key or idem.derived("finance") or f"finance-{uuid4().hex}"
    existing = await session.scalar(select(Payment).where(Payment.payment_key == key))
    if existing is not None:
        if existing.order_id != data.order_id or existing.amount_cents != data.amount_cents:
            raise ProblemError(
                409,
                "payment-key-taken",
                f"payment_key {key!r} is already recorded for order {existing.order_id} "
                f"({existing.amount_cents} cents); use another key for a different payment.",
            )
        recorded = PaymentRecorded.model_validate(_as_dict(existing, created=False))
        await idem.remember(200, recorded)
        return recorded
    order = await session.get(Order, data.order_id)
    if order is None:
        raise ProblemError(
            422, "unknown-order", f"There is no order {data.order_id}; check the order id."
        )
    if order.workflow_id is None:
        raise ProblemError(
            409,
            "invalid-state",
            f"Order {order.id} is {order.status} and was never submitted: there is no invoice "
            "to pay.",
        )
    payment = Payment(
        payment_key=key,
        order_id=order.id,
        amount_cents=data.amount_cents,
        received_on=data.received_on,
        source="finance",
        reference=data.reference,
        recorded_by=principal.label,
        applied=False,
    )
    session.add(payment)
    await session.flush()
    await session.refresh(payment)
    recorded = PaymentRecorded.model_validate(_as_dict(payment, created=True))
    await idem.remember(201, recorded)
    await session.commit()
    message = PaymentReceived(
        payment_key=key,
        amount_cents=data.amount_cents,
        received_on=data.received_on,
        source="finance",
        reference=data.reference,
    )
    try:
        await signal_payment(temporal, order.id, message)
    except BaseException:
        await session.rollback()
        await session.execute(delete(Payment).where(Payment.id == payment.id))
        await idem.forget()
        await session.commit()
        raise
    return recorded
