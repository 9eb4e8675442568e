"""The lifecycle bench's client: one member's orders driven through the HTTP API as a member,
their clients and the finance desk would, and the waits for what the workflow does, each bounded
(``Unfinished`` says where a lifecycle stands when its bound passes)."""

from __future__ import annotations

import asyncio
import itertools
import time
import uuid
from collections import defaultdict
from collections.abc import Callable
from datetime import date, timedelta
from typing import Any

import httpx
from temporalio.client import Client, WorkflowHandle

from domain.order_contract import order_workflow_id
from domain.order_messages import OrderView
from workflows.order import OrderLifecycleWorkflow


class Unfinished(Exception):  # noqa: N818 - a lifecycle's outcome, not an error of the bench
    """A lifecycle that did not close within the bench's bound, and where it stands."""

    def __init__(self, workflow_id: str, where: str) -> None:
        super().__init__(f"{workflow_id}: {where}")
        self.workflow_id, self.where = workflow_id, where


def failure(error: BaseException) -> str:
    """What went wrong with one of the bench's requests, and which request it was."""
    if isinstance(error, httpx.RequestError):
        return f"{error!r} on {error.request.method} {error.request.url.path}"
    return repr(error)


def check(r: httpx.Response) -> httpx.Response:
    if r.is_error:
        raise RuntimeError(f"{r.request.method} {r.request.url.path} → {r.status_code}: {r.text}")
    return r


