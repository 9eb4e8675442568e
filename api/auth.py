"""Bearer-token authentication and role checks.

A token is a random string shown once; the database keeps its SHA-256 (``api_tokens``). Roles:
``member`` (acts on its own clients and orders), ``finance`` (payments, escalated cases, all
reads), ``admin`` (members and tokens, all reads). The bootstrap admin token
(``ApiConfig.admin_token``, ``COOPFLOW_ADMIN_TOKEN``) is accepted as an admin token so the first
members can be created.

Missing or unknown token → 401 with ``WWW-Authenticate: Bearer``; a role that may not call the
endpoint → 403.
"""

from __future__ import annotations

import hmac
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Annotated, Any, Literal, cast

from fastapi import Depends
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from sqlalchemy import or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from api.deps import AppConfig, DbSession
from api.errors import ProblemError
from api.schemas import as_utc
from db.models import ApiToken
from domain.capability import token_hash as hash_token

Role = Literal["member", "finance", "admin"]
ROLES: tuple[Role, ...] = ("member", "finance", "admin")

# A token lives this long unless the request that issues it asks for less; then it must be
# renewed (another token) — a lost token stops working on its own.
TOKEN_DAYS = 180

_bearer = HTTPBearer(auto_error=False, description="Token from POST /members or the admin CLI")


@dataclass(frozen=True)
class Principal:
    role: Role
    label: str
    member_id: int | None = None
    token_id: int | None = None

    @property
    def key(self) -> str:
        """Stable identity for idempotency records: the member, or the token for staff."""
        if self.role == "member":
            return f"member:{self.member_id}"
        return f"{self.role}:{self.token_id if self.token_id is not None else 'bootstrap'}"

    @property
    def own_member_id(self) -> int:
        """The member a member token belongs to (``require_role`` made sure it is set)."""
        if self.member_id is None:
            raise ProblemError(403, "forbidden", "This token does not belong to a member.")
        return self.member_id

    @property
    def is_staff(self) -> bool:
        return self.role in {"finance", "admin"}


def new_token() -> str:
    return "cf_" + secrets.token_urlsafe(32)


async def issue_token(
    session: AsyncSession,
    *,
    role: Role,
    label: str,
    member_id: int | None = None,
    valid_days: int = TOKEN_DAYS,
) -> tuple[str, ApiToken]:
    """Store a new token's hash; the token itself is returned this once, never stored."""
    token = new_token()
    row = ApiToken(
        token_hash=hash_token(token),
        role=role,
        member_id=member_id,
        label=label[:200],
        expires_at=datetime.now(UTC) + timedelta(days=valid_days),
    )
    session.add(row)
    await session.flush()
    return token, row


async def revoke_token(session: AsyncSession, token_id: int) -> ApiToken | None:
    """Revoke a token (and with it its desk log-ins); None if there is no such token."""
    row = await session.get(ApiToken, token_id)
    if row is not None and row.revoked_at is None:
        row.revoked_at = datetime.now(UTC)
        await session.flush()
    return row


def token_refusal(row: ApiToken, now: datetime) -> str | None:
    """Why a stored token no longer opens anything, or None."""
    if row.revoked_at is not None:
        return "This token was revoked; ask an admin for a new one."
    expires = row.expires_at
    if expires is not None:
        expires = as_utc(expires)
        if expires <= now:
            return f"This token expired on {expires:%Y-%m-%d}; ask an admin for a new one."
    return None


def _unauthorized(detail: str, error: str | None = None) -> ProblemError:
    challenge = 'Bearer realm="coopflow"'
    if error:
        challenge += f', error="{error}"'
    return ProblemError(401, "unauthorized", detail, headers={"WWW-Authenticate": challenge})


async def principal_for_token(session: AsyncSession, admin_token: str, token: str) -> Principal:
    if admin_token and hmac.compare_digest(token.encode(), admin_token.encode()):
        return Principal(role="admin", label="bootstrap admin")
    row = await session.scalar(select(ApiToken).where(ApiToken.token_hash == hash_token(token)))
    if row is None or row.role not in ROLES:
        raise _unauthorized(
            "This bearer token is not known; ask an admin for a valid token.", "invalid_token"
        )
    refused = token_refusal(row, datetime.now(UTC))
    if refused:
        raise _unauthorized(refused, "invalid_token")
    return principal_of(row)


def principal_of(row: ApiToken) -> Principal:
    """Who a stored token speaks for (the caller checked it: a known role, live)."""
    role = cast(Role, row.role)
    return Principal(role=role, label=row.label, member_id=row.member_id, token_id=row.id)


async def live_member_token(
    session: AsyncSession, member_id: int, now: datetime
) -> ApiToken | None:
    """The member's newest token that still opens something (a log-in without a token, by an
    e-mailed link, runs under it: revoking a member's tokens shuts that door too), or None."""
    return await session.scalar(
        select(ApiToken)
        .where(
            ApiToken.member_id == member_id,
            ApiToken.role == "member",
            ApiToken.revoked_at.is_(None),
            or_(ApiToken.expires_at.is_(None), ApiToken.expires_at > now),
        )
        .order_by(ApiToken.id.desc())
        .limit(1)
    )


async def current_principal(
    session: DbSession,
    config: AppConfig,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
) -> Principal:
    if credentials is None or not credentials.credentials:
        raise _unauthorized(
            "This endpoint needs 'Authorization: Bearer <token>'; an admin issues tokens."
        )
    return await principal_for_token(session, config.admin_token, credentials.credentials)


CurrentPrincipal = Annotated[Principal, Depends(current_principal)]


def require_role(*roles: Role) -> Any:
    """``Depends`` that lets only ``roles`` through (403 otherwise)."""

    async def _check(principal: CurrentPrincipal) -> Principal:
        if principal.role not in roles:
            raise ProblemError(
                403,
                "forbidden",
                f"This action is for {' or '.join(roles)} tokens; yours is a {principal.role} "
                "token.",
            )
        if principal.role == "member" and principal.member_id is None:
            raise ProblemError(403, "forbidden", "This member token is not linked to a member.")
        return principal

    return Depends(_check)


MemberPrincipal = Annotated[Principal, require_role("member")]
FinancePrincipal = Annotated[Principal, require_role("finance")]
AdminPrincipal = Annotated[Principal, require_role("admin")]
StaffPrincipal = Annotated[Principal, require_role("finance", "admin")]
AnyPrincipal = Annotated[Principal, require_role("member", "finance", "admin")]
