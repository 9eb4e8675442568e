"""The end-to-end stack: a Temporal dev server per database, the API on a real port (uvicorn),
the worker with the real activities, real SMTP into a local sink."""

from __future__ import annotations

import asyncio
import socket
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

import httpx
import pytest
import uvicorn
from sqlalchemy.ext.asyncio import AsyncEngine
from temporalio.contrib.pydantic import pydantic_data_converter
from temporalio.testing import WorkflowEnvironment

from api.app import create_app
from config import Settings
from db.session import make_session_factory
from dev.mail_sink import MaildirSink, find_free_port
from tests.conftest import TEMPORAL_CLI
from worker import build_activities, build_banking, build_worker
from workflows import search_attributes as sa

SECONDS_PER_DAY = 0.2  # the wage delay of 7 business days takes 1.4 s


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture
async def dev_server(db_url: str) -> AsyncIterator[WorkflowEnvironment]:
    """One dev server per test: each test's database starts order ids (and so workflow ids
    ``order-<id>``) at 1 again."""
    env = await WorkflowEnvironment.start_local(
        dev_server_existing_path=str(TEMPORAL_CLI),
        data_converter=pydantic_data_converter,
        search_attributes=sa.ALL_KEYS,
        dev_server_log_level="error",
    )
    yield env
    await env.shutdown()


@pytest.fixture
def seconds_per_day() -> float:
    """The wall time of a business day; a test module may override this fixture."""
    return SECONDS_PER_DAY


@dataclass
class Stack:
    http: httpx.AsyncClient
    env: WorkflowEnvironment
    settings: Settings
    sink: MaildirSink

    def admin(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.settings.admin_token}"}


@pytest.fixture
async def stack(
    dev_server: WorkflowEnvironment,
    db_url: str,
    db_engine: AsyncEngine,
    session_factory,
    tmp_path: Path,
    seconds_per_day: float,
) -> AsyncIterator[Stack]:  # type: ignore[no-untyped-def]
    smtp_port = find_free_port()
    api_port = _free_port()
    settings = Settings(
        database_url=db_url,
        data_dir=tmp_path,
        mail_backend="smtp",
        smtp_host="127.0.0.1",
        smtp_port=smtp_port,
        task_queue=f"e2e-{api_port}",
        public_base_url=f"http://127.0.0.1:{api_port}",
        seconds_per_day=seconds_per_day,
        payout_run_every_seconds=0.5,  # a payout run every half second (2.5 business days)
        admin_token="e2e-admin",
        signing_secret="e2e-secret",
    )
    sink = MaildirSink(tmp_path / "received", port=smtp_port)
    sink.start()
    sessions = make_session_factory(db_engine)
    activities = build_activities(settings, sessions, client=dev_server.client)
    banking = build_banking(settings, sessions, dev_server.client)
    server = uvicorn.Server(
        uvicorn.Config(
            create_app(settings, temporal_client=dev_server.client),
            host="127.0.0.1",
            port=api_port,
            log_level="warning",
        )
    )
    serving = asyncio.create_task(server.serve())
    while not server.started:
        await asyncio.sleep(0.02)
    try:
        async with (
            build_worker(dev_server.client, settings, activities, banking=banking),
            httpx.AsyncClient(base_url=settings.public_base_url, timeout=30) as http,
        ):
            yield Stack(http, dev_server, settings, sink)
    finally:
        server.should_exit = True
        await serving
        sink.stop()


async def ok(response: httpx.Response, status: int = 200) -> dict:  # type: ignore[type-arg]
    assert response.status_code == status, response.text
    return response.json()  # type: ignore[no-any-return]


async def wait_for_mail(stack: Stack, subject_part: str):  # type: ignore[no-untyped-def]
    for _ in range(100):
        for message in stack.sink.messages():
            if subject_part in str(message["Subject"]):
                return message
        await asyncio.sleep(0.05)
    raise AssertionError(f"no mail with {subject_part!r} in the subject")


async def wait_until(stack: Stack, headers: dict[str, str], order_id: int, predicate) -> dict:  # type: ignore[no-untyped-def,type-arg]
    body: dict = {}  # type: ignore[type-arg]
    for _ in range(100):
        body = await ok(await stack.http.get(f"/orders/{order_id}", headers=headers))
        if predicate(body):
            return body
        await asyncio.sleep(0.05)
    raise AssertionError(f"order {order_id} never reached the expected state: {body}")


@dataclass
class Staff:
    """A member (German, IBAN on file) and a finance user, with their bearer headers."""

    member_id: int
    member: dict[str, str]
    finance: dict[str, str]


async def member_and_finance(stack: Stack, *, language: str) -> Staff:
    created = await ok(
        await stack.http.post(
            "/members",
            headers=stack.admin(),
            json={
                "name": "Ada Lovelace",
                "email": "ada@e2e.example",
                "jurisdiction": "DE",
                "language": language,
                "iban": "DE89370400440532013000",
            },
        ),
        201,
    )
    finance_user = await ok(
        await stack.http.post(
            "/finance-users", headers=stack.admin(), json={"name": "Fiona Finance"}
        ),
        201,
    )
    return Staff(
        member_id=created["member"]["id"],
        member={"Authorization": f"Bearer {created['token']}"},
        finance={"Authorization": f"Bearer {finance_user['token']}"},
    )


async def acme_order(stack: Stack, member: dict[str, str], today: date) -> int:
    """A German business client (ACME GmbH) and a draft order of €4,800.00 net for the five
    days before ``today``; the order's id."""
    client = await ok(
        await stack.http.post(
            "/clients",
            headers=member,
            json={
                "name": "ACME GmbH",
                "email": "ap@acme.example",
                "country": "DE",
                "is_business": True,
                "vat_id": "DE136695976",
                "language": "de",
                "address": "Hauptstraße 1, 10115 Berlin",
            },
        ),
        201,
    )
    order = await ok(
        await stack.http.post(
            "/orders",
            headers=member,
            json={
                "client_id": client["id"],
                "description": "Stage lighting design",
                "period_start": str(today - timedelta(days=5)),
                "period_end": str(today - timedelta(days=1)),
                "net_amount_cents": 480_000,
                # A business day passes in 0.2 s: a 14-day offer could expire on a busy
                # machine between the submission and the client's signature.
                "offer_valid_until": str(today + timedelta(days=365)),
            },
        ),
        201,
    )
    return int(order["id"])
