"""The offer and reminder e-mails in the client's language (plain text, subject and body).

Every word comes from ``mail_templates/<lang>.toml`` (one file per language, the same keys in
each; a missing key raises ``KeyError``: there is no English fallback). Amounts, dates, rates
and day counts are formatted by Babel in the client's locale, exactly as the invoice does
(``adapters.documents.invoice_text.locale_for`` and its ``Formatter``).

A reminder is its own dunning document (``<invoice>-R<level>``): fees, flat compensation or
damages and interest are charged on it, never on the invoice, which stays as issued
(DOMAIN.md, "Late payment and dunning"). Its wording follows the stage the policy chose: a
friendly reminder first, firmer demands after, a formal notice last; a Belgian consumer's first
reminder says that it is free and gives at least 14 days (Book XIX CEL).

Pure: no I/O except reading the templates once.
"""

from __future__ import annotations

import re
import tomllib
from datetime import date
from decimal import Decimal
from functools import cache
from pathlib import Path
from typing import Literal

from babel import Locale
from babel.numbers import format_decimal
from pydantic import BaseModel, ConfigDict, Field, model_validator

from adapters.documents.invoice_text import Formatter, MailText, _iban, locale_for
from domain import order_steps as steps
from domain.dunning import FIRST_REMINDER_MIN_DAYS
from domain.invoice_builders import InvoiceRow
from domain.invoice_document import Seller
from domain.order_messages import Language, OrderInput
from domain.policy import Jurisdiction

TEMPLATE_DIR = Path(__file__).resolve().parent / "mail_templates"

Tone = Literal["friendly", "firm", "final"]

# The dunning stages of ``domain.policy`` by the name the policy gives them (German or French
# only), as the template key of their localized title and the tone of their wording.
STAGES: dict[str, tuple[str, Tone]] = {
    "Zahlungserinnerung": ("stage_payment_reminder", "friendly"),
    "1. Mahnung": ("stage_demand_1", "firm"),
    "2. Mahnung": ("stage_demand_2", "firm"),
    "3. Mahnung": ("stage_demand_3", "final"),
    "Rappel de paiement": ("stage_payment_reminder", "friendly"),
    "Premier rappel (gratuit)": ("stage_first_reminder_free", "friendly"),
    "Deuxième rappel": ("stage_second_reminder", "firm"),
    "Mise en demeure": ("stage_formal_notice", "final"),
    # When only charges are left after the principal was paid (domain.dunning, rules 2).
    "Abrechnung der Verzugskosten": ("stage_charges_statement", "firm"),
    "Décompte final des frais de retard": ("stage_charges_statement", "firm"),
}


@cache
def labels(language: Language) -> dict[str, str]:
    """The texts of one language, exactly as its file holds them."""
    with (TEMPLATE_DIR / f"{language}.toml").open("rb") as f:
        data = tomllib.load(f)
    return {key: str(value).strip() for key, value in data.items()}


@cache
def _plural_category(locale: str, count: int) -> str:
    return Locale.parse(locale).plural_form(count)


def _days(L: dict[str, str], locale: str, count: int) -> str:
    """A day count ("14 Tage", "1 dzień"): the six languages need only CLDR's "one" form and
    one other (Polish "few" and "many" are both "dni")."""
    key = "days_one" if _plural_category(locale, count) == "one" else "days_other"
    return L[key].format(count=format_decimal(count, locale=locale))


def _finish(subject: str, body: str) -> MailText:
    return MailText(subject=subject.strip(), body=re.sub(r"\n{3,}", "\n\n", body).strip() + "\n")


# ---- the offer ----


def offer_mail(order: OrderInput, link: str, coop_name: str) -> MailText:
    """The offer with its signing link, in the client's language."""
    L = labels(order.client_language)
    locale = locale_for(order.client_language, order.client_country)
    fmt = Formatter(locale)
    if order.payment_terms_days:
        terms = L["offer_terms"].format(days=_days(L, locale, order.payment_terms_days))
    else:
        terms = L["offer_terms_on_receipt"]
    values = {
        "client": order.client_name,
        "member": order.member_name,
        "coop": coop_name,
        "order_id": order.order_id,
        "description": order.description,
        "period_start": fmt.day(order.period_start),
        "period_end": fmt.day(order.period_end),
        "net_amount": fmt.money(order.net_amount_cents),
        "payment_terms": terms,
        "valid_until": fmt.day(order.offer_valid_until),
        "link": link,
    }
    body = "\n\n".join(
        [
            L["offer_body"].format(**values),
            L["signoff"].format(sender=coop_name),
        ]
    )
    return _finish(L["offer_subject"].format(**values), body)


