"""The Stripe webhook inbox: verify the signature, store each event once, answer 2xx, handle.

``receive`` checks the ``Stripe-Signature`` with the endpoint secret
(``stripe.Webhook.construct_event``) and inserts the event into ``stripe_events`` (unique
``event_id``). A replay finds its row and changes nothing; only if the earlier handling has not
finished is it handled again.

``handle`` runs after the answer, each effect keyed by Stripe's own ids so that replays and
events in any order change nothing twice:

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

An event counts as handled once its signals were delivered; ``handle_pending`` retries the
others, and the API runs it every ``stripe_pending_interval_seconds``
(``retry_pending_periodically``). A workflow that is no longer running (NOT_FOUND) leaves the
money to finance: the event is handled and its outcome says so.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any

import stripe
from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from temporalio.service import RPCError, RPCStatusCode

from adapters.payments.stripe_gateway import CURRENCY, PaymentsGateway
from api.deps import TemporalConnection
from api.temporal import signal_payment, signal_refund
from db.models import Order, Payment
from db.models_payments import PaymentLink, StripeEvent, StripeRefund
from domain.order_messages import PaymentReceived, RefundRecorded

log = logging.getLogger(__name__)


class BadSignature(ValueError):
    """Not a webhook from our Stripe endpoint (signature, timestamp or body is wrong)."""


@dataclass(frozen=True)
class Received:
    event_id: str
    type: str
    duplicate: bool
    pending: bool  # still to be handled


@dataclass(frozen=True)
class Inbox:
    sessions: async_sessionmaker[AsyncSession]
    temporal: TemporalConnection
    gateway: PaymentsGateway


# A message for an order's workflow: (order id, message).
Signal = tuple[int, PaymentReceived | RefundRecorded]


@dataclass(frozen=True)
class Outcome:
    text: str
    signals: tuple[Signal, ...] = ()
    order_id: int | None = None  # when the event's own metadata did not name it


def _order_id(metadata: Any) -> int | None:
    raw = (metadata or {}).get("order_id")
    return int(raw) if isinstance(raw, str) and raw.isdigit() else None


def _day(timestamp: int) -> date:
    return datetime.fromtimestamp(timestamp, UTC).date()


async def receive(
    sessions: async_sessionmaker[AsyncSession], payload: bytes, signature: str | None, secret: str
) -> Received:
    try:
        event = stripe.Webhook.construct_event(payload, signature, secret)
    except (ValueError, stripe.SignatureVerificationError) as exc:
        raise BadSignature(str(exc)) from exc
    data = event.to_dict()
    event_id, event_type = str(data["id"]), str(data["type"])
    async with sessions() as session:
        session.add(
            StripeEvent(
                event_id=event_id,
                type=event_type,
                payload=payload.decode("utf-8"),
                order_id=_order_id(data["data"]["object"].get("metadata")),
                outcome="",
                attempts=0,
                last_error="",
            )
        )
        try:
            await session.commit()
        except IntegrityError:
            await session.rollback()
            handled = await session.scalar(
                select(StripeEvent.handled_at).where(StripeEvent.event_id == event_id)
            )
            return Received(event_id, event_type, duplicate=True, pending=handled is None)
    return Received(event_id, event_type, duplicate=False, pending=True)


async def handle(inbox: Inbox, event_id: str) -> str | None:
    """Handle one stored event; returns its outcome, or None when it must be retried later."""
    async with inbox.sessions() as session:
        row = await session.scalar(select(StripeEvent).where(StripeEvent.event_id == event_id))
        if row is None or row.handled_at is not None:
            return row.outcome if row is not None else None
        event = json.loads(row.payload)
    handler = _HANDLERS.get(str(event["type"]))
    try:
        outcome = await handler(inbox, event) if handler else Outcome("ignored: not handled")
        notes = [note for signal in outcome.signals if (note := await _signal(inbox, *signal))]
        text = "; ".join(notes) if notes else outcome.text
    except Exception as exc:
        log.exception("Stripe event %s could not be handled; it stays pending", event_id)
        await _mark(inbox, event_id, handled=False, last_error=f"{type(exc).__name__}: {exc}")
        return None
    await _mark(inbox, event_id, handled=True, outcome=text, order_id=outcome.order_id)
    return text


async def handle_pending(inbox: Inbox, *, older_than: timedelta = timedelta(minutes=1)) -> int:
    """Handle again the events whose handling failed (Temporal or Stripe away); returns how
    many are handled now. For a periodic job, or ops."""
    cutoff = datetime.now(UTC) - older_than
    async with inbox.sessions() as session:
        ids = list(
            await session.scalars(
                select(StripeEvent.event_id)
                .where(StripeEvent.handled_at.is_(None), StripeEvent.received_at <= cutoff)
                .order_by(StripeEvent.id)
                .limit(100)
            )
        )
    return sum([await handle(inbox, event_id) is not None for event_id in ids])


async def _mark(
    inbox: Inbox,
    event_id: str,
    *,
    handled: bool,
    outcome: str = "",
    last_error: str = "",
    order_id: int | None = None,
) -> None:
    values: dict[str, Any] = {"attempts": StripeEvent.attempts + 1, "last_error": last_error}
    if handled:
        values |= {"handled_at": datetime.now(UTC), "outcome": outcome}
    if order_id is not None:
        values["order_id"] = order_id
    async with inbox.sessions.begin() as session:
        await session.execute(
            update(StripeEvent).where(StripeEvent.event_id == event_id).values(**values)
        )


async def _signal(
    inbox: Inbox, order_id: int, message: PaymentReceived | RefundRecorded
) -> str | None:
    """Tell the order's workflow; a workflow that is no longer running leaves the money to
    finance (the row stays unapplied / unbooked) and the returned note says so. Other failures
    propagate: the event stays pending."""
    client = await inbox.temporal.get()
    try:
        if isinstance(message, PaymentReceived):
            await signal_payment(client, order_id, message)
        else:
            await signal_refund(client, order_id, message)
    except RPCError as exc:
        if exc.status != RPCStatusCode.NOT_FOUND:
            raise
        if isinstance(message, PaymentReceived):
            return (
                f"payment {message.payment_key} recorded; the order's workflow is not running, "
                "so finance must apply it"
            )
        return (
            f"refund {message.refund_key} of {message.amount_cents} cents recorded; the "
            "order's workflow is not running, so finance must book it"
        )
    return None


# ---------------------------------------------------------------- payment_intent.succeeded


def _charge_id(latest_charge: Any) -> str | None:
    # An id in Stripe's payloads; localstripe embeds the whole charge.
    if isinstance(latest_charge, dict):
        return str(latest_charge["id"])
    return str(latest_charge) if latest_charge else None


def _received(intent: dict[str, Any]) -> int:
    """What the client actually paid: ``amount_received`` (less than ``amount`` after a partial
    capture). localstripe has no such field; its embedded charge tells the same."""
    if isinstance(intent.get("amount_received"), int):
        return int(intent["amount_received"])
    charge = intent.get("latest_charge")
    if isinstance(charge, dict):
        return int(charge["amount"]) - int(charge.get("amount_refunded") or 0)
    return int(intent["amount"])


async def _succeeded(inbox: Inbox, event: dict[str, Any]) -> Outcome:
    intent = event["data"]["object"]
    order_id = _order_id(intent.get("metadata"))
    if order_id is None:
        return Outcome("ignored: no coopflow order in the metadata")
    if intent.get("currency") != CURRENCY:
        return Outcome(f"ignored: currency {intent.get('currency')!r} is not {CURRENCY!r}")
    received = _received(intent)
    if received <= 0:
        return Outcome("ignored: nothing was received")
    key = f"{intent['id']}:{_charge_id(intent.get('latest_charge')) or 'no-charge'}"
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
                reference=str((intent.get("metadata") or {}).get("invoice_number", ""))[:140],
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
            .where(PaymentLink.payment_intent_id == intent["id"])
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
    order_id = _order_id(charge.get("metadata"))
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


_HANDLERS: dict[str, Callable[[Inbox, dict[str, Any]], Awaitable[Outcome]]] = {
    "payment_intent.succeeded": _succeeded,
    "payment_intent.payment_failed": _failed,
    "charge.refunded": _refunded,
    "charge.refund.updated": _refunded,
}


# ------------------------------------------------------------------ wiring for the routers


@dataclass(frozen=True)
class StripeResources:
    gateway: PaymentsGateway
    webhook_secret: str  # signs the events of our webhook endpoint
    test_mode: bool  # test keys: the /pay page may confirm server-side with a test card


def stripe_resources(app_state: Any) -> StripeResources:
    """``app.state.stripe``: set by the API's lifespan (tests may set their own first)."""
    found: StripeResources = app_state.stripe
    return found


# ------------------------------------------------------------ handling pending events again


async def retry_pending_periodically(
    inbox: Inbox,
    interval_seconds: float,
    *,
    sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
) -> None:
    """Run ``handle_pending`` every ``interval_seconds`` until cancelled. A failed round (the
    database away, say) is logged and the next round tries again."""
    while True:
        await sleep(interval_seconds)
        try:
            handled = await handle_pending(inbox)
        except Exception:
            log.exception(
                "handling pending Stripe events failed; next try in %s s", interval_seconds
            )
            continue
        if handled:
            log.info("%d pending Stripe event(s) handled", handled)


def start_pending_retries(inbox: Inbox, interval_seconds: float) -> asyncio.Task[None] | None:
    """The API lifespan's background task (None when the interval is 0: switched off)."""
    if interval_seconds <= 0:
        return None
    return asyncio.create_task(
        retry_pending_periodically(inbox, interval_seconds), name="stripe-pending-events"
    )


async def stop_pending_retries(task: asyncio.Task[None] | None) -> None:
    """Cancel the task and wait for it; an event it was handling stays pending."""
    if task is None:
        return
    task.cancel()
    with contextlib.suppress(asyncio.CancelledError):
        await task
