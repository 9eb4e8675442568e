"""The wage guarantee's limits (Smart Germany member guide, DOMAIN.md "Guarantee rules"):
it covers only clients in the EU who signed the order, and a client more than two months
overdue on any invoice is blocked: its new orders need prepayment."""

from __future__ import annotations

import calendar
from collections.abc import Iterable
from datetime import date

from domain.vat import EU_COUNTRIES

BLOCKING_MONTHS_OVERDUE = 2


def months_after(day: date, months: int) -> date:
    """The same day ``months`` calendar months later (the month's last day if it is shorter)."""
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def guarantee_applies(client_country: str) -> bool:
    """The wage guarantee covers clients in the EU only; others pay first."""
    return client_country.upper() in EU_COUNTRIES


def client_blocked(open_due_dates: Iterable[date], today: date) -> bool:
    """True when an open invoice's due date lies more than two months before ``today``."""
    return any(months_after(due, BLOCKING_MONTHS_OVERDUE) < today for due in open_due_dates)
