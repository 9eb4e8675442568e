"""The payment page in the client's language: rendered from the rows of a link's view directly
(unsaved ``Client``/``Order``/``Invoice``/``PaymentLink`` objects), no Stripe, no database."""

from __future__ import annotations

import html
import re
import string
from datetime import date

import pytest
from fastapi.responses import HTMLResponse

from adapters.payments.stripe_gateway import PaymentIntentRef
from api import page_texts as pay_texts
from api.routers.pay import outcome_page, pay_page, state_page, stripe_down_page, unknown_page
from api.services.pay_links import LinkState, LinkView, Prepared
from db.models import Client, Invoice, Order
from db.models_payments import PaymentLink
from domain.order_messages import Language

NUMBER = "DE-2026-000042"
REFERENCE = "RF18000000004201"
IBAN = "DE02120300000000202051"
NBSP, NNBSP = "\u00a0", "\u202f"

# The amount 1,234.56 EUR, the issue date 2026-03-05 and the due date 2026-04-04 as a client
# reads them (CLDR through Babel; written out here so a wrong locale fails).
CASES: list[tuple[Language, str, str, str, str]] = [
    ("de", "DE", f"1.234,56{NBSP}€", "5. März 2026", "4. April 2026"),
    ("de", "AT", f"€{NBSP}1.234,56", "5. März 2026", "4. April 2026"),
    ("en", "GB", "€1,234.56", "5 March 2026", "4 April 2026"),
    ("fr", "BE", f"1{NNBSP}234,56{NBSP}€", "5 mars 2026", "4 avril 2026"),
    ("nl", "BE", f"€{NBSP}1.234,56", "5 maart 2026", "4 april 2026"),
    ("it", "IT", f"1.234,56{NBSP}€", "5 marzo 2026", "4 aprile 2026"),
    ("pl", "PL", f"1{NBSP}234,56{NBSP}€", "5 marca 2026", "4 kwietnia 2026"),
]

# Words the English template shares with another language's own text: brand names, and each
# language's words spelled like an English one ("der Link", "la note de crédit", "due volte").
SHARED_WORDS = {"visa", "stripe"}
SPELLED_ALIKE: dict[Language, set[str]] = {
    "de": {"server", "link", "minute"},
    "fr": {"date", "note", "minute", "service"},
    "nl": {"server", "link", "contact"},
    "it": {"server", "link", "due"},
    "pl": set(),
}


def _view(
    language: str = "de",
    country: str = "DE",
    *,
    state: LinkState = "payable",
    invoice_status: str = "open",
    link_status: str = "open",
    last_error: str = "",
    due_cents: int = 123_456,
) -> LinkView:
    client = Client(
        name="Zeta", email="ap@zeta.example", country=country, language=language, is_business=True
    )
    order = Order(id=7, client=client)
    invoice = Invoice(
        number=NUMBER,
        issue_date=date(2026, 3, 5),
        due_date=date(2026, 4, 4),
        currency="EUR",
        client_name="Zeta <Q7>",
        description="Atelier Q7",
        creditor_reference=REFERENCE,
        status=invoice_status,
    )
    link = PaymentLink(
        token="tok", amount_cents=due_cents, status=link_status, last_error=last_error
    )
    return LinkView(link, invoice, order, due_cents, state)


def _text(response: HTMLResponse) -> str:
    """What the reader sees: no style sheet, no tags, entities decoded."""
    body = bytes(response.body).decode()
    body = re.sub(r"<style>.*?</style>", " ", body, flags=re.S)
    return html.unescape(re.sub(r"<[^>]+>", " ", body))


def _words(text: str) -> set[str]:
    return {w.lower() for w in re.findall(r"[^\W\d_]+", text) if len(w) >= 3}


def _english_words() -> set[str]:
    labels = pay_texts.labels("en")
    words = set().union(*(_words(re.sub(r"\{\w+\}", " ", v)) for v in labels.values()))
    return words - SHARED_WORDS


def _placeholders(template: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(template) if name}


def _pages(language: str, country: str) -> list[HTMLResponse]:
    """Every page a client of ``language`` can be shown for one link."""
    failed = _view(language, country, link_status="failed", last_error="#0341")
    intent = PaymentIntentRef(id="pi_1", client_secret="s", amount=123_456, status="succeeded")
    texts = pay_texts.for_client(language, country)
    return [
        pay_page(failed, "tok", test_mode=True, iban=IBAN),
        pay_page(_view(language, country), "tok", test_mode=False, iban=IBAN),
        state_page(_view(language, country, state="paid")),
        state_page(_view(language, country, state="processing")),
        state_page(_view(language, country, state="closed", invoice_status="written_off")),
        state_page(_view(language, country, state="closed", invoice_status="cancelled")),
        outcome_page(Prepared(_view(language, country), intent), "failed: #0341"),
        outcome_page(Prepared(_view(language, country), intent), "succeeded"),
        outcome_page(Prepared(_view(language, country), intent), "requires_action"),
        stripe_down_page(texts),
    ]


