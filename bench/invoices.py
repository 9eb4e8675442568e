"""Invoices rendered per second on one core: EN 16931 CII XML (drafthorse), the PDF/A-3b
(WeasyPrint), the XML embedded as Factur-X (factur-x), optionally the XSD + Schematron check
(saxonche) and the Peppol UBL for Belgian business clients.

The documents cycle through the six VAT cases of the test suite (DE 19 % and 7 %, BE 21 %,
FR reverse charge, CH outside scope, FR consumer) in the six languages, each with its own number.
The process is pinned to one CPU where the OS allows it.

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

from adapters.einvoice_cii import build_cii
from adapters.einvoice_ubl import build_ubl
from adapters.einvoice_validation import validate_cii, validate_ubl, warm_up
from adapters.invoice_pdf import embed_xml, render_pdf
from domain.invoice_document import LANGUAGES, InvoiceDocument
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
        embed_xml(render_pdf(doc), build_cii(doc), doc)
    if args.validate:
        warm_up()

    phases: dict[str, list[float]] = {"xml": [], "pdf": [], "embed": [], "validate": [], "ubl": []}
    failures = 0
    start = time.perf_counter()
    for doc in docs:
        t0 = time.perf_counter()
        xml = build_cii(doc)
        t1 = time.perf_counter()
        pdf = render_pdf(doc)
        t2 = time.perf_counter()
        embed_xml(pdf, xml, doc)
        t3 = time.perf_counter()
        phases["xml"].append(t1 - t0)
        phases["pdf"].append(t2 - t1)
        phases["embed"].append(t3 - t2)
        if args.ubl and doc.seller.address.country == "BE" and doc.buyer.is_business:
            ubl = build_ubl(doc)
            failures += bool(args.validate and validate_ubl(ubl))
            phases["ubl"].append(time.perf_counter() - t3)
        if args.validate:
            t4 = time.perf_counter()
            failures += bool(validate_cii(xml))
            phases["validate"].append(time.perf_counter() - t4)
    elapsed = time.perf_counter() - start

    rate = len(docs) / elapsed
    print(f"invoices: {len(docs)} (6 VAT cases x 6 languages), {pinned}")
    steps = ["xml", "pdf", "embed"] + [k for k in ("validate", "ubl") if phases[k]]
    print("median per invoice: " + ", ".join(f"{k} {_ms(phases[k])}" for k in steps))
    print(f"invoices per second (PDF/A-3 + EN 16931 XML, one core): {rate:.1f}")
    if args.validate:
        print(f"documents failing validation: {failures}")


if __name__ == "__main__":
    main()
