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
from api.page_texts import SIGN_TEMPLATE_DIR, PayTexts, for_client
from api.schemas import OfferAnswer, OfferAnswered
from api.services import signing as service
from db.models import Order

router = APIRouter(prefix="/sign", tags=["signing"])


def _texts(order: Order) -> PayTexts:
    """The signing page's words in the client's language, figures in the client's locale."""
    return for_client(order.client.language, order.client.country, folder=SIGN_TEMPLATE_DIR)


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
    texts = _texts(order)
    closed_reason = texts.text("already_answered" if found.used else "closed")
    return offer_page(
        texts,
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
            texts = _texts((await service.load_offer(session, config.signing_secret, token)).order)
            await service.respond(session, temporal, config.signing_secret, token, body)
        except Exception as exc:
            problem = problem_of(exc)
            if problem is None:
                raise
            return message_page(problem.title, problem.detail, status=problem.status, error=True)
        said = texts.text(
            "accepted" if body.decision == "accept" else "rejected", name=body.signer_name
        )
        return message_page(texts.text("answered_title"), said, lang=texts.language)
    body = OfferAnswer.model_validate_json(raw)  # invalid → 422 problem+json
    return await service.respond(session, temporal, config.signing_secret, token, body)
