"""Late-payment interest: per calendar day, act/365, unrounded."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from domain.interest import accrued_interest
from domain.money import round_cents

DE_BUSINESS = Decimal("0.1027")


def test_worked_case_one_week_on_5712_euros() -> None:
    interest = accrued_interest(571200, DE_BUSINESS, date(2026, 3, 1), date(2026, 3, 8))
    # 571200 × 0.1027 × 7 / 365 = 410635.68 / 365
    assert interest == Decimal("410635.68") / 365
    assert interest.quantize(Decimal("0.01")) == Decimal("1125.03")
    assert round_cents(interest) == 1125


def test_one_day_is_one_365th_of_a_year() -> None:
    year = accrued_interest(100000, Decimal("0.10"), date(2026, 1, 1), date(2027, 1, 1))
    day = accrued_interest(100000, Decimal("0.10"), date(2026, 1, 1), date(2026, 1, 2))
    assert year == Decimal(10000)
    assert day * 365 == year


def test_leap_year_counts_366_days_over_365() -> None:
    interest = accrued_interest(36500, Decimal("0.10"), date(2028, 1, 1), date(2029, 1, 1))
    assert interest == Decimal(3660)


def test_interest_is_a_decimal_not_rounded() -> None:
    interest = accrued_interest(100, DE_BUSINESS, date(2026, 1, 1), date(2026, 1, 2))
    assert isinstance(interest, Decimal)
    assert interest != round_cents(interest)


@pytest.mark.parametrize(
    ("principal", "start", "end"),
    [
        (571200, date(2026, 3, 8), date(2026, 3, 8)),
        (571200, date(2026, 3, 9), date(2026, 3, 8)),
        (0, date(2026, 3, 1), date(2026, 3, 8)),
        (-100, date(2026, 3, 1), date(2026, 3, 8)),
    ],
)
def test_no_interest_without_days_or_principal(principal: int, start: date, end: date) -> None:
    assert accrued_interest(principal, DE_BUSINESS, start, end) == 0


principals = st.integers(min_value=1, max_value=10**11)
rates = st.sampled_from([Decimal("0.1027"), Decimal("0.0627"), Decimal("0.105")])
days = st.integers(min_value=0, max_value=3 * 366)


@settings(max_examples=300, deadline=None)
@given(principals, rates, st.dates(date(2025, 1, 1), date(2030, 12, 31)), days, days)
def test_interest_is_additive_over_split_periods(
    principal: int, rate: Decimal, a: date, first: int, second: int
) -> None:
    b = a + timedelta(days=first)
    c = b + timedelta(days=second)
    whole = accrued_interest(principal, rate, a, c)
    parts = accrued_interest(principal, rate, a, b) + accrued_interest(principal, rate, b, c)
    # Each division is rounded to the context's 28 significant digits, so the sum of the parts
    # may differ from the whole in the last place (about 1E-17 cents at these magnitudes):
    # far below anything that reaches a rounded cent.
    assert abs(whole - parts) <= Decimal("1E-15")


@settings(max_examples=200, deadline=None)
@given(principals, rates, st.dates(date(2025, 1, 1), date(2030, 12, 31)), days)
def test_interest_grows_with_time_and_principal(
    principal: int, rate: Decimal, start: date, n: int
) -> None:
    end = start + timedelta(days=n)
    interest = accrued_interest(principal, rate, start, end)
    assert interest >= 0
    assert accrued_interest(principal, rate, start, end + timedelta(days=1)) > interest
    assert accrued_interest(principal + 1, rate, start, end) >= interest
