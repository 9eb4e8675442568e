"""The dev stack's child processes: start each in its own process group, stop them in reverse
order, wait for a port or a URL while watching that no child died, and supervise them."""

from __future__ import annotations

import contextlib
import ctypes
import os
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
from typing import IO

from config import PROJECT_ROOT

STOP_TIMEOUT = 10.0
POLL_INTERVAL = 0.2


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


def supervise(children: Sequence[Child]) -> None:
    """Return never; raise ChildDied when a long-running child exits."""
    reported: set[str] = set()
    while True:
        check_alive(children)
        report_one_shots(children, reported)
        time.sleep(POLL_INTERVAL * 2)
