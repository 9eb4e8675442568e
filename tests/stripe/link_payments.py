"""Shared by the Stripe payment tests: paying an invoice through its link with a test card, and
reading back what the webhook stored (rows, the link, payments, handled events)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from db.models import Payment
from db.models_payments import PaymentLink, StripeEvent
from tests.stripe.conftest import Billed, StripeStack, eventually


async def all_rows(stack: StripeStack, model: Any, *where: Any) -> list[Any]:
    async with stack.sessions() as session:
        return list(await session.scalars(select(model).where(*where).order_by(model.id)))


async def link_row(stack: StripeStack, billed: Billed) -> PaymentLink:
    async with stack.sessions() as session:
        return await session.get_one(PaymentLink, billed.link.id)


async def stripe_payments(stack: StripeStack, billed: Billed, count: int = 1) -> list[Payment]:
    async def probe() -> list[Payment] | None:
        found = await all_rows(stack, Payment, Payment.order_id == billed.order.id)
        return found if len(found) >= count else None

    return await eventually(probe, what=f"{count} payment(s) from Stripe's webhook")


async def handled_events(stack: StripeStack, event_type: str, count: int = 1) -> list[StripeEvent]:
    async def probe() -> list[StripeEvent] | None:
        found = await all_rows(
            stack, StripeEvent, StripeEvent.type == event_type, StripeEvent.handled_at.is_not(None)
        )
        return found if len(found) >= count else None

    return await eventually(probe, what=f"{count} handled {event_type} event(s)")


async def pay(stack: StripeStack, billed: Billed, card: str = "pm_card_visa") -> str:
    response = await stack.api.post(billed.path, data={"test_card": card})
    return f"{response.status_code} {response.text}"


async def paid_through_link(stack: StripeStack, billed: Billed) -> Payment:
    assert (await pay(stack, billed)).startswith("200")
    [payment] = await stripe_payments(stack, billed)
    await handled_events(stack, "payment_intent.succeeded")
    return payment


async def paid_more(stack: StripeStack, billed: Billed, count: int) -> Payment:
    assert (await pay(stack, billed)).startswith("200")
    return (await stripe_payments(stack, billed, count))[-1]
