"""The salary category rule: minimum wage for the hours, the average budget's maximum, the
month-end decision and when a change takes effect."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from domain.errors import InvalidAmount, SalaryCategoryRefused, UnsupportedCase
from domain.salary_category import (
    BE_SALARY_POLICY,
    DE_SALARY_POLICY,
    SalaryPolicy,
    average_monthly_budget_cents,
    check_category,
    first_month_of_change,
    minimum_gross_cents,
    month_end_decision,
    salary_range,
)
from tests.payroll_de.factories import record

JUNE = date(2026, 6, 1)
DE_CLASS_I = record()
# Six months whose average employment budget is exactly €3,711.00: a €3,000.00 gross (23.70 %).
SIX_MONTHS = [300_000, 442_200, 371_100, 0, 600_000, 513_300]


def test_german_minimum_is_the_hourly_mindestlohn_times_the_hours() -> None:
    assert minimum_gross_cents("DE", Decimal(160), JUNE) == 222_400  # 160 x €13.90
    assert minimum_gross_cents("DE", Decimal("86.5"), JUNE) == 120_235  # 86.5 x €13.90
    assert minimum_gross_cents("DE", Decimal(160), date(2027, 1, 1)) == 233_600  # x €14.60


def test_belgian_minimum_is_the_full_time_income_pro_rata() -> None:
    full_time = Decimal(38) * 52 / 12
    assert minimum_gross_cents("BE", full_time, date(2026, 1, 1)) == 215_411
    # 76 h a month: 2,154.11 x 76 / 164.67 = 994.2046... → €994.20
    assert minimum_gross_cents("BE", Decimal(76), date(2026, 3, 1)) == 99_420


@pytest.mark.parametrize(
    ("jurisdiction", "month"),
    [("DE", date(2028, 1, 1)), ("BE", date(2026, 4, 1)), ("DE", date(2025, 12, 1))],
)
def test_a_month_without_a_published_minimum_is_refused(jurisdiction: str, month: date) -> None:
    with pytest.raises(UnsupportedCase, match=r"minimum wage|salary-category policy"):
        minimum_gross_cents(jurisdiction, Decimal(160), month)


def test_unpublished_minimum_names_what_to_add() -> None:
    with pytest.raises(UnsupportedCase) as info:
        minimum_gross_cents("DE", Decimal(160), date(2028, 1, 1))
    assert "2028-01" in info.value.message
    assert "2027-12-31" in info.value.message


def test_hours_must_be_positive() -> None:
    with pytest.raises(InvalidAmount):
        minimum_gross_cents("DE", Decimal(0), JUNE)


def test_average_over_the_last_months() -> None:
    policy = DE_SALARY_POLICY
    assert average_monthly_budget_cents([], policy) == 0
    assert average_monthly_budget_cents(SIX_MONTHS, policy) == 371_100
    # Only the last six count.
    assert average_monthly_budget_cents([9_999_999, 1, *SIX_MONTHS], policy) == 371_100
    # A short history is divided by at least three months.
    assert average_monthly_budget_cents([600_000], policy) == 200_000
    assert average_monthly_budget_cents([300_000, 600_000, 300_000, 400_000], policy) == 400_000
    # Rounded once, half-up.
    assert average_monthly_budget_cents([1, 0, 0], policy) == 0
    assert average_monthly_budget_cents([2, 0, 0], policy) == 1
    with pytest.raises(InvalidAmount):
        average_monthly_budget_cents([100, -1], policy)


def test_salary_range_from_the_minimum_to_what_the_average_pays() -> None:
    allowed = salary_range(SIX_MONTHS, "DE", DE_CLASS_I, Decimal(160), JUNE)
    assert allowed.minimum_gross_cents == 222_400
    assert allowed.average_budget_cents == 371_100
    assert allowed.maximum_gross_cents == 300_000
    assert allowed.supported
    thin = salary_range([150_000] * 6, "DE", DE_CLASS_I, Decimal(160), JUNE)
    assert not thin.supported


def test_check_category_accepts_within_the_range() -> None:
    for gross in (222_400, 250_000, 300_000):
        check_category(gross, Decimal(160), "DE", DE_CLASS_I, JUNE, SIX_MONTHS)


def test_below_the_minimum_is_refused_with_the_figures() -> None:
    with pytest.raises(SalaryCategoryRefused) as info:
        check_category(222_399, Decimal(160), "DE", DE_CLASS_I, JUNE, SIX_MONTHS)
    message = info.value.message
    assert "€2,223.99" in message
    assert "€2,224.00" in message
    assert "€13.90 an hour" in message
    assert "160 hours" in message
    assert info.value.code == "salary-category-refused"


def test_above_what_the_budget_supports_is_refused_with_the_figures() -> None:
    with pytest.raises(SalaryCategoryRefused) as info:
        check_category(300_001, Decimal(160), "DE", DE_CLASS_I, JUNE, SIX_MONTHS)
    message = info.value.message
    assert "at most €3,000.00" in message
    assert "€3,711.00" in message
    assert "6 months" in message


def test_belgian_category_without_a_record() -> None:
    months = [500_000] * 6
    allowed = check_category(300_000, Decimal(120), "BE", None, date(2026, 2, 1), months)
    # 2,154.11 x 120 x 12 / (38 x 52) = 1,569.7968 → €1,569.80
    assert allowed.minimum_gross_cents == 156_980
    assert allowed.maximum_gross_cents == 393_701  # 5,000.00 / 1.27, the largest that fits


def test_month_end_messages() -> None:
    paid = month_end_decision(500_000, 371_100, 0, DE_SALARY_POLICY)
    assert (paid.pay, paid.negative_months, paid.budget_after_cents) == (True, 0, 128_900)
    assert paid.message == "salary paid; budget €1,289.00 after it"

    below = month_end_decision(247_644, 371_100, 0, DE_SALARY_POLICY)
    assert (below.pay, below.negative_months) == (True, 1)
    assert below.message == (
        "budget -€1,234.56 after this salary: the 1st month below zero (1 allowed)"
    )

    paused = month_end_decision(-1_234, 371_100, 1, DE_SALARY_POLICY)
    assert (paused.pay, paused.negative_months, paused.budget_after_cents) == (False, 2, -1_234)
    assert paused.message == (
        "salary paused: the budget would stay below zero for a 2nd month in a row "
        "(1 allowed); it resumes when the budget carries it"
    )

    resumed = month_end_decision(400_000, 371_100, 2, DE_SALARY_POLICY)
    assert (resumed.pay, resumed.negative_months) == (True, 0)


def test_a_pause_with_the_budget_at_or_above_zero_ends_the_streak() -> None:
    paused = month_end_decision(100_000, 371_100, 1, BE_SALARY_POLICY)
    assert (paused.pay, paused.negative_months, paused.budget_after_cents) == (False, 0, 100_000)


@settings(max_examples=200, deadline=None)
@given(
    allowed=st.integers(min_value=0, max_value=3),
    cost=st.integers(min_value=1, max_value=500_000),
    start=st.integers(min_value=-500_000, max_value=1_000_000),
    incomes=st.lists(st.integers(min_value=0, max_value=900_000), min_size=1, max_size=24),
)
def test_never_pays_below_zero_beyond_the_allowance(
    allowed: int, cost: int, start: int, incomes: list[int]
) -> None:
    policy = SalaryPolicy(
        jurisdiction="DE",
        valid_from=date(2026, 1, 1),
        months_averaged=6,
        min_months_divisor=3,
        max_negative_months=allowed,
        minimum_wages=(),
        why="test",
    )
    budget, streak, negative_after_paying = start, 0, 0
    for income in incomes:
        available = budget + income
        decision = month_end_decision(available, cost, streak, policy)
        budget = decision.budget_after_cents
        assert budget == (available - cost if decision.pay else available)
        if decision.pay and budget < 0:
            negative_after_paying += 1
            assert negative_after_paying <= allowed
            assert decision.negative_months <= allowed
        elif budget >= 0:
            negative_after_paying = 0
        if decision.pay and budget >= 0:
            assert decision.negative_months == 0
        if not decision.pay:
            assert available - cost < 0
            assert streak >= allowed
        streak = decision.negative_months
        assert (streak > 0) == (budget < 0)


@pytest.mark.parametrize(
    ("requested", "effective"),
    [
        (date(2026, 6, 1), date(2026, 7, 1)),
        (date(2026, 6, 15), date(2026, 7, 1)),
        (date(2026, 6, 30), date(2026, 7, 1)),
        (date(2026, 12, 31), date(2027, 1, 1)),
    ],
)
def test_a_change_takes_effect_the_first_of_the_next_month(
    requested: date, effective: date
) -> None:
    assert first_month_of_change(requested) == effective
