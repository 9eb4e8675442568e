"""The order workflow under the collection rules of 2026: interest to the day of payment is a
document of its own; when only charges are left, one final statement (no new fees), and a
remainder below the threshold is waived and booked as such."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from db import ledger
from db.models import DunningDocument, Invoice, LedgerEntry
from domain.order_status import OrderStatus
from tests.workflows.conftest import Lifecycle
from tests.workflows.test_order_lifecycle import GROSS, assert_books_balance, pay, sign_and_complete
from workflows.order import OrderLifecycleWorkflow


async def _documents(lifecycle: Lifecycle, order_id: int) -> list[DunningDocument]:
    async with lifecycle.sessions() as session:
        return list(
            await session.scalars(
                select(DunningDocument)
                .join(Invoice)
                .where(Invoice.order_id == order_id)
                .order_by(DunningDocument.id)
            )
        )


async def test_the_principal_alone_leaves_charges_for_one_final_statement(
    lifecycle: Lifecycle,
) -> None:
    handle, inp = await lifecycle.start()
    await sign_and_complete(lifecycle, handle, inp)
    await lifecycle.env.sleep(timedelta(days=30 + 7, hours=2))
    first = await lifecycle.wait_for(handle, lambda v: v.dunning_level == 1, "first reminder")
    paid_on = first.business_today + timedelta(days=6)
    await lifecycle.env.sleep(timedelta(days=6))
    await handle.signal(OrderLifecycleWorkflow.payment_received, pay("principal", GROSS, paid_on))
    final = await lifecycle.wait_for(
        handle, lambda v: v.dunning_level == 2 and v.principal_due_cents == 0, "final statement"
    )
    docs = await _documents(lifecycle, inp.order_id)
    assert [(d.kind, d.level) for d in docs] == [("reminder", 1), ("interest", 0), ("reminder", 2)]
    reminder, interest, statement = docs
    assert (reminder.interest_cents, reminder.flat_compensation_cents) == (1125, 4000)
    # Days 8 to 13 after the due date, up to the payment: 571200 × 10.27 % × 6 / 365 = 964.3.
    assert interest.interest_cents == 964
    assert interest.number.endswith("-I1")
    assert statement.name == "Abrechnung der Verzugskosten"
    assert (statement.fee_cents, statement.flat_compensation_cents, statement.interest_cents) == (
        0,
        0,
        0,
    )
    assert final.charges_due_cents == 1125 + 4000 + 964
    assert final.status == OrderStatus.OVERDUE

    await handle.signal(
        OrderLifecycleWorkflow.payment_received,
        pay("charges", final.charges_due_cents, final.business_today),
    )
    summary = await handle.result()
    await lifecycle.save_history(handle, "final_statement_of_charges")
    assert summary.status == OrderStatus.CLOSED
    assert summary.charges_cents == 1125 + 4000 + 964
    balances = await assert_books_balance(lifecycle, inp.order_id)
    assert balances.get("dunning_receivable", 0) == 0


async def test_a_few_cents_of_interest_left_are_waived_and_booked(lifecycle: Lifecycle) -> None:
    handle, inp = await lifecycle.start()
    await sign_and_complete(lifecycle, handle, inp)
    await lifecycle.env.sleep(timedelta(days=30 + 7, hours=2))
    first = await lifecycle.wait_for(handle, lambda v: v.dunning_level == 1, "first reminder")
    # Principal and the reminder's charges, two days later: 2 days of interest (€3.21) stay.
    paid_on = first.business_today + timedelta(days=2)
    await lifecycle.env.sleep(timedelta(days=2))
    await handle.signal(
        OrderLifecycleWorkflow.payment_received,
        pay("most", GROSS + first.charges_due_cents, paid_on),
    )
    summary = await handle.result()
    await lifecycle.save_history(handle, "small_charges_waived")
    assert summary.status == OrderStatus.CLOSED
    assert summary.dunning_level == 1  # no statement for €3.21
    assert summary.outcome == "paid after 1 reminder(s); €3.21 of charges waived"
    async with lifecycle.sessions() as session:
        keys = list(
            await session.scalars(
                select(LedgerEntry.entry_key).where(LedgerEntry.order_id == inp.order_id)
            )
        )
        balances = await ledger.balances(session, order_id=inp.order_id)
    assert any(k.endswith(":charges-waived") for k in keys)
    assert balances.get("dunning_receivable", 0) == 0
    assert -balances["dunning_income"] == 1125 + 4000  # 321 charged, then 321 waived
    await assert_books_balance(lifecycle, inp.order_id)
