"""The public ``/sign/<token>`` capabilities of an offer: minted for each message that carries
one (the offer e-mail, the member's submit answer), stored only as hashes, revocable, expiring
with the offer."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from db.models import SigningLinkToken, SigningToken
from domain.capability import new_link_token, token_hash


async def mint(session: AsyncSession, signing_token_id: str) -> str:
    """A new public token for the offer's signing; returned this once, stored as its hash."""
    token = new_link_token()
    session.add(SigningLinkToken(token_hash=token_hash(token), signing_token_id=signing_token_id))
    await session.flush()
    return token


async def resolve(
    session: AsyncSession, token: str
) -> tuple[SigningLinkToken, SigningToken] | None:
    """The link row and the signing a public token opens, if the token is known (the caller
    tells a revoked or expired link from an unknown one)."""
    row = await session.scalar(
        select(SigningLinkToken).where(SigningLinkToken.token_hash == token_hash(token))
    )
    if row is None:
        return None
    return row, await session.get_one(SigningToken, row.signing_token_id)


async def revoke_for_order(session: AsyncSession, order_id: int, now: datetime) -> int:
    """Close every open signing of the order: its links stop at once (former HMAC links too,
    through the signing's expiry); a new submit opens a new signing with new links. Returns
    how many links were revoked."""
    open_signings = select(SigningToken.token_id).where(
        SigningToken.order_id == order_id, SigningToken.used_at.is_(None)
    )
    revoked = await session.execute(
        update(SigningLinkToken)
        .where(
            SigningLinkToken.signing_token_id.in_(open_signings),
            SigningLinkToken.revoked_at.is_(None),
        )
        .values(revoked_at=now)
    )
    await session.execute(
        update(SigningToken)
        .where(
            SigningToken.order_id == order_id,
            SigningToken.used_at.is_(None),
            SigningToken.expires_at > now,
        )
        .values(expires_at=now)
    )
    return int(revoked.rowcount)  # type: ignore[attr-defined]
