"""Dated Belgian figures: the payment date picks the year, and the encoded scales are
consistent with the amounts printed in the formule-clé documents."""

from __future__ import annotations

from datetime import date

import pytest

from domain.errors import UnsupportedCase
from domain.money import percent_of
from domain.payroll.be_rates import BELGIAN_RATES, BelgianRates, be_rates_for


@pytest.mark.parametrize(
    ("pay_date", "year"),
    [
        (date(2025, 1, 1), 2025),
        (date(2025, 12, 31), 2025),
        (date(2026, 1, 1), 2026),
        (date(2026, 12, 31), 2026),
    ],
)
def test_the_payment_date_picks_the_year(pay_date: date, year: int) -> None:
    assert be_rates_for(pay_date).valid_from == date(year, 1, 1)


@pytest.mark.parametrize("pay_date", [date(2024, 12, 31), date(2027, 1, 1)])
def test_a_year_without_figures_is_refused_not_guessed(pay_date: date) -> None:
    with pytest.raises(UnsupportedCase, match="only 2025, 2026 are encoded"):
        be_rates_for(pay_date)


def test_the_years_follow_each_other_without_gap_or_overlap() -> None:
    for earlier, later in zip(BELGIAN_RATES, BELGIAN_RATES[1:], strict=False):
        assert (later.valid_from - earlier.valid_until).days == 1


@pytest.mark.parametrize(
    ("year", "cumulated"),
    [
        # Annex 1 prints the tax at the top of each bracket:
        # 2025: 16,310 x 26.75 % = 4,362.925 -> 4,362.93; + 12,480 x 42.80 % = 5,341.44 ->
        #       9,704.37; + 21,030 x 48.15 % = 10,125.945 -> 10,125.95 -> 19,830.32.
        (2025, (436_293, 970_437, 1_983_032)),
        # 2026: 16,710 x 26.75 % = 4,469.925 -> 4,469.93; + 12,790 x 42.80 % = 5,474.12 ->
        #       9,944.05; + 21,550 x 48.15 % = 10,376.325 -> 10,376.33 -> 20,320.38.
        (2026, (446_993, 994_405, 2_032_038)),
    ],
)
def test_bracket_tops_match_the_published_cumulated_tax(
    year: int, cumulated: tuple[int, int, int]
) -> None:
    brackets = be_rates_for(date(year, 6, 1)).withholding.brackets
    total = 0
    tops = []
    for lower, upper in zip(brackets, brackets[1:], strict=False):
        total += percent_of(upper.above_cents - lower.above_cents, lower.rate)
        tops.append(total)
    assert tuple(tops) == cumulated


@pytest.mark.parametrize("rates", BELGIAN_RATES, ids=lambda r: str(r.valid_from.year))
def test_the_tax_on_the_tax_free_allowance_is_the_first_rate_on_it(rates: BelgianRates) -> None:
    scale = rates.withholding
    # 2025: 10,900 x 26.75 % = 2,915.75; 2026: 11,170 x 26.75 % = 2,987.975 -> 2,987.98.
    assert scale.exempt_allowance_tax_cents == percent_of(
        scale.exempt_allowance_cents, scale.brackets[0].rate
    )


def test_contribution_rates_are_the_published_ones() -> None:
    for rates in BELGIAN_RATES:
        assert str(rates.employee_rate) == "0.1307"
        assert str(rates.employer_basic_rate) == "0.2500"  # 19.88 % + 5.12 % wage moderation
        assert str(rates.blue_collar_base_factor) == "1.08"
