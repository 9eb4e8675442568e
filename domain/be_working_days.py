"""Belgian working days and the free period of a consumer's first reminder (Book XIX CEL).

Art. XIX.2 §1 CEL: late-payment charges may be asked of a consumer only after a first, free
reminder that gives at least 14 calendar days; that period starts on the third working day
after a reminder on paper is sent, the second after one sent electronically. Our reminders go
by e-mail: the period starts on the second working day after sending, runs 14 calendar days
(its last day is the 13th day after its start), and the next reminder, which may charge, goes
out on the day after it ends at the earliest.

"Working day" (jour ouvrable / werkdag) in Belgian law: every day except Sundays and legal
public holidays (Judicial Code art. 53; the ten legal holidays of the Royal Decree of 18 April
1974): seven on fixed dates, three bound to Easter, computed for any year.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Final

FREE_PERIOD_DAYS: Final = 14
WORKING_DAYS_BEFORE_START_ELECTRONIC: Final = 2
WORKING_DAYS_BEFORE_START_PAPER: Final = 3


def easter_sunday(year: int) -> date:
    """Gregorian Easter (the anonymous Gregorian algorithm, Meeus/Jones/Butcher)."""
    a, b, c = year % 19, year // 100, year % 100
    d, e = b // 4, b % 4
    g = (8 * b + 13) // 25
    h = (19 * a + b - d - g + 15) % 30
    i, k = c // 4, c % 4
    l_ = (32 + 2 * e + 2 * i - h - k) % 7
    m = (a + 11 * h + 19 * l_) // 433
    month = (h + l_ - 7 * m + 90) // 25
    day = (h + l_ - 7 * m + 33 * month + 19) % 32
    return date(year, month, day)


def legal_holidays(year: int) -> frozenset[date]:
    """The ten legal holidays (Royal Decree of 18 April 1974): New Year, Easter Monday, Labour
    Day, Ascension, Whit Monday, National Day (21 July), Assumption (15 August), All Saints,
    Armistice (11 November), Christmas."""
    easter = easter_sunday(year)
    fixed = [(1, 1), (5, 1), (7, 21), (8, 15), (11, 1), (11, 11), (12, 25)]
    movable = [easter + timedelta(days=n) for n in (1, 39, 50)]
    return frozenset([date(year, m, d) for m, d in fixed] + movable)


def is_working_day(day: date) -> bool:
    return day.weekday() != 6 and day not in legal_holidays(day.year)


def nth_working_day_after(day: date, n: int) -> date:
    found = 0
    cursor = day
    while found < n:
        cursor += timedelta(days=1)
        if is_working_day(cursor):
            found += 1
    return cursor


def free_period(sent_on: date, *, electronic: bool = True) -> tuple[date, date]:
    """The first and last day of a consumer's free period after a first reminder sent on
    ``sent_on``; nothing may be charged before the day after the last."""
    before = WORKING_DAYS_BEFORE_START_ELECTRONIC if electronic else WORKING_DAYS_BEFORE_START_PAPER
    start = nth_working_day_after(sent_on, before)
    return start, start + timedelta(days=FREE_PERIOD_DAYS - 1)
