"""The pay page's amount settles the invoice today: principal and charges as the order last
said, plus the interest not yet charged up to today (collection rules 2)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal

import httpx
from sqlalchemy import update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from api.services.pay_links import amount_due
from db.models import Invoice, Order
from domain.late_interest import annual_rate, half_year_of
from domain.money import round_cents
from tests.api.api_helpers import completed_order
from tests.api.api_rows import insert_invoice


async def test_the_amount_due_includes_interest_to_the_day(
    api: httpx.AsyncClient, session_factory: async_sessionmaker[AsyncSession]
) -> None:
    _, order = await completed_order(api)
    invoice_id = await insert_invoice(session_factory, order)
    today = datetime.now(UTC).date()
    runs_from = today - timedelta(days=10)
    async with session_factory.begin() as session:
        invoice = await session.get_one(Invoice, invoice_id)
        principal = invoice.gross_cents - invoice.paid_cents
        await session.execute(
            update(Order)
            .where(Order.id == order["id"])
            .values(amount_due_cents=principal + 4000, interest_runs_from=None)
        )
    async with session_factory() as session:
        before = await amount_due(session, await session.get_one(Invoice, invoice_id))
    assert before == principal + 4000  # no interest running: principal and charges

    async with session_factory.begin() as session:
        await session.execute(
            update(Order)
            .where(Order.id == order["id"])
            .values(interest_runs_from=runs_from, interest_accrued_cents=1125)
        )
    async with session_factory() as session:
        due = await amount_due(session, await session.get_one(Invoice, invoice_id))
    rate = annual_rate("DE", True, today).rate  # the test client is a German business
    days = round_cents(Decimal(principal) * rate * 10 / 365)
    expected = principal + 4000 + 1125 + days
    if runs_from < half_year_of(today):  # the ten days span two half-years' rates
        assert abs(due - expected) <= round_cents(Decimal(principal) * 10 / 365 * 5 / 100)
    else:
        assert due == expected
