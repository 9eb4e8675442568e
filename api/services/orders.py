"""Orders: drafts in the database, then one workflow each from submission on."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from secrets import token_urlsafe

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from temporalio.client import Client as TemporalClient

from api.auth import Principal
from api.deps import ApiConfig, TemporalConnection
from api.errors import ProblemError, not_found
from api.idempotency import Idempotency
from api.schemas import CompleteRequest, ExpenseCreate, OrderCreate, OrderOut, as_utc
from api.temporal import order_update, query_view, start_order_workflow
from db import signing_links
from db.models import Client, Invoice, Member, Order, OrderExpense, SigningToken
from domain import order_contract as contract
from domain.guarantee import client_blocked
from domain.order_messages import Cancellation, Completion, Expense, OrderInput, OrderView
from domain.order_status import OrderStatus
from workflows.order import OrderLifecycleWorkflow

OPEN_FOR_EXPENSES = {
    OrderStatus.DRAFT.value,
    OrderStatus.AWAITING_SIGNATURE.value,
    OrderStatus.SIGNED.value,
}


def utc_today() -> date:
    return datetime.now(UTC).date()


# Columns shown in OrderOut (not updated_at: it is expired after every flush).
_ORDER_COLUMNS = [c.key for c in Order.__table__.columns if c.key in OrderOut.model_fields]


def order_out(
    order: Order,
    *,
    view: OrderView | None = None,
    view_error: str | None = None,
    signing_url: str | None = None,
) -> OrderOut:
    return OrderOut.model_validate(
        {
            **{name: getattr(order, name) for name in _ORDER_COLUMNS},
            "member_name": order.member.name,
            "client_name": order.client.name,
            "view": view,
            "view_error": view_error,
            "signing_url": signing_url,
        }
    )


async def create_order(session: AsyncSession, member_id: int, data: OrderCreate) -> Order:
    # The client with its member in one query: only the member's own clients are found.
    found = (
        await session.execute(
            select(Client, Member)
            .join(Member, Member.id == Client.member_id)
            .where(Client.id == data.client_id, Client.member_id == member_id)
        )
    ).first()
    if found is None:
        raise ProblemError(
            422,
            "unknown-client",
            f"Client {data.client_id} is not one of your clients; create it with POST /clients "
            "or pick one from GET /clients.",
        )
    client, member = found
    today = utc_today()
    offer_valid_until = data.offer_valid_until or today + timedelta(days=14)
    if offer_valid_until < today:
        raise ProblemError(
            422,
            "offer-in-the-past",
            f"offer_valid_until {offer_valid_until.isoformat()} is in the past; choose today "
            "or a later date.",
        )
    order = Order(
        member=member,
        client=client,
        description=data.description,
        jurisdiction=member.jurisdiction,
        period_start=data.period_start,
        period_end=data.period_end,
        net_amount_cents=data.net_amount_cents,
        quantity=str(data.quantity.normalize()),
        unit_code=data.unit,
        vat_category=data.vat_category,
        payment_terms_days=data.payment_terms_days,
        offer_valid_until=offer_valid_until,
        status=OrderStatus.DRAFT.value,
    )
    session.add(order)
    # The insert returns the id and created_at; member and client are the ones loaded above.
    await session.flush()
    return order


async def list_orders(
    session: AsyncSession,
    principal: Principal,
    *,
    status: OrderStatus | None,
    limit: int,
    offset: int,
) -> Sequence[Order]:
    query = select(Order).order_by(Order.id.desc()).limit(limit).offset(offset)
    if not principal.is_staff:
        query = query.where(Order.member_id == principal.own_member_id)
    if status is not None:
        query = query.where(Order.status == status.value)
    return (await session.scalars(query)).unique().all()


async def visible_order(session: AsyncSession, principal: Principal, order_id: int) -> Order:
    """The order if the principal may see it; 404 otherwise (ids of others do not leak)."""
    order = await session.get(Order, order_id)
    if order is None or (not principal.is_staff and order.member_id != principal.member_id):
        raise not_found("order", order_id)
    return order


async def order_detail(
    session: AsyncSession, temporal: TemporalConnection, principal: Principal, order_id: int
) -> OrderOut:
    order = await visible_order(session, principal, order_id)
    if order.workflow_id is None:
        return order_out(order)
    try:
        client = await temporal.get()
    except ProblemError as exc:
        return order_out(order, view_error=exc.detail)
    view, error = await query_view(client, order.id)
    return order_out(order, view=view, view_error=error)


async def client_is_blocked(session: AsyncSession, client_id: int, today: date) -> bool:
    """More than two months overdue on any open invoice: new orders need prepayment."""
    due_dates = await session.scalars(
        select(Invoice.due_date)
        .join(Order, Order.id == Invoice.order_id)
        .where(Order.client_id == client_id, Invoice.status == "open")
    )
    return client_blocked(due_dates, today)


def order_input(
    order: Order, config: ApiConfig, today: date, *, prepayment_required: bool = False
) -> OrderInput:
    client = order.client
    return OrderInput(
        order_id=order.id,
        member_id=order.member_id,
        member_name=order.member.name,
        client_id=client.id,
        client_name=client.name,
        client_email=client.email,
        client_country=client.country,
        client_is_business=client.is_business,
        client_vat_id=client.vat_id,
        client_language=client.language,
        client_buyer_reference=client.buyer_reference,
        client_einvoice_profile=client.einvoice_profile,
        jurisdiction=order.jurisdiction,
        description=order.description,
        period_start=order.period_start,
        period_end=order.period_end,
        net_amount_cents=order.net_amount_cents,
        quantity=Decimal(order.quantity),
        unit_code=order.unit_code,  # type: ignore[arg-type]
        vat_category=order.vat_category,
        payment_terms_days=order.payment_terms_days,
        offer_valid_until=order.offer_valid_until,
        submitted_on=today,
        seconds_per_day=config.seconds_per_day,
        prepayment_required=prepayment_required,
    )


def signing_expiry(offer_valid_until: date) -> datetime:
    """A link works until the end of the offer's last day (UTC)."""
    return datetime.combine(offer_valid_until + timedelta(days=1), time.min, tzinfo=UTC)


