"""The Belgian work bonus: worked cases written out from the ONSS formula, and its invariants."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from adapters.documents.payslip_builders import belgian_payslip_document
from adapters.documents.payslip_document import PayslipEmployer, PayslipMember
from adapters.documents.payslip_html import render_payslip_html
from domain.breakdown import compute_breakdown
from domain.errors import UnsupportedCase
from domain.payroll.be_engine import belgian_result
from domain.payroll.be_payroll import (
    CONTRACTS,
    BelgianContract,
    be_gross_for_budget,
    belgian_payslip,
    belgian_wage_from_budget,
    employer_contributions,
)
from domain.payroll.be_rates import be_rates_for
from domain.payroll.be_withholding import BelgianTaxRecord
from domain.payroll.be_work_bonus import (
    WORK_BONUS_PERIODS,
    WorkBonusGap,
    WorkBonusPeriod,
    fraction,
    reference_wage,
    work_bonus_period,
    work_days,
)
from domain.payroll.employment import BelgianEmployment, EmploymentPeriod
from domain.policy import policy_for

SINGLE = BelgianTaxRecord()

# (case, gross, contract, pay date, days worked / full-time days,
#  ONSS before bonus, part A, part B, ONSS after, withholding before, fiscal bonus granted,
#  withholding after, net)
CASES = [
    # Full-time white-collar at the minimum wage (RMMMG 2,154.11, Jan-Mar 2026, see
    # domain/salary_category.py), March 2026 figures:
    # ONSS 13.07 % x 2,154.11 = 281.54; S = 2,154.11 <= 2,218.73: part B 165.87, part A 123.00;
    # 288.87 > 281.54, so part B gives way: 281.54 - 123.00 = 158.54; ONSS after 0.
    # Taxable 2,154.11; x 12 = 25,849.32; expenses 30 % capped 6,070.00 -> 19,779.32;
    # 16,710 x 26.75 % = 4,469.93 + 3,069.32 x 42.80 % = 1,313.67 -> 5,783.60 - 2,987.98
    # = 2,795.62 / 12 = 232.97. Fiscal 123.00 x 33.14 % = 40.76 + 158.54 x 52.54 % = 83.30
    # = 124.06; withholding 108.91; net 2,154.11 - 108.91 = 2,045.20.
    ("minimum wage", 215_411, "standard", date(2026, 3, 31), None,
     28_154, 12_300, 15_854, 0, 23_297, 12_406, 10_891, 204_520),
    # SD Worx payslips of July and September 2025 (gross 2,732.94, quoted in a public
    # implementation's spec): ONSS 357.20, part A 120.59, part B 162.62 - 0.2699 x 557.69
    # = 12.0995 -> 12.10, fiscal 39.96 + 6.36 = 46.32 (their withholding adds a company car).
    ("SD Worx payslip 07/2025", 273_294, "standard", date(2025, 7, 25), None,
     35_720, 12_059, 1_210, 22_451, 40_098, 4_632, 35_466, 215_377),
    # Part B boundary, 2025 figures: S = 2,175.25, the whole of both parts (120.59 + 162.62
    # = 283.21 < ONSS 284.31): ONSS after 1.10.
    ("part B floor 2025", 217_525, "standard", date(2025, 3, 31), None,
     28_431, 12_059, 16_262, 110, 25_791, 12_540, 13_251, 204_164),
    # A/B boundary: S = 2,777.83, part B 162.62 - 0.2699 x 602.58 = -0.0163 -> 0; part A 120.59.
    ("part A floor 2025", 277_783, "standard", date(2025, 3, 31), None,
     36_306, 12_059, 0, 24_247, 41_251, 3_996, 37_255, 216_281),
    # Upper limit: part A 120.59 - 0.2443 x 493.65 = -0.0087 -> 0.
    ("upper limit 2025", 327_148, "standard", date(2025, 3, 31), None,
     42_758, 0, 0, 42_758, 54_456, 0, 54_456, 229_934),
    # Above the upper limit: the standard case of test_be_payroll, unchanged.
    ("above the limit", 350_000, "standard", date(2026, 3, 31), None,
     45_745, 0, 0, 45_745, 61_741, 0, 61_741, 242_514),
    # One day (Tuesday 15 September 2026) of 22 working days: J/D = 0.0455 -> 0.05;
    # S = 150.00 x 22 = 3,300.00; part A 127.54 - 0.2739 x 362.07 = 28.37; x 0.05 = 1.42.
    # ONSS 13.07 % x 150.00 = 19.61 - 1.42 = 18.19; no withholding, so no fiscal bonus.
    ("one day", 15_000, "standard", date(2026, 9, 30), (1, 22),
     1_961, 142, 0, 1_819, 0, 0, 0, 13_181),
    # One day at 100.00: S = 2,200.00, both parts whole (127.54 + 171.99), x 0.05 = 6.38
    # + 8.60; the ONSS 13.07 caps them: part B 13.07 - 6.38 = 6.69. Net = gross.
    ("one day, capped", 10_000, "standard", date(2026, 9, 30), (1, 22),
     1_307, 638, 669, 0, 0, 0, 0, 10_000),
    # Blue-collar, 3 days (8-10 June 2026) of 22: J/D = 0.1364 -> 0.14; S = 360.00 x 22 / 3
    # = 2,640.00; April 2026 manual figures: part A 135.04 (S <= 2,880.32), part B 182.11
    # - 0.2915 x 384.50 = 70.03; x 0.14: 18.91 + 9.80. ONSS 13.07 % x 388.80 = 50.82 - 28.71.
    ("3-day blue-collar", 36_000, "blue_collar", date(2026, 6, 30), (3, 22),
     5_082, 1_891, 980, 2_211, 0, 0, 0, 33_789),
    # Artist, full month, July 2026: base 2,700.00, ONSS 352.89; part A 137.74, part B
    # 185.75 - 0.2915 x 199.38 = 127.63; ONSS after 87.52; taxable 2,412.48; withholding
    # 28,949.76 - 6,070.00 = 22,879.76 -> 4,469.93 + 2,640.66 - 2,987.98 = 4,122.61 / 12
    # = 343.55; fiscal 45.65 + 67.06 = 112.71 -> 230.84; net 2,181.64.
    ("artist", 250_000, "artist", date(2026, 7, 31), None,
     35_289, 13_774, 12_763, 8_752, 34_355, 11_271, 23_084, 218_164),
]  # fmt: skip


@pytest.mark.parametrize("case", CASES, ids=[c[0] for c in CASES])
def test_worked_cases(case: tuple) -> None:  # type: ignore[type-arg]
    _, gross, contract, pay_date, days, onss, a, b, after, wh, fiscal, tax, net = case
    worked, full = days if days else (None, None)
    slip = belgian_payslip(
        gross, contract, SINGLE, pay_date, days_worked=worked, full_time_days=full
    )
    assert slip.employee_contributions_before_bonus_cents == onss
    assert (slip.work_bonus.social_a_cents, slip.work_bonus.social_b_cents) == (a, b)
    assert slip.employee_contributions_cents == after
    assert slip.wage_tax_before_bonus_cents == wh
    assert slip.fiscal_work_bonus_cents == fiscal
    assert slip.wage_tax_cents == tax
    assert slip.net_cents == net


def test_january_2025_uses_the_figures_of_may_2024() -> None:
    """Gross 3,000.00, white-collar, a full month, paid 31 Jan 2025: part A
    118.22 − 0.2442 × (3,000.00 − 2,723.36) = 118.22 − 67.56 = 50.66; part B 0 (S above
    2,723.36); ONSS 392.10 − 50.66 = 341.44; fiscal bonus 33.14 % × 50.66 = 16.79."""
    slip = belgian_payslip(300_000, "standard", SINGLE, date(2025, 1, 31))
    assert (slip.work_bonus.social_a_cents, slip.work_bonus.social_b_cents) == (5_066, 0)
    assert slip.employee_contributions_cents == 39_210 - 5_066
    assert slip.fiscal_work_bonus_cents == 1_679
    above = belgian_payslip(330_000, "standard", SINGLE, date(2025, 1, 31))
    assert above.work_bonus.social_cents == 0  # above 3,207.40


def test_periods_are_contiguous_and_consistent() -> None:
    for before, after in zip(WORK_BONUS_PERIODS, WORK_BONUS_PERIODS[1:], strict=False):
        assert (after.valid_from - before.valid_until).days == 1
    for period in WORK_BONUS_PERIODS:
        if isinstance(period, WorkBonusGap):
            continue
        assert isinstance(period, WorkBonusPeriod)
        assert period.white_collar_b.ceiling_cents == period.white_collar_a.floor_cents
        pairs = ((period.white_collar_a, period.manual_a), (period.white_collar_b, period.manual_b))
        for white, manual in pairs:
            # Manual workers' amounts are 108 % of the white-collar ones, on the same bands.
            assert manual.max_cents == round(white.max_cents * Decimal("1.08"))
            assert (manual.floor_cents, manual.ceiling_cents) == (
                white.floor_cents,
                white.ceiling_cents,
            )
            for part in (white, manual):
                band = Decimal(part.ceiling_cents - part.floor_cents)
                assert part.slope == (Decimal(part.max_cents) / band).quantize(Decimal("0.0001"))


def test_the_period_is_picked_by_the_payment_date() -> None:
    assert work_bonus_period(date(2026, 8, 31)).valid_from == date(2026, 7, 1)
    assert work_bonus_period(date(2026, 9, 1)).valid_from == date(2026, 9, 1)
    with pytest.raises(UnsupportedCase):
        work_bonus_period(date(2027, 1, 1))


def test_work_days_of_an_order() -> None:
    # September 2026 has 22 weekdays; June 2026 too.
    assert work_days(date(2026, 9, 15), date(2026, 9, 15)) == (1, 22)
    assert work_days(date(2026, 6, 8), date(2026, 6, 10)) == (3, 22)
    assert work_days(date(2026, 6, 6), date(2026, 6, 7)) == (2, 22)  # a weekend engagement
    assert work_days(date(2026, 6, 1), date(2026, 6, 30)) is None  # a whole month
    assert fraction(1, 22) == Decimal("0.05")
    assert fraction(30, 22) == Decimal(1)
    assert reference_wage(15_000, 1, 22) == 330_000


def test_an_order_of_a_few_days_gets_its_bonus_through_the_engine() -> None:
    pay_date = date(2026, 9, 30)
    policy = policy_for("BE", pay_date)
    breakdown = compute_breakdown(
        policy, net_cents=60_000, vat_rate=Decimal("0.21"), expenses_cents=0
    )
    employment = BelgianEmployment()
    period = EmploymentPeriod(start=date(2026, 9, 15), end=date(2026, 9, 15))
    one_day = belgian_result(breakdown, employment, pay_date, period)
    month = belgian_result(breakdown, employment, pay_date)
    assert one_day.data.gross_wage_cents == month.data.gross_wage_cents
    assert one_day.data.employer_cost_cents == month.data.employer_cost_cents
    # A few hundred euros for one day stand for 22 times as much a month: no bonus; the same
    # wage as a month's pay earns both parts whole, capped at its contribution.
    assert month.data.employee_contributions_cents == 0
    assert one_day.data.employee_contributions_cents > month.data.employee_contributions_cents


@st.composite
def wages(draw: st.DrawFn) -> tuple[int, BelgianContract, date, tuple[int, int] | None]:
    gross = draw(st.integers(min_value=1, max_value=800_000))
    contract = draw(st.sampled_from(CONTRACTS))
    pay_date = draw(
        st.sampled_from(
            [date(2025, 3, 31), date(2025, 12, 31), date(2026, 2, 2), date(2026, 3, 31),
             date(2026, 5, 15), date(2026, 7, 31), date(2026, 12, 31)]
        )
    )  # fmt: skip
    full = draw(st.integers(min_value=19, max_value=23))
    days = draw(st.none() | st.integers(min_value=1, max_value=full).map(lambda j: (j, full)))
    return gross, contract, pay_date, days


@settings(max_examples=400, deadline=None)
@given(wages())
def test_the_payslip_balances_and_the_bonus_stays_in_bounds(
    case: tuple[int, BelgianContract, date, tuple[int, int] | None],
) -> None:
    gross, contract, pay_date, days = case
    worked, full = days if days else (None, None)
    slip = belgian_payslip(
        gross, contract, SINGLE, pay_date, days_worked=worked, full_time_days=full
    )
    bonus = slip.work_bonus
    assert slip.net_cents + slip.employee_contributions_cents + slip.wage_tax_cents == gross
    assert bonus.social_a_cents >= 0
    assert bonus.social_b_cents >= 0
    assert 0 <= bonus.social_cents <= slip.employee_contributions_before_bonus_cents
    assert 0 <= slip.fiscal_work_bonus_cents <= slip.wage_tax_before_bonus_cents
    assert slip.wage_tax_cents >= 0
    period = work_bonus_period(pay_date)
    assert isinstance(period, WorkBonusPeriod)
    assert bonus.reference_cents is not None
    if bonus.reference_cents > period.max_reference_cents:
        assert bonus.social_cents == 0
        assert slip.fiscal_work_bonus_cents == 0


@settings(max_examples=300, deadline=None)
@given(
    st.integers(min_value=10_000, max_value=1_000_000),
    st.sampled_from(CONTRACTS),
    st.integers(min_value=1, max_value=22),
)
def test_the_budget_inverse_still_closes_to_the_cent(
    budget: int, contract: BelgianContract, worked: int
) -> None:
    pay_date = date(2026, 9, 30)
    rates = be_rates_for(pay_date)
    wage = belgian_wage_from_budget(
        budget, contract, SINGLE, pay_date, days_worked=worked, full_time_days=22
    )
    split = wage.split
    assert split == be_gross_for_budget(budget, contract, pay_date)
    assert wage.payslip.employer_cost_cents + split.remainder_cents == budget
    assert 0 <= split.remainder_cents <= 2
    more = split.gross_cents + 1
    assert more + employer_contributions(more, contract, rates).total_cents > budget


def test_the_payslip_document_shows_both_bonuses() -> None:
    slip = belgian_payslip(215_411, "standard", SINGLE, date(2026, 3, 31))
    document = belgian_payslip_document(
        payslip_id="order-43",
        payslip=slip,
        member=PayslipMember(member_id="7", name="Ada", address_lines=(), language="fr"),
        employer=PayslipEmployer(
            name="coopflow SCE",
            address_lines=(),
            enterprise_number="0896.755.397",
            social_security_number="051-1234567-89",
        ),
        period_start=date(2026, 3, 1),
        period_end=date(2026, 3, 31),
    )
    amounts = {line.kind: line.amount_cents for line in document.lines}
    assert amounts["employee_social_security"] == -28_154
    assert amounts["social_work_bonus"] == 28_154
    assert amounts["withholding_tax"] == -23_297
    assert amounts["fiscal_work_bonus"] == 12_406
    employee = [line.amount_cents for line in document.lines if line.section == "employee"]
    assert slip.gross_cents + sum(a for a in employee if a < 0) + 28_154 + 12_406 == 204_520
    assert "emploi fiscal (réduction du précompte)" in render_payslip_html(document)
