"""The invoice's payment link ``/pay/{token}`` (no login), in the invoice and every reminder.

GET shows the amount due now, read live from the database, and "paid" once it is paid, so an
old e-mail's link keeps working. Paying:

- production: the page's Stripe.js Payment Element asks ``POST /pay/{token}/intent`` for the
  client secret of a PaymentIntent of exactly the amount due and confirms it in the browser;
- test keys (localstripe, Stripe test mode): the page's button posts here and the server
  confirms with a Stripe test card (``pm_card_visa``; ``pm_card_chargeCustomerFail`` declines).

Either way the money is recorded from Stripe's webhook, not from this page.
"""

from __future__ import annotations

from html import escape
from typing import Annotated, Any

import stripe
from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse

from adapters.errors import PermanentAdapterError
from adapters.payments import TEST_CARDS
from api.deps import AppSettings, get_resources
from api.errors import ProblemError
from api.html import form_fields, message_page, page
from api.services import pay_links
from api.services.stripe_inbox import StripeResources, stripe_resources
from domain.money import format_eur

router = APIRouter(prefix="/pay", tags=["payment links"])

_TEST_CARD_LABELS = {
    "pm_card_visa": "Visa test card 4242 (succeeds)",
    "pm_card_chargeCustomerFail": "Visa test card 0341 (declined)",
}


def _stripe(request: Request) -> StripeResources:
    return stripe_resources(request.app.state)


Stripe = Annotated[StripeResources, Depends(_stripe)]


def _state_page(view: pay_links.LinkView) -> HTMLResponse:
    number = view.invoice.number
    if view.state == "paid":
        return message_page(
            f"Invoice {number} is paid", f"Thank you: nothing is due on invoice {number}."
        )
    if view.state == "processing":
        return message_page(
            f"Payment received for invoice {number}",
            f"Thank you: your payment of {format_eur(view.link.amount_cents)} is being booked.",
        )
    return message_page(
        f"Invoice {number} is closed",
        f"Invoice {number} no longer takes payments; please contact us about it.",
        status=410,
        error=True,
    )


def _pay_page(view: pay_links.LinkView, token: str, *, test_mode: bool, iban: str) -> HTMLResponse:
    invoice = view.invoice
    amount = escape(format_eur(view.due_cents))
    failed = (
        f"<p class='err'>The last payment attempt failed: {escape(view.link.last_error)} "
        "You can try again.</p>"
        if view.link.status == "failed"
        else ""
    )
    details = (
        "<dl>"
        f"<dt>Invoice</dt><dd>{escape(invoice.number)} of {invoice.issue_date.isoformat()}</dd>"
        f"<dt>To</dt><dd>{escape(invoice.client_name)}</dd>"
        f"<dt>For</dt><dd>{escape(invoice.description)}</dd>"
        f"<dt>Due date</dt><dd>{invoice.due_date.isoformat()}</dd>"
        f"<dt>Amount due now</dt><dd><strong>{amount}</strong></dd>"
        "</dl>"
    )
    if test_mode:
        options = "".join(
            f"<option value='{card}'>{escape(_TEST_CARD_LABELS[card])}</option>"
            for card in TEST_CARDS
        )
        form = (
            f"<form method='post' action='/pay/{escape(token)}'>"
            f"<label>Card <select name='test_card'>{options}</select></label> "
            f"<button type='submit'>Pay {amount}</button></form>"
            "<p><small>Test mode: the server confirms the payment with a Stripe test card."
            "</small></p>"
        )
    else:
        form = f"<div id='payment-element' data-intent-url='/pay/{escape(token)}/intent'></div>"
    transfer = (
        f"<p>Or pay by bank transfer to {escape(iban)} with the reference "
        f"<code>{escape(invoice.creditor_reference)}</code>.</p>"
    )
    return page(f"Pay invoice {invoice.number}", details + failed + form + transfer)


