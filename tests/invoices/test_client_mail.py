"""The offer and reminder e-mails in the client's language: the same texts in all six languages
(no English fallback), amounts, dates and rates formatted for the client's locale, and the
wording each dunning stage owes the client (DOMAIN.md, "Late payment and dunning")."""

from __future__ import annotations

import string
from collections.abc import Iterator
from datetime import date
from decimal import Decimal
from typing import Any

import pytest
from pydantic import ValidationError

from adapters.mail import client_mail
from adapters.mail.client_mail import (
    STAGES,
    MailText,
    ReminderFacts,
    labels,
    offer_mail,
    reminder_facts,
    reminder_mail,
)
from config import DEFAULT_SELLER_BE, DEFAULT_SELLER_DE
from domain import order_steps as steps
from domain.invoice_wording import LANGUAGES
from domain.order_messages import Language
from domain.policy import POLICIES
from tests.invoices.cases import make_order

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
LINK = "https://coopflow.example/pay/tok-123"


def _plain(text: str) -> str:
    return " ".join(text.replace("\xa0", " ").replace("\u202f", " ").split())


def _placeholders(text: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(text) if name}


def _facts(**overrides: Any) -> ReminderFacts:
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


def _be_consumer_first(**overrides: Any) -> ReminderFacts:
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
    return _facts(**fields)


def _statement_lines(mail: MailText) -> list[str]:
    """The indented amount lines: invoice principal, each charge, earlier charges, total."""
    return [line for line in mail.body.splitlines() if line.startswith("  ")]


def _all_stages() -> Iterator[tuple[str, bool, int, str]]:
    for policy in POLICIES:
        for business in (True, False):
            for stage in policy.dunning_schedule(business):
                yield policy.jurisdiction, business, stage.level, stage.name


def _stage_facts(jurisdiction: str, business: bool, level: int, name: str) -> ReminderFacts:
    if jurisdiction == "BE" and not business and level == 1:
        return _be_consumer_first()
    return _facts(
        jurisdiction=jurisdiction,
        client_is_business=business,
        level=level,
        stage_name=name,
        flat_compensation_cents=4000 if business or jurisdiction == "BE" else 0,
    )


# ---- the language files ----


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_language_file_has_exactly_the_english_keys_and_placeholders(
    language: Language,
) -> None:
    table, english = labels(language), labels("en")
    assert set(table) == set(english)
    for key, text in table.items():
        assert text, f"{language}.toml leaves {key!r} empty"
        assert _placeholders(text) == _placeholders(english[key]), (language, key)


class _Recording(dict[str, str]):
    def __init__(self, data: dict[str, str], seen: set[str]) -> None:
        super().__init__(data)
        self.seen = seen

    def __getitem__(self, key: str) -> str:
        self.seen.add(key)
        return super().__getitem__(key)


def test_the_code_reads_every_text_of_the_files_and_no_other(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    seen: set[str] = set()
    monkeypatch.setattr(client_mail, "labels", lambda language: _Recording(labels("en"), seen))
    offer_mail(make_order(client_language="en"), "https://x.example/sign/t", "coopflow eG")
    offer_mail(make_order(client_language="en", payment_terms_days=0), "https://x/s/t", "c")
    offer_mail(make_order(client_language="en", payment_terms_days=1), "https://x/s/t", "c")
    for stage in _all_stages():
        reminder_mail(_stage_facts(*stage), "en", "GB")
    reminder_mail(
        _facts(
            interest_from=date(2026, 4, 2),
            interest_until=date(2026, 4, 22),
            earlier_charges_due_cents=250,
        ),
        "en",
        "GB",
    )
    reminder_mail(_facts(jurisdiction="BE", stage_name="Deuxième rappel"), "en", "GB")
    reminder_mail(
        _facts(fee_cents=0, flat_compensation_cents=0, interest_cents=0), "en", "GB"
    )  # no charges
    assert seen == set(labels("en"))


@pytest.mark.parametrize("key", ["reminder_pay", "charge_fee", "stage_demand_1", "days_other"])
def test_a_missing_text_fails_instead_of_falling_back(
    monkeypatch: pytest.MonkeyPatch, key: str
) -> None:
    incomplete = dict(labels("pl"))
    del incomplete[key]
    monkeypatch.setattr(client_mail, "labels", lambda language: incomplete)
    with pytest.raises(KeyError, match=key):
        reminder_mail(_facts(), "pl", "PL")


def test_every_dunning_stage_of_every_policy_has_a_title() -> None:
    for _, _, _, name in _all_stages():
        assert name in STAGES
        assert STAGES[name][0] in labels("en")


# ---- the offer ----


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_offer_is_written_in_the_clients_language_and_locale(language: Language) -> None:
    order = make_order(
        client_language=language,
        client_country=HOME[language],
        net_amount_cents=123456,
        client_name="Muster GmbH",
        member_name="Anna Beispiel",
    )
    link = "https://coopflow.example/sign/abc.def"
    mail = offer_mail(order, link, "coopflow eG")
    body = _plain(mail.body)
    assert link in mail.body.splitlines()
    assert AMOUNT[language] in body
    assert "Anna Beispiel" in mail.subject
    assert "Muster GmbH" in body
    assert "Beratung" in body
    assert "coopflow eG" in body
    assert labels(language)["days_other"].format(count=30) in body
    assert "{" not in mail.body + mail.subject
    assert "}" not in mail.body + mail.subject
    assert mail.body.endswith("\n")
    assert "\n\n\n" not in mail.body


def test_a_one_day_payment_term_is_singular_and_none_is_on_receipt() -> None:
    assert (
        "1 dzień od daty"
        in offer_mail(
            make_order(client_language="pl", payment_terms_days=1), "https://x/s/t", "c"
        ).body
    )
    assert (
        "2 dni od daty"
        in offer_mail(
            make_order(client_language="pl", payment_terms_days=2), "https://x/s/t", "c"
        ).body
    )
    body = offer_mail(make_order(client_language="de", payment_terms_days=0), "https://x/s/t", "c")
    assert "sofort nach Erhalt der Rechnung" in body.body


# ---- reminders ----


@pytest.mark.parametrize("language", LANGUAGES)
def test_a_reminder_in_each_language_carries_link_amounts_and_its_charges(
    language: Language,
) -> None:
    mail = reminder_mail(_facts(), language, HOME[language])
    body = _plain(mail.body)
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
        _plain(L["reminder_document"].format(number="DE-2026-000012-R2", invoice="DE-2026-000012"))
        in body
    )
    assert _plain(L["reminder_charges"]) in body
    lines = [_plain(line) for line in _statement_lines(mail)]
    assert len(lines) == 1 + 3 + 1  # principal, fee + flat sum + interest, total
    assert lines[1].startswith(_plain(L["charge_fee"]))
    assert lines[2].startswith(_plain(L["charge_flat_compensation_de"]))
    assert lines[-1].endswith(TOTAL[language])
    assert "{" not in mail.body + mail.subject
    assert "}" not in mail.body + mail.subject


