"""Late-payment rates by half-year, with their sources: each half-year's rate for its days,
a half-year not yet in our data carried forward and flagged, then refused."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from domain.late_interest import (
    CARRY_FORWARD_LIMIT,
    annual_rate,
    interest_segments,
)
from domain.money import round_cents


@pytest.mark.parametrize(
    ("jurisdiction", "business", "day", "rate"),
    [
        ("DE", True, date(2025, 3, 1), "0.1127"),  # 2.27 % + 9
        ("DE", False, date(2025, 3, 1), "0.0727"),  # 2.27 % + 5
        ("DE", True, date(2025, 7, 1), "0.1027"),  # 1.27 % + 9
        ("DE", False, date(2026, 2, 1), "0.0627"),
        ("BE", True, date(2025, 6, 30), "0.115"),
        ("BE", True, date(2025, 7, 1), "0.105"),
        ("BE", False, date(2026, 1, 1), "0.105"),  # consumers: capped at the B2B rate
    ],
)
def test_each_half_year_has_its_published_rate(
    jurisdiction: str, business: bool, day: date, rate: str
) -> None:
    used = annual_rate(jurisdiction, business, day)  # type: ignore[arg-type]
    assert used.rate == Decimal(rate)
    assert not used.carried
    assert used.source  # every figure names where it comes from


def test_an_unpublished_half_year_is_carried_forward_flagged_then_refused() -> None:
    carried = annual_rate("DE", True, date(2026, 9, 1))
    assert carried.carried
    assert carried.rate == Decimal("0.1027")
    assert "carried forward" in carried.source
    assert CARRY_FORWARD_LIMIT == 2
    assert annual_rate("BE", True, date(2027, 3, 1)).carried
    assert not carried.refused
    assert "not in our policy data" in annual_rate("DE", True, date(2027, 7, 1)).refused
    assert "table starts later" in annual_rate("BE", True, date(2024, 12, 31)).refused


def test_a_german_b2b_default_across_the_july_2025_change() -> None:
    """€10,000.00 due on 2025-06-15, paid on 2025-07-20: 15 days of June at 2.27 % + 9 and
    20 days of July at 1.27 % + 9.

        10,000.00 × 11.27 % × 15 / 365 = 46.3151 €
        10,000.00 × 10.27 % × 20 / 365 = 56.2740 €   → together €102.59
    (one rate for the whole period, 10.27 %, gave 10,000 × 10.27 % × 35 / 365 = €98.48)."""
    segments = interest_segments("DE", True, 1_000_000, date(2025, 6, 15), date(2025, 7, 20))
    assert [(s.start, s.end, s.rate.rate) for s in segments] == [
        (date(2025, 6, 15), date(2025, 6, 30), Decimal("0.1127")),
        (date(2025, 6, 30), date(2025, 7, 20), Decimal("0.1027")),
    ]
    total = sum((s.interest for s in segments), Decimal(0))
    assert round_cents(total) == 10_259
    assert round_cents(Decimal(1_000_000) * Decimal("0.1027") * 35 / 365) == 9_848


def test_a_claim_says_when_a_days_rate_may_not_be_charged() -> None:
    from domain.dunning import Claim
    from domain.policy import policy_for

    claim = Claim(
        policy=policy_for("DE", date(2027, 5, 1)),
        client_is_business=True,
        due_date=date(2027, 6, 15),
        principal_due=100_000,
    )
    assert claim.unpublished_rate(date(2027, 6, 30)) == ""  # H1 2027: carried forward, allowed
    why = claim.unpublished_rate(date(2027, 7, 10))
    assert "half-year from 2027-07-01 is not in our policy data" in why


def test_ops_are_told_which_rates_to_add() -> None:
    from domain.late_interest import rates_to_publish

    assert rates_to_publish(date(2026, 3, 1)) == []
    notes = rates_to_publish(date(2026, 12, 7))
    assert [n[:3] for n in notes] == ["DE:", "BE:"]
    assert all("carried forward" in n for n in notes)
    assert all("not in our policy data" in n for n in rates_to_publish(date(2027, 9, 1)))
