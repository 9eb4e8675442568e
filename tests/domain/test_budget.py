"""The member's budget is a view of the ledger: random orders posted through the real entry
builders of ``domain.ledger`` → every figure equals the matching sum of the lines, the books
balance, and what is available is always backed by money received or advanced."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from domain.breakdown import OrderBreakdown, compute_breakdown
from domain.budget import (
    BudgetFigures,
    BudgetRow,
    entry_kind,
    member_budget,
    month_bounds,
    month_budget,
)
from domain.errors import InvalidPeriod
from domain.ledger import (
    JournalEntry,
    Line,
    credit_note_issued,
    dunning_charged,
    fee_charged,
    invoice_issued,
    payment_received,
    payslip_posted,
    refund_paid,
    wage_paid,
    wage_returned,
    written_off,
)
from domain.policy import policy_for

DE = policy_for("DE", date(2026, 3, 1))
BE = policy_for("BE", date(2026, 3, 1))
START = date(2026, 9, 1)


@dataclass
class Posted:
    """The entries of one member, and what the scenario says each figure must be."""

    rows: list[BudgetRow] = field(default_factory=list)
    expenses: dict[int | None, int] = field(default_factory=dict)
    expected: dict[int | None, dict[str, int]] = field(default_factory=dict)
    cash: dict[int | None, int] = field(default_factory=dict)  # received + advance out − spent

    def post(self, entry: JournalEntry, activity: int | None, day: date) -> None:
        self.rows += [
            BudgetRow(entry.key, line.account, activity, line.debit, line.credit, day)
            for line in entry.lines
        ]


def payslip(key: str, b: OrderBreakdown, remainder: int) -> JournalEntry:
    """The exact payslip of the breakdown, ``remainder`` cents of its employer share left to
    the cooperative as rounding."""
    return payslip_posted(
        key,
        employer_cost=b.employer_contributions_cents + b.gross_wage_cents - remainder,
        employee_contributions=b.employee_contributions_cents,
        employer_contributions=b.employer_contributions_cents - remainder,
        wage_tax=b.wage_tax_cents,
        net_wage=b.net_wage_cents,
        expenses=b.expenses_cents,
        remainder=remainder,
    )


@st.composite
def orders(draw: st.DrawFn, order_id: int) -> dict[str, object]:
    policy = draw(st.sampled_from([DE, BE]))
    net = draw(st.integers(10_000, 2_000_000))
    vat_rate = draw(st.sampled_from([Decimal(0), Decimal("0.19"), Decimal("0.21")]))
    spare = net - round(net * policy.fee_rate) - 1
    expenses = draw(st.sampled_from([0, 0, min(4_200, spare)]))
    b = compute_breakdown(policy, net_cents=net, vat_rate=vat_rate, expenses_cents=expenses)
    return {
        "id": order_id,
        "b": b,
        "paid": draw(st.sampled_from(["none", "part", "full"])),
        "part": draw(st.integers(1, b.gross_invoice_cents - 1)),
        "paid_after_payout": draw(st.booleans()),
        "payroll": draw(st.booleans()),
        "remainder": draw(st.integers(0, min(99, b.employer_contributions_cents))),
        "payout": draw(st.booleans()),
        "returned": draw(st.booleans()),
        "retried": draw(st.booleans()),
        "write_off": draw(st.booleans()),
        "credit_note": draw(st.booleans()),
        "dunning": draw(st.integers(0, 5_000)),
        "day": draw(st.integers(0, 120)),
    }


def post_order(posted: Posted, o: dict[str, object]) -> None:
    order_id = o["id"]
    assert isinstance(order_id, int)
    b = o["b"]
    assert isinstance(b, OrderBreakdown)
    key = f"order-{order_id}"
    day = START + timedelta(days=int(str(o["day"])))
    post = posted.post
    post(invoice_issued(key, b), order_id, day)
    post(fee_charged(key, b), order_id, day)
    if o["dunning"]:
        post(dunning_charged(key, 1, int(str(o["dunning"]))), order_id, day + timedelta(days=40))
    gross = b.gross_invoice_cents
    principal = {"none": 0, "part": int(str(o["part"])), "full": gross}[str(o["paid"])]
    payroll = bool(o["payroll"]) and not o["credit_note"]
    remainder = int(str(o["remainder"])) if payroll else 0
    advanced = repaid = paid_out = 0
    reserved = 0

    def pay(on: date) -> None:
        nonlocal repaid
        if principal:
            repaid = min(advanced, principal)
            charges = int(str(o["dunning"])) if principal == gross else 0
            entry = payment_received(
                key,
                "p1",
                to_principal=principal,
                to_charges=charges,
                overpaid=0,
                fund_repaid=repaid,
            )
            post(entry, order_id, on)

    if not o["paid_after_payout"] or not payroll:
        pay(day + timedelta(days=20))
    if payroll:
        post(payslip(key, b, remainder), order_id, day + timedelta(days=7))
        reserved = b.payout_cents
        if o["payout"]:
            already = principal if not o["paid_after_payout"] else 0
            advanced = b.payout_cents if already < gross else 0
            post(wage_paid(key, b.payout_cents, advanced), order_id, day + timedelta(days=8))
            reserved, paid_out = 0, b.payout_cents
            if o["returned"]:
                post(
                    wage_returned(f"{key}-1", b.payout_cents, "returned"),
                    order_id,
                    day + timedelta(days=10),
                )
                reserved, paid_out = b.payout_cents, 0
                if o["retried"]:
                    post(wage_paid(key, b.payout_cents, 0, 2), order_id, day + timedelta(days=12))
                    reserved, paid_out = 0, b.payout_cents
        if o["paid_after_payout"]:
            pay(day + timedelta(days=30))
    cancelled = bool(o["credit_note"])
    wrote_off = 0
    if cancelled:
        charges_paid = int(str(o["dunning"])) if principal == gross else 0
        entry = credit_note_issued(
            key,
            b,
            principal_paid=principal,
            charges_paid=charges_paid,
            charges_open=int(str(o["dunning"])) - charges_paid,
        )
        post(entry, order_id, day + timedelta(days=50))
        if principal:
            refund = refund_paid(key, "r1", from_overpayments=principal, reopened=0)
            post(refund, order_id, day + timedelta(days=55))
    elif o["write_off"] and principal < gross:
        wrote_off = gross - principal
        charges = int(str(o["dunning"]))
        post(
            written_off(key, principal_cents=wrote_off, charges_cents=charges),
            order_id,
            day + timedelta(days=90),
        )
    if payroll and b.expenses_cents:
        posted.expenses[order_id] = b.expenses_cents
    spent_by_payroll = b.employer_contributions_cents + b.gross_wage_cents + b.expenses_cents
    posted.expected[order_id] = {
        "invoiced_net_cents": 0 if cancelled else b.net_cents,
        "fees_cents": 0 if cancelled else b.coop_share_cents + remainder,
        "received_cents": principal,
        "advanced_cents": advanced,
        "advance_repaid_cents": repaid,
        "reserved_for_wages_cents": reserved,
        "contributions_and_tax_cents": (
            b.contributions_cents + b.wage_tax_cents - remainder if payroll else 0
        ),
        "paid_out_cents": paid_out,
        "expenses_reimbursed_cents": b.expenses_cents if paid_out else 0,
        "written_off_cents": wrote_off,
    }
    if not cancelled:
        posted.cash[order_id] = (
            principal
            + advanced
            - repaid
            - b.vat_cents
            - b.coop_share_cents
            - (spent_by_payroll if payroll else 0)
        )


def post_salary(posted: Posted, cents: int, on: date) -> None:
    """A member-level entry (no order): the next step's monthly salary, reserved."""
    entry = JournalEntry(
        key=f"member-1:salary:{on:%Y-%m}",
        description="Monthly salary",
        lines=(
            Line(account="member_budget", debit=cents),
            Line(account="member_payable", credit=cents),
        ),
    )
    posted.post(entry, None, on)
    posted.expected[None] = {"reserved_for_wages_cents": cents, "invoiced_net_cents": 0}


