"""A Belgian wage, from the employment budget to the net, as pure functions.

``be_gross_for_budget``: the largest gross ``g`` whose employer cost (g + employer
contributions) fits in the budget; what cannot be spent without exceeding it is
``remainder_cents`` (a cent or two).

``belgian_payslip``: from a gross wage to employee ONSS, taxable wage, withholding tax, net,
employer contributions and employer cost. The work bonus (``be_work_bonus``) lowers the employee
ONSS (social bonus) and the withholding tax (fiscal bonus, floored at 0); a wage for part of a
month (``days_worked`` of the month's ``full_time_days``) gets it on its full-time reference,
pro rata. Contributions and withholding apply to the wage actually paid.

Every contribution is one rounding of a rate on its base (``percent_of``); the rest are
differences, so the payslip balances to the cent by construction:

- ``employee_contributions + wage_tax + net = gross`` (both after their work bonus)
- ``gross + employer_contributions = employer_cost``
- ``employer_cost + remainder = budget`` (``belgian_wage_from_budget``)

Contracts: ``standard`` (white-collar employee: contributions on 100 % of gross),
``blue_collar`` and ``artist`` (contributions on 108 % of gross, plus the employer's
annual-holiday contribution, because their holiday pay comes from the holiday fund).

Refused (``UnsupportedCase``), not guessed: everything ``be_withholding`` refuses, payment
dates without encoded figures, and wages that may earn a work bonus in a period whose bonus
figures were not found (``be_work_bonus``). Not withheld: the special social-security
contribution (see ``be_rates``); ``special_social_security_withheld`` is False on every payslip
so no reader can take the net for final on that point.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Literal, Protocol

from pydantic import BaseModel, ConfigDict

from domain.errors import InvalidAmount, UnsupportedCase
from domain.ledger import JournalEntry, payslip_posted
from domain.money import Cents, percent_of
from domain.payroll.be_rates import BelgianRates, be_rates_for
from domain.payroll.be_withholding import (
    BelgianTaxRecord,
    WithholdingBreakdown,
    belgian_withholding,
    refuse_unsupported,
)
from domain.payroll.be_work_bonus import Declared, WorkBonus, work_bonus

BelgianContract = Literal["standard", "artist", "blue_collar"]
CONTRACTS: tuple[BelgianContract, ...] = ("standard", "artist", "blue_collar")


class EmployerContributions(BaseModel):
    model_config = ConfigDict(frozen=True)

    social_security_base_cents: Cents
    basic_cents: Cents  # basic contribution incl. wage moderation
    holiday_cents: Cents  # blue-collar and artists' annual-holiday contribution (else 0)

    @property
    def total_cents(self) -> Cents:
        return self.basic_cents + self.holiday_cents


class PaidFigures(Protocol):
    """What a payslip and an allowance paid with it both carry."""

    @property
    def gross_cents(self) -> Cents: ...
    @property
    def social_security_base_cents(self) -> Cents: ...
    @property
    def employee_contributions_cents(self) -> Cents: ...
    @property
    def wage_tax_cents(self) -> Cents: ...
    @property
    def net_cents(self) -> Cents: ...
    @property
    def employer_contributions_cents(self) -> Cents: ...
    @property
    def employer_cost_cents(self) -> Cents: ...


class BelgianPayslip(BaseModel):
    model_config = ConfigDict(frozen=True)

    pay_date: date
    rates_valid_from: date
    contract: BelgianContract
    gross_cents: Cents
    social_security_base_cents: Cents  # 100 % or 108 % of gross
    employee_rate: Decimal
    employee_contributions_cents: Cents  # after the social work bonus
    taxable_cents: Cents
    withholding: WithholdingBreakdown
    wage_tax_cents: Cents  # after the fiscal work bonus
    net_cents: Cents
    employer_basic_rate: Decimal
    employer_basic_contributions_cents: Cents
    employer_holiday_rate: Decimal  # 0 for a standard contract
    employer_holiday_contributions_cents: Cents
    employer_contributions_cents: Cents
    employer_cost_cents: Cents
    special_social_security_withheld: Literal[False] = False
    # The work bonus; the defaults (no bonus) keep payslips stored before it readable.
    work_bonus: WorkBonus = WorkBonus()
    fiscal_work_bonus_cents: Cents = 0  # granted: at most the withholding before it

    @property
    def employee_contributions_before_bonus_cents(self) -> Cents:
        return self.employee_contributions_cents + self.work_bonus.social_cents

    @property
    def wage_tax_before_bonus_cents(self) -> Cents:
        return self.wage_tax_cents + self.fiscal_work_bonus_cents

    def paid_with(self) -> tuple[PaidFigures, ...]:
        """This wage and whatever is paid with it on the same payslip (a salary month's
        allowances, ``be_salary_allowances``); the totals below add them up."""
        return (self,)

    @property
    def total_gross_cents(self) -> Cents:
        return sum(p.gross_cents for p in self.paid_with())

    @property
    def total_social_security_base_cents(self) -> Cents:
        return sum(p.social_security_base_cents for p in self.paid_with())

    @property
    def total_employee_contributions_cents(self) -> Cents:
        return sum(p.employee_contributions_cents for p in self.paid_with())

    @property
    def total_wage_tax_cents(self) -> Cents:
        return sum(p.wage_tax_cents for p in self.paid_with())

    @property
    def total_net_cents(self) -> Cents:
        return sum(p.net_cents for p in self.paid_with())

    @property
    def total_employer_contributions_cents(self) -> Cents:
        return sum(p.employer_contributions_cents for p in self.paid_with())

    @property
    def total_employer_cost_cents(self) -> Cents:
        return sum(p.employer_cost_cents for p in self.paid_with())


class BudgetSplit(BaseModel):
    """How an employment budget is spent: gross wage, employer contributions, unspent cents."""

    model_config = ConfigDict(frozen=True)

    budget_cents: Cents
    gross_cents: Cents
    employer_contributions_cents: Cents
    remainder_cents: Cents

    @property
    def employer_cost_cents(self) -> Cents:
        return self.gross_cents + self.employer_contributions_cents


class BelgianWage(BaseModel):
    """The whole way from an employment budget to the net wage."""

    model_config = ConfigDict(frozen=True)

    split: BudgetSplit
    payslip: BelgianPayslip


def social_security_base(
    gross_cents: Cents, contract: BelgianContract, rates: BelgianRates
) -> Cents:
    if contract == "standard":
        return gross_cents
    return percent_of(gross_cents, rates.blue_collar_base_factor)


def holiday_rate(contract: BelgianContract, rates: BelgianRates) -> Decimal:
    """The employer's annual-holiday contribution rate: blue-collar work and artists only."""
    return Decimal(0) if contract == "standard" else rates.blue_collar_holiday_rate


