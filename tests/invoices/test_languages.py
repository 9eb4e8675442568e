"""Documents and e-mails in the client's language: every label exists in all six languages
(no English fallback), amounts and dates are formatted by Babel for the client's locale."""

from __future__ import annotations

import io
import re
import string
from decimal import Decimal

import pytest
from babel import Locale
from pypdf import PdfReader

from adapters.documents import invoice_html, invoice_text
from adapters.documents.invoice_html import render_html
from adapters.documents.invoice_pdf import render_invoice
from adapters.documents.invoice_text import DEFAULT_LOCALE, email_text, labels, locale_for
from domain.invoice_wording import LANGUAGES
from tests.invoices import cases

# The gross of a 4,800.00 net invoice at 19 %, as each language's default locale writes it.
GROSS = {
    "de": "5.712,00 €",
    "en": "€5,712.00",
    "fr": "5 712,00 €",
    "nl": "€ 5.712,00",
    "it": "5.712,00 €",
    "pl": "5 712,00 €",
}
DUE_DATE = {
    "de": "1. April 2026",
    "en": "1 April 2026",
    "fr": "1 avril 2026",
    "nl": "1 april 2026",
    "it": "1 aprile 2026",
    "pl": "1 kwietnia 2026",
}
# A client whose country does not pick a regional variant gets the language's default locale.
NEUTRAL_COUNTRY = "SE"


def _plain(text: str) -> str:
    return " ".join(text.replace("\xa0", " ").replace("\u202f", " ").split())


def _label_keys() -> set[str]:
    keys: set[str] = set()
    for language in LANGUAGES:
        keys |= set(labels(language))
    return keys


def _placeholders(text: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(text) if name}


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("key", sorted(_label_keys()))
def test_every_label_exists_in_every_language(language: str, key: str) -> None:
    """Fails for each label that any language file lacks, left empty, or whose
    placeholders differ from the English file's."""
    table = labels(language)  # type: ignore[arg-type]
    assert key in table, f"{language}.toml has no {key!r}"
    assert table[key].strip(), f"{language}.toml leaves {key!r} empty"
    assert _placeholders(table[key]) == _placeholders(labels("en")[key])


def test_a_missing_label_fails_rendering_instead_of_falling_back(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    incomplete = dict(labels("it"))
    del incomplete["amount_due"]
    monkeypatch.setattr(invoice_html, "labels", lambda language: incomplete)
    with pytest.raises(KeyError, match="amount_due"):
        render_html(cases.make_case(language="it"))


def test_every_layout_placeholder_is_a_label_or_a_value() -> None:
    layout = (invoice_text.TEMPLATE_DIR / "invoice.html").read_text(encoding="utf-8")
    names = set(re.findall(r"\$(\w+)", layout))
    label_names = {n.removeprefix("l_") for n in names if n.startswith("l_")}
    assert label_names <= set(labels("en"))


def test_locale_choice() -> None:
    assert DEFAULT_LOCALE == {
        "de": "de_DE",
        "en": "en_GB",
        "fr": "fr_FR",
        "nl": "nl_BE",
        "it": "it_IT",
        "pl": "pl_PL",
    }
    assert locale_for("fr", "BE") == "fr_BE"
    assert locale_for("nl", "NL") == "nl_NL"
    assert locale_for("de", "AT") == "de_AT"
    assert locale_for("en", "DE") == "en_GB"
    assert locale_for("pl", "FR") == "pl_PL"
    for language, countries in invoice_text._HOME_COUNTRIES.items():
        for country in countries:
            Locale.parse(locale_for(language, country))  # Babel has every variant we pick


@pytest.mark.parametrize("language", LANGUAGES)
def test_pdf_in_each_language(language: str) -> None:
    # An EU client without a VAT ID pays the German 19 %.
    doc = cases.make_case(language=language, client_country=NEUTRAL_COUNTRY)
    assert doc.totals.gross_cents == 571200
    page = PdfReader(io.BytesIO(render_invoice(doc).pdf)).pages[0]
    text = _plain(page.extract_text())
    L = labels(language)
    for key in (
        "title_invoice",
        "number",
        "issue_date",
        "service_period",
        "due_date",
        "reference",
        "total_net",
        "total_gross",
        "amount_due",
        "payment_terms",
        "bank_transfer",
        "pay_online",
        "einvoice",
    ):
        assert _plain(L[key]) in text, f"{language}: {key} {L[key]!r} missing"
    assert GROSS[language] in text
    assert DUE_DATE[language] in text
    assert _plain(doc.payment_terms) in text
    assert doc.creditor_reference in text


@pytest.mark.parametrize("language", LANGUAGES)
def test_invoice_email_in_each_language(language: str) -> None:
    doc = cases.make_case(language=language, client_country=NEUTRAL_COUNTRY)
    mail = email_text(doc)
    assert doc.number in mail.subject
    body = _plain(mail.body)
    assert GROSS[language] in body
    assert DUE_DATE[language] in body
    assert doc.creditor_reference in body
    assert doc.payment_link is not None
    assert doc.payment_link in body
    assert "DE89 3704 0044 0532 0130 00" in body
    assert "{" not in mail.body
    assert "}" not in mail.body


@pytest.mark.parametrize("language", LANGUAGES)
def test_credit_note_email_in_each_language(language: str) -> None:
    invoice = cases.make_case(language=language, client_country=NEUTRAL_COUNTRY)
    mail = email_text(cases.credit_note(invoice))
    assert invoice.number in mail.body
    assert GROSS[language] in _plain(mail.body)
    assert "{" not in mail.body
    assert "}" not in mail.body


def test_belgian_french_client_gets_fr_be_formatting() -> None:
    text = _plain(
        PdfReader(io.BytesIO(render_invoice(cases.be_domestic_21()).pdf)).pages[0].extract_text()
    )
    assert "5 808,00 €" in text  # 4,800.00 + 21 %
    assert "TVA 21 % sur 4 800,00 €" in text
    assert "+++" in text


@pytest.mark.parametrize(
    ("language", "shown"),
    [("de", "5 Tage"), ("en", "5 days"), ("fr", "5 jours"), ("nl", "5 dagen")],
)
def test_an_invoice_in_days_names_its_unit_in_the_clients_language(
    language: str, shown: str
) -> None:
    doc = cases.make_case(quantity=Decimal(5), unit_code="DAY", language=language)  # type: ignore[arg-type]
    assert shown in render_html(doc)
