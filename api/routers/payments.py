"""Payments recorded by finance (bank transfers seen outside reconciliation, cash, ...)."""

from __future__ import annotations

from fastapi import APIRouter, Response

from api.auth import FinancePrincipal
from api.deps import DbSession, TemporalClient
from api.idempotency import IdempotencyDep
from api.schemas import PaymentCreate, PaymentRecorded
from api.services import payments as service

router = APIRouter(tags=["payments"])


@router.post(
    "/payments",
    status_code=201,
    responses={200: {"model": PaymentRecorded, "description": "payment_key already recorded"}},
)
async def record_payment(
    body: PaymentCreate,
    principal: FinancePrincipal,
    session: DbSession,
    temporal: TemporalClient,
    idem: IdempotencyDep,
    response: Response,
) -> PaymentRecorded:
    """Record a payment for an order's invoice and tell its workflow. A repeated
    ``payment_key`` returns the stored payment (200) and changes nothing."""
    recorded = await service.record_payment(session, temporal, principal, body, idem)
    if not recorded.created:
        response.status_code = 200
    return recorded
