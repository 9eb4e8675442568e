"""Payment links: the stable ``/pay/<token>`` of an invoice and the Stripe PaymentIntent behind it.

The link is created with the invoice (``open_payment_link``, for the invoice activity) and
stays the same for as long as the invoice is open; the PaymentIntent behind it follows the live
amount due (invoice gross − principal paid − payments recorded but not yet applied). When that
amount changed, or the last attempt failed, the next payment gets a new intent and the old one is
cancelled first (``PaymentsGateway.payment_for_invoice(replaces=...)``).

No database transaction is held across a Stripe call: the link row is read, Stripe is asked
(with an Idempotency-Key derived from the workflow id, the step and the link's generation), and
the link is updated only if no one else moved it meanwhile (``generation`` as version).

Imports nothing of FastAPI, so an activity can call it as it is.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Literal

from sqlalchemy import func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from adapters.payments.stripe_gateway import PaymentInProgress, PaymentIntentRef, PaymentsGateway
from api.temporal import order_workflow_id
from db import pay_link_tokens
from db.models import Client, Invoice, Order, Payment
from db.models_payments import PaymentLink, StripeCustomer
from domain.collection import interest_to_date, owed_now

log = logging.getLogger(__name__)

LinkState = Literal["payable", "processing", "paid", "closed"]


class UnknownPaymentLink(LookupError):
    pass


@dataclass(frozen=True)
class LinkView:
    link: PaymentLink
    invoice: Invoice
    order: Order
    due_cents: int
    state: LinkState


@dataclass(frozen=True)
class Prepared:
    view: LinkView
    intent: PaymentIntentRef | None = None  # set when state is "payable"

    @property
    def state(self) -> LinkState:
        return self.view.state


async def amount_due(session: AsyncSession, invoice: Invoice) -> int:
    """What the client owes now (``domain.collection.owed_now``)."""
    unapplied = await session.scalar(
        select(func.coalesce(func.sum(Payment.amount_cents), 0)).where(
            Payment.order_id == invoice.order_id, Payment.applied.is_(False)
        )
    )
    order = await session.get_one(Order, invoice.order_id)
    client = await session.get_one(Client, order.client_id)
    principal_left = invoice.gross_cents - invoice.paid_cents
    interest = interest_to_date(
        order.jurisdiction,  # type: ignore[arg-type]
        client.is_business,
        accrued=order.interest_accrued_cents,
        runs_from=order.interest_runs_from,
        principal=principal_left,
        today=datetime.now(UTC).date(),
    )
    return owed_now(
        projected=order.amount_due_cents,
        principal_left=principal_left,
        unapplied=int(unapplied or 0),
        interest=interest,
    )


async def _intent_recorded(session: AsyncSession, payment_intent_id: str) -> bool:
    found = await session.scalar(
        select(Payment.id)
        .where(Payment.payment_key.startswith(f"{payment_intent_id}:", autoescape=True))
        .limit(1)
    )
    return found is not None


async def load_view(session: AsyncSession, token: str) -> LinkView:
    """The invoice a public token opens (unknown, expired and revoked tokens open nothing)."""
    link = await pay_link_tokens.resolve(session, token)
    if link is None:
        raise UnknownPaymentLink(token)
    invoice = await session.get_one(Invoice, link.invoice_id)
    order = await session.get_one(Order, link.order_id)
    due = await amount_due(session, invoice)
    state: LinkState
    if invoice.status in ("written_off", "cancelled"):
        # Written off, or cancelled by a credit note: nothing is to be paid through the link.
        state = "closed"
    elif invoice.status == "paid" or due <= 0:
        state = "paid"
    elif (
        link.status in {"succeeded", "processing"}
        and link.payment_intent_id is not None
        and not await _intent_recorded(session, link.payment_intent_id)
    ):
        # Stripe took the money; its webhook has not been recorded yet.
        state = "processing"
    else:
        state = "payable"
    return LinkView(link, invoice, order, due, state)


async def open_payment_link(
    sessions: async_sessionmaker[AsyncSession], gateway: PaymentsGateway, invoice_id: int
) -> tuple[PaymentLink, str]:
    """The invoice's link, a new public token for it, and a PaymentIntent for the amount due.

    The link and its token are committed before Stripe is asked, so a retry after a Stripe
    failure finds them and the token works whatever Stripe answered."""
    async with sessions.begin() as session:
        link = await pay_link_tokens.payment_link(session, invoice_id)
        token = await pay_link_tokens.mint(session, link.id)
    prepared = await prepare_payment(sessions, gateway, token)
    return prepared.view.link, token


async def ensure_customer(
    sessions: async_sessionmaker[AsyncSession], gateway: PaymentsGateway, order: Order
) -> str:
    """The client's Stripe Customer: the stored one, else a new one (stored once per client)."""
    client = order.client
    async with sessions() as session:
        known = await session.scalar(
            select(StripeCustomer.customer_id).where(StripeCustomer.client_id == client.id)
        )
        if known is not None:
            return known
        customer_id = await gateway.ensure_customer(
            client_id=client.id,
            name=client.name,
            email=client.email,
            vat_id=client.vat_id,
            locale=client.language,
            country=client.country,
            idempotency_key=f"{order_workflow_id(order.id)}:stripe-customer:{client.id}",
        )
        session.add(StripeCustomer(client_id=client.id, customer_id=customer_id))
        try:
            await session.commit()
        except IntegrityError:
            # Another order of the client stored one first; that one is used from now on.
            await session.rollback()
            stored = await session.scalar(
                select(StripeCustomer.customer_id).where(StripeCustomer.client_id == client.id)
            )
            assert stored is not None
            log.warning("client %s: Stripe customer %s left unused", client.id, customer_id)
            return stored
        return customer_id


