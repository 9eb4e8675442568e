"""Members and their tokens; finance users."""

from __future__ import annotations

import logging
from collections.abc import Sequence

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from api.auth import Role, issue_token, revoke_token
from api.errors import ProblemError, not_found
from api.schemas import BankAccount, MemberCreate, MemberCreated, MemberOut
from api.schemas_tokens import TokenIssued, TokenRevoked
from db.models import ApiToken, Member

log = logging.getLogger(__name__)


async def create_member(session: AsyncSession, data: MemberCreate) -> MemberCreated:
    existing = await session.scalar(select(Member.id).where(Member.email == data.email))
    if existing is not None:
        raise _duplicate_email(data.email, existing)
    member = Member(
        name=data.name,
        email=data.email,
        jurisdiction=data.jurisdiction,
        language=data.language,
        iban=data.iban,
        bic=data.bic,
    )
    session.add(member)
    try:
        await session.flush()
    except IntegrityError as exc:  # a concurrent request took the e-mail
        raise _duplicate_email(data.email, None) from exc
    await session.refresh(member)
    token, _ = await issue_token(session, role="member", member_id=member.id, label=member.name)
    return MemberCreated(member=MemberOut.model_validate(member), token=token)


def _duplicate_email(email: str, member_id: int | None) -> ProblemError:
    which = f" (member {member_id})" if member_id is not None else ""
    return ProblemError(
        409,
        "member-exists",
        f"A member with e-mail {email} already exists{which}; issue a token for that member "
        "with POST /members/{id}/tokens instead.",
    )


async def get_member(session: AsyncSession, member_id: int) -> Member:
    member = await session.get(Member, member_id)
    if member is None:
        raise not_found("member", member_id)
    return member


async def list_members(session: AsyncSession, *, limit: int, offset: int) -> Sequence[Member]:
    query = select(Member).order_by(Member.id).limit(limit).offset(offset)
    return (await session.scalars(query)).all()


async def issue_member_token(session: AsyncSession, member_id: int) -> TokenIssued:
    member = await get_member(session, member_id)
    token, row = await issue_token(session, role="member", member_id=member.id, label=member.name)
    return _issued(token, row)


async def issue_staff_token(session: AsyncSession, role: Role, label: str) -> TokenIssued:
    token, row = await issue_token(session, role=role, label=label)
    return _issued(token, row)


def _issued(token: str, row: ApiToken) -> TokenIssued:
    return TokenIssued(
        token=token,
        token_id=row.id,
        role=row.role,
        label=row.label,
        member_id=row.member_id,
        expires_at=row.expires_at,
    )


async def revoke(session: AsyncSession, token_id: int) -> TokenRevoked:
    row = await revoke_token(session, token_id)
    if row is None:
        raise not_found("token", token_id)
    assert row.revoked_at is not None
    return TokenRevoked(token_id=row.id, role=row.role, label=row.label, revoked_at=row.revoked_at)


async def change_bank_account(
    session: AsyncSession, member_id: int, account: BankAccount, changed_by: str
) -> Member:
    """The member's new account: their next payout goes there (a wage the bank refused is
    paid to it when ops retry the order's step)."""
    member = await get_member(session, member_id)
    log.info(
        "member %s bank account changed by %s (IBAN ending %s → %s)",
        member.id,
        changed_by,
        member.iban[-4:],
        account.iban[-4:],
    )
    member.iban, member.bic = account.iban, account.bic
    await session.flush()
    return member
