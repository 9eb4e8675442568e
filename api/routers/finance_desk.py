"""The finance desk: escalated cases and refunds to make, as a small web page.

``GET /finance`` asks for a finance token once (login form) and opens a desk session: the
cookie holds the session's random id, never the token (``api.desk_sessions``). Every form
carries the session's CSRF token and is refused from another origin; log-out ends the session.
A confirmation after an action is one of a fixed set of sentences (``NOTICES``), never text
from the address bar.
"""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable
from datetime import date
from decimal import InvalidOperation
from typing import get_args
from urllib.parse import urlencode

from fastapi import APIRouter, Request, Response
from fastapi.responses import HTMLResponse, RedirectResponse
from sqlalchemy.ext.asyncio import AsyncSession

from api import desk_queue_params as params
from api import desk_sessions as desk
from api.auth import Principal, principal_for_token
from api.bounds import IdPath
from api.deps import AppConfig, DbSession, TemporalConn
from api.desk_forms import desk_page, login_page, read_form, require_finance
from api.desk_queue_csv import queue_csv_text
from api.errors import ProblemError, problem_of
from api.html import form_fields, typed_euros
from api.routers.desk_case import case_page
from api.schemas import CreditNoteRequest, DecisionPayment, DecisionRequest, RefundRequest
from api.services import finance as service
from api.services import finance_queue
from api.services.orders import utc_today
from domain.money import format_eur
from domain.order_messages import FinanceDecision

router = APIRouter(prefix="/finance", tags=["finance"])

NOTICES = {
    "decided": "Case {case}: {decision} decided.",
    "refund": "Case {case}: refund recorded.",
    "credit-note": "Case {case}: invoice cancelled by credit note {number}.",
    "logged-out": "You are logged out.",
}
_NOTICE_VALUES = {
    "case": re.compile(r"\d{1,18}"),
    # Not "kind": the queue reads that as its filter.
    "decision": re.compile(
        "|".join(
            kind.replace("_", " ")
            for kind in get_args(FinanceDecision.model_fields["kind"].annotation)
        )
    ),
    "number": re.compile(r"CN-[A-Z]{2}-\d{4}-\d{6}"),
}


def notice_text(params: dict[str, str]) -> str:
    """The confirmation a redirect asks for, if it is one of ours with well-formed values."""
    template = NOTICES.get(params.get("notice", ""))
    if template is None:
        return ""
    values = {k: params.get(k, "") for k in _NOTICE_VALUES if "{" + k + "}" in template}
    if not all(_NOTICE_VALUES[k].fullmatch(v) for k, v in values.items()):
        return ""
    return template.format(**values)


def _notice(notice: str, **values: str) -> RedirectResponse:
    return RedirectResponse("/finance?" + urlencode({"notice": notice, **values}), 303)


async def _queue_page(
    request: Request,
    session: AsyncSession,
    login: desk.DeskLogin,
    *,
    message: str = "",
    error: str = "",
    status: int = 200,
) -> HTMLResponse:
    """The queue as the request's GET parameters filter, sort and page it."""
    view = params.read(dict(request.query_params))
    today = utc_today()
    queue = await finance_queue.page(session, view.filter, view.order, view.page, today)
    return desk_page(
        "desk/queue.html",
        login,
        "queue",
        status=status,
        message=message,
        error=error,
        view=view,
        queue=queue,
        page_numbers=params.page_numbers(queue.page, queue.pages),
        today=today,
    )


@router.get("", response_class=HTMLResponse, include_in_schema=False)
async def show_desk(request: Request, session: DbSession) -> HTMLResponse:
    login = await desk.current_login(request, session)
    notice = notice_text(dict(request.query_params))
    if login is None or not login.principal.is_staff:
        return login_page(notice=notice)
    return await _queue_page(request, session, login, message=notice)


@router.get("/queue.csv", include_in_schema=False)
async def queue_csv(request: Request, session: DbSession) -> Response:
    """The queue as filtered and sorted on the page, every page of it, for a spreadsheet."""
    login = await desk.current_login(request, session)
    if login is None or not login.principal.is_staff:
        return login_page("Log in to download the queue.", status=401)
    view = params.read(dict(request.query_params))
    today = utc_today()
    rows = finance_queue.every_row(session, view.filter, view.order, today)
    return Response(
        await queue_csv_text(rows),
        media_type="text/csv; charset=utf-8",
        headers={
            "Content-Disposition": f'attachment; filename="finance-queue-{today}.csv"',
            "Cache-Control": "no-store",
        },
    )


