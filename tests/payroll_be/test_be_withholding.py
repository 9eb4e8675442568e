"""The key formula, worked by hand, and the cases it refuses."""

from __future__ import annotations

from datetime import date

import pytest

from domain.errors import InvalidAmount, UnsupportedCase
from domain.payroll.be_rates import be_rates_for
from domain.payroll.be_withholding import BelgianTaxRecord, belgian_withholding

RATES_2025 = be_rates_for(date(2025, 6, 30))
RATES_2026 = be_rates_for(date(2026, 6, 30))
SINGLE = BelgianTaxRecord()


def test_single_no_children_2026_every_step() -> None:
    # Gross 3,500.00, employee ONSS 13.07 % = 457.45, taxable 3,042.55 a month.
    # x 12 = 36,510.60; lump-sum expenses 30 % = 10,953.18, capped at 6,070.00;
    # net taxable 30,440.60; base tax 9,944.05 (top of the 42.80 % bracket at 29,500)
    # + 940.60 x 48.15 % = 452.8989 -> 452.90, = 10,396.95; less the tax on the tax-free
    # allowance 2,987.98 = 7,408.97 a year; / 12 = 617.414 -> 617.41 a month.
    w = belgian_withholding(304_255, SINGLE, RATES_2026)
    assert w.annual_taxable_cents == 3_651_060
    assert w.lump_sum_expenses_cents == 607_000
    assert w.annual_net_taxable_cents == 3_044_060
    assert w.base_tax_cents == 1_039_695
    assert w.tax_after_allowance_cents == 740_897
    assert w.family_reductions_cents == 0
    assert w.monthly_withholding_cents == 61_741


def test_single_no_children_2025() -> None:
    # 36,510.60 - 5,930.00 (2025 cap) = 30,580.60; 4,362.93 + 5,341.44 + 1,790.60 x 48.15 %
    # (= 862.1739 -> 862.17) = 10,566.54; - 2,915.75 = 7,650.79; / 12 = 637.5658 -> 637.57.
    w = belgian_withholding(304_255, SINGLE, RATES_2025)
    assert w.lump_sum_expenses_cents == 593_000
    assert w.base_tax_cents == 1_056_654
    assert w.monthly_withholding_cents == 63_757


def test_lump_sum_expenses_below_the_cap() -> None:
    # 1,000.00 a month: 12,000.00 a year, 30 % = 3,600.00 (under the cap); 8,400.00 at 26.75 %
    # = 2,247.00, less 2,987.98: nothing to withhold.
    w = belgian_withholding(100_000, SINGLE, RATES_2026)
    assert w.lump_sum_expenses_cents == 360_000
    assert w.base_tax_cents == 224_700
    assert w.monthly_withholding_cents == 0


def test_single_parent_with_two_children_2026() -> None:
    # 7,408.97 (as above) - 1,656.00 (two children, annex 3) - 624.00 (single parent,
    # annex 4, 1) = 5,128.97; / 12 = 427.414 -> 427.41.
    record = BelgianTaxRecord(dependent_children=2)
    w = belgian_withholding(304_255, record, RATES_2026)
    assert w.family_reductions_cents == 228_000
    assert w.monthly_withholding_cents == 42_741


def test_partner_with_own_income_and_one_child_2026() -> None:
    # Same scale as a single person, no single-parent supplement: 7,408.97 - 624.00 = 6,784.97;
    # / 12 = 565.414 -> 565.41.
    record = BelgianTaxRecord(family_situation="partner_with_income", dependent_children=1)
    assert belgian_withholding(304_255, record, RATES_2026).monthly_withholding_cents == 56_541


def test_children_above_eight_add_the_extra_amount() -> None:
    # Ten children: 21,996.00 for eight + 2 x 3,864.00; more than the tax, so capped at it.
    record = BelgianTaxRecord(family_situation="partner_with_income", dependent_children=10)
    w = belgian_withholding(800_000, record, RATES_2026)
    assert w.family_reductions_cents == min(2_199_600 + 2 * 386_400, w.tax_after_allowance_cents)


@pytest.mark.parametrize(
    ("record", "message"),
    [
        (BelgianTaxRecord(resident=False), "non-resident"),
        # Without the amount of the partner's pension the formula cannot choose its case.
        (BelgianTaxRecord(family_situation="partner_with_replacement_income"), "replacement"),
        # The legacy count does not say who is disabled (children count twice, others too).
        (BelgianTaxRecord(dependants_with_disability=1), "which dependants are disabled"),
        (BelgianTaxRecord(special_regime="artist_small_allowances"), "special regime"),
        (BelgianTaxRecord(special_regime="inbound_taxpayer"), "special regime"),
        (BelgianTaxRecord(remuneration_kind="holiday_pay"), "exceptional allowance"),
        (BelgianTaxRecord(remuneration_kind="end_of_year_bonus"), "exceptional allowance"),
    ],
)
def test_cases_outside_the_standard_formula_are_refused(
    record: BelgianTaxRecord, message: str
) -> None:
    with pytest.raises(UnsupportedCase, match=message):
        belgian_withholding(304_255, record, RATES_2026)


def test_a_negative_taxable_wage_is_refused() -> None:
    with pytest.raises(InvalidAmount):
        belgian_withholding(-1, SINGLE, RATES_2026)
