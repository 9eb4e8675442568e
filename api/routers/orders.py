"""Orders: draft, submit (starts the workflow), expenses, complete, cancel, read."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Annotated

from fastapi import APIRouter, Body

from api.auth import AnyPrincipal, MemberPrincipal
from api.bounds import IdPath, Limit, Offset
from api.deps import AppConfig, DbSession, TemporalClient, TemporalConn
from api.idempotency import IdempotencyDep
from api.schemas import (
    CancelRequest,
    CompleteRequest,
    ExpenseCreate,
    ExpenseOut,
    OrderCreate,
    OrderOut,
)
from api.services import orders as service
from domain.order_status import OrderStatus

router = APIRouter(prefix="/orders", tags=["orders"])


@router.post("", status_code=201)
async def create_order(
    body: OrderCreate, principal: MemberPrincipal, session: DbSession, idem: IdempotencyDep
) -> OrderOut:
    """A draft order for one of your clients; nothing is sent until you submit it."""
    order = service.order_out(await service.create_order(session, principal.own_member_id, body))
    await idem.remember(201, order)
    return order


@router.get("")
async def list_orders(
    principal: AnyPrincipal,
    session: DbSession,
    status: OrderStatus | None = None,
    limit: Limit = 100,
    offset: Offset = 0,
) -> Sequence[OrderOut]:
    orders = await service.list_orders(
        session, principal, status=status, limit=limit, offset=offset
    )
    return [service.order_out(o) for o in orders]


@router.get("/{order_id}")
async def get_order(
    order_id: IdPath, principal: AnyPrincipal, session: DbSession, temporal: TemporalConn
) -> OrderOut:
    """The stored order and, once submitted, the live state from its workflow (``view``)."""
    return await service.order_detail(session, temporal, principal, order_id)


@router.post("/{order_id}/submit")
async def submit_order(
    order_id: IdPath,
    principal: MemberPrincipal,
    session: DbSession,
    temporal: TemporalClient,
    config: AppConfig,
) -> OrderOut:
    """Start the order's workflow and get the client's signing link (``signing_url``).
    Safe to retry: the same workflow and the same open link are returned."""
    return await service.submit_order(session, temporal, config, principal, order_id)


@router.post("/{order_id}/expenses", status_code=201)
async def add_expense(
    order_id: IdPath,
    body: ExpenseCreate,
    principal: MemberPrincipal,
    session: DbSession,
    idem: IdempotencyDep,
) -> ExpenseOut:
    expense = ExpenseOut.model_validate(
        await service.add_expense(session, principal, order_id, body)
    )
    await idem.remember(201, expense)
    return expense


@router.get("/{order_id}/expenses")
async def list_expenses(
    order_id: IdPath, principal: AnyPrincipal, session: DbSession
) -> Sequence[ExpenseOut]:
    expenses = await service.list_expenses(session, principal, order_id)
    return [ExpenseOut.model_validate(e) for e in expenses]


@router.post("/{order_id}/complete")
async def complete_order(
    order_id: IdPath,
    body: CompleteRequest,
    principal: MemberPrincipal,
    session: DbSession,
    temporal: TemporalClient,
    idem: IdempotencyDep,
) -> OrderOut:
    """Declare the work done (actual dates, work days); the order's expenses go with it."""
    order = await service.complete_order(session, temporal, principal, order_id, body, idem)
    await idem.remember(200, order)
    return order


@router.post("/{order_id}/cancel")
async def cancel_order(
    order_id: IdPath,
    principal: MemberPrincipal,
    session: DbSession,
    temporal: TemporalConn,
    idem: IdempotencyDep,
    body: Annotated[CancelRequest | None, Body()] = None,
) -> OrderOut:
    """Cancel before completion: a draft at once, a submitted order through its workflow."""
    reason = body.reason if body is not None else ""
    order = await service.cancel_order(session, temporal, principal, order_id, reason, idem)
    await idem.remember(200, order)
    return order
