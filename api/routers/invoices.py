"""Invoices with their reminders and payments (members: their own orders' invoices)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Literal

from fastapi import APIRouter

from api.auth import AnyPrincipal
from api.bounds import IdPath, Limit, Offset
from api.deps import DbSession
from api.schemas import InvoiceDetail, InvoiceOut
from api.services import books

router = APIRouter(prefix="/invoices", tags=["invoices"])


@router.get("")
async def list_invoices(
    principal: AnyPrincipal,
    session: DbSession,
    status: Literal["open", "paid", "written_off", "cancelled"] | None = None,
    limit: Limit = 100,
    offset: Offset = 0,
) -> Sequence[InvoiceOut]:
    invoices = await books.list_invoices(
        session, principal, status=status, limit=limit, offset=offset
    )
    return [InvoiceOut.model_validate(i) for i in invoices]


@router.get("/{invoice_id}")
async def get_invoice(
    invoice_id: IdPath, principal: AnyPrincipal, session: DbSession
) -> InvoiceDetail:
    return await books.invoice_detail(session, principal, invoice_id)
