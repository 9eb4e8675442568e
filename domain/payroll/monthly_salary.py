"""The monthly salary: a member's salary category (a gross per month) paid for a whole month.

A member in monthly mode is paid at month end the gross of their salary category, out of their
employment budget, instead of a wage per order. ``monthly_salary_result`` is the exact payslip
of that gross for the whole calendar month, with the engine the employment record picks (as
``EmploymentPayroll`` does for an order):

- DE with an ``EmploymentRecordDE``: the German engine over the whole month (30 SV-days: the
  full monthly ceilings and the monthly wage-tax table).
- BE with a ``BelgianEmployment``: the Belgian engine (monthly figures), a part-time month's work
  bonus on its hours (``H/U``), and the white-collar double holiday pay (May) and end-of-year
  premium (December) on top (``be_salary_allowances``).
- No record: the policy's flat rates, flagged provisional (``domain.payroll.provisional``).
- A record of the other jurisdiction: refused as an order's wage is.

``employer_cost_cents`` is the same computation's employer cost (contributions and levies, no
wage tax: cheap enough for the month-end loop) and ``gross_for_employer_cost`` the largest
gross whose whole-month employer cost fits a budget (the engines' own inverses).

Rates are chosen by date. The payslip uses ``pay_date``; the cost functions, which have no pay
date, price on the month's last day: a salary paid on that day costs exactly what they say.
"""

from __future__ import annotations

import calendar
from datetime import date
from decimal import Decimal

from domain.errors import InvalidAmount, InvalidPeriod, UnsupportedCase
from domain.payroll.be_engine import belgian_payroll_result
from domain.payroll.be_payroll import be_gross_for_budget, employer_contributions
from domain.payroll.be_rates import be_rates_for
from domain.payroll.be_salary_allowances import (
    SalaryMonthsPaid,
    allowances_employer_cost,
    belgian_salary_slip,
)
from domain.payroll.de_engine import (
    GermanPayrollEngine,
    german_payroll_result,
    german_payslip,
    gross_for_budget,
)
from domain.payroll.employment import (
    BelgianEmployment,
    EmploymentPeriod,
    EmploymentRecordDE,
    MemberEmployment,
)
from domain.payroll.protocol import PayrollResult
from domain.payroll.provisional import (
    provisional_employer_cost,
    provisional_gross_for_cost,
    provisional_salary_result,
)
from domain.policy import Jurisdiction, JurisdictionPolicy, policy_for

_DE_ENGINE = GermanPayrollEngine()


def month_end(month: date) -> date:
    """The last day of ``month``'s calendar month."""
    return month.replace(day=calendar.monthrange(month.year, month.month)[1])


def whole_month(month: date) -> EmploymentPeriod:
    """The calendar month that starts on ``month`` (refused unless it is a first day)."""
    if month.day != 1:
        raise InvalidPeriod(f"a salary month is given by its first day, not {month.isoformat()}")
    return EmploymentPeriod(start=month, end=month_end(month))


def _jurisdiction(jurisdiction: str) -> Jurisdiction:
    if jurisdiction == "DE":
        return "DE"
    if jurisdiction == "BE":
        return "BE"
    raise UnsupportedCase(f"no payroll for jurisdiction {jurisdiction!r}")


def _mismatch(jurisdiction: str) -> UnsupportedCase:
    # The same sentence as ``PayrollRequest.record_mismatch``.
    return UnsupportedCase(
        f"the member's employment record is for another jurisdiction than the order "
        f"({jurisdiction}); correct the record"
    )


def _flat_policy(jurisdiction: str, on: date) -> JurisdictionPolicy:
    try:
        return policy_for(_jurisdiction(jurisdiction), on)
    except LookupError as exc:
        raise UnsupportedCase(str(exc)) from exc


