"""The Belgian work bonus (bonus à l'emploi / werkbonus), social and fiscal, as pure functions.

Social work bonus: a reduction of the employee's 13.07 % ONSS contribution for low wages,
in two parts computed from the full-time monthly reference wage ``S`` (at 100 %, also for the
workers declared at 108 %):

- part A (volet A, low wages): ``max_a`` up to ``floor_a``, then ``max_a - slope_a x (S -
  floor_a)`` up to ``ceiling_a``, 0 above;
- part B (volet B, very low wages): the same shape on ``floor_b`` .. ``ceiling_b`` (``ceiling_b
  = floor_a``).

Each part is rounded to the cent (ONSS instructions: "R wordt rekenkundig afgerond op de
dichtstbijzijnde eenheid (Eurocent)"). White-collar workers (declared at 100 %) and manual
workers and artists (declared at 108 %) have their own amounts; the manual ones are 108 % of the
white-collar ones, rounded to the cent (checked for every period below by a test).

Incomplete performances (ONSS administrative instructions, "Werkbonus", 2009/1:
https://www.socialsecurity.be/lambda/portail%5Cinstructions%5Cidmfa%5C2009_01_n.nsf/LinkByID/
xD81A3CE6F47772F6C12568DA00465323): a full-time worker with incomplete performances gets
``P = (J/D) x R``, ``J`` the days paid, ``D`` the days of a full-time worker in the month; ``J/D``
is rounded to two decimals (0.005 up) and never above 1. The reference wage ``S`` is the wage
converted to full performances: ``wage x D / J``, rounded to the cent (our reading of "S at
100 %"; the instructions' text for this conversion was not read here, see docs/payroll-be.md).
``BelgianTaxRecord.work_bonus_reference_cents`` overrides ``S`` when given.

Part-time work (the same instructions): the fraction is ``H/U`` instead, ``H`` the hours paid in
the month and ``U`` the hours of a full-time worker in the month (the reference person), rounded
and capped as ``J/D``; ``S = wage x U / H``. A monthly salary for fewer hours than full time is
priced this way (``hours_worked``, ``full_time_hours``); an order gives days.

The social bonus never exceeds the contribution it reduces: when ``A + B`` would, part B is
reduced first, then part A (as a public reference implementation of the 2026 instructions
does; the instructions' own order was not found).

Fiscal work bonus (Annex III of the key formula, art. 289ter/1 CIR 92): a reduction of the
withholding tax of 33.14 % of part A + 52.54 % of part B actually granted, each rounded to the
cent; ``be_payroll`` floors the withholding at 0.

Periods: the figures change at indexations and at RMMMG increases, several times a year. Each
``WorkBonusPeriod`` names its source. A period whose figures were not found is a
``WorkBonusGap``: a wage whose reference could earn a bonus there is refused with
``UnsupportedCase`` naming the period, never guessed.
"""

from __future__ import annotations

import calendar
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal
from typing import Final, Literal

from pydantic import BaseModel, ConfigDict

from domain.errors import InvalidAmount, UnsupportedCase
from domain.money import Cents, format_eur, percent_of, round_cents
from domain.payroll.be_rates import SECONDARY

Declared = Literal["100", "108"]  # white-collar at 100 %; manual workers and artists at 108 %

# Annex III of the key formula (n° 20, "bonus à l'emploi fiscal"): 33.14 % of part A and
# 52.54 % of part B. Confirmed for 2025 by two SD Worx payslips (July and September 2025,
# part A 120.59 -> 39.96, part B 12.10 -> 6.36) quoted by a public implementation; 2026: the
# same rates in three independent public implementations of the 2026 key formula.
FISCAL_RATE_A: Final = Decimal("0.3314")
FISCAL_RATE_B: Final = Decimal("0.5254")
FISCAL_RATES_SOURCE: Final = (
    "SPF Finances, formule-clé 2025 and 2026, Annex III n° 20 (bonus à l'emploi fiscal): "
    "33.14 % of part A + 52.54 % of part B; 2025 checked against SD Worx payslips "
    "(07/2025, 09/2025)"
)

_TWO_PLACES = Decimal("0.01")


class Part(BaseModel):
    """One part (volet) of the social work bonus, amounts in cents of a monthly wage."""

    model_config = ConfigDict(frozen=True)

    max_cents: int
    floor_cents: int  # S at or below it: the whole amount
    ceiling_cents: int  # S above it: nothing
    slope: Decimal  # the published coefficient, max / (ceiling - floor) to four decimals

    def amount(self, reference_cents: Cents) -> Cents:
        if reference_cents <= self.floor_cents:
            return self.max_cents
        if reference_cents > self.ceiling_cents:
            return 0
        reduced = Decimal(self.max_cents) - self.slope * (reference_cents - self.floor_cents)
        return max(0, round_cents(reduced))


