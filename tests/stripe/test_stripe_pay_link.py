"""Paying an invoice through Stripe (localstripe) from the link in the invoice: customers,
PaymentIntents and their Idempotency-Keys, the /pay page and Stripe.js, failed and partial
payments."""

from __future__ import annotations

import re

from sqlalchemy import update

from api.services import pay_links
from db.models import Invoice, Order, Payment
from db.models_payments import PaymentLink, StripeCustomer
from tests.factories import create_client, create_member
from tests.stripe.conftest import StripeStack, bill, eventually
from tests.stripe.link_payments import (
    all_rows,
    handled_events,
    link_row,
    paid_through_link,
    stripe_payments,
)

KEY = re.compile(r"^order-\d+:stripe-(customer|payment|confirm):\S+$")


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

    [stored] = await all_rows(stack, StripeCustomer)
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
        link = await link_row(stack, billed)
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
    await paid_through_link(stack, billed)

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
    await pay_links.prepare_payment(stack.sessions, stack.gateway, other.token)
    [retried] = [p for p in stack.recorder.sent[before:] if p.method == "POST"]
    assert retried.path == "/v1/payment_intents"
    assert retried.idempotency_key == created.idempotency_key

    # Nothing changed: the link's intent is reused, nothing is sent to Stripe but a read.
    before = len(stack.recorder.sent)
    await pay_links.prepare_payment(stack.sessions, stack.gateway, other.token)
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

    [payment] = await stripe_payments(stack, billed)
    link = await link_row(stack, billed)
    intent = await stack.stripe.v1.payment_intents.retrieve_async(link.payment_intent_id or "")
    assert intent.status == "succeeded"
    charge_id = intent.to_dict()["latest_charge"]["id"]  # localstripe embeds the charge
    assert payment.payment_key == f"{intent.id}:{charge_id}"
    assert (payment.amount_cents, payment.source, payment.applied) == (119_000, "stripe", False)
    assert payment.reference == billed.invoice.number
    [event] = await handled_events(stack, "payment_intent.succeeded")
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
    assert len(await all_rows(stack, Payment)) == 1


async def test_an_unknown_link_is_a_404_page(stack: StripeStack) -> None:
    response = await stack.api.get("/pay/not-a-token")
    assert response.status_code == 404
    assert "Unknown payment link" in response.text


async def test_stripe_js_gets_an_intent_for_the_amount_due(stack: StripeStack) -> None:
    billed = await bill(stack)
    body = (await stack.api.post(f"{billed.path}/intent")).json()
    link = await link_row(stack, billed)
    assert body["state"] == "payable"
    assert body["payment_intent_id"] == link.payment_intent_id
    assert body["client_secret"].startswith(f"{link.payment_intent_id}_secret_")
    assert (body["amount_due_cents"], body["currency"]) == (119_000, "EUR")


async def test_the_link_asks_for_the_dunning_charges_too(stack: StripeStack) -> None:
    """The page, the reminders and the finance desk name the same amount: the principal and
    the reminder charges still open (the order's projection, kept by the workflow)."""
    billed = await bill(stack)
    async with stack.sessions.begin() as session:
        await session.execute(
            update(Order)
            .where(Order.id == billed.order.id)
            .values(amount_due_cents=119_000 + 4_250)
        )
    body = (await stack.api.post(f"{billed.path}/intent")).json()
    assert body["amount_due_cents"] == 123_250
    page = await stack.api.get(billed.path)
    assert "1,232.50" in page.text or "1.232,50" in page.text


# ------------------------------------------------------ failed, partial and refunded payments


async def test_a_failed_payment_records_the_attempt_and_the_link_can_be_paid_again(
    stack: StripeStack,
) -> None:
    billed = await bill(stack)
    declined = await stack.api.post(billed.path, data={"test_card": "pm_card_chargeCustomerFail"})
    assert declined.status_code == 402
    assert "declined" in declined.text
    first_intent = (await link_row(stack, billed)).payment_intent_id

    [event] = await handled_events(stack, "payment_intent.payment_failed")
    assert event.order_id == billed.order.id
    assert event.outcome.startswith("payment attempt failed")
    assert await all_rows(stack, Payment) == []
    link = await link_row(stack, billed)
    assert (link.status, link.last_error) == ("failed", "Your card was declined.")
    page = await stack.api.get(billed.path)
    assert "Der letzte Zahlungsversuch ist fehlgeschlagen: Your card was declined." in page.text
    assert "1.190,00\u00a0€" in page.text

    [payment] = [await paid_through_link(stack, billed)]
    assert payment.amount_cents == 119_000
    replaced = await stack.stripe.v1.payment_intents.retrieve_async(first_intent or "")
    assert replaced.status == "canceled"
    assert payment.payment_key.startswith((await link_row(stack, billed)).payment_intent_id or "-")


async def test_after_a_partial_payment_the_link_asks_for_the_rest_with_a_new_intent(
    stack: StripeStack,
) -> None:
    billed = await bill(stack)
    old_intent = (await link_row(stack, billed)).payment_intent_id
    async with stack.sessions.begin() as session:  # the workflow applied a bank transfer
        await session.execute(
            update(Invoice).where(Invoice.id == billed.invoice.id).values(paid_cents=50_000)
        )
    assert "690,00\u00a0€" in (await stack.api.get(billed.path)).text

    payment = await paid_through_link(stack, billed)
    assert payment.amount_cents == 69_000
    link = await link_row(stack, billed)
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

    [payment] = await stripe_payments(stack, billed)
    assert payment.amount_cents == 40_000
    assert payment.payment_key.startswith(f"{intent.id}:ch_")

    async def signalled() -> list[str] | None:
        return await stack.payments_seen(billed.order.id) or None

    assert await eventually(signalled, what="the signal") == [payment.payment_key]
    assert "790,00\u00a0€" in (await stack.api.get(billed.path)).text