def employer_contributions(
    gross_cents: Cents, contract: BelgianContract, rates: BelgianRates
) -> EmployerContributions:
    base = social_security_base(gross_cents, contract, rates)
    return EmployerContributions(
        social_security_base_cents=base,
        basic_cents=percent_of(base, rates.employer_basic_rate),
        holiday_cents=percent_of(base, holiday_rate(contract, rates)),
    )


def declared_at(contract: BelgianContract) -> Declared:
    """White-collar wages are declared at 100 %, manual workers' and artists' at 108 %."""
    return "100" if contract == "standard" else "108"


def belgian_payslip(
    gross_cents: Cents,
    contract: BelgianContract,
    record: BelgianTaxRecord,
    pay_date: date,
    *,
    days_worked: int | None = None,
    full_time_days: int | None = None,
    hours_worked: Decimal | None = None,
    full_time_hours: Decimal | None = None,
) -> BelgianPayslip:
    """The payslip of a wage of ``gross_cents`` paid on ``pay_date``: a full month's, or
    ``days_worked`` of the ``full_time_days`` a full-timer works that month, or (part time)
    ``hours_worked`` of a full-timer's ``full_time_hours`` (a pair or none)."""
    if gross_cents <= 0:
        raise InvalidAmount("a gross wage must be positive")
    if contract not in CONTRACTS:
        raise UnsupportedCase(f"unknown Belgian contract {contract!r}")
    rates = be_rates_for(pay_date)
    refuse_unsupported(record)

    base = social_security_base(gross_cents, contract, rates)
    contribution = percent_of(base, rates.employee_rate)
    bonus = work_bonus(
        gross_cents,
        declared_at(contract),
        contribution,
        pay_date,
        days_worked=days_worked,
        full_time_days=full_time_days,
        reference_override_cents=record.work_bonus_reference_cents,
        hours_worked=hours_worked,
        full_time_hours=full_time_hours,
    )
    employee = contribution - bonus.social_cents
    taxable = gross_cents - employee
    withholding = belgian_withholding(taxable, record, rates)
    fiscal = min(bonus.fiscal_cents, withholding.monthly_withholding_cents)
    tax = withholding.monthly_withholding_cents - fiscal
    employer = employer_contributions(gross_cents, contract, rates)
    return BelgianPayslip(
        pay_date=pay_date,
        rates_valid_from=rates.valid_from,
        contract=contract,
        gross_cents=gross_cents,
        social_security_base_cents=base,
        employee_rate=rates.employee_rate,
        employee_contributions_cents=employee,
        taxable_cents=taxable,
        withholding=withholding,
        wage_tax_cents=tax,
        net_cents=taxable - tax,
        employer_basic_rate=rates.employer_basic_rate,
        employer_basic_contributions_cents=employer.basic_cents,
        employer_holiday_rate=holiday_rate(contract, rates),
        employer_holiday_contributions_cents=employer.holiday_cents,
        employer_contributions_cents=employer.total_cents,
        employer_cost_cents=gross_cents + employer.total_cents,
        work_bonus=bonus,
        fiscal_work_bonus_cents=fiscal,
    )


