"""Keyword-default factories for bank lines and statement headers (tests only)."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Any

from domain.banking.statement import Balance, BankLine, StatementError, StatementHeader

OUR_IBAN = "DE89370400440532013000"


def bank_line(**overrides: Any) -> BankLine:
    values: dict[str, Any] = {
        "account_iban": OUR_IBAN,
        "currency": "EUR",
        "direction": "credit",
        "amount_cents": 10_000,
        "booking_date": date(2026, 12, 5),
        "value_date": date(2026, 12, 5),
        "account_servicer_ref": "",
        "entry_ref": "",
        "end_to_end_id": "",
        "structured_refs": (),
        "unstructured": "",
        "counterparty_name": "ACME GmbH",
        "counterparty_iban": "DE02120300000000202051",
        "bank_code": "PMNT/RCDT/ESCT",
        "return_reason": "",
        "batch_index": 0,
    }
    values.update(overrides)
    return BankLine(**values)


def header(
    lines: list[BankLine], *, kind: str = "camt.053", statement_id: str = "STMT-1", opening: int = 0
) -> StatementHeader:
    moved = sum(ln.amount_cents if ln.direction == "credit" else -ln.amount_cents for ln in lines)
    closing = Balance(opening + moved, date(2026, 12, 5)) if kind == "camt.053" else None
    return StatementHeader(
        kind=kind,  # type: ignore[arg-type]
        version="001.08",
        message_id=f"MSG-{statement_id}",
        statement_id=statement_id,
        account_iban=OUR_IBAN,
        currency="EUR",
        created_at=datetime(2026, 12, 5, 18, 0, tzinfo=UTC),
        sequence="1",
        opening=Balance(opening, date(2026, 12, 4)) if kind == "camt.053" else None,
        closing=closing,
    )


@dataclass
class ListSource:
    """A StatementSource over lines in memory; ``fail_after`` raises as a malformed file would,
    after that many lines were read."""

    head: StatementHeader
    items: list[BankLine]
    fail_after: int | None = None
    read: list[BankLine] = field(default_factory=list)

    @property
    def header(self) -> StatementHeader:
        return self.head

    def lines(self) -> Iterator[BankLine]:
        for i, line in enumerate(self.items):
            if self.fail_after is not None and i == self.fail_after:
                raise StatementError("element 'Amt': not a valid amount", line=4711)
            self.read.append(line)
            yield line
