"""Completed order lifecycles per second through the full system, next to a minimal workflow.

Full system: the HTTP API (uvicorn on a local port) → Temporal dev server → worker with the real
activities → database (SQLite by default, ``COOPFLOW_BENCH_DATABASE_URL`` for PostgreSQL) and
local adapters (maildir, pain.001 files). Each lifecycle: create order, submit, sign through the
signing link, complete, record the payment, then the workflow pays the wage after 7 business
days (at ``--seconds-per-day``) and closes.

Yardstick: ``bench.minimal_workflow.MinimalWorkflow`` with the same number of activities, local
activities, timers, updates and signals as one real lifecycle (counted from its history), run the
same number of times with the same concurrency on the same server, in the same run.

    .venv/bin/python -m bench.lifecycle [--orders 60] [--concurrency 30] [--seconds-per-day 0.1]

The defaults saturate the system (the business day is short enough that the wage timer does not
bound throughput). The bench never waits for ever: a lifecycle that has not closed within
``--lifecycle-timeout`` is reported with its status and what it waits for. It also prints the
lifecycle latency (p50, p99) and the workflow tasks that took more than a second.
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import os
import socket
import sys
import tempfile
import time
import uuid
from collections.abc import Callable
from datetime import date, timedelta
from pathlib import Path

import httpx
import uvicorn
from temporalio.client import Client
from temporalio.contrib.pydantic import pydantic_data_converter
from temporalio.testing import WorkflowEnvironment
from temporalio.worker import Worker

from bench.figures import (
    SLOW_TASK_SECONDS,
    Counts,
    Report,
    count_history,
    migrate,
    slow_workflow_tasks,
)
from bench.minimal_workflow import MinimalSpec, MinimalWorkflow, noop
from config import Settings
from db.session import make_engine, make_session_factory
from domain.order_contract import order_workflow_id
from domain.order_messages import OrderView
from worker import build_activities, build_worker
from workflows import search_attributes as sa
from workflows.order import OrderLifecycleWorkflow

VENV_BIN = Path(sys.executable).parent


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class Unfinished(Exception):  # noqa: N818 - a lifecycle's outcome, not an error of the bench
    """A lifecycle that did not close within the bench's bound, and where it stands."""

    def __init__(self, workflow_id: str, where: str) -> None:
        super().__init__(f"{workflow_id}: {where}")
        self.workflow_id, self.where = workflow_id, where


def check(r: httpx.Response) -> httpx.Response:
    if r.is_error:
        raise RuntimeError(f"{r.request.method} {r.request.url.path} → {r.status_code}: {r.text}")
    return r


class Driver:
    """Drives one member's orders through the HTTP API."""

    def __init__(self, http: httpx.AsyncClient, admin: str, timeout: float = 120) -> None:
        self.http = http
        self.timeout = timeout  # the longest a lifecycle (or one of its waits) may take
        self.admin = {"Authorization": f"Bearer {admin}"}
        self.member: dict[str, str] = {}
        self.finance: dict[str, str] = {}
        self.client_id = 0
        self.signers = itertools.count()

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
        view = await self.wait_for(temporal, order_id, lambda v: bool(v.invoice_number))
        await self.pay(order_id, None, on=view.business_today)
        workflow_id = order_workflow_id(order_id)
        await self.closed(temporal, workflow_id)
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
            view = await handle.query(OrderLifecycleWorkflow.state)
            if predicate(view):
                return view
            await asyncio.sleep(0.1)
        where = f"{view.status.value}, waiting for {view.waiting_for}" if view else "no state"
        raise Unfinished(order_workflow_id(order_id), where)

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
        r = await self.http.post(f"/orders/{order_id}/submit", headers=self.member)
        check(r)
        signing_path = httpx.URL(r.json()["signing_url"]).path
        # Each client signs from its own address, as from its own office (the API limits
        # signing requests per address); all of 127.0.0.0/8 is this machine.
        n = next(self.signers)
        signer = httpx.AsyncHTTPTransport(local_address=f"127.0.{n // 250}.{n % 250 + 2}")
        async with httpx.AsyncClient(base_url=self.http.base_url, transport=signer) as client:
            r = await client.post(
                signing_path, json={"decision": "accept", "signer_name": "Grace Hopper"}
            )
        check(r)
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
        return order_id