# ---- reminders ----


class ReminderFacts(BaseModel):
    """What one reminder (dunning document) states; language-neutral."""

    model_config = ConfigDict(frozen=True)

    number: str = Field(min_length=1)  # the dunning document, e.g. "DE-2026-000012-R2"
    level: int = Field(ge=1)
    stage_name: str  # the policy's name of the stage (``SendReminder.name``)
    jurisdiction: Jurisdiction
    client_is_business: bool
    client_name: str = Field(min_length=1)
    issue_date: date
    invoice_number: str = Field(min_length=1)
    invoice_issue_date: date
    invoice_due_date: date
    currency: str = "EUR"
    principal_due_cents: int = Field(ge=0)
    # Charges of earlier reminders that are still unpaid (part of the total now owed).
    earlier_charges_due_cents: int = Field(default=0, ge=0)
    fee_cents: int = Field(default=0, ge=0)
    # €40 from a business debtor, or a Belgian consumer's capped lump-sum damages.
    flat_compensation_cents: int = Field(default=0, ge=0)
    interest_cents: int = Field(default=0, ge=0)
    interest_rate: Decimal = Field(default=Decimal(0), ge=0)  # a year, as a fraction: 0.1027
    interest_from: date | None = None  # the period the interest covers, when known
    interest_until: date | None = None
    pay_by: date
    creditor_reference: str = Field(min_length=1)
    account_holder: str = Field(min_length=1)
    iban: str = Field(min_length=15)
    bic: str = Field(min_length=8, max_length=11)
    payment_link: str = Field(pattern=r"/pay/[^/\s]+$")  # every reminder carries it
    seller_name: str = Field(min_length=1)

    @property
    def charges_cents(self) -> int:
        return self.fee_cents + self.flat_compensation_cents + self.interest_cents

    @property
    def total_due_cents(self) -> int:
        return self.principal_due_cents + self.earlier_charges_due_cents + self.charges_cents

    @property
    def free_first_reminder(self) -> bool:
        """Book XIX CEL: a Belgian consumer's first reminder is free and gives ≥ 14 days."""
        return self.jurisdiction == "BE" and not self.client_is_business and self.level == 1

    @model_validator(mode="after")
    def _consistent(self) -> ReminderFacts:
        if self.stage_name not in STAGES:
            raise ValueError(f"no mail wording for the dunning stage {self.stage_name!r}")
        if self.interest_cents and not self.interest_rate:
            raise ValueError("interest is charged without a rate")
        if (self.interest_from is None) != (self.interest_until is None):
            raise ValueError("the interest period needs both its start and its end")
        if self.flat_compensation_cents and not (
            self.client_is_business or self.jurisdiction == "BE"
        ):
            raise ValueError("a flat compensation is owed only by a business debtor in Germany")
        if self.free_first_reminder:
            if self.charges_cents:
                raise ValueError("a Belgian consumer's first reminder is free")
            if (self.pay_by - self.issue_date).days < FIRST_REMINDER_MIN_DAYS:
                raise ValueError("a Belgian consumer's first reminder gives at least 14 days")
        return self


def reminder_facts(
    request: steps.SendReminder,
    invoice: InvoiceRow,
    *,
    number: str,
    seller: Seller,
    payment_link: str,
    earlier_charges_due_cents: int = 0,
) -> ReminderFacts:
    """The facts of the ``send_reminder`` activity's dunning document ``number``: ``invoice``
    is the ``Invoice`` row, ``seller`` the cooperative's entity in the order's jurisdiction."""
    order = request.order
    return ReminderFacts(
        number=number,
        level=request.level,
        stage_name=request.name,
        jurisdiction=order.jurisdiction,
        client_is_business=order.client_is_business,
        client_name=order.client_name,
        issue_date=request.issue_date,
        invoice_number=invoice.number,
        invoice_issue_date=invoice.issue_date,
        invoice_due_date=invoice.due_date,
        currency=invoice.currency,
        principal_due_cents=request.principal_due_cents,
        earlier_charges_due_cents=earlier_charges_due_cents,
        fee_cents=request.fee_cents,
        flat_compensation_cents=request.flat_compensation_cents,
        interest_cents=request.interest_cents,
        interest_rate=request.interest_rate,
        pay_by=request.pay_by,
        creditor_reference=invoice.creditor_reference,
        account_holder=seller.name,
        iban=seller.iban,
        bic=seller.bic,
        payment_link=payment_link,
        seller_name=seller.name,
    )


