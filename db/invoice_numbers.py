"""Gapless invoice and credit-note numbers per series (jurisdiction, year).

The number is taken by ``UPDATE … SET last_number = last_number + 1 … RETURNING`` inside the
transaction that inserts the invoice: PostgreSQL holds the row lock until commit and SQLite
serialises writers, so concurrent issuers queue, a rolled-back transaction gives its number back,
and no number is skipped or used twice.
"""

from __future__ import annotations

from sqlalchemy import insert, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from db.models import InvoiceSeries
from db.models_credit_notes import CreditNoteSeries


async def take_next_number(
    session: AsyncSession,
    jurisdiction: str,
    year: int,
    series: type[InvoiceSeries] | type[CreditNoteSeries] = InvoiceSeries,
) -> int:
    """The next number of the series (invoices by default, or credit notes)."""
    statement = (
        update(series)
        .where(series.jurisdiction == jurisdiction, series.year == year)
        .values(last_number=series.last_number + 1)
        .returning(series.last_number)
    )
    number = await session.scalar(statement)
    if number is not None:
        return int(number)
    try:
        async with session.begin_nested():
            await session.execute(
                insert(series).values(jurisdiction=jurisdiction, year=year, last_number=0)
            )
    except IntegrityError:
        pass  # another transaction opened the series first
    number = await session.scalar(statement)
    assert number is not None
    return int(number)


def format_invoice_number(jurisdiction: str, year: int, sequence: int) -> str:
    return f"{jurisdiction}-{year}-{sequence:06d}"


def format_credit_note_number(jurisdiction: str, year: int, sequence: int) -> str:
    return f"CN-{jurisdiction}-{year}-{sequence:06d}"
