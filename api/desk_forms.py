"""What every finance desk form post goes through: from the desk (Origin), by a logged-in
user, with the session's CSRF token; and what an action may do: finance tokens only."""

from __future__ import annotations

from dataclasses import dataclass

from fastapi import Request
from sqlalchemy.ext.asyncio import AsyncSession

from api import desk_sessions as desk
from api.errors import ProblemError
from api.html import form_fields


@dataclass(frozen=True)
class DeskForm:
    login: desk.DeskLogin
    fields: dict[str, str]


async def read_form(
    request: Request, session: AsyncSession, public_base_url: str
) -> DeskForm | None:
    """The posted form of the logged-in desk user, or None (log in again). A form from another
    site or without the session's CSRF token is refused (403)."""
    desk.check_origin(request, public_base_url)
    login = await desk.current_login(request, session)
    if login is None:
        return None
    fields = form_fields(await request.body())
    desk.check_csrf(login, fields)
    return DeskForm(login, fields)


def require_finance(login: desk.DeskLogin, what: str = "act on cases") -> None:
    if login.principal.role != "finance":
        raise ProblemError(403, "forbidden", f"Only finance tokens {what}.")
