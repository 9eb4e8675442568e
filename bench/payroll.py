"""How long the monthly payroll of 20,000 members takes (payslip data, not PDFs), and its peak
memory: for each member, the gross wage their employment budget buys and the payslip of it,
with the exact engines (German PAP wage tax and contributions, Belgian ONSS and key formula).

    .venv/bin/python -m bench.payroll [--members 20000] [--untraced] [--days N]

``--days N`` prices each German wage as an employment of N days (1 to 29: pro-rata ceilings,
daily wage-tax table) and each Belgian one as N days' work (the work bonus on its full-time
reference, pro rata) instead of a whole month.

A second section, always printed, runs the month end of the same number of members in monthly
mode (``domain.salary_category``, ``domain.payroll.monthly_salary``): for each, the salary
range from six months of employment budget, a salary category within it (checked), the
whole month's employer cost, the month-end decision and, when paid, the payslip; its time per
member is printed beside the per-order run's (goal: 20,000 members in under 10 s). The month is
March 2026: the last month whose Belgian minimum wage is in the policy data.

tracemalloc slows every allocation (Decimal arithmetic allocates a lot): ``--untraced`` times
the same run without it, and without a memory figure.
"""

from __future__ import annotations

import argparse
import random
import time
import tracemalloc
from datetime import date
from decimal import Decimal
from typing import NamedTuple

from domain.payroll.be_payroll import belgian_wage_from_budget
from domain.payroll.be_withholding import BelgianTaxRecord
from domain.payroll.be_work_bonus import work_days
from domain.payroll.de_engine import german_payslip, gross_for_budget
from domain.payroll.employment import (
    BelgianEmployment,
    EmploymentPeriod,
    EmploymentRecordDE,
    MemberEmployment,
)
from domain.payroll.monthly_salary import (
    employer_cost_cents,
    monthly_salary_result,
)
from domain.salary_category import (
    check_category,
    month_end_decision,
    salary_policy_for,
    salary_range,
)

PAY_DATE = date(2026, 6, 30)
STATES = ("NW", "BY", "BE", "HH", "BW", "HE")
SALARY_MONTH = date(2026, 3, 1)
SALARY_PAY_DATE = date(2026, 3, 31)
MONTHLY_GOAL_SECONDS = 10.0


def german_member(rng: random.Random) -> tuple[EmploymentRecordDE, int]:
    children = rng.choice((0, 0, 1, 2, 3))
    tax_class = rng.choice((1, 1, 1, 3, 4, 5))
    record = EmploymentRecordDE(
        tax_class=tax_class,
        children=children,
        children_under_25=children,
        tax_child_allowances=Decimal(children if tax_class <= 4 else 0),
        church_member=rng.random() < 0.4,
        federal_state=rng.choice(STATES),
        health_fund="Techniker Krankenkasse",
        health_fund_additional_rate=Decimal("0.029"),
        birth_year=rng.randint(1965, 2000),
    )
    return record, rng.randint(300_000, 1_200_000)  # budget 3,000-12,000 €: regular wages


class MonthlyMember(NamedTuple):
    jurisdiction: str
    employment: MemberEmployment
    budgets: list[int]  # the last six months' employment budget, oldest first
    hours: Decimal
    position: float  # where in its range the member's category lies (0: minimum, 1: maximum)
    available_cents: int  # the budget at month end before the salary
    negative_months: int


def monthly_member(rng: random.Random, german: bool) -> MonthlyMember:
    if german:
        employment: MemberEmployment = german_member(rng)[0]
        budgets = [rng.randint(250_000, 900_000) for _ in range(6)]
    else:
        employment = BelgianEmployment()
        budgets = [rng.randint(450_000, 1_200_000) for _ in range(6)]
    return MonthlyMember(
        jurisdiction="DE" if german else "BE",
        employment=employment,
        budgets=budgets,
        hours=Decimal(rng.choice((80, 120, 160, 173))),
        position=rng.random(),
        available_cents=rng.randint(-300_000, 1_200_000),
        negative_months=rng.choice((0, 0, 0, 1, 2)),
    )