def _flat_label(facts: ReminderFacts) -> str:
    if not facts.client_is_business:
        return "charge_damages_be_consumer"  # the validator allows no other consumer case
    return "charge_flat_compensation_de" if facts.jurisdiction == "DE" else "charge_flat_be"


def _statement(facts: ReminderFacts, L: dict[str, str], fmt: Formatter) -> list[str]:
    """The amounts, one line each: the invoice's open principal, this document's charges,
    earlier charges still open, the total."""

    def line(label: str, cents: int) -> str:
        return "  " + L["amount_line"].format(label=label, amount=fmt.money(cents))

    lines = [
        line(L["line_principal"].format(invoice=facts.invoice_number), facts.principal_due_cents)
    ]
    if facts.fee_cents:
        lines.append(line(L["charge_fee"], facts.fee_cents))
    if facts.flat_compensation_cents:
        lines.append(line(L[_flat_label(facts)], facts.flat_compensation_cents))
    if facts.interest_cents:
        rate = fmt.percent(facts.interest_rate * 100)
        if facts.interest_from is not None and facts.interest_until is not None:
            label = L["charge_interest_period"].format(
                rate=rate, start=fmt.day(facts.interest_from), end=fmt.day(facts.interest_until)
            )
        else:
            label = L["charge_interest"].format(rate=rate)
        lines.append(line(label, facts.interest_cents))
    if facts.earlier_charges_due_cents:
        lines.append(line(L["line_earlier_charges"], facts.earlier_charges_due_cents))
    lines.append(line(L["line_total"], facts.total_due_cents))
    return lines


def reminder_mail(facts: ReminderFacts, language: Language, country: str) -> MailText:
    """The reminder in ``language``, formatted for a client in ``country`` (ISO 3166 alpha-2)."""
    L = labels(language)
    locale = locale_for(language, country)
    fmt = Formatter(locale, facts.currency)
    stage_key, tone = STAGES[facts.stage_name]
    values = {
        "stage": L[stage_key],
        "number": facts.number,
        "client": facts.client_name,
        "invoice": facts.invoice_number,
        "invoice_date": fmt.day(facts.invoice_issue_date),
        "due_date": fmt.day(facts.invoice_due_date),
        "principal": fmt.money(facts.principal_due_cents),
        "total": fmt.money(facts.total_due_cents),
        "pay_by": fmt.day(facts.pay_by),
        "days": _days(L, locale, (facts.pay_by - facts.issue_date).days),
        "account_holder": facts.account_holder,
        "iban": _iban(facts.iban),
        "bic": facts.bic,
        "reference": facts.creditor_reference,
        "link": facts.payment_link,
    }
    paragraphs = [
        L["reminder_greeting"].format(**values),
        L[f"reminder_intro_{tone}"].format(**values),
    ]
    if facts.free_first_reminder:
        paragraphs.append(L["reminder_free_first"].format(**values))
    document = L["reminder_document"].format(**values)
    if facts.charges_cents:
        document += " " + L["reminder_charges"]
    else:
        document += " " + L["reminder_no_charges"]
    paragraphs += [
        document,
        "\n".join(_statement(facts, L, fmt)),
        L["reminder_pay"].format(**values),
        L[f"reminder_closing_{tone}"].format(**values),
        L["signoff"].format(sender=facts.seller_name),
    ]
    return _finish(L["reminder_subject"].format(**values), "\n\n".join(paragraphs))


__all__ = [
    "STAGES",
    "MailText",
    "ReminderFacts",
    "labels",
    "offer_mail",
    "reminder_facts",
    "reminder_mail",
]
