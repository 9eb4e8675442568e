"""The order workflow's activity steps in one table, and the runner that executes them.

Each step: its activity name and request type (``domain.order_steps``, shared with the activity
code), its result type, timeout, heartbeat and retry policy, and whether it runs as a local
activity (a short database write, recorded as one marker instead of three events and a
workflow task). A permanent refusal (bad bank details, a refused declaration) is not swallowed:
the branch that ran the step shows it to ops and waits for the ``retry_step`` signal.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any, Generic, Literal, TypeVar

from temporalio import workflow
from temporalio.common import RetryPolicy
from temporalio.exceptions import ActivityError, ApplicationError

with workflow.unsafe.imports_passed_through():
    from domain import order_steps as steps
    from domain import payout_runs as runs
    from domain import salary_messages as salary
    from domain.order_messages import (
        CreditNoteIssued,
        DunningNotice,
        FinanceCaseOpened,
        InvoiceIssued,
        PaymentReceived,
        RefundsStarted,
        WagePaid,
    )
    from domain.payout_runs import PayoutQueued
    from domain.ui_text import literal

R = TypeVar("R")
Branch = Literal["order", "wage", "collection"]

RETRY = RetryPolicy(
    initial_interval=timedelta(seconds=1),
    maximum_interval=timedelta(minutes=5),
    non_retryable_error_types=["PermanentError"],
)


@dataclass(frozen=True)
class Step(Generic[R]):
    name: str
    result: Any  # the result type (a class or a generic alias such as list[...]); None: none
    timeout: timedelta
    local: bool = False  # a short database write: a local activity
    heartbeat: timedelta | None = None  # long steps heartbeat; a lost worker is seen this soon
    retry: RetryPolicy = field(default_factory=lambda: RETRY)


_SHORT = timedelta(seconds=30)
_RENDER = timedelta(minutes=5)  # PDF rendering waits for the process's one renderer
_BEAT = timedelta(seconds=60)

PROJECT_STATUS: Step[None] = Step(steps.PROJECT_STATUS, None, _SHORT, local=True)
SEND_OFFER: Step[None] = Step(steps.SEND_OFFER, None, timedelta(minutes=1), local=True)
# Dimona answers asynchronously: the client polls for up to several minutes, heartbeating.
DECLARE_EMPLOYMENT: Step[str] = Step(
    steps.DECLARE_EMPLOYMENT, str, timedelta(minutes=15), heartbeat=_BEAT
)
ISSUE_INVOICE: Step[InvoiceIssued] = Step(
    steps.ISSUE_INVOICE, InvoiceIssued, _RENDER, heartbeat=_BEAT
)
UNAPPLIED_PAYMENTS: Step[list[PaymentReceived]] = Step(
    steps.UNAPPLIED_PAYMENTS, list[PaymentReceived], _SHORT, local=True
)
APPLY_PAYMENT: Step[None] = Step(steps.APPLY_PAYMENT, None, _SHORT, local=True)
# A dunning document row, its ledger entry and a text e-mail.
SEND_REMINDER: Step[DunningNotice] = Step(
    steps.SEND_REMINDER, DunningNotice, timedelta(minutes=1), local=True
)
# A dunning document row and a ledger entry, idempotent by the payment's key.
CHARGE_INTEREST: Step[str] = Step(steps.CHARGE_INTEREST, str, _SHORT, local=True)
WAIVE_CHARGES: Step[None] = Step(steps.WAIVE_CHARGES, None, _SHORT, local=True)
OPEN_FINANCE_CASE: Step[FinanceCaseOpened] = Step(
    steps.OPEN_FINANCE_CASE, FinanceCaseOpened, _SHORT, local=True
)
RECORD_DECISION: Step[None] = Step(steps.RECORD_DECISION, None, _SHORT, local=True)
WRITE_OFF: Step[None] = Step(steps.WRITE_OFF, None, _SHORT, local=True)
# The member's wage mode when the client signs (a monthly salary: no wage from the order).
WAGE_MODE_OF: Step[str] = Step(salary.WAGE_MODE_OF, str, _SHORT, local=True)
RUN_PAYROLL: Step[int] = Step(steps.RUN_PAYROLL, int, _RENDER, heartbeat=_BEAT)
# The engines take milliseconds and the payslip PDF about 0.2 s: short enough to run inside the
# workflow task (a burst that queues at the renderer makes the SDK extend the task, no harm).
RUN_EXACT_PAYROLL: Step[steps.PayrollDone] = Step(
    steps.RUN_EXACT_PAYROLL, steps.PayrollDone, _RENDER, local=True, heartbeat=_BEAT
)
# A ledger entry and a pain.001 file, both idempotent by the order's payout key.
PAY_WAGE: Step[WagePaid] = Step(steps.PAY_WAGE, WagePaid, timedelta(minutes=1), local=True)
# A database write and one call to the Temporal service (signal-with-start of the run): short,
# so local (one marker in the history).
QUEUE_PAYOUT: Step[PayoutQueued] = Step(
    runs.QUEUE_PAYOUT, PayoutQueued, timedelta(minutes=1), local=True
)
CLOSE_ORDER: Step[None] = Step(steps.CLOSE_ORDER, None, _SHORT, local=True)
ISSUE_CREDIT_NOTE: Step[CreditNoteIssued] = Step(
    steps.ISSUE_CREDIT_NOTE, CreditNoteIssued, _RENDER, heartbeat=_BEAT
)
REFUND_CLIENT: Step[RefundsStarted] = Step(
    steps.REFUND_CLIENT, RefundsStarted, timedelta(minutes=2)
)
BOOK_REFUND: Step[None] = Step(steps.BOOK_REFUND, None, _SHORT, local=True)


class StepRunner:
    """Runs steps for the order's branches; each branch has its own slot for a refused step."""

    def __init__(self, *, on_blocked: Callable[[bool], Awaitable[None]]) -> None:
        # Orders started before the lean history ran every step as a full activity.
        self.lean = False
        self._on_blocked = on_blocked
        self.blocked: dict[Branch, str] = {}
        self._retries = 0

    def retry(self) -> None:
        """Ops fixed the cause: every refused step tries again."""
        self._retries += 1

    async def run(self, step: Step[R], request: Any, summary: str, branch: Branch) -> R:
        while True:
            try:
                return await self._execute(step, request, summary)
            except (ActivityError, ApplicationError) as err:
                # A local activity's failure arrives unwrapped, an activity's as its cause.
                cause = err.cause if isinstance(err, ActivityError) else err
                if not isinstance(cause, ApplicationError) or not cause.non_retryable:
                    raise
                await self.hold(branch, f"ops: {summary} was refused: {cause.message}")

    async def hold(self, branch: Branch, why: str) -> None:
        """Show ``why`` to ops (the order is NeedsAttention) until they send ``retry_step``."""
        seen = self._retries
        self.blocked[branch] = why
        await self._on_blocked(True)
        await workflow.wait_condition(lambda: self._retries > seen)
        del self.blocked[branch]
        await self._on_blocked(False)

    async def _execute(self, step: Step[R], request: Any, summary: str) -> R:
        result: R
        if self.lean and step.local:
            result = await workflow.execute_local_activity(
                step.name,
                request,
                start_to_close_timeout=step.timeout,
                retry_policy=step.retry,
                result_type=step.result,
                summary=literal(summary),
            )
        else:
            result = await workflow.execute_activity(
                step.name,
                request,
                start_to_close_timeout=step.timeout,
                heartbeat_timeout=step.heartbeat,
                retry_policy=step.retry,
                result_type=step.result,
                summary=literal(summary),
            )
        return result
