"""The lifecycle bench's processes: the API (uvicorn) and N workers (``worker.py``'s main), each
an OS process of its own with the bench's settings in ``COOPFLOW_*`` variables, started and
stopped as the dev stack does (``dev.processes``: own process group, SIGTERM then SIGKILL after
a bound). The minimal workflow's workers are processes too (``bench.minimal_workflow``), so the
yardstick pays the same process boundary. Every wait is bounded; a child that dies is named with
the end of its log."""

from __future__ import annotations

import asyncio
import os
import socket
import sys
import time
from collections.abc import Awaitable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TypeVar

from temporalio.api.enums.v1 import TaskQueueType
from temporalio.api.taskqueue.v1 import TaskQueue
from temporalio.api.workflowservice.v1 import DescribeTaskQueueRequest
from temporalio.client import Client

from dev.processes import Child, ChildDied, check_alive, http_ok, spawn, stop

T = TypeVar("T")
START_TIMEOUT = 90.0  # a worker imports WeasyPrint and the rules; the API its routers


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class Stack:
    """The children of one run, and where their logs go."""

    logs: Path
    children: list[Child] = field(default_factory=list)

    def start(self, name: str, args: Sequence[str], env: dict[str, str]) -> Child:
        child = spawn(name, args, env=os.environ | env, log_file=self.logs / f"{name}.log")
        self.children.append(child)
        return child

    def check(self) -> None:
        """Raise ``ChildDied`` (with the end of its log) if a child has exited."""
        try:
            check_alive(self.children)
        except ChildDied as died:
            tail = (self.logs / f"{died.child.name}.log").read_text(errors="replace")[-2000:]
            raise RuntimeError(f"{died}; the end of its log:\n{tail}") from None

    async def guard(self, work: Awaitable[T]) -> T:
        """``work``'s result, unless a child dies first: then its log, and ``work`` cancelled."""
        task = asyncio.ensure_future(work)
        while not task.done():
            await asyncio.wait({task}, timeout=1.0)
            try:
                self.check()
            except RuntimeError:
                task.cancel()
                raise
        return task.result()

    def groups(self) -> dict[int, str]:
        """Each child's process group (its pid: ``spawn`` makes it a leader) and role."""
        return {c.process.pid: "API" if c.name == "api" else "worker" for c in self.children}

    def stop(self) -> None:
        for child in reversed(self.children):
            stop(child)
        self.children.clear()

    async def api(self, env: dict[str, str], port: int) -> str:
        """``uvicorn api.app:app`` on ``port``; returns its base URL once /health answers."""
        args = [sys.executable, "-m", "uvicorn", "api.app:app", "--port", str(port)]
        self.start("api", [*args, "--log-level", "warning", "--no-access-log"], env)
        base = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + START_TIMEOUT
        while not await asyncio.to_thread(http_ok, f"{base}/health"):
            self.check()
            if time.monotonic() > deadline:
                raise TimeoutError(f"the API did not answer within {START_TIMEOUT:g} s")
            await asyncio.sleep(0.2)
        return base

    async def workers(
        self, client: Client, task_queue: str, n: int, args: Sequence[str], env: dict[str, str]
    ) -> None:
        """Start ``n`` worker processes running ``args``; return once ``n`` poll ``task_queue``."""
        for i in range(n):
            self.start(f"worker-{task_queue}-{i + 1}", args, env)
        deadline = time.monotonic() + START_TIMEOUT
        while await pollers(client, task_queue) < n:
            self.check()
            if time.monotonic() > deadline:
                raise TimeoutError(f"{n} workers did not poll within {START_TIMEOUT:g} s")
            await asyncio.sleep(0.2)


async def pollers(client: Client, task_queue: str) -> int:
    """How many worker processes poll ``task_queue`` for workflow tasks."""
    answer = await client.workflow_service.describe_task_queue(
        DescribeTaskQueueRequest(
            namespace=client.namespace,
            task_queue=TaskQueue(name=task_queue),
            task_queue_type=TaskQueueType.TASK_QUEUE_TYPE_WORKFLOW,
        )
    )
    return len({p.identity for p in answer.pollers})


def system_env(
    *,
    database_url: str,
    data_dir: Path,
    temporal_address: str,
    task_queue: str,
    api_port: int,
    seconds_per_day: float,
    render_processes: int,
) -> dict[str, str]:
    """The settings the API and the workers share in the bench (dev mode: the development
    secrets; mail to a maildir; a payout cut-off every business day, as in the demo)."""
    return {
        "COOPFLOW_DEV_MODE": "1",
        "COOPFLOW_DATABASE_URL": database_url,
        "COOPFLOW_DATA_DIR": str(data_dir),
        "COOPFLOW_MAIL_BACKEND": "maildir",
        "COOPFLOW_TEMPORAL_ADDRESS": temporal_address,
        "COOPFLOW_TASK_QUEUE": task_queue,
        "COOPFLOW_PUBLIC_BASE_URL": f"http://127.0.0.1:{api_port}",
        "COOPFLOW_SECONDS_PER_DAY": str(seconds_per_day),
        "COOPFLOW_ADMIN_TOKEN": "bench-admin",
        "COOPFLOW_PAYOUT_RUN_EVERY_SECONDS": str(seconds_per_day),
        "COOPFLOW_RENDER_PROCESSES": str(render_processes),
        "COOPFLOW_LOG_FORMAT": "text",
        "COOPFLOW_PAYLOAD_KEYS": "",  # the bench's client reads the histories in clear
        "COOPFLOW_WORKER_BUILD_ID": "",
    }
