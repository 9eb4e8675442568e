"""The look-ups the matcher builds once, so that no line scans all invoices or all clients.

- ``InvoiceIndex``: invoices by creditor reference key, by invoice number key, and each
  client's open invoices oldest first; plus the matcher's own copy of what each invoice owes
  (lowered by consumed lines; the caller's ``OpenInvoice`` values are never changed).
- ``PayerIndex``: clients by IBAN, by normalised name, and by name token (the similar names
  are looked for only among clients sharing a token, and each name's answer is kept, as are
  the tokens of each word of a name).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from operator import attrgetter
from typing import Literal

from domain.banking.allocation import OpenInvoice
from domain.banking.text import (
    NameTokens,
    Similarity,
    comparable,
    find_references,
    invoice_number_key,
    reference_key,
)
from domain.money import Cents

# (as printed, found by a creditor reference or an invoice number, the invoice ids it names)
Hit = tuple[str, Literal["creditor_reference", "invoice_number"], tuple[int, ...]]

# A name token shared by more clients than this says too little to compare them all.
MAX_CLIENTS_PER_TOKEN = 1000
# Clients whose name scores within this many points of the best are equally plausible.
NAME_MARGIN = 5


_OLDEST_FIRST = attrgetter("issue_date", "invoice_id")


def normalise_iban(iban: str) -> str:
    return iban.replace(" ", "").upper()


def _grouped(keys: Sequence[str | None], ids: Sequence[int]) -> dict[str, tuple[int, ...]]:
    """Each key → the ids that have it, in order (a None key is no key). Built in one go
    when no key comes twice, as is usual: a reference or a number is one invoice's."""
    grouped: dict[str, tuple[int, ...]]
    grouped = {key: (i,) for key, i in zip(keys, ids, strict=True) if key is not None}
    if len(grouped) < len(keys) - keys.count(None):
        grouped = {}
        for key, invoice_id in zip(keys, ids, strict=True):
            if key is not None:
                have = grouped.get(key)
                grouped[key] = (invoice_id,) if have is None else have + (invoice_id,)
    return grouped


class InvoiceIndex:
    def __init__(self, invoices: Iterable[OpenInvoice]) -> None:
        invoices = list(invoices)
        ids = [invoice.invoice_id for invoice in invoices]
        self.invoices: dict[int, OpenInvoice] = dict(zip(ids, invoices, strict=True))
        self.owed: dict[int, Cents] = {
            i.invoice_id: max(0, i.outstanding_cents) if i.status == "open" else 0 for i in invoices
        }
        references = [reference_key(i.creditor_reference) for i in invoices]
        self.by_reference: dict[str, tuple[int, ...]] = _grouped(references, ids)
        numbers = [invoice_number_key(i.number) for i in invoices]
        self.by_number: dict[str, tuple[int, ...]] = _grouped(numbers, ids)
        self._by_client: dict[int, list[OpenInvoice]] = {}
        self._sorted: set[int] = set()
        by_client = self._by_client
        for invoice in invoices:
            if invoice.status == "open":
                of_client = by_client.get(invoice.client_id)
                if of_client is None:
                    by_client[invoice.client_id] = [invoice]
                else:
                    of_client.append(invoice)

    def open_of(self, client_id: int) -> list[OpenInvoice]:
        """The client's open invoices, oldest first (sorted on first use)."""
        invoices = self._by_client.get(client_id)
        if invoices is None:
            return []
        if client_id not in self._sorted:
            invoices.sort(key=_OLDEST_FIRST)
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
        self._tokens = NameTokens()
        self._comparable: dict[int, str] = {}
        self._exact: dict[str, tuple[int, ...]] = {}
        by_token: dict[str, list[int]] = {}
        for client, name in client_names.items():
            tokens = self._tokens(name)
            key = self._comparable[client] = comparable(tokens)
            same = self._exact.get(key)
            self._exact[key] = (client,) if same is None else same + (client,)
            for token in set(tokens):
                clients = by_token.get(token)
                if clients is None:
                    by_token[token] = [client]
                else:
                    clients.append(client)
        self._by_token = {k: tuple(v) for k, v in by_token.items()}
        self._cache: dict[str, tuple[int, ...]] = {}

    def by_iban(self, iban: str) -> int | None:
        return self.ibans.get(normalise_iban(iban)) if iban else None

    def by_name(self, name: str) -> tuple[int, ...]:
        """The clients ``name`` is: those whose name is the same once normalised, else those
        at least ``threshold`` % like it and within ``NAME_MARGIN`` points of the best one,
        best first. The answer per name is kept."""
        found = self._cache.get(name)
        if found is None:
            key = comparable(self._tokens(name))
            found = (self._exact.get(key) or self._similar(key)) if key else ()
            self._cache[name] = found
        return found

    def _similar(self, key: str) -> tuple[int, ...]:
        """Only clients sharing a token with ``key`` are compared, those whose similarity can
        be highest first: once the best score is known, a client whose upper bound is below
        the floor (and so every client after it) is not compared at all."""
        candidates: set[int] = set()
        for token in key.split(" "):
            clients = self._by_token.get(token, ())
            if len(clients) <= MAX_CLIENTS_PER_TOKEN:
                candidates.update(clients)
        if not candidates:
            return ()
        to_key, names, threshold = Similarity(key), self._comparable, self.threshold
        bounds = []
        for client in candidates:
            bound = to_key.at_most(names[client], threshold)
            if bound >= threshold:
                bounds.append((bound, client))
        bounds.sort(reverse=True)
        best, scored = 0, []
        for bound, client in bounds:
            if bound < max(threshold, best - NAME_MARGIN):
                break
            score = to_key.to(names[client])
            if score:
                scored.append((-score, client))
                best = max(best, score)
        floor = max(threshold, best - NAME_MARGIN)
        return tuple(client for score, client in sorted(scored) if -score >= floor)

    def label(self, client_id: int) -> str:
        return self.names.get(client_id) or f"client {client_id}"
