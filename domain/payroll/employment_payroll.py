"""The payroll the lifecycle runs: the member's employment record picks the exact engine.

- Germany (``EmploymentRecordDE``): contributions with ceilings, Minijob/Midijob, PAP wage tax,
  solidarity surcharge and church tax (``domain.payroll.de_engine``).
- Belgium (``BelgianEmployment``: contract + tax record): ONSS on the right base and the key
  formula's withholding (``domain.payroll.be_payroll``).
- No record yet: the policy's flat provisional rates (``PolicyPayroll``), flagged provisional, so
  an order never waits on paperwork; ops complete the record for the next wage.

The German engine prices each order as its own employment over ``period`` (the order's actual
start and end): a part month with pro-rata ceilings and the daily wage-tax table. The Belgian
engine does not use the period (monthly figures, as before).

Each engine spends the employment budget on the largest gross wage whose employer cost fits;
the cent or two no gross can spend (``remainder_cents``) goes to the cooperative as rounding.
"""

from __future__ import annotations

import json
from datetime import date
from typing import Literal

from pydantic import BaseModel, ConfigDict

from domain.breakdown import OrderBreakdown
from domain.errors import UnsupportedCase
from domain.payroll.be_payroll import belgian_wage_from_budget
from domain.payroll.de_engine import german_payslip, gross_for_budget
from domain.payroll.employment import (
    BelgianEmployment,
    EmploymentPeriod,
    EmploymentRecordDE,
    MemberEmployment,
)
from domain.payroll.protocol import PayslipData, PolicyPayroll


class ExactPayslip(BaseModel):
    model_config = ConfigDict(frozen=True)

    data: PayslipData
    remainder_cents: int
    engine: Literal["DE", "BE", "provisional"]
    details: str  # the engine's full payslip as JSON

    @property
    def payout_cents(self) -> int:
        return self.data.net_wage_cents + self.data.expenses_cents


class EmploymentPayroll:
    async def payslip(
        self,
        jurisdiction: str,
        record: MemberEmployment | None,
        breakdown: OrderBreakdown,
        pay_date: date,
        period: EmploymentPeriod | None = None,
    ) -> ExactPayslip:
        """``period``: the employment's first and last day; None prices a whole month."""
        budget = breakdown.employment_budget_cents
        expenses = breakdown.expenses_cents
        if isinstance(record, EmploymentRecordDE) and jurisdiction == "DE":
            split = gross_for_budget(budget, record, pay_date, period)
            de = german_payslip(split.gross_cents, record, pay_date, period)
            data = PayslipData(
                pay_date=pay_date,
                employment_budget_cents=budget,
                gross_wage_cents=de.gross_cents,
                employee_contributions_cents=de.employee_contributions_cents,
                employer_contributions_cents=de.employer_cost_cents - de.gross_cents,
                wage_tax_cents=de.wage_tax_cents + de.solidarity_cents + de.church_tax_cents,
                net_wage_cents=de.net_cents,
                expenses_cents=expenses,
                employer_cost_cents=de.employer_cost_cents,
            )
            return ExactPayslip(
                data=data,
                remainder_cents=split.remainder_cents,
                engine="DE",
                details=de.model_dump_json(),
            )
        if isinstance(record, BelgianEmployment) and jurisdiction == "BE":
            wage = belgian_wage_from_budget(budget, record.contract, record.tax, pay_date)
            be = wage.payslip
            data = PayslipData(
                pay_date=pay_date,
                employment_budget_cents=budget,
                gross_wage_cents=be.gross_cents,
                employee_contributions_cents=be.employee_contributions_cents,
                employer_contributions_cents=be.employer_contributions_cents,
                wage_tax_cents=be.wage_tax_cents,
                net_wage_cents=be.net_cents,
                expenses_cents=expenses,
                employer_cost_cents=be.employer_cost_cents,
            )
            return ExactPayslip(
                data=data,
                remainder_cents=wage.split.remainder_cents,
                engine="BE",
                details=be.model_dump_json(),
            )
        if record is not None:
            raise UnsupportedCase(
                f"the member's employment record is for another jurisdiction than the order "
                f"({jurisdiction}); correct the record"
            )
        flat = await PolicyPayroll().payslip(jurisdiction, breakdown, pay_date)
        return ExactPayslip(
            data=flat,
            remainder_cents=0,
            engine="provisional",
            details=json.dumps({"provisional": True}),
        )
