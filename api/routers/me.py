"""The member's pages (``/me``): log in with the member's token (or an e-mailed link,
``api.routers.me_magic_links``), my orders with their live state, a new order and its offer,
my invoices and payslips with their PDFs.

Sessions are the desk's (``api.me_sessions``): the cookie holds a random session id, every form
carries the session's CSRF token and is refused from another origin. Every action calls the
service the JSON API calls (``api.services``), as the member. Words come from the member's
language (``api.me_labels``); a confirmation is one of a fixed set of labels with an order
number, never text from the address bar.
"""

from __future__ import annotations

import asyncio
import re
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from fastapi import APIRouter, Request, Response
from fastapi.responses import FileResponse, HTMLResponse, RedirectResponse
from sqlalchemy.ext.asyncio import AsyncSession

from adapters.documents.payslip_pdf import payslip_pdf_path
from api import desk_sessions as desk
from api import me_sessions
from api.auth import principal_for_token
from api.bounds import IdPath
from api.deps import AppConfig, DbSession, TemporalConn
from api.errors import ProblemError, not_found, problem_of
from api.html import form_fields
from api.idempotency import Idempotency
from api.me_labels import browser_language, labels, short_date
from api.me_order_form import completion_from_form, order_from_form
from api.me_order_state import state_words
from api.services import books
from api.services import clients as client_service
from api.services import orders as service
from api.templating import render
from api.temporal import query_view
from db.models import Member
from domain.order_messages import OrderView
from domain.order_status import OrderStatus

router = APIRouter(prefix="/me", tags=["me"])

LIST_LIMIT = 100  # the most recent; older ones through the JSON API
PAGE_SIZE = 25  # orders per page of "my orders", newest first
MAX_PAGE = 10_000
NOTICES = {
    "created": "created",
    "submitted": "submitted",
    "completed": "completed",
    "logged-out": "logged_out",
}


def _notice_text(params: dict[str, str], words: dict[str, str]) -> str:
    notice = params.get("notice", "")
    order = params.get("order", "")
    if notice not in NOTICES or not re.fullmatch(r"\d{0,18}", order):
        return ""
    return words[NOTICES[notice]].format(order=order)


def _redirect(notice: str, **values: str) -> RedirectResponse:
    return RedirectResponse("/me?" + urlencode({"notice": notice, **values}), 303)


def login_page(
    words: dict[str, str], *, message: str = "", error: str = "", status: int = 200
) -> HTMLResponse:
    return render("me/login.html", status=status, t=words, who="", message=message, error=error)


def guest_words(request: Request) -> dict[str, str]:
    """Before log-in: the browser's language."""
    return labels(browser_language(request.headers.get("accept-language", "")))


async def _member(session: AsyncSession, login: desk.DeskLogin) -> Member:
    member = await session.get(Member, login.principal.own_member_id)
    assert member is not None  # the session's token points at it
    return member


async def member_page(
    session: AsyncSession,
    login: desk.DeskLogin,
    template: str,
    section: str,
    *,
    status: int = 200,
    **context: Any,
) -> HTMLResponse:
    member = await _member(session, login)
    words = labels(member.language)
    return render(
        template,
        status=status,
        t=words,
        short_date=lambda day: short_date(day, words),
        who=member.name,
        csrf=login.csrf,
        section=section,
        **({"message": "", "error": ""} | context),
    )


async def _views(
    temporal: TemporalConn, order_ids: list[int]
) -> dict[int, tuple[OrderView | None, str | None]]:
    """Each submitted order's live view; none when Temporal is away (the page still shows)."""
    if not order_ids:
        return {}
    try:
        client = await temporal.get()
    except ProblemError as exc:
        return {order_id: (None, exc.detail) for order_id in order_ids}
    answers = await asyncio.gather(*(query_view(client, order_id) for order_id in order_ids))
    return dict(zip(order_ids, answers, strict=True))


def _invoice_pdf(config: AppConfig, number: str) -> Path:
    return config.invoice_dir / f"{number}.pdf"


def _page_number(text: str) -> int:
    """``?page=`` as a page number; anything else is the first page."""
    return int(text) if text.isdigit() and 1 <= int(text) <= MAX_PAGE else 1


def _status(stored: str, view: OrderView | None) -> str:
    return view.status.value if view is not None else stored


