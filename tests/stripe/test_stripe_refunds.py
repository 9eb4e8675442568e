"""Refunds: made by the cooperative through the gateway (Idempotency-Key, kept in the refund's
metadata too), and recorded from Stripe's webhook into ``stripe_refunds`` with the order
workflow's ``refund_recorded`` signal, which is retried like a payment's and left to finance
when the workflow has ended."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import select

from adapters.errors import PermanentAdapterError
from api.deps import TemporalConnection
from api.services.stripe_inbox import Inbox, handle_pending
from db.models import Payment
from db.models_payments import StripeEvent, StripeRefund
from domain.order_messages import RefundRecorded
from tests.stripe.conftest import Billed, StripeStack, bill, eventually


async def _all(stack: StripeStack, model: Any, *where: Any) -> list[Any]:
    async with stack.sessions() as session:
        return list(await session.scalars(select(model).where(*where).order_by(model.id)))


async def _paid(stack: StripeStack) -> tuple[Billed, Payment]:
    billed = await bill(stack)
    paid = await stack.api.post(billed.path, data={"test_card": "pm_card_visa"})
    assert paid.status_code == 200, paid.text

    async def recorded() -> list[Payment] | None:
        found = await _all(stack, Payment, Payment.order_id == billed.order.id)
        handled = await _all(stack, StripeEvent, StripeEvent.handled_at.is_not(None))
        return found if found and handled else None

    [payment] = await eventually(recorded, what="the payment from Stripe's webhook")
    return billed, payment


async def _refunded_event(stack: StripeStack, charge_id: str, event_id: str) -> dict[str, Any]:
    """``charge.refunded`` as Stripe sends it (localstripe sends none), from localstripe's
    charge."""
    charge = (await stack.stripe.v1.charges.retrieve_async(charge_id)).to_dict()
    charge.pop("refunds", None)
    return {
        "id": event_id,
        "object": "event",
        "type": "charge.refunded",
        "created": charge["created"],
        "data": {"object": charge},
    }


async def _event(stack: StripeStack, event_id: str, *, handled: bool) -> StripeEvent:
    async def probe() -> StripeEvent | None:
        [event] = await _all(stack, StripeEvent, StripeEvent.event_id == event_id) or [None]
        if event is None:
            return None
        done = event.handled_at is not None if handled else event.attempts >= 1
        return event if done else None

    return await eventually(probe, what=f"event {event_id} {'handled' if handled else 'tried'}")


# ------------------------------------------------------------------ creating a refund


async def test_a_refund_made_twice_with_one_key_is_one_refund(stack: StripeStack) -> None:
    billed, payment = await _paid(stack)
    intent_id = payment.payment_key.split(":")[0]
    key = f"order-{billed.order.id}:refund:{billed.invoice.number}:1"

    first = await stack.gateway.refund(intent_id, 25_000, key, "client overpaid")
    again = await stack.gateway.refund(intent_id, 25_000, key, "client overpaid")
    assert again == first
    assert (first.amount, first.status) == (25_000, "succeeded")
    assert first.id.startswith("re_")

    listed = (await stack.stripe.v1.refunds.list_async({"payment_intent": intent_id})).data
    assert [r.id for r in listed] == [first.id]
    assert listed[0].to_dict()["metadata"] == {"idempotency_key": key, "reason": "client overpaid"}
    # One POST, carrying the key: the retry found the refund by its metadata (localstripe
    # keeps no Idempotency-Keys; Stripe would answer the same refund for 24 hours).
    posts = stack.recorder.posts("/v1/refunds")
    assert [(p.path, p.idempotency_key) for p in posts] == [("/v1/refunds", key)]

    other = await stack.gateway.refund(intent_id, 5_000, f"{key}-b", "second refund")
    assert other.id != first.id
    assert len((await stack.stripe.v1.refunds.list_async({"payment_intent": intent_id})).data) == 2


async def test_a_refund_stripe_cannot_make_is_a_permanent_error(stack: StripeStack) -> None:
    billed, payment = await _paid(stack)
    intent_id = payment.payment_key.split(":")[0]
    key = f"order-{billed.order.id}:refund:1"
    await stack.gateway.refund(intent_id, 1_000, key, "goodwill")

    with pytest.raises(PermanentAdapterError, match="was used for 1000 cents"):
        await stack.gateway.refund(intent_id, 2_000, key, "goodwill")
    with pytest.raises(PermanentAdapterError, match="must be positive"):
        await stack.gateway.refund(intent_id, 0, f"{key}-zero", "nothing")
    with pytest.raises(PermanentAdapterError, match="pi_unknown"):
        await stack.gateway.refund("pi_unknown", 1_000, f"{key}-unknown", "no such payment")
    assert len(stack.recorder.posts("/v1/refunds")) == 1


# ------------------------------------------------------- the refund reaches the workflow


async def test_a_refund_whose_signal_failed_is_signalled_when_handled_again(
    stack: StripeStack,
) -> None:
    billed, payment = await _paid(stack)
    intent_id, charge_id = payment.payment_key.split(":")
    resources = stack.app.state.resources
    working = resources.temporal
    resources.temporal = TemporalConnection("127.0.0.1:1")
    made = await stack.gateway.refund(intent_id, 40_000, f"order-{billed.order.id}:r1", "x")
    event = await _refunded_event(stack, charge_id, "evt_refund_temporal_away")
    assert (await stack.deliver(event)).status_code == 200

    tried = await _event(stack, "evt_refund_temporal_away", handled=False)
    assert tried.handled_at is None
    assert "temporal" in tried.last_error.lower()
    [row] = await _all(stack, StripeRefund)  # stored before the signal was tried
    assert (row.refund_id, row.amount_cents) == (made.id, -40_000)
    assert await stack.refunds_received(billed.order.id) == []

    resources.temporal = working
    inbox = Inbox(stack.sessions, working, stack.gateway)
    assert await handle_pending(inbox, older_than=timedelta(0)) == 1
    [handled] = await _all(stack, StripeEvent, StripeEvent.event_id == event["id"])
    assert handled.handled_at is not None
    assert (handled.attempts, handled.last_error) == (2, "")
    assert handled.outcome.startswith("1 new refund(s) recorded; 40000 cents refunded")
    assert await stack.refunds_received(billed.order.id) == [
        RefundRecorded(
            refund_key=made.id,
            amount_cents=40_000,
            refunded_on=row.refunded_on,
            source="stripe",
            reference=charge_id,
        )
    ]
    assert await handle_pending(inbox, older_than=timedelta(0)) == 0
    # A replay of the handled event is answered and changes nothing.
    replay = await stack.deliver(event)
    assert replay.json()["duplicate"] is True
    assert len(await stack.refunds_received(billed.order.id)) == 1
    assert len(await _all(stack, StripeRefund)) == 1


async def test_a_refund_for_an_ended_workflow_is_left_to_finance(stack: StripeStack) -> None:
    billed, payment = await _paid(stack)
    intent_id, charge_id = payment.payment_key.split(":")
    await stack.env.client.get_workflow_handle(f"order-{billed.order.id}").terminate("test")
    made = await stack.gateway.refund(intent_id, 9_900, f"order-{billed.order.id}:r1", "x")
    event = await _refunded_event(stack, charge_id, "evt_refund_workflow_gone")
    await stack.deliver(event)

    handled = await _event(stack, "evt_refund_workflow_gone", handled=True)
    assert handled.outcome == (
        f"refund {made.id} of 9900 cents recorded; the order's workflow is not running, "
        "so finance must book it"
    )
    assert handled.last_error == ""
    [row] = await _all(stack, StripeRefund)
    assert (row.refund_id, row.amount_cents, row.booked) == (made.id, -9_900, False)
