"""Finance: escalated cases and decisions, as JSON and as a small web page (the desk).

The desk (``GET /finance``) asks for a finance token once (login form) and keeps it in an
HttpOnly, SameSite=Strict cookie; its decision forms post to ``/finance/cases/{id}/decide``.
The JSON API takes the bearer header only.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import date
from decimal import InvalidOperation
from urllib.parse import quote

from fastapi import APIRouter, Request, Response
from fastapi.responses import HTMLResponse, RedirectResponse

from api.auth import (
    SESSION_COOKIE,
    FinancePrincipal,
    Principal,
    StaffPrincipal,
    cookie_principal,
    principal_for_token,
)
from api.bounds import IdPath
from api.deps import AppConfig, DbSession, TemporalConn
from api.errors import ProblemError, problem_of
from api.html import finance_page, form_fields, login_page
from api.idempotency import IdempotencyDep
from api.schemas import (
    CreditNoteRequest,
    DecisionPayment,
    DecisionRequest,
    FinanceCaseOut,
    OrderOut,
    RefundRecordedOut,
    RefundRequest,
)
from api.services import finance as service
from api.services.orders import utc_today
from domain.money import parse_euros

router = APIRouter(prefix="/finance", tags=["finance"])


@router.get("/cases")
async def open_cases(_staff: StaffPrincipal, session: DbSession) -> list[FinanceCaseOut]:
    """Escalated cases waiting for a decision, oldest first."""
    return await service.open_cases(session)


@router.post("/cases/{case_id}/decision")
async def decide(
    case_id: IdPath,
    body: DecisionRequest,
    principal: FinancePrincipal,
    session: DbSession,
    temporal: TemporalConn,
    idem: IdempotencyDep,
) -> OrderOut:
    """Decide an escalated case: extend, record_payment, instalments, write_off, collection.
    ``decided_by`` is the name on your finance token."""
    order = await service.decide(session, await temporal.get(), principal, case_id, body, idem)
    await idem.remember(200, order)
    return order


@router.post("/orders/{order_id}/credit-note")
async def credit_note(
    order_id: IdPath,
    body: CreditNoteRequest,
    principal: FinancePrincipal,
    session: DbSession,
    temporal: TemporalConn,
    idem: IdempotencyDep,
) -> OrderOut:
    """Cancel the order's issued invoice in full by a credit note (its own gapless series).
    What the client paid goes back: Stripe payments through Stripe, the rest as a refund case.
    Refused once the member's wage for the order is being paid."""
    order = await service.issue_credit_note(
        session, await temporal.get(), principal, order_id, body, idem
    )
    await idem.remember(200, order)
    return order


@router.post("/cases/{case_id}/refund", status_code=202)
async def record_refund(
    case_id: IdPath,
    body: RefundRequest,
    _principal: FinancePrincipal,
    session: DbSession,
    temporal: TemporalConn,
) -> RefundRecordedOut:
    """Record a refund paid by bank transfer for a refund case; the order books it."""
    return await service.record_refund(session, await temporal.get(), case_id, body)


# ---- the desk (HTML) ----


async def _desk_principal(
    request: Request, session: DbSession, config: AppConfig
) -> Principal | None:
    try:
        principal = await cookie_principal(request, session, config)
    except ProblemError:
        return None
    return principal if principal.is_staff else None


@router.get("", response_class=HTMLResponse, include_in_schema=False)
async def desk(
    request: Request,
    session: DbSession,
    config: AppConfig,
    message: str = "",
) -> HTMLResponse:
    principal = await _desk_principal(request, session, config)
    if principal is None:
        return login_page()
    cases = await service.open_cases(session)
    return finance_page(cases, who=principal.label, today=utc_today(), message=message)


@router.post("/login", include_in_schema=False)
async def login(request: Request, session: DbSession, config: AppConfig) -> Response:
    token = form_fields(await request.body()).get("token", "").strip()
    try:
        principal = await principal_for_token(session, config.admin_token, token)
    except ProblemError:
        return login_page("This token is not known; paste a finance token.", status=401)
    if not principal.is_staff:
        return login_page("The desk is for finance tokens; this is a member token.", status=403)
    response = RedirectResponse("/finance", status_code=303)
    response.set_cookie(
        SESSION_COOKIE,
        token,
        httponly=True,
        samesite="strict",
        secure=config.public_base_url.startswith("https://"),
        path="/finance",
        max_age=12 * 3600,
    )
    return response


@router.post("/logout", include_in_schema=False)
async def logout() -> Response:
    response = RedirectResponse("/finance", status_code=303)
    response.delete_cookie(SESSION_COOKIE, path="/finance")
    return response


def _form_decision(fields: dict[str, str]) -> DecisionRequest:
    kind = fields.get("kind", "")
    payment = None
    if kind == "record_payment":
        try:
            amount = parse_euros(fields.get("amount_eur", "").replace(",", ".").strip())
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
            "payment": payment,
        }
    )


async def _desk_action(
    case_id: IdPath,
    request: Request,
    session: DbSession,
    config: AppConfig,
    action: Callable[[Principal], Awaitable[str]],
) -> Response:
    """Run a desk form's action for the logged-in finance user; a refusal shows the desk again
    with the reason, success redirects to it with the action's message."""
    principal = await _desk_principal(request, session, config)
    if principal is None:
        return login_page("Log in again.", status=401)
    try:
        if principal.role != "finance":
            raise ProblemError(403, "forbidden", "Only finance tokens act on cases.")
        message = await action(principal)
    except Exception as exc:
        problem = problem_of(exc)
        if problem is None:
            raise
        await session.rollback()
        cases = await service.open_cases(session)
        return finance_page(
            cases,
            who=principal.label,
            today=utc_today(),
            error=f"Case {case_id}: {problem.detail}",
            status=problem.status,
        )
    done = quote(f"Case {case_id}: {message}")
    return RedirectResponse(f"/finance?message={done}", status_code=303)


async def _credit_note_from_desk(
    case_id: IdPath,
    principal: Principal,
    session: DbSession,
    temporal: TemporalConn,
    fields: dict[str, str],
) -> str:
    """Cancel an escalated case's invoice by a credit note; the note field is the reason."""
    case = await service.open_case(session, case_id)
    body = CreditNoteRequest(reason=fields.get("note", "").strip() or "cancelled by finance")
    order = await service.issue_credit_note(
        session, await temporal.get(), principal, case.order_id, body
    )
    number = order.view.credit_note_number if order.view else None
    return f"invoice cancelled by credit note {number}."


def _form_refund(fields: dict[str, str]) -> RefundRequest:
    try:
        amount = parse_euros(fields.get("amount_eur", "").replace(",", ".").strip())
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
    async def record(_principal: Principal) -> str:
        body = _form_refund(form_fields(await request.body()))
        await service.record_refund(session, await temporal.get(), case_id, body)
        return "refund recorded."

    return await _desk_action(case_id, request, session, config, record)


@router.post("/cases/{case_id}/decide", include_in_schema=False)
async def decide_from_desk(
    case_id: IdPath,
    request: Request,
    session: DbSession,
    config: AppConfig,
    temporal: TemporalConn,
) -> Response:
    async def decide(principal: Principal) -> str:
        fields = form_fields(await request.body())
        if fields.get("kind") == "credit_note":
            return await _credit_note_from_desk(case_id, principal, session, temporal, fields)
        body = _form_decision(fields)
        await service.decide(session, await temporal.get(), principal, case_id, body)
        return f"{body.kind.replace('_', ' ')} decided."

    return await _desk_action(case_id, request, session, config, decide)
