"""What a payslip shows, in any of the member's languages (de, en, fr, nl, it, pl):
``PayslipDocument`` with its member, employer, period, lines and totals.

The builders in ``payslip_builders`` make one from a computed wage, ``payslip_html`` sets it in
the member's language and ``payslip_pdf`` prints and files it.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Literal, get_args

from pydantic import BaseModel, ConfigDict, model_validator

from domain.money import Cents
from domain.payroll.be_payroll import BelgianContract

Language = Literal["de", "en", "fr", "nl", "it", "pl"]
LANGUAGES: tuple[Language, ...] = get_args(Language)
LineKind = Literal[
    # Belgium
    "gross_wage",
    "employee_social_security",
    "taxable_wage",
    "withholding_tax",
    "social_work_bonus",
    "fiscal_work_bonus",
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
