"""The declaration schedules on a Temporal dev server: created once, updated in place, a
paused schedule stays paused, and a scheduled run declares the period before its nominal
time (read from ``TemporalScheduledStartTime``)."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from temporalio.client import (
    Client,
    ScheduleActionStartWorkflow,
    ScheduleBackfill,
    ScheduleOverlapPolicy,
)
from temporalio.contrib.pydantic import pydantic_data_converter
from temporalio.testing import WorkflowEnvironment
from temporalio.worker import Worker

from activities.declaration_activities import DeclarationActivities
from domain.declarations.steps import PeriodOutcome
from tests.conftest import TEMPORAL_CLI
from tests.declarations.periodic_data import TK, de_member, payslip
from tests.declarations.test_periodic_workflows import EMPLOYER
from workflows.periodic_declarations import MonthlyDeclarationsWorkflow, QuarterlyDmfaWorkflow
from workflows.schedules import (
    BANK_INBOX_SCHEDULE_ID,
    MONTHLY_SCHEDULE_ID,
    QUARTERLY_SCHEDULE_ID,
    ensure_schedules,
)


@pytest.fixture
async def dev_server() -> AsyncIterator[WorkflowEnvironment]:
    """A fresh dev server per test (it starts in a fraction of a second): no schedules."""
    env = await WorkflowEnvironment.start_local(
        dev_server_existing_path=str(TEMPORAL_CLI), data_converter=pydantic_data_converter
    )
    yield env
    await env.shutdown()


async def _schedule_ids(client: Client) -> set[str]:
    return {entry.id async for entry in await client.list_schedules()}


async def test_ensure_schedules_creates_them_and_is_idempotent(
    dev_server: WorkflowEnvironment,
) -> None:
    client = dev_server.client
    first = await ensure_schedules(client, "declarations")
    assert [(c.schedule_id, c.created) for c in first] == [
        (MONTHLY_SCHEDULE_ID, True),
        (QUARTERLY_SCHEDULE_ID, True),
        (BANK_INBOX_SCHEDULE_ID, True),
    ]

    monthly = client.get_schedule_handle(MONTHLY_SCHEDULE_ID)
    await monthly.pause(note="ops: holiday freeze")
    again = await ensure_schedules(client, "declarations-v2")

    assert [c.created for c in again] == [False, False, False]
    every = {MONTHLY_SCHEDULE_ID, QUARTERLY_SCHEDULE_ID, BANK_INBOX_SCHEDULE_ID}
    for _ in range(50):  # the schedule list is eventually consistent
        if await _schedule_ids(client) >= every:
            break
        await asyncio.sleep(0.1)
    assert await _schedule_ids(client) == every
    described = await monthly.describe()
    assert described.schedule.state.paused is True  # ops' pause survives a redeploy
    assert described.schedule.policy.overlap == ScheduleOverlapPolicy.SKIP
    assert described.schedule.policy.catchup_window == timedelta(days=4)
    action = described.schedule.action
    assert isinstance(action, ScheduleActionStartWorkflow)
    assert action.task_queue == "declarations-v2"  # updated in place
    calendar = described.schedule.spec.calendars[0]
    assert [r.start for r in calendar.day_of_month] == [5]
    assert described.schedule.spec.time_zone_name == "Europe/Berlin"
    quarterly = await client.get_schedule_handle(QUARTERLY_SCHEDULE_ID).describe()
    assert [r.start for r in quarterly.schedule.spec.calendars[0].month] == [1, 4, 7, 10]
    assert quarterly.schedule.state.paused is False
    inbox = await client.get_schedule_handle(BANK_INBOX_SCHEDULE_ID).describe()
    assert inbox.schedule.spec.intervals[0].every == timedelta(minutes=15)
    assert inbox.schedule.policy.overlap == ScheduleOverlapPolicy.SKIP


async def test_a_scheduled_run_declares_the_month_before_its_nominal_time(
    dev_server: WorkflowEnvironment,
    session_factory: async_sessionmaker[AsyncSession],
    tmp_path: Path,
) -> None:
    client = dev_server.client
    task_queue = f"declarations-{uuid.uuid4().hex[:6]}"
    await ensure_schedules(client, task_queue)
    s = session_factory
    await payslip(s, await de_member(s, fund=TK), paid=date(2026, 3, 3))
    activities = DeclarationActivities(s, EMPLOYER, tmp_path, today=lambda: date(2026, 4, 5))

    monthly = client.get_schedule_handle(MONTHLY_SCHEDULE_ID)
    # 5 April 2026, 06:00 in Berlin (summer time) is 04:00 UTC: that run declares March.
    nominal = datetime(2026, 4, 5, 4, 0, tzinfo=UTC)
    async with Worker(
        client,
        task_queue=task_queue,
        workflows=[MonthlyDeclarationsWorkflow, QuarterlyDmfaWorkflow],
        activities=activities.all(),
    ):
        await monthly.backfill(
            ScheduleBackfill(
                start_at=nominal - timedelta(minutes=1),
                end_at=nominal + timedelta(minutes=1),
                overlap=ScheduleOverlapPolicy.ALLOW_ALL,
            )
        )
        workflow_id = await _first_action(client, MONTHLY_SCHEDULE_ID)
        outcome = await client.get_workflow_handle(workflow_id, result_type=PeriodOutcome).result()

    assert outcome.period == "2026-03"
    assert {d.period_key for d in outcome.declarations} >= {
        f"DE-BN-2026-03-{TK}",
        "DE-LSTA-2026-03",
    }


async def _first_action(client: Client, schedule_id: str) -> str:
    handle = client.get_schedule_handle(schedule_id)
    for _ in range(100):
        recent = (await handle.describe()).info.recent_actions
        if recent:
            action = recent[0].action
            return action.workflow_id  # type: ignore[attr-defined,no-any-return]
        await asyncio.sleep(0.1)
    raise AssertionError(f"schedule {schedule_id} started nothing")
