"""Members, their tokens, finance users (admin), and a member's own profile."""

from __future__ import annotations

from collections.abc import Sequence

from fastapi import APIRouter

from api.auth import AdminPrincipal, MemberPrincipal, StaffPrincipal
from api.bounds import IdPath, Limit, Offset
from api.deps import DbSession
from api.idempotency import IdempotencyDep
from api.schemas import (
    BankAccount,
    FinanceUserCreate,
    MemberCreate,
    MemberCreated,
    MemberOut,
)
from api.schemas_tokens import TokenIssued, TokenRevoked
from api.services import members as service

router = APIRouter(tags=["members"])


@router.post("/members", status_code=201)
async def create_member(
    body: MemberCreate, _admin: AdminPrincipal, session: DbSession, idem: IdempotencyDep
) -> MemberCreated:
    """Create a member and their first bearer token (shown once, in this answer)."""
    created = await service.create_member(session, body)
    await idem.remember(201, created, redact=["token"])
    return created


@router.get("/members")
async def list_members(
    _admin: AdminPrincipal,
    session: DbSession,
    limit: Limit = 100,
    offset: Offset = 0,
) -> Sequence[MemberOut]:
    members = await service.list_members(session, limit=limit, offset=offset)
    return [MemberOut.model_validate(m) for m in members]


@router.put("/members/{member_id}/bank-account")
async def change_bank_account(
    member_id: IdPath, body: BankAccount, staff: StaffPrincipal, session: DbSession
) -> MemberOut:
    """The member's account for wage payouts (checked as at creation). A wage the bank
    rejected or returned goes to it once ops retry the order's step
    (``POST /finance/orders/{id}/retry``)."""
    member = await service.change_bank_account(session, member_id, body, staff.label)
    await session.commit()
    return MemberOut.model_validate(member)


@router.post("/members/{member_id}/tokens", status_code=201)
async def issue_member_token(
    member_id: IdPath, _admin: AdminPrincipal, session: DbSession, idem: IdempotencyDep
) -> TokenIssued:
    """Another token for a member (e.g. a lost one); revoke the lost one with
    ``DELETE /tokens/{id}``. A token expires after 180 days."""
    issued = await service.issue_member_token(session, member_id)
    await idem.remember(201, issued, redact=["token"])
    return issued


@router.post("/finance-users", status_code=201)
async def create_finance_user(
    body: FinanceUserCreate, _admin: AdminPrincipal, session: DbSession, idem: IdempotencyDep
) -> TokenIssued:
    """A finance token; its holder's name is recorded on their decisions."""
    issued = await service.issue_staff_token(session, "finance", body.name)
    await idem.remember(201, issued, redact=["token"])
    return issued


@router.get("/members/me")
async def me(principal: MemberPrincipal, session: DbSession) -> MemberOut:
    return MemberOut.model_validate(await service.get_member(session, principal.own_member_id))


@router.delete("/tokens/{token_id}")
async def revoke_token(
    token_id: IdPath, _admin: AdminPrincipal, session: DbSession
) -> TokenRevoked:
    """Revoke a token at once (a lost or leaked one): it opens nothing any more, and the
    finance desk sessions opened with it end."""
    revoked = await service.revoke(session, token_id)
    await session.commit()
    return revoked
