"""The member's budget, a view of the ledger: the member's own, and any member's for staff."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from api.auth import MemberPrincipal, StaffPrincipal
from api.bounds import IdPath
from api.deps import DbSession
from api.schemas_budget import MemberBudgetOut
from api.services import budget as service

router = APIRouter(tags=["members"])

Month = Annotated[
    str | None,
    Query(
        max_length=7,
        description="YYYY-MM: the balances at the month's end and the month's movements",
    ),
]


@router.get("/members/me/budget")
async def my_budget(
    principal: MemberPrincipal, session: DbSession, month: Month = None
) -> MemberBudgetOut:
    """My budget from the ledger: invoiced, fees, received, advanced by the guarantee fund,
    reserved for wages, paid, written off and available now, in total and per order."""
    return await service.member_budget(session, principal.own_member_id, month)


@router.get("/members/{member_id}/budget")
async def member_budget(
    member_id: IdPath, _staff: StaffPrincipal, session: DbSession, month: Month = None
) -> MemberBudgetOut:
    """A member's budget, for finance and admin."""
    return await service.member_budget(session, member_id, month)
