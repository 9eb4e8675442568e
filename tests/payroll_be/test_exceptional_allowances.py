"""Exceptional allowances (Annex III points 53-55): double holiday pay and end-of-year premium,
worked line by line; figures and sources in ``domain.payroll.be_exceptional``."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from domain.errors import InvalidAmount, UnsupportedCase
from domain.payroll.be_exceptional import (
    EXCEPTIONAL_KINDS,
    EXCEPTIONAL_SCALES,
    ExceptionalKind,
    exceptional_allowance,
    exceptional_withholding,
)
from domain.payroll.be_rates import SECONDARY

JUNE_2026 = date(2026, 6, 30)
DECEMBER_2026 = date(2026, 12, 18)
# A white-collar wage of 4,000.00 a month: taxable 3,477.20, 41,726.40 a year (the reference).
ANNUAL_REFERENCE = 4_172_640


def test_the_double_holiday_pay_month() -> None:
    # Double holiday pay 92 % of 4,000.00 = 3,680.00. Special employee ONSS 13.07 % on its
    # first 85 % of the monthly wage, 3,680.00 x 85/92 = 3,400.00: 444.38; no employer
    # contribution. Taxable 3,235.62; reference 41,726.40 is in 34,640.01-45,860.00, holiday
    # pay column 42.39 %: 1,371.5793 -> 1,371.58; net 1,864.04.
    pay = exceptional_allowance(
        368_000, ANNUAL_REFERENCE, "double_holiday_pay", "standard", JUNE_2026
    )
    assert pay.social_security_base_cents == 340_000
    assert pay.employee_contributions_cents == 44_438
    assert pay.taxable_cents == 323_562
    assert pay.withholding_rate == Decimal("0.4239")
    assert pay.wage_tax_cents == 137_158
    assert pay.net_cents == 186_404
    assert pay.employer_contributions_cents == 0
    assert pay.employer_cost_cents == 368_000


def test_the_end_of_year_premium() -> None:
    # A 13th month of 4,000.00: ordinary ONSS, 522.80 and 1,000.00 employer (25 %); taxable
    # 3,477.20 at the other allowances' 46.44 %: 1,614.81168 -> 1,614.81; net 1,862.39.
    pay = exceptional_allowance(
        400_000, ANNUAL_REFERENCE, "end_of_year_premium", "standard", DECEMBER_2026
    )
    assert (pay.employee_contributions_cents, pay.taxable_cents) == (52_280, 347_720)
    assert pay.withholding_rate == Decimal("0.4644")
    assert pay.wage_tax_cents == 161_481
    assert pay.net_cents == 186_239
    assert pay.employer_cost_cents == 500_000


def test_an_artists_end_of_year_premium_pays_on_108_percent() -> None:
    pay = exceptional_allowance(
        400_000, ANNUAL_REFERENCE, "end_of_year_premium", "artist", DECEMBER_2026
    )
    assert pay.social_security_base_cents == 432_000
    assert pay.employee_contributions_cents == 56_462  # 4,320.00 x 13.07 %


def test_the_2025_scale_from_two_sources() -> None:
    # 2025: up to 10,415.00 nothing; from 10,415.01 19.17 % / 23.22 %; above 58,460.00 53.50 %.
    assert exceptional_withholding(100_000, 1_041_500, "double_holiday_pay", date(2025, 6, 1)) == (
        Decimal(0),
        0,
    )
    assert exceptional_withholding(
        100_000, 1_041_501, "end_of_year_premium", date(2025, 12, 1)
    ) == (
        Decimal("0.2322"),
        23_220,
    )
    rate, _ = exceptional_withholding(100_000, 5_846_001, "double_holiday_pay", date(2025, 6, 1))
    assert rate == Decimal("0.5350")


def test_dependent_children_exempt_part_and_reduce_the_rest() -> None:
    # 2025, reference 20,000.00, two children: rate 30.28 % (16,960.01-20,340.00); exempt up to
    # the limit 21,930.00, 1,930.00 of the allowance; reduced by 20 % (reference <= 28,245.00).
    # Taxable premium 3,000.00: (3,000.00 - 1,930.00) x 30.28 % x 80 % = 259.1968 -> 259.20.
    rate, tax = exceptional_withholding(
        300_000, 2_000_000, "end_of_year_premium", date(2025, 12, 1), children=2
    )
    assert (rate, tax) == (Decimal("0.3028"), 25_920)
    assert exceptional_withholding(
        150_000, 2_000_000, "end_of_year_premium", date(2025, 12, 1), children=2
    ) == (Decimal("0.3028"), 0)


def test_periods_without_figures_are_refused() -> None:
    with pytest.raises(UnsupportedCase, match="2027-01-05"):
        exceptional_withholding(100_000, ANNUAL_REFERENCE, "end_of_year_premium", date(2027, 1, 5))
    with pytest.raises(UnsupportedCase, match="2024-12-31"):
        exceptional_withholding(100_000, ANNUAL_REFERENCE, "double_holiday_pay", date(2024, 12, 31))


def test_blue_collar_holiday_pay_is_the_holiday_funds() -> None:
    with pytest.raises(UnsupportedCase, match="holiday fund"):
        exceptional_allowance(
            368_000, ANNUAL_REFERENCE, "double_holiday_pay", "blue_collar", JUNE_2026
        )


def test_negative_amounts_are_refused() -> None:
    with pytest.raises(InvalidAmount):
        exceptional_withholding(-1, ANNUAL_REFERENCE, "end_of_year_premium", JUNE_2026)


def test_every_scale_names_its_sources() -> None:
    for scale in EXCEPTIONAL_SCALES:
        assert set(scale.sources) == {
            "brackets",
            "child_exemption_limits_cents",
            "child_reductions",
            "holiday_pay_onss_share",
        }
    assert SECONDARY not in EXCEPTIONAL_SCALES[0].sources["brackets"]  # two sources in 2025
    assert SECONDARY in EXCEPTIONAL_SCALES[1].sources["brackets"]  # one in 2026


@settings(max_examples=300, deadline=None)
@given(
    st.integers(0, 5_000_000),
    st.integers(0, 15_000_000),
    st.sampled_from(EXCEPTIONAL_KINDS),
    st.sampled_from([date(2025, 6, 1), JUNE_2026]),
    st.integers(0, 14),
)
def test_the_withholding_is_never_negative_and_children_never_raise_it(
    amount: int, reference: int, kind: ExceptionalKind, on: date, children: int
) -> None:
    rate, tax = exceptional_withholding(amount, reference, kind, on, children=children)
    assert 0 <= tax <= amount
    assert Decimal(0) <= rate <= Decimal("0.5350")
    _, with_one_more = exceptional_withholding(amount, reference, kind, on, children=children + 1)
    assert with_one_more <= tax