class Driver:
    """Drives one member's orders through the HTTP API."""

    def __init__(self, http: httpx.AsyncClient, admin: str, timeout: float = 120) -> None:
        self.http = http
        self.timeout = timeout  # the longest a lifecycle (or one of its waits) may take
        self.poll_seconds = 0.1  # between two queries of an order's state
        self.admin = {"Authorization": f"Bearer {admin}"}
        self.member: dict[str, str] = {}
        self.finance: dict[str, str] = {}
        self.client_id = 0
        self.signers = itertools.count()
        # Seconds each phase of the measured lifecycles took, seen from the client.
        self.phases: dict[str, list[float]] = defaultdict(list)

    def lap(self, phase: str, since: float) -> float:
        """Record that ``phase`` took from ``since`` until now; return now."""
        now = time.perf_counter()
        self.phases[phase].append(now - since)
        return now

    async def setup(self) -> None:
        tag = uuid.uuid4().hex[:8]
        r = await self.http.post(
            "/members",
            headers=self.admin,
            json={
                "name": "Ada Lovelace",
                "email": f"ada-{tag}@bench.example",
                "jurisdiction": "DE",
                "language": "de",
                "iban": "DE89370400440532013000",
                "bic": "COBADEFFXXX",
            },
        )
        check(r)
        self.member = {"Authorization": f"Bearer {r.json()['token']}"}
        r = await self.http.post("/finance-users", headers=self.admin, json={"name": "Bench"})
        check(r)
        self.finance = {"Authorization": f"Bearer {r.json()['token']}"}
        r = await self.http.post(
            "/clients",
            headers=self.member,
            json={
                "name": "ACME GmbH",
                "email": "ap@acme.example",
                "country": "DE",
                "is_business": True,
                "vat_id": "DE136695976",
                "language": "de",
                "address": "Hauptstraße 1, 10115 Berlin",
            },
        )
        check(r)
        self.client_id = r.json()["id"]

    async def lifecycle(self, temporal: Client) -> str:
        # Business days are short here: the longest payment terms keep the invoice not yet due
        # while the benchmark's requests queue, and the payment is recorded as received on the
        # order's own business day, so every lifecycle takes the same path (paid on time).
        order_id = await self.signed_and_completed(payment_terms_days=120)
        began = time.perf_counter()
        view = await self.wait_for(temporal, order_id, lambda v: bool(v.invoice_number))
        began = self.lap("wait for the invoice", began)
        await self.pay(order_id, None, on=view.business_today)
        began = self.lap("POST /payments", began)
        workflow_id = order_workflow_id(order_id)
        await self.closed(temporal, workflow_id)
        self.lap("wait for the close (wage after 7 days)", began)
        return workflow_id

    async def closed(self, temporal: Client, workflow_id: str) -> None:
        """Wait for the workflow's end, at most ``self.timeout``; then ``Unfinished`` names
        where it stands (the bench never waits for ever)."""
        handle = temporal.get_workflow_handle_for(OrderLifecycleWorkflow.run, workflow_id)
        try:
            await asyncio.wait_for(handle.result(), self.timeout)
        except TimeoutError:
            try:
                view = await asyncio.wait_for(handle.query(OrderLifecycleWorkflow.state), 10)
                where = f"{view.status.value}, waiting for {view.waiting_for}"
            except Exception as exc:  # noqa: BLE001 - the bench reports, it does not crash
                where = f"no answer to the query: {exc!r}"
            raise Unfinished(workflow_id, where) from None

    async def paid_late(self, temporal: Client) -> str:
        """Due at completion; paid (with the charges) after the first reminder."""
        order_id = await self.signed_and_completed(payment_terms_days=0)
        view = await self.wait_for(temporal, order_id, lambda v: v.dunning_level >= 1)
        await self.pay(order_id, view.settlement_cents, on=view.business_today)
        await self.closed(temporal, order_workflow_id(order_id))
        return order_workflow_id(order_id)

    async def escalated(self, temporal: Client) -> str:
        """Due at completion, never paid: every reminder, escalation, finance writes it off."""
        order_id = await self.signed_and_completed(payment_terms_days=0)
        await self.wait_for(temporal, order_id, lambda v: v.escalated)
        r = check(await self.http.get("/finance/cases", headers=self.finance))
        case_id = next(c["case_id"] for c in r.json() if c["order_id"] == order_id)
        r = await self.http.post(
            f"/finance/cases/{case_id}/decision",
            headers=self.finance,
            json={"kind": "write_off", "note": "bench"},
        )
        check(r)
        await self.closed(temporal, order_workflow_id(order_id))
        return order_workflow_id(order_id)

    async def wait_for(
        self, temporal: Client, order_id: int, predicate: Callable[[OrderView], bool]
    ) -> OrderView:
        handle = temporal.get_workflow_handle_for(
            OrderLifecycleWorkflow.run, order_workflow_id(order_id)
        )
        deadline = time.monotonic() + self.timeout
        view: OrderView | None = None
        while time.monotonic() < deadline:
            answer = await self.state(handle)
            if answer is not None:
                view = answer
                if predicate(view):
                    return view
            await asyncio.sleep(self.poll_seconds)
        where = f"{view.status.value}, waiting for {view.waiting_for}" if view else "no state"
        raise Unfinished(order_workflow_id(order_id), where)

    async def state(self, handle: WorkflowHandle[Any, Any]) -> OrderView | None:
        """The order's state; None when it gave no answer this time (asked again)."""
        return await handle.query(OrderLifecycleWorkflow.state)

    async def pay(self, order_id: int, amount: int | None, *, on: date) -> None:
        r = await self.http.post(
            "/payments",
            headers=self.finance,
            json={
                "order_id": order_id,
                "amount_cents": amount or 571_200,
                "received_on": str(on),
                "reference": "bench",
            },
        )
        check(r)

    async def signed_and_completed(self, *, payment_terms_days: int) -> int:
        today = date.today()
        began = time.perf_counter()
        r = await self.http.post(
            "/orders",
            headers=self.member,
            json={
                "client_id": self.client_id,
                "description": "Benchmark gig",
                "period_start": str(today - timedelta(days=5)),
                "period_end": str(today - timedelta(days=1)),
                "net_amount_cents": 480_000,
                "offer_valid_until": str(today + timedelta(days=365)),
                "payment_terms_days": payment_terms_days,
            },
        )
        check(r)
        order_id = int(r.json()["id"])
        began = self.lap("POST /orders", began)
        r = await self.http.post(f"/orders/{order_id}/submit", headers=self.member)
        check(r)
        began = self.lap("POST /orders/{id}/submit", began)
        signing_path = httpx.URL(r.json()["signing_url"]).path
        # Each client signs from its own address, as from its own office (the API limits
        # signing requests per address); all of 127.0.0.0/8 is this machine.
        n = next(self.signers)
        signer = httpx.AsyncHTTPTransport(local_address=f"127.0.{n // 250}.{n % 250 + 2}")
        async with httpx.AsyncClient(
            base_url=self.http.base_url, transport=signer, timeout=self.http.timeout
        ) as client:
            r = await client.post(
                signing_path, json={"decision": "accept", "signer_name": "Grace Hopper"}
            )
        check(r)
        began = self.lap("POST /sign/{token}", began)
        r = await self.http.post(
            f"/orders/{order_id}/complete",
            headers=self.member,
            json={
                "actual_start": str(today - timedelta(days=5)),
                "actual_end": str(today - timedelta(days=1)),
                "work_days": 5,
            },
        )
        check(r)
        self.lap("POST /orders/{id}/complete", began)
        return order_id
