"""The finance desk's case page (``/finance/desk/cases/{id}``: the order's timeline and the
decision forms) and its audit trail (``/finance/desk/audit``: who decided what, when, with which
note). Both need a staff session of the desk; without one, the log-in page (401)."""

from __future__ import annotations

from fastapi import APIRouter, Request, Response
from fastapi.responses import HTMLResponse, RedirectResponse
from sqlalchemy.ext.asyncio import AsyncSession

from api import desk_sessions as desk
from api.bounds import IdPath
from api.deps import AppConfig, DbSession, TemporalConn
from api.desk_forms import desk_page, log_in_first, read_form
from api.errors import ProblemError
from api.services.case_timeline import add_note, audit_trail, case_story
from api.services.orders import utc_today
from api.temporal import query_view
from domain.order_messages import OrderView

router = APIRouter(prefix="/finance/desk", tags=["finance"])


@router.get("/cases/{case_id}", response_class=HTMLResponse, include_in_schema=False)
async def show_case(
    case_id: IdPath, request: Request, session: DbSession, temporal: TemporalConn
) -> HTMLResponse:
    login = await desk.current_login(request, session)
    if login is None or not login.principal.is_staff:
        return log_in_first()
    return await case_page(session, login, case_id, temporal=temporal)


async def _live_view(temporal: TemporalConn, order_id: int) -> tuple[OrderView | None, str]:
    """The order's state to the day from its workflow, or why it is not shown (the page
    still works from the database when Temporal is away)."""
    try:
        client = await temporal.get()
    except ProblemError as exc:
        return None, exc.detail or "the workflow service is not reachable"
    view, why = await query_view(client, order_id)
    return view, why or ""


async def case_page(
    session: AsyncSession,
    login: desk.DeskLogin,
    case_id: int,
    *,
    error: str = "",
    temporal: TemporalConn | None = None,
) -> HTMLResponse:
    try:
        story = await case_story(session, case_id)
    except ProblemError as missing:
        return desk_page(
            "desk/base.html",
            login,
            "queue",
            status=missing.status,
            error=missing.detail or "No such case.",
        )
    view, view_missing = (None, "")
    if temporal is not None:
        view, view_missing = await _live_view(temporal, story.order.id)
    return desk_page(
        "desk/case.html",
        login,
        "queue",
        status=422 if error else 200,
        error=error,
        story=story,
        case={"case_id": story.case.id, "amount_due_cents": story.case.amount_due_cents},
        view=view,
        view_missing=view_missing,
        # The order's own day: a demo's business clock runs ahead of the calendar, and the
        # workflow checks dates (a promised day, a new due date) against its day.
        today=view.business_today if view is not None else utc_today(),
    )


@router.post("/cases/{case_id}/notes", include_in_schema=False)
async def post_note(
    case_id: IdPath, request: Request, session: DbSession, config: AppConfig
) -> Response:
    """A note on the case by the logged-in staff member (CSRF and Origin checked)."""
    form = await read_form(request, session, config.public_base_url)
    if form is None or not form.login.principal.is_staff:
        return log_in_first()
    try:
        await add_note(session, case_id, form.login.principal.label, form.fields.get("text", ""))
    except ProblemError as refused:
        await session.rollback()
        return await case_page(session, form.login, case_id, error=refused.detail or "")
    return RedirectResponse(f"/finance/desk/cases/{case_id}#notes", status_code=303)


@router.get("/audit", response_class=HTMLResponse, include_in_schema=False)
async def show_audit(request: Request, session: DbSession) -> HTMLResponse:
    login = await desk.current_login(request, session)
    if login is None or not login.principal.is_staff:
        return log_in_first()
    return desk_page("desk/audit.html", login, "audit", rows=await audit_trail(session))
