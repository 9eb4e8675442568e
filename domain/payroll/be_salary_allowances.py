"""The exceptional allowances a Belgian monthly salary pays, and the salary month's payslip.

A member on a monthly salary (``domain.payroll.monthly_salary``) with a white-collar
(``standard``) contract is paid, besides the month's gross:

- the **double holiday pay** (double pécule de vacances / dubbel vakantiegeld) with the **May**
  salary: 92 % of the May gross for a full reference year (the previous calendar year), pro rata
  of the salary months paid in it (Royal Decree of 30 March 1967, art. 38-39; the month is our
  choice: the law pays it when the main holidays are taken, employers commonly pay it in May or
  June, decision 56);
- the **end-of-year premium** (13th month) with the **December** salary: the December gross pro
  rata of the salary months of the year, December included, once the member has been paid at
  least six of them (the auxiliary joint committee for employees, PC 200, CCT of 9 June 1975 as
  amended: a full month's wage, pro rata, after six months' seniority).

Each allowance is taxed at the exceptional-allowance rates (``be_exceptional``), with the annual
reference of the month's regular wage (12 x its taxable amount). Blue-collar workers and artists
get their holiday pay from the holiday fund and their end-of-year premium, where one exists, from
their sector's fund: none is paid here.

``BelgianSalarySlip`` is the regular payslip (a ``BelgianPayslip``, so every reader of a stored
Belgian payslip still reads it) with the allowances; its ``total_*`` figures add them.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Final

from pydantic import BaseModel, ConfigDict, Field

from domain.money import Cents, round_cents
from domain.payroll.be_exceptional import (
    ExceptionalAllowance,
    ExceptionalKind,
    exceptional_allowance,
)
from domain.payroll.be_payroll import (
    BelgianContract,
    BelgianPayslip,
    PaidFigures,
    belgian_payslip,
    employer_contributions,
)
from domain.payroll.be_rates import be_rates_for
from domain.payroll.employment import BelgianEmployment

HOLIDAY_PAY_MONTH: Final = 5
END_OF_YEAR_PREMIUM_MONTH: Final = 12
DOUBLE_HOLIDAY_PAY_RATE: Final = Decimal("0.92")
END_OF_YEAR_MIN_MONTHS: Final = 6
# Belgium's full-time reference: 38 hours a week (CCT n° 43), 52 weeks over 12 months.
BE_FULL_TIME_HOURS_PER_MONTH: Final = Decimal(38) * 52 / 12


class SalaryMonthsPaid(BaseModel):
    """How many salary months the member was paid: in the previous calendar year, and in this
    year before the month being paid."""

    model_config = ConfigDict(frozen=True)

    previous_year: int = Field(default=0, ge=0, le=12)
    this_year_before: int = Field(default=0, ge=0, le=11)


class AllowanceDue(BaseModel):
    model_config = ConfigDict(frozen=True)

    kind: ExceptionalKind
    gross_cents: Cents
    months: int  # the months of the year it is pro rata of


def allowances_due(
    month: date, gross_cents: Cents, contract: BelgianContract, paid: SalaryMonthsPaid
) -> tuple[AllowanceDue, ...]:
    """The allowances the salary of ``month`` (its first day) pays on top of ``gross_cents``."""
    if contract != "standard":
        return ()
    if month.month == HOLIDAY_PAY_MONTH and paid.previous_year:
        amount = round_cents(
            Decimal(gross_cents) * DOUBLE_HOLIDAY_PAY_RATE * paid.previous_year / 12
        )
        return (
            AllowanceDue(kind="double_holiday_pay", gross_cents=amount, months=paid.previous_year),
        )
    months = paid.this_year_before + 1
    if month.month == END_OF_YEAR_PREMIUM_MONTH and months >= END_OF_YEAR_MIN_MONTHS:
        amount = round_cents(Decimal(gross_cents) * months / 12)
        return (AllowanceDue(kind="end_of_year_premium", gross_cents=amount, months=months),)
    return ()


def allowances_employer_cost(
    month: date, gross_cents: Cents, contract: BelgianContract, paid: SalaryMonthsPaid, on: date
) -> Cents:
    """What the allowances of ``month`` cost the budget: their gross and the employer's
    contributions (none on the double holiday pay), without computing their tax."""
    cost = 0
    for due in allowances_due(month, gross_cents, contract, paid):
        cost += due.gross_cents
        if due.kind == "end_of_year_premium":
            cost += employer_contributions(due.gross_cents, contract, be_rates_for(on)).total_cents
    return cost


class BelgianSalarySlip(BelgianPayslip):
    """A salary month's payslip: the regular wage (the inherited fields) and its allowances."""

    allowances: tuple[ExceptionalAllowance, ...] = ()

    def paid_with(self) -> tuple[PaidFigures, ...]:
        return (self, *self.allowances)


def belgian_salary_slip(
    gross_cents: Cents,
    employment: BelgianEmployment,
    month: date,
    pay_date: date,
    *,
    paid: SalaryMonthsPaid | None = None,
    hours_per_month: Decimal | None = None,
) -> BelgianSalarySlip:
    """The payslip of a whole month's salary of ``gross_cents`` for ``hours_per_month`` hours
    (None, 0 or full time: a full-timer's month), with the allowances the month pays."""
    part_time = hours_per_month is not None and 0 < hours_per_month < BE_FULL_TIME_HOURS_PER_MONTH
    regular = belgian_payslip(
        gross_cents,
        employment.contract,
        employment.tax,
        pay_date,
        hours_worked=hours_per_month if part_time else None,
        full_time_hours=BE_FULL_TIME_HOURS_PER_MONTH if part_time else None,
    )
    tax = employment.tax
    children = tax.dependent_children + tax.disabled_children  # a disabled child counts twice
    allowances = tuple(
        exceptional_allowance(
            due.gross_cents,
            12 * regular.taxable_cents,
            due.kind,
            employment.contract,
            pay_date,
            children=children,
        )
        for due in allowances_due(
            month, gross_cents, employment.contract, paid or SalaryMonthsPaid()
        )
    )
    return BelgianSalarySlip(**regular.model_dump(), allowances=allowances)
