"""The matcher decides as it did before it was made faster: every field of every outcome of
generated statements (each rule, ties, collisions, names misspelt or shared, lines repeated)
against digests recorded with the matcher of commit 282e1be, and the shortcuts the faster
code takes against what they stand for.

A digest changes with any outcome, so a change of behaviour made on purpose records new ones
(and says why in its commit)."""

from __future__ import annotations

import hashlib
import random
from collections import Counter
from datetime import date, timedelta
from typing import Any, Literal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from domain.banking.matching import KnownPayout, Matcher, MatchingPolicy, OpenInvoice, Outcome
from domain.banking.statement import BankLine
from domain.banking.text import (
    NameTokens,
    Similarity,
    name_tokens,
    reference_key,
)
from domain.references import creditor_reference, rf_reference
from tests.banking_matching.factories import bank_line

SYLLABLES = "mül ler bau dach werk van den berg du pont ja cobs peet ers hof mann leroy mer".split()
LEGAL = ("GmbH", "GmbH & Co. KG", "AG", "SA", "SRL", "BV", "NV", "e.K.", "")
# Printed beside our references: a credit note, RFs running on or failing their check, an
# OGM and numbers that are none of ours, what is no reference at all.
TEXTS = (
    "CN-DE-2026-000012",
    "RF18 5390 0754 7034 130 EUR",
    "RF19 5390 0754 7034",
    "Miete",
    "090/9337/55493",
    "DE2026",
    "ref:RF18539007547034.",
    "de.2026.12",
    "Ünïcödé ß",
)


def _name(rng: random.Random) -> str:
    words = ["".join(rng.choice(SYLLABLES) for _ in range(rng.randint(2, 3))) for _ in range(2)]
    return f"{' '.join(w.capitalize() for w in words)} {rng.choice(LEGAL)}".strip()


def _misspelt(name: str, rng: random.Random) -> str:
    """As a bank writes it: upper case, umlauts spelt out, perhaps a letter missing."""
    name = name.upper().replace("Ü", "UE")
    if name and rng.random() < 0.4:
        at = rng.randrange(len(name))
        name = name[:at] + name[at + 1 :]
    return name


def _printed(invoice: OpenInvoice, rng: random.Random) -> str:
    ref, number = invoice.creditor_reference, invoice.number
    if ref.startswith("+++"):
        digits = reference_key(ref)
        ref = rng.choice((ref, f"{digits[:3]}/{digits[3:7]}/{digits[7:]}", digits))
    else:
        ref = rng.choice(
            (ref, " ".join(ref[k : k + 4] for k in range(0, len(ref), 4)), ref.lower())
        )
    if number.count("-") == 2:
        series, year, sequence = number.split("-")
        spaced = f"{series} {year} {int(sequence)}" if sequence.isdigit() else number
        number = rng.choice((number, number.lower(), spaced, number.replace("-", "")))
    return rng.choice((ref, number, rng.choice(TEXTS)))