# History events per path (issue 8: paid on time <= 60, escalated <= 120; paid late: before 132).
PATH_GOALS = {"paid on time": 60, "paid late": None, "escalated, written off": 120}
BEFORE = {"paid on time": 93, "paid late": 132, "escalated, written off": 183}


async def run_full(
    env: WorkflowEnvironment,
    args: argparse.Namespace,
    work: Path,
    events: dict[str, int],
    report: Report,
) -> tuple[float, Counts]:
    from api.app import create_app

    url = (
        os.environ.get("COOPFLOW_BENCH_DATABASE_URL") or f"sqlite+aiosqlite:///{work / 'bench.db'}"
    )
    await asyncio.to_thread(migrate, url)
    port = free_port()
    settings = Settings(
        dev_mode=True,  # a local bench on the development secrets
        database_url=url,
        data_dir=work,
        mail_backend="maildir",
        task_queue="bench-orders",
        public_base_url=f"http://127.0.0.1:{port}",
        seconds_per_day=args.seconds_per_day,
        admin_token="bench-admin",
        # Payout runs as in the demo: a cut-off every business day of the bench.
        payout_run_every_seconds=args.seconds_per_day,
        render_processes=args.render_processes,
    )
    engine = make_engine(url)
    activities = build_activities(settings, make_session_factory(engine), client=env.client)
    app = create_app(settings, temporal_client=env.client)
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    serve = asyncio.create_task(server.serve())
    while not server.started:
        await asyncio.sleep(0.05)
    gate = asyncio.Semaphore(args.concurrency)
    try:
        async with (
            build_worker(env.client, settings, activities, max_concurrent_activities=50),
            httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}", timeout=60) as http,
        ):
            driver = Driver(http, settings.admin_token, timeout=args.lifecycle_timeout)
            await driver.setup()

            async def one() -> str:
                async with gate:
                    began = time.perf_counter()
                    workflow_id = await driver.lifecycle(env.client)
                    report.latencies.append(time.perf_counter() - began)
                    return workflow_id

            started = time.perf_counter()
            results = await asyncio.gather(
                *(one() for _ in range(args.orders)), return_exceptions=True
            )
            elapsed = time.perf_counter() - started
            ids = [r for r in results if isinstance(r, str)]
            report.unfinished = [r.where for r in results if isinstance(r, Unfinished)]
            report.failed = [
                repr(r)
                for r in results
                if isinstance(r, BaseException) and not isinstance(r, Unfinished)
            ]
            if not ids:
                raise RuntimeError(f"no lifecycle closed: {report.unfinished or report.failed}")
            counts = await count_history(env.client, ids[0])
            for workflow_id in ids:
                report.slow_tasks += await slow_workflow_tasks(env.client, workflow_id)
            paths = await asyncio.gather(
                driver.lifecycle(env.client),
                driver.paid_late(env.client),
                driver.escalated(env.client),
                return_exceptions=True,
            )
            for name, workflow_id in zip(PATH_GOALS, paths, strict=True):
                if isinstance(workflow_id, str):
                    events[name] = (await count_history(env.client, workflow_id)).events
                else:
                    report.unfinished.append(f"{name}: {workflow_id!r}")
    finally:
        server.should_exit = True
        await serve
        await engine.dispose()
    return len(ids) / elapsed, counts


