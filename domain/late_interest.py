"""Late-payment interest rates by half-year, with their sources, and interest split by them.

Germany (§288 BGB): the base rate (Basiszinssatz, §247 BGB) plus 9 points for a business
debtor, 5 for a consumer; the base rate changes on 1 January and 1 July and each half-year's
rate applies to the days in it. Belgium (law of 2 August 2002, art. 5): the rate for commercial
transactions is set per half-year (the ECB rate + 8 points, rounded up to the half point) and
published by the FPS Finance; Book XIX CEL caps a consumer's late interest at that rate, which
is what we charge.

A half-year whose rate we have not got from its publication is **carried forward** from the last
published one, at most ``CARRY_FORWARD_LIMIT`` half-years, and flagged (``RateUsed.carried``)
so the reminder and the desk say so; beyond that the rate is refused (``RateUsed.refused``
names why): the order's collection stops for ops before charging it (never guessed silently).
When the publication is read, add its line here with the source.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Final, Literal

from domain.interest import accrued_interest

CARRY_FORWARD_LIMIT: Final = 2
# §288(1) and (2) BGB: points above the base rate.
DE_MARGIN_BUSINESS: Final = Decimal("0.09")
DE_MARGIN_CONSUMER: Final = Decimal("0.05")


@dataclass(frozen=True)
class HalfYearRate:
    starts: date  # 1 January or 1 July
    rate: Decimal
    source: str


@dataclass(frozen=True)
class RateUsed:
    """The annual rate for a day, where it comes from, and whether it was carried forward."""

    rate: Decimal
    half_year: date
    source: str
    carried: bool = False
    refused: str = ""  # why this rate may not be charged (carried forward too long), or ""


DE_BASE_RATES: Final = (
    HalfYearRate(
        date(2025, 1, 1),
        Decimal("0.0227"),
        "Deutsche Bundesbank, Bekanntgabe des Basiszinssatzes zum 1. Januar 2025 (2.27 %)",
    ),
    HalfYearRate(
        date(2025, 7, 1),
        Decimal("0.0127"),
        "Deutsche Bundesbank, Bekanntgabe des Basiszinssatzes zum 1. Juli 2025 (1.27 %)",
    ),
    HalfYearRate(
        date(2026, 1, 1),
        Decimal("0.0127"),
        "Deutsche Bundesbank, Bekanntgabe des Basiszinssatzes zum 1. Januar 2026: "
        "unverändert 1.27 % (ECB main refinancing rate 2.15 % since June 2025)",
    ),
)
BE_COMMERCIAL_RATES: Final = (
    HalfYearRate(
        date(2025, 1, 1),
        Decimal("0.115"),
        "SPF Finances / FOD Financiën, communication of the rate under art. 5 of the law "
        "of 2 August 2002, first half of 2025: 11.5 % (ECB 3.15 % + 8, rounded up)",
    ),
    HalfYearRate(
        date(2025, 7, 1),
        Decimal("0.105"),
        "SPF Finances, rate under art. 5 of the law of 2 August 2002, second half of 2025: "
        "10.5 % (ECB 2.15 % + 8, rounded up)",
    ),
    HalfYearRate(
        date(2026, 1, 1),
        Decimal("0.105"),
        "SPF Finances, rate under art. 5 of the law of 2 August 2002, first half of 2026: "
        "10.5 % (unchanged)",
    ),
)


def half_year_of(day: date) -> date:
    return date(day.year, 1 if day.month < 7 else 7, 1)


def next_half_year(start: date) -> date:
    return date(start.year, 7, 1) if start.month == 1 else date(start.year + 1, 1, 1)


def _half_years_between(earlier: date, later: date) -> int:
    return (later.year - earlier.year) * 2 + (later.month - earlier.month) // 6


def _published(table: tuple[HalfYearRate, ...], day: date, what: str) -> RateUsed:
    half = half_year_of(day)
    known = [r for r in table if r.starts <= half]
    if not known:
        first = min(table, key=lambda r: r.starts)
        return RateUsed(
            first.rate,
            half,
            first.source,
            refused=f"no {what} is known for {half:%Y-%m} (the table starts later)",
        )
    last = max(known, key=lambda r: r.starts)
    if last.starts == half:
        return RateUsed(last.rate, half, last.source)
    behind = _half_years_between(last.starts, half)
    refused = ""
    if behind > CARRY_FORWARD_LIMIT:
        refused = (
            f"the {what} for the half-year from {half} is not in our policy data (the last one "
            f"we have is from {last.starts}); add it from its publication before charging "
            "interest for that period"
        )
    return RateUsed(
        last.rate,
        half,
        f"{last.source}; carried forward to the half-year from {half}: its publication is "
        "not in our policy data yet",
        carried=True,
        refused=refused,
    )


def annual_rate(jurisdiction: Literal["DE", "BE"], client_is_business: bool, day: date) -> RateUsed:
    """The late-payment interest rate a day of default bears."""
    if jurisdiction == "DE":
        base = _published(DE_BASE_RATES, day, "German base rate (Basiszinssatz)")
        margin = DE_MARGIN_BUSINESS if client_is_business else DE_MARGIN_CONSUMER
        return RateUsed(base.rate + margin, base.half_year, base.source, base.carried, base.refused)
    return _published(BE_COMMERCIAL_RATES, day, "Belgian commercial late-payment rate")


@dataclass(frozen=True)
class InterestSegment:
    """Interest on one principal for the days of one half-year."""

    start: date  # exclusive
    end: date  # inclusive
    rate: RateUsed
    interest: Decimal  # unrounded cents


def interest_segments(
    jurisdiction: Literal["DE", "BE"],
    client_is_business: bool,
    principal: int,
    start: date,
    end: date,
) -> list[InterestSegment]:
    """Interest on ``principal`` for the days after ``start`` up to ``end``, one segment per
    half-year, each at its own rate (act/365, unrounded: callers round once when charging)."""
    segments: list[InterestSegment] = []
    if principal <= 0 or end <= start:
        return segments
    cursor = start
    while cursor < end:
        first_day = cursor.toordinal() + 1
        half = half_year_of(date.fromordinal(first_day))
        boundary = date.fromordinal(next_half_year(half).toordinal() - 1)  # its last day
        until = min(end, boundary)
        rate = annual_rate(jurisdiction, client_is_business, date.fromordinal(first_day))
        segments.append(
            InterestSegment(
                cursor, until, rate, accrued_interest(principal, rate.rate, cursor, until)
            )
        )
        cursor = until
    return segments


def interest_between(
    jurisdiction: Literal["DE", "BE"],
    client_is_business: bool,
    principal: int,
    start: date | None,
    end: date,
) -> Decimal:
    """The unrounded interest of ``interest_segments`` summed; nothing when no interest runs
    (``start`` None) or ``end`` is not after ``start``."""
    if start is None:
        return Decimal(0)
    return sum(
        (
            s.interest
            for s in interest_segments(jurisdiction, client_is_business, principal, start, end)
        ),
        Decimal(0),
    )


def rates_to_publish(today: date) -> list[str]:
    """What ops should add to this table: each rate of ``today``'s half-year that is carried
    forward or refused, in one sentence."""
    notes = []
    for jurisdiction in ("DE", "BE"):
        used = annual_rate(jurisdiction, True, today)
        if used.refused:
            notes.append(f"{jurisdiction}: {used.refused}")
        elif used.carried:
            notes.append(
                f"{jurisdiction}: the late-payment rate for the half-year from "
                f"{used.half_year} is carried forward from the last one published; add its "
                "publication to domain/late_interest.py"
            )
    return notes
