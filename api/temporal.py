"""The API's side of the order workflow contract: names, start options, Updates and the Query.

Workflow type ``OrderLifecycleWorkflow``, id ``order-<order id>``; Updates ``respond_to_offer``,
``complete``, ``cancel``, ``decide`` return ``OrderView``; Signal ``payment_received``; Query
``state``. Temporal errors are turned into problems by ``api.errors``.
"""

from __future__ import annotations

from typing import Any

from temporalio.client import Client, WorkflowQueryFailedError, WorkflowQueryRejectedError
from temporalio.common import (
    SearchAttributePair,
    TypedSearchAttributes,
    WorkflowIDConflictPolicy,
    WorkflowIDReusePolicy,
)
from temporalio.service import RPCError, RPCStatusCode

from api.deps import ApiConfig as Settings  # the API's configuration: task_queue
from domain.money import format_eur
from domain.order_messages import OrderInput, OrderView, PaymentReceived, RefundRecorded
from domain.order_status import OrderStatus
from workflows.search_attributes import CLIENT_NAME, JURISDICTION, MEMBER_ID, ORDER_STATUS

ORDER_WORKFLOW = "OrderLifecycleWorkflow"

UPDATE_RESPOND = "respond_to_offer"
UPDATE_COMPLETE = "complete"
UPDATE_CANCEL = "cancel"
UPDATE_DECIDE = "decide"
SIGNAL_PAYMENT = "payment_received"
SIGNAL_REFUND = "refund_recorded"
QUERY_STATE = "state"

_SUMMARY_MAX_BYTES = 200


def order_workflow_id(order_id: int) -> str:
    return f"order-{order_id}"


def _shorten(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def static_summary(order: OrderInput) -> str:
    """``Order 42 · Ada Lovelace → ACME GmbH · €4,800.00`` within Temporal's 200 bytes."""
    amount = format_eur(order.net_amount_cents)
    for limit in (80, 60, 40, 20):
        text = (
            f"Order {order.order_id} · {_shorten(order.member_name, limit)} → "
            f"{_shorten(order.client_name, limit)} · {amount}"
        )
        if len(text.encode()) <= _SUMMARY_MAX_BYTES:
            return text
    return f"Order {order.order_id} · {amount}"


def static_details(order: OrderInput) -> str:
    return "\n".join(
        [
            f"**Member** {order.member_name} (#{order.member_id})",
            f"**Client** {order.client_name} ({order.client_country}"
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
        ]
    )


async def start_order_workflow(client: Client, settings: Settings, order: OrderInput) -> str:
    """Start (or find, when already running) the order's workflow; returns its id."""
    handle = await client.start_workflow(
        ORDER_WORKFLOW,
        order,
        id=order_workflow_id(order.order_id),
        task_queue=settings.task_queue,
        id_conflict_policy=WorkflowIDConflictPolicy.USE_EXISTING,
        id_reuse_policy=WorkflowIDReusePolicy.REJECT_DUPLICATE,
        static_summary=static_summary(order),
        static_details=static_details(order),
        search_attributes=initial_search_attributes(order),
    )
    return handle.id


async def order_update(
    client: Client, order_id: int, update: str, arg: Any, *, update_id: str | None = None
) -> OrderView:
    handle = client.get_workflow_handle(order_workflow_id(order_id))
    view: OrderView = await handle.execute_update(update, arg, id=update_id, result_type=OrderView)
    return view


async def signal_payment(client: Client, order_id: int, payment: PaymentReceived) -> None:
    await client.get_workflow_handle(order_workflow_id(order_id)).signal(SIGNAL_PAYMENT, payment)


async def signal_refund(client: Client, order_id: int, refund: RefundRecorded) -> None:
    await client.get_workflow_handle(order_workflow_id(order_id)).signal(SIGNAL_REFUND, refund)


async def query_view(client: Client, order_id: int) -> tuple[OrderView | None, str | None]:
    """The live state, or None and why not (a read never fails because Temporal is away)."""
    handle = client.get_workflow_handle(order_workflow_id(order_id))
    try:
        view: OrderView = await handle.query(QUERY_STATE, result_type=OrderView)
    except RPCError as exc:
        if exc.status == RPCStatusCode.NOT_FOUND:
            return None, "the order's workflow does not exist (yet)"
        return None, f"the workflow service did not answer: {exc.message}"
    except (WorkflowQueryFailedError, WorkflowQueryRejectedError) as exc:
        return None, f"the workflow could not answer: {exc}"
    return view, None
