"""Declaration periods (a month, a quarter) and the German bank-working-day calendar their
deadlines are counted in."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta
from functools import lru_cache

from pydantic import BaseModel, ConfigDict

from domain.errors import InvalidPeriod

_MONTH = re.compile(r"(\d{4})-(\d{2})")
_QUARTER = re.compile(r"(\d{4})-Q([1-4])")


class Month(BaseModel):
    """A calendar month, written ``2026-03``."""

    model_config = ConfigDict(frozen=True)

    year: int
    month: int

    @classmethod
    def parse(cls, text: str) -> Month:
        match = _MONTH.fullmatch(text)
        if match is None or not 1 <= int(match[2]) <= 12:
            raise InvalidPeriod(f"{text!r} is not a month (expected YYYY-MM)")
        return cls(year=int(match[1]), month=int(match[2]))

    @classmethod
    def of(cls, day: date) -> Month:
        return cls(year=day.year, month=day.month)

    def key(self) -> str:
        return f"{self.year:04d}-{self.month:02d}"

    def first_day(self) -> date:
        return date(self.year, self.month, 1)

    def last_day(self) -> date:
        return self.next().first_day() - timedelta(days=1)

    def next(self) -> Month:
        return Month(year=self.year + self.month // 12, month=self.month % 12 + 1)

    def previous(self) -> Month:
        return Month(year=self.year - (self.month == 1), month=(self.month - 2) % 12 + 1)

    def contains(self, day: date) -> bool:
        return (day.year, day.month) == (self.year, self.month)


class Quarter(BaseModel):
    """A calendar quarter, written ``2026-Q1``."""

    model_config = ConfigDict(frozen=True)

    year: int
    quarter: int

    @classmethod
    def parse(cls, text: str) -> Quarter:
        match = _QUARTER.fullmatch(text)
        if match is None:
            raise InvalidPeriod(f"{text!r} is not a quarter (expected YYYY-Qn)")
        return cls(year=int(match[1]), quarter=int(match[2]))

    @classmethod
    def of(cls, day: date) -> Quarter:
        return cls(year=day.year, quarter=(day.month - 1) // 3 + 1)

    def key(self) -> str:
        return f"{self.year:04d}-Q{self.quarter}"

    def first_day(self) -> date:
        return date(self.year, 3 * self.quarter - 2, 1)

    def last_day(self) -> date:
        return self.next().first_day() - timedelta(days=1)

    def next(self) -> Quarter:
        return Quarter(year=self.year + self.quarter // 4, quarter=self.quarter % 4 + 1)

    def previous(self) -> Quarter:
        return Quarter(year=self.year - (self.quarter == 1), quarter=(self.quarter - 2) % 4 + 1)

    def contains(self, day: date) -> bool:
        return self.first_day() <= day <= self.last_day()


# ---------------------------------------------------------------------------- DE calendar


def easter_sunday(year: int) -> date:
    """Gregorian Easter Sunday (anonymous Gregorian algorithm)."""
    a = year % 19
    b, c = divmod(year, 100)
    d, e = divmod(b, 4)
    f = (b + 8) // 25
    g = (b - f + 1) // 3
    h = (19 * a + b - d - g + 15) % 30
    i, k = divmod(c, 4)
    j = (32 + 2 * e + 2 * i - h - k) % 7
    m = (a + 11 * h + 22 * j) // 451
    month, day = divmod(h + j - 7 * m + 114, 31)
    return date(year, month, day + 1)


@lru_cache(maxsize=64)
def de_public_holidays(year: int) -> frozenset[date]:
    """Holidays kept in every German state. State-only holidays (Epiphany, Corpus Christi,
    Reformation Day, ...) are not included: see docs/declarations-de.md."""
    easter = easter_sunday(year)
    return frozenset(
        {
            date(year, 1, 1),
            easter - timedelta(days=2),  # Good Friday
            easter + timedelta(days=1),  # Easter Monday
            date(year, 5, 1),
            easter + timedelta(days=39),  # Ascension
            easter + timedelta(days=50),  # Whit Monday
            date(year, 10, 3),
            date(year, 12, 25),
            date(year, 12, 26),
        }
    )


def is_de_working_day(day: date) -> bool:
    """Monday to Friday and not a nationwide public holiday (§ 108(3) AO counts these)."""
    return day.weekday() < 5 and day not in de_public_holidays(day.year)


def is_de_bank_working_day(day: date) -> bool:
    """A working day on which German banks are open (they also close on 24 and 31 December)."""
    return is_de_working_day(day) and (day.month, day.day) not in {(12, 24), (12, 31)}


def next_de_working_day(day: date) -> date:
    """``day`` itself if it is a working day, else the next one (§ 108(3) AO)."""
    while not is_de_working_day(day):
        day += timedelta(days=1)
    return day


def nth_last_bank_working_day(month: Month, n: int) -> date:
    """The ``n``-th last bank working day of ``month`` (n=1: the last one)."""
    day = month.last_day()
    seen = 0
    while True:
        if is_de_bank_working_day(day):
            seen += 1
            if seen == n:
                return day
        day -= timedelta(days=1)


def _last_sunday(year: int, month: int) -> date:
    last = Month(year=year, month=month).last_day()
    return last - timedelta(days=(last.weekday() + 1) % 7)


def berlin_date(moment: datetime) -> date:
    """The calendar date in Germany (and Belgium) at ``moment``: CET, or CEST from 01:00 UTC
    on the last Sunday of March to 01:00 UTC on the last Sunday of October (EU rule). Pure,
    so workflows can use it without a time-zone database."""
    if moment.tzinfo is None:
        raise ValueError("berlin_date needs an aware datetime")
    utc = moment.astimezone(UTC)
    summer_from = datetime.combine(_last_sunday(utc.year, 3), datetime.min.time(), UTC)
    summer_to = datetime.combine(_last_sunday(utc.year, 10), datetime.min.time(), UTC)
    in_summer = summer_from + timedelta(hours=1) <= utc < summer_to + timedelta(hours=1)
    return (utc + timedelta(hours=2 if in_summer else 1)).date()
