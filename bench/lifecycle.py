"""Completed order lifecycles per second through the full system, next to a minimal workflow.

Full system: the HTTP API (uvicorn, a process of its own) → Temporal dev server → worker
processes (``worker.py``, ``--workers`` of them on one task queue) with the real activities →
database (SQLite by default, ``COOPFLOW_BENCH_DATABASE_URL`` for PostgreSQL) and
local adapters (maildir, pain.001 files). Each lifecycle: create order, submit, sign through the
signing link, complete, record the payment, then the workflow pays the wage after 7 business
days (at ``--seconds-per-day``) and closes.

Yardstick: ``bench.minimal_workflow.MinimalWorkflow`` with the same number of activities, local
activities, timers, updates and signals as one real lifecycle (counted from its history), run the
same number of times with the same concurrency on the same server, in the same run, on as many
worker processes of its own (so both sides pay the same process boundary).

    .venv/bin/python -m bench.lifecycle [--orders 60] [--concurrency 30] [--seconds-per-day 0.1]
                                        [--workers 1] [--compare-workers]

``--compare-workers`` runs the whole thing with one worker process, then with two, and prints
both with their ratio (goal: two workers >= 1.6 x one).

The defaults saturate the system (the business day is short enough that the wage timer does not
bound throughput). The bench never waits for ever: a lifecycle that has not closed within
``--lifecycle-timeout`` is reported with its status and what it waits for. It also prints the
lifecycle latency (p50, p99), the workflow tasks that took more than a second, and where a
lifecycle's time goes per step (``bench.profile``, from the histories).
"""

from __future__ import annotations

import argparse
import asyncio
import os
import sys
import tempfile
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path

import httpx
from temporalio.contrib.pydantic import pydantic_data_converter
from temporalio.testing import WorkflowEnvironment

from bench.cpu import cpu_by_role, per_lifecycle
from bench.figures import Counts, Report, count_history, migrate
from bench.lifecycle_driver import Driver, Unfinished, failure
from bench.minimal_workflow import MinimalSpec, MinimalWorkflow
from bench.profile import SLOW_TASK_SECONDS, Profile
from bench.stack import Stack, free_port, system_env
from config import PROJECT_ROOT
from workflows import search_attributes as sa

VENV_BIN = Path(sys.executable).parent


# History events per path (issue 8: paid on time <= 60, escalated <= 120; paid late: before 132).
PATH_GOALS = {"paid on time": 60, "paid late": None, "escalated, written off": 120}
BEFORE = {"paid on time": 93, "paid late": 132, "escalated, written off": 183}


@dataclass
class Run:
    """One full-system run with ``workers`` worker processes, and its yardstick."""

    workers: int
    rate: float = 0.0  # closed lifecycles per second
    minimal_rate: float = 0.0  # minimal workflows per second, as many worker processes
    counts: Counts = field(default_factory=Counts)
    report: Report = field(default_factory=Report)
    profile: Profile = field(default_factory=Profile)
    events: dict[str, int] = field(default_factory=dict)  # history events per path
    phases: dict[str, list[float]] = field(default_factory=dict)  # the client's side, seconds
    cpu: list[str] = field(default_factory=list)  # CPU per lifecycle by process, lines
    minimal_cpu: list[str] = field(default_factory=list)  # the same per minimal workflow


