"""The system under chaos, each part an OS process of its own: the Temporal dev server
(persisted to a file in the run's folder), a local SMTP sink (when mail goes over SMTP), one or
more workers (``python worker.py``) and the API (uvicorn), on free ports. Processes are started
and stopped with ``dev.processes``; ``kill_worker`` sends SIGKILL to a worker's process group
(the worker and its render processes), as a crash or an OOM kill would."""

from __future__ import annotations

import asyncio
import os
import re
import signal
import sys
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

from temporalio.client import Client
from temporalio.runtime import LoggingConfig, Runtime, TelemetryConfig, TelemetryFilter

from adapters.faults import LOG_MARK
from adapters.payload_codec import DEV_PAYLOAD_KEYS
from adapters.temporal_client import TemporalAccess, connect
from bench.stack import free_port
from dev.processes import Child, http_ok, port_open, spawn, stop, wait_until
from workflows.search_attributes import cli_arguments

START_TIMEOUT = 60.0  # a process answers within this, even on a loaded two-core machine
WORKER_READY = "polling task queue"  # worker.main logs it once it polls
ADMIN_TOKEN = "chaos-admin-token"
TASK_QUEUE = "chaos-orders"


@dataclass
class StackConfig:
    work: Path  # the run's folder: databases, logs, maildir, payout files
    database_url: str
    seconds_per_day: float = 0.2
    fault_rate: float = 0.0  # the workers' COOPFLOW_FAULT_RATE
    mail: Literal["smtp", "maildir"] = "smtp"
    render_processes: int = 2