@router.post("/login", include_in_schema=False)
async def login(request: Request, session: DbSession, config: AppConfig) -> Response:
    desk.check_origin(request, config.public_base_url)
    token = form_fields(await request.body()).get("token", "").strip()
    try:
        principal = await principal_for_token(session, config.admin_token, token)
    except ProblemError as refused:
        return login_page(refused.detail or "This token is not known.", status=401)
    if not principal.is_staff:
        return login_page("The desk is for finance tokens; this is a member token.", status=403)
    session_id, _ = await desk.open_session(session, principal)
    await session.commit()
    response = RedirectResponse("/finance", status_code=303)
    desk.set_cookie(response, session_id, config.public_base_url)
    return response


@router.post("/logout", include_in_schema=False)
async def logout(request: Request, session: DbSession, config: AppConfig) -> Response:
    fields = form_fields(await request.body())
    await desk.log_out(request, session, config.public_base_url, desk.COOKIE, fields)
    response = _notice("logged-out")
    desk.clear_cookie(response, config.public_base_url)
    return response


def _form_instalments(text: str) -> list[dict[str, object]]:
    """The instalments field: one instalment per line, its day and its amount in euros
    (``2027-01-15 500.00``)."""
    plan: list[dict[str, object]] = []
    for number, line in enumerate((ln for ln in text.splitlines() if ln.strip()), start=1):
        try:
            day, amount = line.split()
            plan.append(
                {
                    "due_on": date.fromisoformat(day),
                    "amount_cents": typed_euros(amount),
                }
            )
        except (ValueError, InvalidOperation) as exc:
            raise ProblemError(
                422,
                "invalid-instalments",
                f"Instalment line {number} ({line.strip()!r}): write the day and the amount in "
                "euros, e.g. 2027-01-15 500.00, one instalment per line.",
            ) from exc
    return plan


def _form_decision(fields: dict[str, str]) -> DecisionRequest:
    kind = fields.get("kind", "")
    payment = None
    if kind == "record_payment":
        try:
            amount = typed_euros(fields.get("amount_eur", ""))
        except (ValueError, InvalidOperation) as exc:
            raise ProblemError(
                422,
                "invalid-amount",
                "Enter the amount received in euros, e.g. 1234.56 (at most two decimals).",
            ) from exc
        try:
            received_on = date.fromisoformat(fields.get("received_on") or utc_today().isoformat())
        except ValueError as exc:
            raise ProblemError(
                422, "invalid-date", "Enter the day the payment was received (YYYY-MM-DD)."
            ) from exc
        payment = DecisionPayment(
            amount_cents=amount, received_on=received_on, reference=fields.get("reference", "")
        )
    return DecisionRequest.model_validate(
        {
            "kind": kind,
            "note": fields.get("note", ""),
            "new_due_date": fields.get("new_due_date") or None,
            "promised_on": fields.get("promised_on") or None,
            "payment": payment,
            "waive_charges": fields.get("waive_charges") == "yes",
            "instalments": (
                _form_instalments(fields.get("instalments", "")) if kind == "instalments" else []
            ),
        }
    )


def _decision_in_words(case_id: int, principal: Principal, fields: dict[str, str]) -> str:
    """The decision the form holds, as the confirmation page says it (refused if invalid:
    the order's message is built as the confirmed post will build it)."""
    if fields.get("kind") == "credit_note":
        return "Cancel the invoice by a credit note; what the client paid goes back to it."
    body = _form_decision(fields)
    service.build_decision(case_id, principal, body)
    sentence = _decision_sentence(body)
    if body.waive_charges:
        return f"Waive the charges and the interest to date. {sentence}"
    return sentence


def _decision_sentence(body: DecisionRequest) -> str:
    if body.kind == "record_payment" and body.payment is not None:
        return (
            f"Record a payment of {format_eur(body.payment.amount_cents)} received on "
            f"{body.payment.received_on}."
        )
    if body.kind == "extend":
        return f"Extend the due date to {body.new_due_date}: reminders start over from it."
    if body.kind == "promise_to_pay":
        return (
            f"Record the client's promise to pay everything by {body.promised_on}: no reminders "
            "until then, back to the desk if it is not paid."
        )
    if body.kind == "instalments":
        plan = "; ".join(f"{format_eur(i.amount_cents)} by {i.due_on}" for i in body.instalments)
        return (
            f"Agree {len(body.instalments)} instalments: {plan}. No reminders while they are "
            "paid on time; a missed instalment brings the case back to the desk."
        )
    if body.kind == "write_off":
        return "Write off everything still owed against the guarantee fund and close the case."
    if body.kind == "collection":
        return "Hand the invoice to the collection agency."
    return f"Decide: {body.kind.replace('_', ' ')}."


