"""The cascade, one rule at a time: what each rule recognises, and what it answers."""

from __future__ import annotations

from datetime import date

import pytest

from domain.banking.matching import Allocation, KnownPayout
from tests.banking_matching.factories import ACME_IBAN, bank_line, invoice, matcher, ref

WAGE = KnownPayout(end_to_end_id="PAYOUT-7-2026-06", payout_id=7, order_id=42, amount_cents=250000)


# -- rule 1: the EndToEndId of our own payouts ------------------------------------------------


def test_rule1_a_debit_carrying_a_payouts_end_to_end_id_is_that_payout_leaving() -> None:
    line = bank_line(direction="debit", amount_cents=250000, end_to_end_id="PAYOUT-7-2026-06")
    outcome = matcher(payouts=(WAGE,)).match(line)
    assert (outcome.kind, outcome.rule, outcome.payout_id, outcome.confidence) == (
        "payout",
        "end_to_end_id",
        7,
        100,
    )
    assert outcome.allocations == ()


def test_rule1_a_payout_debited_with_another_amount_is_still_it_with_less_confidence() -> None:
    line = bank_line(direction="debit", amount_cents=249000, end_to_end_id="PAYOUT-7-2026-06")
    outcome = matcher(payouts=(WAGE,)).match(line)
    assert (outcome.kind, outcome.payout_id, outcome.confidence) == ("payout", 7, 90)
    assert "€2,490.00, not €2,500.00" in outcome.reason


def test_rule1_a_returned_credit_carrying_a_payouts_end_to_end_id_is_that_payout_back() -> None:
    line = bank_line(amount_cents=250000, end_to_end_id="PAYOUT-7-2026-06", return_reason="AC04")
    outcome = matcher(payouts=(WAGE,)).match(line)
    assert (outcome.kind, outcome.rule, outcome.payout_id, outcome.confidence) == (
        "return",
        "end_to_end_id",
        7,
        100,
    )
    assert "AC04" in outcome.reason


def test_rule1_a_debit_we_do_not_know_is_ignored_not_an_incoming_payment() -> None:
    line = bank_line(direction="debit", amount_cents=1290, end_to_end_id="BANK-FEES-06")
    outcome = matcher(payouts=(WAGE,)).match(line)
    assert (outcome.kind, outcome.rule, outcome.allocations) == ("ignored", "none", ())
    assert "not an incoming payment" in outcome.reason


def test_rule1_a_return_we_do_not_know_is_unmatched() -> None:
    line = bank_line(amount_cents=250000, end_to_end_id="SOMEONE-ELSE", return_reason="MD07")
    outcome = matcher(invoice(12, owed=250000), payouts=(WAGE,)).match(line)
    assert (outcome.kind, outcome.rule, outcome.allocations) == ("unmatched", "none", ())


def test_rule1_wins_over_a_reference_in_the_text() -> None:
    line = bank_line(
        amount_cents=15000,
        end_to_end_id="PAYOUT-7-2026-06",
        return_reason="AC04",
        unstructured=f"Rechnung {ref(12)}",
    )
    outcome = matcher(invoice(12), payouts=(WAGE,)).match(line)
    assert (outcome.kind, outcome.payout_id) == ("return", 7)


# -- rule 2: a structured creditor reference -------------------------------------------------


def test_rule2_a_structured_rf_reference_matches_its_invoice() -> None:
    outcome = matcher(invoice(12), invoice(13)).match(bank_line(structured_refs=(ref(12),)))
    assert (outcome.kind, outcome.rule, outcome.confidence) == (
        "matched",
        "creditor_reference",
        100,
    )
    assert outcome.allocations == (Allocation(invoice_id=112, order_id=1112, amount_cents=15000),)
    assert outcome.surplus_cents == 0
    assert outcome.reason == (
        "RF08DE202600000012 names invoice DE-2026-000012; €150.00 of €150.00 owed: paid in full"
    )


@pytest.mark.parametrize(
    "printed", ["+++260/0000/00372+++", "260/0000/00372", "260000000372", "*** 260/0000/00372 ***"]
)
def test_rule2_a_belgian_structured_communication_matches_however_printed(printed: str) -> None:
    be3 = invoice(3, jurisdiction="BE")
    assert be3.creditor_reference == "+++260/0000/00372+++"
    for line in (bank_line(structured_refs=(printed,)), bank_line(unstructured=f"VCS {printed}")):
        outcome = matcher(be3).match(line)
        assert (outcome.kind, outcome.rule, outcome.invoice_ids) == (
            "matched",
            "creditor_reference",
            (203,),
        )


@pytest.mark.parametrize(
    "text", ["Rechnung RF08 DE20 2600 0000 12", "rf08de202600000012 danke", "RF08DE202600000012"]
)
def test_rule2_an_rf_reference_in_the_free_text_matches(text: str) -> None:
    outcome = matcher(invoice(12)).match(bank_line(unstructured=text))
    assert (outcome.kind, outcome.rule, outcome.invoice_ids) == (
        "matched",
        "creditor_reference",
        (112,),
    )


