"""A Belgian monthly salary: a part-time month's work bonus on its hours (H/U), and the
white-collar double holiday pay (May) and end-of-year premium (December) on top.

Figures written out by hand from the rules in ``docs/payroll-be.md``; the allowances' own
computation (rates, ONSS) is checked in ``test_exceptional_allowances.py``.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from domain.errors import InvalidAmount
from domain.payroll.be_payroll import belgian_payslip
from domain.payroll.be_salary_allowances import (
    BE_FULL_TIME_HOURS_PER_MONTH,
    SalaryMonthsPaid,
    allowances_due,
    belgian_salary_slip,
)
from domain.payroll.be_withholding import BelgianTaxRecord
from domain.payroll.be_work_bonus import work_bonus
from domain.payroll.employment import BelgianEmployment
from domain.payroll.monthly_salary import employer_cost_cents, monthly_salary_result

WHITE_COLLAR = BelgianEmployment()
FULL_YEAR = SalaryMonthsPaid(previous_year=12, this_year_before=11)
HALF_TIME = Decimal(19) * 52 / 12  # 19 h a week of 38


def test_part_time_month_gets_the_bonus_of_its_full_time_reference_pro_rata() -> None:
    # 1,500.00 for 19 h a week in September 2026: H/U = 0.50, S = 1,500 x 2 = 3,000.00.
    # Part A: 127.54 - 0.2739 x (3,000.00 - 2,937.93) = 110.54 (17.0010 off), x 0.50 = 55.27;
    # part B: 0 (S above 2,937.93). ONSS 13.07 % x 1,500.00 = 196.05 - 55.27 = 140.78.
    slip = belgian_salary_slip(
        150_000, WHITE_COLLAR, date(2026, 9, 1), date(2026, 9, 30), hours_per_month=HALF_TIME
    )
    assert slip.work_bonus.reference_cents == 300_000
    assert slip.work_bonus.fraction == Decimal("0.50")
    assert (slip.work_bonus.social_a_cents, slip.work_bonus.social_b_cents) == (5_527, 0)
    assert slip.employee_contributions_cents == 14_078
    # The fiscal bonus (33.14 % x 55.27 = 18.32) is capped at the withholding before it, 5.52.
    assert slip.fiscal_work_bonus_cents == 552
    assert slip.wage_tax_cents == 0
    assert slip.net_cents == 135_922
    # Read as a full-timer's month, the same gross would have had its whole ONSS waived.
    full_month = belgian_payslip(150_000, "standard", BelgianTaxRecord(), date(2026, 9, 30))
    assert full_month.employee_contributions_cents == 0


@pytest.mark.parametrize("hours", [None, Decimal(0), BE_FULL_TIME_HOURS_PER_MONTH, Decimal(200)])
def test_full_time_hours_or_none_is_a_full_month(hours: Decimal | None) -> None:
    slip = belgian_salary_slip(
        250_000, WHITE_COLLAR, date(2026, 9, 1), date(2026, 9, 30), hours_per_month=hours
    )
    assert slip.work_bonus.fraction == 1
    assert slip.work_bonus.reference_cents == 250_000


def test_days_and_hours_together_are_refused() -> None:
    with pytest.raises(InvalidAmount, match="not both"):
        work_bonus(
            100_000,
            "100",
            13_070,
            date(2026, 9, 30),
            days_worked=1,
            full_time_days=22,
            hours_worked=Decimal(8),
            full_time_hours=Decimal(38),
        )


def test_may_pays_the_double_holiday_pay_of_the_previous_year() -> None:
    # 92 % x 4,000.00 = 3,680.00 for 12 months of 2025; ONSS 13.07 % on 85/92 of it (3,400.00)
    # = 444.38; taxable 3,235.62; annual reference 12 x 3,477.20 = 41,726.40 -> 42.39 %: 1,371.58.
    slip = belgian_salary_slip(
        400_000,
        WHITE_COLLAR,
        date(2026, 5, 1),
        date(2026, 5, 29),
        paid=SalaryMonthsPaid(previous_year=12, this_year_before=4),
    )
    (pay,) = slip.allowances
    assert pay.kind == "double_holiday_pay"
    assert (pay.gross_cents, pay.employee_contributions_cents) == (368_000, 44_438)
    assert (pay.annual_reference_cents, pay.wage_tax_cents) == (4_172_640, 137_158)
    assert pay.employer_contributions_cents == 0
    assert slip.total_gross_cents == 768_000
    assert slip.total_net_cents == slip.net_cents + 186_404


def test_holiday_pay_is_pro_rata_of_last_year_s_salary_months() -> None:
    due = allowances_due(
        date(2026, 5, 1), 400_000, "standard", SalaryMonthsPaid(previous_year=3, this_year_before=4)
    )
    assert [(d.kind, d.gross_cents, d.months) for d in due] == [
        ("double_holiday_pay", 92_000, 3)  # 3,680.00 x 3 / 12
    ]
    assert allowances_due(date(2026, 5, 1), 400_000, "standard", SalaryMonthsPaid()) == ()


def test_december_pays_the_end_of_year_premium_after_six_months() -> None:
    # Six months of 2026 (December the sixth): 4,000.00 x 6 / 12 = 2,000.00; ONSS 261.40;
    # taxable 1,738.60 x 46.44 % = 807.41; employer 25 % = 500.00.
    slip = belgian_salary_slip(
        400_000,
        WHITE_COLLAR,
        date(2026, 12, 1),
        date(2026, 12, 31),
        paid=SalaryMonthsPaid(previous_year=0, this_year_before=5),
    )
    (premium,) = slip.allowances
    assert premium.kind == "end_of_year_premium"
    assert (premium.gross_cents, premium.employee_contributions_cents) == (200_000, 26_140)
    assert (premium.wage_tax_cents, premium.employer_contributions_cents) == (80_741, 50_000)
    five = SalaryMonthsPaid(previous_year=0, this_year_before=4)
    assert allowances_due(date(2026, 12, 1), 400_000, "standard", five) == ()


@pytest.mark.parametrize("contract", ["blue_collar", "artist"])
def test_manual_workers_and_artists_get_theirs_from_the_funds(contract: str) -> None:
    for month in (date(2026, 5, 1), date(2026, 12, 1)):
        assert allowances_due(month, 300_000, contract, FULL_YEAR) == ()  # type: ignore[arg-type]


def test_the_salary_month_carries_the_totals_and_its_cost() -> None:
    month = date(2026, 12, 1)
    result = monthly_salary_result(
        400_000, "BE", WHITE_COLLAR, month, date(2026, 12, 31), paid=FULL_YEAR
    )
    d = result.data
    # The regular 4,000.00 and a full 13th month of 4,000.00.
    assert d.gross_wage_cents == 800_000
    assert d.employer_contributions_cents == 200_000
    assert d.employer_cost_cents == d.employment_budget_cents == 1_000_000
    assert employer_cost_cents(400_000, "BE", WHITE_COLLAR, month, paid=FULL_YEAR) == 1_000_000
    assert d.net_wage_cents + d.employee_contributions_cents + d.wage_tax_cents == 800_000
    assert employer_cost_cents(400_000, "BE", WHITE_COLLAR, month) == 500_000  # none paid before


@settings(max_examples=150, deadline=None)
@given(
    gross=st.integers(min_value=50_000, max_value=1_200_000),
    month=st.sampled_from([date(2026, 5, 1), date(2026, 12, 1), date(2025, 5, 1)]),
    previous=st.integers(min_value=0, max_value=12),
    before=st.integers(min_value=0, max_value=11),
    hours=st.sampled_from([None, HALF_TIME, Decimal(80), Decimal(150)]),
    children=st.integers(min_value=0, max_value=4),
)
def test_every_salary_month_balances(
    gross: int, month: date, previous: int, before: int, hours: Decimal | None, children: int
) -> None:
    employment = BelgianEmployment(tax=BelgianTaxRecord(dependent_children=children))
    paid = SalaryMonthsPaid(previous_year=previous, this_year_before=before)
    pay_date = month.replace(day=28)
    slip = belgian_salary_slip(gross, employment, month, pay_date, paid=paid, hours_per_month=hours)
    assert (
        slip.total_net_cents + slip.total_employee_contributions_cents + (slip.total_wage_tax_cents)
        == slip.total_gross_cents
    )
    assert slip.total_employer_cost_cents == (
        slip.total_gross_cents + slip.total_employer_contributions_cents
    )
    assert slip.total_employer_cost_cents == employer_cost_cents(
        gross, "BE", employment, month, paid=paid
    )
    assert slip.work_bonus.social_cents >= 0
    assert slip.employee_contributions_cents >= 0
