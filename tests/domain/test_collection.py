"""Collection rules: how a payment splits and when the next dunning step is due."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from domain.collection import next_dunning_date, split_payment
from domain.policy import policy_for


@pytest.mark.parametrize(
    ("amount", "principal", "charges", "expected"),
    [
        (100, 500, 50, (100, 0, 0)),  # partial: principal only
        (500, 500, 50, (500, 0, 0)),  # exactly the principal
        (520, 500, 50, (500, 20, 0)),  # principal, then part of the charges
        (550, 500, 50, (500, 50, 0)),  # everything
        (600, 500, 50, (500, 50, 50)),  # overpayment
        (30, 0, 50, (0, 30, 0)),  # principal already paid
        (30, 0, 0, (0, 0, 30)),  # nothing due: all overpaid
        (0, 500, 50, (0, 0, 0)),
    ],
)
def test_split_payment_principal_then_charges_then_overpayment(
    amount: int, principal: int, charges: int, expected: tuple[int, int, int]
) -> None:
    split = split_payment(amount, principal_due=principal, charges_due=charges)
    assert (split.to_principal, split.to_charges, split.overpaid) == expected


cents = st.integers(min_value=0, max_value=10**11)


@settings(max_examples=300, deadline=None)
@given(cents, cents, cents)
def test_split_payment_parts_sum_and_are_not_negative(
    amount: int, principal: int, charges: int
) -> None:
    split = split_payment(amount, principal_due=principal, charges_due=charges)
    assert split.to_principal + split.to_charges + split.overpaid == amount
    assert split.to_principal >= 0
    assert split.to_charges >= 0
    assert split.overpaid >= 0
    assert split.to_principal <= principal
    assert split.to_charges <= charges
    # Nothing goes to charges while principal is owed; nothing is overpaid while anything is.
    if split.to_charges:
        assert split.to_principal == principal
    if split.overpaid:
        assert (split.to_principal, split.to_charges) == (principal, charges)


def test_next_dunning_date_walks_the_de_business_schedule() -> None:
    policy = policy_for("DE", date(2026, 1, 1))
    schedule = policy.dunning_schedule(client_is_business=True)
    anchor = date(2026, 3, 31)  # due date
    walked: list[tuple[date, int | None]] = []
    for level_sent in range(len(schedule) + 1):
        when, stage = next_dunning_date(
            schedule,
            level_sent=level_sent,
            anchor=anchor,
            escalation_delay_days=policy.escalation_after_last_stage_days,
        )
        walked.append((when, stage.level if stage else None))
        anchor = when
    assert walked == [
        (date(2026, 4, 7), 1),
        (date(2026, 4, 21), 2),
        (date(2026, 5, 5), 3),
        (date(2026, 5, 19), 4),
        (date(2026, 6, 2), None),  # escalation to finance
    ]


def test_next_dunning_date_returns_the_stage_itself() -> None:
    schedule = policy_for("DE", date(2026, 1, 1)).dunning_schedule(client_is_business=True)
    _, stage = next_dunning_date(
        schedule, level_sent=1, anchor=date(2026, 1, 1), escalation_delay_days=14
    )
    assert stage is schedule[1]
    assert stage.name == "1. Mahnung"
    assert not stage.charge_flat_compensation  # the €40 came with the first reminder


@settings(max_examples=100, deadline=None)
@given(
    st.dates(date(2025, 1, 1), date(2030, 12, 31)),
    st.integers(min_value=4, max_value=10),
    st.integers(min_value=0, max_value=60),
)
def test_escalation_uses_the_given_delay(anchor: date, level_sent: int, delay: int) -> None:
    schedule = policy_for("DE", date(2026, 1, 1)).dunning_schedule(client_is_business=True)
    when, stage = next_dunning_date(
        schedule, level_sent=level_sent, anchor=anchor, escalation_delay_days=delay
    )
    assert stage is None
    assert when == anchor + timedelta(days=delay)


def test_re_anchoring_after_a_partial_payment_moves_the_next_step() -> None:
    schedule = policy_for("BE", date(2026, 1, 1)).dunning_schedule(client_is_business=False)
    before, _ = next_dunning_date(
        schedule, level_sent=1, anchor=date(2026, 4, 1), escalation_delay_days=14
    )
    after, _ = next_dunning_date(
        schedule, level_sent=1, anchor=date(2026, 4, 10), escalation_delay_days=14
    )
    assert after - before == timedelta(days=9)
    assert before == date(2026, 4, 15)  # Book XIX: 14 days after the free first reminder