async def run_full(
    env: WorkflowEnvironment, args: argparse.Namespace, work: Path, run: Run, *, paths: bool
) -> None:
    """``run.workers`` worker processes and an API process on a database of their own."""
    url = (
        os.environ.get("COOPFLOW_BENCH_DATABASE_URL")
        or f"sqlite+aiosqlite:///{work / f'bench-{run.workers}.db'}"
    )
    await asyncio.to_thread(migrate, url)
    data_dir = work / f"data-{run.workers}"
    data_dir.mkdir(parents=True, exist_ok=True)
    port = free_port()
    task_queue = f"bench-orders-{run.workers}-{uuid.uuid4().hex[:6]}"
    settings = system_env(
        database_url=url,
        data_dir=data_dir,
        temporal_address=env.client.service_client.config.target_host,
        task_queue=task_queue,
        api_port=port,
        seconds_per_day=args.seconds_per_day,
        render_processes=args.render_processes,
    )
    stack = Stack(logs=args.logs or work)
    report = run.report
    gate = asyncio.Semaphore(args.concurrency)
    closed_at: list[float] = []
    try:
        base = await stack.api(settings, port)
        worker = [sys.executable, str(PROJECT_ROOT / "worker.py")]
        await stack.workers(env.client, task_queue, run.workers, worker, settings)
        async with httpx.AsyncClient(base_url=base, timeout=60) as http:
            admin = settings["COOPFLOW_ADMIN_TOKEN"]
            driver = Driver(http, admin, timeout=args.lifecycle_timeout)
            await driver.setup()

            async def one() -> str:
                async with gate:
                    began = time.perf_counter()
                    workflow_id = await driver.lifecycle(env.client)
                    closed_at.append(time.perf_counter())
                    report.latencies.append(closed_at[-1] - began)
                    return workflow_id

            server_port = settings["COOPFLOW_TEMPORAL_ADDRESS"].rsplit(":", 1)[-1]
            cpu_before = cpu_by_role(stack.groups(), server_port)
            started = time.perf_counter()
            results = await stack.guard(
                asyncio.gather(*(one() for _ in range(args.orders)), return_exceptions=True)
            )
            # Until the last lifecycle closed: the bound waited for one that did not close is
            # not time the system spent closing the others (those are reported on their own).
            elapsed = max(closed_at, default=time.perf_counter()) - started
            cpu_after = cpu_by_role(stack.groups(), server_port)
            run.phases = dict(driver.phases)
            ids = [r for r in results if isinstance(r, str)]
            report.unfinished = [r.where for r in results if isinstance(r, Unfinished)]
            report.failed = [
                failure(r)
                for r in results
                if isinstance(r, BaseException) and not isinstance(r, Unfinished)
            ]
            if not ids:
                raise RuntimeError(f"no lifecycle closed: {report.unfinished or report.failed}")
            run.rate = len(ids) / elapsed
            run.cpu = per_lifecycle(cpu_before, cpu_after, len(ids))
            run.cpu.append(f"  (the run took {elapsed:.1f} s on {os.cpu_count()} cores)")
            run.counts = await count_history(env.client, ids[0])
            for workflow_id in ids:
                await run.profile.add_history(env.client, workflow_id)
            if paths:
                outcomes = await stack.guard(
                    asyncio.gather(
                        driver.lifecycle(env.client),
                        driver.paid_late(env.client),
                        driver.escalated(env.client),
                        return_exceptions=True,
                    )
                )
                for name, outcome in zip(PATH_GOALS, outcomes, strict=True):
                    if isinstance(outcome, str):
                        run.events[name] = (await count_history(env.client, outcome)).events
                    else:
                        report.unfinished.append(f"{name}: {outcome!r}")
    finally:
        await asyncio.to_thread(stack.stop)


async def run_minimal(
    env: WorkflowEnvironment, args: argparse.Namespace, work: Path, run: Run, counts: Counts
) -> None:
    """The yardstick on ``run.workers`` worker processes of its own, at the same concurrency."""
    spec = MinimalSpec(
        activities=counts.activities,
        local_activities=counts.local_activities,
        timers=counts.timers,
        timer_seconds=7 * args.seconds_per_day,
        updates=counts.updates,
        signals=counts.signals,
    )
    task_queue = f"bench-minimal-{run.workers}-{uuid.uuid4().hex[:6]}"
    address = env.client.service_client.config.target_host
    stack = Stack(logs=args.logs or work)
    gate = asyncio.Semaphore(args.concurrency)

    async def one() -> None:
        async with gate:
            handle = await env.client.start_workflow(
                MinimalWorkflow.run,
                spec,
                id=f"minimal-{uuid.uuid4().hex}",
                task_queue=task_queue,
            )
            for _ in range(spec.updates):
                await handle.execute_update(MinimalWorkflow.poke)
            for _ in range(spec.signals):
                await handle.signal(MinimalWorkflow.nudge)
            await asyncio.wait_for(handle.result(), args.lifecycle_timeout)

    try:
        serve = [sys.executable, "-m", "bench.minimal_workflow", address, task_queue]
        await stack.workers(env.client, task_queue, run.workers, serve, {})
        port = address.rsplit(":", 1)[-1]
        cpu_before = cpu_by_role(stack.groups(), port)
        started = time.perf_counter()
        await stack.guard(asyncio.gather(*(one() for _ in range(args.orders))))
        run.minimal_rate = args.orders / (time.perf_counter() - started)
        run.minimal_cpu = per_lifecycle(cpu_before, cpu_by_role(stack.groups(), port), args.orders)
    finally:
        await asyncio.to_thread(stack.stop)


