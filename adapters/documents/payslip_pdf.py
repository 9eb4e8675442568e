"""Payslip PDFs in the member's language (de, en, fr, nl, it, pl).

``PayslipDocument`` is what a payslip shows: member, employer, period, lines and totals. It is
rendered to HTML and printed to PDF by WeasyPrint (offline; fonts from the system, DejaVu Sans
covers every language here). Three builders make one from a computed wage:
``belgian_payslip_document`` (exact Belgian engine), ``german_payslip_document`` (exact German
engine) and ``provisional_payslip_document`` (no employment record: the policy's flat rates,
marked provisional on the page). ``PayslipPdfs`` files them once per payslip.

Words and numbers are kept apart:

- ``payslip_templates/<language>.toml`` holds every label of the payslip in that language, one
  file per language. The loader demands exactly the keys in ``REQUIRED_KEYS``: a missing
  translation is an error (``MissingTranslation``), never an English fallback.
- ``payslip_templates/layout.html`` is the language-free page layout.
- Amounts, rates and dates are formatted by Babel for the member's language.
"""

from __future__ import annotations

import asyncio
import html
import tomllib
from collections.abc import Callable, Mapping
from datetime import date
from decimal import Decimal
from functools import cache
from pathlib import Path
from string import Template
from typing import Final, Literal, get_args

from babel.dates import format_date
from babel.numbers import format_currency, format_percent
from pydantic import BaseModel, ConfigDict, model_validator

from adapters.documents.rendering import RENDER_LOCK
from adapters.errors import PermanentAdapterError
from adapters.files import write_once
from domain.money import Cents
from domain.payroll.be_payroll import BelgianContract, BelgianPayslip
from domain.payroll.de_engine import GermanPayslip
from domain.payroll.employment import MONTH_SV_DAYS
from domain.payroll.protocol import PayslipData

TEMPLATES: Final = Path(__file__).with_name("payslip_templates")

Language = Literal["de", "en", "fr", "nl", "it", "pl"]
LANGUAGES: tuple[Language, ...] = get_args(Language)
LineKind = Literal[
    # Belgium
    "gross_wage",
    "employee_social_security",
    "taxable_wage",
    "withholding_tax",
    "expenses",
    "employer_basic_contributions",
    "employer_holiday_contributions",
    # Germany
    "health_insurance",
    "health_insurance_additional",
    "care_insurance",
    "pension_insurance",
    "unemployment_insurance",
    "wage_tax",
    "solidarity_surcharge",
    "church_tax",
    "employer_levies",
    "employer_flat_tax",
    # Either (German totals, provisional payslips)
    "employee_social_insurance",
    "employer_social_insurance",
]
NoteKind = Literal["special_social_security_not_withheld", "provisional"]

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
            "establishment_number",
            "tax_number",
            "provisional",
            "sv_days",
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
    """The employer and its numbers: Belgian (enterprise and ONSS numbers) or German
    (Betriebsnummer and Steuernummer); only the numbers given are printed."""

    model_config = ConfigDict(frozen=True)

    name: str
    address_lines: tuple[str, ...] = ()
    enterprise_number: str | None = None
    social_security_number: str | None = None
    establishment_number: str | None = None
    tax_number: str | None = None


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
    # No employment record: flat provisional rates; the page says so under the title.
    provisional: bool = False
    # A German employment shorter than its month: its social-insurance days (part ceilings,
    # daily wage-tax table); None for a whole month.
    sv_days: int | None = None

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


def render_payslip_pdf(doc: PayslipDocument, directory: Path = TEMPLATES) -> bytes:
    """The payslip as PDF, set in the invoices' vendored fonts (they cover the six languages),
    registered once per process and embedded whole: subsetting a system font such as DejaVu
    per document took more than a second."""
    from adapters.documents.pdf_engine import shared_fonts

    engine = shared_fonts()
    pdf = engine.html(string=render_payslip_html(doc, directory)).write_pdf(
        stylesheets=[engine.stylesheet_fonts_only],
        font_config=engine.fonts,
        full_fonts=not engine.subset_fonts,
    )
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


# The German branches in payslip order: (line, branch of ``GermanContributions``).
_GERMAN_BRANCHES: tuple[tuple[LineKind, Literal["KV", "KV_ZUSATZ", "PV", "RV", "AV"]], ...] = (
    ("health_insurance", "KV"),
    ("health_insurance_additional", "KV_ZUSATZ"),
    ("care_insurance", "PV"),
    ("pension_insurance", "RV"),
    ("unemployment_insurance", "AV"),
)


