"""Several lines of one statement: consume() books a matched line so the next sees what is left."""

from __future__ import annotations

from domain.banking.matching import Allocation
from tests.banking_matching.factories import ACME_IBAN, bank_line, invoice, matcher, ref


def test_a_second_full_transfer_for_one_invoice_is_a_duplicate_once_the_first_is_consumed() -> None:
    m = matcher(invoice(12, owed=15000))
    first = bank_line(amount_cents=15000, structured_refs=(ref(12),))
    second = bank_line(amount_cents=15000, structured_refs=(ref(12),))
    assert m.consume(m.match(first)) is True
    assert m.owed(112) == 0
    outcome = m.match(second)
    assert (outcome.kind, outcome.allocations, outcome.surplus_cents) == ("duplicate", (), 15000)


def test_without_consume_two_transfers_would_both_look_like_full_payment() -> None:
    m = matcher(invoice(12, owed=15000))
    lines = [bank_line(amount_cents=15000, structured_refs=(ref(12),)) for _ in range(2)]
    assert [m.match(line).kind for line in lines] == ["matched", "matched"]


def test_two_partial_transfers_pay_the_invoice_between_them() -> None:
    m = matcher(invoice(12, owed=15000))
    outcomes = m.match_statement(
        [
            bank_line(amount_cents=9000, structured_refs=(ref(12),)),
            bank_line(amount_cents=6000, unstructured="DE-2026-000012 Rest"),
        ]
    )
    assert [o.kind for o in outcomes] == ["matched", "matched"]
    assert [o.remaining_cents for o in outcomes] == [6000, 0]
    assert outcomes[1].allocations == (Allocation(112, 1112, 6000),)
    assert m.owed(112) == 0


def test_a_second_transfer_larger_than_what_is_left_is_suggested_with_surplus() -> None:
    m = matcher(invoice(12, owed=15000))
    outcomes = m.match_statement(
        [bank_line(amount_cents=9000, structured_refs=(ref(12),)) for _ in range(2)]
    )
    assert [o.kind for o in outcomes] == ["matched", "suggested"]
    assert outcomes[1].allocations == (Allocation(112, 1112, 6000),)
    assert outcomes[1].surplus_cents == 3000


def test_consume_ignores_a_line_it_has_seen_and_match_returns_the_recorded_outcome() -> None:
    m = matcher(invoice(12, owed=15000))
    line = bank_line(amount_cents=9000, structured_refs=(ref(12),))
    outcome = m.match(line)
    assert m.consume(outcome) is True
    assert m.consume(outcome) is False
    assert m.consume(m.match(line)) is False  # the same statement imported again
    assert m.owed(112) == 6000
    assert m.match(line) == outcome


def test_the_same_transaction_in_another_file_is_not_applied_twice() -> None:
    m = matcher(invoice(12, owed=15000))
    in_camt054 = bank_line(account_servicer_ref="BANK-1", structured_refs=(ref(12),))
    in_camt053 = bank_line(account_servicer_ref="BANK-1", structured_refs=(ref(12),))
    m.match_statement([in_camt054])
    assert m.match(in_camt053).kind == "matched"  # the recorded outcome, not a duplicate
    assert m.consume(m.match(in_camt053)) is False
    assert m.owed(112) == 0


def test_suggestions_are_not_consumed_a_person_has_not_confirmed_them() -> None:
    m = matcher(invoice(1, owed=15000))
    guess = m.match(bank_line(amount_cents=15000, counterparty_iban=ACME_IBAN))
    assert guess.kind == "suggested"
    m.consume(guess)
    assert m.owed(101) == 15000
    assert m.match(bank_line(amount_cents=15000, structured_refs=(ref(1),))).kind == "matched"
