"""The provisional wage: the policy's flat rates, while the member has no employment record.

``PolicyPayroll`` takes the wage the order's breakdown computed from the jurisdiction policy's
rates (gross, both contribution shares, a provisional flat wage tax) and turns it into payslip
data, flagged provisional, so an order never waits on paperwork.
"""

from __future__ import annotations

import json

from domain.payroll.protocol import PayrollRequest, PayrollResult, PayslipData


class PolicyPayroll:
    async def run(self, request: PayrollRequest) -> PayrollResult:
        breakdown = request.breakdown
        data = PayslipData(
            pay_date=request.pay_date,
            employment_budget_cents=breakdown.employment_budget_cents,
            gross_wage_cents=breakdown.gross_wage_cents,
            employee_contributions_cents=breakdown.employee_contributions_cents,
            employer_contributions_cents=breakdown.employer_contributions_cents,
            wage_tax_cents=breakdown.wage_tax_cents,
            net_wage_cents=breakdown.net_wage_cents,
            expenses_cents=breakdown.expenses_cents,
            employer_cost_cents=breakdown.gross_wage_cents + breakdown.employer_contributions_cents,
        )
        return PayrollResult(
            data=data,
            remainder_cents=0,
            engine="provisional",
            details=json.dumps({"provisional": True}),
        )