async def _signing_token(session: AsyncSession, order: Order, now: datetime) -> SigningToken:
    """The order's open signing token, or a new one. A used token means the client answered."""
    tokens = (
        await session.scalars(select(SigningToken).where(SigningToken.order_id == order.id))
    ).all()
    if any(t.used_at is not None for t in tokens):
        raise ProblemError(
            409,
            "offer-answered",
            f"The client already answered the offer of order {order.id}; see GET /orders/"
            f"{order.id} for its status.",
        )
    for token in sorted(tokens, key=lambda t: as_utc(t.expires_at), reverse=True):
        if as_utc(token.expires_at) > now:
            return token
    token = SigningToken(
        token_id=token_urlsafe(16),
        order_id=order.id,
        expires_at=signing_expiry(order.offer_valid_until),
    )
    session.add(token)
    await session.flush()
    return token


async def submit_order(
    session: AsyncSession,
    temporal: TemporalClient,
    config: ApiConfig,
    principal: Principal,
    order_id: int,
) -> OrderOut:
    order = await visible_order(session, principal, order_id)
    if order.status not in {OrderStatus.DRAFT, OrderStatus.AWAITING_SIGNATURE}:
        raise ProblemError(
            409,
            "invalid-state",
            f"Order {order.id} is {order.status}; only a draft can be submitted.",
        )
    now = datetime.now(UTC)
    today = now.date()
    if order.offer_valid_until < today:
        raise ProblemError(
            422,
            "offer-in-the-past",
            f"The offer of order {order.id} was valid until {order.offer_valid_until}; create a "
            "new order with a later offer_valid_until.",
        )
    token = await _signing_token(session, order, now)
    # Commit the token before the workflow starts: its offer e-mail (an activity) reuses this
    # open token, so the client gets one link. A failed start leaves a draft with an unused
    # token that the retry reuses; no database lock is held while Temporal is called.
    await session.commit()
    blocked = await client_is_blocked(session, order.client_id, today)
    workflow_id = await start_order_workflow(
        temporal, config.task_queue, order_input(order, config, today, prepayment_required=blocked)
    )
    if order.status == OrderStatus.DRAFT:  # a retry leaves the workflow's projection alone
        order.status = OrderStatus.AWAITING_SIGNATURE.value
    order.workflow_id = workflow_id
    await session.flush()
    # The member's own link to the offer (to hand over in person); the e-mail carries another.
    link = await signing_links.mint(session, token.token_id)
    return order_out(order, signing_url=f"{config.public_base_url}/sign/{link}")


