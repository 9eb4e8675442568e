"""Late-payment interest: per calendar day, act/365, on what is actually outstanding."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from domain.money import Cents


def accrued_interest(principal: Cents, annual_rate: Decimal, start: date, end: date) -> Decimal:
    """Unrounded interest (in cents) on ``principal`` from ``start`` (exclusive) to ``end``
    (inclusive). Callers accumulate segments and round once when they charge."""
    days = (end - start).days
    if days <= 0 or principal <= 0:
        return Decimal(0)
    return Decimal(principal) * annual_rate * days / 365
