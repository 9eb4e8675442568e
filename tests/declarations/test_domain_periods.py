"""Periods and the German calendar the deadlines are counted in."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from domain.declarations.periods import (
    Month,
    Quarter,
    berlin_date,
    de_public_holidays,
    easter_sunday,
    is_de_bank_working_day,
    next_de_working_day,
    nth_last_bank_working_day,
)
from domain.errors import InvalidPeriod


def test_month_and_quarter_arithmetic() -> None:
    assert Month.parse("2026-01").previous().key() == "2025-12"
    assert Month.parse("2025-12").next().key() == "2026-01"
    assert Month.parse("2024-02").last_day() == date(2024, 2, 29)
    assert Quarter.parse("2026-Q1").previous().key() == "2025-Q4"
    assert Quarter.parse("2025-Q4").next().key() == "2026-Q1"
    assert Quarter.of(date(2026, 6, 30)).key() == "2026-Q2"
    assert Quarter.parse("2026-Q3").first_day() == date(2026, 7, 1)
    assert Quarter.parse("2026-Q3").last_day() == date(2026, 9, 30)


@pytest.mark.parametrize("text", ["2026-13", "2026-3", "26-03", "2026-Q5", ""])
def test_bad_periods_are_refused(text: str) -> None:
    with pytest.raises(InvalidPeriod):
        Month.parse(text) if "Q" not in text else Quarter.parse(text)


def test_easter_and_nationwide_holidays() -> None:
    assert easter_sunday(2025) == date(2025, 4, 20)
    assert easter_sunday(2026) == date(2026, 4, 5)
    assert easter_sunday(2027) == date(2027, 3, 28)
    holidays = de_public_holidays(2026)
    assert date(2026, 4, 3) in holidays  # Good Friday
    assert date(2026, 5, 14) in holidays  # Ascension
    assert date(2026, 5, 25) in holidays  # Whit Monday
    assert not is_de_bank_working_day(date(2026, 12, 24))
    assert next_de_working_day(date(2026, 10, 3)) == date(2026, 10, 5)  # Saturday → Monday


def test_third_last_bank_working_day() -> None:
    # December 2026: 31st (Thu) and 24th closed, 25/26 holidays → 30, 29, 28 are the last three.
    assert nth_last_bank_working_day(Month.parse("2026-12"), 3) == date(2026, 12, 28)
    # March 2026 ends on a Tuesday: 31, 30, 27.
    assert nth_last_bank_working_day(Month.parse("2026-03"), 3) == date(2026, 3, 27)


@given(st.datetimes(min_value=datetime(2000, 1, 1), max_value=datetime(2099, 12, 31)))
def test_berlin_date_agrees_with_the_time_zone_database(naive: datetime) -> None:
    moment = naive.replace(tzinfo=UTC)
    assert berlin_date(moment) == moment.astimezone(ZoneInfo("Europe/Berlin")).date()


def test_berlin_date_around_the_switch() -> None:
    switch = datetime(2026, 3, 29, 1, 0, tzinfo=UTC)  # 02:00 CET → 03:00 CEST
    assert berlin_date(switch - timedelta(seconds=1)) == date(2026, 3, 29)
    assert berlin_date(datetime(2026, 10, 31, 22, 59, tzinfo=UTC)) == date(2026, 10, 31)
    assert berlin_date(datetime(2026, 10, 31, 23, 0, tzinfo=UTC)) == date(2026, 11, 1)
