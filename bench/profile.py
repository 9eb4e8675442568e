"""Where a lifecycle's time goes, read from the histories (the honest source: the server's own
clock on every step): per activity type, the mean wait for a worker (schedule-to-start) and the
mean run (start-to-close); per local activity type, schedule to completion (from its marker,
approximate); the workflow tasks' wait and run, and how many ran longer than
``SLOW_TASK_SECONDS``."""

from __future__ import annotations

import json
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime

from temporalio.api.history.v1 import HistoryEvent
from temporalio.client import Client

SLOW_TASK_SECONDS = 1.0
WORKFLOW_TASK = "(workflow task)"


@dataclass
class Timing:
    count: int = 0
    wait: float = 0.0  # seconds, summed: scheduled → started
    run: float = 0.0  # seconds, summed: started → completed

    def add(self, wait: float, run: float) -> None:
        self.count += 1
        self.wait += wait
        self.run += run


def _seconds(value: object) -> datetime | None:
    """A marker's timestamp: ``{"seconds": s, "nanos": n}`` or an RFC 3339 string."""
    if isinstance(value, dict):
        return datetime.fromtimestamp(int(value["seconds"]) + int(value.get("nanos", 0)) / 1e9)
    if isinstance(value, str):
        return datetime.fromisoformat(value.replace("Z", "+00:00")).replace(tzinfo=None)
    return None


def _local_activity(event: HistoryEvent) -> tuple[str, float] | None:
    marker = event.marker_recorded_event_attributes
    payloads = marker.details.get("data")
    if payloads is None or not payloads.payloads:
        return None
    data = json.loads(payloads.payloads[0].data)
    scheduled = _seconds(data.get("original_schedule_time"))
    completed = _seconds(data.get("complete_time"))
    if scheduled is None or completed is None:
        return None
    # The marker's times are the worker's clock against the workflow task's: near zero, they can
    # come out a little negative; counted as zero.
    took = max(0.0, (completed - scheduled).total_seconds())
    return f"local: {data.get('activity_type', '?')}", took


@dataclass
class Profile:
    timings: dict[str, Timing] = field(default_factory=lambda: defaultdict(Timing))
    slow_tasks: int = 0  # workflow tasks that ran longer than SLOW_TASK_SECONDS

    async def add_history(self, client: Client, workflow_id: str) -> None:
        scheduled: dict[int, tuple[str, datetime]] = {}  # event id → (activity type, time)
        started: dict[int, datetime] = {}  # scheduled event id → started time
        task_scheduled: datetime | None = None
        task_started: datetime | None = None
        async for event in client.get_workflow_handle(workflow_id).fetch_history_events():
            at = event.event_time.ToDatetime()
            if event.HasField("activity_task_scheduled_event_attributes"):
                name = event.activity_task_scheduled_event_attributes.activity_type.name
                scheduled[event.event_id] = (name, at)
            elif event.HasField("activity_task_started_event_attributes"):
                started[event.activity_task_started_event_attributes.scheduled_event_id] = at
            elif event.HasField("activity_task_completed_event_attributes"):
                sched_id = event.activity_task_completed_event_attributes.scheduled_event_id
                name, when = scheduled[sched_id]
                start = started.get(sched_id, when)
                self.timings[name].add((start - when).total_seconds(), (at - start).total_seconds())
            elif event.HasField("marker_recorded_event_attributes"):
                local = _local_activity(event)
                if local:
                    self.timings[local[0]].add(0.0, local[1])
            elif event.HasField("workflow_task_scheduled_event_attributes"):
                task_scheduled = at
            elif event.HasField("workflow_task_started_event_attributes"):
                task_started = at
            elif event.HasField("workflow_task_completed_event_attributes") and task_started:
                run = (at - task_started).total_seconds()
                wait = (task_started - (task_scheduled or task_started)).total_seconds()
                self.timings[WORKFLOW_TASK].add(wait, run)
                self.slow_tasks += run > SLOW_TASK_SECONDS
                task_started = None

    def lines(self, lifecycles: int, top: int = 8) -> list[str]:
        """The costliest steps per lifecycle (wait + run, in ms), with their mean wait/run."""
        ranked = sorted(self.timings.items(), key=lambda kv: -(kv[1].wait + kv[1].run))
        out = [
            f"  {'step':<34} {'per lifecycle':>13} {'count':>7} {'mean wait':>10} {'mean run':>9}"
        ]
        for name, t in ranked[:top]:
            per = (t.wait + t.run) / max(lifecycles, 1) * 1000
            out.append(
                f"  {name[:34]:<34} {per:10.0f} ms {t.count:7d} "
                f"{t.wait / t.count * 1000:7.0f} ms {t.run / t.count * 1000:6.0f} ms"
            )
        return out
