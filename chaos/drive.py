"""Lifecycles driven through the HTTP API while the system breaks: ``bench.lifecycle.Driver``
(paid on time: create, submit, sign through the signing link, complete, record the payment
before the due date, then the workflow pays the wage and closes), made to ride out a fault.

Every request that fails for a reason of the moment (no answer, a 5xx, the 504 of an order
that did not answer in time, 409 "key in use") is sent again after a pause, with the same
``Idempotency-Key`` where the API takes one, until the lifecycle's deadline; a payment carries
its own ``payment_key``. Every wait is bounded: a lifecycle not closed by its deadline is
``Unfinished`` with where it stands."""

from __future__ import annotations

import asyncio
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

import httpx
from temporalio.client import Client, WorkflowFailureError, WorkflowHandle

from bench.lifecycle_driver import Driver, Unfinished, check
from domain.order_contract import order_workflow_id
from domain.order_messages import OrderView
from workflows.order import OrderLifecycleWorkflow

PAUSE = 0.5  # between two tries of a request or a query
CALL_TIMEOUT = 20.0  # one query or one wait for a result, before it is tried again
TRANSIENT_STATUS = {500, 502, 503, 504}


@dataclass
class Outcome:
    """What a run of lifecycles gave: the orders, the closed workflows, what did not close."""

    orders: list[int] = field(default_factory=list)
    closed: list[str] = field(default_factory=list)
    unfinished: list[str] = field(default_factory=list)
    failed: list[str] = field(default_factory=list)
    latencies: list[float] = field(default_factory=list)
    elapsed: float = 0.0


