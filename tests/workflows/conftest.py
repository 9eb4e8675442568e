"""Time-skipping Temporal server, a worker with the real activities on the test database, and
local adapters writing to a temporary folder."""

from __future__ import annotations

import asyncio
import mailbox
import os
import uuid
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path

import pytest
from sqlalchemy import update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from temporalio.api.enums.v1 import IndexedValueType
from temporalio.api.operatorservice.v1 import AddSearchAttributesRequest
from temporalio.client import Client, WorkflowHandle
from temporalio.contrib.pydantic import pydantic_data_converter
from temporalio.testing import WorkflowEnvironment
from temporalio.worker import Worker

from activities.order_activities import OrderActivities
from activities.payout_run_steps import PayoutSchedule, temporal_run_starter
from adapters.banking.sepa import LocalSepaBanking
from adapters.documents.einvoice_validation import EinvoiceValidator
from adapters.documents.invoice_documents import InvoiceDocuments
from adapters.mail.mailers import MaildirMailer
from adapters.social_security.local_register import LocalSocialSecurity
from api.temporal import initial_search_attributes
from config import Settings, default_seller
from db.models import Order
from domain.order_messages import OrderInput, OrderView
from domain.payroll.provisional import PolicyPayroll
from tests.activities.test_credit_notes import RecordingRefunder
from tests.conftest import TEMPORAL_TEST_SERVER
from tests.factories import create_client, create_member, create_order, order_input
from workflows import search_attributes as sa
from workflows.order import OrderLifecycleWorkflow, order_workflow_id
from workflows.payout_run import PayoutRunWorkflow
from workflows.salary import MonthlySalaryWorkflow

HISTORIES = Path(__file__).resolve().parent.parent / "histories"


async def save_history(handle: WorkflowHandle, name: str) -> None:
    """With ``COOPFLOW_RECORD_HISTORIES=1``, keep this run's history for the replay tests
    (histories of orders started before a patch stay in their own folder)."""
    if os.environ.get("COOPFLOW_RECORD_HISTORIES") != "1":
        return
    history = await handle.fetch_history()
    HISTORIES.mkdir(exist_ok=True)
    (HISTORIES / f"{name}.json").write_text(history.to_json())


async def register_search_attributes(client: Client, namespace: str = "default") -> None:
    await client.operator_service.add_search_attributes(
        AddSearchAttributesRequest(
            namespace=namespace,
            search_attributes={
                key.name: IndexedValueType.ValueType(key.indexed_value_type) for key in sa.ALL_KEYS
            },
        )
    )


@pytest.fixture
async def workflow_env() -> AsyncIterator[WorkflowEnvironment]:
    """A fresh time-skipping server per test (it starts in a fraction of a second): its clock
    starts at today, so business dates stay inside the years the policies and payroll cover,
    however far other tests skipped."""
    env = await WorkflowEnvironment.start_time_skipping(
        test_server_existing_path=str(TEMPORAL_TEST_SERVER),
        data_converter=pydantic_data_converter,
    )
    await register_search_attributes(env.client)
    yield env
    await env.shutdown()


@dataclass
class Lifecycle:
    """One order's world: its database rows, its worker, its files."""

    env: WorkflowEnvironment
    sessions: async_sessionmaker[AsyncSession]
    task_queue: str
    files: Path
    refunder: RecordingRefunder = field(default_factory=RecordingRefunder)

    @property
    def maildir(self) -> Path:
        return self.files / "maildir"

    @property
    def payout_dir(self) -> Path:
        return self.files / "payouts"

    def mails(self) -> list[mailbox.MaildirMessage]:
        return list(mailbox.Maildir(self.maildir, create=False)) if self.maildir.exists() else []

    async def today(self) -> date:
        return (await self.env.get_current_time()).date()

    async def start(self, **order_overrides: object) -> tuple[WorkflowHandle, OrderInput]:
        today = await self.today()
        client_overrides = {k[7:]: v for k, v in order_overrides.items() if k.startswith("client_")}
        order_fields = {k: v for k, v in order_overrides.items() if not k.startswith("client_")}
        member = await create_member(self.sessions)
        client = await create_client(self.sessions, member, **client_overrides)
        order_fields.setdefault("period_start", today - timedelta(days=5))
        order_fields.setdefault("period_end", today - timedelta(days=1))
        order = await create_order(self.sessions, member, client, today=today, **order_fields)
        inp = order_input(order, member, client, today=today)
        workflow_id = order_workflow_id(order.id) + "-" + uuid.uuid4().hex[:6]
        async with self.sessions.begin() as session:  # as the API records it
            await session.execute(
                update(Order).where(Order.id == order.id).values(workflow_id=workflow_id)
            )
        handle = await self.env.client.start_workflow(
            OrderLifecycleWorkflow.run,
            inp,
            id=workflow_id,
            task_queue=self.task_queue,
            static_summary=f"Order {order.id}",
            search_attributes=initial_search_attributes(inp),
        )
        return handle, inp

    async def save_history(self, handle: WorkflowHandle, name: str) -> None:
        await save_history(handle, name)

    async def wait_for(
        self, handle: WorkflowHandle, predicate: Callable[[OrderView], bool], what: str
    ) -> OrderView:
        """Poll the live state (real seconds, not business time) until ``predicate`` holds."""
        view: OrderView | None = None
        for _ in range(200):
            view = await handle.query(OrderLifecycleWorkflow.state)
            if predicate(view):
                return view
            await asyncio.sleep(0.05)
        raise AssertionError(f"timed out waiting for {what}; last state: {view}")


@pytest.fixture
async def lifecycle(
    workflow_env: WorkflowEnvironment,
    session_factory: async_sessionmaker[AsyncSession],
    tmp_path: Path,
) -> AsyncIterator[Lifecycle]:
    task_queue = f"orders-{uuid.uuid4().hex[:8]}"
    refunder = RecordingRefunder()
    activities = OrderActivities(
        session_factory,
        mailer=MaildirMailer(tmp_path / "maildir", "billing@coopflow.test"),
        banking=LocalSepaBanking(
            tmp_path / "payouts", "coopflow SCE", "DE89370400440532013000", "COBADEFFXXX"
        ),
        social_security=LocalSocialSecurity(tmp_path / "declarations"),
        payroll=PolicyPayroll(),
        invoice_documents=InvoiceDocuments(
            tmp_path / "invoices", default_seller, EinvoiceValidator(Settings().einvoice_rules_dir)
        ),
        refunder=refunder,
        seller=default_seller,
        public_base_url="http://coopflow.test",
        coop_name="coopflow SCE",
        # Hourly runs on the skipped clock: orders paid the same day share a batch.
        payout_schedule=PayoutSchedule(every_seconds=3600),
        run_starter=temporal_run_starter(workflow_env.client, task_queue),
    )
    async with Worker(
        workflow_env.client,
        task_queue=task_queue,
        workflows=[OrderLifecycleWorkflow, PayoutRunWorkflow, MonthlySalaryWorkflow],
        activities=activities.all(),
    ):
        yield Lifecycle(workflow_env, session_factory, task_queue, tmp_path, refunder)