def test_every_language_file_has_the_same_keys_and_placeholders() -> None:
    english = pay_texts.labels("en")
    assert len(english) > 20
    for language in pay_texts.LANGUAGES:
        labels = pay_texts.labels(language)
        assert set(labels) == set(english), language
        for key, template in labels.items():
            assert template, (language, key)
            assert _placeholders(template) == _placeholders(english[key]), (language, key)


@pytest.mark.parametrize(("language", "country", "amount", "issued", "due"), CASES)
def test_the_page_speaks_the_clients_language_and_locale(
    language: Language, country: str, amount: str, issued: str, due: str
) -> None:
    response = pay_page(_view(language, country), "tok", test_mode=True, iban=IBAN)
    assert response.status_code == 200
    assert f"<html lang='{language}'>" in bytes(response.body).decode()
    text = _text(response)
    labels = pay_texts.labels(language)
    assert labels["pay_title"].format(number=NUMBER) in text
    assert labels["invoice_of"].format(number=NUMBER, date=issued) in text
    assert due in text
    assert labels["pay_button"].format(amount=amount) in text
    assert text.count(amount) == 2  # the amount due and the button
    assert REFERENCE in text
    assert IBAN in text
    assert "Zeta <Q7>" in text  # escaped in the HTML, shown as written


@pytest.mark.parametrize("language", list(SPELLED_ALIKE))
def test_no_english_word_on_any_page_of_another_language(language: Language) -> None:
    english = _english_words()
    assert {"invoice", "payment", "amount", "thank", "cancelled", "card"} <= english
    for response in _pages(language, "BE"):
        leaked = _words(_text(response)) & english - SPELLED_ALIKE[language]
        assert not leaked, (language, response.status_code, leaked)


def test_the_english_page_is_english() -> None:
    text = _text(pay_page(_view("en", "IE"), "tok", test_mode=True, iban=IBAN))
    assert f"Pay invoice {NUMBER}" in text
    assert "Amount due now" in text
    assert "Or pay by bank transfer to" in text


CANCELLED = {
    "de": ("storniert", "Rechnungskorrektur"),
    "en": ("cancelled", "credit note"),
    "fr": ("annulée", "note de crédit"),
    "nl": ("geannuleerd", "creditnota"),
    "it": ("annullata", "nota di credito"),
    "pl": ("anulowana", "fakturą korygującą"),
}


@pytest.mark.parametrize("language", list(CANCELLED))
def test_a_cancelled_invoice_says_so_in_the_clients_language(language: Language) -> None:
    cancelled, by_what = CANCELLED[language]
    response = state_page(_view(language, state="closed", invoice_status="cancelled"))
    assert response.status_code == 410
    text = _text(response)
    assert cancelled in text
    assert by_what in text
    assert NUMBER in text

    written_off = state_page(_view(language, state="closed", invoice_status="written_off"))
    assert written_off.status_code == 410
    assert cancelled not in _text(written_off)
    assert NUMBER in _text(written_off)


def test_state_pages_keep_their_status_codes() -> None:
    assert state_page(_view(state="paid")).status_code == 200
    assert state_page(_view(state="processing")).status_code == 200
    intent = PaymentIntentRef(id="pi_1", client_secret="s", amount=500, status="succeeded")
    prepared = Prepared(_view(), intent)
    assert outcome_page(prepared, "failed: declined").status_code == 402
    assert outcome_page(prepared, "processing").status_code == 200
    assert outcome_page(prepared, "requires_action").status_code == 409
    assert outcome_page(Prepared(_view(state="paid")), "paid").status_code == 200
    assert stripe_down_page(pay_texts.for_client("de", "DE")).status_code == 503
    processing = _text(state_page(_view(state="processing", due_cents=50_000)))
    assert f"500,00{NBSP}€" in processing


def test_an_unknown_link_is_explained_in_all_six_languages() -> None:
    response = unknown_page()
    assert response.status_code == 404
    text = _text(response)
    assert "Unknown payment link" in text
    for language in pay_texts.LANGUAGES:
        assert pay_texts.labels(language)["unknown_title"] in text
        assert pay_texts.labels(language)["unknown_text"] in text
        assert f"<p lang='{language}'>" in bytes(response.body).decode()


def test_no_english_fallback() -> None:
    texts = pay_texts.for_client("pl", "PL")
    with pytest.raises(KeyError):
        texts.text("no_such_key")
    with pytest.raises(ValueError, match="no texts"):
        pay_texts.for_client("es", "ES")
