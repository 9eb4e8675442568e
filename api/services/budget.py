"""The member's budget for the API and the member's pages: the ledger's view (``db.budget``)
shaped into the answer, for the member or, for staff, any member."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from api.schemas_budget import MemberBudgetOut
from api.services import members as member_service
from db import budget as books
from domain.budget import month_bounds


async def member_budget(
    session: AsyncSession, member_id: int, month: str | None = None
) -> MemberBudgetOut:
    """The budget now, or at the end of ``month`` (YYYY-MM) with that month's movements. An
    unknown member is a 404, a bad month a 422 (before anything is read)."""
    if month is not None:
        month_bounds(month)
    await member_service.get_member(session, member_id)
    if month is None:
        now = await books.budget_of(session, member_id)
        return MemberBudgetOut(
            member_id=member_id,
            month=None,
            total=now.total,
            activities=list(now.activities),
            movements=None,
        )
    of_month = await books.month_of(session, member_id, month)
    return MemberBudgetOut(
        member_id=member_id,
        month=month,
        total=of_month.at_end.total,
        activities=list(of_month.at_end.activities),
        movements=of_month.movements,
    )