def german_payslip_document(
    *,
    payslip_id: str,
    payslip: GermanPayslip,
    member: PayslipMember,
    employer: PayslipEmployer,
    period_start: date,
    period_end: date,
    expenses_cents: Cents = 0,
) -> PayslipDocument:
    """The document of a German payslip computed by ``domain.payroll.de_engine``: each insurance
    branch's employee share on its base (the Midijob's reduced base where it applies), wage
    tax, solidarity surcharge and church tax; the employer's shares, levies and flat tax."""
    slip = payslip
    contributions = slip.contributions
    lines: list[PayslipLine] = [PayslipLine(kind="gross_wage", amount_cents=slip.gross_cents)]
    for kind, name in _GERMAN_BRANCHES:
        branch = contributions.branch(name)
        if branch.employee_cents:
            base = contributions.employee_base_cents
            lines.append(
                PayslipLine(
                    kind=kind,
                    amount_cents=-branch.employee_cents,
                    base_cents=branch.base_cents if base is None else base,
                )
            )
    if slip.pap_year is not None:  # a Minijob's tax is the employer's flat tax
        lines.append(PayslipLine(kind="wage_tax", amount_cents=-slip.wage_tax_cents))
    if slip.solidarity_cents:
        lines.append(PayslipLine(kind="solidarity_surcharge", amount_cents=-slip.solidarity_cents))
    if slip.church_tax_cents:
        lines.append(PayslipLine(kind="church_tax", amount_cents=-slip.church_tax_cents))
    if expenses_cents:
        lines.append(PayslipLine(kind="expenses", amount_cents=expenses_cents))
    employer_lines: tuple[tuple[LineKind, Cents], ...] = (
        ("employer_social_insurance", slip.employer_contributions_cents),
        (
            "employer_levies",
            slip.employer_u1_cents + slip.employer_u2_cents + slip.employer_insolvency_cents,
        ),
        ("employer_flat_tax", slip.employer_flat_tax_cents),
    )
    for kind, cents in employer_lines:
        if cents:
            lines.append(PayslipLine(kind=kind, amount_cents=cents, section="employer"))
    return PayslipDocument(
        payslip_id=payslip_id,
        member=member,
        employer=employer,
        period=PayslipPeriod(start=period_start, end=period_end, pay_date=slip.pay_date),
        sv_days=slip.sv_days if slip.sv_days < MONTH_SV_DAYS else None,
        lines=tuple(lines),
        totals=PayslipTotals(
            gross_cents=slip.gross_cents,
            net_cents=slip.net_cents,
            payout_cents=slip.net_cents + expenses_cents,
            employer_cost_cents=slip.employer_cost_cents,
        ),
    )


def provisional_payslip_document(
    *,
    payslip_id: str,
    jurisdiction: str,
    data: PayslipData,
    member: PayslipMember,
    employer: PayslipEmployer,
    period_start: date,
    period_end: date,
) -> PayslipDocument:
    """A wage computed with the policy's flat rates (no employment record yet): totals only,
    in the jurisdiction's words, marked provisional under the title and in a note."""
    belgian = jurisdiction == "BE"
    lines: list[PayslipLine] = [
        PayslipLine(kind="gross_wage", amount_cents=data.gross_wage_cents),
        PayslipLine(
            kind="employee_social_security" if belgian else "employee_social_insurance",
            amount_cents=-data.employee_contributions_cents,
        ),
        PayslipLine(
            kind="withholding_tax" if belgian else "wage_tax",
            amount_cents=-data.wage_tax_cents,
        ),
    ]
    if data.expenses_cents:
        lines.append(PayslipLine(kind="expenses", amount_cents=data.expenses_cents))
    lines.append(
        PayslipLine(
            kind="employer_social_insurance",
            amount_cents=data.employer_contributions_cents,
            section="employer",
        )
    )
    return PayslipDocument(
        payslip_id=payslip_id,
        member=member,
        employer=employer,
        period=PayslipPeriod(start=period_start, end=period_end, pay_date=data.pay_date),
        lines=tuple(lines),
        totals=PayslipTotals(
            gross_cents=data.gross_wage_cents,
            net_cents=data.net_wage_cents,
            payout_cents=data.net_wage_cents + data.expenses_cents,
            employer_cost_cents=data.employer_cost_cents,
        ),
        notes=("provisional",),
        provisional=True,
    )


def payslip_pdf_path(root: Path, jurisdiction: str, pay_date: date, payslip_id: str) -> Path:
    """Where the PDF of a payslip is filed (the worker writes it, the API serves it)."""
    return Path(root) / jurisdiction / f"{pay_date.year:04d}" / f"payslip-{payslip_id}.pdf"


class PayslipPdfs:
    """One PDF per payslip at ``<root>/<jurisdiction>/<year of pay date>/payslip-<id>.pdf``.

    Written once: a file already there is kept and nothing is rendered again, so a retried
    payroll step neither changes the member's payslip nor fails on it. Rendering runs in a
    thread (off the event loop) under the process-wide render lock the invoices use:
    WeasyPrint is not safe to drive from several threads at once.
    """

    def __init__(self, root: Path, employer: Callable[[str], PayslipEmployer]) -> None:
        self._root = Path(root)
        self.employer = employer  # the employer on a payslip of a jurisdiction

    def path_for(self, jurisdiction: str, pay_date: date, payslip_id: str) -> Path:
        return payslip_pdf_path(self._root, jurisdiction, pay_date, payslip_id)

    async def write(self, path: Path, document: Callable[[], PayslipDocument]) -> Path:
        """Render ``document()`` to ``path`` unless a file is there; ``document`` is only
        called when a render is needed."""
        if path.exists():
            return path
        return await asyncio.to_thread(self._write, path, document)

    def _write(self, path: Path, document: Callable[[], PayslipDocument]) -> Path:
        # One lock per process for every WeasyPrint render (invoices and payslips alike).
        with RENDER_LOCK:
            if not path.exists():
                write_once(path, render_payslip_pdf(document()))
        return path
