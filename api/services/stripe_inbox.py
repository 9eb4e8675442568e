"""The Stripe webhook inbox: verify the signature, store each event once, answer 2xx, handle.

``receive`` checks the ``Stripe-Signature`` with the endpoint secret
(``stripe.Webhook.construct_event``) and inserts the event into ``stripe_events`` (unique
``event_id``). A replay finds its row and changes nothing; only if the earlier handling has not
finished is it handled again.

``handle`` runs after the answer; what each event type changes (payments, failed attempts,
refunds, each keyed by Stripe's own ids) is in ``stripe_event_handlers``.

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
from datetime import UTC, datetime, timedelta
from typing import Any

import stripe
from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from temporalio.service import RPCError, RPCStatusCode

from adapters.payments.stripe_gateway import PaymentsGateway
from api.deps import TemporalConnection
from api.services.stripe_event_handlers import HANDLERS, Outcome, metadata_order_id
from api.temporal import signal_payment, signal_refund
from db.models_payments import StripeEvent
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
                order_id=metadata_order_id(data["data"]["object"].get("metadata")),
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
    handler = HANDLERS.get(str(event["type"]))
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
