"""Bank lines and invoices with keyword defaults: a test says only what matters to it."""

from __future__ import annotations

import itertools
from datetime import date
from typing import Any, Literal

from db.invoice_numbers import format_invoice_number
from domain.banking.matching import (
    DEFAULT_POLICY,
    KnownPayout,
    Matcher,
    MatchingPolicy,
    OpenInvoice,
)
from domain.banking.statement import BankLine
from domain.references import creditor_reference

OUR_IBAN = "DE02120300000000202051"
ACME_IBAN = "DE89370400440532013000"
_bank_refs = itertools.count(1)


def bank_line(**overrides: Any) -> BankLine:
    """An incoming SEPA transfer of €150.00 with nothing said; each call a new transaction
    (its own bank reference), unless ``account_servicer_ref`` is given."""
    fields: dict[str, Any] = {
        "account_iban": OUR_IBAN,
        "currency": "EUR",
        "direction": "credit",
        "amount_cents": 15000,
        "booking_date": date(2026, 7, 1),
        "value_date": date(2026, 7, 1),
        "account_servicer_ref": f"ASR-{next(_bank_refs)}",
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
    fields.update(overrides)
    return BankLine(**fields)


def invoice(
    sequence: int,
    *,
    jurisdiction: Literal["DE", "BE"] = "DE",
    client_id: int = 1,
    owed: int = 15000,
    issued: date = date(2026, 3, 1),
    status: Literal["open", "paid", "cancelled"] = "open",
    invoice_id: int | None = None,
    reference: str | None = None,
) -> OpenInvoice:
    """Invoice ``sequence`` of series ``jurisdiction``/2026, its id 100 + sequence (BE: 200 +)."""
    if invoice_id is None:
        invoice_id = (100 if jurisdiction == "DE" else 200) + sequence
    return OpenInvoice(
        invoice_id=invoice_id,
        order_id=invoice_id + 1000,
        client_id=client_id,
        number=format_invoice_number(jurisdiction, 2026, sequence),
        creditor_reference=reference or creditor_reference(jurisdiction, 2026, sequence),
        outstanding_cents=0 if status == "paid" else owed,
        issue_date=issued,
        status=status,
    )


def ref(sequence: int, jurisdiction: Literal["DE", "BE"] = "DE") -> str:
    return creditor_reference(jurisdiction, 2026, sequence)


CLIENT_NAMES = {1: "ACME Consulting GmbH", 2: "Müller Bau GmbH & Co. KG", 3: "Dupont Frères SA"}


def matcher(
    *invoices: OpenInvoice,
    payouts: tuple[KnownPayout, ...] = (),
    ibans: dict[str, int] | None = None,
    names: dict[int, str] | None = None,
    policy: MatchingPolicy = DEFAULT_POLICY,
) -> Matcher:
    """A matcher over ``invoices``; ACME (client 1) has paid from ``ACME_IBAN`` before."""
    return Matcher(
        invoices,
        payouts,
        {ACME_IBAN: 1} if ibans is None else ibans,
        CLIENT_NAMES if names is None else names,
        policy,
    )
