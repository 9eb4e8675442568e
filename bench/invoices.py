"""Invoices rendered per second on one core: EN 16931 CII XML (drafthorse), then the Factur-X
PDF/A-3b with that XML embedded, written by WeasyPrint in one pass (layout, PDF, factur-x.xml
attachment and XMP together: ``pdf``), optionally the XSD + Schematron check (saxonche) and the
Peppol UBL where it goes (``InvoiceDocument.goes_over_peppol``).

The documents cycle through the six VAT cases of the test suite (DE 19 % and 7 %, BE 21 %,
FR reverse charge, CH outside scope, FR consumer) in the six languages, each with its own number.
The process is pinned to one CPU where the OS allows it. Medians are wall-clock; the last line
divides by the process's CPU time instead, which other load on the machine inflates less.

    .venv/bin/python -m bench.invoices [--count 120] [--validate] [--ubl]
"""

from __future__ import annotations

import argparse
import logging
import os
import statistics
import time
from collections.abc import Callable
from itertools import cycle

from adapters.documents.einvoice_cii import build_cii
from adapters.documents.einvoice_ubl import build_ubl
from adapters.documents.einvoice_validation import EinvoiceValidator
from adapters.documents.invoice_pdf import render_pdf
from config import get_settings
from domain.invoice_document import InvoiceDocument
from domain.invoice_wording import LANGUAGES
from tests.invoices import cases


def _pin_to_one_cpu() -> str:
    if not hasattr(os, "sched_setaffinity"):
        return "not pinned (no sched_setaffinity)"
    cpu = min(os.sched_getaffinity(0))
    os.sched_setaffinity(0, {cpu})
    return f"pinned to cpu {cpu}"


def _documents(count: int) -> list[InvoiceDocument]:
    kinds: list[tuple[str, Callable[..., InvoiceDocument]]] = [
        ("DE", lambda **kw: cases.make_case(**kw)),
        ("DE", lambda **kw: cases.make_case(vat_category="reduced", **kw)),
        (
            "BE",
            lambda **kw: cases.make_case(
                jurisdiction="BE", client_country="BE", client_vat_id="BE0403123486", **kw
            ),
        ),
        (
            "DE",
            lambda **kw: cases.make_case(client_country="FR", client_vat_id="FR40303265045", **kw),
        ),
        ("DE", lambda **kw: cases.make_case(client_country="CH", client_vat_id="CHE-1", **kw)),
        ("DE", lambda **kw: cases.make_case(client_country="FR", client_is_business=False, **kw)),
    ]
    docs = []
    languages = cycle(LANGUAGES)
    for i, (_, make) in zip(range(count), cycle(kinds), strict=False):
        docs.append(make(language=next(languages), sequence=i + 1, net_cents=100000 + 137 * i))
    return docs


def _ms(values: list[float]) -> str:
    return f"{statistics.median(values) * 1000:.1f} ms"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=120)
    parser.add_argument("--validate", action="store_true", help="XSD + Schematron per XML")
    parser.add_argument("--ubl", action="store_true", help="also the Peppol UBL (BE B2B)")
    args = parser.parse_args()
    logging.getLogger("weasyprint").setLevel(logging.ERROR)
    logging.getLogger("fontTools").setLevel(logging.ERROR)

    pinned = _pin_to_one_cpu()
    docs = _documents(args.count)
    # Warm-up outside the clock: fonts, Babel data, Schematron compilation (≈1 s once).
    for doc in docs[:6]:
        render_pdf(doc, build_cii(doc))
    validator = EinvoiceValidator(get_settings().einvoice_rules_dir)
    if args.validate:
        validator.warm_up()

    phases: dict[str, list[float]] = {"xml": [], "pdf": [], "validate": [], "ubl": []}
    failures = 0
    start, start_cpu = time.perf_counter(), time.process_time()
    for doc in docs:
        t0 = time.perf_counter()
        xml = build_cii(doc)
        t1 = time.perf_counter()
        render_pdf(doc, xml)
        t2 = time.perf_counter()
        phases["xml"].append(t1 - t0)
        phases["pdf"].append(t2 - t1)
        if args.ubl and doc.goes_over_peppol:
            ubl = build_ubl(doc)
            failures += bool(args.validate and validator.validate_ubl(ubl))
            phases["ubl"].append(time.perf_counter() - t2)
        if args.validate:
            t4 = time.perf_counter()
            failures += bool(validator.validate_cii(xml))
            phases["validate"].append(time.perf_counter() - t4)
    elapsed, cpu = time.perf_counter() - start, time.process_time() - start_cpu

    rate = len(docs) / elapsed
    print(f"invoices: {len(docs)} (6 VAT cases x 6 languages), {pinned}")
    steps = ["xml", "pdf"] + [k for k in ("validate", "ubl") if phases[k]]
    print("median per invoice: " + ", ".join(f"{k} {_ms(phases[k])}" for k in steps))
    print(f"invoices per second (PDF/A-3 + EN 16931 XML, one core): {rate:.1f}")
    # On a shared machine other processes take turns on the pinned CPU: the rate per second of
    # this process's own CPU time is the figure to compare between runs there.
    print(f"invoices per CPU second of this process: {len(docs) / cpu:.1f}")
    if args.validate:
        print(f"documents failing validation: {failures}")


if __name__ == "__main__":
    main()