@router.get("", response_class=HTMLResponse, include_in_schema=False)
async def my_orders(
    request: Request, session: DbSession, temporal: TemporalConn, config: AppConfig
) -> HTMLResponse:
    """The log-in form, or my orders with their state in words."""
    login = await me_sessions.current_login(request, session)
    if login is None:
        words = guest_words(request)
        return login_page(words, message=_notice_text(dict(request.query_params), words))
    member = await _member(session, login)
    words = labels(member.language)
    page = _page_number(request.query_params.get("page", "1"))
    orders = await service.list_orders(
        session,
        login.principal,
        status=None,
        limit=PAGE_SIZE + 1,  # one more tells whether an older page exists
        offset=(page - 1) * PAGE_SIZE,
    )
    older = len(orders) > PAGE_SIZE
    orders = orders[:PAGE_SIZE]
    views = await _views(temporal, [o.id for o in orders if o.workflow_id is not None])
    invoices = await books.invoices_of_orders(session, [o.id for o in orders])
    invoice_of = {i.order_id: i for i in invoices if _invoice_pdf(config, i.number).is_file()}
    rows = [
        {
            "order": o,
            "state": state_words(o.status, *views.get(o.id, (None, None)), words),
            "invoice": invoice_of.get(o.id),
            "can_submit": o.status == OrderStatus.DRAFT,
            "can_complete": _status(o.status, views.get(o.id, (None, None))[0])
            == OrderStatus.SIGNED,
        }
        for o in orders
    ]
    return await member_page(
        session,
        login,
        "me/orders.html",
        "orders",
        rows=rows,
        page=page,
        older=older,
        message=_notice_text(dict(request.query_params), words),
    )


@router.post("/login", include_in_schema=False)
async def login(request: Request, session: DbSession, config: AppConfig) -> Response:
    desk.check_origin(request, config.public_base_url)
    words = guest_words(request)
    token = form_fields(await request.body()).get("token", "").strip()
    try:
        principal = await principal_for_token(session, config.admin_token, token)
    except ProblemError as refused:
        return login_page(words, error=refused.detail or words["login_unknown"], status=401)
    if principal.role != "member" or principal.member_id is None:
        return login_page(words, error=words["login_staff"], status=403)
    return await me_sessions.log_in(session, principal, config.public_base_url)


@router.post("/logout", include_in_schema=False)
async def logout(request: Request, session: DbSession, config: AppConfig) -> Response:
    fields = form_fields(await request.body())
    await desk.log_out(request, session, config.public_base_url, me_sessions.COOKIE, fields)
    response = _redirect("logged-out")
    me_sessions.clear_cookie(response, config.public_base_url)
    return response


@router.get("/orders/new", response_class=HTMLResponse, include_in_schema=False)
async def new_order_form(request: Request, session: DbSession) -> HTMLResponse:
    login = await me_sessions.current_login(request, session)
    if login is None:
        words = guest_words(request)
        return login_page(words, error=words["login_again"], status=401)
    clients = await client_service.list_clients(
        session, login.principal, limit=LIST_LIMIT, offset=0
    )
    return await member_page(session, login, "me/new_order.html", "new-order", clients=clients)


Action = Callable[[me_sessions.MemberForm, dict[str, str]], Awaitable[Response]]


async def member_action(
    request: Request, session: AsyncSession, config: AppConfig, action: Action
) -> Response:
    """Run a form's action for the logged-in member (from our origin, with the session's CSRF
    token); a refusal shows its reason on a page with the refusal's status."""
    form = await me_sessions.read_form(request, session, config.public_base_url)
    if form is None:
        words = guest_words(request)
        return login_page(words, error=words["login_again"], status=401)
    words = labels((await _member(session, form.login)).language)
    try:
        return await action(form, words)
    except Exception as exc:
        problem = problem_of(exc)
        if problem is None:
            raise
        await session.rollback()
        return await member_page(
            session,
            form.login,
            "me/problem.html",
            "",
            status=problem.status,
            error=problem.detail,
            problem=problem,
        )


@router.post("/orders", include_in_schema=False)
async def create_order(request: Request, session: DbSession, config: AppConfig) -> Response:
    async def create(form: me_sessions.MemberForm, words: dict[str, str]) -> Response:
        body = order_from_form(form.fields, words)
        order = await service.create_order(session, form.member_id, body)
        await session.commit()
        return _redirect("created", order=str(order.id))

    return await member_action(request, session, config, create)


