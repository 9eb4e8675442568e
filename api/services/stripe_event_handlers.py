"""What each Stripe event changes, keyed by Stripe's own ids so that replays and events in any
order change nothing twice (``stripe_inbox.handle`` runs the handler of the event's type):

- ``payment_intent.succeeded``: a ``payments`` row (key ``<payment intent>:<charge>``, source
  ``stripe``, ``applied`` False) for the amount actually received, then the order workflow's
  ``payment_received`` signal. The workflow also finds unapplied payments on its own before a
  reminder, so a signal that could not be delivered loses nothing.
- ``payment_intent.payment_failed``: the payment link shows the failure; no payment.
- ``charge.refunded`` / ``charge.refund.updated``: one ``stripe_refunds`` row (negative) per
  succeeded Stripe refund of the charge, read from Stripe's refund list (webhook payloads carry
  no refund list since API version 2022-11-15), then for each refund the event recorded the
  order workflow's ``refund_recorded`` signal (key: the Stripe refund id). A refund that another
  event recorded is that event's to signal, so replays and late events send nothing.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError

from adapters.payments.stripe_gateway import CURRENCY
from db.models import Order, Payment
from db.models_payments import PaymentLink, StripeRefund
from domain.order_messages import PaymentReceived, RefundRecorded

if TYPE_CHECKING:  # the inbox imports the handlers; they only name its type
    from api.services.stripe_inbox import Inbox

# A message for an order's workflow: (order id, message).
Signal = tuple[int, PaymentReceived | RefundRecorded]


@dataclass(frozen=True)
class Outcome:
    text: str
    signals: tuple[Signal, ...] = ()
    order_id: int | None = None  # when the event's own metadata did not name it


def metadata_order_id(metadata: Any) -> int | None:
    raw = (metadata or {}).get("order_id")
    return int(raw) if isinstance(raw, str) and raw.isdigit() else None


def _day(timestamp: int) -> date:
    return datetime.fromtimestamp(timestamp, UTC).date()


# ---------------------------------------------------------------- payment_intent.succeeded


async def _succeeded(inbox: Inbox, event: dict[str, Any]) -> Outcome:
    # The signature says the event came from Stripe; what was paid, Stripe says again when
    # asked with our key (a replayed or forged payload books nothing on its own word).
    paid = await inbox.gateway.succeeded_payment(str(event["data"]["object"]["id"]))
    if paid is None:
        return Outcome("ignored: Stripe does not report this PaymentIntent as succeeded")
    order_id = paid.order_id
    if order_id is None:
        return Outcome("ignored: no coopflow order in the metadata")
    if paid.currency != CURRENCY:
        return Outcome(f"ignored: currency {paid.currency!r} is not {CURRENCY!r}")
    received = paid.received_cents
    if received <= 0:
        return Outcome("ignored: nothing was received")
    key = f"{paid.intent_id}:{paid.charge_id or 'no-charge'}"
    recorded_by = f"stripe {event['id']}"
    async with inbox.sessions() as session:
        if await session.get(Order, order_id) is None:
            return Outcome(f"ignored: there is no order {order_id}")
        payment = await session.scalar(select(Payment).where(Payment.payment_key == key))
        if payment is None:
            payment = Payment(
                payment_key=key,
                order_id=order_id,
                amount_cents=received,
                received_on=_day(int(event["created"])),
                source="stripe",
                reference=paid.invoice_number,
                recorded_by=recorded_by,
                applied=False,
            )
            session.add(payment)
            try:
                await session.commit()
            except IntegrityError:  # the same payment, recorded by a concurrent event
                await session.rollback()
                return Outcome(f"payment {key} was already recorded")
        await session.execute(
            update(PaymentLink)
            .where(PaymentLink.payment_intent_id == paid.intent_id)
            .values(status="succeeded", last_error="")
        )
        await session.commit()
    if payment.recorded_by != recorded_by or payment.applied:
        return Outcome(f"payment {key} was already recorded")
    message = PaymentReceived(
        payment_key=key,
        amount_cents=payment.amount_cents,
        received_on=payment.received_on,
        source="stripe",
        reference=payment.reference,
    )
    return Outcome(
        f"payment {key} of {payment.amount_cents} cents recorded", ((order_id, message),)
    )


# ----------------------------------------------------------- payment_intent.payment_failed


async def _failed(inbox: Inbox, event: dict[str, Any]) -> Outcome:
    intent = event["data"]["object"]
    reason = (intent.get("last_payment_error") or {}).get("message") or "no reason given"
    async with inbox.sessions.begin() as session:
        # A success of the same intent (a retry) may have been handled first: it stays.
        await session.execute(
            update(PaymentLink)
            .where(
                PaymentLink.payment_intent_id == intent["id"],
                PaymentLink.status != "succeeded",
            )
            .values(status="failed", last_error=reason)
        )
    return Outcome(f"payment attempt failed, nothing recorded: {reason}")


# ------------------------------------------------------------------------------ refunds


async def _order_of_charge(
    inbox: Inbox, charge: dict[str, Any], charge_id: str, intent_id: str
) -> int | None:
    order_id = metadata_order_id(charge.get("metadata"))
    if order_id is not None:
        return order_id
    async with inbox.sessions() as session:
        order_id = await session.scalar(
            select(Payment.order_id).where(Payment.payment_key == f"{intent_id}:{charge_id}")
        ) or await session.scalar(
            select(PaymentLink.order_id).where(PaymentLink.payment_intent_id == intent_id)
        )
    if order_id is not None:
        return order_id
    # The refund came before the payment's own event: the intent's metadata names the order.
    return (await inbox.gateway.payment_intent(intent_id)).order_id


async def _refunded(inbox: Inbox, event: dict[str, Any]) -> Outcome:
    obj = event["data"]["object"]
    charge_id = str(obj["id"] if obj.get("object") == "charge" else obj["charge"])
    intent_id = obj.get("payment_intent")
    if not intent_id:
        return Outcome("ignored: the charge belongs to no payment intent")
    order_id = await _order_of_charge(inbox, obj, charge_id, str(intent_id))
    if order_id is None:
        return Outcome("ignored: no coopflow order for this charge")
    refunds = [
        r
        for r in await inbox.gateway.refunds_for_charge(charge_id)
        if r.status == "succeeded" and r.amount > 0
    ]
    event_id = str(event["id"])
    async with inbox.sessions() as session:
        # Which event recorded each refund known so far: only that one signals it (again, when
        # its earlier attempt could not), so a replay or a later event sends nothing twice.
        known = await session.execute(
            select(StripeRefund.refund_id, StripeRefund.event_id).where(
                StripeRefund.charge_id == charge_id
            )
        )
        recorded_by = {refund_id: by_event for refund_id, by_event in known}
    signals: list[Signal] = []  # one per refund this event recorded
    for refund in refunds:
        if refund.id not in recorded_by:
            async with inbox.sessions() as session:
                session.add(
                    StripeRefund(
                        refund_id=refund.id,
                        order_id=order_id,
                        payment_intent_id=str(intent_id),
                        charge_id=charge_id,
                        amount_cents=-refund.amount,
                        refunded_on=_day(refund.created),
                        event_id=event_id,
                        booked=False,
                    )
                )
                try:
                    await session.commit()
                except IntegrityError:  # recorded by a concurrent event, which signals it
                    await session.rollback()
                    continue
        elif recorded_by[refund.id] != event_id:
            continue
        signals.append(
            (
                order_id,
                RefundRecorded(
                    refund_key=refund.id,
                    amount_cents=refund.amount,
                    refunded_on=_day(refund.created),
                    source="stripe",
                    reference=charge_id,
                ),
            )
        )
    total = sum(r.amount for r in refunds)
    return Outcome(
        f"{len(signals)} new refund(s) recorded; {total} cents refunded on {charge_id} in all",
        tuple(signals),
        order_id=order_id,
    )


HANDLERS: dict[str, Callable[[Inbox, dict[str, Any]], Awaitable[Outcome]]] = {
    "payment_intent.succeeded": _succeeded,
    "payment_intent.payment_failed": _failed,
    "charge.refunded": _refunded,
    "charge.refund.updated": _refunded,
}
