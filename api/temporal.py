"""The API's side of the order workflow: start options, and typed calls of its Updates,
Signals and Query through the workflow class (names in ``domain.order_contract``).

Temporal errors are turned into problems by ``api.errors``.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import Any, TypeAlias

from temporalio.client import (
    Client,
    RPCTimeoutOrCancelledError,
    WorkflowHandle,
    WorkflowQueryFailedError,
    WorkflowQueryRejectedError,
)
from temporalio.common import (
    SearchAttributePair,
    TypedSearchAttributes,
    WorkflowIDConflictPolicy,
    WorkflowIDReusePolicy,
)
from temporalio.service import RPCError, RPCStatusCode

from api.errors import ProblemError
from domain.money import format_eur
from domain.order_contract import order_workflow_id
from domain.order_messages import OrderInput, OrderView, PaymentReceived, RefundRecorded
from domain.order_status import OrderStatus
from domain.ui_text import literal
from workflows.order import OrderLifecycleWorkflow
from workflows.search_attributes import (
    AMOUNT_DUE,
    CLIENT_NAME,
    DUNNING_LEVEL,
    ESCALATED,
    JURISDICTION,
    MEMBER_ID,
    ORDER_STATUS,
)

# An Update of the order: ``OrderLifecycleWorkflow.complete`` and its siblings.
OrderUpdate: TypeAlias = Callable[[OrderLifecycleWorkflow, Any], Awaitable[OrderView]]

_SUMMARY_MAX_BYTES = 200


def _shorten(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def static_summary(order: OrderInput) -> str:
    """``Order 42 · Ada Lovelace → ACME GmbH · €4,800.00`` within Temporal's 200 bytes."""
    amount = format_eur(order.net_amount_cents)
    for limit in (80, 60, 40, 20):
        text = (
            f"Order {order.order_id} · {literal(_shorten(order.member_name, limit))} → "
            f"{literal(_shorten(order.client_name, limit))} · {amount}"
        )
        if len(text.encode()) <= _SUMMARY_MAX_BYTES:
            return text
    return f"Order {order.order_id} · {amount}"


def static_details(order: OrderInput) -> str:
    """Markdown in the Temporal UI: what the member and client typed is shown literally."""
    return "\n".join(
        [
            f"**Member** {literal(order.member_name)} (#{order.member_id})",
            f"**Client** {literal(order.client_name)} ({literal(order.client_country)}"
            + (", business" if order.client_is_business else ", consumer")
            + ")",
            f"**Period** {order.period_start.isoformat()} – {order.period_end.isoformat()}",
            f"**Net** {format_eur(order.net_amount_cents)} ({order.vat_category} VAT), "
            f"payable {order.payment_terms_days} days after the invoice",
            f"**Jurisdiction** {order.jurisdiction}",
            f"**Offer valid until** {order.offer_valid_until.isoformat()}",
        ]
    )


def initial_search_attributes(order: OrderInput) -> TypedSearchAttributes:
    return TypedSearchAttributes(
        [
            SearchAttributePair(ORDER_STATUS, OrderStatus.AWAITING_SIGNATURE.value),
            SearchAttributePair(MEMBER_ID, str(order.member_id)),
            SearchAttributePair(CLIENT_NAME, order.client_name),
            SearchAttributePair(JURISDICTION, order.jurisdiction),
            # Set from the start so filters like `CoopEscalated = false` find every order, and
            # the workflow upserts only what changes.
            SearchAttributePair(AMOUNT_DUE, 0),
            SearchAttributePair(DUNNING_LEVEL, 0),
            SearchAttributePair(ESCALATED, False),
        ]
    )


async def start_order_workflow(client: Client, task_queue: str, order: OrderInput) -> str:
    """Start (or find, when already running) the order's workflow; returns its id."""
    handle = await client.start_workflow(
        OrderLifecycleWorkflow.run,
        order,
        id=order_workflow_id(order.order_id),
        task_queue=task_queue,
        id_conflict_policy=WorkflowIDConflictPolicy.USE_EXISTING,
        id_reuse_policy=WorkflowIDReusePolicy.REJECT_DUPLICATE,
        static_summary=static_summary(order),
        static_details=static_details(order),
        search_attributes=initial_search_attributes(order),
    )
    return handle.id


def _handle(client: Client, order_id: int) -> WorkflowHandle[OrderLifecycleWorkflow, Any]:
    return client.get_workflow_handle_for(OrderLifecycleWorkflow.run, order_workflow_id(order_id))


# How long a request waits for the order's answer to an action. Past it the API answers 504:
# the action stays with the order (Temporal keeps the Update) and may still take effect.
UPDATE_DEADLINE_SECONDS = 15.0


async def order_update(
    client: Client, order_id: int, update: OrderUpdate, arg: Any, *, update_id: str | None = None
) -> OrderView:
    try:
        return await asyncio.wait_for(
            _handle(client, order_id).execute_update(update, arg, id=update_id),
            UPDATE_DEADLINE_SECONDS,
        )
    except (TimeoutError, RPCTimeoutOrCancelledError):
        # (the SDK turns the cancelled call into RPCTimeoutOrCancelledError)
        raise ProblemError(
            504,
            "order-did-not-answer",
            f"Order {order_id} did not answer within {UPDATE_DEADLINE_SECONDS:.0f} seconds; it "
            "is still processing and the action may yet take effect. Check the order "
            f"(GET /orders/{order_id}) before retrying; a retry with the same Idempotency-Key "
            "waits for the same action.",
            headers={"Retry-After": "10"},
        ) from None


async def signal_payment(client: Client, order_id: int, payment: PaymentReceived) -> None:
    await _handle(client, order_id).signal(OrderLifecycleWorkflow.payment_received, payment)


async def signal_refund(client: Client, order_id: int, refund: RefundRecorded) -> None:
    await _handle(client, order_id).signal(OrderLifecycleWorkflow.refund_recorded, refund)


async def signal_retry(client: Client, order_id: int) -> None:
    await _handle(client, order_id).signal(OrderLifecycleWorkflow.retry_step)


async def query_view(client: Client, order_id: int) -> tuple[OrderView | None, str | None]:
    """The live state, or None and why not (a read never fails because Temporal is away)."""
    try:
        view = await _handle(client, order_id).query(OrderLifecycleWorkflow.state)
    except RPCError as exc:
        if exc.status == RPCStatusCode.NOT_FOUND:
            return None, "the order's workflow does not exist (yet)"
        return None, f"the workflow service did not answer: {exc.message}"
    except (WorkflowQueryFailedError, WorkflowQueryRejectedError) as exc:
        return None, f"the workflow could not answer: {exc}"
    return view, None
