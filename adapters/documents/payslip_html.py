"""The payslip as HTML in the member's language. Words and numbers are kept apart:

- the labels come from ``payslip_templates/<language>.toml`` (see ``payslip_labels``);
- ``payslip_templates/layout.html`` is the language-free page layout;
- amounts, rates and dates are formatted by Babel for the member's language.
"""

from __future__ import annotations

import html
from collections.abc import Mapping
from datetime import date
from decimal import Decimal
from functools import cache
from pathlib import Path
from string import Template

from babel.dates import format_date
from babel.numbers import format_currency, format_percent

from adapters.documents.payslip_document import (
    Language,
    PayslipDocument,
    PayslipEmployer,
    PayslipLine,
)
from adapters.documents.payslip_labels import TEMPLATES, load_catalog
from domain.money import Cents


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


def _numbers(employer: PayslipEmployer, labels: Mapping[str, str]) -> list[str]:
    kinds = ("enterprise_number", "social_security_number", "establishment_number", "tax_number")
    return [f"{labels[kind]}: {value}" for kind in kinds if (value := getattr(employer, kind))]


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
    if doc.sv_days is not None:
        contract_row += f"<tr><td>{_e(labels['sv_days'])}</td><td>{doc.sv_days}</td></tr>"
    notes = "".join(f"<p>{_e(catalog['notes'][note])}</p>" for note in doc.notes)
    values = {
        "lang": doc.language,
        "title": _e(labels["title"]),
        "provisional_banner": (
            f'<div class="provisional">{_e(labels["provisional"])}</div>' if doc.provisional else ""
        ),
        "payslip_id": _e(doc.payslip_id),
        "payslip_number_label": _e(labels["payslip_number"]),
        "employer_label": _e(labels["employer"]),
        "employee_label": _e(labels["employee"]),
        "employer_block": _party(
            [
                employer.name,
                *employer.address_lines,
                *_numbers(employer, labels),
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
