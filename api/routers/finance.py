"""Finance's JSON API: escalated cases and decisions, credit notes, refunds (bearer tokens).
The desk, the same as a web page, is ``api.routers.finance_desk``."""

from __future__ import annotations

from fastapi import APIRouter

from api.auth import (
    FinancePrincipal,
    StaffPrincipal,
)
from api.bounds import IdPath
from api.deps import DbSession, TemporalConn
from api.idempotency import IdempotencyDep
from api.schemas import (
    CreditNoteRequest,
    DecisionRequest,
    FinanceCaseOut,
    OrderOut,
    RefundRecordedOut,
    RefundRequest,
    StepRetried,
)
from api.schemas_tokens import LinksRevoked
from api.services import finance as service
from api.services.link_revocation import revoke_order_links
from api.services.order_retry import retry_order_step

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


@router.post("/orders/{order_id}/retry", status_code=202)
async def retry_step(
    order_id: IdPath, _staff: StaffPrincipal, session: DbSession, temporal: TemporalConn
) -> StepRetried:
    """Ops fixed what stopped the order (NeedsAttention): the member's bank details after a
    rejected or returned wage, declaration data…: its refused step tries again. The order's
    status says whether it went through."""
    return await retry_order_step(session, await temporal.get(), order_id)


@router.post("/orders/{order_id}/revoke-links")
async def revoke_links(
    order_id: IdPath, _staff: StaffPrincipal, session: DbSession
) -> LinksRevoked:
    """Close every signing and payment link of the order sent so far (a leaked or misdirected
    e-mail). Former HMAC signing links close too. New links go out with what comes next."""
    revoked = await revoke_order_links(session, order_id)
    await session.commit()
    return revoked


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
