"""Pure collection rules: how a payment splits, and when the next dunning step is due."""

from __future__ import annotations

from datetime import date, timedelta

from pydantic import BaseModel, ConfigDict

from domain.money import Cents
from domain.policy import DunningStage


class PaymentSplit(BaseModel):
    model_config = ConfigDict(frozen=True)

    to_principal: Cents
    to_charges: Cents
    overpaid: Cents


def split_payment(amount: Cents, *, principal_due: Cents, charges_due: Cents) -> PaymentSplit:
    """The invoice first (so interest stops), then dunning charges; the rest is an
    overpayment held for refund."""
    to_principal = min(amount, principal_due)
    to_charges = min(amount - to_principal, charges_due)
    return PaymentSplit(
        to_principal=to_principal,
        to_charges=to_charges,
        overpaid=amount - to_principal - to_charges,
    )


def next_dunning_date(
    schedule: tuple[DunningStage, ...],
    *,
    level_sent: int,
    anchor: date,
    escalation_delay_days: int,
) -> tuple[date, DunningStage | None]:
    """The date of the next step after ``level_sent`` reminders, counted from ``anchor`` (the
    due date, the last reminder, or a later partial payment): a stage, or escalation (None)."""
    if level_sent < len(schedule):
        stage = schedule[level_sent]
        return anchor + timedelta(days=stage.days_after_previous), stage
    return anchor + timedelta(days=escalation_delay_days), None
