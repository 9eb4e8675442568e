"""Payslip PDFs in the member's language (de, en, fr, nl, it, pl).

``PayslipDocument`` is what a payslip shows: member, employer, period, lines and totals. It is
rendered to HTML and printed to PDF by WeasyPrint (offline; fonts from the system, DejaVu Sans
covers every language here).

Words and numbers are kept apart:

- ``payslip_templates/<language>.toml`` holds every label of the payslip in that language, one
  file per language. The loader demands exactly the keys in ``REQUIRED_KEYS``: a missing
  translation is an error (``MissingTranslation``), never an English fallback.
- ``payslip_templates/layout.html`` is the language-free page layout.
- Amounts, rates and dates are formatted by Babel for the member's language.
"""

from __future__ import annotations

import html
import tomllib
from collections.abc import Mapping
from datetime import date
from decimal import Decimal
from functools import cache
from pathlib import Path
from string import Template
from typing import Final, Literal, get_args

from babel.dates import format_date
from babel.numbers import format_currency, format_percent
from pydantic import BaseModel, ConfigDict, model_validator

from adapters.errors import PermanentAdapterError
from adapters.files import write_once
from domain.money import Cents
from domain.payroll.be_payroll import BelgianContract, BelgianPayslip

TEMPLATES: Final = Path(__file__).with_name("payslip_templates")

Language = Literal["de", "en", "fr", "nl", "it", "pl"]
LANGUAGES: tuple[Language, ...] = get_args(Language)
LineKind = Literal[
    "gross_wage",
    "employee_social_security",
    "taxable_wage",
    "withholding_tax",
    "expenses",
    "employer_basic_contributions",
    "employer_holiday_contributions",
]
NoteKind = Literal["special_social_security_not_withheld"]

REQUIRED_KEYS: Final[Mapping[str, frozenset[str]]] = {
    "labels": frozenset(
        {
            "title",
            "payslip_number",
            "employer",
            "employee",
            "member_number",
            "enterprise_number",
            "social_security_number",
            "period",
            "pay_date",
            "contract",
            "item",
            "base",
            "rate",
            "amount",
            "net_pay",
            "payout",
            "employer_contributions",
            "employer_cost",
        }
    ),
    "contracts": frozenset(get_args(BelgianContract)),
    "lines": frozenset(get_args(LineKind)),
    "notes": frozenset(get_args(NoteKind)),
}


class MissingTranslation(PermanentAdapterError):
    """A language has no catalog, or its catalog lacks (or misspells) a label."""


class PayslipMember(BaseModel):
    model_config = ConfigDict(frozen=True)

    member_id: str
    name: str
    address_lines: tuple[str, ...] = ()
    language: Language


class PayslipEmployer(BaseModel):
    model_config = ConfigDict(frozen=True)

    name: str
    address_lines: tuple[str, ...] = ()
    enterprise_number: str
    social_security_number: str


class PayslipPeriod(BaseModel):
    model_config = ConfigDict(frozen=True)

    start: date
    end: date
    pay_date: date

    @model_validator(mode="after")
    def _ordered(self) -> PayslipPeriod:
        if self.end < self.start:
            raise ValueError("a payslip period cannot end before it starts")
        return self


class PayslipLine(BaseModel):
    """One line; deductions carry a negative ``amount_cents``."""

    model_config = ConfigDict(frozen=True)

    kind: LineKind
    amount_cents: Cents
    base_cents: Cents | None = None
    rate: Decimal | None = None
    section: Literal["employee", "employer"] = "employee"


class PayslipTotals(BaseModel):
    model_config = ConfigDict(frozen=True)

    gross_cents: Cents
    net_cents: Cents
    payout_cents: Cents  # net wage + reimbursed expenses
    employer_cost_cents: Cents


class PayslipDocument(BaseModel):
    model_config = ConfigDict(frozen=True)

    payslip_id: str
    member: PayslipMember
    employer: PayslipEmployer
    period: PayslipPeriod
    contract: BelgianContract | None = None
    lines: tuple[PayslipLine, ...]
    totals: PayslipTotals
    notes: tuple[NoteKind, ...] = ()
    currency: str = "EUR"

    @property
    def language(self) -> Language:
        return self.member.language


