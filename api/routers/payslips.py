"""Payslips (members: their own)."""

from __future__ import annotations

from collections.abc import Sequence

from fastapi import APIRouter

from api.auth import AnyPrincipal
from api.deps import DbSession, Limit, Offset
from api.schemas import PayslipOut
from api.services import books

router = APIRouter(prefix="/payslips", tags=["payslips"])


@router.get("")
async def list_payslips(
    principal: AnyPrincipal,
    session: DbSession,
    limit: Limit = 100,
    offset: Offset = 0,
) -> Sequence[PayslipOut]:
    payslips = await books.list_payslips(session, principal, limit=limit, offset=offset)
    return [PayslipOut.model_validate(p) for p in payslips]


@router.get("/{payslip_id}")
async def get_payslip(payslip_id: int, principal: AnyPrincipal, session: DbSession) -> PayslipOut:
    return PayslipOut.model_validate(await books.payslip(session, principal, payslip_id))
