"""Where the Dimona client looks up a Belgian member's national number and worker data:
``member_social_insurance``."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from adapters.social_security.dimona_models import DimonaWorker
from db.models_declarations import MemberSocialInsurance


class MemberInsuranceDirectory:
    """``adapters.social_security.dimona_models.WorkerDirectory`` over
    ``member_social_insurance``: the Dimona client's source of national numbers in production."""

    def __init__(self, sessions: async_sessionmaker[AsyncSession]) -> None:
        self._sessions = sessions

    async def dimona_worker(self, member_id: str) -> DimonaWorker | None:
        if not member_id.isdigit():
            return None
        async with self._sessions() as session:
            row = await session.get(MemberSocialInsurance, int(member_id))
        if row is None or row.jurisdiction != "BE":
            return None
        return DimonaWorker(
            ssin=row.insurance_number,
            joint_committee=row.joint_committee,
            worker_type=row.dimona_worker_type,
        )