def _record(
    jurisdiction: str, employment: MemberEmployment | None
) -> EmploymentRecordDE | BelgianEmployment | None:
    """The record the engine uses: None for the flat rates; refuses a mismatch."""
    _jurisdiction(jurisdiction)
    if employment is None:
        return None
    if isinstance(employment, EmploymentRecordDE) and jurisdiction == "DE":
        return employment
    if isinstance(employment, BelgianEmployment) and jurisdiction == "BE":
        return employment
    raise _mismatch(jurisdiction)


def monthly_salary_result(
    gross_cents: int,
    jurisdiction: str,
    employment: MemberEmployment | None,
    month: date,
    pay_date: date,
    *,
    paid: SalaryMonthsPaid | None = None,
    hours_per_month: Decimal | None = None,
) -> PayrollResult:
    """The payslip of ``gross_cents`` for the whole month starting on ``month``, paid on
    ``pay_date``. Its budget is its employer cost: nothing left over, no expenses. ``paid``: the
    salary months already paid (the Belgian allowances' pro rata); ``hours_per_month``: the
    arrangement's hours (a Belgian part-time month's work bonus)."""
    period = whole_month(month)
    if gross_cents <= 0:
        raise InvalidAmount("a salary's gross must be positive")
    if pay_date < month:
        raise InvalidPeriod(
            f"a salary for {month:%Y-%m} cannot be paid before the month ({pay_date.isoformat()})"
        )
    record = _record(jurisdiction, employment)
    if isinstance(record, EmploymentRecordDE):
        de = german_payslip(gross_cents, record, pay_date, period)
        return german_payroll_result(de, de.employer_cost_cents, 0, 0)
    if isinstance(record, BelgianEmployment):
        slip = belgian_salary_slip(
            gross_cents, record, month, pay_date, paid=paid, hours_per_month=hours_per_month
        )
        return belgian_payroll_result(slip, slip.total_employer_cost_cents, 0, 0)
    return provisional_salary_result(gross_cents, _flat_policy(jurisdiction, pay_date), pay_date)


def employer_cost_cents(
    gross_cents: int,
    jurisdiction: str,
    employment: MemberEmployment | None,
    month: date,
    *,
    paid: SalaryMonthsPaid | None = None,
) -> int:
    """What a whole month's salary of ``gross_cents`` costs the member's budget (gross and
    everything the employer pays on top, the Belgian allowances of the month included), priced
    on the month's last day."""
    period = whole_month(month)
    if gross_cents < 0:
        raise InvalidAmount(f"a gross cannot be negative: {gross_cents}")
    on = period.end
    record = _record(jurisdiction, employment)
    if isinstance(record, EmploymentRecordDE):
        return gross_cents + _DE_ENGINE.employer_on_top(gross_cents, record, on, period)
    if isinstance(record, BelgianEmployment):
        contract = record.contract
        return (
            gross_cents
            + employer_contributions(gross_cents, contract, be_rates_for(on)).total_cents
            + allowances_employer_cost(month, gross_cents, contract, paid or SalaryMonthsPaid(), on)
        )
    return provisional_employer_cost(gross_cents, _flat_policy(jurisdiction, on))


def gross_for_employer_cost(
    budget_cents: int, jurisdiction: str, employment: MemberEmployment | None, month: date
) -> int:
    """The largest whole-month gross whose employer cost (``employer_cost_cents``) fits
    ``budget_cents``. In the German Übergangsbereich the cost can dip where the gross rises by
    a cent, so the cost of the next cent may fit again: the answer is the engine's, the
    largest gross that fits at all."""
    period = whole_month(month)
    on = period.end
    record = _record(jurisdiction, employment)
    if isinstance(record, EmploymentRecordDE):
        return gross_for_budget(budget_cents, record, on, period).gross_cents
    if isinstance(record, BelgianEmployment):
        return be_gross_for_budget(budget_cents, record.contract, on).gross_cents
    return provisional_gross_for_cost(budget_cents, _flat_policy(jurisdiction, on))
