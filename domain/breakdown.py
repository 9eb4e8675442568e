"""The whole money breakdown of an order, computed in one place.

Every amount is rounded once (``round_cents``); the others are exact differences, so the
breakdown balances to the cent by construction:

- ``net + vat = gross_invoice``
- ``fee + budget_contribution + employer_contributions + gross_wage + expenses = net``
- ``employee_contributions + wage_tax + net_wage = gross_wage``
"""

from __future__ import annotations

from decimal import Decimal

from pydantic import BaseModel, ConfigDict

from domain.errors import InvalidAmount
from domain.money import Cents, percent_of, round_cents
from domain.policy import JurisdictionPolicy


class OrderBreakdown(BaseModel):
    model_config = ConfigDict(frozen=True)

    net_cents: Cents
    vat_rate: Decimal
    vat_cents: Cents
    gross_invoice_cents: Cents
    fee_cents: Cents
    budget_contribution_cents: Cents
    expenses_cents: Cents
    employment_budget_cents: Cents
    employer_contributions_cents: Cents
    gross_wage_cents: Cents
    employee_contributions_cents: Cents
    wage_tax_cents: Cents
    net_wage_cents: Cents

    @property
    def coop_share_cents(self) -> Cents:
        return self.fee_cents + self.budget_contribution_cents

    @property
    def payout_cents(self) -> Cents:
        """What the member receives: net wage plus reimbursed expenses."""
        return self.net_wage_cents + self.expenses_cents

    @property
    def contributions_cents(self) -> Cents:
        return self.employer_contributions_cents + self.employee_contributions_cents


def flat_rate_deductions(
    gross_wage_cents: Cents, policy: JurisdictionPolicy
) -> tuple[Cents, Cents]:
    """The employee's contributions and the provisional wage tax on a gross wage, at the
    policy's flat rates: ``(employee_contributions, wage_tax)``, each rounded once. The order's
    breakdown and the provisional payslip of a monthly salary both take them from here."""
    employee = percent_of(gross_wage_cents, policy.employee_contribution_rate)
    tax = percent_of(gross_wage_cents - employee, policy.provisional_wage_tax_rate)
    return employee, tax


def compute_breakdown(
    policy: JurisdictionPolicy,
    *,
    net_cents: Cents,
    vat_rate: Decimal,
    expenses_cents: Cents = 0,
) -> OrderBreakdown:
    if net_cents <= 0:
        raise InvalidAmount("the order's net amount must be positive")
    if expenses_cents < 0:
        raise InvalidAmount("expenses cannot be negative")
    if vat_rate < 0:
        raise InvalidAmount("a VAT rate cannot be negative")

    vat = percent_of(net_cents, vat_rate)
    fee = percent_of(net_cents, policy.fee_rate)
    available = net_cents - fee - expenses_cents
    if available < 0:
        raise InvalidAmount(
            f"expenses of {expenses_cents} cents exceed what the order leaves after the "
            f"cooperative's fee ({net_cents - fee} cents)"
        )
    contribution = percent_of(available, policy.budget_contribution_rate)
    budget = available - contribution
    gross_wage = round_cents(Decimal(budget) / (1 + policy.employer_contribution_rate))
    employer = budget - gross_wage
    employee, tax = flat_rate_deductions(gross_wage, policy)
    return OrderBreakdown(
        net_cents=net_cents,
        vat_rate=vat_rate,
        vat_cents=vat,
        gross_invoice_cents=net_cents + vat,
        fee_cents=fee,
        budget_contribution_cents=contribution,
        expenses_cents=expenses_cents,
        employment_budget_cents=budget,
        employer_contributions_cents=employer,
        gross_wage_cents=gross_wage,
        employee_contributions_cents=employee,
        wage_tax_cents=tax,
        net_wage_cents=gross_wage - employee - tax,
    )