def load_catalog(language: str, directory: Path = TEMPLATES) -> dict[str, dict[str, str]]:
    """The labels of ``language``; refuses a missing file, a missing key or an unknown key."""
    path = directory / f"{language}.toml"
    if language not in LANGUAGES or not path.is_file():
        raise MissingTranslation(f"no payslip template for language {language!r}")
    with path.open("rb") as handle:
        raw = tomllib.load(handle)
    catalog: dict[str, dict[str, str]] = {}
    for table, keys in REQUIRED_KEYS.items():
        entries = raw.get(table, {})
        missing = sorted(keys - entries.keys())
        unknown = sorted(entries.keys() - keys)
        if missing or unknown:
            raise MissingTranslation(
                f"payslip template {path.name} [{table}]: missing {missing}, unknown {unknown}"
            )
        if any(not isinstance(v, str) or not v.strip() for v in entries.values()):
            raise MissingTranslation(f"payslip template {path.name} [{table}] has an empty label")
        catalog[table] = dict(entries)
    extra = sorted(raw.keys() - REQUIRED_KEYS.keys())
    if extra:
        raise MissingTranslation(f"payslip template {path.name}: unknown tables {extra}")
    return catalog


@cache
def _layout() -> Template:
    return Template((TEMPLATES / "layout.html").read_text(encoding="utf-8"))


class _Formats:
    def __init__(self, language: Language, currency: str) -> None:
        self.locale = language
        self.currency = currency

    def money(self, cents: Cents) -> str:
        return format_currency(Decimal(cents) / 100, self.currency, locale=self.locale)

    def rate(self, rate: Decimal) -> str:
        return format_percent(rate, locale=self.locale, decimal_quantization=False)

    def day(self, day: date) -> str:
        return format_date(day, format="long", locale=self.locale)


def _e(text: str) -> str:
    return html.escape(text, quote=True)


def _rows(lines: tuple[PayslipLine, ...], labels: Mapping[str, str], fmt: _Formats) -> str:
    rows = []
    for line in lines:
        base = "" if line.base_cents is None else fmt.money(line.base_cents)
        rate = "" if line.rate is None else fmt.rate(line.rate)
        rows.append(
            f'<tr><td>{_e(labels[line.kind])}</td><td class="num">{_e(base)}</td>'
            f'<td class="num">{_e(rate)}</td><td class="num">{_e(fmt.money(line.amount_cents))}'
            "</td></tr>"
        )
    return "\n  ".join(rows)


def _party(lines: list[str]) -> str:
    return "\n    ".join(f"<p>{_e(line)}</p>" for line in lines if line)


def render_payslip_html(doc: PayslipDocument, directory: Path = TEMPLATES) -> str:
    catalog = load_catalog(doc.language, directory)
    labels, lines = catalog["labels"], catalog["lines"]
    fmt = _Formats(doc.language, doc.currency)
    member = doc.member
    employer = doc.employer
    contract_row = (
        ""
        if doc.contract is None
        else f"<tr><td>{_e(labels['contract'])}</td>"
        f"<td>{_e(catalog['contracts'][doc.contract])}</td></tr>"
    )
    notes = "".join(f"<p>{_e(catalog['notes'][note])}</p>" for note in doc.notes)
    values = {
        "lang": doc.language,
        "title": _e(labels["title"]),
        "payslip_id": _e(doc.payslip_id),
        "payslip_number_label": _e(labels["payslip_number"]),
        "employer_label": _e(labels["employer"]),
        "employee_label": _e(labels["employee"]),
        "employer_block": _party(
            [
                employer.name,
                *employer.address_lines,
                f"{labels['enterprise_number']}: {employer.enterprise_number}",
                f"{labels['social_security_number']}: {employer.social_security_number}",
            ]
        ),
        "member_block": _party(
            [
                member.name,
                *member.address_lines,
                f"{labels['member_number']}: {member.member_id}",
            ]
        ),
        "period_label": _e(labels["period"]),
        "period": _e(f"{fmt.day(doc.period.start)} – {fmt.day(doc.period.end)}"),
        "pay_date_label": _e(labels["pay_date"]),
        "pay_date": _e(fmt.day(doc.period.pay_date)),
        "contract_row": contract_row,
        "item_label": _e(labels["item"]),
        "base_label": _e(labels["base"]),
        "rate_label": _e(labels["rate"]),
        "amount_label": _e(labels["amount"]),
        "employee_rows": _rows(
            tuple(line for line in doc.lines if line.section == "employee"), lines, fmt
        ),
        "net_pay_label": _e(labels["net_pay"]),
        "net_total": _e(fmt.money(doc.totals.net_cents)),
        "payout_label": _e(labels["payout"]),
        "payout_total": _e(fmt.money(doc.totals.payout_cents)),
        "employer_contributions_label": _e(labels["employer_contributions"]),
        "employer_rows": _rows(
            tuple(line for line in doc.lines if line.section == "employer"), lines, fmt
        ),
        "employer_cost_label": _e(labels["employer_cost"]),
        "employer_cost_total": _e(fmt.money(doc.totals.employer_cost_cents)),
        "notes_block": f'<div class="notes">{notes}</div>' if notes else "",
    }
    return _layout().substitute(values)


