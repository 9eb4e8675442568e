"""How one incoming amount spreads over invoices, and what that makes of the line.

- ``spread``: over invoices in the given order, each up to what it still owes; the rest is
  surplus. Allocations never exceed what was received nor what an invoice owes, so for every
  line ``sum(allocations) + surplus == amount``.
- ``by_reference``: the payer named the invoices (creditor references, invoice numbers).
- ``payer_fit`` and ``by_payer``: no usable reference; which of one client's open invoices the
  amount pays: one that owes exactly it, else the oldest-first run of invoices that sums to it
  exactly, else one within the tolerance. Always a suggestion.

``owed`` maps invoice id → what it still owes *now* (the matcher's copy, lowered by the lines
consumed so far): an invoice owing 0 is paid even when its record still says ``open``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Literal, NamedTuple

from domain.money import Cents, format_eur

Kind = Literal[
    "matched", "suggested", "unmatched", "refund", "duplicate", "payout", "return", "ignored"
]


@dataclass(frozen=True, slots=True)
class OpenInvoice:
    invoice_id: int
    order_id: int
    client_id: int
    number: str  # "DE-2026-000012"
    creditor_reference: str  # "RF18…" or "+++123/4567/89012+++"
    outstanding_cents: Cents  # what the client still owes on it now (0 when paid)
    issue_date: date
    status: Literal["open", "paid", "cancelled"]  # cancelled: a credit note cancelled it


@dataclass(frozen=True, slots=True)
class Allocation:
    invoice_id: int
    order_id: int
    amount_cents: Cents


class Verdict(NamedTuple):
    """The money half of an outcome: what the line is, and the sentence that says why."""

    kind: Kind
    confidence: int
    allocations: tuple[Allocation, ...]
    surplus_cents: Cents
    remaining_cents: Cents  # what the invoices it pays still owe after it
    says: str


def spread(
    amount: Cents, invoices: Sequence[OpenInvoice], owed: Mapping[int, Cents]
) -> tuple[tuple[Allocation, ...], Cents, Cents]:
    """Allocations in order (each up to what the invoice owes), surplus, and what stays owed."""
    if len(invoices) == 1:  # most lines: the loop below, once
        invoice = invoices[0]
        due = owed[invoice.invoice_id]
        take = amount if amount < due else due
        if take > 0:
            return (
                (Allocation(invoice.invoice_id, invoice.order_id, take),),
                amount - take,
                due - take,
            )
        return (), amount, due - take
    left = amount
    allocations: list[Allocation] = []
    remaining = 0
    for invoice in invoices:
        due = owed[invoice.invoice_id]
        take = min(left, due)
        if take > 0:
            allocations.append(Allocation(invoice.invoice_id, invoice.order_id, take))
            left -= take
        remaining += due - take
    return tuple(allocations), left, remaining


def _numbers(invoices: Sequence[OpenInvoice]) -> str:
    return ", ".join(invoice.number for invoice in invoices)


def by_reference(
    amount: Cents,
    named: Sequence[OpenInvoice],
    owed: Mapping[int, Cents],
    tolerance: Cents,
    confidence: int,
) -> Verdict:
    """The payer named ``named`` (in the order written, without repeats)."""
    unpaid: Sequence[OpenInvoice] = named
    closed = ""  # the named invoices that owe nothing, said
    if len(named) != 1 or named[0].status == "cancelled" or owed[named[0].invoice_id] <= 0:
        owing: list[OpenInvoice] = []
        paid: list[OpenInvoice] = []
        cancelled: list[OpenInvoice] = []
        for invoice in named:
            if invoice.status == "cancelled":
                cancelled.append(invoice)
            elif owed[invoice.invoice_id] > 0:
                owing.append(invoice)
            else:
                paid.append(invoice)
        if not owing:
            if cancelled:
                says = f"cancelled by a credit note: {format_eur(amount)} to refund"
                return Verdict("refund", confidence, (), amount, 0, says)
            says = (
                f"already paid: a duplicate payment of {format_eur(amount)}, to refund or keep "
                "for the client's next invoice"
            )
            return Verdict("duplicate", confidence, (), amount, 0, says)
        closed = ", ".join(
            [f"{i.number} is already paid" for i in paid]
            + [f"{i.number} is cancelled by a credit note" for i in cancelled]
        )
        unpaid = owing
    allocations, surplus, remaining = spread(amount, unpaid, owed)
    due = amount - surplus + remaining
    received = format_eur(amount)
    owes = received if due == amount else format_eur(due)
    money = f"{received} {'for' if amount > due else 'of'} {owes} owed"
    if len(unpaid) > 1:
        money += " (paid in the order written)"
    if closed:
        says = f"{money}, but {closed}: a person decides"
        return Verdict("suggested", 60, allocations, surplus, remaining, says)
    if surplus > tolerance:
        says = f"{money}: {format_eur(surplus)} more, perhaps for other invoices: a person decides"
        return Verdict("suggested", 70, allocations, surplus, remaining, says)
    if surplus:
        says = (
            f"{money}: paid in full; {format_eur(surplus)} surplus, within the "
            f"{format_eur(tolerance)} tolerance, is held for the client"
        )
        return Verdict("matched", confidence - 5, allocations, surplus, 0, says)
    if not remaining:
        return Verdict("matched", confidence, allocations, 0, 0, f"{money}: paid in full")
    if remaining <= tolerance:
        says = (
            f"{money}: {format_eur(remaining)} short, within the {format_eur(tolerance)} "
            "tolerance (bank charges?); it stays open until finance writes it off"
        )
        return Verdict("matched", confidence - 5, allocations, 0, remaining, says)
    says = f"{money}: partial payment, {format_eur(remaining)} stays open"
    return Verdict("matched", confidence - 10, allocations, 0, remaining, says)


class Fit(NamedTuple):
    invoices: tuple[OpenInvoice, ...]
    how: Literal["exact", "run", "close"]
    equally_good: int  # how many single invoices fit as well (> 1: the oldest is proposed)


def payer_fit(
    amount: Cents, invoices: Sequence[OpenInvoice], owed: Mapping[int, Cents], tolerance: Cents
) -> Fit | None:
    """Among one client's open invoices (oldest first), the ones ``amount`` most plausibly pays:
    exactly one invoice, else the oldest run of consecutive invoices summing to it exactly,
    else the invoice closest to it within ``tolerance``."""
    unpaid = [i for i in invoices if i.status == "open" and owed[i.invoice_id] > 0]
    exact = [i for i in unpaid if owed[i.invoice_id] == amount]
    if exact:
        return Fit((exact[0],), "exact", len(exact))
    run = _oldest_run(amount, unpaid, owed)
    if run:
        return Fit(run, "run", 1)
    closest: list[OpenInvoice] = []
    best = tolerance + 1
    for invoice in unpaid:
        gap = abs(owed[invoice.invoice_id] - amount)
        if gap < best:
            best, closest = gap, [invoice]
        elif gap == best:
            closest.append(invoice)
    return Fit((closest[0],), "close", len(closest)) if closest else None


def _oldest_run(
    amount: Cents, unpaid: Sequence[OpenInvoice], owed: Mapping[int, Cents]
) -> tuple[OpenInvoice, ...]:
    """The first window of two or more consecutive invoices summing to ``amount`` (all owe
    more than 0, so the window that ends first is also the one that starts first)."""
    low, total = 0, 0
    for high, invoice in enumerate(unpaid):
        total += owed[invoice.invoice_id]
        while total > amount:
            total -= owed[unpaid[low].invoice_id]
            low += 1
        if total == amount and high > low:
            return tuple(unpaid[low : high + 1])
    return ()


def by_payer(
    amount: Cents, fit: Fit, owed: Mapping[int, Cents], tolerance: Cents, confidence: int
) -> Verdict:
    """A suggestion, never a match: nothing the payer wrote names the invoices."""
    allocations, surplus, remaining = spread(amount, fit.invoices, owed)
    if fit.how == "exact":
        says = f"{format_eur(amount)} is what invoice {fit.invoices[0].number} owes"
    elif fit.how == "run":
        confidence -= 10
        numbers = _numbers(fit.invoices)
        says = f"{format_eur(amount)} is what the consecutive open invoices {numbers} owe"
    else:
        confidence -= 10
        due = owed[fit.invoices[0].invoice_id]
        says = (
            f"{format_eur(amount)} is within the {format_eur(tolerance)} tolerance of the "
            f"{format_eur(due)} that invoice {fit.invoices[0].number} owes"
        )
    if fit.equally_good > 1:
        confidence -= 30
        says += (
            f" (as do {fit.equally_good - 1} more of the client's invoices: the oldest is proposed)"
        )
    return Verdict("suggested", confidence, allocations, surplus, remaining, says)
