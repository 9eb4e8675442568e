"""Two statements reconciled at the same moment (a notification and its statement arriving
together, two accounts) each see what the other already put on invoices: a client paying one
invoice twice gives one match and one duplicate, never two matches."""

from __future__ import annotations

import asyncio
from datetime import date

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from activities.reconciliation import ReconciliationActivities
from db.bank_statements import store_from
from db.models import Invoice, Order
from db.models_banking import BankTransaction
from domain.banking import reconciliation_steps as steps
from domain.references import creditor_reference
from tests.factories import create_client, create_member, create_order
from tests.reconciliation.lines import ListSource, bank_line, header


async def test_one_invoice_paid_in_two_statements_at_once_is_matched_once(
    session_factory: async_sessionmaker[AsyncSession],
) -> None:
    member = await create_member(session_factory)
    client = await create_client(session_factory, member)
    order = await create_order(
        session_factory, member, client, today=date(2026, 11, 2), status="Invoiced"
    )
    reference = creditor_reference("DE", 2026, 77)
    async with session_factory.begin() as session:
        session.add(
            Invoice(
                order_id=order.id, number="DE-2026-000077", jurisdiction="DE", year=2026,
                sequence=77, issue_date=date(2026, 11, 5), due_date=date(2026, 12, 5),
                net_cents=50_000, vat_rate="0", vat_cents=0, gross_cents=50_000,
                vat_treatment="domestic", creditor_reference=reference, client_name=client.name,
                description="x", period_start=date(2026, 11, 2), period_end=date(2026, 11, 3),
            )
        )  # fmt: skip
        (await session.get_one(Order, order.id)).amount_due_cents = 50_000
    statements = []
    for n in (1, 2):
        line = bank_line(
            amount_cents=50_000, structured_refs=(reference,), account_servicer_ref=f"C{n}"
        )
        async with session_factory.begin() as session:
            statements.append(
                await store_from(
                    session,
                    ListSource(header([line], statement_id=f"S{n}"), [line]),  # type: ignore[arg-type]
                    origin="test",
                )
            )
    activities = ReconciliationActivities(session_factory, client=None)  # type: ignore[arg-type]
    await asyncio.gather(
        *(activities.match_statement(steps.ReconcileInput(statement_id=s.id)) for s in statements)
    )
    async with session_factory() as session:
        kinds = sorted(await session.scalars(select(BankTransaction.status)))
    assert kinds == ["duplicate", "matched"]
