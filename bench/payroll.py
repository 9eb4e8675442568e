"""How long the monthly payroll of 20,000 members takes (payslip data, not PDFs), and its peak
memory: for each member, the gross wage their employment budget buys and the payslip of it,
with the exact engines (German PAP wage tax and contributions, Belgian ONSS and key formula).

    .venv/bin/python -m bench.payroll [--members 20000] [--untraced] [--days N]

``--days N`` prices each German wage as an employment of N days (1 to 29: pro-rata ceilings,
daily wage-tax table) instead of a whole month.

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

from domain.payroll.be_payroll import belgian_wage_from_budget
from domain.payroll.be_withholding import BelgianTaxRecord
from domain.payroll.de_engine import german_payslip, gross_for_budget
from domain.payroll.employment import EmploymentPeriod, EmploymentRecordDE

PAY_DATE = date(2026, 6, 30)
STATES = ("NW", "BY", "BE", "HH", "BW", "HE")


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
    belgian = [rng.randint(600_000, 1_500_000) for _ in range(args.members - len(german))]
    be_record = BelgianTaxRecord()

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
            budget, "standard", be_record, PAY_DATE
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


if __name__ == "__main__":
    main()
