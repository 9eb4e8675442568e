"""Double-entry postings: every builder balances; bad entries are refused."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from decimal import ROUND_HALF_UP, Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from domain.breakdown import OrderBreakdown, compute_breakdown
from domain.errors import UnbalancedEntry
from domain.ledger import (
    ACCOUNTS,
    JournalEntry,
    Line,
    dunning_charged,
    fee_charged,
    invoice_issued,
    payment_received,
    payroll_posted,
    wage_paid,
    written_off,
)
from domain.policy import policy_for

DE = policy_for("DE", date(2026, 3, 1))
BE = policy_for("BE", date(2026, 3, 1))


def balance(entries: Iterable[JournalEntry], account: str) -> int:
    """Credits minus debits on ``account``."""
    return sum(
        line.credit - line.debit
        for entry in entries
        for line in entry.lines
        if line.account == account
    )


def assert_balanced(entry: JournalEntry) -> None:
    assert entry.lines, "an entry with amounts has lines"
    assert sum(line.debit for line in entry.lines) == sum(line.credit for line in entry.lines)
    assert all(line.account in ACCOUNTS for line in entry.lines)
    assert all(line.debit or line.credit for line in entry.lines)


def _breakdown(expenses: int = 0) -> OrderBreakdown:
    return compute_breakdown(
        BE, net_cents=480000, vat_rate=Decimal("0.21"), expenses_cents=expenses
    )


def test_invoice_issued() -> None:
    b = _breakdown()
    entry = invoice_issued("order-7", b)
    assert_balanced(entry)
    assert entry.key == "order-7:invoice"
    assert balance([entry], "client_receivable") == -580800
    assert balance([entry], "vat_payable") == 100800
    assert balance([entry], "member_budget") == 480000


def test_invoice_without_vat_has_no_vat_line() -> None:
    b = compute_breakdown(DE, net_cents=480000, vat_rate=Decimal(0))
    entry = invoice_issued("order-7", b)
    assert_balanced(entry)
    assert "vat_payable" not in {line.account for line in entry.lines}


def test_fee_charged() -> None:
    b = _breakdown()
    entry = fee_charged("order-7", b)
    assert_balanced(entry)
    assert entry.key == "order-7:fee"
    assert balance([entry], "coop_fee") == 31200 + 35904


def test_payroll_posted() -> None:
    b = _breakdown(expenses=10000)
    entry = payroll_posted("order-7", b)
    assert_balanced(entry)
    assert entry.key == "order-7:payroll"
    assert balance([entry], "member_payable") == b.payout_cents
    assert balance([entry], "contributions_payable") == b.contributions_cents
    assert balance([entry], "wage_tax_payable") == b.wage_tax_cents


def test_wage_paid_without_advance() -> None:
    entry = wage_paid("order-7", 251223, 0)
    assert_balanced(entry)
    assert entry.key == "order-7:payout"
    assert balance([entry], "member_payable") == -251223
    assert balance([entry], "bank_clearing") == 251223
    assert "guarantee_fund" not in {line.account for line in entry.lines}
    assert "guarantee fund" not in entry.description


def test_wage_paid_with_advance() -> None:
    entry = wage_paid("order-7", 251223, 251223)
    assert_balanced(entry)
    assert balance([entry], "bank_clearing") == 0  # the fund's advance goes in and straight out
    assert balance([entry], "guarantee_fund") == 251223
    assert "advanced by the guarantee fund" in entry.description


def test_payment_received_with_fund_repayment_and_overpayment() -> None:
    entry = payment_received(
        "order-7", "bank-1", to_principal=580800, to_charges=4250, overpaid=1000, fund_repaid=251223
    )
    assert_balanced(entry)
    assert entry.key == "order-7:payment:bank-1"
    assert balance([entry], "bank_clearing") == -(580800 + 4250 + 1000) + 251223
    assert balance([entry], "client_receivable") == 580800
    assert balance([entry], "dunning_receivable") == 4250
    assert balance([entry], "client_overpayments") == 1000
    assert balance([entry], "guarantee_fund") == -251223
    assert "repays the guarantee fund" in entry.description


def test_payment_received_plain() -> None:
    entry = payment_received(
        "order-7", "stripe-pi_1", to_principal=100, to_charges=0, overpaid=0, fund_repaid=0
    )
    assert_balanced(entry)
    assert {line.account for line in entry.lines} == {"bank_clearing", "client_receivable"}


def test_dunning_charged() -> None:
    entry = dunning_charged("order-7", 2, 4250)
    assert_balanced(entry)
    assert entry.key == "order-7:dunning:2"
    assert balance([entry], "dunning_income") == 4250
    assert balance([entry], "dunning_receivable") == -4250


def test_written_off_clears_the_receivables() -> None:
    b = _breakdown()
    entries = [
        invoice_issued("order-7", b),
        dunning_charged("order-7", 1, 4000),
        payment_received(
            "order-7", "p1", to_principal=80800, to_charges=0, overpaid=0, fund_repaid=0
        ),
    ]
    off = written_off("order-7", principal_cents=500000, charges_cents=4000)
    assert_balanced(off)
    entries.append(off)
    assert balance(entries, "client_receivable") == 0
    assert balance(entries, "dunning_receivable") == 0
    assert balance(entries, "dunning_income") == 0
    assert balance(entries, "guarantee_fund_losses") == -500000


def test_hand_made_unbalanced_entry_is_refused() -> None:
    with pytest.raises(UnbalancedEntry, match="debits 100 ≠ credits 99"):
        JournalEntry(
            key="x",
            description="unbalanced",
            lines=(Line(account="bank_clearing", debit=100), Line(account="coop_fee", credit=99)),
        )


def test_unknown_account_is_refused() -> None:
    with pytest.raises(UnbalancedEntry, match="unknown account 'petty_cash'"):
        JournalEntry(
            key="x",
            description="unknown",
            lines=(
                Line(account="petty_cash", debit=100),
                Line(account="bank_clearing", credit=100),
            ),
        )


def test_negative_amount_is_refused() -> None:
    with pytest.raises(UnbalancedEntry, match="negative amount on bank"):
        JournalEntry(
            key="x",
            description="negative",
            lines=(
                Line(account="bank_clearing", debit=-100),
                Line(account="coop_fee", credit=-100),
            ),
        )


def test_builder_with_negative_input_is_refused() -> None:
    with pytest.raises(UnbalancedEntry, match="negative"):
        dunning_charged("order-7", 1, -1)


def test_unbalanced_entry_is_a_domain_error_with_a_code() -> None:
    with pytest.raises(UnbalancedEntry) as info:
        JournalEntry(key="k", description="", lines=(Line(account="bank_clearing", debit=1),))
    assert info.value.code == "unbalanced-entry"
    assert "entry k" in info.value.message


def _half_up(value: Decimal) -> int:
    return int(value.quantize(Decimal(1), rounding=ROUND_HALF_UP))


@st.composite
def breakdowns(draw: st.DrawFn) -> OrderBreakdown:
    policy = draw(st.sampled_from([DE, BE, policy_for("DE", date(2025, 3, 1))]))
    net = draw(st.integers(min_value=1, max_value=10_000_000 * 100))
    rate = draw(st.sampled_from([policy.vat_standard_rate, policy.vat_reduced_rate, Decimal(0)]))
    fits = net - _half_up(Decimal(net) * policy.fee_rate)
    expenses = draw(st.one_of(st.just(0), st.integers(0, fits)))
    return compute_breakdown(policy, net_cents=net, vat_rate=rate, expenses_cents=expenses)


@settings(max_examples=300, deadline=None)
@given(breakdowns())
def test_order_postings_leave_member_budget_at_zero(b: OrderBreakdown) -> None:
    entries = [invoice_issued("o", b), fee_charged("o", b), payroll_posted("o", b)]
    for entry in entries:
        assert sum(line.debit for line in entry.lines) == sum(line.credit for line in entry.lines)
    assert balance(entries, "member_budget") == 0
    assert balance(entries, "vat_payable") == b.vat_cents
    assert balance(entries, "client_receivable") == -b.gross_invoice_cents
    assert balance(entries, "member_payable") == b.payout_cents
    assert len({entry.key for entry in entries}) == 3


@settings(max_examples=200, deadline=None)
@given(breakdowns(), st.booleans(), st.integers(min_value=0, max_value=10**6))
def test_full_order_cycle_settles_every_clearing_account(
    b: OrderBreakdown, advanced: bool, overpaid: int
) -> None:
    advance = b.payout_cents if advanced else 0
    entries = [
        invoice_issued("o", b),
        fee_charged("o", b),
        payroll_posted("o", b),
        wage_paid("o", b.payout_cents, advance),
        payment_received(
            "o",
            "p",
            to_principal=b.gross_invoice_cents,
            to_charges=0,
            overpaid=overpaid,
            fund_repaid=advance,
        ),
    ]
    for account in ("member_budget", "member_payable", "client_receivable", "guarantee_fund"):
        assert balance(entries, account) == 0, account
    assert balance(entries, "client_overpayments") == overpaid
    # Whole ledger balances: the bank holds VAT, fee, payroll liabilities and the overpayment.
    assert -balance(entries, "bank_clearing") == (
        b.vat_cents + b.coop_share_cents + b.contributions_cents + b.wage_tax_cents + overpaid
    )


def test_a_bank_account_is_named_by_its_iban() -> None:
    ok = JournalEntry(
        key="x",
        description="statement",
        lines=(
            Line(account="bank:DE89370400440532013000", debit=100),
            Line(account="bank_clearing", credit=100),
        ),
    )
    assert ok.lines[0].account == "bank:DE89370400440532013000"
    with pytest.raises(UnbalancedEntry, match="unknown account 'bank:petty'"):
        JournalEntry(
            key="x",
            description="not an IBAN",
            lines=(Line(account="bank:petty", debit=1), Line(account="bank_clearing", credit=1)),
        )
