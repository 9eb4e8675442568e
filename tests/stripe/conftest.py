"""The Stripe path end to end: localstripe as a real HTTP server (a fresh process per test, so no
test sees another's objects or webhooks), the API under uvicorn on a free port receiving
localstripe's signed webhooks, a time-skipping Temporal server with a workflow double
registered as ``OrderLifecycleWorkflow`` (``workflow_double``), and the test database."""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import json
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any, TypeVar

import httpx
import pytest
import stripe
import uvicorn
from fastapi import FastAPI
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from temporalio.contrib.pydantic import pydantic_data_converter
from temporalio.testing import WorkflowEnvironment
from temporalio.worker import UnsandboxedWorkflowRunner, Worker

from adapters.payments.stripe_gateway import StripeGateway, configure_localstripe_webhook
from api.app import create_app
from api.services import pay_links
from api.services.stripe_inbox import StripeResources
from config import Settings
from db.models import Invoice, Order
from db.models_payments import PaymentLink
from domain import order_contract as contract
from domain.order_contract import order_workflow_id
from domain.order_messages import RefundRecorded
from tests.conftest import ROOT, TEMPORAL_TEST_SERVER
from tests.factories import create_client, create_member, create_order, order_input
from tests.stripe.workflow_double import StripeOrderWorkflowDouble

TASK_QUEUE = f"stripe-tests-{uuid.uuid4().hex[:8]}"
API_KEY = "sk_test_coopflow"
T = TypeVar("T")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture
def localstripe() -> Iterator[str]:
    port = free_port()
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "tests.stripe.localstripe_server",
            "--port",
            str(port),
            "--from-scratch",
        ],
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 20
    while True:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            break
        except OSError:
            if process.poll() is not None or time.monotonic() > deadline:
                process.kill()
                raise RuntimeError("localstripe did not start") from None
            time.sleep(0.02)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        process.terminate()
        process.wait(timeout=10)


@dataclass
class Sent:
    method: str
    path: str
    idempotency_key: str | None


class RecordingHTTPClient(stripe.HTTPXClient):
    """stripe-python's own httpx client, remembering each request it sends."""

    def __init__(self) -> None:
        super().__init__()
        self.sent: list[Sent] = []

    async def request_async(
        self, method: str, url: str, headers: Any, post_data: Any = None
    ) -> Any:
        self.sent.append(
            Sent(method.upper(), httpx.URL(url).path, dict(headers).get("Idempotency-Key"))
        )
        return await super().request_async(method, url, headers, post_data)

    def posts(self, path_prefix: str = "/v1/") -> list[Sent]:
        return [s for s in self.sent if s.method == "POST" and s.path.startswith(path_prefix)]


ADMIN_TOKEN = "stripe-stack-admin-token"


@dataclass
class StripeStack:
    app: FastAPI
    api: httpx.AsyncClient
    api_url: str
    localstripe: str
    secret: str
    sessions: async_sessionmaker[AsyncSession]
    env: WorkflowEnvironment
    gateway: StripeGateway
    recorder: RecordingHTTPClient
    stripe: stripe.StripeClient  # the test's own hand on localstripe (refunds, captures)
    workflows: list[Any] = field(default_factory=list)

    async def deliver(self, event: dict[str, Any], *, secret: str | None = None) -> httpx.Response:
        """POST an event to the API signed as Stripe signs (``t=<ts>,v1=<hmac>``)."""
        payload = json.dumps(event)
        timestamp = int(time.time())
        signature = hmac.new(
            (secret or self.secret).encode(), f"{timestamp}.{payload}".encode(), hashlib.sha256
        ).hexdigest()
        return await self.api.post(
            "/webhooks/stripe",
            content=payload,
            headers={
                "Content-Type": "application/json",
                "Stripe-Signature": f"t={timestamp},v1={signature}",
            },
        )

    async def payments_seen(self, order_id: int) -> list[str]:
        handle = self.env.client.get_workflow_handle(f"order-{order_id}")
        seen: list[str] = await handle.query("payments_seen", result_type=list[str])
        return seen

    async def refunds_received(self, order_id: int) -> list[RefundRecorded]:
        """Every ``refund_recorded`` signal the order's workflow got, repeats included."""
        handle = self.env.client.get_workflow_handle(f"order-{order_id}")
        got: list[RefundRecorded] = await handle.query(
            "refunds_received", result_type=list[RefundRecorded]
        )
        return got


