"""The public ``/pay/<token>`` capabilities of an invoice's payment link: minted for each
document that carries one, stored only as hashes, expiring and revocable."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from db.models import Invoice
from db.models_payments import PayLinkToken, PaymentLink
from domain.capability import new_link_token, token_hash

# An invoice may take long to be paid (reminders, a payment plan, collection): its links live
# two years; a cancelled or paid invoice's page says so for as long.
PAY_LINK_DAYS = 730


async def payment_link(session: AsyncSession, invoice_id: int) -> PaymentLink:
    """The invoice's payment link, created with the invoice (created here if it is missing)."""
    link = await session.scalar(select(PaymentLink).where(PaymentLink.invoice_id == invoice_id))
    if link is None:
        invoice = await session.get_one(Invoice, invoice_id)
        link = PaymentLink(
            token=new_link_token(),
            order_id=invoice.order_id,
            invoice_id=invoice_id,
            amount_cents=0,
            status="open",
            generation=0,
            last_error="",
        )
        session.add(link)
        await session.flush()
    return link


async def mint(session: AsyncSession, payment_link_id: int, *, days: int = PAY_LINK_DAYS) -> str:
    """A new public token for the link; returned this once, stored as its hash."""
    token = new_link_token()
    session.add(
        PayLinkToken(
            token_hash=token_hash(token),
            payment_link_id=payment_link_id,
            expires_at=datetime.now(UTC) + timedelta(days=days),
        )
    )
    await session.flush()
    return token


async def resolve(session: AsyncSession, token: str) -> PaymentLink | None:
    """The link a public token opens, if it is known, not expired and not revoked."""
    row = await session.scalar(
        select(PayLinkToken).where(PayLinkToken.token_hash == token_hash(token))
    )
    if row is None or row.revoked_at is not None:
        return None
    expires = row.expires_at if row.expires_at.tzinfo else row.expires_at.replace(tzinfo=UTC)
    if expires <= datetime.now(UTC):
        return None
    return await session.get(PaymentLink, row.payment_link_id)


async def revoke_for_order(session: AsyncSession, order_id: int, now: datetime) -> int:
    """Revoke every live token of the order's payment links (a leaked link); the next
    document (a reminder) carries a new one. Returns how many were revoked."""
    links = select(PaymentLink.id).where(PaymentLink.order_id == order_id)
    revoked = await session.execute(
        update(PayLinkToken)
        .where(
            PayLinkToken.payment_link_id.in_(links),
            PayLinkToken.revoked_at.is_(None),
            PayLinkToken.expires_at > now,
        )
        .values(revoked_at=now)
    )
    return int(revoked.rowcount)  # type: ignore[attr-defined]
