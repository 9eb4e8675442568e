"""Stripe's webhook inbox, from a payment through the link to the order's workflow: signature,
store once, replays and events out of order, Stripe-shaped payloads, events whose signal failed
handled again, and refunds recorded once each."""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any

import stripe
from sqlalchemy import func, select

from adapters.payments.stripe_gateway import received_payment
from api.deps import TemporalConnection
from api.services.stripe_inbox import Inbox, handle_pending
from db.models import Payment
from db.models_payments import StripeEvent, StripeRefund
from domain.order_messages import RefundRecorded
from tests.stripe.conftest import StripeStack, bill, eventually
from tests.stripe.link_payments import (
    all_rows,
    handled_events,
    link_row,
    paid_through_link,
    pay,
    stripe_payments,
)

# ---------------------------------------------------------------------- the webhook inbox


async def test_replays_and_events_out_of_order_change_nothing_twice(stack: StripeStack) -> None:
    billed = await bill(stack)
    payment = await paid_through_link(stack, billed)
    [event] = await all_rows(stack, StripeEvent, StripeEvent.type == "payment_intent.succeeded")
    stored = json.loads(event.payload)

    replay = await stack.deliver(stored)
    assert replay.status_code == 200
    assert replay.json() == {"received": True, "event_id": event.event_id, "duplicate": True}

    # Another event about the same payment (Stripe ids differ, the payment does not).
    await stack.deliver(stored | {"id": "evt_same_payment_again"})
    # A failure of an earlier attempt on the same intent, delivered late.
    failed = stored | {"id": "evt_late_failure", "type": "payment_intent.payment_failed"}
    failed["data"] = {
        "object": stored["data"]["object"]
        | {"status": "requires_payment_method", "last_payment_error": {"message": "declined"}}
    }
    await stack.deliver(failed)
    await handled_events(stack, "payment_intent.payment_failed")
    [_, again] = await handled_events(stack, "payment_intent.succeeded", count=2)
    assert "already recorded" in again.outcome

    assert [p.id for p in await all_rows(stack, Payment)] == [payment.id]
    assert len(await all_rows(stack, StripeEvent, StripeEvent.event_id == event.event_id)) == 1
    assert (await link_row(stack, billed)).status == "succeeded"
    assert await stack.payments_seen(billed.order.id) == [payment.payment_key]


def test_a_stripe_shaped_payment_intent_credits_amount_received() -> None:
    """Stripe's own objects differ from localstripe's: ``latest_charge`` is an id and
    ``amount_received`` says what was paid (here less than the amount: a partial capture).
    Shaped after Stripe's API reference for the SDK's API version."""
    paid = received_payment(
        {
            "id": "pi_3SzStripeShaped",
            "object": "payment_intent",
            "amount": 119_000,
            "amount_capturable": 0,
            "amount_received": 60_000,
            "capture_method": "manual",
            "currency": "eur",
            "customer": "cus_StripeShaped",
            "latest_charge": "ch_3SzStripeShapedCharge",
            "metadata": {"order_id": "42", "invoice_number": "DE-2026-000042"},
            "status": "succeeded",
        }
    )
    assert paid.received_cents == 60_000
    assert paid.charge_id == "ch_3SzStripeShapedCharge"
    assert (paid.order_id, paid.invoice_number, paid.currency) == (42, "DE-2026-000042", "eur")


def _signed_success(billed: object, intent_id: str, **fields: object) -> dict[str, Any]:
    return {
        "id": f"evt_{intent_id}_forged_amount",
        "object": "event",
        "api_version": stripe.api_version,
        "created": 1_795_000_000,
        "type": "payment_intent.succeeded",
        "data": {
            "object": {
                "id": intent_id,
                "object": "payment_intent",
                "amount": 119_000,
                "amount_received": 119_000,
                "currency": "eur",
                "latest_charge": "ch_forged",
                "metadata": {"order_id": str(billed.order.id)},  # type: ignore[attr-defined]
                "status": "succeeded",
            }
            | fields
        },
    }


async def test_a_signed_event_is_booked_only_as_stripe_reports_it(stack: StripeStack) -> None:
    """Signed with our webhook secret (as anyone who knows it could), the payload says the
    invoice is paid; Stripe, asked with our key, says the PaymentIntent waits for a payment
    method: nothing is booked. Paid for real, the amount is Stripe's, not the payload's."""
    billed = await bill(stack)
    link = await link_row(stack, billed)
    assert link.payment_intent_id
    claimed = _signed_success(billed, link.payment_intent_id)
    assert (await stack.deliver(claimed)).status_code == 200
    [handled] = await handled_events(stack, "payment_intent.succeeded")
    assert "does not report this PaymentIntent as succeeded" in handled.outcome
    assert await all_rows(stack, Payment, Payment.order_id == billed.order.id) == []

    unknown = _signed_success(billed, "pi_does_not_exist") | {"id": "evt_unknown_intent"}
    assert (await stack.deliver(unknown)).status_code == 200
    await handled_events(stack, "payment_intent.succeeded", count=2)
    assert await all_rows(stack, Payment, Payment.order_id == billed.order.id) == []

    payment = await paid_through_link(stack, billed)
    assert payment.amount_cents == 119_000


