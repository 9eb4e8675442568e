"""A payout run: the wages queued before one cut-off, handed to the bank as one pain.001 batch.

Started by the first payout of its cut-off (``queue_payout`` signals-with-start it), it collects
``add_payout`` signals, sleeps until the cut-off, cuts the batch (one activity: the file, the
payouts marked sent, the wage postings) and tells each order (``payout_sent``). A payout that
arrives while the batch is being cut goes into a second part of the same run, so none waits for
the next day. Its summary names the run, its current details count the payouts and the total.
"""

from __future__ import annotations

from datetime import UTC, timedelta

from temporalio import workflow
from temporalio.common import RetryPolicy
from temporalio.exceptions import FailureError

with workflow.unsafe.imports_passed_through():
    from domain import payout_runs as runs
    from domain.money import format_eur
    from domain.order_contract import PAYOUT_SENT

_RETRY = RetryPolicy(
    initial_interval=timedelta(seconds=1),
    maximum_interval=timedelta(minutes=5),
    non_retryable_error_types=["PermanentError"],
)
_BEAT = timedelta(seconds=30)


@workflow.defn(name=runs.WORKFLOW_TYPE)
class PayoutRunWorkflow:
    def __init__(self) -> None:
        self._queued: dict[str, runs.QueuedPayout] = {}
        self._cut: set[str] = set()

    @workflow.signal(name=runs.ADD_PAYOUT)
    def add_payout(self, payout: runs.QueuedPayout) -> None:
        self._queued.setdefault(payout.payout_key, payout)

    @workflow.query
    def payouts(self) -> list[str]:
        return sorted(self._queued)

    @workflow.run
    async def run(self, run: runs.PayoutRunInput) -> int:
        cutoff = run.cutoff if run.cutoff.tzinfo else run.cutoff.replace(tzinfo=UTC)
        wait = cutoff - workflow.now()
        workflow.set_current_details(f"**Cut-off** {run.cutoff:%Y-%m-%d %H:%M} UTC")
        if wait > timedelta(0):
            await workflow.sleep(wait, summary=f"until the cut-off {run.cutoff:%H:%M} UTC")
        sent = 0
        total = 0
        while waiting := sorted(set(self._queued) - self._cut):
            self._cut.update(waiting)
            result: runs.CutResult = await workflow.execute_activity(
                runs.CUT_PAYOUT_RUN,
                runs.CutRequest(run_key=run.run_key, payout_keys=tuple(waiting)),
                start_to_close_timeout=timedelta(minutes=10),
                # A worker lost mid-cut is seen this soon, not after the ten minutes (the step
                # heartbeats; replay does not compare timeouts): seen in chaos.kill_worker.
                heartbeat_timeout=_BEAT,
                retry_policy=_RETRY,
                summary=f"pain.001 batch of {len(waiting)} payouts",
                result_type=runs.CutResult,
            )
            total += result.total_cents
            for payout in result.sent:
                order = self._queued[payout.payout_key]
                handle = workflow.get_external_workflow_handle(order.workflow_id)
                try:
                    await handle.signal(PAYOUT_SENT, payout)
                except FailureError as err:  # the order's workflow has ended meanwhile
                    workflow.logger.warning("%s not told: %s", order.workflow_id, err)
                sent += 1
            workflow.set_current_details(
                f"**Sent** {sent} payouts, {format_eur(total)}\n\n"
                f"Batch `{result.message_id}` · cut-off {run.cutoff:%Y-%m-%d %H:%M} UTC"
            )
        return sent