def _world(seed: int, n: int, messy: bool) -> tuple[Any, ...]:
    """``n`` invoices of ``n // 4`` clients and about ``n`` lines; ``messy``: references and
    numbers shared by several invoices, paid and cancelled invoices, payouts, debits, returns,
    other currencies, nothing at all, lines reported twice."""
    rng = random.Random(seed)
    clients = max(2, n // 4)
    names = {c: _name(rng) for c in range(1, clients + 1)}
    for c in range(1, clients + 1, 37):
        names[c] = names[max(1, c - 1)]  # two clients, one name
    for c in range(5, clients + 1, 41):
        names[c] = f"Dr. {names[c].replace('ü', 'u')} e.V."
    for c in range(7, clients + 1, 43):
        names[c] = " ".join(reversed(names[c].split(" "))) + " Frères Ødegård"
    names[1], names[2] = "", "X Y"
    ibans = {f"DE{c:020d}": c for c in range(1, clients + 1) if rng.random() < 0.6}
    invoices = []
    for i in range(1, n + 1):
        series: Literal["DE", "BE"] = rng.choice(("DE", "BE"))
        sequence = rng.randint(1, n // 2 + 5) if messy else i
        reference = creditor_reference(series, 2026, sequence)
        number = f"{series}-2026-{sequence:06d}"
        if messy and rng.random() < 0.05:
            reference = rng.choice(("RF00BROKEN", "", rf_reference(f"X{sequence}")))
            number = rng.choice((f"CN-{number}", "odd", f"{series}-2026-{sequence}"))
        status: Literal["open", "paid", "cancelled"] = "open"
        if messy:
            status = rng.choice(("open",) * 7 + ("paid", "cancelled"))
        roll = rng.random()
        owed = rng.randint(1, 2_000_000) if roll < 0.8 else rng.randint(1, 300) * 100
        if messy and roll > 0.95:
            owed = rng.choice((0, -100))
        issued = date(2026, 1, 1) + timedelta(days=rng.randint(0, 30))
        client = rng.randint(1, clients)
        invoices.append(OpenInvoice(i, i + 7, client, number, reference, owed, issued, status))
    payouts = [KnownPayout(f"E2E{k}", k, k % 2 or None, rng.randint(1, 9999)) for k in range(1, 99)]
    lines = [_line(i, invoices, ibans, names, rng, messy) for i in range(n)]
    if messy:
        for k in range(0, n, 17):
            lines.insert(k + 5, lines[k])
    return invoices, payouts, ibans, names, lines


def _line(
    i: int,
    invoices: list[OpenInvoice],
    ibans: dict[str, int],
    names: dict[int, str],
    rng: random.Random,
    messy: bool,
) -> BankLine:
    one, two = rng.choice(invoices), rng.choice(invoices)
    due = max(0, one.outstanding_cents)
    amount = rng.choice(
        (due, due, due - 300, due - 3000, due + 400, due + 9000, due + two.outstanding_cents)
    )
    said: dict[str, Any] = {"account_servicer_ref": f"L{i}", "amount_cents": amount}
    roll = rng.random()
    if roll < 0.35:
        said["structured_refs"] = (rng.choice((one, one, two)).creditor_reference,)
    elif roll < 0.7:
        said["unstructured"] = " ".join(
            _printed(rng.choice((one, two)), rng) for _ in range(rng.randint(1, 3))
        )
    if rng.random() < 0.6:
        name = names[rng.choice((one.client_id, one.client_id, two.client_id))]
        said["counterparty_name"] = rng.choice(
            (name, _misspelt(name, rng), _name(rng), f"Herr {name}")
        )
    if rng.random() < 0.3:
        said["counterparty_iban"] = rng.choice(
            (f"DE{one.client_id:020d}", "DE99 0000", *list(ibans)[:3])
        )
    if messy:
        extra = rng.random()
        if extra < 0.04:
            said["direction"] = "debit"
        elif extra < 0.07:
            said["end_to_end_id"] = rng.choice(
                ("E2E3", "E2E50 ", one.creditor_reference, one.number)
            )
        elif extra < 0.09:
            said["return_reason"] = rng.choice(("AC04", "XX99", ""))
        elif extra < 0.1:
            said["currency"] = "USD"
        elif extra < 0.11:
            said["amount_cents"] = 0
    return bank_line(**said)


def _digest(outcomes: list[Outcome], *more: object) -> tuple[str, dict[str, int]]:
    """A digest of every field of ``outcomes`` (and of ``more``), and how many of each kind."""
    fields = [
        (o.kind, o.rule, o.confidence, o.surplus_cents, o.payout_id, o.reason, o.line_identity)
        + (o.invoice_ids, o.client_id, o.remaining_cents)
        + tuple((a.invoice_id, a.order_id, a.amount_cents) for a in o.allocations)
        for o in outcomes
    ]
    digest = hashlib.sha256(repr((fields, more)).encode()).hexdigest()[:16]
    return digest, dict(sorted(Counter(o.kind for o in outcomes).items()))


Recorded = tuple[str, dict[str, int]]
CASES: list[tuple[int, int, bool, MatchingPolicy, Recorded, Recorded]] = [
    (
        1,
        8000,
        False,
        MatchingPolicy(),
        (
            "d5e28d3cf50a6161",
            {"ignored": 28, "matched": 3333, "suggested": 2309, "unmatched": 2330},
        ),
        (
            "a6a0e0a9f6381a48",
            {
                "duplicate": 420,
                "ignored": 30,
                "matched": 2899,
                "suggested": 2587,
                "unmatched": 2564,
            },
        ),
    ),
    (
        2,
        6000,
        True,
        MatchingPolicy(),
        (
            "6e9d2e44a2035162",
            {"duplicate": 182, "ignored": 471, "matched": 608, "refund": 133, "return": 106}
            | {"suggested": 890, "unmatched": 3963},
        ),
        (
            "ef4d4cf30f820b31",
            {"duplicate": 283, "ignored": 514, "matched": 548, "refund": 151, "return": 113}
            | {"suggested": 958, "unmatched": 4286},
        ),
    ),
    (
        3,
        3000,
        True,
        MatchingPolicy(tolerance_cents=0, name_similarity=60),
        (
            "05991c2dd56d1c1f",
            {"duplicate": 80, "ignored": 278, "matched": 231, "refund": 67, "return": 48}
            | {"suggested": 435, "unmatched": 2038},
        ),
        (
            "10b698e4e7023f8e",
            {"duplicate": 105, "ignored": 326, "matched": 238, "refund": 80, "return": 57}
            | {"suggested": 512, "unmatched": 2359},
        ),
    ),
    (
        4,
        2000,
        True,
        MatchingPolicy(tolerance_cents=2000, name_similarity=95),
        (
            "f7414a705ee6e9d9",
            {"duplicate": 64, "ignored": 164, "matched": 217, "refund": 47, "return": 30}
            | {"suggested": 331, "unmatched": 1265},
        ),
        (
            "94536af971bea6bb",
            {"duplicate": 112, "ignored": 203, "matched": 221, "refund": 60, "return": 37}
            | {"suggested": 419, "unmatched": 1566},
        ),
    ),
]


@pytest.mark.parametrize(("seed", "n", "messy", "policy", "each", "statement"), CASES)
def test_every_outcome_is_the_one_recorded(
    seed: int, n: int, messy: bool, policy: MatchingPolicy, each: Recorded, statement: Recorded
) -> None:
    invoices, payouts, ibans, names, lines = _world(seed, n, messy)
    matcher = Matcher(invoices, payouts, ibans, names, policy)
    assert _digest([matcher.match(line) for line in lines]) == each


@pytest.mark.parametrize(("seed", "n", "messy", "policy", "each", "statement"), CASES)
def test_a_statement_matched_and_consumed_is_the_one_recorded(
    seed: int, n: int, messy: bool, policy: MatchingPolicy, each: Recorded, statement: Recorded
) -> None:
    invoices, payouts, ibans, names, lines = _world(seed, n, messy)
    matcher = Matcher(invoices, payouts, ibans, names, policy)
    outcomes = matcher.match_statement(lines)
    outcomes += [matcher.match(line) for line in lines[:500]]  # consumed: as recorded then
    owed = [matcher.owed(invoice.invoice_id) for invoice in invoices]
    assert _digest(outcomes, owed) == statement


@given(st.text())
def test_a_name_is_the_tokens_of_its_words(name: str) -> None:
    assert NameTokens()(name) == name_tokens(name)


@given(st.text())
def test_a_reference_key_keeps_letters_and_digits(reference: str) -> None:
    kept = "".join(c for c in reference if c.isascii() and c.isalnum())
    assert reference_key(reference) == kept.upper()


@given(st.text("abcdemnor 0"), st.text("abcdemnor 0"))
def test_the_cheap_bound_of_a_similarity_is_never_below_it(a: str, b: str) -> None:
    assert Similarity(a).at_most(b) >= Similarity(a).to(b)
