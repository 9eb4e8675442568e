"""Wages go to the bank in payout runs: orders whose wage day falls before the same cut-off
share one pain.001 batch; each order waits until its run handed the payout to the bank and
shows which run; a run cut again changes nothing."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, time, timedelta

from sqlalchemy import select

from adapters.banking.sepa import read_payout_file
from db import ledger
from db.models import Payout, PayoutRun
from domain import payout_runs as runs
from domain.order_status import OrderStatus
from tests.workflows.conftest import Lifecycle
from tests.workflows.test_order_lifecycle import GROSS, PAYOUT, pay, sign_and_complete
from workflows.order import OrderLifecycleWorkflow
from workflows.payout_run import PayoutRunWorkflow


async def test_two_wages_of_one_day_go_out_in_one_batch(lifecycle: Lifecycle) -> None:
    orders = [await lifecycle.start() for _ in range(2)]
    views = await asyncio.gather(*(sign_and_complete(lifecycle, h, i) for h, i in orders))
    for (handle, _), view in zip(orders, views, strict=True):
        await handle.signal(
            OrderLifecycleWorkflow.payment_received,
            pay(f"p-{view.order_id}", GROSS, view.business_today),
        )
    summaries = [await handle.result() for handle, _ in orders]
    assert [s.status for s in summaries] == [OrderStatus.CLOSED] * 2
    assert [s.payout_cents for s in summaries] == [PAYOUT] * 2

    async with lifecycle.sessions() as session:
        payouts = list(await session.scalars(select(Payout).order_by(Payout.id)))
        batches = list(await session.scalars(select(PayoutRun)))
    assert [p.status for p in payouts] == ["sent", "sent"]
    [batch] = batches
    assert {p.message_id for p in payouts} == {batch.message_id}
    assert (batch.payouts, batch.total_cents, batch.part) == (2, 2 * PAYOUT, 1)
    transfers = read_payout_file(batch.file_path)
    assert sorted(t["end_to_end_id"] for t in transfers) == sorted(p.payout_key for p in payouts)
    assert {t["message_id"] for t in transfers} == {batch.message_id}
    for handle, _ in orders:
        view = await handle.query(OrderLifecycleWorkflow.state)
        assert view.payout_run == batch.run_key
        assert view.wage_paid

    run = lifecycle.env.client.get_workflow_handle(runs.run_workflow_id(batch.run_key))
    assert await run.result() == 2
    assert sorted(await run.query(PayoutRunWorkflow.payouts)) == sorted(
        p.payout_key for p in payouts
    )
    await lifecycle.save_history(run, "payout_run_of_two")

    # The run's step again (a retried activity): nothing new is written or booked.
    again = await lifecycle.env.client.execute_workflow(
        PayoutRunWorkflow.run,
        runs.PayoutRunInput(run_key=batch.run_key, cutoff=datetime.now(UTC)),
        id=f"{runs.run_workflow_id(batch.run_key)}-again",
        task_queue=lifecycle.task_queue,
        start_signal=runs.ADD_PAYOUT,
        start_signal_args=[
            runs.QueuedPayout(
                payout_key=payouts[0].payout_key,
                order_id=payouts[0].order_id,
                amount_cents=payouts[0].amount_cents,
                workflow_id="order-gone",
            )
        ],
    )
    assert again == 1  # reported as sent (in the first batch), not paid again
    async with lifecycle.sessions() as session:
        assert len(list(await session.scalars(select(PayoutRun)))) == 1
    assert len(list(lifecycle.payout_dir.glob("*.xml"))) == 1


async def test_payment_while_the_advanced_wage_waits_for_its_run_repays_the_fund(
    lifecycle: Lifecycle,
) -> None:
    """The client pays after the wage was queued with an advance of the guarantee fund but
    before the run handed it to the bank (seen in chaos.kill_worker): the payment repays the
    advance, and the closed order owes the fund nothing."""
    handle, inp = await lifecycle.start()
    view = await sign_and_complete(lifecycle, handle, inp)
    # The wage is queued at the start of its day (00:00:01 UTC), the hourly run cut at 01:00.
    wage_queued = datetime.combine(view.business_today + timedelta(days=7), time(0, 0, 30), UTC)
    await lifecycle.env.sleep(wage_queued - await lifecycle.env.get_current_time())
    queued = await lifecycle.wait_for(
        handle, lambda v: v.payout_run is not None, "the wage queued for its run"
    )
    assert not queued.wage_paid  # the run's cut-off (hourly here) is still ahead
    await handle.signal(
        OrderLifecycleWorkflow.payment_received, pay("p-late", GROSS, queued.business_today)
    )
    await lifecycle.wait_for(handle, lambda v: v.principal_due_cents == 0, "payment applied")
    summary = await handle.result()
    await lifecycle.save_history(handle, "advance_repaid_before_the_run")
    assert summary.status == OrderStatus.CLOSED
    assert summary.advanced_by_guarantee_cents == PAYOUT
    async with lifecycle.sessions() as session:
        balances = await ledger.balances(session, order_id=inp.order_id)
    assert balances.get("guarantee_fund", 0) == 0  # advanced at the cut, repaid by the client
    assert balances.get("client_receivable", 0) == 0
    assert view.principal_due_cents == GROSS
