"""Reads of what the workflows wrote: invoices (with reminders and payments), payslips, ledger."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence

from sqlalchemy import Select, select
from sqlalchemy.ext.asyncio import AsyncSession

from api.auth import Principal
from api.errors import not_found
from api.schemas import (
    CreditNoteOut,
    DunningDocumentOut,
    InvoiceDetail,
    InvoiceOut,
    PaymentOut,
)
from api.schemas_ledger import AccountBalance, LedgerEntryOut, OrderLedger
from api.services.orders import visible_order
from db.models import DunningDocument, Invoice, LedgerEntry, Order, Payment, Payslip
from db.models_credit_notes import CreditNote


def _own_invoices(query: Select[Invoice], principal: Principal) -> Select[Invoice]:
    if principal.is_staff:
        return query
    return query.join(Order, Order.id == Invoice.order_id).where(
        Order.member_id == principal.own_member_id
    )


async def list_invoices(
    session: AsyncSession, principal: Principal, *, status: str | None, limit: int, offset: int
) -> Sequence[Invoice]:
    query = select(Invoice).order_by(Invoice.id.desc()).limit(limit).offset(offset)
    if status:
        query = query.where(Invoice.status == status)
    return (await session.scalars(_own_invoices(query, principal))).all()


async def invoices_of_orders(session: AsyncSession, order_ids: Sequence[int]) -> Sequence[Invoice]:
    """The invoices of these orders (the caller already holds the orders as visible)."""
    if not order_ids:
        return []
    return (await session.scalars(select(Invoice).where(Invoice.order_id.in_(order_ids)))).all()


async def invoice_detail(
    session: AsyncSession, principal: Principal, invoice_id: int
) -> InvoiceDetail:
    query = _own_invoices(select(Invoice).where(Invoice.id == invoice_id), principal)
    invoice = await session.scalar(query)
    if invoice is None:
        raise not_found("invoice", invoice_id)
    documents = await session.scalars(
        select(DunningDocument)
        .where(DunningDocument.invoice_id == invoice.id)
        .order_by(DunningDocument.level)
    )
    payments = await session.scalars(
        select(Payment).where(Payment.order_id == invoice.order_id).order_by(Payment.id)
    )
    credit_note = await session.scalar(
        select(CreditNote).where(CreditNote.invoice_id == invoice.id)
    )
    return InvoiceDetail.model_validate(
        {
            **InvoiceOut.model_validate(invoice).model_dump(),
            "dunning_documents": [DunningDocumentOut.model_validate(d) for d in documents],
            "payments": [PaymentOut.model_validate(p) for p in payments],
            "credit_note": CreditNoteOut.model_validate(credit_note) if credit_note else None,
        }
    )


def _own_payslips(query: Select[Payslip], principal: Principal) -> Select[Payslip]:
    if principal.is_staff:
        return query
    return query.where(Payslip.member_id == principal.own_member_id)


async def list_payslips(
    session: AsyncSession, principal: Principal, *, limit: int, offset: int
) -> Sequence[Payslip]:
    query = select(Payslip).order_by(Payslip.id.desc()).limit(limit).offset(offset)
    return (await session.scalars(_own_payslips(query, principal))).all()


async def payslip(session: AsyncSession, principal: Principal, payslip_id: int) -> Payslip:
    found = await session.scalar(
        _own_payslips(select(Payslip).where(Payslip.id == payslip_id), principal)
    )
    if found is None:
        raise not_found("payslip", payslip_id)
    return found


async def order_ledger(session: AsyncSession, principal: Principal, order_id: int) -> OrderLedger:
    order = await visible_order(session, principal, order_id)
    entries = (
        await session.scalars(
            select(LedgerEntry)
            .where(LedgerEntry.order_id == order.id)
            .order_by(LedgerEntry.posted_on, LedgerEntry.id)
        )
    ).all()
    debits: dict[str, int] = defaultdict(int)
    credits: dict[str, int] = defaultdict(int)
    for entry in entries:
        for line in entry.lines:
            debits[line.account] += line.debit_cents
            credits[line.account] += line.credit_cents
    balances = [
        AccountBalance(
            account=account,
            debit_cents=debits[account],
            credit_cents=credits[account],
            balance_cents=debits[account] - credits[account],
        )
        for account in sorted(set(debits) | set(credits))
    ]
    return OrderLedger(
        order_id=order.id,
        entries=[LedgerEntryOut.model_validate(e) for e in entries],
        balances=balances,
    )
