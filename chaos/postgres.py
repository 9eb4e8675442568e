"""A private PostgreSQL for a chaos run: its own cluster (``initdb``) in the run's folder, on a
free port, run by the ``postgres`` user (``runuser``), stopped and started at will. Never the
machine's PostgreSQL service: other suites use that one."""

from __future__ import annotations

import contextlib
import glob
import os
import shutil
import subprocess
from collections.abc import AsyncIterator
from pathlib import Path

from bench.stack import free_port

SERVER_USER = "postgres"


def pg_bin(name: str) -> str:
    for candidate in sorted(glob.glob(f"/usr/lib/postgresql/*/bin/{name}"), reverse=True):
        return candidate
    found = shutil.which(name)
    if not found:
        raise FileNotFoundError(f"{name} not found (PostgreSQL server binaries)")
    return found


class PrivatePostgres:
    def __init__(self, work: Path) -> None:
        self.data = work / "pg"
        self.port = free_port()

    @property
    def url(self) -> str:
        return f"postgresql+asyncpg://{SERVER_USER}@127.0.0.1:{self.port}/postgres"

    def _run(self, *args: str) -> None:
        subprocess.run(
            ["runuser", "-u", SERVER_USER, "--", *args],
            check=True,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            timeout=120,
        )

    def init(self) -> None:
        self.data.mkdir(mode=0o700)
        shutil.chown(self.data, SERVER_USER, SERVER_USER)
        self._run(pg_bin("initdb"), "-D", str(self.data), "-A", "trust", "-U", SERVER_USER)

    def start(self) -> None:
        options = f"-p {self.port} -k {self.data} -c listen_addresses=127.0.0.1 -c fsync=off"
        log = str(self.data / "server.log")
        self._run(pg_bin("pg_ctl"), "-D", str(self.data), "-o", options, "-l", log, "-w", "start")

    def stop(self) -> None:
        """Fast shutdown: open connections are cut, as when the server goes away."""
        self._run(pg_bin("pg_ctl"), "-D", str(self.data), "-m", "fast", "-w", "stop")


@contextlib.asynccontextmanager
async def private_postgres(work: Path) -> AsyncIterator[PrivatePostgres]:
    if os.geteuid() != 0:
        raise PermissionError("a private PostgreSQL is started as its server user: run as root")
    server = PrivatePostgres(work)
    server.init()
    server.start()
    try:
        yield server
    finally:
        with contextlib.suppress(subprocess.CalledProcessError):
            server.stop()
