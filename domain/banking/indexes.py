"""The look-ups the matcher builds once, so that no line scans all invoices or all clients.

- ``InvoiceIndex``: invoices by creditor reference key, by invoice number key, and each
  client's open invoices oldest first; plus the matcher's own copy of what each invoice owes
  (lowered by consumed lines; the caller's ``OpenInvoice`` values are never changed).
- ``PayerIndex``: clients by IBAN, by normalised name, and by name token (the similar names
  are looked for only among clients sharing a token, and each name's answer is kept).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Literal

from domain.banking.allocation import OpenInvoice
from domain.banking.text import (
    Similarity,
    comparable,
    find_references,
    invoice_number_key,
    letter_counts,
    name_tokens,
    reference_key,
)
from domain.money import Cents

# (as printed, found by a creditor reference or an invoice number, the invoice ids it names)
Hit = tuple[str, Literal["creditor_reference", "invoice_number"], tuple[int, ...]]

# A name token shared by more clients than this says too little to compare them all.
MAX_CLIENTS_PER_TOKEN = 1000
# Clients whose name scores within this many points of the best are equally plausible.
NAME_MARGIN = 5


def normalise_iban(iban: str) -> str:
    return iban.replace(" ", "").upper()


class InvoiceIndex:
    def __init__(self, invoices: Iterable[OpenInvoice]) -> None:
        self.invoices: dict[int, OpenInvoice] = {}
        self.owed: dict[int, Cents] = {}
        self.by_reference: dict[str, tuple[int, ...]] = {}
        self.by_number: dict[str, tuple[int, ...]] = {}
        self._by_client: dict[int, list[OpenInvoice]] = {}
        self._sorted: set[int] = set()
        by_reference, by_number, by_client = self.by_reference, self.by_number, self._by_client
        for invoice in invoices:
            invoice_id = invoice.invoice_id
            self.invoices[invoice_id] = invoice
            is_open = invoice.status == "open"
            self.owed[invoice_id] = max(0, invoice.outstanding_cents) if is_open else 0
            key = reference_key(invoice.creditor_reference)
            by_reference[key] = by_reference.get(key, ()) + (invoice_id,)
            number = invoice_number_key(invoice.number)
            if number is not None:
                by_number[number] = by_number.get(number, ()) + (invoice_id,)
            if is_open:
                if invoice.client_id in by_client:
                    by_client[invoice.client_id].append(invoice)
                else:
                    by_client[invoice.client_id] = [invoice]

    def open_of(self, client_id: int) -> list[OpenInvoice]:
        """The client's open invoices, oldest first (sorted on first use)."""
        invoices = self._by_client.get(client_id)
        if invoices is None:
            return []
        if client_id not in self._sorted:
            invoices.sort(key=lambda i: (i.issue_date, i.invoice_id))
            self._sorted.add(client_id)
        return invoices

    def named(self, structured: Iterable[str], text: str) -> tuple[list[Hit], list[str]]:
        """Our invoices the payer names, in the order written (structured references first),
        and what looked like a reference or invoice number but is none of ours."""
        hits: list[Hit] = []
        unknown: list[str] = []
        for ref in structured:
            ids = self.by_reference.get(reference_key(ref))
            if ids:
                hits.append((ref.strip(), "creditor_reference", ids))
            elif not self._scan(ref, hits, unknown):  # an invoice number in the wrong field
                unknown.append(ref.strip())
        if text:
            self._scan(text, hits, unknown)
        return hits, unknown

    def _scan(self, text: str, hits: list[Hit], unknown: list[str]) -> bool:
        found_any = False
        for found in find_references(text, self.by_reference):
            if found.kind == "number":
                ids = self.by_number.get(found.key)
                rule: Literal["creditor_reference", "invoice_number"] = "invoice_number"
            else:
                ids = self.by_reference.get(found.key)
                rule = "creditor_reference"
            if ids:
                hits.append((found.printed, rule, ids))
                found_any = True
            else:
                unknown.append(found.printed)
        return found_any


class PayerIndex:
    def __init__(
        self, client_ibans: Mapping[str, int], client_names: Mapping[int, str], threshold: int
    ) -> None:
        self.threshold = threshold
        self.ibans = {normalise_iban(iban): client for iban, client in client_ibans.items()}
        self.names = dict(client_names)
        self._comparable: dict[int, str] = {}
        self._exact: dict[str, tuple[int, ...]] = {}
        by_token: dict[str, list[int]] = {}
        for client, name in client_names.items():
            tokens = name_tokens(name)
            key = self._comparable[client] = comparable(tokens)
            self._exact[key] = self._exact.get(key, ()) + (client,)
            for token in set(tokens):
                by_token.setdefault(token, []).append(client)
        self._by_token = {k: tuple(v) for k, v in by_token.items()}
        self._counts: dict[int, tuple[int, ...]] = {}  # letter counts, when first needed
        self._cache: dict[str, tuple[int, ...]] = {}

    def by_iban(self, iban: str) -> int | None:
        return self.ibans.get(normalise_iban(iban)) if iban else None

    def by_name(self, name: str) -> tuple[int, ...]:
        """The clients ``name`` is: those whose name is the same once normalised, else those
        at least ``threshold`` % like it and within ``NAME_MARGIN`` points of the best one,
        best first. The answer per name is kept."""
        found = self._cache.get(name)
        if found is None:
            key = comparable(name_tokens(name))
            found = (self._exact.get(key) or self._similar(key)) if key else ()
            self._cache[name] = found
        return found

    def _similar(self, key: str) -> tuple[int, ...]:
        """Only clients sharing a token with ``key`` are compared, most tokens in common first
        (the best score comes early and raises the floor the others must reach)."""
        shared: dict[int, int] = {}
        for token in key.split(" "):
            clients = self._by_token.get(token, ())
            if len(clients) <= MAX_CLIENTS_PER_TOKEN:
                for client in clients:
                    shared[client] = shared.get(client, 0) + 1
        to_key = Similarity(key)
        best, scored = 0, []
        for client in sorted(shared, key=lambda c: -shared[c]):
            counts = self._counts.get(client)
            if counts is None:
                counts = self._counts[client] = letter_counts(self._comparable[client])
            floor = max(self.threshold, best - NAME_MARGIN)
            score = to_key.to(self._comparable[client], floor, counts)
            if score:
                scored.append((-score, client))
                best = max(best, score)
        floor = max(self.threshold, best - NAME_MARGIN)
        return tuple(client for score, client in sorted(scored) if -score >= floor)

    def label(self, client_id: int) -> str:
        return self.names.get(client_id) or f"client {client_id}"
