"""The Belgian payroll engine behind the ``Payroll`` Protocol (``domain.payroll.protocol``).

``belgian_result`` spends an order's employment budget on one wage with the exact Belgian rules
(``domain.payroll.be_payroll``): the largest gross whose employer cost fits the budget, then
employee ONSS, the key-formula withholding tax and the net, with the work bonus. The budget less
the employer cost (a cent or two no gross can spend) is the result's ``remainder_cents``. The
order's period gives the days worked (``be_work_bonus.work_days``): an order of a few days gets
the work bonus of its full-time reference wage, pro rata.

``BelgianPayrollEngine`` computes Belgian wages even without the member's record: a request
without one is priced with the engine's ``default_employment`` (standard contract, single, no
children unless configured). Orders of other jurisdictions go to a fallback engine
(``PolicyPayroll`` unless told otherwise). The lifecycle's engine is ``EmploymentPayroll``,
which makes a wage without a record provisional instead.
"""

from __future__ import annotations

from datetime import date

from domain.breakdown import OrderBreakdown
from domain.payroll.be_payroll import BelgianPayslip, belgian_wage_from_budget
from domain.payroll.be_work_bonus import work_days
from domain.payroll.employment import BelgianEmployment, EmploymentPeriod
from domain.payroll.protocol import Payroll, PayrollRequest, PayrollResult, PayslipData
from domain.payroll.provisional import PolicyPayroll


def belgian_result(
    breakdown: OrderBreakdown,
    employment: BelgianEmployment,
    pay_date: date,
    period: EmploymentPeriod | None = None,
) -> PayrollResult:
    """The exact Belgian wage the order's budget pays (pure; raises domain errors). Without a
    period, or with one covering a full month's working days, the wage is a full month's."""
    days = work_days(period.start, period.end) if period is not None else None
    wage = belgian_wage_from_budget(
        breakdown.employment_budget_cents,
        employment.contract,
        employment.tax,
        pay_date,
        days_worked=days[0] if days else None,
        full_time_days=days[1] if days else None,
    )
    return belgian_payroll_result(
        wage.payslip,
        breakdown.employment_budget_cents,
        breakdown.expenses_cents,
        wage.split.remainder_cents,
    )


def belgian_payroll_result(
    slip: BelgianPayslip, budget_cents: int, expenses_cents: int, remainder_cents: int
) -> PayrollResult:
    """A Belgian payslip as the ``Payroll`` Protocol's result (the order's wage and the
    monthly salary, whose allowances count in its figures)."""
    data = PayslipData(
        pay_date=slip.pay_date,
        employment_budget_cents=budget_cents,
        gross_wage_cents=slip.total_gross_cents,
        employee_contributions_cents=slip.total_employee_contributions_cents,
        employer_contributions_cents=slip.total_employer_contributions_cents,
        wage_tax_cents=slip.total_wage_tax_cents,
        net_wage_cents=slip.total_net_cents,
        expenses_cents=expenses_cents,
        employer_cost_cents=slip.total_employer_cost_cents,
    )
    return PayrollResult(
        data=data,
        remainder_cents=remainder_cents,
        engine="BE",
        details=slip.model_dump_json(),
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

    async def run(self, request: PayrollRequest) -> PayrollResult:
        if request.jurisdiction != "BE":
            return await self._fallback.run(request)
        employment = request.employment if request.employment is not None else self._default
        if not isinstance(employment, BelgianEmployment):
            raise request.record_mismatch()
        return belgian_result(request.breakdown, employment, request.pay_date, request.period)
