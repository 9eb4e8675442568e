"""One status per branch: a refused step in one branch keeps the order findable as
NeedsAttention whatever the other branch does meanwhile, and once ops retry, the order shows
where both branches stand now, never the status it had before the refusal."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select, update

from db.models import DunningDocument, Invoice, Member, Order, Payout
from domain.order_status import OrderStatus
from tests.workflows.conftest import Lifecycle
from tests.workflows.test_order_lifecycle import GROSS, pay, sign_and_complete
from workflows import search_attributes as sa
from workflows.order import OrderLifecycleWorkflow


async def _set_member_iban(lc: Lifecycle, order_id: int, iban: str) -> None:
    async with lc.sessions.begin() as session:
        member_id = await session.scalar(select(Order.member_id).where(Order.id == order_id))
        await session.execute(update(Member).where(Member.id == member_id).values(iban=iban))


async def _status_attribute(handle) -> str | None:  # type: ignore[no-untyped-def]
    described = await handle.describe()
    return described.typed_search_attributes.get(sa.ORDER_STATUS)


async def test_a_refused_payout_and_a_reminder_at_once_keep_the_order_waiting_for_ops(
    lifecycle: Lifecycle,
) -> None:
    # Due at completion: the first reminder falls on the wage day (7 days after the due date).
    handle, inp = await lifecycle.start(payment_terms_days=0)
    await _set_member_iban(lifecycle, inp.order_id, "DE00370400440532013000")  # bad check digits
    await sign_and_complete(lifecycle, handle, inp)

    await lifecycle.env.sleep(timedelta(days=7, hours=2))
    blocked = await lifecycle.wait_for(
        handle,
        lambda v: v.status == OrderStatus.NEEDS_ATTENTION and v.dunning_level == 1,
        "the refused payout and the first reminder",
    )
    assert "Pay out" in blocked.waiting_for
    assert "refused" in blocked.waiting_for
    assert await _status_attribute(handle) == "NeedsAttention"
    async with lifecycle.sessions() as session:
        reminders = await session.scalar(
            select(DunningDocument.id).join(Invoice).where(Invoice.order_id == inp.order_id)
        )
        sent = await session.scalar(
            select(Payout.id).where(Payout.order_id == inp.order_id, Payout.status == "sent")
        )
        projected = await session.scalar(select(Order.status).where(Order.id == inp.order_id))
    assert reminders is not None  # the collection went on while the wage waits for ops
    assert sent is None
    assert projected == "NeedsAttention"

    # The collection moves on (the next reminder): the order stays findable for ops.
    await lifecycle.env.sleep(timedelta(days=14, hours=1))
    still = await lifecycle.wait_for(handle, lambda v: v.dunning_level == 2, "second reminder")
    assert still.status == OrderStatus.NEEDS_ATTENTION
    assert await _status_attribute(handle) == "NeedsAttention"

    await _set_member_iban(lifecycle, inp.order_id, "DE89370400440532013000")
    await handle.signal(OrderLifecycleWorkflow.retry_step)
    resumed = await lifecycle.wait_for(handle, lambda v: v.wage_paid, "the payout after retry")
    # Where the collection stands now (overdue after two reminders), not the status the order
    # had when the payout was refused.
    assert resumed.status == OrderStatus.OVERDUE
    assert "refused" not in resumed.waiting_for
    assert await _status_attribute(handle) == "Overdue"

    await handle.signal(
        OrderLifecycleWorkflow.payment_received,
        pay("late", GROSS + resumed.charges_due_cents, resumed.business_today),
    )
    summary = await handle.result()
    await lifecycle.save_history(handle, "payout_refused_while_dunning")
    assert summary.status == OrderStatus.CLOSED
    assert await _status_attribute(handle) == "Closed"
