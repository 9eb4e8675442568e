"""The finance desk's case page (``/finance/desk/cases/{id}``: the order's timeline and the
decision forms) and its audit trail (``/finance/desk/audit``: who decided what, when, with which
note). Both need a staff session of the desk; without one, the log-in page (401)."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from api import desk_sessions as desk
from api.bounds import IdPath
from api.deps import DbSession
from api.errors import ProblemError
from api.services.case_timeline import audit_trail, case_story
from api.services.orders import utc_today
from api.templating import render

router = APIRouter(prefix="/finance/desk", tags=["finance"])


def _log_in_first() -> HTMLResponse:
    return render("desk/login.html", status=401, who="", message="", error="Log in first.")


@router.get("/cases/{case_id}", response_class=HTMLResponse, include_in_schema=False)
async def show_case(case_id: IdPath, request: Request, session: DbSession) -> HTMLResponse:
    login = await desk.current_login(request, session)
    if login is None or not login.principal.is_staff:
        return _log_in_first()
    try:
        story = await case_story(session, case_id)
    except ProblemError as missing:
        return render(
            "desk/base.html",
            status=missing.status,
            who=login.principal.label,
            csrf=login.csrf,
            section="queue",
            message="",
            error=missing.detail or "No such case.",
        )
    return render(
        "desk/case.html",
        who=login.principal.label,
        csrf=login.csrf,
        section="queue",
        message="",
        error="",
        story=story,
        case={"case_id": story.case.id, "amount_due_cents": story.case.amount_due_cents},
        today=utc_today(),
    )


@router.get("/audit", response_class=HTMLResponse, include_in_schema=False)
async def show_audit(request: Request, session: DbSession) -> HTMLResponse:
    login = await desk.current_login(request, session)
    if login is None or not login.principal.is_staff:
        return _log_in_first()
    return render(
        "desk/audit.html",
        who=login.principal.label,
        csrf=login.csrf,
        section="audit",
        message="",
        error="",
        rows=await audit_trail(session),
    )
