"""Paying an invoice through Stripe (localstripe), from the link in the invoice to the order's
workflow: customers, PaymentIntents and their Idempotency-Keys, the /pay page, the webhook
inbox (signature, store once, replays, events out of order), failed and partial payments,
refunds."""

from __future__ import annotations

import json
import re
from datetime import timedelta
from typing import Any

import stripe
from sqlalchemy import func, select, update

from api.deps import TemporalConnection
from api.services import pay_links
from api.services.stripe_inbox import Inbox, handle_pending
from db.models import Invoice, Payment
from db.models_payments import PaymentLink, StripeCustomer, StripeEvent, StripeRefund
from domain.order_messages import RefundRecorded
from tests.factories import create_client, create_member
from tests.stripe.conftest import Billed, StripeStack, bill, eventually

KEY = re.compile(r"^order-\d+:stripe-(customer|payment|confirm):\S+$")


async def _all(stack: StripeStack, model: Any, *where: Any) -> list[Any]:
    async with stack.sessions() as session:
        return list(await session.scalars(select(model).where(*where).order_by(model.id)))


async def _link(stack: StripeStack, billed: Billed) -> PaymentLink:
    async with stack.sessions() as session:
        return await session.get_one(PaymentLink, billed.link.id)


async def _stripe_payments(stack: StripeStack, billed: Billed, count: int = 1) -> list[Payment]:
    async def probe() -> list[Payment] | None:
        found = await _all(stack, Payment, Payment.order_id == billed.order.id)
        return found if len(found) >= count else None

    return await eventually(probe, what=f"{count} payment(s) from Stripe's webhook")


async def _handled(stack: StripeStack, event_type: str, count: int = 1) -> list[StripeEvent]:
    async def probe() -> list[StripeEvent] | None:
        found = await _all(
            stack, StripeEvent, StripeEvent.type == event_type, StripeEvent.handled_at.is_not(None)
        )
        return found if len(found) >= count else None

    return await eventually(probe, what=f"{count} handled {event_type} event(s)")


async def _pay(stack: StripeStack, billed: Billed, card: str = "pm_card_visa") -> str:
    response = await stack.api.post(billed.path, data={"test_card": card})
    return f"{response.status_code} {response.text}"


async def _paid(stack: StripeStack, billed: Billed) -> Payment:
    assert (await _pay(stack, billed)).startswith("200")
    [payment] = await _stripe_payments(stack, billed)
    await _handled(stack, "payment_intent.succeeded")
    return payment


async def _paid_more(stack: StripeStack, billed: Billed, count: int) -> Payment:
    assert (await _pay(stack, billed)).startswith("200")
    return (await _stripe_payments(stack, billed, count))[-1]


# ------------------------------------------------------------------------------ customers


async def test_customer_is_created_once_per_client_with_tax_id_and_locale(
    stack: StripeStack,
) -> None:
    member = await create_member(stack.sessions)
    client = await create_client(
        stack.sessions, member, vat_id="DE123456789", language="de", email="ap@acme.example"
    )
    first = await bill(stack, member=member, client=client)
    second = await bill(stack, member=member, client=client, gross_cents=23_800)

    [stored] = await _all(stack, StripeCustomer)
    assert stored.client_id == client.id
    assert len(stack.recorder.posts("/v1/customers")) == 1
    customers = (await stack.stripe.v1.customers.list_async()).data
    assert [c.id for c in customers] == [stored.customer_id]
    customer = customers[0].to_dict()
    assert customer["preferred_locales"] == ["de"]
    assert customer["email"] == "ap@acme.example"
    assert [(t["type"], t["value"]) for t in customer["tax_ids"]["data"]] == [
        ("eu_vat", "DE123456789")
    ]
    # One PaymentIntent per invoice, for its amount, on the client's customer.
    for billed, amount in ((first, 119_000), (second, 23_800)):
        link = await _link(stack, billed)
        assert link.amount_cents == amount
        assert link.payment_intent_id is not None
        intent = await stack.stripe.v1.payment_intents.retrieve_async(link.payment_intent_id)
        assert intent.amount == amount
        assert intent.currency == "eur"
        assert intent.customer == stored.customer_id
        assert intent.to_dict()["metadata"] == {
            "order_id": str(billed.order.id),
            "invoice_number": billed.invoice.number,
            "payment_key": f"order-{billed.order.id}:stripe-payment:"
            f"{billed.invoice.number}:1:{amount}",
        }