@router.post("/orders/{order_id}/submit", include_in_schema=False)
async def submit_order(
    order_id: IdPath,
    request: Request,
    session: DbSession,
    config: AppConfig,
    temporal: TemporalConn,
) -> Response:
    async def submit(form: me_sessions.MemberForm, words: dict[str, str]) -> Response:
        principal = form.login.principal
        await service.submit_order(session, await temporal.get(), config, principal, order_id)
        await session.commit()
        return _redirect("submitted", order=str(order_id))

    return await member_action(request, session, config, submit)


@router.post("/orders/{order_id}/complete", include_in_schema=False)
async def complete_order(
    order_id: IdPath,
    request: Request,
    session: DbSession,
    config: AppConfig,
    temporal: TemporalConn,
) -> Response:
    """Declare the work done, with an expense to pass on if one is filled in."""

    async def complete(form: me_sessions.MemberForm, words: dict[str, str]) -> Response:
        principal = form.login.principal
        completion, expense = completion_from_form(form.fields, words)
        if expense is not None:
            await service.add_expense(session, principal, order_id, expense)
        # A form has no Idempotency-Key: the workflow refuses a second completion (409).
        no_key = Idempotency(session, principal.key, None, "")
        client = await temporal.get()
        await service.complete_order(session, client, principal, order_id, completion, no_key)
        await session.commit()
        return _redirect("completed", order=str(order_id))

    return await member_action(request, session, config, complete)


@router.get("/invoices", response_class=HTMLResponse, include_in_schema=False)
async def my_invoices(request: Request, session: DbSession, config: AppConfig) -> HTMLResponse:
    login = await me_sessions.current_login(request, session)
    if login is None:
        words = guest_words(request)
        return login_page(words, error=words["login_again"], status=401)
    invoices = await books.list_invoices(
        session, login.principal, status=None, limit=LIST_LIMIT, offset=0
    )
    rows = [{"invoice": i, "pdf": _invoice_pdf(config, i.number).is_file()} for i in invoices]
    return await member_page(session, login, "me/invoices.html", "invoices", rows=rows)


@router.get("/invoices/{invoice_id}/pdf", include_in_schema=False)
async def my_invoice_pdf(
    invoice_id: IdPath, request: Request, session: DbSession, config: AppConfig
) -> Response:
    login = await me_sessions.current_login(request, session)
    if login is None:
        words = guest_words(request)
        return login_page(words, error=words["login_again"], status=401)
    invoice = await books.invoice_detail(session, login.principal, invoice_id)
    path = _invoice_pdf(config, invoice.number)
    if not path.is_file():
        raise not_found("invoice PDF", invoice_id)
    return FileResponse(path, media_type="application/pdf", filename=path.name)


@router.get("/payslips", response_class=HTMLResponse, include_in_schema=False)
async def my_payslips(request: Request, session: DbSession, config: AppConfig) -> HTMLResponse:
    login = await me_sessions.current_login(request, session)
    if login is None:
        words = guest_words(request)
        return login_page(words, error=words["login_again"], status=401)
    payslips = await books.list_payslips(session, login.principal, limit=LIST_LIMIT, offset=0)
    rows = [
        {
            "payslip": p,
            "pdf": payslip_pdf_path(
                config.payslip_dir, p.jurisdiction, p.pay_date, str(p.id)
            ).is_file(),
        }
        for p in payslips
    ]
    return await member_page(session, login, "me/payslips.html", "payslips", rows=rows)


@router.get("/payslips/{payslip_id}/pdf", include_in_schema=False)
async def my_payslip_pdf(
    payslip_id: IdPath, request: Request, session: DbSession, config: AppConfig
) -> Response:
    login = await me_sessions.current_login(request, session)
    if login is None:
        words = guest_words(request)
        return login_page(words, error=words["login_again"], status=401)
    payslip = await books.payslip(session, login.principal, payslip_id)
    path = payslip_pdf_path(
        config.payslip_dir, payslip.jurisdiction, payslip.pay_date, str(payslip.id)
    )
    if not path.is_file():
        raise not_found("payslip PDF", payslip_id)
    return FileResponse(path, media_type="application/pdf", filename=path.name)
