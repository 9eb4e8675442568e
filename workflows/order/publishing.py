"""Making an order's state visible: current details and search attributes in the Temporal UI,
and the status row in the database that the API lists from.

Orders started with the lean history publish once per burst of changes (a background task
flushes after the workflow code has run), upsert only the search attributes whose value
changed, and write the database projection only when what it holds changed. Orders started
before keep publishing exactly as they did, so their histories replay.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime, time
from typing import Any

from temporalio import workflow
from temporalio.common import SearchAttributeUpdate

with workflow.unsafe.imports_passed_through():
    from domain import order_steps as steps
    from domain.money import format_eur
    from domain.order_messages import CreditNoteIssued, InvoiceIssued, WagePaid
    from domain.order_status import OrderStatus
    from domain.ui_text import literal
    from workflows import search_attributes as sa

from workflows.order.steps import PROJECT_STATUS


@dataclass(frozen=True)
class Shown:
    """What an order shows at one moment."""

    status: OrderStatus
    waiting_for: str
    until: date | None
    invoice: InvoiceIssued | None
    due_date: date | None
    amount_due: int
    dunning_level: int
    escalated: bool
    credit_note: CreditNoteIssued | None
    refund_open: int
    wage: WagePaid | None
    wage_day: date | None
    # Interest not yet charged (rules 2): what accrued up to ``interest_runs_from``, and from
    # when it runs on the principal due; the pay page adds the days since (not in
    # ``projected``: they change only with what is)
    interest_runs_from: date | None = None
    interest_accrued: int = 0
    monthly_salary: bool = False  # the member's monthly salary: no wage from the order

    @property
    def projected(self) -> tuple[OrderStatus, int, int, bool]:
        return (self.status, self.amount_due, self.dunning_level, self.escalated)


def current_details(shown: Shown) -> str:
    """Markdown: our labels in bold, our own figures (amounts, dates, numbers) as they are, and
    what may hold a name (what the order waits for, a refused step's reason) through
    ``literal``."""
    until = f" **until** {shown.until.isoformat()}" if shown.until else ""
    lines = [
        f"**Status:** {shown.status.value}",
        f"**Waiting for** {literal(shown.waiting_for)}{until}",
    ]
    if shown.invoice:
        lines.append(
            f"**Invoice** {shown.invoice.number}, due {shown.due_date}: "
            f"{format_eur(shown.amount_due)} open of {format_eur(shown.invoice.gross_cents)}"
        )
    if shown.dunning_level:
        lines.append(f"**Dunning level** {shown.dunning_level}")
    if shown.credit_note:
        lines.append(
            f"**Credit note** {shown.credit_note.number} of "
            f"{shown.credit_note.issue_date}"
            + (f": {format_eur(shown.refund_open)} to refund" if shown.refund_open else "")
        )
    if shown.monthly_salary:
        lines.append("**Wage**: monthly salary (the employment budget stays in the budget)")
    elif shown.wage:
        lines.append(f"**Wage paid** {shown.wage.paid_on}: {format_eur(shown.wage.payout_cents)}")
    elif shown.wage_day and not shown.status.is_final:
        lines.append(f"**Wage day** {shown.wage_day}")
    return "\n\n".join(lines)


def search_attributes(shown: Shown) -> list[SearchAttributeUpdate[Any]]:
    updates: list[SearchAttributeUpdate[Any]] = [
        sa.ORDER_STATUS.value_set(shown.status.value),
        sa.AMOUNT_DUE.value_set(shown.amount_due),
        sa.DUNNING_LEVEL.value_set(shown.dunning_level),
        sa.ESCALATED.value_set(shown.escalated),
    ]
    if shown.invoice:
        updates.append(sa.INVOICE_NUMBER.value_set(shown.invoice.number))
    if shown.due_date:
        updates.append(sa.DUE_DATE.value_set(datetime.combine(shown.due_date, time(), tzinfo=UTC)))
    return updates


def _changed(updates: list[SearchAttributeUpdate[Any]]) -> list[SearchAttributeUpdate[Any]]:
    held = workflow.info().typed_search_attributes
    return [u for u in updates if held.get(u.key) != u.value]


class Publisher:
    def __init__(self, order_id: int, *, shown: Callable[[], Shown]) -> None:
        self._order_id = order_id
        self.lean = False  # orders started before the lean history publish as they did
        self._shown = shown
        # The API stores a submitted order as awaiting signature with nothing due.
        self._entered = OrderStatus.AWAITING_SIGNATURE
        self._projected: tuple[OrderStatus, int, int, bool] = (
            OrderStatus.AWAITING_SIGNATURE,
            0,
            0,
            False,
        )
        self._dirty = False
        self._signed_by: str | None = None
        self._saved: list[OrderStatus] = []  # see blocked()

    async def enter(self, status: OrderStatus, signed_by: str | None = None) -> None:
        """A stage or phase was entered (``status`` as it shows without refused steps)."""
        changed = status != self._entered or signed_by is not None
        self._entered = status
        await self.publish(project=changed, signed_by=signed_by)

    async def blocked(self, blocked: bool) -> None:
        """A step was refused (or retried after one). Orders before the lean history compared
        their next stage with NeedsAttention while a step waited, and with what they showed
        before once it went on: kept so their histories replay."""
        if blocked:
            self._saved.append(self._entered)
            self._entered = OrderStatus.NEEDS_ATTENTION
        elif self._saved:
            self._entered = self._saved.pop()
        await self.publish()

    async def publish(self, project: bool = True, signed_by: str | None = None) -> None:
        if self.lean:
            self._dirty = True
            self._signed_by = signed_by or self._signed_by
            return
        shown = self._shown()
        workflow.set_current_details(current_details(shown))
        workflow.upsert_search_attributes(search_attributes(shown))
        if project:
            await self._project(shown, signed_by)

    async def run(self) -> None:
        """Lean orders: flush once the workflow code has made its changes."""
        while True:
            await workflow.wait_condition(lambda: self._dirty)
            await self.flush()

    async def flush(self, *, closing: bool = False) -> None:
        """Publish what changed. ``closing``: the close step writes the final status itself."""
        self._dirty = False
        shown = self._shown()
        workflow.set_current_details(current_details(shown))
        changed = _changed(search_attributes(shown))
        if changed:
            workflow.upsert_search_attributes(changed)
        rest_changed = shown.projected[1:] != self._projected[1:]
        if self._signed_by or rest_changed or (shown.status != self._projected[0] and not closing):
            signed_by, self._signed_by = self._signed_by, None
            await self._project(shown, signed_by)

    async def _project(self, shown: Shown, signed_by: str | None) -> None:
        self._projected = shown.projected
        await workflow.execute_local_activity(
            PROJECT_STATUS.name,
            steps.ProjectStatus(
                order_id=self._order_id,
                status=shown.status,
                amount_due_cents=shown.amount_due,
                dunning_level=shown.dunning_level,
                escalated=shown.escalated,
                signed_by=signed_by,
                interest_runs_from=shown.interest_runs_from,
                interest_accrued_cents=shown.interest_accrued,
            ),
            start_to_close_timeout=PROJECT_STATUS.timeout,
            retry_policy=PROJECT_STATUS.retry,
            summary=f"Project status {shown.status.value}",
        )