def monthly_month_end(members: list[MonthlyMember]) -> tuple[int, int, int, int]:
    """Each member's category chosen and checked, then the month end: (paid, paused, outside
    any range, net paid)."""
    paid = paused = unsupported = net_total = 0
    for m in members:
        allowed = salary_range(m.budgets, m.jurisdiction, m.employment, m.hours, SALARY_MONTH)
        lowest = allowed.minimum_gross_cents
        if allowed.maximum_gross_cents < lowest:
            unsupported += 1
            continue
        gross = lowest + int((allowed.maximum_gross_cents - lowest) * m.position)
        check_category(gross, m.hours, m.jurisdiction, m.employment, SALARY_MONTH, m.budgets)
        cost = employer_cost_cents(gross, m.jurisdiction, m.employment, SALARY_MONTH)
        policy = salary_policy_for(m.jurisdiction, SALARY_MONTH)
        decision = month_end_decision(m.available_cents, cost, m.negative_months, policy)
        if not decision.pay:
            paused += 1
            continue
        result = monthly_salary_result(
            gross, m.jurisdiction, m.employment, SALARY_MONTH, SALARY_PAY_DATE
        )
        paid += 1
        net_total += result.data.net_wage_cents
    return paid, paused, unsupported, net_total


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--members", type=int, default=20_000)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--untraced", action="store_true", help="time without tracemalloc")
    parser.add_argument("--days", type=int, default=None, help="German employments of N days")
    args = parser.parse_args()
    period = None
    if args.days is not None:
        first = PAY_DATE.replace(day=1)
        period = EmploymentPeriod(start=first, end=first.replace(day=args.days))
    rng = random.Random(args.seed)
    german = [german_member(rng) for _ in range(args.members // 2)]
    # Budgets from 2,500 €: many Belgian wages are in the work-bonus range.
    belgian = [rng.randint(250_000, 1_500_000) for _ in range(args.members - len(german))]
    be_record = BelgianTaxRecord()
    be_days = work_days(period.start, period.end) if period is not None else None

    if not args.untraced:
        tracemalloc.start()
    started = time.perf_counter()
    net_total = 0
    for record, budget in german:
        split = gross_for_budget(budget, record, PAY_DATE, period)
        net_total += german_payslip(split.gross_cents, record, PAY_DATE, period).net_cents
    de_done = time.perf_counter()
    for budget in belgian:
        net_total += belgian_wage_from_budget(
            budget,
            "standard",
            be_record,
            PAY_DATE,
            days_worked=be_days[0] if be_days else None,
            full_time_days=be_days[1] if be_days else None,
        ).payslip.net_cents
    elapsed = time.perf_counter() - started
    _, peak = tracemalloc.get_traced_memory()  # (0, 0) when untraced
    tracemalloc.stop()

    span = "a whole month" if period is None else f"{period.sv_days}-day employments"
    print(
        f"members: {args.members} ({len(german)} DE, {len(belgian)} BE), pay date {PAY_DATE}, "
        f"DE: {span}"
    )
    print(f"DE: {de_done - started:6.2f} s   BE: {elapsed - (de_done - started):6.2f} s")
    print(
        f"monthly payroll (budget → gross → payslip): {elapsed:6.2f} s, "
        f"{args.members / elapsed:,.0f} payslips/s "
        f"(tracemalloc {'off' if args.untraced else 'on'})"
    )
    memory = (
        "not traced" if args.untraced else f"{peak / 1_048_576:6.1f} MiB ({peak / 1024:,.0f} KiB)"
    )
    print(f"peak traced memory: {memory}; total net paid €{net_total / 100:,.2f}")

    monthly = [monthly_member(rng, german=i % 2 == 0) for i in range(args.members)]
    started = time.perf_counter()
    paid, paused, unsupported, monthly_net = monthly_month_end(monthly)
    monthly_elapsed = time.perf_counter() - started
    per_order_ms = elapsed / args.members * 1000
    per_salary_ms = monthly_elapsed / args.members * 1000
    goal = MONTHLY_GOAL_SECONDS * args.members / 20_000
    print(
        f"monthly salaries {SALARY_MONTH:%Y-%m} (range, category checked, employer cost, "
        f"month-end decision, payslip): {monthly_elapsed:6.2f} s for {args.members} members "
        f"({paid} paid, {paused} paused, {unsupported} below the minimum); net paid "
        f"€{monthly_net / 100:,.2f}"
    )
    print(
        f"per member: monthly salary {per_salary_ms:.3f} ms, per-order wage {per_order_ms:.3f} ms "
        f"(tracemalloc {'off' if args.untraced else 'on'} for the per-order run only)"
    )
    print(
        f"goal: under {goal:.1f} s for {args.members} members: "
        f"{'met' if monthly_elapsed < goal else 'NOT met'}"
    )


if __name__ == "__main__":
    main()
