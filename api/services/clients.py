"""A member's clients: each member sees and uses only their own."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from api.auth import Principal
from api.errors import not_found
from api.schemas import ClientCreate
from db.models import Client


async def create_client(session: AsyncSession, member_id: int, data: ClientCreate) -> Client:
    client = Client(member_id=member_id, **data.model_dump())
    session.add(client)
    await session.flush()
    await session.refresh(client)
    return client


async def list_clients(
    session: AsyncSession, principal: Principal, *, limit: int, offset: int
) -> Sequence[Client]:
    query = select(Client).order_by(Client.id).limit(limit).offset(offset)
    if not principal.is_staff:
        query = query.where(Client.member_id == principal.own_member_id)
    return (await session.scalars(query)).all()


async def visible_client(session: AsyncSession, principal: Principal, client_id: int) -> Client:
    """The client if the principal may see it; 404 otherwise (ids of others do not leak)."""
    client = await session.get(Client, client_id)
    if client is None or (not principal.is_staff and client.member_id != principal.member_id):
        raise not_found("client", client_id)
    return client
