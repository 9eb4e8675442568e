"""The edge cases of the table in domain/banking/matching.py, one test each."""

from __future__ import annotations

import copy
from datetime import date

from domain.banking.matching import Allocation, MatchingPolicy
from tests.banking_matching.factories import ACME_IBAN, bank_line, invoice, matcher, ref

DE12 = invoice(12, owed=15000)


def test_a_reference_and_the_exact_amount_is_matched_in_full() -> None:
    outcome = matcher(DE12).match(bank_line(amount_cents=15000, structured_refs=(ref(12),)))
    assert (outcome.kind, outcome.confidence, outcome.surplus_cents) == ("matched", 100, 0)
    assert outcome.remaining_cents == 0
    assert outcome.allocations == (Allocation(112, 1112, 15000),)


def test_an_amount_short_within_tolerance_is_matched_but_allocates_only_what_came() -> None:
    # Bank charges of €2.50 taken on the way: the reference is certain, so "matched"; the
    # €2.50 stays open on the invoice, and the reason offers it for a write-off.
    outcome = matcher(DE12).match(bank_line(amount_cents=14750, structured_refs=(ref(12),)))
    assert (outcome.kind, outcome.confidence) == ("matched", 95)
    assert outcome.allocations == (Allocation(112, 1112, 14750),)
    assert (outcome.surplus_cents, outcome.remaining_cents) == (0, 250)
    assert "€2.50 short, within the €5.00 tolerance" in outcome.reason
    assert "writes it off" in outcome.reason


def test_a_smaller_amount_is_a_partial_payment_and_the_invoice_stays_open() -> None:
    outcome = matcher(DE12).match(bank_line(amount_cents=12000, structured_refs=(ref(12),)))
    assert (outcome.kind, outcome.confidence) == ("matched", 90)
    assert outcome.allocations == (Allocation(112, 1112, 12000),)
    assert outcome.remaining_cents == 3000
    assert outcome.reason == (
        "RF08DE202600000012 names invoice DE-2026-000012; €120.00 of €150.00 owed: "
        "partial payment, €30.00 stays open"
    )


def test_a_surplus_within_tolerance_is_matched_and_held_for_the_client() -> None:
    outcome = matcher(DE12).match(bank_line(amount_cents=15300, structured_refs=(ref(12),)))
    assert outcome.kind == "matched"
    assert outcome.allocations == (Allocation(112, 1112, 15000),)
    assert outcome.surplus_cents == 300


def test_a_surplus_beyond_tolerance_is_only_suggested() -> None:
    outcome = matcher(DE12).match(bank_line(amount_cents=30000, structured_refs=(ref(12),)))
    assert outcome.kind == "suggested"
    assert outcome.allocations == (Allocation(112, 1112, 15000),)
    assert outcome.surplus_cents == 15000
    assert "a person decides" in outcome.reason


def test_the_tolerance_is_a_policy_in_cents() -> None:
    strict = MatchingPolicy(tolerance_cents=0)
    line = bank_line(amount_cents=15300, structured_refs=(ref(12),))
    assert matcher(DE12, policy=strict).match(line).kind == "suggested"


def test_several_references_are_paid_in_the_order_written() -> None:
    m = matcher(invoice(12, owed=10000), invoice(13, owed=5000), invoice(14, owed=8000))
    line = bank_line(amount_cents=23000, unstructured="DE-2026-000014, DE-2026-000012 + 13")
    # "+ 13" is no invoice number; 14 then 12 are.
    outcome = m.match(line)
    assert outcome.invoice_ids == (114, 112)
    line = bank_line(amount_cents=23000, structured_refs=(ref(14),), unstructured="DE 2026 12, 13")
    outcome = m.match(line)
    assert (outcome.kind, outcome.rule) == ("suggested", "creditor_reference")
    assert outcome.allocations == (Allocation(114, 1114, 8000), Allocation(112, 1112, 10000))
    assert outcome.surplus_cents == 5000


def test_several_references_and_less_money_pay_in_order_and_leave_the_rest_open() -> None:
    m = matcher(invoice(12, owed=10000), invoice(13, owed=5000))
    line = bank_line(amount_cents=12000, unstructured="DE-2026-000013 DE-2026-000012")
    outcome = m.match(line)
    assert outcome.kind == "matched"
    assert outcome.allocations == (Allocation(113, 1113, 5000), Allocation(112, 1112, 7000))
    assert (outcome.surplus_cents, outcome.remaining_cents) == (0, 3000)


def test_several_references_and_more_money_than_their_sum_is_suggested_with_surplus() -> None:
    m = matcher(invoice(12, owed=10000), invoice(13, owed=5000))
    outcome = m.match(bank_line(amount_cents=20000, structured_refs=(ref(12), ref(13))))
    assert outcome.kind == "suggested"
    assert sum(a.amount_cents for a in outcome.allocations) == 15000
    assert outcome.surplus_cents == 5000