class WorkBonusPeriod(BaseModel):
    """The social work bonus figures in force from ``valid_from`` to ``valid_until``."""

    model_config = ConfigDict(frozen=True)

    valid_from: date
    valid_until: date
    white_collar_a: Part
    white_collar_b: Part
    manual_a: Part
    manual_b: Part
    source: str
    secondary: bool  # figures from secondary sources only (see ``SECONDARY`` in be_rates)

    def parts(self, declared: Declared) -> tuple[Part, Part]:
        if declared == "100":
            return self.white_collar_a, self.white_collar_b
        return self.manual_a, self.manual_b

    @property
    def max_reference_cents(self) -> int:
        """The highest reference wage that still earns a bonus."""
        return max(self.white_collar_a.ceiling_cents, self.manual_a.ceiling_cents)


class WorkBonusGap(BaseModel):
    """A period whose figures were not found: refused when a bonus is possible."""

    model_config = ConfigDict(frozen=True)

    valid_from: date
    valid_until: date
    # No bonus is possible above it in this period (the next period's upper limit: indexations
    # and RMMMG increases only raise the limits).
    max_reference_cents: int
    reason: str


class WorkBonus(BaseModel):
    """The work bonus of one wage. All zero when none applies (the default, also for payslips
    stored before the bonus was computed)."""

    model_config = ConfigDict(frozen=True)

    reference_cents: Cents | None = None  # S, full-time monthly equivalent at 100 %
    fraction: Decimal = Decimal(1)  # J/D, two decimals
    social_a_cents: Cents = 0  # part A granted (after the fraction and the cap)
    social_b_cents: Cents = 0
    fiscal_a_cents: Cents = 0  # 33.14 % of part A, before the floor at the withholding
    fiscal_b_cents: Cents = 0
    period_valid_from: date | None = None
    source: str = ""

    @property
    def social_cents(self) -> Cents:
        return self.social_a_cents + self.social_b_cents

    @property
    def fiscal_cents(self) -> Cents:
        return self.fiscal_a_cents + self.fiscal_b_cents


def _part(max_cents: int, floor: int, ceiling: int, slope: str) -> Part:
    return Part(max_cents=max_cents, floor_cents=floor, ceiling_cents=ceiling, slope=Decimal(slope))


_MAY_2024 = (
    "Forum for the Future, 'Indexering van verschillende sociale plafonds op 1 mei 2024: "
    "flexi-loon, werkbonus, huisarbeiders en Decava' (https://blog.forumforthefuture.be/nl/"
    "article/indexering-van-verschillende-sociale-plafonds-op-1-mei-2024-flexi-loon-werkbonus-"
    "huisarbeiders-en-decava/23056): white-collar A 118.22 (S <= 2,723.36, slope 0.2442 to "
    "3,207.40), B 159.43 (S <= 2,132.59, slope 0.2699), manual 127.68 / 172.18 (108 %); the "
    "manual slopes are those paired with the same white-collar slopes in 2025-2026 (0.2638, "
    "0.2915); in force until the 1 February 2025 indexation (Easypay, above); " + SECONDARY
)
_EASYPAY_2025 = (
    "Easypay Group, flash info 'Le bonus à l'emploi à partir du 1er février 2025' "
    "(https://easypay-group.com/fr_BE/connaissance/flashes-info/detail/?id=10499), quoting ONSS "
    "administrative instructions 2025/3, 'Bonus à l'emploi' (https://www.socialsecurity.be/"
    "employer/instructions/dmfa/fr/2025-3/instructions/deductions/workers_reductions/"
    "workbonus.html); unchanged on SD Worx payslips of July and September 2025"
)
_PARTENA_2026 = (
    "Partena Professional infoflashes 'au 1er janvier 2026' and 'au 1er mars 2026' as quoted "
    "by two independent public implementations; " + SECONDARY
)
_FGTB_APRIL_2026 = (
    "FGTB workbook 'Calcul AGR 01042026' (work bonus bands from 1 April 2026, RMMMG +35 EUR), "
    "as quoted by a public implementation; white-collar only, manual = 108 % of white-collar "
    "(the rule every other period follows), slopes recomputed to four decimals; " + SECONDARY
)
_ONSS_2026_3 = (
    "ONSS administrative instructions 2026/3 'Bonus à l'emploi' and Partena Professional "
    "infoflashes 'au 1er juillet 2026' / 'au 1er septembre 2026', as quoted by three "
    "independent public implementations (one checked against a Group S payslip); the Q4 2026 "
    "instructions (2026/4) were not checked; " + SECONDARY
)

