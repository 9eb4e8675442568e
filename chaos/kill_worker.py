"""kill -9 the worker several times during the lifecycles, restarting it each time.

    python -m chaos.kill_worker [--lifecycles 200] [--kills 5] [--every 12]

The worker (and its render processes) gets SIGKILL every ``--every`` seconds while lifecycles
run, ``--kills`` times at most, and is started again after ``--down`` seconds: activities
that were running time out and are retried on the new worker, workflows replay from history.
"""

from __future__ import annotations

import asyncio
import sys

from chaos.scenario import Fault, main, parser, pause
from chaos.stack import Stack


def killer(kills: int, every: float, down: float) -> Fault:
    async def fault(stack: Stack, done: asyncio.Event, notes: list[str]) -> None:
        for n in range(1, kills + 1):
            if await pause(done, every):
                return
            stack.kill_worker("worker-1")
            notes.append(f"kill {n}: SIGKILL to the worker, restarted after {down:g} s")
            await asyncio.sleep(down)
            await stack.restart_worker("worker-1")

    return fault


if __name__ == "__main__":
    p = parser(__doc__.splitlines()[0], lifecycles=200)
    p.add_argument("--kills", type=int, default=5)
    p.add_argument("--every", type=float, default=12.0, help="seconds between two kills")
    p.add_argument("--down", type=float, default=2.0, help="seconds the worker stays dead")
    args = p.parse_args()
    sys.exit(main(__doc__.splitlines()[0], args, killer(args.kills, args.every, args.down)))