def arguments() -> argparse.Namespace:
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
        help="processes rendering invoices and payslips, per worker (0: the worker's threads)",
    )
    parser.add_argument(
        "--workers", type=int, default=1, help="worker processes polling the one task queue"
    )
    parser.add_argument(
        "--compare-workers",
        action="store_true",
        help="run with 1 and with 2 worker processes, one after the other, and compare",
    )
    parser.add_argument(
        "--logs", type=Path, help="keep the API's and the workers' logs here (default: dropped)"
    )
    return parser.parse_args()


def print_runs(args: argparse.Namespace, runs: list[Run]) -> None:
    first = runs[0]
    counts = first.counts
    print(
        f"render processes per worker: {args.render_processes or 'none (threads)'}; "
        f"orders: {args.orders}, concurrency: {args.concurrency}, "
        f"business day: {args.seconds_per_day} s (wage delay {7 * args.seconds_per_day:.2f} s)"
    )
    print(
        f"one lifecycle: {counts.events} history events, {counts.activities} activities, "
        f"{counts.local_activities} local activities, {counts.timers} timers, "
        f"{counts.updates} updates, {counts.signals} signals"
    )
    print("full system: HTTP API process + dev server + worker processes + DB; minimal workflow:")
    print("the same steps on the same server, its own worker processes (as many), same run")
    print(
        f"  {'workers':>7} {'full /s':>8} {'minimal /s':>10} {'ratio':>6} {'closed':>7} "
        f"{'p50 s':>6} {'p99 s':>6}  slow tasks (> {SLOW_TASK_SECONDS:g} s)"
    )
    for run in runs:
        r = run.report
        print(
            f"  {run.workers:7d} {run.rate:8.2f} {run.minimal_rate:10.2f} "
            f"{run.rate / run.minimal_rate:6.2f} {len(r.latencies):3d}/{args.orders:<3d} "
            f"{r.percentile(0.5):6.2f} {r.percentile(0.99):6.2f}  {run.profile.slow_tasks}"
        )
    if len(runs) == 2:
        print(
            f"  {runs[1].workers} workers / {runs[0].workers}: full "
            f"{runs[1].rate / runs[0].rate:.2f} x (goal >= 1.6), minimal "
            f"{runs[1].minimal_rate / runs[0].minimal_rate:.2f} x ({os.cpu_count()} cores, "
            "shared with the server, the API and the bench)"
        )
    for run in runs:
        for where in run.report.unfinished:
            print(f"  NOT CLOSED ({run.workers} w) within {args.lifecycle_timeout:g} s: {where}")
        for failed in run.report.failed:
            print(f"  FAILED ({run.workers} w): {failed}")
    print(f"where a lifecycle's time goes ({first.workers} worker(s), from the histories):")
    for line in first.profile.lines(len(first.report.latencies)):
        print(line)
    print(f"CPU per closed lifecycle ({first.workers} worker(s), from /proc):")
    for line in first.cpu:
        print(line)
    print("CPU per minimal workflow, same run:")
    for line in first.minimal_cpu:
        print(line)
    print("the client's side (mean seconds per lifecycle):")
    for phase, took in first.phases.items():
        print(f"  {phase:<40} {sum(took) / len(took):6.2f} s")
    print("history events per path (one order each, same run; 'before' = the demo before the")
    print("order workflow's lean history, measured on the same paths):")
    for name, count in first.events.items():
        goal = PATH_GOALS[name]
        verdict = (
            "" if goal is None else f"  goal <= {goal}: {'met' if count <= goal else 'MISSED'}"
        )
        print(f"  {name:<24} {count:4d} events  (before {BEFORE[name]}){verdict}")


async def main() -> None:
    args = arguments()
    if args.logs:
        args.logs.mkdir(parents=True, exist_ok=True)
    runs = [Run(workers=n) for n in ((1, 2) if args.compare_workers else (args.workers,))]
    with tempfile.TemporaryDirectory(prefix="coopflow-bench-") as tmp:
        for run in runs:
            # A dev server per run: the order ids (and so the workflow ids) start again with
            # each run's database, and the second run meets a server as fresh as the first.
            env = await WorkflowEnvironment.start_local(
                dev_server_existing_path=str(VENV_BIN / "temporal"),
                data_converter=pydantic_data_converter,
                search_attributes=sa.ALL_KEYS,
                dev_server_log_level="error",
            )
            try:
                await run_full(env, args, Path(tmp), run, paths=run is runs[0])
                await run_minimal(env, args, Path(tmp), run, runs[0].counts)
            finally:
                await env.shutdown()
    print_runs(args, runs)


if __name__ == "__main__":
    import logging

    logging.basicConfig(
        level=logging.WARNING, format="%(asctime)s %(name)s %(levelname)s %(message)s"
    )
    asyncio.run(main())