async def test_a_bad_signature_is_refused_and_nothing_stored(stack: StripeStack) -> None:
    event = {
        "id": "evt_forged",
        "object": "event",
        "type": "payment_intent.succeeded",
        "created": 1,
        "data": {"object": {"id": "pi_x", "metadata": {"order_id": "1"}}},
    }
    forged = await stack.deliver(event, secret="whsec_not_ours")
    assert forged.status_code == 400
    assert forged.headers["content-type"].startswith("application/problem+json")
    assert forged.json()["type"].endswith("/bad-signature")
    unsigned = await stack.api.post("/webhooks/stripe", json=event)
    assert unsigned.status_code == 400
    assert await all_rows(stack, StripeEvent) == []


async def test_an_event_whose_signal_failed_stays_pending_until_handled_again(
    stack: StripeStack,
) -> None:
    resources = stack.app.state.resources
    working = resources.temporal
    resources.temporal = TemporalConnection("127.0.0.1:1")
    billed = await bill(stack)
    assert (await pay(stack, billed)).startswith("200")
    [payment] = await stripe_payments(stack, billed)  # stored before the signal is tried

    async def failed_once() -> list[StripeEvent] | None:
        found = await all_rows(stack, StripeEvent, StripeEvent.attempts >= 1)
        return found or None

    [event] = await eventually(failed_once, what="a failed handling")
    assert event.handled_at is None
    assert "temporal" in event.last_error.lower()
    assert await stack.payments_seen(billed.order.id) == []

    resources.temporal = working
    inbox = Inbox(stack.sessions, working, stack.gateway)
    assert await handle_pending(inbox, older_than=timedelta(0)) == 1
    [event] = await all_rows(stack, StripeEvent)
    assert (event.attempts, event.last_error) == (2, "")
    assert event.handled_at is not None
    assert await stack.payments_seen(billed.order.id) == [payment.payment_key]
    assert await handle_pending(inbox, older_than=timedelta(0)) == 0


async def test_refunds_are_recorded_once_each_in_any_order(stack: StripeStack) -> None:
    billed = await bill(stack)
    payment = await paid_through_link(stack, billed)
    intent_id, charge_id = payment.payment_key.split(":")

    async def refunded_event(event_id: str) -> dict[str, Any]:
        # localstripe sends no charge.refunded: the event is built as Stripe builds it, from
        # localstripe's charge, and signed with the endpoint secret.
        charge = (await stack.stripe.v1.charges.retrieve_async(charge_id)).to_dict()
        charge.pop("refunds", None)  # not in payloads since API version 2022-11-15
        return {
            "id": event_id,
            "object": "event",
            "type": "charge.refunded",
            "created": charge["created"],
            "data": {"object": charge},
        }

    async def refunds_signalled(count: int) -> list[RefundRecorded]:
        async def probe() -> list[RefundRecorded] | None:
            got = await stack.refunds_received(billed.order.id)
            return got if len(got) >= count else None

        return await eventually(probe, what=f"{count} refund_recorded signal(s)")

    # The cooperative refunds through the gateway...
    ours = await stack.gateway.refund(intent_id, 30_000, f"order-{billed.order.id}:refund:1", "x")
    first = await refunded_event("evt_refund_1")
    assert (await stack.deliver(first)).status_code == 200
    await handled_events(stack, "charge.refunded")
    [refund] = await all_rows(stack, StripeRefund)
    assert (refund.refund_id, refund.amount_cents, refund.order_id, refund.charge_id) == (
        ours.id,
        -30_000,
        billed.order.id,
        charge_id,
    )
    assert refund.booked is False
    assert await refunds_signalled(1) == [
        RefundRecorded(
            refund_key=ours.id,
            amount_cents=30_000,
            refunded_on=refund.refunded_on,
            source="stripe",
            reference=charge_id,
        )
    ]

    # ...and someone in Stripe's Dashboard refunds some more.
    await stack.stripe.v1.refunds.create_async({"payment_intent": intent_id, "amount": 20_000})
    second = await refunded_event("evt_refund_2")
    await stack.deliver(second)
    await stack.deliver(first)  # a replay
    await stack.deliver(first | {"id": "evt_refund_1_late"})  # the older state, late
    await handled_events(stack, "charge.refunded", count=3)

    refunds = await all_rows(stack, StripeRefund)
    assert sorted(r.amount_cents for r in refunds) == [-30_000, -20_000]
    assert len({r.refund_id for r in refunds}) == 2
    [later] = [r for r in refunds if r.refund_id != ours.id]
    # Each refund reached the workflow once: the replay and the late event sent nothing.
    signalled = await refunds_signalled(2)
    assert [(s.refund_key, s.amount_cents) for s in signalled] == [
        (ours.id, 30_000),
        (later.refund_id, 20_000),
    ]
    late = await all_rows(stack, StripeEvent, StripeEvent.event_id == "evt_refund_1_late")
    assert late[0].outcome.startswith("0 new refund(s) recorded; 50000 cents refunded")
    # A refund is no payment: the payments and the workflow's payments are untouched.
    assert [p.amount_cents for p in await all_rows(stack, Payment)] == [119_000]
    assert await stack.payments_seen(billed.order.id) == [payment.payment_key]
    async with stack.sessions() as session:
        assert await session.scalar(select(func.count()).select_from(StripeEvent)) == 4
