"""The invoice's payment link ``/pay/{token}`` (no login), in the invoice and every reminder.

GET shows the amount due now, read live from the database, and "paid" once it is paid, so an
old e-mail's link keeps working. Paying:

- production: the page's Stripe.js Payment Element asks ``POST /pay/{token}/intent`` for the
  client secret of a PaymentIntent of exactly the amount due and confirms it in the browser;
- test keys (localstripe, Stripe test mode): the page's button posts here and the server
  confirms with a Stripe test card (``pm_card_visa``; ``pm_card_chargeCustomerFail`` declines).

Either way the money is recorded from Stripe's webhook, not from this page.

The page speaks the client's language (``Client.language``, the language of the invoice and
reminder e-mails that carry the link), with amounts and dates in the client's locale; its words
are in ``api/pay_templates/<lang>.toml`` (``api.page_texts``).
"""

from __future__ import annotations

from html import escape
from typing import Annotated, Any

import stripe
from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from adapters.errors import PermanentAdapterError
from adapters.payments.stripe_gateway import TEST_CARDS
from api import page_texts as pay_texts
from api.deps import AppConfig, get_resources
from api.errors import ProblemError
from api.html import form_fields, message_page, page
from api.page_texts import PayTexts
from api.services import pay_links
from api.services.stripe_inbox import StripeResources, stripe_resources

router = APIRouter(prefix="/pay", tags=["payment links"])

# The template key of each test card's label.
_TEST_CARD_LABELS = {
    "pm_card_visa": "card_succeeds",
    "pm_card_chargeCustomerFail": "card_declined",
}


def _stripe(request: Request) -> StripeResources:
    return stripe_resources(request.app.state)


Stripe = Annotated[StripeResources, Depends(_stripe)]


def texts_for(view: pay_links.LinkView) -> PayTexts:
    """The page speaks the language of the invoice and reminder e-mails the client came from."""
    client = view.order.client
    return pay_texts.for_client(client.language, client.country, view.invoice.currency)


def state_page(view: pay_links.LinkView) -> HTMLResponse:
    """Nothing to pay: paid, being booked, or closed (written off, or cancelled by a credit
    note, which says so)."""
    t = texts_for(view)
    number = view.invoice.number
    if view.state == "paid":
        return message_page(
            t.text("paid_title", number=number), t.text("paid_text", number=number), lang=t.language
        )
    if view.state == "processing":
        return message_page(
            t.text("processing_title", number=number),
            t.text("processing_text", amount=t.money(view.link.amount_cents)),
            lang=t.language,
        )
    closed = "cancelled" if view.invoice.status == "cancelled" else "closed"
    return message_page(
        t.text(f"{closed}_title", number=number),
        t.text(f"{closed}_text", number=number),
        status=410,
        error=True,
        lang=t.language,
    )


def pay_page(view: pay_links.LinkView, token: str, *, test_mode: bool, iban: str) -> HTMLResponse:
    t = texts_for(view)
    invoice = view.invoice
    amount = t.money(view.due_cents)
    failed = (
        f"<p class='err'>{t.html('failed_notice', error=view.link.last_error)}</p>"
        if view.link.status == "failed"
        else ""
    )
    invoice_of = t.html("invoice_of", number=invoice.number, date=t.day(invoice.issue_date))
    details = (
        "<dl>"
        f"<dt>{t.html('label_invoice')}</dt><dd>{invoice_of}</dd>"
        f"<dt>{t.html('label_to')}</dt><dd>{escape(invoice.client_name)}</dd>"
        f"<dt>{t.html('label_for')}</dt><dd>{escape(invoice.description)}</dd>"
        f"<dt>{t.html('label_due_date')}</dt><dd>{escape(t.day(invoice.due_date))}</dd>"
        f"<dt>{t.html('label_amount_due')}</dt><dd><strong>{escape(amount)}</strong></dd>"
        "</dl>"
    )
    if test_mode:
        options = "".join(
            f"<option value='{card}'>{t.html(_TEST_CARD_LABELS[card])}</option>"
            for card in TEST_CARDS
        )
        form = (
            f"<form method='post' action='/pay/{escape(token)}'>"
            f"<label>{t.html('card_label')} <select name='test_card'>{options}</select></label> "
            f"<button type='submit'>{t.html('pay_button', amount=amount)}</button></form>"
            f"<p><small>{t.html('test_mode_note')}</small></p>"
        )
    else:
        form = f"<div id='payment-element' data-intent-url='/pay/{escape(token)}/intent'></div>"
    reference = f"<code>{escape(invoice.creditor_reference)}</code>"
    transfer = f"<p>{t.html('bank_transfer', iban=iban, markup={'reference': reference})}</p>"
    return page(
        t.text("pay_title", number=invoice.number),
        details + failed + form + transfer,
        lang=t.language,
    )