class ChaosDriver(Driver):
    def __init__(self, http: httpx.AsyncClient, admin: str, timeout: float) -> None:
        super().__init__(http, admin, timeout)
        self.retries = 0  # requests and queries sent again after a failure of the moment
        self.orders: list[int] = []
        self.credit_notes_refused = 0  # asked too late: the wage was being paid
        self.poll_seconds = PAUSE

    # --- requests that survive a fault --------------------------------------------------

    async def send(
        self,
        method: str,
        path: str,
        *,
        headers: dict[str, str] | None = None,
        json: Any = None,
        key: str | None = None,
        deadline: float,
        http: httpx.AsyncClient | None = None,
    ) -> httpx.Response:
        sent_headers = dict(headers or {})
        if key:
            sent_headers["Idempotency-Key"] = key
        while True:
            try:
                r = await (http or self.http).request(method, path, headers=sent_headers, json=json)
                in_use = r.status_code == 409 and "idempotency-key-in-use" in r.text
                if r.status_code not in TRANSIENT_STATUS and not in_use:
                    return r
                why = f"{r.status_code}: {r.text[:200]}"
            except httpx.TransportError as exc:
                why = repr(exc)
            if time.monotonic() > deadline:
                raise RuntimeError(f"{method} {path} failed until the deadline: {why}")
            self.retries += 1
            await asyncio.sleep(PAUSE)

    # --- the lifecycle's steps (bench.lifecycle.Driver's, with retries) -------------------

    async def lifecycle(self, temporal: Client) -> str:
        """Paid on time (``Driver.lifecycle``), by the invoice's own figures: the payment is
        received on the business day it is recorded, or on the due date if a fault held the
        driver up past it (recorded late, received on time: no reminder was due)."""
        order_id = await self.signed_and_completed(payment_terms_days=120)
        view = await self.wait_for(temporal, order_id, lambda v: bool(v.invoice_number))
        on = min(view.business_today, view.due_date or view.business_today)
        await self.pay(order_id, view.gross_cents, on=on)
        workflow_id = order_workflow_id(order_id)
        await self.closed(temporal, workflow_id)
        return workflow_id

    async def credited(self, temporal: Client) -> str:
        """Finance cancels the unpaid invoice by a credit note before the wage day: the order
        ends Cancelled, no wage. If a fault held the driver up until the wage was being
        paid, the credit note is refused (409) and the invoice is paid as usual."""
        order_id = await self.signed_and_completed(payment_terms_days=120)
        view = await self.wait_for(temporal, order_id, lambda v: bool(v.invoice_number))
        r = await self.send(
            "POST",
            f"/finance/orders/{order_id}/credit-note",
            headers=self.finance,
            key=f"credit-{order_id}",
            deadline=time.monotonic() + self.timeout,
            json={"reason": "chaos: cancelled by the client"},
        )
        if r.status_code == 409:
            self.credit_notes_refused += 1
            await self.pay(order_id, view.gross_cents, on=view.business_today)
        else:
            check(r)
        workflow_id = order_workflow_id(order_id)
        await self.closed(temporal, workflow_id)
        return workflow_id

    async def signed_and_completed(self, *, payment_terms_days: int) -> int:
        deadline = time.monotonic() + self.timeout
        today = date.today()
        tag = uuid.uuid4().hex
        r = await self.send(
            "POST",
            "/orders",
            headers=self.member,
            key=f"create-{tag}",
            deadline=deadline,
            json={
                "client_id": self.client_id,
                "description": "Chaos gig",
                "period_start": str(today - timedelta(days=5)),
                "period_end": str(today - timedelta(days=1)),
                "net_amount_cents": 480_000,
                "offer_valid_until": str(today + timedelta(days=365)),
                "payment_terms_days": payment_terms_days,
            },
        )
        order_id = int(check(r).json()["id"])
        self.orders.append(order_id)
        # Submitting again returns the same workflow and the same open link.
        r = await self.send(
            "POST", f"/orders/{order_id}/submit", headers=self.member, deadline=deadline
        )
        await self.sign(order_id, httpx.URL(check(r).json()["signing_url"]).path, deadline)
        r = await self.send(
            "POST",
            f"/orders/{order_id}/complete",
            headers=self.member,
            key=f"complete-{tag}",
            deadline=deadline,
            json={
                "actual_start": str(today - timedelta(days=5)),
                "actual_end": str(today - timedelta(days=1)),
                "work_days": 5,
            },
        )
        check(r)
        return order_id

    async def sign(self, order_id: int, signing_path: str, deadline: float) -> None:
        """Accept through the link, from an address of its own (the API limits signing
        requests per address)."""
        n = next(self.signers)
        signer = httpx.AsyncHTTPTransport(local_address=f"127.0.{n // 250}.{n % 250 + 2}")
        body = {"decision": "accept", "signer_name": "Grace Hopper"}
        async with httpx.AsyncClient(
            base_url=self.http.base_url, transport=signer, timeout=self.http.timeout
        ) as client:
            r = await self.send("POST", signing_path, json=body, deadline=deadline, http=client)
        if r.status_code == 409 and ("signing-link-used" in r.text or "order is Signed" in r.text):
            # A try that failed for the driver had reached the order: the link is used, or
            # (the API gave the link back when the order's answer was late) already signed.
            await self.wait_for_row(order_id, lambda o: o["status"] != "AwaitingSignature")
            return
        check(r)

    async def wait_for_row(
        self, order_id: int, predicate: Callable[[dict[str, Any]], bool]
    ) -> None:
        deadline = time.monotonic() + self.timeout
        while True:
            r = await self.send(
                "GET", f"/orders/{order_id}", headers=self.member, deadline=deadline
            )
            if predicate(check(r).json()):
                return
            if time.monotonic() > deadline:
                raise Unfinished(order_workflow_id(order_id), f"order row: {r.json()['status']}")
            await asyncio.sleep(PAUSE)

    async def pay(self, order_id: int, amount: int | None, *, on: date) -> None:
        r = await self.send(
            "POST",
            "/payments",
            headers=self.finance,
            key=f"pay-{order_id}",
            deadline=time.monotonic() + self.timeout,
            json={
                "order_id": order_id,
                "amount_cents": amount or 571_200,
                "received_on": str(on),
                "reference": "chaos",
                "payment_key": f"chaos-{order_id}",
            },
        )
        check(r)

    async def state(self, handle: WorkflowHandle[Any, Any]) -> OrderView | None:
        """Asked again (``Driver.wait_for``) when no worker or no server answers for a moment."""
        try:
            return await asyncio.wait_for(handle.query(OrderLifecycleWorkflow.state), CALL_TIMEOUT)
        except Exception:  # noqa: BLE001 - no worker or no server for a moment
            self.retries += 1
            return None

    async def closed(self, temporal: Client, workflow_id: str) -> None:
        handle = temporal.get_workflow_handle_for(OrderLifecycleWorkflow.run, workflow_id)
        deadline = time.monotonic() + self.timeout
        while time.monotonic() < deadline:
            try:
                left = max(1.0, min(CALL_TIMEOUT * 3, deadline - time.monotonic()))
                await asyncio.wait_for(handle.result(), left)
                return
            except WorkflowFailureError:
                raise
            except Exception:  # noqa: BLE001 - the server restarting, or not yet closed
                await asyncio.sleep(PAUSE)
        try:
            view = await asyncio.wait_for(handle.query(OrderLifecycleWorkflow.state), 10)
            where = f"{view.status.value}, waiting for {view.waiting_for}"
        except Exception as exc:  # noqa: BLE001 - the run reports, it does not crash
            where = f"no answer to the query: {exc!r}"
        raise Unfinished(workflow_id, where)


async def run_lifecycles(
    driver: ChaosDriver, temporal: Client, count: int, concurrency: int, credit_every: int = 0
) -> Outcome:
    """``count`` lifecycles, ``concurrency`` at a time, every ``credit_every``th one (if > 0)
    cancelled by a credit note; never raises for a lifecycle's sake."""
    gate = asyncio.Semaphore(concurrency)
    outcome = Outcome()

    async def one(n: int) -> str:
        async with gate:
            began = time.perf_counter()
            credit = credit_every > 0 and n % credit_every == credit_every - 1
            path = driver.credited if credit else driver.lifecycle
            workflow_id = await path(temporal)
            outcome.latencies.append(time.perf_counter() - began)
            return workflow_id

    started = time.perf_counter()
    results = await asyncio.gather(*(one(n) for n in range(count)), return_exceptions=True)
    outcome.elapsed = time.perf_counter() - started
    outcome.orders = list(driver.orders)
    outcome.closed = [r for r in results if isinstance(r, str)]
    outcome.unfinished = [r.where for r in results if isinstance(r, Unfinished)]
    outcome.failed = [
        repr(r) for r in results if isinstance(r, BaseException) and not isinstance(r, Unfinished)
    ]
    return outcome