async def prepare_payment(
    sessions: async_sessionmaker[AsyncSession], gateway: PaymentsGateway, token: str
) -> Prepared:
    """A PaymentIntent for exactly the amount due now, or the reason there is nothing to pay."""
    async with sessions() as session:
        view = await load_view(session, token)
    link = view.link
    if view.state != "payable":
        return Prepared(view)
    if link.payment_intent_id and link.status == "open" and link.amount_cents == view.due_cents:
        current = await gateway.payment_intent(link.payment_intent_id)
        if current.status != "canceled":  # e.g. cancelled in the Dashboard: make a new one
            return Prepared(view, current)

    customer_id = await ensure_customer(sessions, gateway, view.order)
    generation = link.generation + 1
    key = (
        f"{order_workflow_id(view.order.id)}:stripe-payment:"
        f"{view.invoice.number}:{generation}:{view.due_cents}"
    )
    replaces = link.payment_intent_id if link.status in {"open", "failed"} else None
    try:
        intent = await gateway.payment_for_invoice(
            invoice_number=view.invoice.number,
            order_id=view.order.id,
            amount_cents=view.due_cents,
            customer_id=customer_id,
            idempotency_key=key,
            replaces=replaces,
        )
    except PaymentInProgress:
        # Paid in the browser a moment ago; the webhook will record it.
        await _set_status(sessions, link, "processing")
        async with sessions() as session:
            return Prepared(await load_view(session, token))
    async with sessions.begin() as session:
        moved = await session.execute(
            update(PaymentLink)
            .where(PaymentLink.id == link.id, PaymentLink.generation == link.generation)
            .values(
                payment_intent_id=intent.id,
                amount_cents=intent.amount,
                status="open",
                generation=generation,
                last_error="",
            )
        )
    if moved.rowcount == 0:  # type: ignore[attr-defined]
        # A concurrent request replaced the intent first; its intent is the one to pay. Ours
        # (the same one when the amount was the same: same Idempotency-Key) was never shown.
        return await prepare_payment(sessions, gateway, token)
    async with sessions() as session:
        return Prepared(await load_view(session, token), intent)


async def _set_status(
    sessions: async_sessionmaker[AsyncSession], link: PaymentLink, status: str, error: str = ""
) -> None:
    async with sessions.begin() as session:
        await session.execute(
            update(PaymentLink)
            .where(
                PaymentLink.id == link.id,
                PaymentLink.payment_intent_id == link.payment_intent_id,
                PaymentLink.status != "succeeded",
            )
            .values(status=status, last_error=error)
        )


async def pay_with_test_card(
    sessions: async_sessionmaker[AsyncSession],
    gateway: PaymentsGateway,
    token: str,
    card: str,
) -> tuple[Prepared, str]:
    """Test mode: prepare the intent and confirm it on the server with a Stripe test card.
    Returns the prepared payment and the outcome (``succeeded``, ``failed: <reason>``, ...)."""
    prepared = await prepare_payment(sessions, gateway, token)
    if prepared.intent is None:
        return prepared, prepared.state
    intent = prepared.intent
    result = await gateway.confirm_with_test_card(
        intent.id,
        payment_method=card,
        idempotency_key=f"{order_workflow_id(prepared.view.order.id)}:stripe-confirm:"
        f"{intent.id}:{card}",
    )
    link = prepared.view.link
    if result.status == "failed":
        await _set_status(sessions, link, "failed", result.message)
        return prepared, f"failed: {result.message}"
    if result.status in {"succeeded", "processing", "requires_capture"}:
        await _set_status(
            sessions, link, "succeeded" if result.status == "succeeded" else "processing"
        )
    return prepared, result.status
