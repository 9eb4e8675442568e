"""A client more than two months overdue on an invoice is blocked: new orders need prepayment."""

from __future__ import annotations

from datetime import date, timedelta

from api.services.orders import client_is_blocked
from db.models import Invoice
from tests.factories import create_client, create_member, create_order

TODAY = date(2026, 6, 15)


async def _invoice(sessions, order, *, due: date, status: str = "open") -> None:  # type: ignore[no-untyped-def]
    async with sessions.begin() as session:
        session.add(
            Invoice(
                order_id=order.id,
                number=f"DE-2026-{order.id:06d}",
                jurisdiction="DE",
                year=2026,
                sequence=order.id,
                issue_date=due - timedelta(days=30),
                due_date=due,
                net_cents=100_000,
                vat_rate="0.19",
                vat_cents=19_000,
                gross_cents=119_000,
                vat_treatment="domestic",
                creditor_reference=f"RF-{order.id}",
                client_name="ACME",
                description="x",
                period_start=due,
                period_end=due,
                status=status,
            )
        )


async def test_client_blocked_after_two_months_overdue(session_factory) -> None:  # type: ignore[no-untyped-def]
    member = await create_member(session_factory)
    late_client = await create_client(session_factory, member)
    good_client = await create_client(session_factory, member, name="Good GmbH")
    late = await create_order(session_factory, member, late_client, today=TODAY)
    paid = await create_order(session_factory, member, good_client, today=TODAY)
    recent = await create_order(session_factory, member, good_client, today=TODAY)
    await _invoice(session_factory, late, due=date(2026, 4, 14))  # 2 months + 1 day
    await _invoice(session_factory, paid, due=date(2026, 1, 1), status="paid")
    await _invoice(session_factory, recent, due=date(2026, 4, 15))  # exactly 2 months

    async with session_factory() as session:
        assert await client_is_blocked(session, late_client.id, TODAY)
        assert not await client_is_blocked(session, good_client.id, TODAY)
