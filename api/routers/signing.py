"""The client's signing link (no login): an HTML page, and the answer as a form or JSON.

A form post (the page's buttons) gets an HTML answer; a JSON post gets JSON or problem+json.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request, Response
from fastapi.responses import HTMLResponse

from api.deps import AppConfig, DbSession, TemporalClient
from api.errors import ProblemError, problem_of
from api.html import form_fields, message_page, offer_page
from api.schemas import OfferAnswer, OfferAnswered
from api.services import signing as service

router = APIRouter(prefix="/sign", tags=["signing"])

_ANSWER_BODY: dict[str, Any] = {
    "requestBody": {
        "required": True,
        "content": {
            "application/json": {"schema": OfferAnswer.model_json_schema()},
            "application/x-www-form-urlencoded": {"schema": OfferAnswer.model_json_schema()},
        },
    }
}


@router.get("/{token}", response_class=HTMLResponse)
async def offer(token: str, session: DbSession, config: AppConfig) -> HTMLResponse:
    try:
        found = await service.load_offer(session, config.signing_secret, token)
    except ProblemError as exc:
        return message_page(exc.problem.title, exc.detail, status=exc.status, error=True)
    order = found.order
    closed_reason = (
        "This offer has already been answered."
        if found.used
        else f"This offer is no longer open (the order is {order.status})."
    )
    return offer_page(
        member_name=order.member.name,
        client_name=order.client.name,
        description=order.description,
        period_start=order.period_start,
        period_end=order.period_end,
        net_amount_cents=order.net_amount_cents,
        vat_rate=found.vat_rate,
        vat_note=found.vat_note,
        payment_terms_days=order.payment_terms_days,
        valid_until=found.valid_until,
        open_=found.open,
        closed_reason=closed_reason,
    )


@router.post("/{token}", openapi_extra=_ANSWER_BODY, response_model=OfferAnswered)
async def answer(
    token: str,
    request: Request,
    session: DbSession,
    config: AppConfig,
    temporal: TemporalClient,
) -> Response | OfferAnswered:
    """Accept or reject the offer (``decision``, ``signer_name``, optional ``comment``)."""
    raw = await request.body()
    if request.headers.get("content-type", "").startswith("application/x-www-form-urlencoded"):
        try:
            body = OfferAnswer.model_validate(form_fields(raw))
            answered = await service.respond(session, temporal, config.signing_secret, token, body)
        except Exception as exc:
            problem = problem_of(exc)
            if problem is None:
                raise
            return message_page(problem.title, problem.detail, status=problem.status, error=True)
        return message_page("Offer answered", answered.message)
    body = OfferAnswer.model_validate_json(raw)  # invalid → 422 problem+json
    return await service.respond(session, temporal, config.signing_secret, token, body)
