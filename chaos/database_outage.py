"""The database unreachable for 30 s in the middle of the run: PostgreSQL stopped, started.

It runs on a private PostgreSQL cluster started for the run (``chaos.postgres``).

    python -m chaos.database_outage [--lifecycles 60] [--outage-after 10] [--outage 30]

``--outage-after`` seconds into the run the server is stopped (fast shutdown: connections cut),
and started again ``--outage`` seconds later. Meanwhile activities fail and are retried, the
API answers 5xx and the driver sends its requests again.
"""

from __future__ import annotations

import asyncio
import contextlib
import sys
from collections.abc import AsyncIterator
from pathlib import Path

from chaos.postgres import PrivatePostgres, private_postgres
from chaos.scenario import Fault, main, parser, pause
from chaos.stack import Stack

SERVERS: dict[Path, PrivatePostgres] = {}


def outage(after: float, seconds: float) -> Fault:
    async def fault(stack: Stack, done: asyncio.Event, notes: list[str]) -> None:
        if await pause(done, after):
            return
        server = SERVERS[stack.config.work]
        await asyncio.to_thread(server.stop)
        notes.append(f"PostgreSQL stopped {after:g} s into the run")
        await asyncio.sleep(seconds)
        await asyncio.to_thread(server.start)
        notes.append(f"PostgreSQL started again after {seconds:g} s")

    return fault


@contextlib.asynccontextmanager
async def database(work: Path) -> AsyncIterator[str]:
    async with private_postgres(work) as server:
        SERVERS[work] = server
        yield server.url


if __name__ == "__main__":
    p = parser(__doc__.splitlines()[0], lifecycles=60)
    p.add_argument("--outage-after", type=float, default=10.0)
    p.add_argument("--outage", type=float, default=30.0)
    args = p.parse_args()
    fault = outage(args.outage_after, args.outage)
    sys.exit(main(__doc__.splitlines()[0], args, fault, around=database))
