from __future__ import annotations

from datetime import date

import pytest

from domain.guarantee import client_blocked, months_after


@pytest.mark.parametrize(
    ("day", "months", "expected"),
    [
        (date(2026, 1, 31), 1, date(2026, 2, 28)),
        (date(2026, 12, 15), 2, date(2027, 2, 15)),
        (date(2024, 12, 31), 2, date(2025, 2, 28)),
    ],
)
def test_months_after(day: date, months: int, expected: date) -> None:
    assert months_after(day, months) == expected


def test_client_blocked_only_past_two_months_overdue() -> None:
    due = date(2026, 1, 10)
    assert not client_blocked([due], date(2026, 3, 10))  # exactly two months: not yet
    assert client_blocked([due], date(2026, 3, 11))
    assert not client_blocked([], date(2026, 3, 11))
    assert client_blocked([date(2026, 3, 1), due], date(2026, 3, 11))
