"""The order breakdown: balances to the cent for every amount, rate and jurisdiction."""

from __future__ import annotations

from datetime import date
from decimal import ROUND_HALF_UP, Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from domain.breakdown import OrderBreakdown, compute_breakdown
from domain.errors import InvalidAmount
from domain.policy import Jurisdiction, JurisdictionPolicy, policy_for

JURISDICTIONS: tuple[Jurisdiction, ...] = ("DE", "BE")
POLICIES = [
    policy_for(jurisdiction, on)
    for jurisdiction in JURISDICTIONS
    for on in (date(2025, 3, 1), date(2026, 3, 1))
]
AMOUNT_FIELDS = [name for name in OrderBreakdown.model_fields if name.endswith("_cents")]


def _half_up(value: Decimal) -> int:
    return int(value.quantize(Decimal(1), rounding=ROUND_HALF_UP))


def _rates(policy: JurisdictionPolicy) -> list[Decimal]:
    return [policy.vat_standard_rate, policy.vat_reduced_rate, Decimal(0)]


@st.composite
def cases(draw: st.DrawFn) -> tuple[JurisdictionPolicy, int, Decimal, int]:
    policy = draw(st.sampled_from(POLICIES))
    net = draw(st.integers(min_value=1, max_value=10_000_000 * 100))
    rate = draw(st.sampled_from(_rates(policy)))
    fits = net - _half_up(Decimal(net) * policy.fee_rate)
    expenses = draw(st.one_of(st.just(0), st.just(fits), st.integers(0, fits)))
    return policy, net, rate, expenses


@settings(max_examples=300, deadline=None)
@given(cases())
def test_breakdown_balances_to_the_cent(case: tuple[JurisdictionPolicy, int, Decimal, int]) -> None:
    policy, net, rate, expenses = case
    b = compute_breakdown(policy, net_cents=net, vat_rate=rate, expenses_cents=expenses)

    for name in AMOUNT_FIELDS:
        value = getattr(b, name)
        assert type(value) is int, name
        assert value >= 0, name

    assert b.net_cents == net
    assert b.expenses_cents == expenses
    assert b.vat_rate == rate
    assert b.net_cents + b.vat_cents == b.gross_invoice_cents
    assert (
        b.fee_cents
        + b.budget_contribution_cents
        + b.employer_contributions_cents
        + b.gross_wage_cents
        + b.expenses_cents
        == b.net_cents
    )
    assert b.employer_contributions_cents + b.gross_wage_cents == b.employment_budget_cents
    assert (
        b.employee_contributions_cents + b.wage_tax_cents + b.net_wage_cents == b.gross_wage_cents
    )
    assert b.payout_cents == b.net_wage_cents + b.expenses_cents
    assert b.coop_share_cents == b.fee_cents + b.budget_contribution_cents
    assert b.contributions_cents == b.employer_contributions_cents + b.employee_contributions_cents
    # Each rounded amount is within half a cent of its exact value.
    assert abs(b.vat_cents - Decimal(net) * rate) <= Decimal("0.5")
    assert abs(b.fee_cents - Decimal(net) * policy.fee_rate) <= Decimal("0.5")


@settings(max_examples=100, deadline=None)
@given(cases())
def test_breakdown_refuses_expenses_beyond_what_the_fee_leaves(
    case: tuple[JurisdictionPolicy, int, Decimal, int],
) -> None:
    policy, net, rate, _ = case
    fits = net - _half_up(Decimal(net) * policy.fee_rate)
    with pytest.raises(InvalidAmount, match="exceed"):
        compute_breakdown(policy, net_cents=net, vat_rate=rate, expenses_cents=fits + 1)


def test_de_worked_example_4800_standard_vat() -> None:
    policy = policy_for("DE", date(2026, 3, 1))
    b = compute_breakdown(policy, net_cents=480000, vat_rate=policy.vat_standard_rate)
    assert b.vat_cents == 91200
    assert b.gross_invoice_cents == 571200
    assert b.fee_cents == 43200  # 9 %
    assert b.budget_contribution_cents == 0
    assert b.employment_budget_cents == 436800
    # 436800 / 1.237 = 353112.37 → 353112
    assert b.gross_wage_cents == 353112
    assert b.employer_contributions_cents == 83688
    # 353112 × 0.2115 = 74683.188 → 74683
    assert b.employee_contributions_cents == 74683
    # (353112 − 74683) × 0.10 = 27842.9 → 27843
    assert b.wage_tax_cents == 27843
    assert b.net_wage_cents == 250586
    assert b.payout_cents == 250586


