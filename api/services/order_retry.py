"""Ops retry an order's refused step (``retry_step``) once they fixed its cause."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession
from temporalio.client import Client
from temporalio.service import RPCError, RPCStatusCode

from api.errors import ProblemError, not_found
from api.schemas import StepRetried
from api.temporal import signal_retry
from db.models import Order


async def retry_order_step(session: AsyncSession, client: Client, order_id: int) -> StepRetried:
    order = await session.get(Order, order_id)
    if order is None:
        raise not_found("order", order_id)
    try:
        await signal_retry(client, order_id)
    except RPCError as exc:
        if exc.status != RPCStatusCode.NOT_FOUND:
            raise
        raise ProblemError(
            409,
            "order-ended",
            f"Order {order_id} is {order.status}: its workflow has ended, there is no step "
            "to retry.",
        ) from None
    return StepRetried(
        order_id=order_id,
        detail=(
            f"Order {order_id} tries its refused step again; GET /orders/{order_id} shows "
            "whether it went through (NeedsAttention again names what is still wrong)."
        ),
    )
