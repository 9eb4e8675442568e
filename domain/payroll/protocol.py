"""Payroll: from an order's breakdown to a payslip, behind one ``Payroll`` Protocol.

A ``PayrollRequest`` is one wage to compute: the order's breakdown, the pay date, the order's
period and the member's employment record (None while there is none). Whatever computes it
answers a ``PayrollResult``: the payslip's figures (``PayslipData``, what is stored and shown),
the cent or two of the budget no gross can spend, which engine computed it and that engine's
full payslip as JSON.

Implementations: ``EmploymentPayroll`` (the lifecycle's: the record picks the exact engine, no
record gives a provisional wage), ``PolicyPayroll`` (the policy's flat provisional rates),
``BelgianPayrollEngine`` (exact Belgian wages even without a record) and the payroll bureau's
export (``adapters.payroll_export``), which computes with an inner engine and files the result.
"""

from __future__ import annotations

from datetime import date
from typing import Literal, Protocol

from pydantic import BaseModel, ConfigDict

from domain.breakdown import OrderBreakdown
from domain.errors import UnsupportedCase
from domain.payroll.employment import EmploymentPeriod, MemberEmployment


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


class PayrollRequest(BaseModel):
    """One wage to compute. ``payslip_id`` names the payslip for whoever files it (the bureau
    export) and is stable across retries (e.g. ``order-42``); the member's id and name are there
    for the same reason. ``period_start`` and ``period_end`` are the order's actual first and
    last day: the employment the German engine prices."""

    model_config = ConfigDict(frozen=True)

    payslip_id: str
    jurisdiction: str
    member_id: str
    member_name: str
    breakdown: OrderBreakdown
    pay_date: date
    period_start: date
    period_end: date
    employment: MemberEmployment | None = None

    @property
    def period(self) -> EmploymentPeriod:
        return EmploymentPeriod(start=self.period_start, end=self.period_end)

    def record_mismatch(self) -> UnsupportedCase:
        """The refusal of an employment record of another jurisdiction than the order's."""
        return UnsupportedCase(
            f"the member's employment record is for another jurisdiction than the order "
            f"({self.jurisdiction}); correct the record"
        )


Engine = Literal["DE", "BE", "provisional"]


class PayrollResult(BaseModel):
    model_config = ConfigDict(frozen=True)

    data: PayslipData
    remainder_cents: int  # the budget less the employer cost: goes to the cooperative
    engine: Engine
    details: str  # the engine's full payslip as JSON


class Payroll(Protocol):
    async def run(self, request: PayrollRequest) -> PayrollResult: ...
