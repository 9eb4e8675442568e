"""The member's budget page (``/me/budget``): the ledger's view of the member's money, in
total and per order, now or at a month's end with that month's movements (``?month=``); and
the member's wage: per order or a monthly salary, the range the budget supports, the monthly
salaries paid, and the form to change it (``POST /me/salary``, from next month)."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

from fastapi import APIRouter, Request, Response
from fastapi.responses import HTMLResponse, RedirectResponse

from api import me_sessions
from api.deps import AppConfig, DbSession, TemporalConn
from api.errors import ProblemError, problem_of
from api.html import typed_euros
from api.routers.me import guest_words, login_page, member_action, member_page
from api.schemas_salary import SalaryChoice
from api.services import budget as service
from api.services import salary as salary_service
from api.services.orders import utc_today

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
    today = utc_today()
    salary = await salary_service.salary_of(session, login.principal.own_member_id, today)
    # newest first: the one in force today, and one chosen for a later month
    in_force = [a for a in salary.arrangements if a.effective_from <= today]
    later = [a for a in salary.arrangements if a.effective_from > today]
    return await member_page(
        session,
        login,
        "me/budget.html",
        "budget",
        salary=salary,
        salary_now=in_force[0] if in_force else None,
        salary_next=later[0] if later else None,
        saved=request.query_params.get("notice") == "salary-saved",
        budget=budget,
        movements=budget.movements,
        month=budget.month,
        figures=FIGURES,
        columns=COLUMNS,
    )


def _choice_from_form(fields: dict[str, str], words: dict[str, str]) -> SalaryChoice:
    """The wage form → the JSON API's request (its rules apply as they are)."""
    if fields.get("mode") != "monthly":
        return SalaryChoice(mode="per_order")
    try:
        gross = typed_euros(fields.get("gross_eur", ""))
        hours = Decimal(fields.get("hours_per_month", "").replace(",", ".").strip())
    except (ValueError, InvalidOperation) as exc:
        raise ProblemError(422, "invalid-amount", words["invalid_amount"]) from exc
    return SalaryChoice.model_validate(
        {"mode": "monthly", "gross_cents": gross, "hours_per_month": hours}
    )


@router.post("/salary", include_in_schema=False)
async def choose_salary(
    request: Request, session: DbSession, config: AppConfig, temporal: TemporalConn
) -> Response:
    """The member's wage choice from its budget page (the JSON API's service)."""

    async def choose(form: me_sessions.MemberForm, words: dict[str, str]) -> Response:
        await salary_service.choose(
            session,
            await temporal.get(),
            task_queue=config.task_queue,
            seconds_per_day=config.seconds_per_day,
            principal=form.login.principal,
            member_id=form.member_id,
            choice=_choice_from_form(form.fields, words),
            today=utc_today(),
        )
        return RedirectResponse("/me/budget?notice=salary-saved#salary", 303)

    return await member_action(request, session, config, choose)
