"""The client e-mail texts: the language files (the same keys and placeholders in all six
languages, no English fallback, every text read by the code) and the offer in the client's
language and locale."""

from __future__ import annotations

import string
from collections.abc import Iterator
from datetime import date

import pytest

from adapters.mail import client_mail
from adapters.mail.client_mail import STAGES, ReminderFacts, labels, offer_mail, reminder_mail
from domain.invoice_wording import LANGUAGES
from domain.order_messages import Language
from domain.policy import POLICIES
from tests.invoices.cases import make_order
from tests.invoices.mail_facts import AMOUNT, HOME, be_consumer_first, make_facts, plain


def _placeholders(text: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(text) if name}


def _all_stages() -> Iterator[tuple[str, bool, int, str]]:
    for policy in POLICIES:
        for business in (True, False):
            for stage in policy.dunning_schedule(business):
                yield policy.jurisdiction, business, stage.level, stage.name
            # the final statement when only charges are left (domain.dunning, rules 2)
            yield policy.jurisdiction, business, 5, policy.final_statement_name


def _stage_facts(jurisdiction: str, business: bool, level: int, name: str) -> ReminderFacts:
    if jurisdiction == "BE" and not business and level == 1:
        return be_consumer_first()
    return make_facts(
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
        make_facts(
            interest_from=date(2026, 4, 2),
            interest_until=date(2026, 4, 22),
            earlier_charges_due_cents=250,
        ),
        "en",
        "GB",
    )
    reminder_mail(make_facts(jurisdiction="BE", stage_name="Deuxième rappel"), "en", "GB")
    reminder_mail(
        make_facts(fee_cents=0, flat_compensation_cents=0, interest_cents=0), "en", "GB"
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
        reminder_mail(make_facts(), "pl", "PL")


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
    body = plain(mail.body)
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