@st.composite
def members(draw: st.DrawFn) -> Posted:
    posted = Posted()
    count = draw(st.integers(1, 4))
    for order_id in range(1, count + 1):
        post_order(posted, draw(orders(order_id)))
    if draw(st.booleans()):
        post_salary(posted, draw(st.integers(1, 100_000)), START + timedelta(days=60))
    return posted


def _sum(posted: Posted, activity: int | None, account: str, side: str) -> int:
    return sum(
        (r.debit if side == "dr" else r.credit)
        for r in posted.rows
        if r.activity == activity and r.account == account
    )


@settings(max_examples=300, deadline=None)
@given(members())
def test_every_figure_is_a_sum_of_the_ledger_lines(posted: Posted) -> None:
    assert sum(r.debit for r in posted.rows) == sum(r.credit for r in posted.rows)
    budget = member_budget(posted.rows, expenses=posted.expenses)
    by_activity = {a.activity: a.figures for a in budget.activities}
    assert set(by_activity) == set(posted.expected)
    for activity, expected in posted.expected.items():
        figures = by_activity[activity]
        for name, cents in expected.items():
            assert getattr(figures, name) == cents, (activity, name)
        held = _sum(posted, activity, "member_budget", "cr") - _sum(
            posted, activity, "member_budget", "dr"
        )
        assert figures.budget_held_cents == held
        assert figures.fees_cents == _sum(posted, activity, "coop_fee", "cr") - _sum(
            posted, activity, "coop_fee", "dr"
        )
        assert figures.reserved_for_wages_cents == _sum(
            posted, activity, "member_payable", "cr"
        ) - _sum(posted, activity, "member_payable", "dr")
        # every cent the invoice put in the budget is still there or went somewhere
        assert figures.invoiced_net_cents == (
            figures.fees_cents
            + figures.contributions_and_tax_cents
            + figures.paid_out_cents
            + figures.reserved_for_wages_cents
            + figures.budget_held_cents
        )
        assert figures.wages_and_contributions_cents == (
            figures.contributions_and_tax_cents
            + figures.paid_out_cents
            - figures.expenses_reimbursed_cents
        )
        # available: never money not received or advanced
        assert 0 <= figures.available_cents <= max(figures.budget_held_cents, 0)
        backed = figures.received_cents + figures.advanced_cents - figures.advance_repaid_cents
        assert figures.available_cents <= max(backed, 0)
        if activity in posted.cash:
            assert figures.available_cents <= max(posted.cash[activity], 0)
            if figures.written_off_cents == 0 and 0 <= posted.cash[activity]:
                assert figures.available_cents == min(
                    posted.cash[activity], max(figures.budget_held_cents, 0)
                )
    # the member's total: the sums, and one pot for what is available
    for name in BudgetFigures.model_fields:
        if name != "available_cents":
            assert getattr(budget.total, name) == sum(
                getattr(f, name) for f in by_activity.values()
            )
    assert budget.total.available_cents == max(
        0, budget.total.budget_held_cents - budget.total.unbacked_cents
    )
    assert budget.total.available_cents <= sum(f.available_cents for f in by_activity.values())


