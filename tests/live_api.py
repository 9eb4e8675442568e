"""The API started as the Dockerfile starts it (``uvicorn api.app:app`` in a process of its
own) on a free port, with a migrated SQLite database and no Temporal, for tests that look at
it from outside: its access log, generated requests, a browser."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO

import httpx

from tests.conftest import ROOT, migrate


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextmanager
def live_api(
    folder: Path,
    *,
    env: dict[str, str] | None = None,
    access_log: bool = False,
    output: IO[str] | None = None,
) -> Iterator[str]:
    """Yield the API's base URL while it runs; stop it afterwards."""
    url = f"sqlite+aiosqlite:///{folder / 'app.db'}"
    migrate(url)
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    process_env = (
        os.environ
        | {
            "COOPFLOW_DATABASE_URL": url,
            "COOPFLOW_DATA_DIR": str(folder),
            "COOPFLOW_TEMPORAL_ADDRESS": "127.0.0.1:1",  # not running: actions answer 503
            "COOPFLOW_DEV_MODE": "1",
            # where a browser finds it: the desk's forms must come from this origin
            "COOPFLOW_PUBLIC_BASE_URL": base,
        }
        | (env or {})
    )
    command = [sys.executable, "-m", "uvicorn", "api.app:app", "--host", "127.0.0.1"]
    command += ["--port", str(port)] + ([] if access_log else ["--no-access-log"])
    server = subprocess.Popen(
        command,
        cwd=ROOT,
        env=process_env,
        stdout=output or subprocess.DEVNULL,
        stderr=subprocess.STDOUT,
    )
    try:
        for _ in range(150):
            try:
                httpx.get(f"{base}/health", timeout=1)
                break
            except httpx.TransportError:
                time.sleep(0.1)
        yield base
    finally:
        server.terminate()
        server.wait(timeout=10)
