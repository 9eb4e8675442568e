"""One chaos run: start the stack, drive the lifecycles while a fault plays out beside them,
stop, check the invariants, print the figures. Each script of ``chaos/`` is a fault and a call
to ``main``."""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import logging
import os
import shutil
import tempfile
from collections.abc import AsyncIterator, Callable, Coroutine
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx

from bench.figures import migrate
from chaos.drive import ChaosDriver, Outcome, run_lifecycles
from chaos.invariants import Check, check_all, report
from chaos.stack import ADMIN_TOKEN, Stack, StackConfig

# A fault: plays out on the running stack until ``done`` is set (every lifecycle ended);
# appends what it did to ``notes``.
Fault = Callable[[Stack, asyncio.Event, list[str]], Coroutine[Any, Any, None]]


@dataclass
class Run:
    outcome: Outcome
    checks: list[Check]
    figures: dict[str, object] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return all(c.ok for c in self.checks) and not self.outcome.failed


async def pause(done: asyncio.Event, seconds: float) -> bool:
    """Sleep ``seconds``; True if the run ended meanwhile."""
    with contextlib.suppress(TimeoutError):
        await asyncio.wait_for(done.wait(), seconds)
    return done.is_set()


async def run(
    config: StackConfig,
    *,
    lifecycles: int,
    concurrency: int,
    timeout: float,
    fault: Fault | None = None,
    workers: int = 1,
    credit_every: int = 0,
) -> Run:
    await asyncio.to_thread(migrate, config.database_url)
    stack = Stack(config)
    notes: list[str] = []
    try:
        stack.start(workers)  # on this thread: see Stack.start
        temporal = await stack.client()
        async with httpx.AsyncClient(base_url=stack.api_url, timeout=30) as http:
            driver = ChaosDriver(http, ADMIN_TOKEN, timeout)
            await driver.setup()
            done = asyncio.Event()
            playing = asyncio.create_task(fault(stack, done, notes)) if fault else None
            try:
                outcome = await run_lifecycles(
                    driver, temporal, lifecycles, concurrency, credit_every
                )
            finally:
                done.set()
                if playing:
                    await playing
    finally:
        await asyncio.to_thread(stack.stop)
    checks = await check_all(config.database_url, config.work, expected=len(outcome.orders))
    restarts = sum(stack.starts.values()) - workers
    figures: dict[str, object] = {
        "lifecycles": lifecycles,
        "completed": len(outcome.closed),
        "elapsed": f"{outcome.elapsed:.1f} s",
        "latency p50 / max": _latency(outcome),
        "worker kills (SIGKILL)": stack.worker_kills,
        "worker restarts": restarts,
        "Temporal restarts": stack.temporal_restarts,
        "faults injected": stack.faults_injected(),
        "  by place": dict(stack.faults_by_place().most_common()) or "-",
        "activity attempts failed (retried)": stack.activity_failures(),
        "credit notes asked / refused (too late)": (
            f"{lifecycles // credit_every if credit_every else 0} / {driver.credit_notes_refused}"
        ),
        "driver retries (requests, queries)": driver.retries,
    }
    return Run(outcome, checks, figures, notes)


def _latency(outcome: Outcome) -> str:
    ordered = sorted(outcome.latencies)
    if not ordered:
        return "-"
    return f"{ordered[len(ordered) // 2]:.1f} s / {ordered[-1]:.1f} s"


def print_run(title: str, result: Run) -> bool:
    print(f"== {title}")  # noqa: T201
    for name, value in result.figures.items():
        print(f"  {name:<40} {value}")  # noqa: T201
    for note in result.notes:
        print(f"  - {note}")  # noqa: T201
    for where in result.outcome.unfinished:
        print(f"  NOT CLOSED: {where}")  # noqa: T201
    for failure in result.outcome.failed:
        print(f"  FAILED: {failure}")  # noqa: T201
    print("invariants:")  # noqa: T201
    return report(result.checks) and not result.outcome.failed


def parser(description: str, lifecycles: int) -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(description=description)
    p.add_argument("--lifecycles", type=int, default=lifecycles)
    p.add_argument("--concurrency", type=int, default=20)
    # A business day of a second: the 120 days' payment terms (24 s at 0.2 s a day) outlast
    # the recovery from a fault, so a lifecycle is paid before it is due.
    p.add_argument("--seconds-per-day", type=float, default=1.0)
    p.add_argument(
        "--timeout", type=float, default=300, help="the longest one lifecycle may take (s)"
    )
    p.add_argument("--mail", choices=("smtp", "maildir"), default="smtp")
    p.add_argument(
        "--credit-every",
        type=int,
        default=10,
        help="every Nth lifecycle is cancelled by a credit note before its wage (0: none)",
    )
    p.add_argument("--render-processes", type=int, default=2)
    p.add_argument(
        "--keep", action="store_true", help="keep the run's folder (logs, files; kept on failure)"
    )
    return p


def main(
    title: str,
    args: argparse.Namespace,
    fault: Fault | None,
    *,
    fault_rate: float = 0.0,
    workers: int = 1,
    around: Callable[[Path], contextlib.AbstractAsyncContextManager[str]] | None = None,
) -> int:
    """Run, print, exit code 1 if an invariant fails. ``around``: a context giving the
    database URL for the run's folder (a private PostgreSQL); else SQLite in the folder."""
    logging.basicConfig(level=logging.WARNING, format="%(asctime)s %(levelname)s %(message)s")
    work = Path(tempfile.mkdtemp(prefix="coopflow-chaos-"))
    os.chmod(work, 0o755)  # a private PostgreSQL's server user reads below it

    async def go() -> Run:
        async with around(work) if around else _sqlite(work) as url:
            config = StackConfig(
                work=work,
                database_url=url,
                seconds_per_day=args.seconds_per_day,
                fault_rate=fault_rate,
                mail=args.mail,
                render_processes=args.render_processes,
            )
            return await run(
                config,
                lifecycles=args.lifecycles,
                concurrency=args.concurrency,
                timeout=args.timeout,
                fault=fault,
                workers=workers,
                credit_every=args.credit_every,
            )

    ok = False
    try:
        result = asyncio.run(go())
        ok = print_run(title, result)
    finally:
        if args.keep or not ok:  # a failed run's folder is kept, to look into
            print(f"run folder kept: {work}")  # noqa: T201
        else:
            shutil.rmtree(work, ignore_errors=True)
    print("ALL CHECKS PASSED" if ok else "CHECKS FAILED")  # noqa: T201
    return 0 if ok else 1


@contextlib.asynccontextmanager
async def _sqlite(work: Path) -> AsyncIterator[str]:
    yield f"sqlite+aiosqlite:///{work / 'coopflow.db'}"
