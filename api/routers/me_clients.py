"""The member's clients on its pages (``/me/clients``): the list and a form to add one, through
the JSON API's service and rules (``POST /clients``), in the member's language."""

from __future__ import annotations

from fastapi import APIRouter, Request, Response
from fastapi.responses import HTMLResponse, RedirectResponse

from api import me_sessions
from api.deps import AppConfig, DbSession
from api.routers.me import LIST_LIMIT, guest_words, login_page, member_action, member_page
from api.schemas import ClientCreate
from api.services import clients as client_service

router = APIRouter(prefix="/me", tags=["me"])

LANGUAGES = ("en", "de", "fr", "nl", "it", "pl")


def client_from_form(fields: dict[str, str]) -> ClientCreate:
    """The add-a-client form → the JSON API's request model (its rules apply as they are)."""
    return ClientCreate.model_validate(
        {
            "name": fields.get("name", "").strip(),
            "email": fields.get("email", "").strip(),
            "address": fields.get("address", "").strip(),
            "country": fields.get("country", "").strip(),
            "is_business": fields.get("is_business") == "yes",
            "vat_id": fields.get("vat_id", "").strip() or None,
            "language": fields.get("language") or "en",
        }
    )


@router.get("/clients", response_class=HTMLResponse, include_in_schema=False)
async def my_clients(request: Request, session: DbSession) -> HTMLResponse:
    login = await me_sessions.current_login(request, session)
    if login is None:
        words = guest_words(request)
        return login_page(words, error=words["login_again"], status=401)
    clients = await client_service.list_clients(
        session, login.principal, limit=LIST_LIMIT, offset=0
    )
    added = request.query_params.get("notice") == "client-added"
    return await member_page(
        session,
        login,
        "me/clients.html",
        "clients",
        clients=clients,
        languages=LANGUAGES,
        added=added,
    )


@router.post("/clients", include_in_schema=False)
async def add_client(request: Request, session: DbSession, config: AppConfig) -> Response:
    async def add(form: me_sessions.MemberForm, _words: dict[str, str]) -> Response:
        await client_service.create_client(session, form.member_id, client_from_form(form.fields))
        await session.commit()
        return RedirectResponse("/me/clients?notice=client-added", 303)

    return await member_action(request, session, config, add)
