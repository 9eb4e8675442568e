"""Log-ins on the member's pages (``/me``): the desk's server-side sessions
(``api.desk_sessions``) under a cookie of their own, scoped to ``/me``, opened with a member
token or an e-mailed one-time link (``api.routers.me_magic_links``) under the member's token.

A member session never opens the finance desk (another cookie, and the desk wants staff) and a
staff session never opens ``/me`` (only a session opened with a member token counts here).
"""

from __future__ import annotations

from dataclasses import dataclass

from fastapi import Request, Response
from fastapi.responses import RedirectResponse
from sqlalchemy.ext.asyncio import AsyncSession

from api import desk_sessions as desk
from api.auth import Principal
from api.html import form_fields

COOKIE = "coopflow_me"
PATH = "/me"


async def current_login(request: Request, session: AsyncSession) -> desk.DeskLogin | None:
    """The member's live session in this browser, or None (log in again)."""
    login = await desk.current_login(request, session, cookie=COOKIE)
    if login is None or login.principal.role != "member" or login.principal.member_id is None:
        return None
    return login


@dataclass(frozen=True)
class MemberForm:
    login: desk.DeskLogin
    fields: dict[str, str]

    @property
    def member_id(self) -> int:
        return self.login.principal.own_member_id


async def read_form(
    request: Request, session: AsyncSession, public_base_url: str
) -> MemberForm | None:
    """The posted form of the logged-in member, or None (log in again). A form from another
    site or without the session's CSRF token is refused (403)."""
    desk.check_origin(request, public_base_url)
    login = await current_login(request, session)
    if login is None:
        return None
    fields = form_fields(await request.body())
    desk.check_csrf(login, fields)
    return MemberForm(login, fields)


async def log_in(
    session: AsyncSession, principal: Principal, public_base_url: str
) -> RedirectResponse:
    """Open the member's session (with its token, or with an e-mailed link), commit it, and
    send the browser to its orders with the session's cookie."""
    session_id, _ = await desk.open_session(session, principal)
    await session.commit()
    response = RedirectResponse("/me", status_code=303)
    set_cookie(response, session_id, public_base_url)
    return response


def set_cookie(response: Response, session_id: str, public_base_url: str) -> None:
    desk.set_cookie(response, session_id, public_base_url, cookie=COOKIE, path=PATH)


def clear_cookie(response: Response, public_base_url: str) -> None:
    desk.clear_cookie(response, public_base_url, cookie=COOKIE, path=PATH)
