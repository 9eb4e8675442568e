"""The finance desk's page of bank lines waiting for a person (``/finance/desk/bank-lines``):
assign a line to invoices, accept the matcher's suggestion, or dismiss it, by plain forms.

Each form calls the same service as the JSON API (``api.services.bank_lines``); a refusal is
shown on the page with its reason and status. ``/finance/bank-lines`` itself is the JSON API
(bearer tokens), hence the desk's own path under the desk cookie's ``/finance``.
"""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable
from decimal import InvalidOperation
from urllib.parse import urlencode

from fastapi import APIRouter, Request, Response
from fastapi.responses import HTMLResponse, RedirectResponse
from sqlalchemy.ext.asyncio import AsyncSession

from api import desk_sessions as desk
from api.auth import Principal
from api.bounds import IdPath
from api.deps import AppConfig, DbSession, TemporalConn
from api.desk_forms import desk_page, log_in_first, read_form, require_finance
from api.errors import ProblemError, problem_of
from api.html import typed_euros
from api.schemas_bank import QUEUE, AllocationIn, AssignRequest, DismissRequest
from api.services import bank_lines

router = APIRouter(prefix="/finance/desk/bank-lines", tags=["finance"])
PAGE = "/finance/desk/bank-lines"
PAGE_SIZE = 50
ASSIGN_ROWS = 4  # invoice + amount pairs on the assign form

NOTICES = {
    "assigned": "Bank line {line}: put on the invoices.",
    "accepted": "Bank line {line}: suggestion accepted.",
    "not_ours": "Bank line {line}: dismissed as not ours.",
    "refunded": "Bank line {line}: dismissed as paid back.",
}
_LINE = re.compile(r"\d{1,18}")


def notice_text(params: dict[str, str]) -> str:
    template = NOTICES.get(params.get("notice", ""))
    line = params.get("line", "")
    return template.format(line=line) if template and _LINE.fullmatch(line) else ""


def _status(raw: str) -> str:
    return raw if raw in QUEUE else "open"


def _offset(raw: str) -> int:
    return int(raw) if raw.isdigit() and int(raw) <= 1_000_000 else 0


async def _page(
    request: Request,
    session: AsyncSession,
    login: desk.DeskLogin,
    *,
    message: str = "",
    error: str = "",
    status: int = 200,
) -> HTMLResponse:
    query = request.query_params
    shown = _status(query.get("status", ""))
    offset = _offset(query.get("offset", ""))
    found = await bank_lines.lines(
        session, status=shown, statement_id=None, limit=PAGE_SIZE + 1, offset=offset
    )
    return desk_page(
        "desk/bank_lines.html",
        login,
        "bank-lines",
        status=status,
        message=message,
        error=error,
        lines=found[:PAGE_SIZE],
        shown=shown,
        statuses=("open", *QUEUE),
        previous=urlencode({"status": shown, "offset": max(offset - PAGE_SIZE, 0)})
        if offset
        else "",
        following=urlencode({"status": shown, "offset": offset + PAGE_SIZE})
        if len(found) > PAGE_SIZE
        else "",
        assign_rows=ASSIGN_ROWS,
    )


@router.get("", response_class=HTMLResponse, include_in_schema=False)
async def show_lines(request: Request, session: DbSession) -> Response:
    login = await desk.current_login(request, session)
    if login is None or not login.principal.is_staff:
        return log_in_first()
    return await _page(request, session, login, message=notice_text(dict(request.query_params)))


Action = Callable[[Principal, dict[str, str]], Awaitable[str]]  # → a key of NOTICES


async def _line_action(
    line_id: int, request: Request, session: AsyncSession, config: AppConfig, action: Action
) -> Response:
    form = await read_form(request, session, config.public_base_url)
    if form is None:
        return log_in_first()
    try:
        require_finance(form.login, "decide on bank lines")
        notice = await action(form.login.principal, form.fields)
    except Exception as exc:
        problem = problem_of(exc)
        if problem is None:
            raise
        await session.rollback()
        return await _page(
            request,
            session,
            form.login,
            error=f"Bank line {line_id}: {problem.detail}",
            status=problem.status,
        )
    return RedirectResponse(f"{PAGE}?" + urlencode({"notice": notice, "line": line_id}), 303)


def _allocations(fields: dict[str, str]) -> list[AllocationIn]:
    """The filled invoice + amount rows of the assign form (blank rows are left out)."""
    parts = []
    for i in range(1, ASSIGN_ROWS + 1):
        number = fields.get(f"invoice_{i}", "").strip()
        amount = fields.get(f"amount_{i}", "").strip()
        if not number and not amount:
            continue
        try:
            cents = typed_euros(amount)
        except (ValueError, InvalidOperation) as exc:
            raise ProblemError(
                422,
                "invalid-amount",
                f"Row {i}: enter the amount in euros, e.g. 1234.56 (at most two decimals).",
            ) from exc
        parts.append(AllocationIn(invoice_number=number, amount_cents=cents))
    if not parts:
        raise ProblemError(422, "no-invoice", "Name at least one invoice and its amount.")
    return parts


@router.post("/{line_id}/assign", include_in_schema=False)
async def assign(
    line_id: IdPath,
    request: Request,
    session: DbSession,
    config: AppConfig,
    temporal: TemporalConn,
) -> Response:
    async def run(principal: Principal, fields: dict[str, str]) -> str:
        body = AssignRequest(allocations=_allocations(fields), note=fields.get("note", ""))
        await bank_lines.assign(session, await temporal.get(), principal, line_id, body)
        return "assigned"

    return await _line_action(line_id, request, session, config, run)


@router.post("/{line_id}/accept", include_in_schema=False)
async def accept(
    line_id: IdPath,
    request: Request,
    session: DbSession,
    config: AppConfig,
    temporal: TemporalConn,
) -> Response:
    async def run(principal: Principal, _fields: dict[str, str]) -> str:
        await bank_lines.accept(session, await temporal.get(), principal, line_id)
        return "accepted"

    return await _line_action(line_id, request, session, config, run)


@router.post("/{line_id}/dismiss", include_in_schema=False)
async def dismiss(
    line_id: IdPath,
    request: Request,
    session: DbSession,
    config: AppConfig,
    temporal: TemporalConn,
) -> Response:
    async def run(principal: Principal, fields: dict[str, str]) -> str:
        outcome, note = fields.get("outcome", ""), fields.get("note", "").strip()
        if outcome not in ("not_ours", "refunded") or not note:
            raise ProblemError(
                422,
                "dismiss-why",
                "Choose “not ours” or “paid back” and say why in the note.",
            )
        body = DismissRequest.model_validate({"outcome": outcome, "note": note})
        await bank_lines.dismiss(session, await temporal.get(), principal, line_id, body)
        return body.outcome

    return await _line_action(line_id, request, session, config, run)
