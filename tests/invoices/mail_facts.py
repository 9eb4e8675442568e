"""Shared by the client e-mail tests: reminder facts (a German B2B reminder, a Belgian
consumer's first), the payment link they carry, and how each language writes an amount."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from adapters.mail.client_mail import ReminderFacts
from config import DEFAULT_SELLER_BE, DEFAULT_SELLER_DE

# Each language as read in its home country (nl: Belgium).
HOME = {"de": "DE", "en": "GB", "fr": "FR", "nl": "BE", "it": "IT", "pl": "PL"}
# 1,234.56 as each locale writes it.
AMOUNT = {
    "de": "1.234,56 €",
    "en": "€1,234.56",
    "fr": "1 234,56 €",
    "nl": "€ 1.234,56",
    "it": "1.234,56 €",
    "pl": "1 234,56 €",
}
LINK = "https://coopflow.example/pay/tok-123"


def plain(text: str) -> str:
    return " ".join(text.replace("\xa0", " ").replace("\u202f", " ").split())


def make_facts(**overrides: Any) -> ReminderFacts:
    """A German B2B "1. Mahnung" with a fee, the €40 flat sum and interest, unless overridden."""
    fields: dict[str, Any] = {
        "number": "DE-2026-000012-R2",
        "level": 2,
        "stage_name": "1. Mahnung",
        "jurisdiction": "DE",
        "client_is_business": True,
        "client_name": "Muster GmbH",
        "issue_date": date(2026, 4, 22),
        "invoice_number": "DE-2026-000012",
        "invoice_issue_date": date(2026, 3, 2),
        "invoice_due_date": date(2026, 4, 1),
        "principal_due_cents": 123456,
        "fee_cents": 250,
        "flat_compensation_cents": 4000,
        "interest_cents": 729,
        "interest_rate": Decimal("0.1027"),
        "pay_by": date(2026, 5, 6),
        "creditor_reference": "RF18539007547034",
        "account_holder": DEFAULT_SELLER_DE.name,
        "iban": DEFAULT_SELLER_DE.iban,
        "bic": DEFAULT_SELLER_DE.bic,
        "payment_link": LINK,
        "seller_name": DEFAULT_SELLER_DE.name,
    }
    fields.update(overrides)
    return ReminderFacts.model_validate(fields)


def be_consumer_first(**overrides: Any) -> ReminderFacts:
    fields: dict[str, Any] = {
        "number": "BE-2026-000003-R1",
        "level": 1,
        "stage_name": "Premier rappel (gratuit)",
        "jurisdiction": "BE",
        "client_is_business": False,
        "client_name": "Jan Peeters",
        "invoice_number": "BE-2026-000003",
        "fee_cents": 0,
        "flat_compensation_cents": 0,
        "interest_cents": 0,
        "account_holder": DEFAULT_SELLER_BE.name,
        "iban": DEFAULT_SELLER_BE.iban,
        "bic": DEFAULT_SELLER_BE.bic,
        "seller_name": DEFAULT_SELLER_BE.name,
    }
    fields.update(overrides)
    return make_facts(**fields)