@dataclass
class Stack:
    config: StackConfig
    temporal_port: int = field(default_factory=free_port)
    ui_port: int = field(default_factory=free_port)
    api_port: int = field(default_factory=free_port)
    smtp_port: int = field(default_factory=free_port)
    temporal: Child | None = None
    sink: Child | None = None
    api: Child | None = None
    workers: dict[str, Child] = field(default_factory=dict)
    starts: Counter[str] = field(default_factory=Counter)  # per worker name
    worker_kills: int = 0
    temporal_restarts: int = 0

    # --- addresses and settings ---------------------------------------------------------

    @property
    def api_url(self) -> str:
        return f"http://127.0.0.1:{self.api_port}"

    @property
    def temporal_address(self) -> str:
        return f"127.0.0.1:{self.temporal_port}"

    @property
    def maildir(self) -> Path:
        return self.config.work / "maildir"

    def env(self, fault_rate: float = 0.0) -> dict[str, str]:
        """The worker's and the API's settings (``config.Settings``), nothing inherited from
        a dev stack's ``COOPFLOW_*`` except what is set here."""
        env = {k: v for k, v in os.environ.items() if not k.startswith("COOPFLOW_")}
        c = self.config
        env.update(
            {
                "COOPFLOW_DEV_MODE": "1",  # the development secrets, on a private stack
                "COOPFLOW_DATABASE_URL": c.database_url,
                "COOPFLOW_TEMPORAL_ADDRESS": self.temporal_address,
                "COOPFLOW_TASK_QUEUE": TASK_QUEUE,
                "COOPFLOW_PAYLOAD_KEYS": DEV_PAYLOAD_KEYS,
                "COOPFLOW_DATA_DIR": str(c.work),
                "COOPFLOW_MAIL_BACKEND": c.mail,
                "COOPFLOW_SMTP_HOST": "127.0.0.1",
                "COOPFLOW_SMTP_PORT": str(self.smtp_port),
                "COOPFLOW_API_HOST": "127.0.0.1",
                "COOPFLOW_API_PORT": str(self.api_port),
                "COOPFLOW_PUBLIC_BASE_URL": self.api_url,
                "COOPFLOW_ADMIN_TOKEN": ADMIN_TOKEN,
                "COOPFLOW_SECONDS_PER_DAY": str(c.seconds_per_day),
                # A payout run (one pain.001 batch) every business day of the run.
                "COOPFLOW_PAYOUT_RUN_EVERY_SECONDS": str(c.seconds_per_day),
                "COOPFLOW_RENDER_PROCESSES": str(c.render_processes),
                "COOPFLOW_FAULT_RATE": str(fault_rate),
                "COOPFLOW_WORKER_METRICS_ADDRESS": "",
                "PYTHONUNBUFFERED": "1",
            }
        )
        return env

    async def client(self) -> Client:
        """The driver's client; the SDK's own retry warnings (while the server or a worker is
        away, which is the point here) are left out of the run's output."""
        access = TemporalAccess(payload_keys=DEV_PAYLOAD_KEYS)
        quiet = TelemetryFilter(core_level="ERROR", other_level="ERROR")
        runtime = Runtime(telemetry=TelemetryConfig(logging=LoggingConfig(filter=quiet)))
        return await connect(self.temporal_address, access=access, runtime=runtime)

    # --- processes ----------------------------------------------------------------------

    def children(self) -> list[Child]:
        found = [self.temporal, self.sink, *self.workers.values(), self.api]
        return [c for c in found if c is not None]

    def start(self, workers: int = 1) -> None:
        """Blocking, on the main thread: ``dev.processes.spawn`` makes each child die with the
        thread that started it (PR_SET_PDEATHSIG), so children are spawned here, never from
        a worker thread; only the waits run in threads (``restart_*``)."""
        self.config.work.mkdir(parents=True, exist_ok=True)
        self.spawn_temporal()
        self.wait_for_temporal()
        if self.config.mail == "smtp":
            self.sink = spawn(
                "mail sink",
                [sys.executable, "-m", "dev.mail_sink", "--port", str(self.smtp_port)]
                + ["--maildir", str(self.maildir)],
                log_file=self.config.work / "sink.log",
            )
            wait_until("mail sink", lambda: port_open("127.0.0.1", self.smtp_port), 30, [self.sink])
        for n in range(1, workers + 1):
            self.spawn_worker(f"worker-{n}")
        self.api = spawn(
            "api",
            [sys.executable, "-m", "uvicorn", "api.app:app", "--host", "127.0.0.1"]
            + ["--port", str(self.api_port), "--no-access-log"],
            env=self.env(),
            log_file=self.config.work / "api.log",
        )
        wait_until("API", lambda: http_ok(f"{self.api_url}/health"), START_TIMEOUT, [self.api])
        for name in self.workers:
            self.wait_for_worker(name)

    def spawn_temporal(self) -> None:
        command = [
            str(Path(sys.executable).parent / "temporal"),
            "server",
            "start-dev",
            "--db-filename",
            str(self.config.work / "temporal.db"),
            "--port",
            str(self.temporal_port),
            "--ui-port",
            str(self.ui_port),
            "--ip",
            "127.0.0.1",
            "--log-level",
            "error",
            *cli_arguments(),
        ]
        self.temporal = spawn("temporal", command, log_file=self.config.work / "temporal.log")

    def wait_for_temporal(self) -> None:
        assert self.temporal is not None
        wait_until(
            "Temporal",
            lambda: port_open("127.0.0.1", self.temporal_port),
            START_TIMEOUT,
            [self.temporal],
        )

    async def restart_temporal(self, down_seconds: float = 0.0) -> None:
        """Stop the dev server (SIGTERM, as an upgrade would), wait, start it on its file."""
        assert self.temporal is not None
        await asyncio.to_thread(stop, self.temporal)
        await asyncio.sleep(down_seconds)
        self.spawn_temporal()
        await asyncio.to_thread(self.wait_for_temporal)
        self.temporal_restarts += 1

    def worker_log(self, name: str) -> Path:
        return self.config.work / f"{name}.log"

    def spawn_worker(self, name: str) -> None:
        self.workers[name] = spawn(
            name,
            [sys.executable, "worker.py"],
            env=self.env(self.config.fault_rate),
            log_file=self.worker_log(name),
        )
        self.starts[name] += 1

    def wait_for_worker(self, name: str) -> None:
        """Until the worker logs that it polls (its log holds every start: count them)."""
        log, starts = self.worker_log(name), self.starts[name]

        def polling() -> bool:
            return log.exists() and log.read_text(errors="replace").count(WORKER_READY) >= starts

        wait_until(name, polling, START_TIMEOUT, [self.workers[name]])

    def kill_worker(self, name: str) -> None:
        """SIGKILL to the worker's process group: no shutdown, no goodbye to Temporal."""
        child = self.workers[name]
        os.killpg(child.process.pid, signal.SIGKILL)
        child.process.wait(timeout=30)
        if child.log:
            child.log.close()
        self.worker_kills += 1

    async def restart_worker(self, name: str) -> None:
        self.spawn_worker(name)
        await asyncio.to_thread(self.wait_for_worker, name)

    def stop(self) -> None:
        for child in reversed(self.children()):
            stop(child)

    # --- what the processes logged --------------------------------------------------------

    def log_count(self, text: str) -> int:
        return sum(
            path.read_text(errors="replace").count(text)
            for path in self.config.work.glob("worker-*.log")
        )

    def faults_injected(self) -> int:
        return self.log_count(LOG_MARK)

    def faults_by_place(self) -> Counter[str]:
        """Injected faults per adapter (or the database), from the workers' logs."""
        found: Counter[str] = Counter()
        for path in self.config.work.glob("worker-*.log"):
            text = path.read_text(errors="replace")
            found.update(re.findall(rf"{LOG_MARK} ([a-z_]+)", text))
        return found

    def activity_failures(self) -> int:
        """Activity attempts that failed and were retried (the SDK logs each one)."""
        return self.log_count("Completing activity as failed")
