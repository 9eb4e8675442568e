"""The client's answer to an offer, through the signed link (no login).

The link's token is random and stored as a hash (``db.signing_links``); former links, signed
with HMAC (``domain.signing``, recognised by their dot), keep working until their offer expires.
The single use is recorded in ``signing_tokens`` with a conditional UPDATE, committed before the
workflow is asked, and undone when the workflow refuses, so a refused answer can be given again.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime
from decimal import Decimal

from sqlalchemy import update
from sqlalchemy.ext.asyncio import AsyncSession
from temporalio.client import Client as TemporalClient

from api.errors import ProblemError
from api.schemas import OfferAnswer, OfferAnswered, as_utc
from api.temporal import order_update
from db import signing_links
from db.models import Order, SigningToken
from domain.order_messages import OfferResponse
from domain.order_status import OrderStatus
from domain.policy import policy_for
from domain.signing import InvalidSigningToken, SigningClaims, decode_signing_token
from domain.vat import VatTreatment, decide_vat
from workflows.order import OrderLifecycleWorkflow

_EPOCH = datetime(1970, 1, 2, tzinfo=UTC)
_CLOSED = {
    OrderStatus.REJECTED,
    OrderStatus.EXPIRED,
    OrderStatus.CANCELLED,
    OrderStatus.CLOSED,
}


@dataclass(frozen=True)
class Offer:
    order: Order
    claims: SigningClaims
    used: bool
    vat_rate: Decimal
    vat_note: str

    @property
    def valid_until(self) -> date:
        return self.order.offer_valid_until

    @property
    def open(self) -> bool:
        return not self.used and self.order.status == OrderStatus.AWAITING_SIGNATURE


def _unknown() -> ProblemError:
    return ProblemError(
        400,
        "invalid-signing-token",
        "This signing link does not match any offer; ask the member for a new one.",
        title="Invalid signing link",
    )


def _expired(expires_at: datetime) -> ProblemError:
    return ProblemError(
        410,
        "signing-link-expired",
        f"this signing link expired on {expires_at:%Y-%m-%d %H:%M} UTC; ask the member for a "
        "new offer",
        title="Signing link expired",
    )


async def claims_of(session: AsyncSession, secret: str, token: str, now: datetime) -> SigningClaims:
    """What a link opens: 400 for a link that is not ours (or revoked), 410 for one of ours
    whose offer expired."""
    if "." in token:
        return decode_link(secret, token, now)
    found = await signing_links.resolve(session, token)
    if found is None:
        raise _unknown()
    link, signing = found
    if link.revoked_at is not None:
        raise ProblemError(
            410,
            "signing-link-revoked",
            "The cooperative closed this signing link; ask the member for a new one.",
            title="Signing link closed",
        )
    expires_at = as_utc(signing.expires_at)
    if now >= expires_at:
        raise _expired(expires_at)
    return SigningClaims(
        order_id=signing.order_id, token_id=signing.token_id, expires_at=expires_at
    )


def decode_link(secret: str, token: str, now: datetime) -> SigningClaims:
    """A former HMAC-signed link: 400 for a link that is not ours, 410 for one that expired."""
    try:
        return decode_signing_token(secret, token, now)
    except InvalidSigningToken as exc:
        try:
            decode_signing_token(secret, token, _EPOCH)
        except InvalidSigningToken:
            raise ProblemError(400, exc.code, exc.message, title="Invalid signing link") from exc
        raise ProblemError(
            410, "signing-link-expired", exc.message, title="Signing link expired"
        ) from exc


async def load_offer(session: AsyncSession, signing_secret: str, token: str) -> Offer:
    now = datetime.now(UTC)
    claims = await claims_of(session, signing_secret, token, now)
    row = await session.get(SigningToken, claims.token_id)
    order = await session.get(Order, claims.order_id)
    if row is None or order is None or row.order_id != claims.order_id:
        raise _unknown()
    if row.used_at is None and now >= as_utc(row.expires_at):  # revoked former link
        raise _expired(as_utc(row.expires_at))
    client = order.client
    vat = decide_vat(
        policy_for(order.jurisdiction, order.offer_valid_until),  # type: ignore[arg-type]
        client_country=client.country,
        client_is_business=client.is_business,
        client_vat_id=client.vat_id,
        category=order.vat_category,
    )
    note = vat.legal_note if vat.treatment != VatTreatment.DOMESTIC else ""
    return Offer(order, claims, row.used_at is not None, vat.rate, note)


def _used() -> ProblemError:
    return ProblemError(
        409,
        "signing-link-used",
        "This signing link was already used; the offer has been answered. Contact the member "
        "if this was not you.",
        title="Signing link already used",
    )


async def respond(
    session: AsyncSession,
    temporal: TemporalClient,
    signing_secret: str,
    token: str,
    answer: OfferAnswer,
) -> OfferAnswered:
    offer = await load_offer(session, signing_secret, token)
    order = offer.order
    if offer.used:
        raise _used()
    if order.status in _CLOSED:
        raise ProblemError(
            410,
            "offer-closed",
            f"This offer is no longer open: the order is {order.status}. Ask the member for a "
            "new offer.",
            title="Offer closed",
        )
    token_id = offer.claims.token_id
    marked = await session.execute(
        update(SigningToken)
        .where(SigningToken.token_id == token_id, SigningToken.used_at.is_(None))
        .values(used_at=datetime.now(UTC))
    )
    if marked.rowcount == 0:  # type: ignore[attr-defined]  # a concurrent answer won
        raise _used()
    await session.commit()  # visible before the workflow acts, never held across the call
    response = OfferResponse(
        decision=answer.decision,
        signer_name=answer.signer_name,
        token_id=token_id,
        comment=answer.comment,
    )
    try:
        view = await order_update(
            temporal, order.id, OrderLifecycleWorkflow.respond_to_offer, response
        )
    except BaseException:
        await session.rollback()
        await session.execute(
            update(SigningToken).where(SigningToken.token_id == token_id).values(used_at=None)
        )
        await session.commit()
        raise
    if answer.decision == "accept":
        await session.execute(
            update(Order).where(Order.id == order.id).values(signed_by=answer.signer_name)
        )
    message = (
        f"Thank you, {answer.signer_name}: the offer is accepted."
        if answer.decision == "accept"
        else f"Thank you, {answer.signer_name}: the offer is rejected."
    )
    return OfferAnswered(
        order_id=order.id, decision=answer.decision, status=view.status, message=message
    )
