"""The reminder e-mails in the client's language: amounts, dates and rates formatted for the
client's locale, the wording each dunning stage owes the client (DOMAIN.md, "Late payment and
dunning"), and the facts a reminder may state."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

import pytest
from pydantic import ValidationError

from adapters.mail.client_mail import MailText, ReminderFacts, labels, reminder_facts, reminder_mail
from config import DEFAULT_SELLER_BE
from domain import order_steps as steps
from domain.invoice_wording import LANGUAGES
from domain.order_messages import Language
from tests.invoices.cases import make_order
from tests.invoices.mail_facts import (
    AMOUNT,
    HOME,
    LINK,
    be_consumer_first,
    make_facts,
    plain,
)

TOTAL = {  # 1,234.56 + 2.50 + 40.00 + 7.29
    "de": "1.284,35 €",
    "en": "€1,284.35",
    "fr": "1 284,35 €",
    "nl": "€ 1.284,35",
    "it": "1.284,35 €",
    "pl": "1 284,35 €",
}
RATE = {
    "de": "10,27 %",
    "en": "10.27%",
    "fr": "10,27 %",
    "nl": "10,27%",
    "it": "10,27%",
    "pl": "10,27%",
}
DUE_DATE = {
    "de": "1. April 2026",
    "en": "1 April 2026",
    "fr": "1 avril 2026",
    "nl": "1 april 2026",
    "it": "1 aprile 2026",
    "pl": "1 kwietnia 2026",
}
FOURTEEN_DAYS = {
    "de": "14 Tage",
    "en": "14 days",
    "fr": "14 jours",
    "nl": "14 dagen",
    "it": "14 giorni",
    "pl": "14 dni",
}
FREE = {
    "de": "kostenlos",
    "en": "free of charge",
    "fr": "gratuit",
    "nl": "kosteloos",
    "it": "gratuito",
    "pl": "bezpłatne",
}


def _statement_lines(mail: MailText) -> list[str]:
    """The indented amount lines: invoice principal, each charge, earlier charges, total."""
    return [line for line in mail.body.splitlines() if line.startswith("  ")]


# ---- reminders ----


@pytest.mark.parametrize("language", LANGUAGES)
def test_a_reminder_in_each_language_carries_link_amounts_and_its_charges(
    language: Language,
) -> None:
    mail = reminder_mail(make_facts(), language, HOME[language])
    body = plain(mail.body)
    L = labels(language)
    assert LINK in mail.body.splitlines()
    assert "DE-2026-000012-R2" in mail.subject
    assert "DE-2026-000012" in body
    assert L["stage_demand_1"] in mail.subject
    assert AMOUNT[language] in body
    assert TOTAL[language] in body
    assert DUE_DATE[language] in body
    assert RATE[language] in body
    assert "DE89 3704 0044 0532 0130 00" in body
    assert "COBADEFFXXX" in body
    assert "RF18539007547034" in body
    # the invoice stays as it is: the charges are this separate document's
    assert (
        plain(L["reminder_document"].format(number="DE-2026-000012-R2", invoice="DE-2026-000012"))
        in body
    )
    assert plain(L["reminder_charges"]) in body
    lines = [plain(line) for line in _statement_lines(mail)]
    assert len(lines) == 1 + 3 + 1  # principal, fee + flat sum + interest, total
    assert lines[1].startswith(plain(L["charge_fee"]))
    assert lines[2].startswith(plain(L["charge_flat_compensation_de"]))
    assert lines[-1].endswith(TOTAL[language])
    assert "{" not in mail.body + mail.subject
    assert "}" not in mail.body + mail.subject


@pytest.mark.parametrize("language", LANGUAGES)
def test_a_reminder_without_charges_has_no_charge_lines(language: Language) -> None:
    facts = make_facts(
        level=1,
        stage_name="Zahlungserinnerung",
        fee_cents=0,
        flat_compensation_cents=0,
        interest_cents=0,
    )
    mail = reminder_mail(facts, language, HOME[language])
    L = labels(language)
    lines = [plain(line) for line in _statement_lines(mail)]
    assert len(lines) == 2  # the invoice's open amount and the total, both 1,234.56
    assert all(line.endswith(AMOUNT[language]) for line in lines)
    assert plain(L["reminder_no_charges"]) in plain(mail.body)
    assert plain(L["reminder_charges"]) not in plain(mail.body)
    assert LINK in mail.body


@pytest.mark.parametrize("language", LANGUAGES)
def test_a_belgian_consumers_first_reminder_is_free_and_gives_14_days(
    language: Language,
) -> None:
    mail = reminder_mail(be_consumer_first(), language, HOME[language])
    body = plain(mail.body)
    assert FREE[language] in body
    assert FOURTEEN_DAYS[language] in body
    assert labels(language)["stage_first_reminder_free"] in mail.subject
    assert len(_statement_lines(mail)) == 2
    assert LINK in mail.body


@pytest.mark.parametrize(
    "facts",
    [
        make_facts(jurisdiction="BE", level=1, stage_name="Rappel de paiement", fee_cents=0),
        make_facts(
            jurisdiction="BE",
            client_is_business=False,
            level=2,
            stage_name="Deuxième rappel",
            fee_cents=750,
            flat_compensation_cents=6500,
        ),
        make_facts(
            level=1,
            stage_name="Zahlungserinnerung",
            client_is_business=False,
            fee_cents=0,
            flat_compensation_cents=0,
        ),
    ],
    ids=["be-b2b-first", "be-consumer-second", "de-consumer-first"],
)
def test_only_a_belgian_consumers_first_reminder_is_announced_free(facts: ReminderFacts) -> None:
    body = reminder_mail(facts, "en", "GB").body
    assert "free of charge" not in body
    assert "at least 14 days" not in body


def test_the_flat_sum_is_named_by_jurisdiction_and_debtor() -> None:
    de = reminder_mail(make_facts(), "en", "GB").body
    be_b2b = reminder_mail(make_facts(jurisdiction="BE", stage_name="Deuxième rappel"), "en", "GB")
    be_consumer = reminder_mail(
        make_facts(jurisdiction="BE", client_is_business=False, stage_name="Deuxième rappel"),
        "en",
        "GB",
    )
    assert "Section 288(5) BGB" in de
    assert "Act of 2 August 2002" in be_b2b.body
    assert "Lump-sum damages" in be_consumer.body


@pytest.mark.parametrize(
    ("stage", "words"),
    [
        ("Zahlungserinnerung", "If you have already paid"),
        ("2. Mahnung", "Despite our previous reminder,"),
        ("3. Mahnung", "formally give you notice of default"),
        ("Mise en demeure", "legal proceedings"),
    ],
)
def test_the_tone_follows_the_stage(stage: str, words: str) -> None:
    body = reminder_mail(make_facts(stage_name=stage), "en", "GB").body
    assert words in plain(body)


def test_interest_period_and_earlier_charges_are_stated() -> None:
    facts = make_facts(
        interest_from=date(2026, 4, 2),
        interest_until=date(2026, 4, 22),
        earlier_charges_due_cents=1000,
    )
    mail = reminder_mail(facts, "de", "DE")
    lines = [plain(line) for line in _statement_lines(mail)]
    assert "Verzugszinsen (10,27 % pro Jahr) vom 2. April 2026 bis 22. April 2026: 7,29 €" in lines
    assert "Noch offene Kosten früherer Mahnungen: 10,00 €" in lines
    assert lines[-1] == "Jetzt insgesamt zu zahlen: 1.294,35 €"
    assert "Bitte überweisen Sie 1.294,35 € bis zum 6. Mai 2026" in plain(mail.body)


def test_a_belgian_client_reading_french_gets_the_belgian_locale() -> None:
    body = plain(reminder_mail(be_consumer_first(), "fr", "BE").body)
    assert "1 234,56 €" in body
    assert "14 jours" in body


# ---- the facts a reminder may state ----


@pytest.mark.parametrize(
    "overrides",
    [
        {"payment_link": "https://coopflow.example/invoice/1"},  # not the payment link
        {"payment_link": ""},
        {"stage_name": "Letzte Mahnung"},  # a stage without wording
        {"interest_rate": Decimal(0)},  # interest without a rate
        {"interest_from": date(2026, 4, 2)},  # half a period
        {"client_is_business": False},  # no €40 from a German consumer
    ],
)
def test_facts_a_reminder_cannot_state_are_refused(overrides: dict[str, Any]) -> None:
    with pytest.raises(ValidationError):
        make_facts(**overrides)


@pytest.mark.parametrize(
    "overrides",
    [{"fee_cents": 750}, {"interest_cents": 12, "interest_rate": Decimal("0.105")}],
)
def test_a_belgian_consumers_first_reminder_cannot_charge(overrides: dict[str, Any]) -> None:
    with pytest.raises(ValidationError, match="free"):
        be_consumer_first(**overrides)


def test_a_belgian_consumers_first_reminder_cannot_give_less_than_14_days() -> None:
    with pytest.raises(ValidationError, match="14 days"):
        be_consumer_first(pay_by=date(2026, 5, 5))


def test_reminder_facts_come_from_the_activity_request_the_invoice_and_the_seller() -> None:
    order = make_order(
        client_language="fr",
        client_country="BE",
        jurisdiction="BE",
        client_is_business=False,
        client_name="Jan Peeters",
    )
    request = steps.SendReminder(
        order=order,
        invoice_id=12,
        level=2,
        name="Deuxième rappel",
        issue_date=date(2026, 5, 20),
        pay_by=date(2026, 6, 3),
        principal_due_cents=123456,
        fee_cents=750,
        flat_compensation_cents=9673,
        interest_cents=512,
        interest_rate=Decimal("0.105"),
    )

    class InvoiceRow:
        number = "BE-2026-000003"
        issue_date = date(2026, 3, 2)
        due_date = date(2026, 4, 1)
        currency = "EUR"
        creditor_reference = "RF47000000000003"

    facts = reminder_facts(
        request,
        InvoiceRow(),
        number="BE-2026-000003-R2",
        seller=DEFAULT_SELLER_BE,
        payment_link=LINK,
    )
    assert facts.number == "BE-2026-000003-R2"
    assert (facts.level, facts.stage_name, facts.jurisdiction) == (2, "Deuxième rappel", "BE")
    assert not facts.client_is_business
    assert facts.client_name == "Jan Peeters"
    assert (facts.invoice_number, facts.invoice_due_date) == ("BE-2026-000003", date(2026, 4, 1))
    assert facts.charges_cents == 750 + 9673 + 512
    assert facts.total_due_cents == 123456 + 750 + 9673 + 512
    assert (facts.iban, facts.bic, facts.account_holder) == (
        DEFAULT_SELLER_BE.iban,
        DEFAULT_SELLER_BE.bic,
        DEFAULT_SELLER_BE.name,
    )
    mail = reminder_mail(facts, order.client_language, order.client_country)
    body = plain(mail.body)
    assert "Deuxième rappel" in mail.subject
    assert "Dommages et intérêts forfaitaires" in body
    assert "96,73 €" in body
    assert "10,5 %" in body
    assert len(_statement_lines(mail)) == 5
