"""Belgian payslips worked by hand, and the budget split balancing to the cent."""

from __future__ import annotations

from datetime import date

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from domain.errors import InvalidAmount, UnsupportedCase
from domain.payroll.be_payroll import (
    CONTRACTS,
    BelgianContract,
    be_gross_for_budget,
    be_payroll_entry,
    belgian_payslip,
    belgian_wage_from_budget,
    employer_contributions,
)
from domain.payroll.be_rates import be_rates_for
from domain.payroll.be_withholding import BelgianTaxRecord, FamilySituation

SINGLE = BelgianTaxRecord()
MARCH_2026 = date(2026, 3, 31)
MARCH_2025 = date(2025, 3, 31)


def test_standard_employee_3500_single_2026() -> None:
    # Gross 3,500.00 a month, white-collar, single, no children, paid 31 March 2026.
    # Employee ONSS 13.07 % x 3,500.00 = 457.45; taxable 3,042.55.
    # Withholding (key formula 2026, worked in test_be_withholding): 617.41.
    # Net 3,042.55 - 617.41 = 2,425.14.
    # Employer basic contribution 25 % x 3,500.00 = 875.00; employer cost 4,375.00.
    slip = belgian_payslip(350_000, "standard", SINGLE, MARCH_2026)
    assert slip.rates_valid_from == date(2026, 1, 1)
    assert slip.social_security_base_cents == 350_000
    assert slip.employee_contributions_cents == 45_745
    assert slip.taxable_cents == 304_255
    assert slip.wage_tax_cents == 61_741
    assert slip.net_cents == 242_514
    assert slip.employer_basic_contributions_cents == 87_500
    assert slip.employer_holiday_contributions_cents == 0
    assert slip.employer_cost_cents == 437_500
    assert slip.special_social_security_withheld is False


def test_artist_4000_on_the_108_percent_base_2026() -> None:
    # Gross 4,000.00, artist (manual workers' holiday scheme): base 108 % = 4,320.00.
    # Employee ONSS 13.07 % x 4,320.00 = 564.624 -> 564.62; taxable 4,000.00 - 564.62 = 3,435.38.
    # Withholding: x 12 = 41,224.56; - 6,070.00 = 35,154.56; 9,944.05 + 5,654.56 x 48.15 %
    # (= 2,722.67064 -> 2,722.67) = 12,666.72; - 2,987.98 = 9,678.74; / 12 = 806.5617 -> 806.56.
    # Net 3,435.38 - 806.56 = 2,628.82.
    # Employer: 25 % x 4,320.00 = 1,080.00, holiday 15.84 % x 4,320.00 = 684.288 -> 684.29;
    # contributions 1,764.29, employer cost 5,764.29.
    slip = belgian_payslip(400_000, "artist", SINGLE, MARCH_2026)
    assert slip.social_security_base_cents == 432_000
    assert slip.employee_contributions_cents == 56_462
    assert slip.taxable_cents == 343_538
    assert slip.wage_tax_cents == 80_656
    assert slip.net_cents == 262_882
    assert slip.employer_basic_contributions_cents == 108_000
    assert slip.employer_holiday_contributions_cents == 68_429
    assert slip.employer_contributions_cents == 176_429
    assert slip.employer_cost_cents == 576_429


def test_blue_collar_uses_the_same_base_as_an_artist() -> None:
    artist = belgian_payslip(400_000, "artist", SINGLE, MARCH_2026)
    worker = belgian_payslip(400_000, "blue_collar", SINGLE, MARCH_2026)
    assert worker.model_dump(exclude={"contract"}) == artist.model_dump(exclude={"contract"})


def test_2025_and_2026_are_picked_by_the_payment_date() -> None:
    # Same gross, same person: the 2025 scale (cap 5,930, brackets from 16,310) withholds
    # 637.57, the 2026 one 617.41. A wage for December work paid in January takes 2026.
    assert belgian_payslip(350_000, "standard", SINGLE, MARCH_2025).wage_tax_cents == 63_757
    assert belgian_payslip(350_000, "standard", SINGLE, date(2025, 12, 31)).wage_tax_cents == 63_757
    assert belgian_payslip(350_000, "standard", SINGLE, date(2026, 1, 7)).wage_tax_cents == 61_741


