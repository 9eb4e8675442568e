"""The Belgian payroll engine behind the ``Payroll`` Protocol (``domain.payroll.protocol``).

``BelgianPayrollEngine`` spends an order's employment budget on one wage with the exact Belgian
rules (``domain.payroll.be_payroll``): the largest gross whose employer cost fits the budget,
then employee ONSS, the key-formula withholding tax and the net. Orders of other jurisdictions
go to a fallback engine (``PolicyPayroll`` unless told otherwise).

Two call shapes:

- ``payslip(jurisdiction, breakdown, pay_date)``: the existing ``Payroll`` Protocol. It knows
  nothing about the member, so it uses the engine's ``default_employment`` (standard contract,
  single, no children unless configured): a drop-in for ``PolicyPayroll``.
- ``run(request)``: the richer ``PayrollRun`` Protocol proposed here. The request names the
  payslip (a stable id, for exports) and carries the member's contract and tax record. The
  outside-bureau export (``adapters.payroll_export``) implements the same Protocol.

A Belgian payslip's ``employer_cost_cents`` is the budget less ``remainder_cents`` (a cent or
two the budget cannot spend): ``PayslipData`` has no field for it, ``run_belgian`` returns it.
"""

from __future__ import annotations

from datetime import date
from typing import Protocol

from pydantic import BaseModel, ConfigDict

from domain.breakdown import OrderBreakdown
from domain.payroll.be_payroll import BelgianWage, belgian_wage_from_budget
from domain.payroll.employment import BelgianEmployment
from domain.payroll.protocol import Payroll, PayslipData, PolicyPayroll


class PayrollRequest(BaseModel):
    """One wage to compute. ``payslip_id`` is stable across retries (e.g. ``order-42``)."""

    model_config = ConfigDict(frozen=True)

    payslip_id: str
    jurisdiction: str
    member_id: str
    member_name: str
    breakdown: OrderBreakdown
    pay_date: date
    period_start: date
    period_end: date
    employment: BelgianEmployment = BelgianEmployment()


class PayrollRun(Protocol):
    async def run(self, request: PayrollRequest) -> PayslipData: ...


def payslip_data(breakdown: OrderBreakdown, wage: BelgianWage) -> PayslipData:
    slip = wage.payslip
    return PayslipData(
        pay_date=slip.pay_date,
        employment_budget_cents=breakdown.employment_budget_cents,
        gross_wage_cents=slip.gross_cents,
        employee_contributions_cents=slip.employee_contributions_cents,
        employer_contributions_cents=slip.employer_contributions_cents,
        wage_tax_cents=slip.wage_tax_cents,
        net_wage_cents=slip.net_cents,
        expenses_cents=breakdown.expenses_cents,
        employer_cost_cents=slip.employer_cost_cents,
    )


class BelgianPayrollEngine:
    def __init__(
        self,
        *,
        default_employment: BelgianEmployment | None = None,
        fallback: Payroll | None = None,
    ) -> None:
        self._default = default_employment or BelgianEmployment()
        self._fallback: Payroll = fallback if fallback is not None else PolicyPayroll()

    def run_belgian(
        self, breakdown: OrderBreakdown, pay_date: date, employment: BelgianEmployment
    ) -> BelgianWage:
        """The whole Belgian wage, with the split of the budget (pure; raises domain errors)."""
        return belgian_wage_from_budget(
            breakdown.employment_budget_cents, employment.contract, employment.tax, pay_date
        )

    async def payslip(
        self, jurisdiction: str, breakdown: OrderBreakdown, pay_date: date
    ) -> PayslipData:
        if jurisdiction != "BE":
            return await self._fallback.payslip(jurisdiction, breakdown, pay_date)
        return payslip_data(breakdown, self.run_belgian(breakdown, pay_date, self._default))

    async def run(self, request: PayrollRequest) -> PayslipData:
        if request.jurisdiction != "BE":
            return await self._fallback.payslip(
                request.jurisdiction, request.breakdown, request.pay_date
            )
        wage = self.run_belgian(request.breakdown, request.pay_date, request.employment)
        return payslip_data(request.breakdown, wage)
