"""Finance records the client's promise to pay: the order stops chasing until the promised
day; paid by then, it closes; not paid, it is back on finance's desk as a new case."""

from __future__ import annotations

from datetime import timedelta

import pytest
from temporalio.client import WorkflowUpdateFailedError

from domain.order_messages import FinanceDecision, OrderView
from domain.order_status import OrderStatus
from tests.workflows.conftest import Lifecycle
from tests.workflows.test_order_lifecycle import pay, sign_and_complete
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