@pytest.mark.parametrize("language", LANGUAGES)
def test_a_reminder_without_charges_has_no_charge_lines(language: Language) -> None:
    facts = _facts(
        level=1,
        stage_name="Zahlungserinnerung",
        fee_cents=0,
        flat_compensation_cents=0,
        interest_cents=0,
    )
    mail = reminder_mail(facts, language, HOME[language])
    L = labels(language)
    lines = [_plain(line) for line in _statement_lines(mail)]
    assert len(lines) == 2  # the invoice's open amount and the total, both 1,234.56
    assert all(line.endswith(AMOUNT[language]) for line in lines)
    assert _plain(L["reminder_no_charges"]) in _plain(mail.body)
    assert _plain(L["reminder_charges"]) not in _plain(mail.body)
    assert LINK in mail.body


@pytest.mark.parametrize("language", LANGUAGES)
def test_a_belgian_consumers_first_reminder_is_free_and_gives_14_days(
    language: Language,
) -> None:
    mail = reminder_mail(_be_consumer_first(), language, HOME[language])
    body = _plain(mail.body)
    assert FREE[language] in body
    assert FOURTEEN_DAYS[language] in body
    assert labels(language)["stage_first_reminder_free"] in mail.subject
    assert len(_statement_lines(mail)) == 2
    assert LINK in mail.body


@pytest.mark.parametrize(
    "facts",
    [
        _facts(jurisdiction="BE", level=1, stage_name="Rappel de paiement", fee_cents=0),
        _facts(
            jurisdiction="BE",
            client_is_business=False,
            level=2,
            stage_name="Deuxième rappel",
            fee_cents=750,
            flat_compensation_cents=6500,
        ),
        _facts(
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
    de = reminder_mail(_facts(), "en", "GB").body
    be_b2b = reminder_mail(_facts(jurisdiction="BE", stage_name="Deuxième rappel"), "en", "GB")
    be_consumer = reminder_mail(
        _facts(jurisdiction="BE", client_is_business=False, stage_name="Deuxième rappel"),
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
    body = reminder_mail(_facts(stage_name=stage), "en", "GB").body
    assert words in _plain(body)


def test_interest_period_and_earlier_charges_are_stated() -> None:
    facts = _facts(
        interest_from=date(2026, 4, 2),
        interest_until=date(2026, 4, 22),
        earlier_charges_due_cents=1000,
    )
    mail = reminder_mail(facts, "de", "DE")
    lines = [_plain(line) for line in _statement_lines(mail)]
    assert "Verzugszinsen (10,27 % pro Jahr) vom 2. April 2026 bis 22. April 2026: 7,29 €" in lines
    assert "Noch offene Kosten früherer Mahnungen: 10,00 €" in lines
    assert lines[-1] == "Jetzt insgesamt zu zahlen: 1.294,35 €"
    assert "Bitte überweisen Sie 1.294,35 € bis zum 6. Mai 2026" in _plain(mail.body)


def test_a_belgian_client_reading_french_gets_the_belgian_locale() -> None:
    body = _plain(reminder_mail(_be_consumer_first(), "fr", "BE").body)
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
        _facts(**overrides)


@pytest.mark.parametrize(
    "overrides",
    [{"fee_cents": 750}, {"interest_cents": 12, "interest_rate": Decimal("0.105")}],
)
def test_a_belgian_consumers_first_reminder_cannot_charge(overrides: dict[str, Any]) -> None:
    with pytest.raises(ValidationError, match="free"):
        _be_consumer_first(**overrides)


def test_a_belgian_consumers_first_reminder_cannot_give_less_than_14_days() -> None:
    with pytest.raises(ValidationError, match="14 days"):
        _be_consumer_first(pay_by=date(2026, 5, 5))


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
    body = _plain(mail.body)
    assert "Deuxième rappel" in mail.subject
    assert "Dommages et intérêts forfaitaires" in body
    assert "96,73 €" in body
    assert "10,5 %" in body
    assert len(_statement_lines(mail)) == 5
