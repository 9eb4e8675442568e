"""Business time inside the order and salary workflows.

Every date the workflow reasons about is a business date. ``seconds_per_day`` (a workflow
input, so replay is safe) maps wall time to business time: 86400 in production, 1 in the demo.
Timers are computed from business dates through that scale.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime, time, timedelta

from temporalio import workflow

with workflow.unsafe.imports_passed_through():
    from domain.order_messages import OrderInput
    from domain.ui_text import literal


class BusinessClock:
    """Business time from ``origin`` (the business date when the workflow started) on."""

    def __init__(self, origin: date, seconds_per_day: float) -> None:
        self._submitted_on = origin
        self._scale = 86400 / seconds_per_day

    @classmethod
    def of_order(cls, order: OrderInput) -> BusinessClock:
        return cls(order.submitted_on, order.seconds_per_day)

    def now(self) -> datetime:
        start = workflow.info().workflow_start_time
        if start is None:  # only in odd test set-ups
            start = workflow.now()
        origin = datetime.combine(self._submitted_on, start.timetz())
        return origin + (workflow.now() - start) * self._scale

    def today(self) -> date:
        return self.now().date()

    def wall_until(self, day: date) -> timedelta:
        """Wall time until the start of business ``day``."""
        target = datetime.combine(day, time(0, 0, 1), tzinfo=UTC)
        return (target - self.now()) / self._scale

    async def wait(self, condition: Callable[[], bool], until: date | None, why: str) -> bool:
        """Wait for ``condition`` or the start of business day ``until``; True if it held."""
        if until is None:
            await workflow.wait_condition(condition)
            return True
        wall = self.wall_until(until)
        if wall <= timedelta(0):
            return condition()
        try:
            await workflow.wait_condition(condition, timeout=wall, timeout_summary=literal(why))
        except TimeoutError:
            return condition()
        return True

    async def sleep_until(self, day: date, why: str) -> None:
        wall = self.wall_until(day)
        if wall > timedelta(0):
            await workflow.sleep(wall, summary=literal(why))