def test_withholding_refused_for_an_unsupported_case() -> None:
    pension_not_given = BelgianTaxRecord(family_situation="partner_with_replacement_income")
    with pytest.raises(UnsupportedCase, match="partner_monthly_net_income_cents"):
        belgian_payslip(350_000, "standard", pension_not_given, MARCH_2026)
    with pytest.raises(UnsupportedCase, match="non-resident"):
        belgian_payslip(350_000, "artist", BelgianTaxRecord(resident=False), MARCH_2026)


def test_wages_in_the_work_bonus_range_get_the_bonus() -> None:
    # March 2026, part A: 123.00 - 0.2442 x (3,336.98 - 2,833.36) = 0.0158 -> 0.02 at the upper
    # limit; fiscal 33.14 % x 0.02 -> 0.01. One cent above it: nothing.
    at_limit = belgian_payslip(333_698, "standard", SINGLE, MARCH_2026)
    assert at_limit.work_bonus.social_a_cents == 2
    assert at_limit.fiscal_work_bonus_cents == 1
    assert belgian_payslip(333_699, "standard", SINGLE, MARCH_2026).work_bonus.social_cents == 0
    # 2025's limit was 3,271.48: 3,300.00 earns nothing in 2025; in March 2026 part A is
    # 123.00 - 0.2442 x 466.64 = 9.0469 -> 9.05 and ONSS 431.31 - 9.05 = 422.26.
    assert belgian_payslip(330_000, "standard", SINGLE, MARCH_2025).work_bonus.social_cents == 0
    march = belgian_payslip(330_000, "standard", SINGLE, MARCH_2026)
    assert march.work_bonus.social_a_cents == 905
    assert march.employee_contributions_cents == 43_131 - 905


def test_a_part_time_wage_is_judged_on_its_full_time_reference() -> None:
    # The record's full-time reference overrides the gross: 2,500.00 in March 2026 earns
    # part A 123.00 and part B 165.87 - 0.2699 x 281.27 = 89.9552 -> 89.96.
    part_time = BelgianTaxRecord(work_bonus_reference_cents=250_000)
    slip = belgian_payslip(400_000, "standard", part_time, MARCH_2026)
    assert (slip.work_bonus.social_a_cents, slip.work_bonus.social_b_cents) == (12_300, 8_996)
    high_rate = BelgianTaxRecord(work_bonus_reference_cents=500_000)
    assert belgian_payslip(150_000, "artist", high_rate, MARCH_2026).work_bonus.social_cents == 0


def test_a_wage_must_be_positive() -> None:
    with pytest.raises(InvalidAmount):
        belgian_payslip(0, "standard", SINGLE, MARCH_2026)


def test_budget_worked_example() -> None:
    # Budget 5,764.29 for an artist: 4,000.00 gross costs exactly 4,000.00 + 1,764.29.
    split = be_gross_for_budget(576_429, "artist", MARCH_2026)
    assert (split.gross_cents, split.employer_contributions_cents, split.remainder_cents) == (
        400_000,
        176_429,
        0,
    )
    # One cent less: gross 3,999.99, base 1.08 x 3,999.99 = 4,319.9892 -> 4,319.99;
    # 25 % = 1,079.9975 -> 1,080.00 and 15.84 % = 684.2864 -> 684.29: cost 5,764.28, it fits.
    split = be_gross_for_budget(576_428, "artist", MARCH_2026)
    assert (split.gross_cents, split.remainder_cents) == (399_999, 0)


