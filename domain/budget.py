"""The member's budget: a view of the double-entry ledger, never a second bookkeeping.

Input: the ledger lines that belong to one member (``BudgetRow``: the entry's key, the
account, the activity, debit, credit, the entry's day). An *activity* is an order (its id);
``None`` holds the member-level entries that belong to no order. Every figure below is a sum
over those lines, per activity and for the member's total, in integer cents, so each one
reconciles with the ledger by construction.

Notation, over the activity's lines: ``dr(A)`` / ``cr(A)`` the debits / credits to account
``A``, ``bal(A) = dr(A) − cr(A)``; ``dr(A | k)`` restricted to entries of kind ``k``
(``entry_kind``: the suffix the entry builders of ``domain.ledger`` give their keys).

- ``invoiced_net`` = ``cr(member_budget | invoice) − dr(member_budget | credit_note)``: the net
  turnover invoiced, less the net a credit note cancelled.
- ``fees`` = ``−bal(coop_fee)``: the cooperative's fee (DE 9 %; BE 6.5 % plus the
  employment-budget contribution), plus the payslip's rounding remainder, less fees a credit
  note returned.
- ``received`` = ``cr(client_receivable | payment) − dr(client_receivable | refund)``: the
  invoice's principal (VAT included) paid by clients, less refunds that re-opened it.
- ``advanced`` = ``cr(guarantee_fund)``: wages the guarantee fund advanced;
  ``advance_repaid`` = ``dr(guarantee_fund)``: repaid to it from client payments.
- ``reserved_for_wages`` = ``−bal(member_payable)``: net wage and expenses on a posted payslip
  not yet paid out (a returned payout is reserved again).
- ``contributions_and_tax`` = ``cr(contributions_payable) + cr(wage_tax_payable)``: both
  contribution shares and the wage tax the payroll took from the budget.
- ``paid_out`` = ``dr(member_payable) − cr(member_payable | payout_returned)``: net wage and
  expenses that left the bank for the member.
- ``expenses_reimbursed`` = ``min(expenses, paid_out)``, ``expenses`` being the payslip's
  expenses: the ledger carries them inside ``member_payable`` with the net wage, so the split
  comes from the payslip; ``paid_out`` itself is the ledger's.
- ``wages_and_contributions`` = ``contributions_and_tax + paid_out − expenses_reimbursed``: the
  employer cost that left the budget (net wage paid, employee and employer contributions, tax).
- ``written_off`` = ``bal(guarantee_fund_losses)``.
- ``open_receivable`` = ``bal(client_receivable)``: what the client still owes (VAT included).
- ``budget_held`` = ``−bal(member_budget)``: what the member budget account holds. A payslip
  moves the wage out of it into ``member_payable``, so what is reserved is never held.
- ``unbacked`` = ``open_receivable + written_off − (advanced − advance_repaid)``, kept within
  ``[0, max(budget_held, 0)]``: the part of what is held that no money received or advanced
  stands behind. The first money in pays the VAT and the fee, so ``budget_held − unbacked``
  equals ``received + advance outstanding − VAT − fees − payroll``.
- ``available`` = ``max(budget_held, 0) − unbacked`` per activity; for the member's total
  ``max(0, Σ budget_held − Σ unbacked)`` (one pot: a member-level entry that draws on the budget
  lowers it, an order's unbacked part is never lent to another).

For each activity ``invoiced_net = fees + contributions_and_tax + paid_out + reserved_for_wages
+ budget_held`` (every cent put in the budget is still there or went somewhere), tested with
random sequences of real entries.

A month's movements are ``figures(at its end) − figures(before it)``, field by field; the
balance at its end is the budget of the lines posted up to its last day.
"""

from __future__ import annotations

import calendar
import itertools
import re
from collections.abc import Iterable, Mapping
from datetime import date, timedelta
from typing import Literal, NamedTuple

from pydantic import BaseModel, ConfigDict

from domain.errors import InvalidPeriod
from domain.money import Cents

EntryKind = Literal[
    "invoice",
    "fee",
    "payroll",
    "payout",
    "payout_returned",
    "payment",
    "write_off",
    "credit_note",
    "refund",
    "other",
]

_KINDS: dict[str, EntryKind] = {
    "invoice": "invoice",
    "fee": "fee",
    "payroll": "payroll",
    "payment": "payment",
    "write-off": "write_off",
    "credit-note": "credit_note",
    "refund": "refund",
}
_PAYOUT = re.compile(r"payout(-\d+)?")