def test_a_reference_to_a_paid_invoice_is_a_duplicate_payment() -> None:
    m = matcher(invoice(12, status="paid"))
    outcome = m.match(bank_line(amount_cents=15000, structured_refs=(ref(12),)))
    assert (outcome.kind, outcome.allocations, outcome.surplus_cents) == ("duplicate", (), 15000)
    assert (outcome.invoice_ids, outcome.client_id) == ((112,), 1)
    assert "duplicate payment" in outcome.reason


def test_a_reference_to_an_invoice_cancelled_by_a_credit_note_is_a_refund_case() -> None:
    m = matcher(invoice(12, status="cancelled"))
    outcome = m.match(bank_line(amount_cents=15000, structured_refs=(ref(12),)))
    assert (outcome.kind, outcome.allocations, outcome.surplus_cents) == ("refund", (), 15000)
    assert outcome.invoice_ids == (112,)
    assert "cancelled by a credit note" in outcome.reason


def test_references_mixing_an_open_and_a_paid_invoice_are_only_suggested() -> None:
    m = matcher(invoice(12, owed=10000), invoice(13, status="paid"))
    outcome = m.match(bank_line(amount_cents=10000, structured_refs=(ref(12), ref(13))))
    assert outcome.kind == "suggested"
    assert outcome.allocations == (Allocation(112, 1112, 10000),)
    assert "DE-2026-000013 is already paid" in outcome.reason


def test_a_reference_matching_two_invoices_is_never_matched() -> None:
    same = "RF18539007547034"
    a = invoice(1, owed=10000, reference=same)
    b = invoice(2, owed=15000, reference=same)
    by_amount = matcher(a, b).match(bank_line(amount_cents=15000, structured_refs=(same,)))
    assert (by_amount.kind, by_amount.invoice_ids) == ("suggested", (102,))
    assert by_amount.confidence <= 50
    neither = matcher(a, b).match(bank_line(amount_cents=12000, structured_refs=(same,)))
    assert (neither.kind, neither.allocations, neither.invoice_ids) == ("unmatched", (), (101, 102))


def test_two_invoices_equally_plausible_by_amount_suggest_the_oldest_with_less_confidence() -> None:
    m = matcher(
        invoice(1, owed=15000, issued=date(2026, 2, 1)),
        invoice(2, owed=15000, issued=date(2026, 1, 1)),
    )
    outcome = m.match(bank_line(amount_cents=15000, counterparty_iban=ACME_IBAN))
    assert (outcome.kind, outcome.invoice_ids, outcome.confidence) == ("suggested", (102,), 50)


def test_a_name_close_to_two_clients_suggests_only_when_one_of_them_has_a_fit() -> None:
    names = {1: "Dupont SA", 2: "Dupont SRL"}  # the same once legal forms are gone
    one_fits = matcher(
        invoice(1, client_id=1, owed=15000),
        invoice(2, client_id=2, owed=9900),
        ibans={},
        names=names,
    )
    outcome = one_fits.match(bank_line(amount_cents=15000, counterparty_name="DUPONT"))
    assert (outcome.kind, outcome.client_id, outcome.confidence) == ("suggested", 1, 40)
    both_fit = matcher(
        invoice(1, client_id=1, owed=15000),
        invoice(2, client_id=2, owed=15000),
        ibans={},
        names=names,
    )
    outcome = both_fit.match(bank_line(amount_cents=15000, counterparty_name="DUPONT"))
    assert (outcome.kind, outcome.allocations, outcome.client_id) == ("unmatched", (), None)


def test_a_credit_of_zero_never_allocates() -> None:
    outcome = matcher(DE12).match(bank_line(amount_cents=0, structured_refs=(ref(12),)))
    assert (outcome.kind, outcome.allocations, outcome.surplus_cents) == ("ignored", (), 0)


def test_a_debit_never_allocates_even_with_a_reference() -> None:
    line = bank_line(direction="debit", amount_cents=15000, structured_refs=(ref(12),))
    outcome = matcher(DE12).match(line)
    assert (outcome.kind, outcome.allocations) == ("ignored", ())


def test_a_credit_in_another_currency_is_not_allocated() -> None:
    line = bank_line(currency="CHF", amount_cents=15000, structured_refs=(ref(12),))
    assert matcher(DE12).match(line).kind == "unmatched"


def test_matching_changes_no_input_and_answers_the_same_twice() -> None:
    invoices = [invoice(12, owed=10000), invoice(13, owed=5000)]
    ibans, names = {ACME_IBAN: 1}, {1: "ACME"}
    before = copy.deepcopy((invoices, ibans, names))
    m = matcher(*invoices, ibans=ibans, names=names)
    line = bank_line(amount_cents=12000, unstructured="DE-2026-000012")
    assert m.match(line) == m.match(line)
    assert (invoices, ibans, names) == before
    assert m.owed(112) == 10000
