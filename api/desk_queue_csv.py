"""The finance queue as CSV: one row per case, amounts in cents and as shown on the desk.

Text a spreadsheet would run as a formula (``=``, ``+``, ``-``, ``@``, tab, CR at the start of
a name) is prefixed with ``'``: names and invoice numbers come from outside."""

from __future__ import annotations

import csv
import io
from collections.abc import AsyncIterator

from api.services.finance_queue import QueueRow
from domain.money import format_eur

HEADER = (
    "case_id",
    "kind",
    "status",
    "opened_on",
    "invoice_number",
    "jurisdiction",
    "member",
    "client",
    "due_date",
    "days_overdue",
    "dunning_level",
    "amount_due_cents",
    "amount_due",
    "interest_to_date_cents",
    "decision",
)
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def _text(value: str) -> str:
    return "'" + value if value.startswith(_FORMULA_START) else value


def _cells(row: QueueRow) -> list[str | int]:
    return [
        row.case_id,
        row.kind,
        row.status,
        row.opened_on.isoformat(),
        _text(row.invoice_number),
        row.jurisdiction,
        _text(row.member_name),
        _text(row.client_name),
        row.due_date.isoformat(),
        row.days_overdue,
        row.dunning_level,
        row.amount_due_cents,
        format_eur(row.amount_due_cents),
        row.interest_to_date_cents,
        row.decision or "",
    ]


async def queue_csv_text(rows: AsyncIterator[QueueRow]) -> str:
    out = io.StringIO()
    writer = csv.writer(out, quoting=csv.QUOTE_MINIMAL, lineterminator="\r\n")
    writer.writerow(HEADER)
    async for row in rows:
        writer.writerow(_cells(row))
    return out.getvalue()
