"""Book XIX CEL: a Belgian consumer's free first reminder gives 14 calendar days that start on
the second working day after the e-mail; nothing is charged before they have fully run out.

Worked case: €300.00 due on Wednesday 2 December 2026, first reminder e-mailed on Wednesday
9 December. Working days after it: Thursday 10 (1st), Friday 11 (2nd): the period runs from
11 to 24 December; the first reminder says "pay by 24 December"; the second reminder, with the
lump-sum damages (€30 + 10 % of €150 = €45) and the €7.50 fee, goes out on 25 December at the
earliest, with one day of interest (30000 × 10.5 % × 1 / 365 = 8.6 cents → 9).
Before: the second reminder came on 23 December, inside the period.
"""

from __future__ import annotations

from datetime import date

import pytest

from domain.be_working_days import easter_sunday, free_period, is_working_day, legal_holidays
from domain.dunning import Claim
from domain.policy import policy_for

DUE = date(2026, 12, 2)


def _claim(rules: int) -> Claim:
    return Claim(
        policy=policy_for("BE", DUE),
        client_is_business=False,
        due_date=DUE,
        principal_due=30_000,
        rules=rules,
    )


def test_the_second_reminder_waits_for_the_whole_free_period() -> None:
    claim = _claim(rules=2)
    when, first = claim.next_step()
    assert first is not None
    assert when == date(2026, 12, 9)
    free = claim.remind(first, when)
    assert free.total == 0
    assert free.pay_by == date(2026, 12, 24)  # stated in the first reminder
    when, second = claim.next_step()
    assert second is not None
    assert when == date(2026, 12, 25)
    charges = claim.remind(second, when)
    assert (charges.fee, charges.flat_compensation, charges.interest) == (750, 4500, 9)


def test_before_the_second_reminder_came_inside_the_period() -> None:
    claim = _claim(rules=1)
    when, first = claim.next_step()
    assert first is not None
    claim.remind(first, when)
    when, _ = claim.next_step()
    assert when == date(2026, 12, 23)


@pytest.mark.parametrize(
    ("year", "easter"),
    [(2025, date(2025, 4, 20)), (2026, date(2026, 4, 5)), (2027, date(2027, 3, 28))],
)
def test_easter_and_the_holidays_bound_to_it(year: int, easter: date) -> None:
    assert easter_sunday(year) == easter
    holidays = legal_holidays(year)
    assert len(holidays) == 10
    assert date(year, 7, 21) in holidays


def test_sundays_and_holidays_are_not_working_days_saturdays_are() -> None:
    assert not is_working_day(date(2026, 12, 27))  # Sunday
    assert not is_working_day(date(2026, 12, 25))  # Christmas
    assert is_working_day(date(2026, 12, 26))  # Saturday
    # E-mailed on Wednesday 23 Dec: Thursday 24 (1st), Christmas skipped, Saturday 26 (2nd).
    assert free_period(date(2026, 12, 23)) == (date(2026, 12, 26), date(2027, 1, 8))
    # On paper the period starts a working day later (Monday 28).
    assert free_period(date(2026, 12, 23), electronic=False)[0] == date(2026, 12, 28)
