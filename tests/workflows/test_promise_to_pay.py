"""Finance records the client's promise to pay: the order stops chasing until the promised
day; paid by then, it closes; not paid, it is back on finance's desk as a new case."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select
from temporalio.client import WorkflowUpdateFailedError

from db.models import FinanceCase, LedgerEntry
from domain.money import format_eur
from domain.order_messages import FinanceDecision, OrderView
from domain.order_status import OrderStatus
from tests.workflows.conftest import Lifecycle
from tests.workflows.test_order_lifecycle import assert_books_balance, pay, sign_and_complete
from workflows.order import OrderLifecycleWorkflow

ESCALATION = timedelta(days=30 + 7 + 14 + 14 + 14 + 14, hours=2)


async def _escalated(lifecycle: Lifecycle):  # type: ignore[no-untyped-def]
    handle, inp = await lifecycle.start()
    await sign_and_complete(lifecycle, handle, inp)
    await lifecycle.env.sleep(ESCALATION)
    view = await lifecycle.wait_for(handle, lambda v: v.escalated, "escalation")
    return handle, view


async def _promise(handle, view: OrderView, days: int) -> OrderView:  # type: ignore[no-untyped-def]
    return await handle.execute_update(
        OrderLifecycleWorkflow.decide,
        FinanceDecision(
            kind="promise_to_pay",
            decided_by="fin",
            note="client phoned: pays on the 10th",
            promised_on=view.business_today + timedelta(days=days),
        ),
        result_type=OrderView,
    )


async def test_a_kept_promise_closes_the_order(lifecycle: Lifecycle) -> None:
    handle, view = await _escalated(lifecycle)
    with pytest.raises(WorkflowUpdateFailedError):
        await _promise(handle, view, 0)  # the promised day must lie ahead
    with pytest.raises(WorkflowUpdateFailedError):
        await _promise(handle, view, 61)  # longer: agree instalments
    promised = await _promise(handle, view, 10)
    assert promised.status == OrderStatus.PAYMENT_PLAN
    assert not promised.escalated
    assert "promised payment of" in promised.waiting_for
    await lifecycle.env.sleep(timedelta(days=5))
    now = await lifecycle.wait_for(handle, lambda v: True, "the view")
    assert now.dunning_level == view.dunning_level  # no reminder while the promise runs
    await handle.signal(
        OrderLifecycleWorkflow.payment_received,
        pay("kept", now.settlement_cents, now.business_today),
    )
    summary = await handle.result()
    assert summary.status == OrderStatus.CLOSED


async def test_a_broken_promise_goes_back_to_finance(lifecycle: Lifecycle) -> None:
    handle, view = await _escalated(lifecycle)
    await _promise(handle, view, 10)
    await lifecycle.env.sleep(timedelta(days=11, hours=2))
    back = await lifecycle.wait_for(handle, lambda v: v.escalated, "back on the desk")
    assert back.status == OrderStatus.ESCALATED
    await handle.execute_update(
        OrderLifecycleWorkflow.decide,
        FinanceDecision(kind="write_off", decided_by="fin", note="promise broken"),
        result_type=OrderView,
    )
    summary = await handle.result()
    assert summary.status == OrderStatus.CLOSED
    assert summary.written_off_cents > 0


async def test_a_promise_with_the_charges_waived_is_kept_by_paying_the_principal(
    lifecycle: Lifecycle,
) -> None:
    handle, view = await _escalated(lifecycle)
    assert view.charges_due_cents > 0
    assert view.interest_to_date_cents > 0
    with pytest.raises(WorkflowUpdateFailedError):  # a write-off covers the charges already
        await handle.execute_update(
            OrderLifecycleWorkflow.decide,
            {"kind": "write_off", "decided_by": "fin", "waive_charges": True},
            result_type=OrderView,
        )
    promised = await handle.execute_update(
        OrderLifecycleWorkflow.decide,
        FinanceDecision(
            kind="promise_to_pay",
            decided_by="fin",
            note="pays the invoice if we drop the charges",
            promised_on=view.business_today + timedelta(days=20),
            waive_charges=True,
        ),
        result_type=OrderView,
    )
    assert promised.status == OrderStatus.PAYMENT_PLAN
    assert (promised.charges_due_cents, promised.interest_to_date_cents) == (0, 0)
    assert promised.principal_due_cents == view.principal_due_cents
    await lifecycle.env.sleep(timedelta(days=15))
    later = await lifecycle.wait_for(handle, lambda v: True, "the view")
    assert later.interest_to_date_cents == 0  # no interest runs once finance waived it
    await handle.signal(
        OrderLifecycleWorkflow.payment_received,
        pay("principal", view.principal_due_cents, later.business_today),
    )
    summary = await handle.result()
    await lifecycle.save_history(handle, "promise_with_charges_waived")
    assert summary.status == OrderStatus.CLOSED
    assert f"{format_eur(view.charges_due_cents)} of charges waived" in summary.outcome
    async with lifecycle.sessions() as session:
        keys = list(
            await session.scalars(
                select(LedgerEntry.entry_key).where(LedgerEntry.order_id == summary.order_id)
            )
        )
        case = await session.scalar(
            select(FinanceCase).where(FinanceCase.order_id == summary.order_id)
        )
    assert any(":charges-waived-case-" in k for k in keys)
    assert case is not None
    assert case.decision_note == (
        "charges and interest to date waived · pays the invoice if we drop the charges"
    )
    balances = await assert_books_balance(lifecycle, summary.order_id)
    assert balances.get("dunning_receivable", 0) == 0
