"""The yardstick for ``bench/lifecycle.py``: a workflow that does nothing but the same number
of activities, local activities, timers, updates and signals as one order lifecycle.

``python -m bench.minimal_workflow ADDRESS TASK_QUEUE`` runs its worker in a process of its own,
as the full system's workers run, with the same worker options (``worker.build_worker``'s)."""

from __future__ import annotations

import asyncio
import sys
from datetime import timedelta

from pydantic import BaseModel
from temporalio import activity, workflow


class MinimalSpec(BaseModel):
    activities: int
    local_activities: int
    timers: int
    timer_seconds: float
    updates: int
    signals: int


@activity.defn
async def noop(step: int) -> int:
    return step


@workflow.defn
class MinimalWorkflow:
    def __init__(self) -> None:
        self._updates = 0
        self._signals = 0

    @workflow.update
    async def poke(self) -> int:
        self._updates += 1
        return self._updates

    @workflow.signal
    def nudge(self) -> None:
        self._signals += 1

    @workflow.run
    async def run(self, spec: MinimalSpec) -> int:
        await workflow.wait_condition(
            lambda: self._updates >= spec.updates and self._signals >= spec.signals
        )
        for i in range(spec.local_activities):
            await workflow.execute_local_activity(
                noop, i, start_to_close_timeout=timedelta(seconds=30)
            )
        timers = [workflow.sleep(timedelta(seconds=spec.timer_seconds)) for _ in range(spec.timers)]
        for i in range(spec.activities):
            await workflow.execute_activity(noop, i, start_to_close_timeout=timedelta(seconds=30))
        await asyncio.gather(*timers)
        return spec.activities + spec.local_activities + spec.timers


async def serve(address: str, task_queue: str) -> None:
    from temporalio.worker import Worker

    from adapters.temporal_client import connect
    from worker import WORKER_TUNING

    client = await connect(address)
    worker = Worker(
        client,
        task_queue=task_queue,
        workflows=[MinimalWorkflow],
        activities=[noop],
        **WORKER_TUNING,
    )
    await worker.run()


if __name__ == "__main__":
    asyncio.run(serve(sys.argv[1], sys.argv[2]))
