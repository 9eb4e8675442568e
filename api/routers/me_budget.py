"""The member's budget page (``/me/budget``): the ledger's view of the member's money, in
total and per order, now or at a month's end with that month's movements (``?month=``)."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from api import me_sessions
from api.deps import DbSession
from api.errors import problem_of
from api.routers.me import guest_words, login_page, member_page
from api.services import budget as service

router = APIRouter(prefix="/me", tags=["me"])

# (figure, label): the member's total, in the order a member reads them
FIGURES = (
    ("invoiced_net_cents", "budget_invoiced"),
    ("fees_cents", "budget_fees"),
    ("received_cents", "budget_received"),
    ("advanced_cents", "budget_advanced"),
    ("reserved_for_wages_cents", "budget_reserved"),
    ("wages_and_contributions_cents", "budget_wages"),
    ("expenses_reimbursed_cents", "budget_expenses"),
    ("written_off_cents", "budget_written_off"),
    ("budget_held_cents", "budget_held"),
    ("available_cents", "budget_available"),
)
# the per-order table: the same but what does not fit a row
COLUMNS = tuple(f for f in FIGURES if f[0] not in ("advanced_cents", "written_off_cents"))


@router.get("/budget", response_class=HTMLResponse, include_in_schema=False)
async def my_budget(request: Request, session: DbSession) -> HTMLResponse:
    login = await me_sessions.current_login(request, session)
    if login is None:
        words = guest_words(request)
        return login_page(words, error=words["login_again"], status=401)
    month = request.query_params.get("month") or None
    try:
        budget = await service.member_budget(session, login.principal.own_member_id, month)
    except Exception as exc:
        problem = problem_of(exc)
        if problem is None:
            raise
        return await member_page(
            session,
            login,
            "me/problem.html",
            "budget",
            status=problem.status,
            error=problem.detail,
        )
    return await member_page(
        session,
        login,
        "me/budget.html",
        "budget",
        budget=budget,
        movements=budget.movements,
        month=budget.month,
        figures=FIGURES,
        columns=COLUMNS,
    )
