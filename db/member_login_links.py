"""The one-time ``/me/magic/<token>`` log-in links of the member's pages: minted when a member
asks for one by e-mail, stored only as hashes, expiring after ``MAGIC_LINK_MINUTES``, used once.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import ColumnElement, and_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from db.models_member_login import MemberLoginLink
from domain.capability import new_link_token, token_hash

# Long enough to open the mail on another device, short enough that a link found later in a
# mailbox or a log opens nothing.
MAGIC_LINK_MINUTES = 15


async def mint(
    session: AsyncSession, member_id: int, now: datetime, *, minutes: int = MAGIC_LINK_MINUTES
) -> tuple[str, MemberLoginLink]:
    """A new link for the member; the token is returned this once, stored as its hash."""
    token = new_link_token()
    row = MemberLoginLink(
        token_hash=token_hash(token),
        member_id=member_id,
        expires_at=now + timedelta(minutes=minutes),
    )
    session.add(row)
    await session.flush()
    return token, row


def _open(token: str, now: datetime) -> ColumnElement[bool]:
    return and_(
        MemberLoginLink.token_hash == token_hash(token),
        MemberLoginLink.used_at.is_(None),
        MemberLoginLink.expires_at > now,
    )


async def find(session: AsyncSession, token: str) -> MemberLoginLink | None:
    """The link a token names, used or not, expired or not (None: not a link of ours)."""
    return await session.scalar(
        select(MemberLoginLink).where(MemberLoginLink.token_hash == token_hash(token))
    )


async def is_open(session: AsyncSession, token: str, now: datetime) -> bool:
    """Whether the link still logs in (not used, not expired); looking does not use it."""
    return await session.scalar(select(MemberLoginLink.id).where(_open(token, now))) is not None


async def use(session: AsyncSession, token: str, now: datetime) -> bool:
    """Use the link up if it is open; False if it was used, had expired or is unknown. One
    conditional UPDATE: of two requests with the same link only one gets True."""
    used = await session.execute(
        update(MemberLoginLink).where(_open(token, now)).values(used_at=now)
    )
    return int(used.rowcount) == 1  # type: ignore[attr-defined]