WORK_BONUS_PERIODS: tuple[WorkBonusPeriod | WorkBonusGap, ...] = (
    WorkBonusPeriod(
        # The figures of 1 May 2024, in force until the 1 February 2025 indexation.
        valid_from=date(2025, 1, 1),
        valid_until=date(2025, 1, 31),
        white_collar_a=_part(11_822, 272_336, 320_740, "0.2442"),
        white_collar_b=_part(15_943, 213_259, 272_336, "0.2699"),
        manual_a=_part(12_768, 272_336, 320_740, "0.2638"),
        manual_b=_part(17_218, 213_259, 272_336, "0.2915"),
        source=_MAY_2024,
        secondary=True,
    ),
    WorkBonusPeriod(
        valid_from=date(2025, 2, 1),
        valid_until=date(2025, 12, 31),
        white_collar_a=_part(12_059, 277_783, 327_148, "0.2443"),
        white_collar_b=_part(16_262, 217_525, 277_783, "0.2699"),
        manual_a=_part(13_024, 277_783, 327_148, "0.2638"),
        manual_b=_part(17_563, 217_525, 277_783, "0.2915"),
        source=_EASYPAY_2025,
        secondary=False,
    ),
    WorkBonusPeriod(
        valid_from=date(2026, 1, 1),
        valid_until=date(2026, 2, 28),
        white_collar_a=_part(12_300, 283_336, 327_148, "0.2807"),
        white_collar_b=_part(16_587, 221_873, 283_336, "0.2699"),
        manual_a=_part(13_284, 283_336, 327_148, "0.3032"),
        manual_b=_part(17_914, 221_873, 283_336, "0.2915"),
        source=_PARTENA_2026,
        secondary=True,
    ),
    WorkBonusPeriod(
        valid_from=date(2026, 3, 1),
        valid_until=date(2026, 3, 31),
        white_collar_a=_part(12_300, 283_336, 333_698, "0.2442"),
        white_collar_b=_part(16_587, 221_873, 283_336, "0.2699"),
        manual_a=_part(13_284, 283_336, 333_698, "0.2638"),
        manual_b=_part(17_914, 221_873, 283_336, "0.2915"),
        source=_PARTENA_2026,
        secondary=True,
    ),
    WorkBonusPeriod(
        valid_from=date(2026, 4, 1),
        valid_until=date(2026, 6, 30),
        white_collar_a=_part(12_504, 288_032, 333_698, "0.2738"),
        white_collar_b=_part(16_862, 225_550, 288_032, "0.2699"),
        manual_a=_part(13_504, 288_032, 333_698, "0.2957"),
        manual_b=_part(18_211, 225_550, 288_032, "0.2915"),
        source=_FGTB_APRIL_2026,
        secondary=True,
    ),
    WorkBonusPeriod(
        valid_from=date(2026, 7, 1),
        valid_until=date(2026, 8, 31),
        white_collar_a=_part(12_754, 293_793, 333_698, "0.3196"),
        white_collar_b=_part(17_199, 230_062, 293_793, "0.2699"),
        manual_a=_part(13_774, 293_793, 333_698, "0.3452"),
        manual_b=_part(18_575, 230_062, 293_793, "0.2915"),
        source=_ONSS_2026_3,
        secondary=True,
    ),
    WorkBonusPeriod(
        valid_from=date(2026, 9, 1),
        valid_until=date(2026, 12, 31),
        white_collar_a=_part(12_754, 293_793, 340_362, "0.2739"),
        white_collar_b=_part(17_199, 230_062, 293_793, "0.2699"),
        manual_a=_part(13_774, 293_793, 340_362, "0.2958"),
        manual_b=_part(18_575, 230_062, 293_793, "0.2915"),
        source=_ONSS_2026_3,
        secondary=True,
    ),
)


def work_bonus_period(on: date) -> WorkBonusPeriod | WorkBonusGap:
    for period in WORK_BONUS_PERIODS:
        if period.valid_from <= on <= period.valid_until:
            return period
    raise UnsupportedCase(
        f"no Belgian work bonus figures for a wage paid on {on.isoformat()}: they are encoded "
        f"from {WORK_BONUS_PERIODS[0].valid_from.isoformat()} to "
        f"{WORK_BONUS_PERIODS[-1].valid_until.isoformat()}"
    )


def fraction(worked: int | Decimal, full_time: int | Decimal) -> Decimal:
    """``J/D`` (days) or ``H/U`` (hours) rounded to two decimals (0.005 up), at most 1."""
    if worked <= 0 or full_time <= 0:
        raise InvalidAmount("the days or hours worked and a full-timer's must be positive")
    exact = Decimal(worked) / Decimal(full_time)
    return min(Decimal(1), exact.quantize(_TWO_PLACES, rounding=ROUND_HALF_UP))


