"""The order lifecycle with the Dimona client behind ``SocialSecurity``: a refused Dimona IN
(result B) is not swallowed; the order shows it to ops (status NeedsAttention in its search
attributes, the anomaly in its current details) and declares again on ``retry_step``. Once with
a hand-built client, once with the worker as ``worker.py`` builds it from settings
(``social_security_backend="dimona"``, national numbers from ``member_social_insurance``)."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from datetime import date
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from temporalio.testing import WorkflowEnvironment
from temporalio.worker import Worker

from activities.order_activities import OrderActivities
from adapters.banking.sepa import LocalSepaBanking
from adapters.mail.mailers import MaildirMailer
from adapters.social_security.declarations import EmploymentDeclaration
from adapters.social_security.dimona import DimonaClient
from adapters.social_security.dimona_models import DimonaWorker
from adapters.social_security.dimona_store import FileSubmissionStore
from config import Settings, default_seller
from db.models import Declaration
from db.models_declarations import MemberSocialInsurance
from domain.order_messages import OfferResponse, OrderView
from domain.order_status import OrderStatus
from domain.payroll.provisional import PolicyPayroll
from tests.declarations.conftest import EMPLOYER, INSS_OK
from tests.declarations.fake_dimona import CLIENT_ID, CLIENT_SECRET, REFUSED, FakeDimona
from tests.workflows.conftest import Lifecycle
from worker import build_activities, build_social_security, build_worker
from workflows import search_attributes as sa
from workflows.order import OrderLifecycleWorkflow

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
        seller=default_seller,
        public_base_url="http://coopflow.test",
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
        OrderLifecycleWorkflow.respond_to_offer,
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


# ---------------------------------------------------------------- built from settings


def _dimona_settings(files: Path, dimona: FakeDimona, **overrides: Any) -> Settings:
    values: dict[str, Any] = {
        "data_dir": files,
        "mail_backend": "maildir",
        "task_queue": f"orders-be-{uuid.uuid4().hex[:8]}",
        "social_security_backend": "dimona",
        "dimona_base_url": dimona.base_url,
        "dimona_token_url": dimona.token_url,
        "dimona_client_id": CLIENT_ID,
        "dimona_client_secret": CLIENT_SECRET,
        "dimona_poll_interval_seconds": 0.01,
        "dimona_poll_timeout_seconds": 5,
        "be_nsso_number": "0123456-78",
    }
    values.update(overrides)
    return Settings(_env_file=None, **values)


@pytest.fixture
async def settings_lifecycle(
    workflow_env: WorkflowEnvironment,
    session_factory: async_sessionmaker[AsyncSession],
    tmp_path: Path,
    dimona: FakeDimona,
) -> AsyncIterator[Lifecycle]:
    settings = _dimona_settings(tmp_path, dimona)
    async with httpx.AsyncClient(timeout=5) as http:
        activities = build_activities(
            settings, session_factory, http=http, client=workflow_env.client
        )
        async with build_worker(workflow_env.client, settings, activities):
            yield Lifecycle(workflow_env, session_factory, settings.task_queue, tmp_path)


async def _set_inss(lifecycle: Lifecycle, member_id: int, inss: str) -> None:
    async with lifecycle.sessions.begin() as session:
        row = await session.get(MemberSocialInsurance, member_id)
        if row is None:
            session.add(
                MemberSocialInsurance(member_id=member_id, jurisdiction="BE", insurance_number=inss)
            )
        else:
            row.insurance_number = inss


async def test_the_settings_built_worker_declares_through_dimona_and_shows_a_refusal(
    settings_lifecycle: Lifecycle, dimona: FakeDimona
) -> None:
    lifecycle = settings_lifecycle
    dimona.scripts[BAD_INSS] = REFUSED
    handle, inp = await lifecycle.start(
        jurisdiction="BE",
        client_country="BE",
        client_vat_id="BE0123456789",
        client_language="fr",
    )
    await _set_inss(lifecycle, inp.member_id, BAD_INSS)  # the member's national number, wrong
    await handle.execute_update(
        OrderLifecycleWorkflow.respond_to_offer,
        OfferResponse(decision="accept", signer_name="Anna Peeters", token_id="t1"),
        result_type=OrderView,
    )

    blocked = await lifecycle.wait_for(
        handle, lambda v: v.status == OrderStatus.NEEDS_ATTENTION, "the refusal"
    )
    assert "00024-002" in blocked.waiting_for
    described = await handle.describe()
    assert described.typed_search_attributes.get(sa.ORDER_STATUS) == "NeedsAttention"
    (refused,) = dimona.declarations_for(BAD_INSS)
    # The employer is be_nsso_number from settings, sent as a number.
    assert refused.body["employer"] == {"nssoRegistrationNumber": 12345678}
    assert refused.body["dimonaIn"]["dimonaFeatures"]["jointCommissionNumber"] == "200"

    await _set_inss(lifecycle, inp.member_id, INSS_OK)  # ops corrects the member's data
    await handle.signal(OrderLifecycleWorkflow.retry_step)
    await lifecycle.wait_for(
        handle, lambda v: v.status == OrderStatus.SIGNED and "completion" in v.waiting_for, "IN"
    )
    (accepted,) = dimona.declarations_for(INSS_OK)
    async with lifecycle.sessions() as session:
        recorded = await session.scalar(
            select(Declaration).where(Declaration.order_id == inp.order_id)
        )
    assert recorded is not None
    assert recorded.reference == f"DIMONA-IN-{accepted.number}"
    # The client's own record of the key sits next to the other declaration files.
    assert (
        lifecycle.files / "declarations" / "dimona" / f"order-{inp.order_id}-start.json"
    ).exists()


async def test_with_the_dimona_backend_german_declarations_stay_in_the_local_register(
    session_factory: async_sessionmaker[AsyncSession], tmp_path: Path, dimona: FakeDimona
) -> None:
    settings = _dimona_settings(tmp_path, dimona)
    async with httpx.AsyncClient(timeout=5) as http:
        social_security = build_social_security(settings, session_factory, http=http)
        receipt = await social_security.declare(
            EmploymentDeclaration(
                declaration_key="order-9-start",
                kind="start",
                jurisdiction="DE",
                member_id="9",
                member_name="Ada Lovelace",
                order_id="9",
                period_start=date(2026, 3, 2),
                period_end=date(2026, 3, 6),
            )
        )
    assert receipt.reference.startswith("DEUEV-10-")
    assert (tmp_path / "declarations" / "order-9-start.json").exists()
    assert dimona.requests == []


def test_the_dimona_backend_needs_its_client_id(
    session_factory: async_sessionmaker[AsyncSession], tmp_path: Path, dimona: FakeDimona
) -> None:
    settings = _dimona_settings(tmp_path, dimona, dimona_client_id="")
    with pytest.raises(ValueError, match="COOPFLOW_DIMONA_CLIENT_ID"):
        build_social_security(settings, session_factory)