@settings(max_examples=100, deadline=None)
@given(members(), st.sampled_from(["2026-08", "2026-09", "2026-10", "2026-11", "2027-01"]))
def test_a_month_is_its_movements_plus_the_balance_before(posted: Posted, month: str) -> None:
    first, last = month_bounds(month)
    of_month = month_budget(posted.rows, month, expenses=posted.expenses)
    before = member_budget(posted.rows, expenses=posted.expenses, before=first)
    assert of_month.at_end == member_budget(posted.rows, expenses=posted.expenses, through=last)
    for name in BudgetFigures.model_fields:
        assert getattr(before.total, name) + getattr(of_month.movements.total, name) == getattr(
            of_month.at_end.total, name
        )
    moved = {r for r in posted.rows if first <= r.posted_on <= last}
    if not moved:
        assert of_month.movements.activities == ()


def _de_order(*, net: int = 480_000) -> OrderBreakdown:
    return compute_breakdown(DE, net_cents=net, vat_rate=Decimal("0.19"))


def test_a_german_order_of_4800_paid_in_full() -> None:
    b = _de_order()
    assert (b.vat_cents, b.coop_share_cents) == (91_200, 43_200)
    posted = Posted()
    day = date(2026, 10, 1)
    posted.post(invoice_issued("order-1", b), 1, day)
    posted.post(fee_charged("order-1", b), 1, day)
    posted.post(
        payment_received(
            "order-1", "p1", to_principal=571_200, to_charges=0, overpaid=0, fund_repaid=0
        ),
        1,
        date(2026, 10, 20),
    )
    paid = member_budget(posted.rows).total
    assert paid.invoiced_net_cents == 480_000
    assert paid.fees_cents == 43_200
    assert paid.received_cents == 571_200
    assert paid.budget_held_cents == 436_800
    assert paid.available_cents == 436_800
    posted.post(payslip("order-1", b, 0), 1, date(2026, 10, 22))
    slip = member_budget(posted.rows).total
    assert slip.reserved_for_wages_cents == b.net_wage_cents
    assert slip.budget_held_cents == 0
    assert slip.available_cents == 0
    posted.post(wage_paid("order-1", b.payout_cents, 0), 1, date(2026, 10, 23))
    done = member_budget(posted.rows).total
    assert done.reserved_for_wages_cents == 0
    assert done.paid_out_cents == b.net_wage_cents
    assert done.wages_and_contributions_cents == 436_800  # the whole employer cost
    assert done.available_cents == 0
    assert done.advanced_cents == 0
    november = month_budget(posted.rows, "2026-11")
    assert november.movements.total == BudgetFigures()
    assert november.at_end.total == done


