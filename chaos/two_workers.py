"""Two worker processes on one task queue; one is killed for good: the other finishes.

    python -m chaos.two_workers [--lifecycles 60] [--kill-after 8]

Both workers poll the task queue from the start. ``--kill-after`` seconds into the run, one of
them gets SIGKILL and is never started again: its workflows move to the survivor once their
sticky tasks time out, its running activities once their heartbeat or start-to-close timeout
expires.
"""

from __future__ import annotations

import asyncio
import sys

from chaos.scenario import Fault, main, parser, pause
from chaos.stack import Stack


def kill_one(after: float) -> Fault:
    async def fault(stack: Stack, done: asyncio.Event, notes: list[str]) -> None:
        if await pause(done, after):
            return
        stack.kill_worker("worker-2")
        notes.append(f"worker-2 killed (SIGKILL) after {after:g} s, for good; worker-1 carries on")

    return fault


if __name__ == "__main__":
    p = parser(__doc__.splitlines()[0], lifecycles=60)
    p.add_argument("--kill-after", type=float, default=8.0)
    args = p.parse_args()
    sys.exit(main(__doc__.splitlines()[0], args, kill_one(args.kill_after), workers=2))
