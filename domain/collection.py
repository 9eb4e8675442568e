"""Pure collection rules: how a payment splits, and when the next dunning step is due."""

from __future__ import annotations

from datetime import date, timedelta

from pydantic import BaseModel, ConfigDict

from domain.late_interest import interest_between
from domain.money import Cents, round_cents
from domain.policy import DunningStage, Jurisdiction


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


def owed_now(
    *, projected: Cents, principal_left: Cents, unapplied: Cents, interest: Cents = 0
) -> Cents:
    """What the client owes on an invoice now, as the desk, the reminders, the pay page and
    the bank matcher say it: the principal and dunning charges still open (the order's
    projection), less payments recorded but not yet booked by the order. Right after the
    invoice the projection may not have caught up: the principal still due is the floor.
    Negative when more was recorded than is owed. ``interest``: accrued and not yet charged,
    up to today (``interest_to_date``), which a payment today also settles."""
    return max(projected, principal_left) + interest - unapplied


def interest_to_date(
    jurisdiction: Jurisdiction,
    client_is_business: bool,
    *,
    accrued: Cents,
    runs_from: date | None,
    principal: Cents,
    today: date,
) -> Cents:
    """Interest not yet charged up to ``today``: what had accrued when the order last said,
    plus the days since on the principal still due, each at its half-year's rate."""
    since = interest_between(jurisdiction, client_is_business, principal, runs_from, today)
    return accrued + round_cents(since)
