"""The desk's queue of finance cases: filtered, sorted and paged in SQL (never every case at
once), each row with what finance needs to decide: the amount due, days overdue, the dunning
level, who and where, and the interest accrued to date."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any, Literal

from sqlalchemy import Select, case, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from db.models import Client, FinanceCase, Invoice, Member, Order
from domain.collection import interest_to_date

PAGE_SIZE = 50
Status = Literal["open", "decided", "all"]
Kind = Literal["overdue", "refund", "all"]
Sort = Literal["opened", "amount", "overdue", "level"]


@dataclass(frozen=True)
class QueueFilter:
    status: Status = "open"
    kind: Kind = "all"
    jurisdiction: str = ""  # DE, BE, … ("" = any)
    level: int | None = None  # dunning level, exactly
    min_cents: int | None = None  # amount due, inclusive
    max_cents: int | None = None
    min_days: int | None = None  # days overdue, inclusive
    max_days: int | None = None
    member: str = ""  # part of the member's name, any case
    client: str = ""  # part of the client's name, any case


@dataclass(frozen=True)
class QueueOrder:
    sort: Sort = "opened"
    descending: bool = False


@dataclass(frozen=True)
class QueueRow:
    case_id: int
    kind: str  # overdue | refund
    status: str  # open | decided
    decision: str | None
    order_id: int
    invoice_number: str
    jurisdiction: str
    member_name: str
    client_name: str
    opened_on: date
    due_date: date
    days_overdue: int
    dunning_level: int
    amount_due_cents: int  # principal + charges still open (a refund case: what to pay back)
    interest_to_date_cents: int  # accrued, not yet charged; settles with a payment today


@dataclass(frozen=True)
class QueuePage:
    rows: list[QueueRow]
    total: int
    page: int
    pages: int


# Principal + charges: the order's live projection while it holds one, else what the case
# was opened with; a refund case is the amount to pay back (the order owes nothing then).
AMOUNT_DUE = case(
    (FinanceCase.kind == "refund", FinanceCase.amount_due_cents),
    (Order.amount_due_cents > 0, Order.amount_due_cents),
    else_=FinanceCase.amount_due_cents,
)


def _filtered(query: Select[Any], f: QueueFilter, today: date) -> Select[Any]:
    if f.status != "all":
        query = query.where(FinanceCase.status == f.status)
    if f.kind != "all":
        query = query.where(FinanceCase.kind == f.kind)
    if f.jurisdiction:
        query = query.where(Invoice.jurisdiction == f.jurisdiction.upper())
    if f.level is not None:
        query = query.where(FinanceCase.dunning_level == f.level)
    if f.min_cents is not None:
        query = query.where(AMOUNT_DUE >= f.min_cents)
    if f.max_cents is not None:
        query = query.where(AMOUNT_DUE <= f.max_cents)
    # n days overdue: due on today - n
    if f.min_days is not None:
        query = query.where(Invoice.due_date <= today - timedelta(days=f.min_days))
    if f.max_days is not None:
        query = query.where(Invoice.due_date >= today - timedelta(days=f.max_days))
    if f.member:
        query = query.where(func.lower(Member.name).contains(f.member.lower(), autoescape=True))
    if f.client:
        query = query.where(func.lower(Client.name).contains(f.client.lower(), autoescape=True))
    return query


def _joined(query: Select[Any]) -> Select[Any]:
    return (
        query.join(Invoice, Invoice.id == FinanceCase.invoice_id)
        .join(Order, Order.id == FinanceCase.order_id)
        .join(Member, Member.id == Order.member_id)
        .join(Client, Client.id == Order.client_id)
    )


def _ordered(query: Select[Any], order: QueueOrder) -> Select[Any]:
    column: Any = {
        "opened": FinanceCase.opened_on,
        "amount": AMOUNT_DUE,
        "overdue": Invoice.due_date,
        "level": FinanceCase.dunning_level,
    }[order.sort]
    # The most days overdue is the earliest due date: that column runs the other way.
    descending = order.descending != (order.sort == "overdue")
    return query.order_by(column.desc() if descending else column.asc(), FinanceCase.id)


def _rows_query(f: QueueFilter, order: QueueOrder, today: date) -> Select[Any]:
    query = select(
        FinanceCase,
        Invoice,
        Order.jurisdiction,
        Order.interest_accrued_cents,
        Order.interest_runs_from,
        Member.name,
        Client.name,
        Client.is_business,
        AMOUNT_DUE.label("amount_due"),
    )
    return _ordered(_filtered(_joined(query.select_from(FinanceCase)), f, today), order)


def _row(found: Any, today: date) -> QueueRow:
    fc, invoice, jurisdiction, accrued, runs_from, member, client, business, amount = found
    interest = 0
    if fc.kind != "refund" and fc.status == "open":
        interest = interest_to_date(
            jurisdiction,
            business,
            accrued=accrued,
            runs_from=runs_from,
            principal=max(invoice.gross_cents - invoice.paid_cents, 0),
            today=today,
        )
    return QueueRow(
        case_id=fc.id,
        kind="refund" if fc.kind == "refund" else "overdue",
        status=fc.status,
        decision=fc.decision,
        order_id=fc.order_id,
        invoice_number=invoice.number,
        jurisdiction=invoice.jurisdiction,
        member_name=member,
        client_name=client,
        opened_on=fc.opened_on,
        due_date=invoice.due_date,
        days_overdue=max((today - invoice.due_date).days, 0),
        dunning_level=fc.dunning_level,
        amount_due_cents=int(amount),
        interest_to_date_cents=interest,
    )


async def page(
    session: AsyncSession, f: QueueFilter, order: QueueOrder, page_no: int, today: date
) -> QueuePage:
    """One page of the queue (``PAGE_SIZE`` rows) and how many cases the filter finds."""
    counted = _filtered(_joined(select(func.count()).select_from(FinanceCase)), f, today)
    total = int(await session.scalar(counted) or 0)
    pages = max((total + PAGE_SIZE - 1) // PAGE_SIZE, 1)
    page_no = min(max(page_no, 1), pages)
    query = _rows_query(f, order, today).limit(PAGE_SIZE).offset((page_no - 1) * PAGE_SIZE)
    rows = [_row(found, today) for found in (await session.execute(query)).all()]
    return QueuePage(rows=rows, total=total, page=page_no, pages=pages)


async def every_row(
    session: AsyncSession, f: QueueFilter, order: QueueOrder, today: date, batch: int = 500
) -> AsyncIterator[QueueRow]:
    """Every case the filter finds, fetched ``batch`` rows at a time (the CSV export)."""
    offset = 0
    while True:
        query = _rows_query(f, order, today).limit(batch).offset(offset)
        found = (await session.execute(query)).all()
        for one in found:
            yield _row(one, today)
        if len(found) < batch:
            return
        offset += batch
