"""Payroll: from an order's breakdown to a payslip.

``PolicyPayroll`` is the built-in engine of the lifecycle: it takes the wage the order's
breakdown computed from the jurisdiction policy's rates (gross, both contribution shares, a
provisional flat wage tax) and turns it into payslip data. The exact engines (BMF PAP for
Germany, the Belgian key formula) replace it behind the same Protocol.
"""

from __future__ import annotations

from datetime import date
from typing import Protocol

from pydantic import BaseModel, ConfigDict

from domain.breakdown import OrderBreakdown


class PayslipData(BaseModel):
    model_config = ConfigDict(frozen=True)

    pay_date: date
    employment_budget_cents: int
    gross_wage_cents: int
    employee_contributions_cents: int
    employer_contributions_cents: int
    wage_tax_cents: int
    net_wage_cents: int
    expenses_cents: int
    employer_cost_cents: int


class Payroll(Protocol):
    async def payslip(
        self, jurisdiction: str, breakdown: OrderBreakdown, pay_date: date
    ) -> PayslipData: ...


class PolicyPayroll:
    async def payslip(
        self, jurisdiction: str, breakdown: OrderBreakdown, pay_date: date
    ) -> PayslipData:
        return PayslipData(
            pay_date=pay_date,
            employment_budget_cents=breakdown.employment_budget_cents,
            gross_wage_cents=breakdown.gross_wage_cents,
            employee_contributions_cents=breakdown.employee_contributions_cents,
            employer_contributions_cents=breakdown.employer_contributions_cents,
            wage_tax_cents=breakdown.wage_tax_cents,
            net_wage_cents=breakdown.net_wage_cents,
            expenses_cents=breakdown.expenses_cents,
            employer_cost_cents=breakdown.gross_wage_cents + breakdown.employer_contributions_cents,
        )
