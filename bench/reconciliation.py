"""Bank reconciliation on one core: the matching cascade (domain.banking.matching) over N
incoming lines against N open invoices, next to a naive matcher that scans every invoice for
each line (timed on a sample of the same lines in the same run, then extrapolated).

Lines: 60 % creditor references (RF or Belgian +++…+++: 45 % in the structured remittance,
15 % printed in the free text as banks do), 20 % invoice numbers in the free text ("de 2026 12",
"DE2026000012"…), 10 % no reference but the payer (a known IBAN, else the name as the bank
writes it, one in four misspelt) and the amount of one of its invoices, 10 % nothing usable.
Amounts: mostly exact, some partial, some a little over.

Each section is a function returning its figures; ``main`` prints them (more sections, such
as the camt import or the PostgreSQL writes, can be added next to ``matching_figures``).
Wall-clock and CPU time of this process are both shown: on a shared machine the CPU figure
is the steadier one; the yardstick line says how fast this machine's Python was at the time.
Under match() comes the part of it CPython's cyclic garbage collector took: a full collection
walks every object alive, this bench's own 100,000 lines and invoices included.

    .venv/bin/python -m bench.reconciliation [--lines 100000] [--naive-sample 1000]
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import os
import random
import tempfile
import time
import timeit
from collections import Counter
from datetime import date, timedelta
from pathlib import Path
from typing import Any, Literal

from activities.reconciliation import collector_paused
from bench.reconciliation_import import import_figures, reader_peak_mb, signal_rate, write_statement
from domain.banking.matching import Matcher, OpenInvoice
from domain.banking.statement import BankLine
from domain.banking.text import reference_key
from domain.references import creditor_reference

OUR_IBAN = "DE02120300000000202051"
SYLLABLES = "mül ler bau dach werk van den berg du pont ja cobs peet ers hof mann leroy mer".split()
LEGAL = ("GmbH", "GmbH & Co. KG", "AG", "SA", "SRL", "BV", "NV", "e.K.", "")


def _pin_to_one_cpu() -> str:
    if not hasattr(os, "sched_setaffinity"):
        return "not pinned (no sched_setaffinity)"
    cpu = min(os.sched_getaffinity(0))
    os.sched_setaffinity(0, {cpu})
    return f"pinned to cpu {cpu}"


def _name(rng: random.Random) -> str:
    words = ["".join(rng.choice(SYLLABLES) for _ in range(rng.randint(2, 3))) for _ in range(2)]
    return f"{' '.join(w.capitalize() for w in words)} {rng.choice(LEGAL)}".strip()


def build_world(n: int, seed: int = 7) -> tuple[list[OpenInvoice], dict[str, int], dict[int, str]]:
    """``n`` open invoices of ``n // 5`` clients; 70 % of clients have paid from a known IBAN."""
    rng = random.Random(seed)
    clients = max(1, n // 5)
    names = {c: _name(rng) for c in range(1, clients + 1)}
    ibans = {f"DE{c:020d}": c for c in range(1, clients + 1) if rng.random() < 0.7}
    invoices = []
    for i in range(1, n + 1):
        jurisdiction: Literal["DE", "BE"] = "DE" if i % 2 else "BE"
        sequence = i // 2 + 1
        invoices.append(
            OpenInvoice(
                invoice_id=i,
                order_id=i,
                client_id=rng.randint(1, clients),
                number=f"{jurisdiction}-2026-{sequence:06d}",
                creditor_reference=creditor_reference(jurisdiction, 2026, sequence),
                outstanding_cents=rng.randint(5_000, 2_000_000),
                issue_date=date(2026, 1, 1) + timedelta(days=rng.randint(0, 180)),
                status="open",
            )
        )
    return invoices, ibans, names


def _line(i: int, amount: int, said: dict[str, Any]) -> BankLine:
    fields: dict[str, Any] = {
        "account_iban": OUR_IBAN,
        "currency": "EUR",
        "direction": "credit",
        "amount_cents": amount,
        "booking_date": date(2026, 7, 1),
        "value_date": date(2026, 7, 1),
        "account_servicer_ref": f"ASR{i:010d}",
        "entry_ref": "",
        "end_to_end_id": "NOTPROVIDED",
        "structured_refs": (),
        "unstructured": "",
        "counterparty_name": "",
        "counterparty_iban": "",
        "bank_code": "PMNT/RCDT/ESCT",
        "return_reason": "",
        "batch_index": 0,
    }
    fields.update(said)
    return BankLine(**fields)


def _printed_reference(ref: str, rng: random.Random) -> str:
    if ref.startswith("+++"):
        digits = reference_key(ref)
        return rng.choice((ref, f"{digits[:3]}/{digits[3:7]}/{digits[7:]}", digits))
    spaced = " ".join(ref[k : k + 4] for k in range(0, len(ref), 4))
    return rng.choice((ref, spaced, ref.lower()))


def _printed_number(number: str, rng: random.Random) -> str:
    jurisdiction, year, sequence = number.split("-")
    return rng.choice(
        (number, number.lower(), f"{jurisdiction} {year} {int(sequence)}", number.replace("-", ""))
    )


def _as_the_bank_writes(name: str, rng: random.Random) -> str:
    """Upper case, umlauts spelt out; one name in four with a letter missing."""
    name = name.upper().replace("Ü", "UE")
    if rng.random() < 0.25:
        at = rng.randrange(len(name))
        name = name[:at] + name[at + 1 :]
    return name


def build_lines(
    n: int, invoices: list[OpenInvoice], ibans: dict[str, int], names: dict[int, str]
) -> list[tuple[BankLine, int | None]]:
    """``n`` incoming lines, each with the invoice it pays (None: nothing to find)."""
    rng = random.Random(11)
    iban_of = {client: iban for iban, client in ibans.items()}
    lines: list[tuple[BankLine, int | None]] = []
    for i in range(n):
        invoice = invoices[rng.randrange(len(invoices))]
        roll = rng.random()
        amount = invoice.outstanding_cents
        if roll < 0.8:  # the invoice is named: exact, partial or a little over
            amount = rng.choice((amount, amount, amount, amount - 2_000, amount + 150))
        said: dict[str, Any] = {
            "counterparty_name": _as_the_bank_writes(names[invoice.client_id], rng)
        }
        expected: int | None = invoice.invoice_id
        if roll < 0.45:
            said["structured_refs"] = (invoice.creditor_reference,)
        elif roll < 0.60:
            said["unstructured"] = f"Zahlung {_printed_reference(invoice.creditor_reference, rng)}"
        elif roll < 0.80:
            said["unstructured"] = f"Rechnung {_printed_number(invoice.number, rng)} vom 3.5."
        elif roll < 0.90:
            said["unstructured"] = "Zahlung Auftrag"
            said["counterparty_iban"] = iban_of.get(invoice.client_id, "")
        else:
            said = {"unstructured": "Miete Juli", "counterparty_name": f"Nobody {i % 5000}"}
            amount, expected = rng.randint(100, 100_000), None
        lines.append((_line(i, amount, said), expected))
    return lines


def naive_keys(invoices: list[OpenInvoice]) -> list[tuple[OpenInvoice, str, str]]:
    return [(i, reference_key(i.creditor_reference), reference_key(i.number)) for i in invoices]


def naive_match(line: BankLine, keyed: list[tuple[OpenInvoice, str, str]]) -> OpenInvoice | None:
    """The yardstick: every invoice's reference and number (normalised once, beforehand)
    looked for in what the line says, one invoice after the other; no amounts, no names."""
    refs = {reference_key(r) for r in line.structured_refs}
    text = reference_key(line.unstructured)
    for invoice, reference, number in keyed:
        if reference in refs or reference in text or number in text:
            return invoice
    return None


class _Collector:
    """Wall-clock and CPU time CPython's cyclic garbage collector takes while watched, and how
    many full (generation 2) collections it made: it walks every container object alive, the
    bench's 100,000 lines and invoices included, each time."""

    def __init__(self) -> None:
        self.wall = self.cpu = 0.0
        self.full = 0
        self._started = (0.0, 0.0)

    def __enter__(self) -> _Collector:
        gc.callbacks.append(self._callback)
        return self

    def __exit__(self, *_: object) -> None:
        gc.callbacks.remove(self._callback)

    def _callback(self, phase: str, info: dict[str, int]) -> None:
        if phase == "start":
            self._started = (time.perf_counter(), time.process_time())
            return
        self.wall += time.perf_counter() - self._started[0]
        self.cpu += time.process_time() - self._started[1]
        self.full += info["generation"] == 2


class _Clock:
    """Wall-clock and this process's CPU time since the last lap."""

    def __init__(self) -> None:
        self._wall, self._cpu = time.perf_counter(), time.process_time()

    def lap(self) -> tuple[float, float]:
        wall, cpu = time.perf_counter(), time.process_time()
        lap = (wall - self._wall, cpu - self._cpu)
        self._wall, self._cpu = wall, cpu
        return lap


def matching_figures(n: int, naive_sample: int = 1000) -> dict[str, Any]:
    """Matcher construction and matching of ``n`` lines against ``n`` open invoices."""
    invoices, ibans, names = build_world(n)
    lines = build_lines(n, invoices, ibans, names)
    bank_lines = [line for line, _ in lines]

    clock = _Clock()
    matcher = Matcher(invoices, (), ibans, names)
    build = clock.lap()
    with _Collector() as collector:
        outcomes = [matcher.match(line) for line in bank_lines]
    match = clock.lap()
    Matcher(invoices, (), ibans, names).match_statement(bank_lines)
    statement = clock.lap()
    paused_matcher = Matcher(invoices, (), ibans, names)
    with collector_paused():  # as the reconciliation activity runs it
        paused_matcher.match_statement(bank_lines)
    paused = clock.lap()
    keyed = naive_keys(invoices)
    clock.lap()
    sample = bank_lines[:naive_sample]
    for line in sample:
        naive_match(line, keyed)
    naive = clock.lap()

    payments = [(o, expected) for o, (_, expected) in zip(outcomes, lines, strict=True) if expected]
    found = sum(expected in o.invoice_ids for o, expected in payments)
    wrong = sum(bool(o.invoice_ids) and expected not in o.invoice_ids for o, expected in payments)
    nothing = [o for o, (_, expected) in zip(outcomes, lines, strict=True) if expected is None]
    return {
        "invoices": len(invoices),
        "lines": len(lines),
        "build": build,
        "match": match,
        "match_gc": collector,
        "statement": statement,
        "statement_paused": paused,
        "naive_s": naive[0] * len(lines) / max(1, len(sample)),
        "naive_sample": len(sample),
        "kinds": Counter(o.kind for o in outcomes),
        "rules": Counter(o.rule for o in outcomes),
        "found": found / len(payments),
        "wrong": wrong / len(payments),
        "false_hits": sum(o.kind != "unmatched" for o in nothing),
    }


def yardstick_us() -> float:
    """Microseconds this Python takes for ``sum(range(1000))`` now: to compare machines."""
    return min(timeit.repeat("sum(range(1000))", number=2000, repeat=5)) / 2000 * 1e6


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--lines", type=int, default=100_000, help="lines, and open invoices")
    parser.add_argument("--naive-sample", type=int, default=1000, help="lines the naive scan runs")
    parser.add_argument(
        "--pg-url",
        default="postgresql+asyncpg://postgres@127.0.0.1:5432/coopflow_bench",
        help="PostgreSQL for the import section (its own database, created if missing); '' skips",
    )
    parser.add_argument("--signals", type=int, default=5000, help="payment signals to send")
    parser.add_argument("--skip-import", action="store_true", help="matching figures only")
    args = parser.parse_args()
    pinned = _pin_to_one_cpu()

    f = matching_figures(args.lines, args.naive_sample)
    n = f["lines"]
    (build, build_cpu), (match, match_cpu) = f["build"], f["match"]
    print(f"matching: {n:,} lines against {f['invoices']:,} open invoices, {pinned}")
    print(f"  yardstick: sum(range(1000)) takes {yardstick_us():.1f} µs on this machine now")
    print("                                          wall      CPU")
    print(f"  Matcher(...), the indexes          {build:7.2f} s {build_cpu:7.2f} s")
    print(
        f"  match() of every line              {match:7.2f} s {match_cpu:7.2f} s"
        f"   {n / match_cpu:,.0f} lines per CPU second"
    )
    gc_in_match = f["match_gc"]
    print(
        f"    of which the garbage collector   {gc_in_match.wall:7.2f} s {gc_in_match.cpu:7.2f} s"
        f"   ({gc_in_match.full} full collections)"
    )
    total, total_cpu = build + match, build_cpu + match_cpu
    print(f"  construction + match()             {total:7.2f} s {total_cpu:7.2f} s")
    wall, cpu = f["statement"]
    print(
        f"  construction + match_statement()   {wall:7.2f} s {cpu:7.2f} s   (match, then consume)"
    )
    wall, cpu = f["statement_paused"]
    print(
        f"  the same, collector paused         {wall:7.2f} s {cpu:7.2f} s   (as the "
        "reconciliation activity runs it)"
    )
    print(
        f"  baseline, naive scan of invoices   {f['naive_s']:7.0f} s             (timed on "
        f"{f['naive_sample']:,} lines, extrapolated; {f['naive_s'] / match:,.0f}x match())"
    )
    print(
        f"  the paid invoice among those proposed: {f['found']:.1%} of payments; another "
        f"invoice: {f['wrong']:.1%}; lines with nothing to find not left unmatched: "
        f"{f['false_hits']}"
    )
    print(f"  outcomes: {dict(sorted(f['kinds'].items()))}")
    print(f"  rules:    {dict(sorted(f['rules'].items()))}")
    if not args.skip_import:
        asyncio.run(import_sections(args.lines, args.pg_url, args.signals))


async def import_sections(n: int, pg_url: str, signals: int) -> None:
    invoices, ibans, names = build_world(n)
    lines = [line for line, _ in build_lines(n, invoices, ibans, names)]
    with tempfile.TemporaryDirectory(prefix="coopflow-bench-bank-") as tmp:
        big, small = Path(tmp) / "big.xml", Path(tmp) / "small.xml"
        started = time.perf_counter()
        await asyncio.to_thread(write_statement, big, lines)
        written = time.perf_counter() - started
        await asyncio.to_thread(write_statement, small, lines[: max(1, n // 10)])
        size = big.stat().st_size / 1e6
        print(f"camt.053 import: {n:,} lines, {size:,.0f} MB (written in {written:.1f} s)")
        print("                      parse+store    read back    match    matched")
        urls = [("SQLite", f"sqlite+aiosqlite:///{tmp}/bench.db")]
        if pg_url:
            urls.append(("PostgreSQL", pg_url))
        for name, url in urls:
            matcher = Matcher(invoices, (), ibans, names)
            f = await import_figures(url, big, matcher)
            print(
                f"  {name:<18} {f['parse_and_store_s']:9.1f} s {f['read_back_s']:9.1f} s "
                f"{f['match_s']:7.1f} s  {int(f['matched']):,} of {int(f['lines']):,}"
            )
        small_mb, big_mb = reader_peak_mb(small), reader_peak_mb(big)
        print(
            f"reader peak memory: {max(1, n // 10):,} lines {small_mb:.0f} MB, "
            f"{n:,} lines {big_mb:.0f} MB (flat: streamed)"
        )
    rate = await signal_rate(signals, orders=200)
    print(
        f"payment signals to 200 order-like workflows on the dev server: {rate:,.0f} per second "
        f"({signals:,} sent, 50 at a time)"
    )


if __name__ == "__main__":
    main()