def render_payslip_pdf(doc: PayslipDocument, directory: Path = TEMPLATES) -> bytes:
    from weasyprint import HTML  # imported here: loading Pango is slow and only PDFs need it

    pdf = HTML(string=render_payslip_html(doc, directory)).write_pdf()
    return bytes(pdf)


def write_payslip_pdf(doc: PayslipDocument, out_dir: Path) -> Path:
    """``<out_dir>/payslip-<id>-<language>.pdf``, written once (a second call keeps the first)."""
    path = out_dir / f"payslip-{doc.payslip_id}-{doc.language}.pdf"
    if not path.exists():
        write_once(path, render_payslip_pdf(doc))
    return path


def belgian_payslip_document(
    *,
    payslip_id: str,
    payslip: BelgianPayslip,
    member: PayslipMember,
    employer: PayslipEmployer,
    period_start: date,
    period_end: date,
    expenses_cents: Cents = 0,
) -> PayslipDocument:
    """The document of a Belgian payslip computed by ``domain.payroll.be_payroll``."""
    slip = payslip
    base = slip.social_security_base_cents
    lines: list[PayslipLine] = [
        PayslipLine(kind="gross_wage", amount_cents=slip.gross_cents),
        PayslipLine(
            kind="employee_social_security",
            amount_cents=-slip.employee_contributions_cents,
            base_cents=base,
            rate=slip.employee_rate,
        ),
        PayslipLine(kind="taxable_wage", amount_cents=slip.taxable_cents),
        PayslipLine(
            kind="withholding_tax",
            amount_cents=-slip.wage_tax_cents,
            base_cents=slip.taxable_cents,
        ),
    ]
    if expenses_cents:
        lines.append(PayslipLine(kind="expenses", amount_cents=expenses_cents))
    lines.append(
        PayslipLine(
            kind="employer_basic_contributions",
            amount_cents=slip.employer_basic_contributions_cents,
            base_cents=base,
            rate=slip.employer_basic_rate,
            section="employer",
        )
    )
    if slip.employer_holiday_contributions_cents:
        lines.append(
            PayslipLine(
                kind="employer_holiday_contributions",
                amount_cents=slip.employer_holiday_contributions_cents,
                base_cents=base,
                rate=slip.employer_holiday_rate,
                section="employer",
            )
        )
    return PayslipDocument(
        payslip_id=payslip_id,
        member=member,
        employer=employer,
        period=PayslipPeriod(start=period_start, end=period_end, pay_date=slip.pay_date),
        contract=slip.contract,
        lines=tuple(lines),
        totals=PayslipTotals(
            gross_cents=slip.gross_cents,
            net_cents=slip.net_cents,
            payout_cents=slip.net_cents + expenses_cents,
            employer_cost_cents=slip.employer_cost_cents,
        ),
        notes=("special_social_security_not_withheld",),
    )