async def add_expense(
    session: AsyncSession, principal: Principal, order_id: int, data: ExpenseCreate
) -> OrderExpense:
    order = await visible_order(session, principal, order_id)
    if order.status not in OPEN_FOR_EXPENSES:
        raise ProblemError(
            409,
            "invalid-state",
            f"Order {order.id} is {order.status}; expenses are added before the order is "
            "completed.",
        )
    expense = OrderExpense(order_id=order.id, **data.model_dump())
    session.add(expense)
    await session.flush()
    return expense


async def list_expenses(
    session: AsyncSession, principal: Principal, order_id: int
) -> Sequence[OrderExpense]:
    order = await visible_order(session, principal, order_id)
    query = select(OrderExpense).where(OrderExpense.order_id == order.id).order_by(OrderExpense.id)
    return (await session.scalars(query)).all()


def _require_workflow(order: Order, action: str) -> None:
    if order.workflow_id is None:
        raise ProblemError(
            409,
            "invalid-state",
            f"Order {order.id} is {order.status} and was never submitted; submit it before you "
            f"{action} it.",
        )


async def complete_order(
    session: AsyncSession,
    temporal: TemporalClient,
    principal: Principal,
    order_id: int,
    data: CompleteRequest,
    idem: Idempotency,
) -> OrderOut:
    order = await visible_order(session, principal, order_id)
    _require_workflow(order, "complete")
    expenses = await list_expenses(session, principal, order_id)
    completion = Completion(
        member_id=principal.own_member_id,
        actual_start=data.actual_start,
        actual_end=data.actual_end,
        work_days=data.work_days,
        expenses=tuple(
            Expense(
                description=e.description, amount_cents=e.amount_cents, incurred_on=e.incurred_on
            )
            for e in expenses
        ),
    )
    view = await order_update(
        temporal,
        order.id,
        OrderLifecycleWorkflow.complete,
        completion,
        update_id=idem.derived(contract.COMPLETE),
    )
    await session.refresh(order)
    return order_out(order, view=view)


async def cancel_order(
    session: AsyncSession,
    temporal: TemporalConnection,
    principal: Principal,
    order_id: int,
    reason: str,
    idem: Idempotency,
) -> OrderOut:
    order = await visible_order(session, principal, order_id)
    if order.workflow_id is None and order.status == OrderStatus.DRAFT:
        # Nothing runs yet: a draft is cancelled in the database alone.
        order.status = OrderStatus.CANCELLED.value
        await session.flush()
        return order_out(order)
    _require_workflow(order, "cancel")
    cancellation = Cancellation(
        requested_by=principal.label, reason=reason, member_id=principal.own_member_id
    )
    view = await order_update(
        await temporal.get(),
        order.id,
        OrderLifecycleWorkflow.cancel,
        cancellation,
        update_id=idem.derived(contract.CANCEL),
    )
    await session.refresh(order)
    return order_out(order, view=view)
