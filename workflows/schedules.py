"""The Temporal Schedules that start the periodic declarations.

``ensure_schedules(client, task_queue)`` creates them, or brings existing ones in line with
this file (spec, action, policy) while keeping their state: a schedule ops paused stays
paused. Run it at every deployment (the worker does at start); running it again changes
nothing.

- ``coopflow-de-monthly-declarations``: on the 5th of every month at 06:00 Europe/Berlin,
  the previous month (the Lohnsteuer-Anmeldung is due on the 10th).
- ``coopflow-be-quarterly-dmfa``: on the 10th of January, April, July and October at 06:00
  Europe/Berlin, the previous quarter (the DmfA is due at the end of that month).

- ``coopflow-bank-inbox``: every 15 minutes (``COOPFLOW_BANK_INBOX_EVERY_MINUTES``), the
  statement inbox (``workflows/reconciliation.py``).

Overlap SKIP: a run still waiting for ops (a refused step) is not joined by the next one.
The catch-up window lets a schedule missed while the cluster was down still run late, within
a time in which the declaration can still be made before its deadline.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta

from temporalio.client import (
    Client,
    Schedule,
    ScheduleActionStartWorkflow,
    ScheduleAlreadyRunningError,
    ScheduleCalendarSpec,
    ScheduleIntervalSpec,
    ScheduleOverlapPolicy,
    SchedulePolicy,
    ScheduleRange,
    ScheduleSpec,
    ScheduleUpdate,
    ScheduleUpdateInput,
)

from domain.declarations.steps import PeriodInput
from workflows.periodic_declarations import (
    PERIOD_TIME_ZONE,
    MonthlyDeclarationsWorkflow,
    QuarterlyDmfaWorkflow,
)
from workflows.reconciliation import BankInboxWorkflow

MONTHLY_SCHEDULE_ID = "coopflow-de-monthly-declarations"
QUARTERLY_SCHEDULE_ID = "coopflow-be-quarterly-dmfa"
BANK_INBOX_SCHEDULE_ID = "coopflow-bank-inbox"


@dataclass(frozen=True)
class ScheduleChange:
    schedule_id: str
    created: bool


def monthly_schedule(task_queue: str) -> Schedule:
    return Schedule(
        action=ScheduleActionStartWorkflow(
            MonthlyDeclarationsWorkflow.run,
            PeriodInput(),
            id="de-monthly-declarations",
            task_queue=task_queue,
            static_summary="DE monthly declarations: DEÜV, Beitragsnachweise, LStA",
            static_details="Declares the month before the scheduled time (Europe/Berlin).",
        ),
        spec=ScheduleSpec(
            calendars=[
                ScheduleCalendarSpec(
                    day_of_month=[ScheduleRange(5)],
                    hour=[ScheduleRange(6)],
                    comment="5th of every month, 06:00",
                )
            ],
            time_zone_name=PERIOD_TIME_ZONE,
        ),
        policy=SchedulePolicy(overlap=ScheduleOverlapPolicy.SKIP, catchup_window=timedelta(days=4)),
    )


def quarterly_schedule(task_queue: str) -> Schedule:
    return Schedule(
        action=ScheduleActionStartWorkflow(
            QuarterlyDmfaWorkflow.run,
            PeriodInput(),
            id="be-quarterly-dmfa",
            task_queue=task_queue,
            static_summary="BE quarterly DmfA",
            static_details="Declares the quarter before the scheduled time (Europe/Berlin).",
        ),
        spec=ScheduleSpec(
            calendars=[
                ScheduleCalendarSpec(
                    day_of_month=[ScheduleRange(10)],
                    month=[ScheduleRange(1), ScheduleRange(4), ScheduleRange(7), ScheduleRange(10)],
                    hour=[ScheduleRange(6)],
                    comment="10th of January, April, July, October, 06:00",
                )
            ],
            time_zone_name=PERIOD_TIME_ZONE,
        ),
        policy=SchedulePolicy(
            overlap=ScheduleOverlapPolicy.SKIP, catchup_window=timedelta(days=14)
        ),
    )


def bank_inbox_schedule(task_queue: str, every: timedelta) -> Schedule:
    return Schedule(
        action=ScheduleActionStartWorkflow(
            BankInboxWorkflow.run,
            id="bank-inbox",
            task_queue=task_queue,
            static_summary="Bank statement inbox",
            static_details="Imports the statements waiting in the inbox; one reconciliation each.",
        ),
        spec=ScheduleSpec(intervals=[ScheduleIntervalSpec(every=every)]),
        policy=SchedulePolicy(overlap=ScheduleOverlapPolicy.SKIP, catchup_window=every),
    )


def _keeping_state(wanted: Schedule) -> Callable[[ScheduleUpdateInput], ScheduleUpdate]:
    def update(existing: ScheduleUpdateInput) -> ScheduleUpdate:
        wanted.state = existing.description.schedule.state  # paused stays paused
        return ScheduleUpdate(schedule=wanted)

    return update


async def ensure_schedules(
    client: Client, task_queue: str, *, bank_inbox_every: timedelta = timedelta(minutes=15)
) -> list[ScheduleChange]:
    """Create the schedules, or update them to this definition (keeping their state)."""
    changes = []
    for schedule_id, schedule in (
        (MONTHLY_SCHEDULE_ID, monthly_schedule(task_queue)),
        (QUARTERLY_SCHEDULE_ID, quarterly_schedule(task_queue)),
        (BANK_INBOX_SCHEDULE_ID, bank_inbox_schedule(task_queue, bank_inbox_every)),
    ):
        try:
            await client.create_schedule(schedule_id, schedule)
            changes.append(ScheduleChange(schedule_id, created=True))
        except ScheduleAlreadyRunningError:
            await client.get_schedule_handle(schedule_id).update(_keeping_state(schedule))
            changes.append(ScheduleChange(schedule_id, created=False))
    return changes