async def test_every_mutating_call_carries_an_idempotency_key_a_retry_repeats(
    stack: StripeStack,
) -> None:
    billed = await bill(stack)
    async with stack.sessions.begin() as session:  # a partial bank payment was applied
        await session.execute(
            update(Invoice).where(Invoice.id == billed.invoice.id).values(paid_cents=19_000)
        )
    await _paid(stack, billed)

    posts = stack.recorder.posts()
    assert {p.path.split("/")[-1] for p in posts} >= {
        "customers",
        "payment_intents",
        "cancel",
        "confirm",
    }
    assert all(p.idempotency_key and KEY.match(p.idempotency_key) for p in posts), posts
    assert len({p.idempotency_key for p in posts}) == len(posts)
    order = billed.order.id
    number = billed.invoice.number
    assert [p.idempotency_key for p in posts if p.path == "/v1/payment_intents"] == [
        f"order-{order}:stripe-payment:{number}:1:119000",
        f"order-{order}:stripe-payment:{number}:2:100000",
    ]

    # The step is retried after Stripe answered but before the database kept the answer:
    # the retry sends the same key (real Stripe then returns the same PaymentIntent).
    other = await bill(stack, gross_cents=5_950)
    [created] = [
        p
        for p in stack.recorder.posts("/v1/payment_intents")
        if p.idempotency_key and f":{other.invoice.number}:" in p.idempotency_key
    ]
    async with stack.sessions.begin() as session:
        await session.execute(
            update(PaymentLink)
            .where(PaymentLink.id == other.link.id)
            .values(payment_intent_id=None, amount_cents=0, generation=0)
        )
    before = len(stack.recorder.sent)
    await pay_links.prepare_payment(stack.sessions, stack.gateway, other.link.token)
    [retried] = [p for p in stack.recorder.sent[before:] if p.method == "POST"]
    assert retried.path == "/v1/payment_intents"
    assert retried.idempotency_key == created.idempotency_key

    # Nothing changed: the link's intent is reused, nothing is sent to Stripe but a read.
    before = len(stack.recorder.sent)
    await pay_links.prepare_payment(stack.sessions, stack.gateway, other.link.token)
    assert [p.method for p in stack.recorder.sent[before:]] == ["GET"]


# ------------------------------------------------------------------- paying through the link


async def test_paying_through_the_link_records_the_payment_and_signals_the_workflow(
    stack: StripeStack,
) -> None:
    billed = await bill(stack)
    page = await stack.api.get(billed.path)
    assert page.status_code == 200
    # The default client writes German (tests/factories.py): the page speaks it.
    assert "<html lang='de'>" in page.text
    assert "1.190,00\u00a0€" in page.text
    assert billed.invoice.number in page.text
    assert billed.invoice.creditor_reference in page.text

    paid = await stack.api.post(billed.path, data={"test_card": "pm_card_visa"})
    assert paid.status_code == 200, paid.text
    assert f"Zahlung für Rechnung {billed.invoice.number} erhalten" in paid.text

    [payment] = await _stripe_payments(stack, billed)
    link = await _link(stack, billed)
    intent = await stack.stripe.v1.payment_intents.retrieve_async(link.payment_intent_id or "")
    assert intent.status == "succeeded"
    charge_id = intent.to_dict()["latest_charge"]["id"]  # localstripe embeds the charge
    assert payment.payment_key == f"{intent.id}:{charge_id}"
    assert (payment.amount_cents, payment.source, payment.applied) == (119_000, "stripe", False)
    assert payment.reference == billed.invoice.number
    [event] = await _handled(stack, "payment_intent.succeeded")
    assert event.order_id == billed.order.id
    assert "recorded" in event.outcome
    assert link.status == "succeeded"

    async def signalled() -> list[str] | None:
        return await stack.payments_seen(billed.order.id) or None

    assert await eventually(signalled, what="the workflow's signal") == [payment.payment_key]

    # The link in the e-mail keeps working: it says the invoice is paid...
    again = await stack.api.get(billed.path)
    assert again.status_code == 200
    assert f"Rechnung {billed.invoice.number} ist bezahlt" in again.text
    # ...also once the workflow has applied the payment, and for Stripe.js.
    async with stack.sessions.begin() as session:
        await session.execute(update(Payment).where(Payment.id == payment.id).values(applied=True))
        await session.execute(
            update(Invoice)
            .where(Invoice.id == billed.invoice.id)
            .values(paid_cents=119_000, status="paid")
        )
    assert "ist bezahlt" in (await stack.api.get(billed.path)).text
    repost = await stack.api.post(billed.path, data={"test_card": "pm_card_visa"})
    assert "ist bezahlt" in repost.text
    intent_json = (await stack.api.post(f"{billed.path}/intent")).json()
    assert intent_json["state"] == "paid"
    assert "client_secret" not in intent_json
    assert len(await _all(stack, Payment)) == 1