def be_gross_for_budget(
    budget_cents: Cents, contract: BelgianContract, pay_date: date
) -> BudgetSplit:
    """The largest gross ``g`` with ``g + employer contributions(g) <= budget_cents``.

    The employer cost is a sum of half-up roundings of non-decreasing functions of ``g``, so it
    strictly increases with ``g``: start from the exact inverse and step to the boundary.
    """
    if budget_cents < 0:
        raise InvalidAmount("an employment budget cannot be negative")
    if contract not in CONTRACTS:
        raise UnsupportedCase(f"unknown Belgian contract {contract!r}")
    rates = be_rates_for(pay_date)

    def cost(gross: Cents) -> Cents:
        return gross + employer_contributions(gross, contract, rates).total_cents

    factor = Decimal(1) if contract == "standard" else rates.blue_collar_base_factor
    per_euro = 1 + factor * (rates.employer_basic_rate + holiday_rate(contract, rates))
    gross = int(Decimal(budget_cents) / per_euro)
    while gross > 0 and cost(gross) > budget_cents:
        gross -= 1
    while cost(gross + 1) <= budget_cents:
        gross += 1
    employer = employer_contributions(gross, contract, rates).total_cents
    return BudgetSplit(
        budget_cents=budget_cents,
        gross_cents=gross,
        employer_contributions_cents=employer,
        remainder_cents=budget_cents - gross - employer,
    )


def belgian_wage_from_budget(
    budget_cents: Cents,
    contract: BelgianContract,
    record: BelgianTaxRecord,
    pay_date: date,
    *,
    days_worked: int | None = None,
    full_time_days: int | None = None,
) -> BelgianWage:
    """The employment budget spent on one wage: the split, then that gross wage's payslip.
    The employer cost does not depend on the work bonus, so the split is the same for a full
    month and for a few days."""
    split = be_gross_for_budget(budget_cents, contract, pay_date)
    payslip = belgian_payslip(
        split.gross_cents,
        contract,
        record,
        pay_date,
        days_worked=days_worked,
        full_time_days=full_time_days,
    )
    return BelgianWage(split=split, payslip=payslip)


def be_payroll_entry(
    order_key: str, payslip: BelgianPayslip, expenses_cents: Cents, remainder_cents: Cents = 0
) -> JournalEntry:
    """The ledger entry of a Belgian payslip: the employer cost, the expenses and the budget
    remainder leave the member budget; the net and the expenses are owed to the member, both
    contribution shares to ONSS, the withholding tax to the tax office, and the remainder (the
    cent or two no gross could spend) goes to the cooperative as rounding, so the member budget
    can close at zero.
    """
    if expenses_cents < 0 or remainder_cents < 0:
        raise InvalidAmount("expenses and a budget remainder cannot be negative")
    return payslip_posted(
        order_key,
        employer_cost=payslip.employer_cost_cents,
        employee_contributions=payslip.employee_contributions_cents,
        employer_contributions=payslip.employer_contributions_cents,
        wage_tax=payslip.wage_tax_cents,
        net_wage=payslip.net_cents,
        expenses=expenses_cents,
        remainder=remainder_cents,
    )
