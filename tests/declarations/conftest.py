"""Fixtures for the declaration tests: the local Dimona service and clients talking to it."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from datetime import date
from pathlib import Path
from typing import Any

import httpx
import pytest

from adapters.social_security.declarations import EmploymentDeclaration
from adapters.social_security.dimona import DimonaClient
from adapters.social_security.dimona_models import (
    DimonaEmployer,
    DimonaWorker,
    MappingWorkerDirectory,
)
from adapters.social_security.dimona_store import FileSubmissionStore
from tests.declarations.fake_dimona import CLIENT_ID, CLIENT_SECRET, FakeDimona

INSS_OK = "85073003328"
EMPLOYER = DimonaEmployer(nsso_registration_number=1234567, joint_committee="200")


@pytest.fixture
async def dimona() -> AsyncIterator[FakeDimona]:
    service = FakeDimona()
    await service.start()
    yield service
    await service.stop()


@pytest.fixture
def store(tmp_path: Path) -> FileSubmissionStore:
    return FileSubmissionStore(tmp_path / "dimona")


@pytest.fixture
def workers() -> dict[str, DimonaWorker]:
    """Member id → worker; tests add the INSS their script is keyed by."""
    return {"7": DimonaWorker(ssin=INSS_OK)}


@pytest.fixture
async def make_client(
    dimona: FakeDimona, store: FileSubmissionStore, workers: dict[str, DimonaWorker]
) -> AsyncIterator[Callable[..., DimonaClient]]:
    clients: list[DimonaClient] = []

    def make(**overrides: Any) -> DimonaClient:
        options: dict[str, Any] = {
            "http": httpx.AsyncClient(timeout=overrides.pop("request_timeout", 5.0)),
            "poll_interval": 0.01,
            "poll_timeout": 1.0,
            "employer": EMPLOYER,
            "workers": MappingWorkerDirectory(workers),
            "store": store,
        }
        options.update(overrides)
        client = DimonaClient(
            dimona.base_url, dimona.token_url, CLIENT_ID, CLIENT_SECRET, **options
        )
        clients.append(client)
        return client

    yield make
    for client in clients:
        await client.aclose()


def declaration(**overrides: Any) -> EmploymentDeclaration:
    fields: dict[str, Any] = {
        "declaration_key": "order-42-start",
        "kind": "start",
        "jurisdiction": "BE",
        "member_id": "7",
        "member_name": "Anna Peeters",
        "order_id": "42",
        "period_start": date(2026, 3, 2),
        "period_end": date(2026, 3, 20),
    }
    fields.update(overrides)
    return EmploymentDeclaration(**fields)


# The time-skipping server of the workflow tests (one per session for this directory).
from tests.workflows.conftest import workflow_env  # noqa: E402, F401
