"""An employment's start or end declared once, whoever asks again (an order's employment, or a
monthly salary's continuing one): the declaration row, keyed by the declaration's key, holds
the authority's reference."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from adapters.social_security.declarations import EmploymentDeclaration, SocialSecurity
from db.models import Declaration


async def declare_once(
    sessions: async_sessionmaker[AsyncSession],
    social_security: SocialSecurity,
    declaration: EmploymentDeclaration,
    *,
    order_id: int | None,
) -> str:
    """The declaration's reference: the recorded one, or a new declaration's, recorded."""
    key = declaration.declaration_key
    async with sessions() as session:
        done = await session.scalar(select(Declaration).where(Declaration.declaration_key == key))
        if done is not None:
            return done.reference
    receipt = await social_security.declare(declaration)
    async with sessions.begin() as session:
        exists = await session.scalar(
            select(Declaration.id).where(Declaration.declaration_key == key)
        )
        if exists is None:
            session.add(
                Declaration(
                    declaration_key=key,
                    order_id=order_id,
                    kind=declaration.kind,
                    reference=receipt.reference,
                    status=receipt.status,
                )
            )
    return receipt.reference
