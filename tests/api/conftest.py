"""API test fixtures: the app on the test database and a time-skipping Temporal server running
a workflow double under the real workflow type."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any, cast

import httpx
import pytest
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from temporalio.api.enums.v1 import IndexedValueType
from temporalio.api.operatorservice.v1 import AddSearchAttributesRequest
from temporalio.common import SearchAttributeKey
from temporalio.contrib.pydantic import pydantic_data_converter
from temporalio.testing import WorkflowEnvironment
from temporalio.worker import UnsandboxedWorkflowRunner, Worker

from api import temporal as api_temporal
from api.app import create_app
from config import Settings
from tests.api.api_helpers import ADMIN_TOKEN, SIGNING_SECRET, TASK_QUEUE
from tests.api.order_workflow_double import OrderWorkflowDouble
from tests.conftest import TEMPORAL_TEST_SERVER
from workflows.search_attributes import ALL_KEYS


def _keys() -> list[SearchAttributeKey[Any]]:
    return cast(list[SearchAttributeKey[Any]], ALL_KEYS)


@pytest.fixture(autouse=True)
def _patient_updates(monkeypatch: pytest.MonkeyPatch) -> None:
    """The API's 15-second deadline on an order's answer is for people; a test machine under
    load may take longer to run the stand-in workflow. The deadline's own test sets it short."""
    monkeypatch.setattr(api_temporal, "UPDATE_DEADLINE_SECONDS", 120.0)


@pytest.fixture
async def temporal_env() -> AsyncIterator[WorkflowEnvironment]:
    """A fresh time-skipping server per test (~0.1 s): workflow ids are ``order-<id>`` and order
    ids restart with every emptied database, so a shared server would see old workflows."""
    env = await WorkflowEnvironment.start_time_skipping(
        test_server_existing_path=str(TEMPORAL_TEST_SERVER),
        data_converter=pydantic_data_converter,
    )
    await env.client.operator_service.add_search_attributes(
        AddSearchAttributesRequest(
            namespace=env.client.namespace,
            search_attributes={
                key.name: IndexedValueType.ValueType(key.indexed_value_type.value)
                for key in _keys()
            },
        )
    )
    worker = Worker(
        env.client,
        task_queue=TASK_QUEUE,
        workflows=[OrderWorkflowDouble],
        workflow_runner=UnsandboxedWorkflowRunner(),
    )
    async with env, worker:
        yield env


@pytest.fixture
def settings(db_url: str) -> Settings:
    return Settings(
        _env_file=None,
        database_url=db_url,
        task_queue=TASK_QUEUE,
        public_base_url="http://testserver",
        signing_secret=SIGNING_SECRET,
        admin_token=ADMIN_TOKEN,
        seconds_per_day=86400,
    )


@pytest.fixture
async def api(
    settings: Settings,
    session_factory: async_sessionmaker[AsyncSession],
    temporal_env: WorkflowEnvironment,
) -> AsyncIterator[httpx.AsyncClient]:
    """An HTTP client on a fresh app (empty tables: ``session_factory`` cleared them)."""
    app = create_app(settings, temporal_client=temporal_env.client)
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
            yield client