async def test_an_unknown_link_is_a_404_page(stack: StripeStack) -> None:
    response = await stack.api.get("/pay/not-a-token")
    assert response.status_code == 404
    assert "Unknown payment link" in response.text


async def test_stripe_js_gets_an_intent_for_the_amount_due(stack: StripeStack) -> None:
    billed = await bill(stack)
    body = (await stack.api.post(f"{billed.path}/intent")).json()
    link = await _link(stack, billed)
    assert body["state"] == "payable"
    assert body["payment_intent_id"] == link.payment_intent_id
    assert body["client_secret"].startswith(f"{link.payment_intent_id}_secret_")
    assert (body["amount_due_cents"], body["currency"]) == (119_000, "EUR")


# ---------------------------------------------------------------------- the webhook inbox


async def test_replays_and_events_out_of_order_change_nothing_twice(stack: StripeStack) -> None:
    billed = await bill(stack)
    payment = await _paid(stack, billed)
    [event] = await _all(stack, StripeEvent, StripeEvent.type == "payment_intent.succeeded")
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
    await _handled(stack, "payment_intent.payment_failed")
    [_, again] = await _handled(stack, "payment_intent.succeeded", count=2)
    assert "already recorded" in again.outcome

    assert [p.id for p in await _all(stack, Payment)] == [payment.id]
    assert len(await _all(stack, StripeEvent, StripeEvent.event_id == event.event_id)) == 1
    assert (await _link(stack, billed)).status == "succeeded"
    assert await stack.payments_seen(billed.order.id) == [payment.payment_key]


async def test_a_stripe_shaped_event_credits_amount_received_and_the_rest_stays_payable(
    stack: StripeStack,
) -> None:
    """Stripe's own payload differs from localstripe's: ``latest_charge`` is an id and
    ``amount_received`` says what was paid (here less than the amount: a partial capture).
    The event is shaped after Stripe's API reference for the SDK's API version."""
    billed = await bill(stack)
    link = await _link(stack, billed)
    event = {
        "id": "evt_3SzStripeShaped0001",
        "object": "event",
        "api_version": stripe.api_version,
        "created": 1_795_000_000,
        "livemode": False,
        "pending_webhooks": 1,
        "request": {"id": None, "idempotency_key": None},
        "type": "payment_intent.succeeded",
        "data": {
            "object": {
                "id": link.payment_intent_id,
                "object": "payment_intent",
                "amount": 119_000,
                "amount_capturable": 0,
                "amount_received": 60_000,
                "capture_method": "manual",
                "currency": "eur",
                "customer": "cus_StripeShaped",
                "latest_charge": "ch_3SzStripeShapedCharge",
                "metadata": {
                    "order_id": str(billed.order.id),
                    "invoice_number": billed.invoice.number,
                },
                "status": "succeeded",
            }
        },
    }
    assert (await stack.deliver(event)).status_code == 200
    [payment] = await _stripe_payments(stack, billed)
    assert payment.payment_key == f"{link.payment_intent_id}:ch_3SzStripeShapedCharge"
    assert payment.amount_cents == 60_000
    assert str(payment.received_on) == "2026-11-18"

    # The rest is payable from the same link, with a new intent (the paid one stays).
    assert "590,00\u00a0€" in (await stack.api.get(billed.path)).text
    rest = await _paid_more(stack, billed, count=2)
    assert rest.amount_cents == 59_000
    assert rest.payment_key.split(":")[0] != link.payment_intent_id


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
    assert await _all(stack, StripeEvent) == []


async def test_an_event_whose_signal_failed_stays_pending_until_handled_again(
    stack: StripeStack,
) -> None:
    resources = stack.app.state.resources
    working = resources.temporal
    resources.temporal = TemporalConnection("127.0.0.1:1")
    billed = await bill(stack)
    assert (await _pay(stack, billed)).startswith("200")
    [payment] = await _stripe_payments(stack, billed)  # stored before the signal is tried

    async def failed_once() -> list[StripeEvent] | None:
        found = await _all(stack, StripeEvent, StripeEvent.attempts >= 1)
        return found or None

    [event] = await eventually(failed_once, what="a failed handling")
    assert event.handled_at is None
    assert "temporal" in event.last_error.lower()
    assert await stack.payments_seen(billed.order.id) == []

    resources.temporal = working
    inbox = Inbox(stack.sessions, working, stack.gateway)
    assert await handle_pending(inbox, older_than=timedelta(0)) == 1
    [event] = await _all(stack, StripeEvent)
    assert (event.attempts, event.last_error) == (2, "")
    assert event.handled_at is not None
    assert await stack.payments_seen(billed.order.id) == [payment.payment_key]
    assert await handle_pending(inbox, older_than=timedelta(0)) == 0