async def run_minimal(env: WorkflowEnvironment, args: argparse.Namespace, counts: Counts) -> float:
    spec = MinimalSpec(
        activities=counts.activities,
        local_activities=counts.local_activities,
        timers=counts.timers,
        timer_seconds=7 * args.seconds_per_day,
        updates=counts.updates,
        signals=counts.signals,
    )
    gate = asyncio.Semaphore(args.concurrency)
    async with Worker(
        env.client,
        task_queue="bench-minimal",
        workflows=[MinimalWorkflow],
        activities=[noop],
        max_concurrent_activities=50,
    ):

        async def one() -> None:
            async with gate:
                handle = await env.client.start_workflow(
                    MinimalWorkflow.run,
                    spec,
                    id=f"minimal-{uuid.uuid4().hex}",
                    task_queue="bench-minimal",
                )
                for _ in range(spec.updates):
                    await handle.execute_update(MinimalWorkflow.poke)
                for _ in range(spec.signals):
                    await handle.signal(MinimalWorkflow.nudge)
                await handle.result()

        started = time.perf_counter()
        await asyncio.gather(*(one() for _ in range(args.orders)))
        return args.orders / (time.perf_counter() - started)


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--orders", type=int, default=60)
    parser.add_argument("--concurrency", type=int, default=30)
    parser.add_argument(
        "--seconds-per-day",
        type=float,
        default=0.1,
        help="business-day length in wall seconds (wage delay = 7 days); the default is short "
        "enough that the wage timer does not bound throughput (a saturated run)",
    )
    parser.add_argument(
        "--lifecycle-timeout",
        type=float,
        default=120,
        help="the longest one lifecycle may take before it is counted as unfinished",
    )
    parser.add_argument(
        "--render-processes",
        type=int,
        default=2,
        help="processes rendering invoices and payslips (0: the worker's threads, as before)",
    )
    args = parser.parse_args()
    events: dict[str, int] = {}
    report = Report()
    with tempfile.TemporaryDirectory(prefix="coopflow-bench-") as tmp:
        env = await WorkflowEnvironment.start_local(
            dev_server_existing_path=str(VENV_BIN / "temporal"),
            data_converter=pydantic_data_converter,
            search_attributes=sa.ALL_KEYS,
            dev_server_log_level="error",
        )
        try:
            full_rate, counts = await run_full(env, args, Path(tmp), events, report)
            minimal_rate = await run_minimal(env, args, counts)
        finally:
            await env.shutdown()
    print(
        f"render processes: {args.render_processes or 'none (threads)'}; "
        f"orders: {args.orders}, concurrency: {args.concurrency}, "
        f"business day: {args.seconds_per_day} s (wage delay {7 * args.seconds_per_day:.2f} s)"
    )
    print(
        f"one lifecycle: {counts.events} history events, {counts.activities} activities, "
        f"{counts.local_activities} local activities, {counts.timers} timers, "
        f"{counts.updates} updates, {counts.signals} signals"
    )
    print(f"full system (HTTP API + dev server + worker + DB): {full_rate:6.2f} lifecycles/s")
    print(f"minimal workflow, same steps, same server:        {minimal_rate:6.2f} workflows/s")
    print(f"ratio full / minimal:                             {full_rate / minimal_rate:6.2f}")
    print(
        f"closed: {len(report.latencies)}/{args.orders}; lifecycle latency p50 "
        f"{report.percentile(0.5):.2f} s, p99 {report.percentile(0.99):.2f} s; workflow tasks "
        f"over {SLOW_TASK_SECONDS:g} s: {report.slow_tasks}"
    )
    for where in report.unfinished:
        print(f"  NOT CLOSED within {args.lifecycle_timeout:g} s: {where}")
    for failure in report.failed:
        print(f"  FAILED: {failure}")
    print("history events per path (one order each, same run; 'before' = the demo before the")
    print("order workflow's lean history, measured on the same paths):")
    for name, count in events.items():
        goal = PATH_GOALS[name]
        verdict = (
            "" if goal is None else f"  goal <= {goal}: {'met' if count <= goal else 'MISSED'}"
        )
        print(f"  {name:<24} {count:4d} events  (before {BEFORE[name]}){verdict}")


if __name__ == "__main__":
    import logging

    logging.basicConfig(
        level=logging.WARNING, format="%(asctime)s %(name)s %(levelname)s %(message)s"
    )
    asyncio.run(main())