Notice = tuple[str, dict[str, str]]  # a key of NOTICES and its values


async def _desk_action(
    case_id: IdPath,
    request: Request,
    session: DbSession,
    config: AppConfig,
    action: Callable[[Principal, dict[str, str]], Awaitable[Notice]],
    temporal: TemporalConn,
) -> Response:
    """Run a desk form's action for the logged-in finance user: from the desk (Origin) with
    its session's CSRF token. A refusal shows the desk again with the reason, success
    redirects to it with the action's confirmation."""
    form = await read_form(request, session, config.public_base_url)
    if form is None:
        return login_page("Log in again.", status=401)
    try:
        require_finance(form.login)
        notice, values = await action(form.login.principal, form.fields)
    except Exception as exc:
        problem = problem_of(exc)
        if problem is None:
            raise
        await session.rollback()
        # The refusal in words on the case's own page, its forms there to try again.
        page = await case_page(
            session, form.login, case_id, error=problem.detail or "refused", temporal=temporal
        )
        page.status_code = problem.status
        return page
    return _notice(notice, case=str(case_id), **values)


async def _credit_note_from_desk(
    case_id: IdPath,
    principal: Principal,
    session: DbSession,
    temporal: TemporalConn,
    fields: dict[str, str],
) -> Notice:
    """Cancel an escalated case's invoice by a credit note; the note field is the reason."""
    case = await service.open_case(session, case_id)
    body = CreditNoteRequest(reason=fields.get("note", "").strip() or "cancelled by finance")
    order = await service.issue_credit_note(
        session, await temporal.get(), principal, case.order_id, body
    )
    number = order.view.credit_note_number if order.view else None
    return "credit-note", {"number": number or ""}


def _form_refund(fields: dict[str, str]) -> RefundRequest:
    try:
        amount = typed_euros(fields.get("amount_eur", ""))
        refunded_on = date.fromisoformat(fields.get("refunded_on") or "")
    except (ValueError, InvalidOperation) as exc:
        raise ProblemError(
            422,
            "invalid-refund",
            "Enter the amount refunded in euros (e.g. 1234.56) and the day (YYYY-MM-DD).",
        ) from exc
    return RefundRequest(
        amount_cents=amount, refunded_on=refunded_on, reference=fields.get("reference", "")
    )


@router.post("/cases/{case_id}/refunded", include_in_schema=False)
async def refund_from_desk(
    case_id: IdPath,
    request: Request,
    session: DbSession,
    config: AppConfig,
    temporal: TemporalConn,
) -> Response:
    async def record(_principal: Principal, fields: dict[str, str]) -> Notice:
        await service.record_refund(session, await temporal.get(), case_id, _form_refund(fields))
        return "refund", {}

    return await _desk_action(case_id, request, session, config, record, temporal)


@router.post("/cases/{case_id}/decide", include_in_schema=False)
async def decide_from_desk(
    case_id: IdPath,
    request: Request,
    session: DbSession,
    config: AppConfig,
    temporal: TemporalConn,
) -> Response:
    form = await read_form(request, session, config.public_base_url)
    if form is not None and form.fields.get("confirmed") != "yes":
        # First the decision in words, confirmed with one more click; a form that does not
        # hold a valid decision goes straight on to show its refusal.
        try:
            require_finance(form.login)
            sentence = _decision_in_words(case_id, form.login.principal, form.fields)
        except Exception as exc:
            if problem_of(exc) is None:
                raise
        else:
            kept = [(k, v) for k, v in form.fields.items() if k not in ("csrf", "confirmed")]
            return desk_page(
                "desk/confirm.html",
                form.login,
                "queue",
                case_id=case_id,
                sentence=sentence,
                note=form.fields.get("note", ""),
                fields=kept,
            )

    async def decide(principal: Principal, fields: dict[str, str]) -> Notice:
        if fields.get("kind") == "credit_note":
            return await _credit_note_from_desk(case_id, principal, session, temporal, fields)
        body = _form_decision(fields)
        await service.decide(session, await temporal.get(), principal, case_id, body)
        return "decided", {"decision": body.kind.replace("_", " ")}

    return await _desk_action(case_id, request, session, config, decide, temporal)