@dataclass
class Billed:
    order: Order
    invoice: Invoice
    link: PaymentLink
    token: str  # the public token of the invoice's link

    @property
    def path(self) -> str:
        return f"/pay/{self.token}"


@pytest.fixture
async def stack(
    localstripe: str, db_url: str, session_factory: async_sessionmaker[AsyncSession]
) -> AsyncIterator[StripeStack]:
    env = await WorkflowEnvironment.start_time_skipping(
        test_server_existing_path=str(TEMPORAL_TEST_SERVER),
        data_converter=pydantic_data_converter,
    )
    secret = f"whsec_{uuid.uuid4().hex}"
    port = free_port()
    settings = Settings(
        _env_file=None,
        database_url=db_url,
        task_queue=TASK_QUEUE,
        public_base_url=f"http://127.0.0.1:{port}",
        stripe_api_key=API_KEY,
        stripe_api_base=localstripe,
        stripe_webhook_secret=secret,
        admin_token=ADMIN_TOKEN,
        # The tests call handle_pending themselves (test_pending_events.py tests the loop).
        stripe_pending_interval_seconds=0,
    )
    recorder = RecordingHTTPClient()
    gateway = StripeGateway(API_KEY, localstripe, http_client=recorder)
    app = create_app(settings, temporal_client=env.client)
    app.state.stripe = StripeResources(gateway, secret, test_mode=settings.stripe_test_mode)
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    serving = asyncio.create_task(server.serve())
    while not server.started:
        await asyncio.sleep(0.02)
    worker = Worker(
        env.client,
        task_queue=TASK_QUEUE,
        workflows=[StripeOrderWorkflowDouble],
        workflow_runner=UnsandboxedWorkflowRunner(),
    )
    try:
        async with (
            env,
            worker,
            httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}", timeout=30) as api,
        ):
            await configure_localstripe_webhook(
                localstripe, f"http://127.0.0.1:{port}/webhooks/stripe", secret
            )
            yield StripeStack(
                app=app,
                api=api,
                api_url=f"http://127.0.0.1:{port}",
                localstripe=localstripe,
                secret=secret,
                sessions=session_factory,
                env=env,
                gateway=gateway,
                recorder=recorder,
                stripe=stripe.StripeClient(
                    API_KEY,
                    base_addresses={"api": localstripe},
                    http_client=stripe.HTTPXClient(),
                ),
            )
    finally:
        server.should_exit = True
        await serving
        await gateway.aclose()


async def bill(
    stack: StripeStack,
    *,
    gross_cents: int = 119_000,
    client: Any = None,
    member: Any = None,
) -> Billed:
    """An invoiced order with its running workflow (the double) and its payment link, opened
    as the invoice activity opens it."""
    today = date.today()
    member = member or await create_member(stack.sessions)
    client = client or await create_client(stack.sessions, member)
    order = await create_order(stack.sessions, member, client, today=today, status="Invoiced")
    async with stack.sessions.begin() as session:
        stored = await session.get_one(Order, order.id)
        stored.workflow_id = f"order-{order.id}"
        invoice = Invoice(
            order_id=order.id,
            number=f"DE-{today.year}-{order.id:05d}",
            jurisdiction="DE",
            year=today.year,
            sequence=order.id,
            issue_date=today,
            due_date=today + timedelta(days=30),
            net_cents=gross_cents * 100 // 119,
            vat_rate="0.19",
            vat_cents=gross_cents - gross_cents * 100 // 119,
            gross_cents=gross_cents,
            vat_treatment="standard",
            creditor_reference=f"RF18{order.id:010d}",
            client_name=client.name,
            description=order.description,
            period_start=order.period_start,
            period_end=order.period_end,
        )
        session.add(invoice)
    await stack.env.client.start_workflow(
        contract.WORKFLOW_TYPE,
        order_input(order, member, client, today=today),
        id=order_workflow_id(order.id),
        task_queue=TASK_QUEUE,
    )
    link, token = await pay_links.open_payment_link(stack.sessions, stack.gateway, invoice.id)
    return Billed(order, invoice, link, token)


async def eventually(
    probe: Callable[[], Awaitable[T | None]], *, timeout: float = 15, what: str = "condition"
) -> T:
    """Poll until ``probe`` returns something truthy (webhooks arrive ~1 s after the call)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        found = await probe()
        if found:
            return found
        await asyncio.sleep(0.05)
    raise AssertionError(f"timed out waiting for {what}")
