"""Restart the Temporal dev server (persisted to its file) in the middle of the run.

    python -m chaos.restart_temporal [--lifecycles 60] [--restart-after 10] [--down 5]

The dev server runs on ``<run folder>/temporal.db``. ``--restart-after`` seconds into the run it
is stopped (SIGTERM), stays down ``--down`` seconds, and starts again on the same file and port:
the workers, the API and the driver reconnect; timers, histories and task queues survive.
"""

from __future__ import annotations

import asyncio
import sys

from chaos.scenario import Fault, main, parser, pause
from chaos.stack import Stack


def restart(after: float, down: float, times: int) -> Fault:
    async def fault(stack: Stack, done: asyncio.Event, notes: list[str]) -> None:
        for n in range(1, times + 1):
            if await pause(done, after):
                return
            await stack.restart_temporal(down)
            notes.append(f"restart {n}: Temporal stopped, down {down:g} s, started on its file")

    return fault


if __name__ == "__main__":
    p = parser(__doc__.splitlines()[0], lifecycles=60)
    p.add_argument("--restart-after", type=float, default=10.0)
    p.add_argument("--down", type=float, default=5.0)
    p.add_argument("--restarts", type=int, default=1)
    args = p.parse_args()
    fault = restart(args.restart_after, args.down, args.restarts)
    sys.exit(main(__doc__.splitlines()[0], args, fault))