def test_an_unpaid_order_whose_wage_the_guarantee_fund_advanced() -> None:
    b = _de_order()
    posted = Posted()
    posted.post(invoice_issued("order-2", b), 2, date(2026, 10, 1))
    posted.post(fee_charged("order-2", b), 2, date(2026, 10, 1))
    unpaid = member_budget(posted.rows).total
    assert unpaid.budget_held_cents == 436_800
    assert unpaid.unbacked_cents == 436_800
    assert unpaid.available_cents == 0  # nothing received, nothing advanced
    posted.post(payslip("order-2", b, 0), 2, date(2026, 10, 8))
    posted.post(wage_paid("order-2", b.payout_cents, b.payout_cents), 2, date(2026, 10, 9))
    paid = member_budget(posted.rows).total
    assert paid.received_cents == 0
    assert paid.advanced_cents == b.net_wage_cents
    assert paid.paid_out_cents == b.net_wage_cents
    assert paid.open_receivable_cents == 571_200
    assert paid.available_cents == 0
    posted.post(
        written_off("order-2", principal_cents=571_200, charges_cents=0), 2, date(2026, 12, 1)
    )
    lost = member_budget(posted.rows).total
    assert lost.written_off_cents == 571_200
    assert lost.open_receivable_cents == 0
    assert lost.available_cents == 0
    october = month_budget(posted.rows, "2026-10").movements.total
    assert october.advanced_cents == b.net_wage_cents
    assert october.written_off_cents == 0


def test_entry_kinds_follow_the_builders_keys() -> None:
    b = _de_order()
    assert entry_kind(invoice_issued("order-1", b).key) == "invoice"
    assert entry_kind(wage_paid("order-1", 1, 0, 3).key) == "payout"
    assert entry_kind(wage_returned("order-1-2", 1, "rejected").key) == "payout_returned"
    assert entry_kind(refund_paid("order-1", "r", from_overpayments=1, reopened=0).key) == "refund"
    assert entry_kind("bank-opening:DE89370400440532013000") == "other"


@pytest.mark.parametrize("month", ["2026-13", "2026-1", "26-11", "2026-00", "1999-12", "", "x"])
def test_a_bad_month_is_refused(month: str) -> None:
    with pytest.raises(InvalidPeriod):
        month_bounds(month)


def test_month_bounds() -> None:
    assert month_bounds("2028-02") == (date(2028, 2, 1), date(2028, 2, 29))
