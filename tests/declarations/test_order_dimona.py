"""The order lifecycle with the Dimona client behind ``SocialSecurity``: a refused Dimona IN
(result B) is not swallowed; the order shows it to ops (status NeedsAttention in its search
attributes, the anomaly in its current details) and declares again on ``retry_step``."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from temporalio.testing import WorkflowEnvironment
from temporalio.worker import Worker

from activities.order_activities import OrderActivities
from adapters.banking import LocalSepaBanking
from adapters.dimona import DimonaClient, DimonaWorker, FileSubmissionStore
from adapters.mail import MaildirMailer
from adapters.payroll import PolicyPayroll
from db.models import Declaration
from domain.order_messages import OfferResponse, OrderView
from domain.order_status import OrderStatus
from tests.declarations.conftest import EMPLOYER, INSS_OK
from tests.declarations.fake_dimona import CLIENT_ID, CLIENT_SECRET, REFUSED, FakeDimona
from tests.workflows.conftest import Lifecycle
from workflows import search_attributes as sa
from workflows.order_lifecycle import OrderLifecycleWorkflow

BAD_INSS = "12345678901"


class OneWorker:
    """Every member is this worker; ops corrects ``ssin`` in the test."""

    def __init__(self, ssin: str) -> None:
        self.ssin = ssin

    async def dimona_worker(self, member_id: str) -> DimonaWorker | None:
        return DimonaWorker(ssin=self.ssin)


@pytest.fixture
async def worker_data() -> OneWorker:
    return OneWorker(BAD_INSS)


@pytest.fixture
async def lifecycle(
    workflow_env: WorkflowEnvironment,
    session_factory: async_sessionmaker[AsyncSession],
    tmp_path: Path,
    dimona: FakeDimona,
    worker_data: OneWorker,
) -> AsyncIterator[Lifecycle]:
    task_queue = f"orders-be-{uuid.uuid4().hex[:8]}"
    social_security = DimonaClient(
        dimona.base_url,
        dimona.token_url,
        CLIENT_ID,
        CLIENT_SECRET,
        httpx.AsyncClient(timeout=5),
        poll_interval=0.01,
        poll_timeout=5,
        employer=EMPLOYER,
        workers=worker_data,
        store=FileSubmissionStore(tmp_path / "dimona"),
    )
    activities = OrderActivities(
        session_factory,
        mailer=MaildirMailer(tmp_path / "maildir", "billing@coopflow.test"),
        banking=LocalSepaBanking(
            tmp_path / "payouts", "coopflow SCE", "DE89370400440532013000", "COBADEFFXXX"
        ),
        social_security=social_security,
        payroll=PolicyPayroll(),
        public_base_url="http://coopflow.test",
        signing_secret="test-secret",
        coop_name="coopflow SCE",
    )
    async with Worker(
        workflow_env.client,
        task_queue=task_queue,
        workflows=[OrderLifecycleWorkflow],
        activities=activities.all(),
    ):
        yield Lifecycle(workflow_env, session_factory, task_queue, tmp_path)
    await social_security.aclose()


async def test_refused_dimona_in_puts_the_order_in_needs_attention_until_ops_retries(
    lifecycle: Lifecycle, dimona: FakeDimona, worker_data: OneWorker
) -> None:
    dimona.scripts[BAD_INSS] = REFUSED
    handle, inp = await lifecycle.start(
        jurisdiction="BE",
        client_country="BE",
        client_vat_id="BE0123456789",
        client_language="fr",
    )
    await handle.execute_update(
        "respond_to_offer",
        OfferResponse(decision="accept", signer_name="Anna Peeters", token_id="t1"),
        result_type=OrderView,
    )

    blocked = await lifecycle.wait_for(
        handle, lambda v: v.status == OrderStatus.NEEDS_ATTENTION, "the refusal"
    )
    assert "00024-002" in blocked.waiting_for
    assert "INSS inconnu" in blocked.waiting_for
    described = await handle.describe()
    assert described.typed_search_attributes.get(sa.ORDER_STATUS) == "NeedsAttention"

    worker_data.ssin = INSS_OK  # ops corrects the member's national number
    await handle.signal(OrderLifecycleWorkflow.retry_step)
    signed = await lifecycle.wait_for(
        handle, lambda v: v.status == OrderStatus.SIGNED and "completion" in v.waiting_for, "IN"
    )
    assert signed.waiting_for == "the member's completion report"

    accepted = dimona.declarations_for(INSS_OK)
    assert len(dimona.declarations_for(BAD_INSS)) == 1
    assert len(accepted) == 1
    async with lifecycle.sessions() as session:
        recorded = await session.scalar(
            select(Declaration).where(Declaration.order_id == inp.order_id)
        )
    assert recorded is not None
    assert recorded.reference == f"DIMONA-IN-{accepted[0].number}"
    assert recorded.status == "accepted"