def entry_kind(key: str) -> EntryKind:
    """The kind of an entry from its key (``order-7:payment:p1`` → payment; a returned payout
    is ``payout:<payout key>:failed``)."""
    if key.startswith("payout:") and key.endswith(":failed"):
        return "payout_returned"
    parts = key.split(":")
    if len(parts) < 2:
        return "other"
    if _PAYOUT.fullmatch(parts[1]):
        return "payout"
    return _KINDS.get(parts[1], "other")


class BudgetRow(NamedTuple):
    """One ledger line of the member's: its entry's key and day, the account, the activity."""

    entry_key: str
    account: str
    activity: int | None
    debit: Cents
    credit: Cents
    posted_on: date


class BudgetFigures(BaseModel):
    model_config = ConfigDict(frozen=True)

    invoiced_net_cents: Cents = 0
    fees_cents: Cents = 0
    received_cents: Cents = 0
    advanced_cents: Cents = 0
    advance_repaid_cents: Cents = 0
    reserved_for_wages_cents: Cents = 0
    contributions_and_tax_cents: Cents = 0
    paid_out_cents: Cents = 0
    expenses_reimbursed_cents: Cents = 0
    wages_and_contributions_cents: Cents = 0
    written_off_cents: Cents = 0
    open_receivable_cents: Cents = 0
    budget_held_cents: Cents = 0
    unbacked_cents: Cents = 0
    available_cents: Cents = 0

    def minus(self, other: BudgetFigures) -> BudgetFigures:
        """Field by field: the movements between two budgets."""
        mine, theirs = self.model_dump(), other.model_dump()
        return BudgetFigures(**{name: mine[name] - theirs[name] for name in mine})


class ActivityBudget(BaseModel):
    model_config = ConfigDict(frozen=True)

    activity: int | None  # the order's id; None: member-level entries
    figures: BudgetFigures


class Budget(BaseModel):
    model_config = ConfigDict(frozen=True)

    total: BudgetFigures
    activities: tuple[ActivityBudget, ...]  # orders by id, the member-level one first


class MonthBudget(BaseModel):
    model_config = ConfigDict(frozen=True)

    month: str  # YYYY-MM
    movements: Budget
    at_end: Budget


class _Sums:
    """Debit and credit turnovers of one activity, per account and per (account, kind)."""

    def __init__(self) -> None:
        self.dr: dict[str, Cents] = {}
        self.cr: dict[str, Cents] = {}
        self.dr_kind: dict[tuple[str, EntryKind], Cents] = {}
        self.cr_kind: dict[tuple[str, EntryKind], Cents] = {}

    def add(self, row: BudgetRow) -> None:
        kind = entry_kind(row.entry_key)
        self.dr[row.account] = self.dr.get(row.account, 0) + row.debit
        self.cr[row.account] = self.cr.get(row.account, 0) + row.credit
        at = (row.account, kind)
        self.dr_kind[at] = self.dr_kind.get(at, 0) + row.debit
        self.cr_kind[at] = self.cr_kind.get(at, 0) + row.credit

    def bal(self, account: str) -> Cents:
        return self.dr.get(account, 0) - self.cr.get(account, 0)

    def figures(self, expenses: Cents) -> BudgetFigures:
        held = -self.bal("member_budget")
        advanced = self.cr.get("guarantee_fund", 0)
        repaid = self.dr.get("guarantee_fund", 0)
        written_off = self.bal("guarantee_fund_losses")
        open_receivable = self.bal("client_receivable")
        contributions = self.cr.get("contributions_payable", 0) + self.cr.get("wage_tax_payable", 0)
        paid_out = self.dr.get("member_payable", 0) - self.cr_kind.get(
            ("member_payable", "payout_returned"), 0
        )
        reimbursed = min(expenses, max(paid_out, 0))
        unbacked = min(max(open_receivable + written_off - (advanced - repaid), 0), max(held, 0))
        return BudgetFigures(
            invoiced_net_cents=self.cr_kind.get(("member_budget", "invoice"), 0)
            - self.dr_kind.get(("member_budget", "credit_note"), 0),
            fees_cents=-self.bal("coop_fee"),
            received_cents=self.cr_kind.get(("client_receivable", "payment"), 0)
            - self.dr_kind.get(("client_receivable", "refund"), 0),
            advanced_cents=advanced,
            advance_repaid_cents=repaid,
            reserved_for_wages_cents=-self.bal("member_payable"),
            contributions_and_tax_cents=contributions,
            paid_out_cents=paid_out,
            expenses_reimbursed_cents=reimbursed,
            wages_and_contributions_cents=contributions + paid_out - reimbursed,
            written_off_cents=written_off,
            open_receivable_cents=open_receivable,
            budget_held_cents=held,
            unbacked_cents=unbacked,
            available_cents=max(held, 0) - unbacked,
        )


