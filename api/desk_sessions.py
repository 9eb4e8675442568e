"""Log-ins on the finance desk (HTML): a server-side session whose random id is the cookie,
with a CSRF token every form carries and an Origin check on every form post.

The cookie never holds the API token: logging out revokes the session; revoking the token (or
its expiry) ends every session opened with it; a session lasts at most ``SESSION_HOURS``.
"""

from __future__ import annotations

import hmac
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from urllib.parse import urlsplit

from fastapi import Request, Response
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from api.auth import Principal, token_refusal
from api.errors import ProblemError
from api.schemas import as_utc
from db.models import ApiToken, DeskSession
from domain.capability import token_hash as hash_token

COOKIE = "coopflow_desk"
SESSION_HOURS = 8  # a working day
CSRF_FIELD = "csrf"


@dataclass(frozen=True)
class DeskLogin:
    principal: Principal
    csrf: str
    row_id: int


async def open_session(session: AsyncSession, principal: Principal) -> tuple[str, str]:
    """A new session for ``principal``: (the cookie's value, the forms' CSRF token)."""
    session_id = secrets.token_urlsafe(32)
    csrf = secrets.token_urlsafe(32)
    session.add(
        DeskSession(
            session_hash=hash_token(session_id),
            token_id=principal.token_id,
            role=principal.role,
            label=principal.label[:200],
            csrf_token=csrf,
            expires_at=datetime.now(UTC) + timedelta(hours=SESSION_HOURS),
        )
    )
    await session.flush()
    return session_id, csrf


async def current_login(
    request: Request, session: AsyncSession, cookie: str = COOKIE
) -> DeskLogin | None:
    """The live session of this browser under ``cookie`` (the desk's, or the members' pages'),
    or None (log in again)."""
    session_id = request.cookies.get(cookie, "")
    if not session_id:
        return None
    row = await session.scalar(
        select(DeskSession).where(DeskSession.session_hash == hash_token(session_id))
    )
    now = datetime.now(UTC)
    if row is None or row.revoked_at is not None or as_utc(row.expires_at) <= now:
        return None
    member_id = None
    if row.token_id is not None:
        token = await session.get(ApiToken, row.token_id)
        if token is None or token_refusal(token, now):
            return None
        member_id = token.member_id
    principal = Principal(
        role=row.role,  # type: ignore[arg-type]
        label=row.label,
        member_id=member_id,
        token_id=row.token_id,
    )
    return DeskLogin(principal, row.csrf_token, row.id)


async def log_out(
    request: Request, session: AsyncSession, base_url: str, cookie: str, fields: dict[str, str]
) -> None:
    """A log-out form (the desk's or the members' pages'): Origin and CSRF checked, the
    browser's session under ``cookie`` closed and committed; nothing to do without one."""
    check_origin(request, base_url)
    login = await current_login(request, session, cookie)
    if login is not None:
        check_csrf(login, fields)
        await close_session(session, login)
        await session.commit()


async def close_session(session: AsyncSession, login: DeskLogin) -> None:
    row = await session.get(DeskSession, login.row_id)
    if row is not None and row.revoked_at is None:
        row.revoked_at = datetime.now(UTC)
        await session.flush()


def set_cookie(
    response: Response,
    session_id: str,
    public_base_url: str,
    cookie: str = COOKIE,
    path: str = "/finance",
) -> None:
    response.set_cookie(
        cookie,
        session_id,
        httponly=True,
        samesite="strict",
        secure=public_base_url.startswith("https://"),
        path=path,
        max_age=SESSION_HOURS * 3600,
    )


def clear_cookie(
    response: Response, public_base_url: str, cookie: str = COOKIE, path: str = "/finance"
) -> None:
    """Expire the cookie with the attributes it was set with (a browser matches on them)."""
    response.delete_cookie(
        cookie,
        path=path,
        httponly=True,
        samesite="strict",
        secure=public_base_url.startswith("https://"),
    )


def check_origin(request: Request, public_base_url: str) -> None:
    """A form post from another site (another port of this host counts as one) is refused.
    Browsers send Origin on every POST; a client without it is left to the CSRF token."""
    origin = request.headers.get("origin")
    if origin is None:
        return
    ours = urlsplit(public_base_url)
    if origin != f"{ours.scheme}://{ours.netloc}":
        raise ProblemError(403, "cross-site-form", "This form was not sent from the desk.")


def check_csrf(login: DeskLogin, fields: dict[str, str]) -> None:
    if not hmac.compare_digest(fields.get(CSRF_FIELD, "").encode(), login.csrf.encode()):
        raise ProblemError(
            403, "stale-form", "This form is out of date; reload the desk and try again."
        )