# ------------------------------------------------------ failed, partial and refunded payments


async def test_a_failed_payment_records_the_attempt_and_the_link_can_be_paid_again(
    stack: StripeStack,
) -> None:
    billed = await bill(stack)
    declined = await stack.api.post(billed.path, data={"test_card": "pm_card_chargeCustomerFail"})
    assert declined.status_code == 402
    assert "declined" in declined.text
    first_intent = (await _link(stack, billed)).payment_intent_id

    [event] = await _handled(stack, "payment_intent.payment_failed")
    assert event.order_id == billed.order.id
    assert event.outcome.startswith("payment attempt failed")
    assert await _all(stack, Payment) == []
    link = await _link(stack, billed)
    assert (link.status, link.last_error) == ("failed", "Your card was declined.")
    page = await stack.api.get(billed.path)
    assert "Der letzte Zahlungsversuch ist fehlgeschlagen: Your card was declined." in page.text
    assert "1.190,00\u00a0€" in page.text

    [payment] = [await _paid(stack, billed)]
    assert payment.amount_cents == 119_000
    replaced = await stack.stripe.v1.payment_intents.retrieve_async(first_intent or "")
    assert replaced.status == "canceled"
    assert payment.payment_key.startswith((await _link(stack, billed)).payment_intent_id or "-")


async def test_after_a_partial_payment_the_link_asks_for_the_rest_with_a_new_intent(
    stack: StripeStack,
) -> None:
    billed = await bill(stack)
    old_intent = (await _link(stack, billed)).payment_intent_id
    async with stack.sessions.begin() as session:  # the workflow applied a bank transfer
        await session.execute(
            update(Invoice).where(Invoice.id == billed.invoice.id).values(paid_cents=50_000)
        )
    assert "690,00\u00a0€" in (await stack.api.get(billed.path)).text

    payment = await _paid(stack, billed)
    assert payment.amount_cents == 69_000
    link = await _link(stack, billed)
    assert link.payment_intent_id != old_intent
    assert link.amount_cents == 69_000
    old = await stack.stripe.v1.payment_intents.retrieve_async(old_intent or "")
    assert old.status == "canceled"


async def test_a_partial_capture_credits_only_what_was_received(stack: StripeStack) -> None:
    billed = await bill(stack)
    intent = await stack.stripe.v1.payment_intents.create_async(
        {
            "amount": 119_000,
            "currency": "eur",
            "payment_method": "pm_card_visa",
            "capture_method": "manual",
            "metadata": {"order_id": str(billed.order.id), "invoice_number": billed.invoice.number},
        }
    )
    await stack.stripe.v1.payment_intents.confirm_async(intent.id)
    await stack.stripe.v1.payment_intents.capture_async(intent.id, {"amount_to_capture": 40_000})

    [payment] = await _stripe_payments(stack, billed)
    assert payment.amount_cents == 40_000
    assert payment.payment_key.startswith(f"{intent.id}:ch_")

    async def signalled() -> list[str] | None:
        return await stack.payments_seen(billed.order.id) or None

    assert await eventually(signalled, what="the signal") == [payment.payment_key]
    assert "790,00\u00a0€" in (await stack.api.get(billed.path)).text


async def test_refunds_are_recorded_once_each_in_any_order(stack: StripeStack) -> None:
    billed = await bill(stack)
    payment = await _paid(stack, billed)
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
    await _handled(stack, "charge.refunded")
    [refund] = await _all(stack, StripeRefund)
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
    await _handled(stack, "charge.refunded", count=3)

    refunds = await _all(stack, StripeRefund)
    assert sorted(r.amount_cents for r in refunds) == [-30_000, -20_000]
    assert len({r.refund_id for r in refunds}) == 2
    [later] = [r for r in refunds if r.refund_id != ours.id]
    # Each refund reached the workflow once: the replay and the late event sent nothing.
    signalled = await refunds_signalled(2)
    assert [(s.refund_key, s.amount_cents) for s in signalled] == [
        (ours.id, 30_000),
        (later.refund_id, 20_000),
    ]
    late = await _all(stack, StripeEvent, StripeEvent.event_id == "evt_refund_1_late")
    assert late[0].outcome.startswith("0 new refund(s) recorded; 50000 cents refunded")
    # A refund is no payment: the payments and the workflow's payments are untouched.
    assert [p.amount_cents for p in await _all(stack, Payment)] == [119_000]
    assert await stack.payments_seen(billed.order.id) == [payment.payment_key]
    async with stack.sessions() as session:
        assert await session.scalar(select(func.count()).select_from(StripeEvent)) == 4
