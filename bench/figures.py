"""What the benches read of a run: a lifecycle's history (its commands, counted), the
latencies and the lifecycles that did not close (where the time goes: ``bench.profile``); and
the database they migrate first."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from temporalio.client import Client


@dataclass
class Counts:
    activities: int = 0
    local_activities: int = 0
    timers: int = 0
    updates: int = 0
    signals: int = 0
    events: int = 0


async def count_history(client: Client, workflow_id: str) -> Counts:
    counts = Counts()
    async for event in client.get_workflow_handle(workflow_id).fetch_history_events():
        counts.events += 1
        if event.HasField("activity_task_scheduled_event_attributes"):
            counts.activities += 1
        elif event.HasField("marker_recorded_event_attributes"):
            counts.local_activities += 1
        elif event.HasField("timer_started_event_attributes"):
            counts.timers += 1
        elif event.HasField("workflow_execution_update_accepted_event_attributes"):
            counts.updates += 1
        elif event.HasField("workflow_execution_signaled_event_attributes"):
            counts.signals += 1
    return counts


@dataclass
class Report:
    latencies: list[float] = field(default_factory=list)  # seconds, create to close
    unfinished: list[str] = field(default_factory=list)  # where each stuck lifecycle stands
    failed: list[str] = field(default_factory=list)  # errors of the bench's own requests

    def percentile(self, p: float) -> float:
        ordered = sorted(self.latencies)
        return ordered[min(len(ordered) - 1, int(p * len(ordered)))] if ordered else 0.0


def migrate(url: str) -> None:
    from alembic import command
    from alembic.config import Config

    cfg = Config(toml_file=str(Path(__file__).resolve().parent.parent / "pyproject.toml"))
    cfg.attributes["url"] = url
    command.upgrade(cfg, "heads")