def unknown_page() -> HTMLResponse:
    """No link, so no client and no language: the English title, and the message in each of
    the six languages (the client came from an e-mail in one of them), each marked with its
    ``lang`` so a screen reader reads it right."""
    messages = "".join(
        f"<p lang='{lang}'><strong>{escape(labels['unknown_title'])}</strong><br>"
        f"{escape(labels['unknown_text'])}</p>"
        for lang in pay_texts.LANGUAGES
        for labels in [pay_texts.labels(lang)]
    )
    return page(pay_texts.labels("en")["unknown_title"], f"<div class='err'>{messages}</div>", 404)


def stripe_down_page(t: PayTexts) -> HTMLResponse:
    return message_page(
        t.text("unavailable_title"),
        t.text("unavailable_text"),
        status=503,
        error=True,
        lang=t.language,
    )


async def _texts_of_token(sessions: async_sessionmaker[AsyncSession], token: str) -> PayTexts:
    """The client's texts when the payment call failed before it returned the link's view."""
    async with sessions() as session:
        return texts_for(await pay_links.load_view(session, token))


@router.get("/{token}", response_class=HTMLResponse)
async def show(token: str, request: Request, config: AppConfig, stripe_: Stripe) -> HTMLResponse:
    async with get_resources(request).session_factory() as session:
        try:
            view = await pay_links.load_view(session, token)
        except pay_links.UnknownPaymentLink:
            return unknown_page()
    if view.state != "payable":
        return state_page(view)
    return pay_page(view, token, test_mode=stripe_.test_mode, iban=config.coop_iban)


@router.post("/{token}", response_class=HTMLResponse)
async def pay(token: str, request: Request, stripe_: Stripe) -> HTMLResponse:
    """The page's button (test keys only): confirm on the server with a Stripe test card."""
    # These two answers stay English: the page never leads a client to them (with live keys it
    # has no form; it offers only known cards), and they come before the link is looked up.
    if not stripe_.test_mode:
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
        return unknown_page()
    except PermanentAdapterError as exc:
        t = await _texts_of_token(sessions, token)
        return message_page(
            t.text("not_possible_title"),
            t.text("not_possible_text", reason=str(exc)),
            status=422,
            error=True,
            lang=t.language,
        )
    except stripe.StripeError:
        return stripe_down_page(await _texts_of_token(sessions, token))
    return outcome_page(prepared, outcome)


def outcome_page(prepared: pay_links.Prepared, outcome: str) -> HTMLResponse:
    """The answer to the test-mode button: nothing to pay, failed, received, or another step."""
    if prepared.intent is None:
        return state_page(prepared.view)
    t = texts_for(prepared.view)
    number = prepared.view.invoice.number
    if outcome.startswith("failed"):
        return message_page(
            t.text("failed_title"),
            t.text("failed_text", number=number, reason=outcome.removeprefix("failed: ")),
            status=402,
            error=True,
            lang=t.language,
        )
    if outcome in {"succeeded", "processing"}:
        return message_page(
            t.text("processing_title", number=number),
            t.text("received_text", amount=t.money(prepared.intent.amount)),
            lang=t.language,
        )
    return message_page(
        t.text("another_step_title"),
        t.text("another_step_text", status=outcome),
        status=409,
        error=True,
        lang=t.language,
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
