"""What the order's activity classes share: the database and the order row."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from db.models import Order
from domain.errors import DomainError


class OrderSteps:
    _sessions: async_sessionmaker[AsyncSession]

    async def _order(self, session: AsyncSession, order_id: int) -> Order:
        order = await session.scalar(select(Order).where(Order.id == order_id))
        if order is None:
            raise DomainError(f"order {order_id} does not exist in the database")
        return order
