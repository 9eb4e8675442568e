"""Cancelling an invoice by credit note and refunding the client, in the pure claim and in the
postings: whatever was invoiced, paid and charged, the books return to zero."""

from __future__ import annotations

from datetime import date, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from domain.breakdown import OrderBreakdown
from domain.dunning import Claim
from domain.ledger import (
    credit_note_issued,
    dunning_charged,
    fee_charged,
    invoice_issued,
    payment_received,
    refund_paid,
)
from domain.policy import policy_for
from tests.domain.test_ledger import balance, breakdowns

DE = policy_for("DE", date(2026, 3, 1))
DUE = date(2026, 3, 31)


def claim(gross: int) -> Claim:
    return Claim(policy=DE, client_is_business=True, due_date=DUE, principal_due=gross)


def test_cancel_holds_everything_paid_for_the_client_and_drops_open_charges() -> None:
    c = claim(100_000)
    first = c.remind(DE.dunning_schedule(True)[0], DUE + timedelta(days=7))
    c.apply_payment(60_000, DUE + timedelta(days=8))
    second = c.remind(DE.dunning_schedule(True)[1], DUE + timedelta(days=22))
    assert second.total > 100
    c.apply_payment(40_000 + first.total + 100, DUE + timedelta(days=23))  # principal, charges

    cancelled = c.cancel()

    assert cancelled.principal_paid == 100_000
    assert cancelled.charges_paid == first.total + 100
    assert cancelled.charges_open == second.total - 100
    assert cancelled.refund_due == 100_000 + first.total + 100
    assert (c.principal_due, c.charges_due, c.overpaid) == (0, 0, cancelled.refund_due)
    assert c.settled


def test_refund_of_a_paid_invoice_reopens_it_and_dunning_restarts_from_then() -> None:
    c = claim(100_000)
    c.apply_payment(100_500, DUE - timedelta(days=2))  # 5.00 too much
    refunded_on = DUE + timedelta(days=10)

    split = c.refund(30_000, refunded_on)

    assert (split.from_overpayments, split.reopened) == (500, 29_500)
    assert c.principal_due == 29_500
    assert c.overpaid == 0
    assert c.paid == 70_500
    when, stage = c.next_step()
    assert stage is not None
    assert when == refunded_on + timedelta(days=stage.days_after_previous)


@settings(max_examples=200, deadline=None)
@given(
    breakdowns(),
    st.integers(min_value=0, max_value=100),
    st.integers(min_value=0, max_value=20_000),
    st.integers(min_value=0, max_value=100),
)
def test_credit_note_and_refunds_return_every_account_to_zero(
    b: OrderBreakdown, paid_percent: int, charges: int, charges_paid_percent: int
) -> None:
    paid = b.gross_invoice_cents * paid_percent // 100
    charges_paid = charges * charges_paid_percent // 100 if paid == b.gross_invoice_cents else 0
    entries = [
        invoice_issued("o", b),
        fee_charged("o", b),
        dunning_charged("o", 1, charges),
        payment_received(
            "o", "p", to_principal=paid, to_charges=charges_paid, overpaid=0, fund_repaid=0
        ),
        credit_note_issued(
            "o",
            b,
            principal_paid=paid,
            charges_paid=charges_paid,
            charges_open=charges - charges_paid,
        ),
        refund_paid("o", "r", from_overpayments=paid + charges_paid, reopened=0),
    ]
    for entry in entries:
        assert sum(line.debit for line in entry.lines) == sum(line.credit for line in entry.lines)
    assert {
        account: balance(entries, account)
        for account in {line.account for entry in entries for line in entry.lines}
        if balance(entries, account)
    } == {}
