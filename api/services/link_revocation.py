"""Closing an order's public links at once: a client forwarded the invoice e-mail to the wrong
person, a signing link was posted somewhere. Staff revoke; new links go out with what comes
next (a new submit for the offer, the next reminder for the payment)."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy.ext.asyncio import AsyncSession

from api.errors import not_found
from api.schemas_tokens import LinksRevoked
from db import pay_link_tokens, signing_links
from db.models import Order


async def revoke_order_links(session: AsyncSession, order_id: int) -> LinksRevoked:
    if await session.get(Order, order_id) is None:
        raise not_found("order", order_id)
    now = datetime.now(UTC)
    signing = await signing_links.revoke_for_order(session, order_id, now)
    paying = await pay_link_tokens.revoke_for_order(session, order_id, now)
    return LinksRevoked(
        order_id=order_id,
        signing_links=signing,
        pay_links=paying,
        revoked_at=now,
        next_steps=(
            "Every link of this order sent so far is closed. If the offer is still open, the "
            "member submits the order again for a new signing link; the next reminder carries "
            "a new payment link."
        ),
    )
