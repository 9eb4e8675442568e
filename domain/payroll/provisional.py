"""The provisional wage: the policy's flat rates, while the member has no employment record.

``PolicyPayroll`` takes the wage the order's breakdown computed from the jurisdiction policy's
rates (gross, both contribution shares, a provisional flat wage tax) and turns it into payslip
data, flagged provisional, so an order never waits on paperwork.

A monthly salary has its gross given instead of a budget: ``provisional_salary_result`` prices
it with the same flat rates (``flat_rate_deductions``, the breakdown's own), the employer's
share being the policy's employer rate on the gross (``provisional_employer_cost``), and
``provisional_gross_for_cost`` inverts that cost. Both results come from
``provisional_result``, so a provisional payslip is built in one place.
"""

from __future__ import annotations

import json
from datetime import date
from decimal import Decimal

from domain.breakdown import flat_rate_deductions
from domain.errors import InvalidAmount
from domain.money import Cents, percent_of, round_cents
from domain.payroll.protocol import PayrollRequest, PayrollResult, PayslipData
from domain.policy import JurisdictionPolicy


def provisional_result(
    *,
    pay_date: date,
    budget_cents: Cents,
    gross_cents: Cents,
    employer_contributions_cents: Cents,
    employee_contributions_cents: Cents,
    wage_tax_cents: Cents,
    expenses_cents: Cents,
) -> PayrollResult:
    """Flat-rate figures as the ``Payroll`` Protocol's result, flagged provisional."""
    data = PayslipData(
        pay_date=pay_date,
        employment_budget_cents=budget_cents,
        gross_wage_cents=gross_cents,
        employee_contributions_cents=employee_contributions_cents,
        employer_contributions_cents=employer_contributions_cents,
        wage_tax_cents=wage_tax_cents,
        net_wage_cents=gross_cents - employee_contributions_cents - wage_tax_cents,
        expenses_cents=expenses_cents,
        employer_cost_cents=gross_cents + employer_contributions_cents,
    )
    return PayrollResult(
        data=data,
        remainder_cents=0,
        engine="provisional",
        details=json.dumps({"provisional": True}),
    )


def provisional_employer_cost(gross_cents: Cents, policy: JurisdictionPolicy) -> Cents:
    """A given gross's employer cost at the flat rate: gross + employer rate x gross (rounded
    once), strictly rising with the gross."""
    return gross_cents + percent_of(gross_cents, policy.employer_contribution_rate)


def provisional_gross_for_cost(budget_cents: Cents, policy: JurisdictionPolicy) -> Cents:
    """The largest gross whose flat-rate employer cost fits ``budget_cents``: the breakdown's
    own inverse (budget / (1 + rate), rounded), then stepped to the boundary."""
    if budget_cents < 0:
        raise InvalidAmount(f"a budget cannot be negative: {budget_cents}")
    gross = round_cents(Decimal(budget_cents) / (1 + policy.employer_contribution_rate))
    while gross > 0 and provisional_employer_cost(gross, policy) > budget_cents:
        gross -= 1
    while provisional_employer_cost(gross + 1, policy) <= budget_cents:
        gross += 1
    return gross


def provisional_salary_result(
    gross_cents: Cents, policy: JurisdictionPolicy, pay_date: date
) -> PayrollResult:
    """The provisional payslip of a given monthly gross: the employer cost is the budget it
    takes, nothing left over, no expenses."""
    if gross_cents <= 0:
        raise InvalidAmount("a gross wage must be positive")
    employer = provisional_employer_cost(gross_cents, policy) - gross_cents
    employee, tax = flat_rate_deductions(gross_cents, policy)
    return provisional_result(
        pay_date=pay_date,
        budget_cents=gross_cents + employer,
        gross_cents=gross_cents,
        employer_contributions_cents=employer,
        employee_contributions_cents=employee,
        wage_tax_cents=tax,
        expenses_cents=0,
    )


class PolicyPayroll:
    async def run(self, request: PayrollRequest) -> PayrollResult:
        breakdown = request.breakdown
        # The breakdown's net is the same difference (gross - employee - tax) by construction.
        return provisional_result(
            pay_date=request.pay_date,
            budget_cents=breakdown.employment_budget_cents,
            gross_cents=breakdown.gross_wage_cents,
            employer_contributions_cents=breakdown.employer_contributions_cents,
            employee_contributions_cents=breakdown.employee_contributions_cents,
            wage_tax_cents=breakdown.wage_tax_cents,
            expenses_cents=breakdown.expenses_cents,
        )
