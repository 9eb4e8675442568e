"""The invoice's words: labels in the client's language, numbers, amounts and dates in the
client's locale, and the plain-text e-mail that carries the document.

Languages: every word comes from ``invoice_templates/<lang>.toml`` (one file per language, the
same keys in each; a missing key raises ``KeyError``: there is no English fallback). Numbers,
amounts and dates are formatted by Babel in the client's locale:

    de → de_DE, en → en_GB, fr → fr_FR, nl → nl_BE, it → it_IT, pl → pl_PL

except that a client in a country where the language is spoken gets that country's variant
(fr + BE → fr_BE, de + AT → de_AT, nl + NL → nl_NL, it + CH → it_CH, …; see ``locale_for``).
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from functools import cache
from pathlib import Path

from babel import Locale
from babel.dates import format_date
from babel.numbers import format_currency, format_decimal, format_percent

from domain.invoice_document import InvoiceDocument
from domain.money import to_decimal_euros
from domain.order_messages import Language

TEMPLATE_DIR = Path(__file__).resolve().parent / "invoice_templates"

DEFAULT_LOCALE: dict[Language, str] = {
    "de": "de_DE",
    "en": "en_GB",
    "fr": "fr_FR",
    "nl": "nl_BE",
    "it": "it_IT",
    "pl": "pl_PL",
}
# Countries whose own variant of the language a client there reads.
_HOME_COUNTRIES: dict[Language, frozenset[str]] = {
    "de": frozenset({"DE", "AT", "CH", "LU", "BE", "LI"}),
    "en": frozenset({"GB", "IE", "MT"}),
    "fr": frozenset({"FR", "BE", "CH", "LU"}),
    "nl": frozenset({"BE", "NL"}),
    "it": frozenset({"IT", "CH"}),
    "pl": frozenset({"PL"}),
}


def locale_for(language: Language, country: str) -> str:
    if country.upper() in _HOME_COUNTRIES[language]:
        return f"{language}_{country.upper()}"
    return DEFAULT_LOCALE[language]


@cache
def labels(language: Language) -> dict[str, str]:
    """The labels of one language, exactly as its file holds them."""
    with (TEMPLATE_DIR / f"{language}.toml").open("rb") as f:
        data = tomllib.load(f)
    return {key: str(value).strip() for key, value in data.items()}


# ---- formatting in the client's locale ----


@dataclass(frozen=True)
class Formatter:
    locale: str
    currency: str = "EUR"

    def money(self, cents: int) -> str:
        return format_currency(to_decimal_euros(cents), self.currency, locale=self.locale)

    def day(self, value: date) -> str:
        return format_date(value, format="long", locale=self.locale)

    def percent(self, rate_percent: Decimal) -> str:
        return format_percent(rate_percent / 100, locale=self.locale, decimal_quantization=False)

    def quantity(self, value: Decimal) -> str:
        return format_decimal(value, locale=self.locale, decimal_quantization=False)

    def country(self, code: str) -> str:
        return str(Locale.parse(self.locale).territories.get(code, code))


def _iban(value: str) -> str:
    compact = value.replace(" ", "")
    return " ".join(compact[i : i + 4] for i in range(0, len(compact), 4))


# ---- e-mail text ----


@dataclass(frozen=True)
class MailText:
    subject: str
    body: str


def email_text(doc: InvoiceDocument) -> MailText:
    """The plain-text e-mail that carries the document, in the client's language."""
    L = labels(doc.language)
    fmt = Formatter(locale_for(doc.language, doc.buyer.country), doc.currency)
    common = {
        "client": doc.buyer.name,
        "number": doc.number,
        "seller": doc.seller.name,
        "member": doc.member_name,
        "issue_date": fmt.day(doc.issue_date),
        "payment_terms": doc.payment_terms,
        "description": "; ".join(line.description for line in doc.lines),
    }
    if doc.is_credit_note:
        subject = L["email_credit_note_subject"].format(**common)
        body = L["email_credit_note_body"].format(
            invoice=doc.preceding_invoice_number,
            amount=fmt.money(doc.totals.gross_cents),
            **common,
        )
    else:
        assert doc.due_date is not None
        subject = L["email_invoice_subject"].format(**common)
        body = L["email_invoice_body"].format(
            amount_due=fmt.money(doc.totals.due_cents),
            due_date=fmt.day(doc.due_date),
            account_holder=doc.seller.name,
            iban=_iban(doc.seller.iban),
            bic=doc.seller.bic,
            reference=doc.creditor_reference,
            payment_link=doc.payment_link or "",
            **common,
        )
    return MailText(subject=subject, body=re.sub(r"\n{3,}", "\n\n", body).strip() + "\n")


__all__ = [
    "DEFAULT_LOCALE",
    "TEMPLATE_DIR",
    "Formatter",
    "MailText",
    "email_text",
    "labels",
    "locale_for",
]