def test_rule2_a_reference_with_wrong_check_digits_in_the_text_is_not_taken() -> None:
    # RF09… is RF08… with a wrong check digit: not a reference; nothing else is said.
    outcome = matcher(invoice(12)).match(bank_line(unstructured="RF09 DE20 2600 0000 12"))
    assert outcome.kind == "unmatched"


def test_rule2_the_reference_can_come_in_the_end_to_end_id() -> None:
    outcome = matcher(invoice(12)).match(bank_line(end_to_end_id="RF08DE202600000012"))
    assert (outcome.kind, outcome.rule, outcome.invoice_ids) == (
        "matched",
        "creditor_reference",
        (112,),
    )


# -- rule 3: the invoice number in the free text ----------------------------------------------


@pytest.mark.parametrize(
    "text",
    ["DE 2026 12", "de-2026-000012", "DE2026000012", "Rg. DE.2026.0012", "Invoice de-2026-12 July"],
)
def test_rule3_an_invoice_number_in_the_free_text_matches(text: str) -> None:
    outcome = matcher(invoice(12), invoice(120)).match(bank_line(unstructured=text))
    assert (outcome.kind, outcome.rule, outcome.confidence) == ("matched", "invoice_number", 95)
    assert outcome.invoice_ids == (112,)


def test_rule3_a_credit_note_number_is_not_taken_for_the_invoice() -> None:
    outcome = matcher(invoice(3)).match(bank_line(unstructured="Gutschrift CN-DE-2026-000003"))
    assert outcome.kind == "unmatched"


# -- rule 4: amount and payer -------------------------------------------------------------------


def test_rule4_a_known_iban_and_the_amount_of_one_open_invoice_suggest_it() -> None:
    m = matcher(invoice(1, owed=9000), invoice(2, owed=15000), invoice(3, owed=20000))
    outcome = m.match(bank_line(counterparty_iban="DE89 3704 0044 0532 0130 00"))
    assert (outcome.kind, outcome.rule, outcome.confidence) == ("suggested", "amount_and_payer", 80)
    assert outcome.allocations == (Allocation(102, 1102, 15000),)
    assert outcome.client_id == 1


def test_rule4_a_payer_known_by_a_similar_name_suggests_with_less_confidence() -> None:
    m = matcher(invoice(1, client_id=2, owed=15000), ibans={})
    outcome = m.match(bank_line(counterparty_name="MUELLER BAU GMBH + CO KG"))
    assert (outcome.kind, outcome.rule, outcome.confidence) == ("suggested", "amount_and_payer", 70)
    assert outcome.invoice_ids == (101,)
    outcome = m.match(bank_line(counterparty_name="Muler Bau"))  # a letter missing: still 80 %+
    assert outcome.invoice_ids == (101,)


def test_rule4_the_oldest_run_of_open_invoices_that_sums_to_the_amount_is_suggested() -> None:
    m = matcher(
        invoice(1, owed=10000, issued=date(2026, 1, 10)),
        invoice(2, owed=5000, issued=date(2026, 2, 10)),
        invoice(3, owed=7000, issued=date(2026, 3, 10)),
        invoice(4, owed=8000, issued=date(2026, 4, 10)),
    )
    outcome = m.match(bank_line(amount_cents=12000, counterparty_iban=ACME_IBAN))
    assert outcome.kind == "suggested"
    assert [a.invoice_id for a in outcome.allocations] == [102, 103]  # 50 + 70, oldest first
    assert sum(a.amount_cents for a in outcome.allocations) == 12000


def test_rule4_an_amount_within_tolerance_of_one_invoice_suggests_it() -> None:
    m = matcher(invoice(1, owed=15000), invoice(2, owed=40000))
    outcome = m.match(bank_line(amount_cents=14700, counterparty_iban=ACME_IBAN))
    assert outcome.kind == "suggested"
    assert outcome.allocations == (Allocation(101, 1101, 14700),)
    assert outcome.remaining_cents == 300


def test_rule4_a_known_payer_whose_invoices_do_not_fit_the_amount_is_unmatched() -> None:
    m = matcher(invoice(1, owed=15000))
    outcome = m.match(bank_line(amount_cents=99900, counterparty_iban=ACME_IBAN))
    assert (outcome.kind, outcome.client_id, outcome.allocations) == ("unmatched", 1, ())


# -- rule 5: nothing ----------------------------------------------------------------------------


def test_rule5_nothing_usable_is_unmatched() -> None:
    line = bank_line(unstructured="Miete Juli", counterparty_name="Nobody Known")
    outcome = matcher(invoice(1)).match(line)
    assert (outcome.kind, outcome.rule, outcome.confidence, outcome.allocations) == (
        "unmatched",
        "none",
        0,
        (),
    )
    assert outcome.surplus_cents == 0


def test_rule5_a_reference_that_is_none_of_ours_is_said_in_the_reason() -> None:
    outcome = matcher(invoice(1)).match(bank_line(unstructured="RF18 5390 0754 7034"))
    assert outcome.kind == "unmatched"
    assert "RF18 5390 0754 7034: none of our invoices" in outcome.reason
