"""The salary category rule: which monthly gross a member may choose, and whether it is paid.

A member in monthly mode is paid the gross of their salary category at each month end, from
their employment budget, instead of a wage per order (Smart Germany's guide: a salary category
based on average earnings, to even out irregular income). The rule, per jurisdiction
(``SalaryPolicy``, dated, with sources; docs/decisions.md § 50):

- **Lowest**: the minimum wage for the hours the member states a month. Germany: the statutory
  Mindestlohn per hour x hours. Belgium: the guaranteed average minimum monthly income
  (RMMMG/GGMMI) of a full-time job (38 h a week), pro rata hours / full-time hours a month.
  A month whose figure we have not got from its publication is refused, never guessed.
- **Highest**: the gross whose whole-month employer cost is the average employment budget the
  member earned over the last ``months_averaged`` months (``average_monthly_budget_cents``).
- **At month end**: the salary is paid when the budget carries it; it may take the budget below
  zero for at most ``max_negative_months`` month ends in a row, then it pauses until the budget
  carries it again (``month_end_decision``).
- A change of mode or category takes effect on the first day of the next month.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Final, Literal

from domain.errors import InvalidAmount, SalaryCategoryRefused, UnsupportedCase
from domain.money import format_eur, round_cents
from domain.payroll.be_salary_allowances import BE_FULL_TIME_HOURS_PER_MONTH
from domain.payroll.employment import MemberEmployment
from domain.payroll.monthly_salary import gross_for_employer_cost, month_end, whole_month
from domain.policy import Jurisdiction

# Marks a figure taken from a secondary source and not yet checked against the official text.
SECONDARY: Final = "secondary source, to check against the official text"


@dataclass(frozen=True)
class MinimumWage:
    """One published minimum wage: ``amount_cents`` per hour (DE) or per full-time month (BE),
    from ``valid_from`` to ``valid_until`` (both included; the day before the next figure is
    due, or the end of what the publication covers)."""

    valid_from: date
    valid_until: date
    amount_cents: int
    per: Literal["hour", "full-time month"]
    source: str


@dataclass(frozen=True)
class SalaryPolicy:
    jurisdiction: Jurisdiction
    valid_from: date
    months_averaged: int  # N: the past months whose employment budget is averaged
    # The average is divided by at least this many months, so one good first month does not
    # set a salary the next ones cannot carry.
    min_months_divisor: int
    # Month ends in a row the budget may stay below zero after paying a salary.
    max_negative_months: int
    minimum_wages: tuple[MinimumWage, ...]
    why: str


DE_MINIMUM_WAGES: Final = (
    MinimumWage(
        date(2026, 1, 1),
        date(2026, 12, 31),
        1390,
        "hour",
        "Fünfte Verordnung zur Anpassung der Höhe des Mindestlohns (MiLoV5), Bundeskabinett "
        "29 October 2025, following the Mindestlohnkommission's decision of 27 June 2025: "
        "€13.90 gross an hour from 1 January 2026 (§ 1 MiLoG)",
    ),
    MinimumWage(
        date(2027, 1, 1),
        date(2027, 12, 31),
        1460,
        "hour",
        "the same Verordnung (MiLoV5): €14.60 gross an hour from 1 January 2027; the next "
        "adjustment (from 2028) needs a new Verordnung",
    ),
)
BE_MINIMUM_WAGES: Final = (
    MinimumWage(
        date(2026, 1, 1),
        date(2026, 3, 31),
        215_411,
        "full-time month",
        "RMMMG/GGMMI (CCT n° 43 of the National Labour Council, as amended; indexed): "
        f"€2,154.11 a month for 38 h a week from 1 January 2026 ({SECONDARY}: playroll.com, "
        "'Minimum wage in Belgium'); until 31 March 2026, as the third step of the increase "
        "(+€35.70 before indexation, CCT n° 43/16 and 43/17 schedule) is due on 1 April 2026",
    ),
)

DE_SALARY_POLICY: Final = SalaryPolicy(
    jurisdiction="DE",
    valid_from=date(2026, 1, 1),
    months_averaged=6,
    min_months_divisor=3,
    max_negative_months=1,
    minimum_wages=DE_MINIMUM_WAGES,
    why="docs/decisions.md § 50",
)
BE_SALARY_POLICY: Final = SalaryPolicy(
    jurisdiction="BE",
    valid_from=date(2026, 1, 1),
    months_averaged=6,
    min_months_divisor=3,
    max_negative_months=1,
    minimum_wages=BE_MINIMUM_WAGES,
    why="docs/decisions.md § 50",
)
SALARY_POLICIES: Final = (DE_SALARY_POLICY, BE_SALARY_POLICY)


def salary_policy_for(jurisdiction: str, month: date) -> SalaryPolicy:
    """The salary policy in force in ``jurisdiction`` for ``month``."""
    candidates = [
        p for p in SALARY_POLICIES if p.jurisdiction == jurisdiction and p.valid_from <= month
    ]
    if not candidates:
        raise UnsupportedCase(f"no salary-category policy for {jurisdiction!r} in {month:%Y-%m}")
    return max(candidates, key=lambda p: p.valid_from)


def minimum_wage_for(jurisdiction: str, month: date) -> MinimumWage:
    """The minimum wage in force on the month's last day (a mid-month change is not modelled:
    every figure here starts on a first of the month). Refused when it is not published."""
    day = month_end(month)
    wages = salary_policy_for(jurisdiction, month).minimum_wages
    for wage in wages:
        if wage.valid_from <= day <= wage.valid_until:
            return wage
    last = max(wages, key=lambda w: w.valid_until)
    raise UnsupportedCase(
        f"the {jurisdiction} minimum wage for {month:%Y-%m} is not in our policy data (the last "
        f"figure we have runs to {last.valid_until.isoformat()}); add it from its publication to "
        "domain/salary_category.py before checking salary categories for that month"
    )


def minimum_gross_cents(jurisdiction: str, hours_per_month: Decimal, month: date) -> int:
    """The lowest gross for ``hours_per_month`` hours of work in ``month``, rounded once."""
    if not hours_per_month > 0:
        raise InvalidAmount(f"hours a month must be positive, not {hours_per_month}")
    wage = minimum_wage_for(jurisdiction, month)
    if wage.per == "hour":
        return round_cents(Decimal(wage.amount_cents) * hours_per_month)
    return round_cents(Decimal(wage.amount_cents) * hours_per_month / BE_FULL_TIME_HOURS_PER_MONTH)


def average_monthly_budget_cents(monthly_budgets: Sequence[int], policy: SalaryPolicy) -> int:
    """The average employment budget earned a month over the last ``months_averaged`` months
    (``monthly_budgets`` oldest first, one entry a month, 0 for a month without any). A shorter
    history is averaged over its months, but divided by at least ``min_months_divisor``; no
    history gives 0. Rounded once, half-up."""
    if any(budget < 0 for budget in monthly_budgets):
        raise InvalidAmount("an employment budget earned in a month cannot be negative")
    recent = list(monthly_budgets)[-policy.months_averaged :]
    if not recent:
        return 0
    divisor = max(len(recent), policy.min_months_divisor)
    return round_cents(Decimal(sum(recent)) / divisor)


@dataclass(frozen=True)
class SalaryRange:
    minimum_gross_cents: int
    maximum_gross_cents: int
    average_budget_cents: int
    supported: bool  # the budget carries at least the minimum


def salary_range(
    monthly_budgets: Sequence[int],
    jurisdiction: str,
    employment: MemberEmployment | None,
    hours_per_month: Decimal,
    month: date,
) -> SalaryRange:
    """The grosses a member may choose for ``month``: from the minimum wage for the hours up
    to what the average budget pays."""
    whole_month(month)
    policy = salary_policy_for(jurisdiction, month)
    lowest = minimum_gross_cents(jurisdiction, hours_per_month, month)
    average = average_monthly_budget_cents(monthly_budgets, policy)
    highest = gross_for_employer_cost(average, jurisdiction, employment, month)
    return SalaryRange(
        minimum_gross_cents=lowest,
        maximum_gross_cents=highest,
        average_budget_cents=average,
        supported=highest >= lowest,
    )


def _hours(hours: Decimal) -> str:
    return f"{hours.normalize():f}"


def check_category(
    gross_cents: int,
    hours_per_month: Decimal,
    jurisdiction: str,
    employment: MemberEmployment | None,
    month: date,
    monthly_budgets: Sequence[int],
) -> SalaryRange:
    """The range, when ``gross_cents`` is within it; else refused with the figures."""
    allowed = salary_range(monthly_budgets, jurisdiction, employment, hours_per_month, month)
    if gross_cents < allowed.minimum_gross_cents:
        wage = minimum_wage_for(jurisdiction, month)
        unit = "an hour" if wage.per == "hour" else "a month full-time (38 h a week)"
        raise SalaryCategoryRefused(
            f"a salary of {format_eur(gross_cents)} a month is below the minimum wage for "
            f"{_hours(hours_per_month)} hours a month in {month:%Y-%m}: at least "
            f"{format_eur(allowed.minimum_gross_cents)} ({format_eur(wage.amount_cents)} {unit})"
        )
    if gross_cents > allowed.maximum_gross_cents:
        policy = salary_policy_for(jurisdiction, month)
        raise SalaryCategoryRefused(
            f"a salary of {format_eur(gross_cents)} a month is more than the budget supports: "
            f"at most {format_eur(allowed.maximum_gross_cents)}, the gross whose employer cost "
            f"is the average employment budget of {format_eur(allowed.average_budget_cents)} a "
            f"month over the last {policy.months_averaged} months"
        )
    return allowed


@dataclass(frozen=True)
class SalaryDecision:
    pay: bool
    negative_months: int  # month ends in a row with the budget below zero, after this one
    budget_after_cents: int  # the budget at this month end
    message: str  # for people


def _ordinal(n: int) -> str:
    suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"


def month_end_decision(
    available_cents: int,
    employer_cost_cents: int,
    negative_months_so_far: int,
    policy: SalaryPolicy,
) -> SalaryDecision:
    """Whether this month's salary (costing ``employer_cost_cents``) is paid from a budget of
    ``available_cents``: when the budget carries it; else only while the budget has been below
    zero for fewer than ``max_negative_months`` month ends in a row; else paused (the budget
    keeps what it has, and the count goes on while it stays below zero)."""
    if employer_cost_cents < 0 or negative_months_so_far < 0:
        raise InvalidAmount("a salary's cost and a count of months cannot be negative")
    allowed = policy.max_negative_months
    after = available_cents - employer_cost_cents
    if after >= 0:
        return SalaryDecision(True, 0, after, f"salary paid; budget {format_eur(after)} after it")
    if negative_months_so_far < allowed:
        months = negative_months_so_far + 1
        return SalaryDecision(
            True,
            months,
            after,
            f"budget {format_eur(after)} after this salary: the {_ordinal(months)} month below "
            f"zero ({allowed} allowed)",
        )
    still_negative = negative_months_so_far + 1 if available_cents < 0 else 0
    return SalaryDecision(
        False,
        still_negative,
        available_cents,
        f"salary paused: the budget would stay below zero for a "
        f"{_ordinal(negative_months_so_far + 1)} month in a row ({allowed} allowed); it "
        "resumes when the budget carries it",
    )


def first_month_of_change(requested_on: date) -> date:
    """A change of mode or salary category takes effect on the first day of the next month."""
    if requested_on.month == 12:
        return date(requested_on.year + 1, 1, 1)
    return date(requested_on.year, requested_on.month + 1, 1)
