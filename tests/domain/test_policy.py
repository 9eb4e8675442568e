"""Policy data: chosen by valid_from, figures as in shared/DOMAIN.md."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from domain.policy import POLICIES, policy_for


@pytest.mark.parametrize(
    ("on", "valid_from", "employer"),
    [
        (date(2025, 1, 1), date(2025, 1, 1), Decimal("0.2350")),
        (date(2025, 12, 31), date(2025, 1, 1), Decimal("0.2350")),
        (date(2026, 1, 1), date(2026, 1, 1), Decimal("0.2370")),
        (date(2030, 6, 30), date(2026, 1, 1), Decimal("0.2370")),
    ],
)
def test_policy_for_de_picks_the_latest_valid_from(
    on: date, valid_from: date, employer: Decimal
) -> None:
    policy = policy_for("DE", on)
    assert policy.jurisdiction == "DE"
    assert policy.valid_from == valid_from
    assert policy.employer_contribution_rate == employer


def test_de_employer_rates_differ_between_2025_and_2026() -> None:
    old = policy_for("DE", date(2025, 7, 1))
    new = policy_for("DE", date(2026, 7, 1))
    assert old.employer_contribution_rate != new.employer_contribution_rate
    assert new.employer_contribution_rate - old.employer_contribution_rate == Decimal("0.0020")


def test_policy_for_be_is_belgian() -> None:
    policy = policy_for("BE", date(2026, 3, 1))
    assert policy.jurisdiction == "BE"
    assert policy.valid_from == date(2026, 1, 1)
    assert policy.fee_rate == Decimal("0.065")
    assert policy.budget_contribution_rate == Decimal("0.08")


@pytest.mark.parametrize("jurisdiction", ["DE", "BE"])
def test_policy_for_raises_before_the_first_policy(jurisdiction: str) -> None:
    with pytest.raises(LookupError, match="no .* policy in force on 2024-12-31"):
        policy_for(jurisdiction, date(2024, 12, 31))  # type: ignore[arg-type]


def test_policies_are_unique_per_jurisdiction_and_date() -> None:
    keys = [(p.jurisdiction, p.valid_from) for p in POLICIES]
    assert len(keys) == len(set(keys))


def test_the_flat_compensation_is_forty_euros() -> None:
    for jurisdiction in ("DE", "BE"):
        policy = policy_for(jurisdiction, date(2026, 1, 1))  # type: ignore[arg-type]
        assert policy.flat_compensation_cents == 4000


def test_vat_rate_by_category() -> None:
    de = policy_for("DE", date(2026, 1, 1))
    assert de.vat_rate("standard") == Decimal("0.19")
    assert de.vat_rate("reduced") == Decimal("0.07")
    assert policy_for("BE", date(2026, 1, 1)).vat_rate("standard") == Decimal("0.21")


def test_dunning_schedule_by_client_kind() -> None:
    de = policy_for("DE", date(2026, 1, 1))
    assert [s.days_after_previous for s in de.dunning_schedule(True)] == [7, 14, 14, 14]
    # The €40 from default, with the first reminder; no own reminder fee for a business.
    assert [s.charge_flat_compensation for s in de.dunning_schedule(True)] == [
        True,
        False,
        False,
        False,
    ]
    assert not any(s.fee_cents for s in de.dunning_schedule(True))
    assert [s.fee_cents for s in de.dunning_schedule(False)] == [0, 250, 250, 250]
    assert not any(s.charge_flat_compensation for s in de.dunning_schedule(False))
    be_consumer = policy_for("BE", date(2026, 1, 1)).dunning_schedule(False)
    # Book XIX CEL: the first reminder is free and gives 14 days before the next step.
    assert be_consumer[0].fee_cents == 0
    assert not be_consumer[0].charge_interest
    assert be_consumer[1].days_after_previous >= 14
    assert all(s.fee_cents <= 750 for s in be_consumer)


# DOMAIN.md, German social security: KV 14.6 + Zusatzbeitrag (2.5 in 2025, 2.9 in 2026), split
# half/half; PV 3.6 split half/half (childless surcharge handled by payroll); RV 18.6; AV 2.6;
# employer-only: U1 2.1, U2 0.3, Insolvenzgeldumlage 0.15.
def _de_shared_half(zusatz: str) -> Decimal:
    return (
        Decimal("14.6") + Decimal(zusatz) + Decimal("3.6") + Decimal("18.6") + Decimal("2.6")
    ) / 2


_DE_ZUSATZ = [(date(2025, 1, 1), "2.5"), (date(2026, 1, 1), "2.9")]


@pytest.mark.parametrize(("on", "zusatz"), _DE_ZUSATZ)
def test_de_employer_rate_matches_its_components(on: date, zusatz: str) -> None:
    expected = (_de_shared_half(zusatz) + Decimal("2.1") + Decimal("0.3") + Decimal("0.15")) / 100
    assert policy_for("DE", on).employer_contribution_rate == expected


@pytest.mark.parametrize(("on", "zusatz"), _DE_ZUSATZ)
def test_de_employee_rate_matches_its_components(on: date, zusatz: str) -> None:
    expected = _de_shared_half(zusatz) / 100
    assert policy_for("DE", on).employee_contribution_rate == expected