def reference_wage(
    gross_cents: Cents,
    worked: int | Decimal | None,
    full_time: int | Decimal | None,
    override_cents: int | None = None,
) -> Cents:
    """``S``: the full-time, full-month wage at 100 % this wage stands for (``worked`` of a
    full-timer's ``full_time`` days or hours; None: a full month)."""
    if override_cents is not None:
        return override_cents
    if worked is None or full_time is None or worked >= full_time:
        return gross_cents
    if worked <= 0:
        raise InvalidAmount("the days or hours worked must be positive")
    return round_cents(Decimal(gross_cents) * Decimal(full_time) / Decimal(worked))


def performance(
    days_worked: int | None,
    full_time_days: int | None,
    hours_worked: Decimal | None,
    full_time_hours: Decimal | None,
) -> tuple[int | Decimal, int | Decimal] | None:
    """(worked, full time) in days or in hours; None for a full month. Both of a pair or none,
    and not days and hours together."""
    if (days_worked is None) != (full_time_days is None):
        raise InvalidAmount("give both the days worked and the month's full-time days, or none")
    if (hours_worked is None) != (full_time_hours is None):
        raise InvalidAmount("give both the hours worked and a full-timer's hours, or none")
    if days_worked is not None and hours_worked is not None:
        raise InvalidAmount("give the performance in days or in hours, not both")
    if days_worked is not None and full_time_days is not None:
        return days_worked, full_time_days
    if hours_worked is not None and full_time_hours is not None:
        return hours_worked, full_time_hours
    return None


def work_bonus(
    gross_cents: Cents,
    declared: Declared,
    employee_contribution_cents: Cents,
    on: date,
    *,
    days_worked: int | None = None,
    full_time_days: int | None = None,
    reference_override_cents: int | None = None,
    hours_worked: Decimal | None = None,
    full_time_hours: Decimal | None = None,
) -> WorkBonus:
    """The social and fiscal work bonus of a wage of ``gross_cents`` paid on ``on``, whose
    employee contribution (13.07 % of its 100 % or 108 % base) is ``employee_contribution_cents``.

    ``days_worked`` of ``full_time_days`` give the fraction ``J/D``, ``hours_worked`` of
    ``full_time_hours`` the fraction ``H/U`` (none of them: a full month).
    """
    worked = performance(days_worked, full_time_days, hours_worked, full_time_hours)
    reference = reference_wage(
        gross_cents,
        worked[0] if worked else None,
        worked[1] if worked else None,
        reference_override_cents,
    )
    period = work_bonus_period(on)
    if isinstance(period, WorkBonusGap):
        if reference <= period.max_reference_cents:
            raise UnsupportedCase(
                f"a full-time monthly reference wage of {format_eur(reference)} may earn a work "
                f"bonus in the period {period.valid_from.isoformat()} to "
                f"{period.valid_until.isoformat()}, and {period.reason}"
            )
        return WorkBonus(reference_cents=reference)
    mu = fraction(*worked) if worked else Decimal(1)
    part_a, part_b = period.parts(declared)
    a = round_cents(Decimal(part_a.amount(reference)) * mu)
    b = round_cents(Decimal(part_b.amount(reference)) * mu)
    # Never more than the contribution: part B gives way first, then part A.
    cap = max(0, employee_contribution_cents)
    b = min(b, max(0, cap - a))
    a = min(a, cap)
    return WorkBonus(
        reference_cents=reference,
        fraction=mu,
        social_a_cents=a,
        social_b_cents=b,
        fiscal_a_cents=percent_of(a, FISCAL_RATE_A),
        fiscal_b_cents=percent_of(b, FISCAL_RATE_B),
        period_valid_from=period.valid_from,
        source=period.source,
    )


def work_days(start: date, end: date) -> tuple[int, int] | None:
    """(J, D) of an order's period: ``D`` the weekdays (Monday to Friday, a full-time five-day
    week) of the month of ``end``, ``J`` the period's weekdays (its calendar days when it has
    none: a weekend engagement), at most ``D``. None when the period is a full month's work.
    """
    if end < start:
        raise InvalidAmount("a period cannot end before it starts")
    last = calendar.monthrange(end.year, end.month)[1]
    full = _weekdays(end.replace(day=1), end.replace(day=last))
    worked = _weekdays(start, end) or (end - start).days + 1
    if worked >= full:
        return None
    return worked, full


def _weekdays(start: date, end: date) -> int:
    days = (end - start).days + 1
    weeks, rest = divmod(days, 7)
    count = weeks * 5
    day = start + timedelta(days=weeks * 7)
    for _ in range(rest):
        if day.weekday() < 5:
            count += 1
        day += timedelta(days=1)
    return count
