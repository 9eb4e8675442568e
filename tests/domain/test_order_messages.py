"""Message validation shared by the API and the workflow's update validators."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from pydantic import ValidationError

from domain.order_messages import (
    Completion,
    Expense,
    FinanceDecision,
    Instalment,
    OrderInput,
    PaymentReceived,
)


def order_input(**overrides: Any) -> OrderInput:
    values: dict[str, Any] = {
        "order_id": 1,
        "member_id": 2,
        "member_name": "Ada",
        "client_id": 3,
        "client_name": "Client GmbH",
        "client_email": "billing@client.example",
        "client_country": "DE",
        "client_is_business": True,
        "jurisdiction": "DE",
        "description": "Website",
        "period_start": date(2026, 3, 1),
        "period_end": date(2026, 3, 31),
        "net_amount_cents": 480000,
        "offer_valid_until": date(2026, 3, 15),
        "submitted_on": date(2026, 3, 1),
    }
    values.update(overrides)
    return OrderInput.model_validate(values)


def completion(**overrides: Any) -> Completion:
    values: dict[str, Any] = {
        "member_id": 2,
        "actual_start": date(2026, 3, 1),
        "actual_end": date(2026, 3, 10),
        "work_days": 5,
    }
    values.update(overrides)
    return Completion.model_validate(values)


def payment(**overrides: Any) -> PaymentReceived:
    values: dict[str, Any] = {
        "payment_key": "bank-1",
        "amount_cents": 1000,
        "received_on": date(2026, 4, 1),
    }
    values.update(overrides)
    return PaymentReceived.model_validate(values)


# ---- OrderInput


def test_order_input_valid() -> None:
    order = order_input()
    assert order.payment_terms_days == 30
    assert order.vat_category == "standard"


def test_order_input_one_day_period_is_fine() -> None:
    assert order_input(period_end=date(2026, 3, 1)).period_end == date(2026, 3, 1)


def test_order_input_refuses_period_end_before_start() -> None:
    with pytest.raises(ValidationError, match="the work period ends before it starts"):
        order_input(period_end=date(2026, 2, 28))


def test_order_input_refuses_offer_expiring_before_submission() -> None:
    with pytest.raises(ValidationError, match="the offer expires before it is submitted"):
        order_input(offer_valid_until=date(2026, 2, 28))


@pytest.mark.parametrize(
    "overrides",
    [
        {"net_amount_cents": 0},
        {"payment_terms_days": 121},
        {"payment_terms_days": -1},
        {"seconds_per_day": 0},
        {"jurisdiction": "FR"},
        {"client_language": "es"},
        {"vat_category": "zero"},
    ],
)
def test_order_input_refuses_out_of_range_fields(overrides: dict[str, Any]) -> None:
    with pytest.raises(ValidationError):
        order_input(**overrides)


def test_order_input_is_frozen() -> None:
    with pytest.raises(ValidationError, match="frozen"):
        order_input().net_amount_cents = 1  # type: ignore[misc]


# ---- Completion


def test_completion_all_days_worked() -> None:
    done = completion(work_days=10)
    assert done.work_days == 10


def test_completion_refuses_more_work_days_than_the_period() -> None:
    with pytest.raises(ValidationError, match="11 work days do not fit in a 10-day period"):
        completion(work_days=11)


def test_completion_single_day() -> None:
    assert completion(actual_end=date(2026, 3, 1), work_days=1).work_days == 1
    with pytest.raises(ValidationError, match="2 work days do not fit in a 1-day period"):
        completion(actual_end=date(2026, 3, 1), work_days=2)


def test_completion_refuses_end_before_start() -> None:
    with pytest.raises(ValidationError, match="the actual period ends before it starts"):
        completion(actual_end=date(2026, 2, 28), work_days=1)


def test_completion_refuses_zero_work_days() -> None:
    with pytest.raises(ValidationError):
        completion(work_days=0)


def test_completion_sums_expenses() -> None:
    done = completion(
        expenses=(
            Expense(description="Train", amount_cents=4590, incurred_on=date(2026, 3, 2)),
            Expense(description="Hotel", amount_cents=12000, incurred_on=date(2026, 3, 3)),
        )
    )
    assert done.expenses_cents == 16590
    assert completion().expenses_cents == 0


def test_expense_refuses_negative_amount() -> None:
    with pytest.raises(ValidationError):
        Expense(description="Refund?", amount_cents=-1, incurred_on=date(2026, 3, 2))


# ---- FinanceDecision


def test_extend_requires_new_due_date() -> None:
    with pytest.raises(ValidationError, match="an extension needs new_due_date"):
        FinanceDecision(kind="extend", decided_by="finance")
    decision = FinanceDecision(kind="extend", decided_by="finance", new_due_date=date(2026, 5, 1))
    assert decision.new_due_date == date(2026, 5, 1)


def test_record_payment_requires_payment() -> None:
    with pytest.raises(ValidationError, match="recording a payment needs the payment"):
        FinanceDecision(kind="record_payment", decided_by="finance")
    decision = FinanceDecision(kind="record_payment", decided_by="finance", payment=payment())
    assert decision.payment is not None
    assert decision.payment.amount_cents == 1000


def test_payment_refuses_non_positive_amount_and_empty_key() -> None:
    with pytest.raises(ValidationError):
        payment(amount_cents=0)
    with pytest.raises(ValidationError):
        payment(payment_key="")


def _instalments(*days: int) -> tuple[Instalment, ...]:
    return tuple(Instalment(due_on=date(2026, 5, d), amount_cents=10000) for d in days)


@pytest.mark.parametrize("days", [(), (1,)])
def test_instalments_need_at_least_two(days: tuple[int, ...]) -> None:
    with pytest.raises(ValidationError, match="at least two instalments"):
        FinanceDecision(kind="instalments", decided_by="finance", instalments=_instalments(*days))


@pytest.mark.parametrize("days", [(2, 1), (1, 1), (1, 3, 2), (1, 2, 2)])
def test_instalments_must_be_strictly_increasing(days: tuple[int, ...]) -> None:
    with pytest.raises(ValidationError, match="strictly increasing"):
        FinanceDecision(kind="instalments", decided_by="finance", instalments=_instalments(*days))


def test_instalments_valid_plan() -> None:
    decision = FinanceDecision(
        kind="instalments", decided_by="finance", instalments=_instalments(1, 15, 29)
    )
    assert len(decision.instalments) == 3


def test_instalment_amount_must_be_positive() -> None:
    with pytest.raises(ValidationError):
        Instalment(due_on=date(2026, 5, 1), amount_cents=0)


@pytest.mark.parametrize("kind", ["write_off", "collection"])
def test_other_kinds_need_nothing_extra(kind: str) -> None:
    assert FinanceDecision(kind=kind, decided_by="finance").kind == kind


def test_unknown_kind_is_refused() -> None:
    with pytest.raises(ValidationError):
        FinanceDecision(kind="forgive", decided_by="finance")
