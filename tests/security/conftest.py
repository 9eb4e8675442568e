"""Security test fixtures: the API tests' app (test database, time-skipping Temporal with the
workflow double), without rate limits: the matrix knocks on every door with every key, and
the limits have their own tests (``tests/api/test_rate_limits.py``)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from temporalio.testing import WorkflowEnvironment

import api.app as api_app
from adapters.payments.stripe_gateway import StripeGateway
from api.rate_limits import Limit
from api.services.stripe_inbox import StripeResources
from config import Settings
from tests.api.api_helpers import ADMIN_TOKEN, SIGNING_SECRET, TASK_QUEUE
from tests.api.conftest import _patient_updates, temporal_env

__all__ = ["_patient_updates", "temporal_env"]


class NoLimits:
    async def take(self, limit: Limit, client: str, cost: int) -> float:
        return 0.0


@pytest.fixture
def settings(db_url: str, tmp_path: Path) -> Settings:
    return Settings(
        _env_file=None,
        database_url=db_url,
        data_dir=str(tmp_path),
        task_queue=TASK_QUEUE,
        public_base_url="http://testserver",
        signing_secret=SIGNING_SECRET,
        admin_token=ADMIN_TOKEN,
        seconds_per_day=86400,
        stripe_api_base="http://127.0.0.1:1",  # nothing listens: a pay link's call answers 503
    )


@pytest.fixture
async def app(
    settings: Settings,
    session_factory: async_sessionmaker[AsyncSession],
    temporal_env: WorkflowEnvironment,
    monkeypatch: pytest.MonkeyPatch,
) -> AsyncIterator[FastAPI]:
    """The app on an emptied database (``session_factory`` cleared it), started."""
    monkeypatch.setattr(api_app, "bucket_store", lambda _url: NoLimits())
    app = api_app.create_app(settings, temporal_client=temporal_env.client)
    # Stripe is not there (``stripe_api_base``): a pay link's call fails at once, no retries.
    gateway = StripeGateway(
        settings.stripe_api_key, settings.stripe_api_base, max_network_retries=0
    )
    app.state.stripe = StripeResources(gateway, settings.stripe_webhook_secret, test_mode=True)
    async with app.router.lifespan_context(app):
        yield app
    await gateway.aclose()


@pytest.fixture
async def api(app: FastAPI) -> AsyncIterator[httpx.AsyncClient]:
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
        yield client
