"""The member's employment record, read back as the domain's record (None: none yet)."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from db.models_payroll import EmploymentRecord
from domain.payroll.employment import MemberEmployment, parse_record


async def employment_of(session: AsyncSession, member_id: int) -> MemberEmployment | None:
    stored = await session.get(EmploymentRecord, member_id)
    return parse_record(stored.jurisdiction, stored.data) if stored is not None else None