def _unknown() -> HTMLResponse:
    return message_page(
        "Unknown payment link",
        "This payment link is not known here; please use the link in your invoice e-mail.",
        status=404,
        error=True,
    )


def _stripe_down() -> HTMLResponse:
    return message_page(
        "Payment service unavailable",
        "The payment service did not answer. Please try again in a minute; "
        "a payment is never charged twice.",
        status=503,
        error=True,
    )


@router.get("/{token}", response_class=HTMLResponse)
async def show(
    token: str, request: Request, settings: AppSettings, stripe_: Stripe
) -> HTMLResponse:
    async with get_resources(request).session_factory() as session:
        try:
            view = await pay_links.load_view(session, token)
        except pay_links.UnknownPaymentLink:
            return _unknown()
    if view.state != "payable":
        return _state_page(view)
    return _pay_page(
        view, token, test_mode=stripe_.settings.stripe_test_mode, iban=settings.coop_iban
    )


@router.post("/{token}", response_class=HTMLResponse)
async def pay(token: str, request: Request, stripe_: Stripe) -> HTMLResponse:
    """The page's button (test keys only): confirm on the server with a Stripe test card."""
    if not stripe_.settings.stripe_test_mode:
        return message_page(
            "Pay in the browser",
            "With live keys the payment is confirmed by Stripe.js on the payment page; "
            "this server-side confirmation works only with Stripe test keys.",
            status=409,
            error=True,
        )
    card = form_fields(await request.body()).get("test_card") or "pm_card_visa"
    if card not in TEST_CARDS:
        return message_page(
            "Unknown test card", f"Use one of {', '.join(TEST_CARDS)}.", status=422, error=True
        )
    sessions = get_resources(request).session_factory
    try:
        prepared, outcome = await pay_links.pay_with_test_card(
            sessions, stripe_.gateway, token, card
        )
    except pay_links.UnknownPaymentLink:
        return _unknown()
    except PermanentAdapterError as exc:
        return message_page("Payment not possible", str(exc), status=422, error=True)
    except stripe.StripeError:
        return _stripe_down()
    number = prepared.view.invoice.number
    if prepared.intent is None:
        return _state_page(prepared.view)
    if outcome.startswith("failed"):
        return message_page(
            "Payment failed",
            f"The payment for invoice {number} failed: {outcome.removeprefix('failed: ')} "
            "Nothing was charged; you can try again from the same link.",
            status=402,
            error=True,
        )
    if outcome in {"succeeded", "processing"}:
        return message_page(
            f"Payment received for invoice {number}",
            f"Thank you: {format_eur(prepared.intent.amount)} were paid; "
            "the payment is being booked.",
        )
    return message_page(
        "Payment needs another step",
        f"The payment is {outcome}; please try again from the same link.",
        status=409,
        error=True,
    )


@router.post("/{token}/intent")
async def intent(token: str, request: Request, stripe_: Stripe) -> dict[str, Any]:
    """For Stripe.js on the payment page: a PaymentIntent of exactly the amount due now (a new
    one, and the old one cancelled, when the amount changed), or why nothing is payable."""
    sessions = get_resources(request).session_factory
    try:
        prepared = await pay_links.prepare_payment(sessions, stripe_.gateway, token)
    except pay_links.UnknownPaymentLink as exc:
        raise ProblemError(
            404, "not-found", "This payment link is not known; use the link in the invoice."
        ) from exc
    except stripe.StripeError as exc:
        raise ProblemError(
            503,
            "payment-service-unavailable",
            "Stripe did not answer; retry in a minute (nothing is charged twice).",
            headers={"Retry-After": "60"},
        ) from exc
    body: dict[str, Any] = {
        "state": prepared.state,
        "invoice_number": prepared.view.invoice.number,
        "amount_due_cents": max(prepared.view.due_cents, 0),
        "currency": "EUR",
    }
    if prepared.intent is not None:
        body |= {
            "payment_intent_id": prepared.intent.id,
            "client_secret": prepared.intent.client_secret,
        }
    return body
