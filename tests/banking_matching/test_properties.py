"""Properties over any mix of exact, partial, over and duplicate payments of a set of invoices,
matched and consumed line by line as a statement would be."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any, Literal

from hypothesis import event, given, settings
from hypothesis import strategies as st

from domain.banking.matching import Outcome
from domain.banking.statement import BankLine
from tests.banking_matching.factories import ACME_IBAN, bank_line, invoice, matcher, ref

Status = Literal["open", "paid", "cancelled"]
statuses: st.SearchStrategy[Status] = st.sampled_from(["open"] * 8 + ["paid", "cancelled"])


@st.composite
def invoices(draw: st.DrawFn) -> list[Any]:
    count = draw(st.integers(min_value=1, max_value=5))
    return [
        invoice(
            sequence,
            owed=draw(st.integers(min_value=1, max_value=50_000)),
            status=draw(statuses),
            client_id=draw(st.sampled_from([1, 1, 2])),
            issued=date(2026, 1, 1) + timedelta(days=draw(st.integers(0, 90))),
        )
        for sequence in range(1, count + 1)
    ]


@st.composite
def statement(draw: st.DrawFn, owed: dict[int, int]) -> list[BankLine]:
    """Lines naming some of the invoices (or none), paying exactly, less, more or anything;
    some lines repeat an earlier one (the same transaction reported again)."""
    sequences = sorted(owed)
    lines: list[BankLine] = []
    for _ in range(draw(st.integers(min_value=1, max_value=8))):
        repeat = bool(lines) and draw(st.integers(min_value=0, max_value=3)) == 0
        if repeat:
            lines.append(draw(st.sampled_from(lines)))
            continue
        named = draw(st.lists(st.sampled_from(sequences), max_size=3))
        total = sum(owed[s] for s in named)
        amount = draw(
            st.one_of(
                st.just(total),
                st.integers(min_value=0, max_value=total),
                st.integers(min_value=total, max_value=total + 20_000),
                st.integers(min_value=0, max_value=200_000),
            )
        )
        how = draw(st.sampled_from(["structured", "text", "numbers", "payer"]))
        said: dict[str, Any] = {"amount_cents": amount, "counterparty_iban": ACME_IBAN}
        if how == "structured":
            said["structured_refs"] = tuple(ref(s) for s in named)
        elif how == "text":
            said["unstructured"] = " ".join(ref(s) for s in named)
        elif how == "numbers":
            said["unstructured"] = ", ".join(f"DE 2026 {s}" for s in named)
        lines.append(bank_line(**said))
    return lines


@settings(max_examples=300, deadline=None)
@given(data=st.data(), open_invoices=invoices())
def test_allocations_add_up_never_exceed_what_is_owed_and_are_never_applied_twice(
    data: st.DataObject, open_invoices: list[Any]
) -> None:
    initial = {
        i.invoice_id: i.outstanding_cents if i.status == "open" else 0 for i in open_invoices
    }
    by_sequence = {i.invoice_id - 100: i.outstanding_cents for i in open_invoices}
    lines = data.draw(statement(by_sequence))
    m = matcher(*open_invoices)
    booked = dict.fromkeys(initial, 0)
    recorded: dict[str, Outcome] = {}

    for line in lines:
        owed_before = {i: m.owed(i) for i in initial}
        outcome = m.match(line)
        assert m.match(line) == outcome  # the same line, the same answer
        event(f"{outcome.kind} by {outcome.rule}")

        # (d) amounts are integers, never negative; confidence a percentage
        numbers = [outcome.surplus_cents, outcome.remaining_cents, outcome.confidence]
        numbers += [a.amount_cents for a in outcome.allocations]
        assert all(type(n) is int and n >= 0 for n in numbers)
        assert outcome.confidence <= 100

        # (a) what is allocated plus the surplus is what came in
        if outcome.kind in ("matched", "suggested"):
            allocated = sum(a.amount_cents for a in outcome.allocations)
            assert allocated + outcome.surplus_cents == line.amount_cents
        elif outcome.kind in ("duplicate", "refund"):
            assert (outcome.allocations, outcome.surplus_cents) == ((), line.amount_cents)
        else:
            assert outcome.allocations == ()

        # (c) a line seen before: the recorded outcome, and consume applies nothing
        if line.identity in recorded:
            assert outcome == recorded[line.identity]
            assert m.consume(outcome) is False
            assert {i: m.owed(i) for i in initial} == owed_before
            continue

        # (b) no invoice is given more than it owes at that moment, nor twice in one line
        ids = [a.invoice_id for a in outcome.allocations]
        assert len(ids) == len(set(ids))
        for allocation in outcome.allocations:
            assert 0 < allocation.amount_cents <= owed_before[allocation.invoice_id]

        assert m.consume(outcome) is True
        recorded[line.identity] = outcome
        if outcome.kind == "matched":
            for allocation in outcome.allocations:
                booked[allocation.invoice_id] += allocation.amount_cents

    # (b) over the whole statement: consumed allocations never exceed what was owed
    for invoice_id, owed in initial.items():
        assert booked[invoice_id] <= owed
        assert m.owed(invoice_id) == owed - booked[invoice_id]