@st.composite
def budgets(draw: st.DrawFn) -> tuple[int, BelgianContract, date]:
    budget = draw(st.integers(min_value=0, max_value=5_000_000_00))
    contract = draw(st.sampled_from(CONTRACTS))
    pay_date = draw(st.sampled_from([MARCH_2025, date(2025, 12, 31), date(2026, 1, 1), MARCH_2026]))
    return budget, contract, pay_date


@settings(max_examples=400, deadline=None)
@given(budgets())
def test_gross_for_budget_is_the_largest_that_fits(case: tuple[int, BelgianContract, date]) -> None:
    budget, contract, pay_date = case
    rates = be_rates_for(pay_date)
    split = be_gross_for_budget(budget, contract, pay_date)
    employer = employer_contributions(split.gross_cents, contract, rates).total_cents
    assert split.employer_contributions_cents == employer
    assert split.gross_cents + employer + split.remainder_cents == budget
    assert 0 <= split.remainder_cents <= 2
    one_more = split.gross_cents + 1
    assert one_more + employer_contributions(one_more, contract, rates).total_cents > budget


@settings(max_examples=300, deadline=None)
@given(
    st.integers(min_value=600_000, max_value=200_000_00),
    st.sampled_from(CONTRACTS),
    st.sampled_from([MARCH_2025, MARCH_2026]),
    st.integers(min_value=0, max_value=12),
    st.sampled_from(["single", "partner_with_income"]),
)
def test_the_whole_wage_balances_to_the_cent(
    budget: int,
    contract: BelgianContract,
    pay_date: date,
    children: int,
    family: FamilySituation,
) -> None:
    record = BelgianTaxRecord(family_situation=family, dependent_children=children)
    wage = belgian_wage_from_budget(budget, contract, record, pay_date)
    slip, split = wage.payslip, wage.split
    assert slip.gross_cents == split.gross_cents
    assert slip.employer_cost_cents + split.remainder_cents == budget
    assert slip.employee_contributions_cents + slip.wage_tax_cents + slip.net_cents == (
        slip.gross_cents
    )
    assert slip.gross_cents + slip.employer_contributions_cents == slip.employer_cost_cents
    assert slip.wage_tax_cents >= 0
    assert slip.net_cents > 0
    entry = be_payroll_entry("order-1", slip, 1_234, remainder_cents=split.remainder_cents)
    debits = sum(line.debit for line in entry.lines)
    assert debits == sum(line.credit for line in entry.lines) == budget + 1_234


def test_ledger_entry_of_the_standard_case() -> None:
    slip = belgian_payslip(350_000, "standard", SINGLE, MARCH_2026)
    entry = be_payroll_entry("order-7", slip, expenses_cents=10_000)
    amounts = {line.account: (line.debit, line.credit) for line in entry.lines}
    assert entry.key == "order-7:payroll"
    assert amounts == {
        "member_budget": (447_500, 0),  # employer cost 4,375.00 + expenses 100.00
        "member_payable": (0, 252_514),  # net 2,425.14 + expenses 100.00
        "contributions_payable": (0, 133_245),  # 457.45 employee + 875.00 employer
        "wage_tax_payable": (0, 61_741),
    }


def test_the_budget_remainder_goes_to_the_cooperative() -> None:
    # Budget 4,375.02: gross 3,500.01 costs 3,500.01 + 875.00 (875.0025) = 4,375.01; gross
    # 3,500.02 would cost 3,500.02 + 875.01 (875.005, half-up) = 4,375.03. One cent is left,
    # booked to the cooperative so the member budget closes at zero.
    split = be_gross_for_budget(437_502, "standard", MARCH_2026)
    assert (split.gross_cents, split.remainder_cents) == (350_001, 1)
    slip = belgian_payslip(split.gross_cents, "standard", SINGLE, MARCH_2026)
    entry = be_payroll_entry("order-8", slip, 0, remainder_cents=split.remainder_cents)
    amounts = {line.account: (line.debit, line.credit) for line in entry.lines}
    assert amounts["member_budget"] == (437_502, 0)
    assert amounts["coop_fee"] == (0, 1)
