"""Long activities (PDF rendering behind the process's one renderer, Dimona polling) tell
Temporal they are alive, so a worker lost mid-step is noticed within the step's heartbeat
timeout instead of its whole start-to-close timeout."""

from __future__ import annotations

import asyncio
import functools
from collections.abc import Awaitable, Callable
from typing import ParamSpec, TypeVar

from temporalio import activity

P = ParamSpec("P")
R = TypeVar("R")

HEARTBEAT_EVERY_SECONDS = 10.0  # well inside the workflow's 60-second heartbeat timeout


async def _beat() -> None:
    while True:
        activity.heartbeat()
        await asyncio.sleep(HEARTBEAT_EVERY_SECONDS)


def heartbeating(fn: Callable[P, Awaitable[R]]) -> Callable[P, Awaitable[R]]:
    """Heartbeat in the background while ``fn`` runs (not for local activities, which
    Temporal does not track by heartbeat, nor when called outside an activity)."""

    @functools.wraps(fn)
    async def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        if not activity.in_activity() or activity.info().is_local:
            return await fn(*args, **kwargs)
        beat = asyncio.create_task(_beat())
        try:
            return await fn(*args, **kwargs)
        finally:
            beat.cancel()

    return wrapper
