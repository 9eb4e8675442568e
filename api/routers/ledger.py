"""An order's ledger: entries with their lines and the per-account balances."""

from __future__ import annotations

from fastapi import APIRouter

from api.auth import AnyPrincipal
from api.bounds import IdPath
from api.deps import DbSession
from api.schemas_ledger import OrderLedger
from api.services import books

router = APIRouter(prefix="/ledger", tags=["ledger"])


@router.get("/orders/{order_id}")
async def order_ledger(
    order_id: IdPath, principal: AnyPrincipal, session: DbSession
) -> OrderLedger:
    """Finance and admin see every order's ledger, a member their own orders'."""
    return await books.order_ledger(session, principal, order_id)