def test_de_reduced_rate_example() -> None:
    policy = policy_for("DE", date(2026, 3, 1))
    b = compute_breakdown(policy, net_cents=480000, vat_rate=policy.vat_reduced_rate)
    assert b.vat_cents == 33600
    assert b.gross_invoice_cents == 513600


def test_be_worked_example_4800() -> None:
    policy = policy_for("BE", date(2026, 3, 1))
    b = compute_breakdown(policy, net_cents=480000, vat_rate=policy.vat_standard_rate)
    assert b.vat_cents == 100800  # 21 %
    assert b.gross_invoice_cents == 580800
    assert b.fee_cents == 31200  # 6.5 %
    assert b.budget_contribution_cents == 35904  # 8 % of 448800
    assert b.employment_budget_cents == 412896
    # 412896 / 1.27 = 325114.96 → 325115
    assert b.gross_wage_cents == 325115
    assert b.employer_contributions_cents == 87781
    # 325115 × 0.1307 = 42492.53 → 42493
    assert b.employee_contributions_cents == 42493
    # 282622 × 0.1111 = 31399.30 → 31399
    assert b.wage_tax_cents == 31399
    assert b.net_wage_cents == 251223


def test_expenses_reduce_the_budget_not_the_fee() -> None:
    policy = policy_for("BE", date(2026, 3, 1))
    b = compute_breakdown(policy, net_cents=480000, vat_rate=Decimal("0.21"), expenses_cents=48800)
    assert b.fee_cents == 31200
    assert b.budget_contribution_cents == 32000  # 8 % of 400000
    assert b.employment_budget_cents == 368000
    assert b.payout_cents == b.net_wage_cents + 48800


def test_expenses_exactly_what_the_fee_leaves_is_accepted() -> None:
    policy = policy_for("DE", date(2026, 3, 1))
    b = compute_breakdown(policy, net_cents=480000, vat_rate=Decimal("0.19"), expenses_cents=436800)
    assert b.employment_budget_cents == 0
    assert b.gross_wage_cents == b.net_wage_cents == 0
    assert b.payout_cents == 436800


def test_expenses_one_cent_too_many_is_refused() -> None:
    policy = policy_for("DE", date(2026, 3, 1))
    with pytest.raises(InvalidAmount, match=r"436801 cents exceed .*\(436800 cents\)"):
        compute_breakdown(policy, net_cents=480000, vat_rate=Decimal("0.19"), expenses_cents=436801)


@pytest.mark.parametrize("net", [0, -1, -480000])
def test_non_positive_net_is_refused(net: int) -> None:
    with pytest.raises(InvalidAmount, match="must be positive"):
        compute_breakdown(POLICIES[0], net_cents=net, vat_rate=Decimal("0.19"))


def test_negative_expenses_are_refused() -> None:
    with pytest.raises(InvalidAmount, match="negative"):
        compute_breakdown(POLICIES[0], net_cents=100, vat_rate=Decimal("0.19"), expenses_cents=-1)


def test_negative_vat_rate_is_refused() -> None:
    with pytest.raises(InvalidAmount, match="VAT rate"):
        compute_breakdown(POLICIES[0], net_cents=100, vat_rate=Decimal("-0.01"))


def test_one_cent_order() -> None:
    b = compute_breakdown(POLICIES[0], net_cents=1, vat_rate=Decimal("0.19"))
    assert b.vat_cents == 0
    assert b.fee_cents == 0
    assert b.gross_wage_cents + b.employer_contributions_cents == 1


def test_breakdown_is_frozen() -> None:
    b = compute_breakdown(POLICIES[0], net_cents=100, vat_rate=Decimal("0.19"))
    with pytest.raises(ValueError, match="frozen"):
        b.net_cents = 5  # type: ignore[misc]