def _total(parts: Iterable[BudgetFigures]) -> BudgetFigures:
    sums: dict[str, Cents] = {}
    for part in parts:
        for name, value in part.model_dump().items():
            sums[name] = sums.get(name, 0) + value
    total = BudgetFigures(**sums)
    pot = max(0, total.budget_held_cents - total.unbacked_cents)
    return total.model_copy(update={"available_cents": pot})


def _order(activity: int | None) -> tuple[int, int]:
    return (0, 0) if activity is None else (1, activity)


def member_budget(
    rows: Iterable[BudgetRow],
    *,
    expenses: Mapping[int | None, Cents] | None = None,
    through: date | None = None,
    before: date | None = None,
) -> Budget:
    """The member's budget from its ledger lines (those posted up to ``through``, or before
    ``before``, when given). ``expenses``: each activity's payslip expenses."""
    sums: dict[int | None, _Sums] = {}
    for row in rows:
        if through is not None and row.posted_on > through:
            continue
        if before is not None and row.posted_on >= before:
            continue
        sums.setdefault(row.activity, _Sums()).add(row)
    given = expenses or {}
    activities = tuple(
        ActivityBudget(activity=activity, figures=sums[activity].figures(given.get(activity, 0)))
        for activity in sorted(sums, key=_order)
    )
    return Budget(total=_total(a.figures for a in activities), activities=activities)


def month_bounds(month: str) -> tuple[date, date]:
    """``"2026-11"`` → its first and last day; anything else is refused."""
    found = re.fullmatch(r"(\d{4})-(\d{2})", month)
    if found is None or not 1 <= int(found.group(2)) <= 12 or int(found.group(1)) < 2000:
        raise InvalidPeriod(f"{month!r} is not a month; write it as YYYY-MM, e.g. 2026-11")
    year, number = int(found.group(1)), int(found.group(2))
    return date(year, number, 1), date(year, number, calendar.monthrange(year, number)[1])


def month_budget(
    rows: Iterable[BudgetRow], month: str, *, expenses: Mapping[int | None, Cents] | None = None
) -> MonthBudget:
    """The month's movements (its end minus its start, per figure) and the budget at its end."""
    first, last = month_bounds(month)
    lines = list(rows)
    start = member_budget(lines, expenses=expenses, before=first)
    end = member_budget(lines, expenses=expenses, through=last)
    before = {a.activity: a.figures for a in start.activities}
    moved = tuple(
        ActivityBudget(
            activity=a.activity,
            figures=a.figures.minus(before.get(a.activity, BudgetFigures())),
        )
        for a in end.activities
    )
    movements = Budget(
        total=end.total.minus(start.total),
        activities=tuple(a for a in moved if a.figures != BudgetFigures()),
    )
    return MonthBudget(month=month, movements=movements, at_end=end)


def employment_budget_by_month(rows: Iterable[BudgetRow], before: date, months: int) -> list[Cents]:
    """The employment budget the member's activity earned in each of the ``months`` calendar
    months before the one ``before`` falls in, oldest first: the month's invoiced net less its
    fees (what the monthly salary rule averages)."""
    lines = list(rows)
    first = before.replace(day=1)
    starts: list[date] = []
    for _ in range(months + 1):
        starts.append(first)
        first = (first - timedelta(days=1)).replace(day=1)
    starts.reverse()  # oldest first, the month of ``before`` last
    earned: list[Cents] = []
    for start, end in itertools.pairwise(starts):
        at_start = member_budget(lines, before=start).total
        at_end = member_budget(lines, before=end).total
        earned.append(
            (at_end.invoiced_net_cents - at_start.invoiced_net_cents)
            - (at_end.fees_cents - at_start.fees_cents)
        )
    return earned
