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
import os
import signal
import sys
from collections.abc import Sequence
from types import FrameType

from config import PROJECT_ROOT, Settings, get_settings
from dev.processes import Child, ChildDied, ports_in_use, say, stop_all, supervise
from dev.stack_services import (
    LOCALSTRIPE_HOST,
    LOCALSTRIPE_PORT,
    TEMPORAL_HOST,
    TEMPORAL_PORT,
    TEMPORAL_UI_PORT,
    api_url,
    child_env,
    local_host,
    localstripe_url,
    migrate,
    start_app,
    start_demo,
    start_localstripe,
    start_sink,
    start_temporal,
    wants_localstripe,
    webhook_url,
)


class Stop(Exception):
    """Raised by the signal handler: leave whatever we are doing and shut down."""


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
