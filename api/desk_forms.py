"""What every finance desk form post goes through: from the desk (Origin), by a logged-in
user, with the session's CSRF token; and what an action may do: finance tokens only."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from fastapi import Request
from fastapi.responses import HTMLResponse
from sqlalchemy.ext.asyncio import AsyncSession

from api import desk_sessions as desk
from api.errors import ProblemError
from api.html import form_fields
from api.templating import render


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


def login_page(error: str = "", *, notice: str = "", status: int = 200) -> HTMLResponse:
    """The desk's log-in form (every desk page without a staff session answers it, 401)."""
    return render("desk/login.html", status=status, who="", message=notice, error=error)


def log_in_first() -> HTMLResponse:
    return login_page("Log in first.", status=401)


def desk_page(
    template: str,
    login: desk.DeskLogin,
    section: str,
    *,
    status: int = 200,
    message: str = "",
    error: str = "",
    **context: Any,
) -> HTMLResponse:
    """A desk page for the logged-in user: who they are, the forms' CSRF token, the section
    the navigation marks, a notice or an error, and the page's own context."""
    return render(
        template,
        status=status,
        who=login.principal.label,
        csrf=login.csrf,
        section=section,
        message=message,
        error=error,
        **context,
    )
