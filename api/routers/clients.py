"""A member's clients (members see their own; finance and admin see all)."""

from __future__ import annotations

from collections.abc import Sequence

from fastapi import APIRouter

from api.auth import AnyPrincipal, MemberPrincipal
from api.bounds import IdPath, Limit, Offset
from api.deps import DbSession
from api.idempotency import IdempotencyDep
from api.schemas import ClientCreate, ClientOut
from api.services import clients as service

router = APIRouter(tags=["clients"])


@router.post("/clients", status_code=201)
async def create_client(
    body: ClientCreate, principal: MemberPrincipal, session: DbSession, idem: IdempotencyDep
) -> ClientOut:
    client = ClientOut.model_validate(
        await service.create_client(session, principal.own_member_id, body)
    )
    await idem.remember(201, client)
    return client


@router.get("/clients")
async def list_clients(
    principal: AnyPrincipal,
    session: DbSession,
    limit: Limit = 100,
    offset: Offset = 0,
) -> Sequence[ClientOut]:
    clients = await service.list_clients(session, principal, limit=limit, offset=offset)
    return [ClientOut.model_validate(c) for c in clients]


@router.get("/clients/{client_id}")
async def get_client(client_id: IdPath, principal: AnyPrincipal, session: DbSession) -> ClientOut:
    return ClientOut.model_validate(await service.visible_client(session, principal, client_id))
