"""Log in on the member's pages with a link e-mailed on request (``/me/magic/<token>``).

``POST /me/magic-link`` answers every address alike (the page says a link is on its way "if
that address belongs to a member") and mails the link only to a member who still holds a live
token: the session it opens runs under that token, so revoking a member's tokens also shuts
this door. The link opens a page with a button (a POST uses it up, so a mail scanner that
fetches links does not); it is good once, for ``MAGIC_LINK_MINUTES``. Requests are limited per
client (``api.rate_limits.LIMITS``) and per address (``LINKS_PER_ADDRESS``).
"""

from __future__ import annotations

import logging
import math
from datetime import UTC, datetime

from fastapi import APIRouter, BackgroundTasks, Request, Response
from fastapi.responses import HTMLResponse
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from adapters.mail.mailers import Mailer, OutgoingMail
from api import desk_sessions as desk
from api import me_sessions
from api.auth import live_member_token, principal_of
from api.deps import AppConfig, AppMailer, DbSession, RateBuckets
from api.html import form_fields
from api.me_labels import labels
from api.rate_limits import LINKS_PER_ADDRESS
from api.routers.me import guest_words, login_page
from api.templating import render
from db import member_login_links
from db.member_login_links import MAGIC_LINK_MINUTES
from db.models import Member
from domain.capability import token_hash

router = APIRouter(prefix="/me", tags=["me"])
log = logging.getLogger(__name__)

MAX_ADDRESS = 320  # as ``members.email``


def address_key(address: str) -> str:
    """The address's bucket: a fixed-size digest, whatever is typed in (memory stays bounded
    and the buckets hold no addresses)."""
    return "address:" + token_hash(address.strip().lower())


async def _link_mail(
    session: AsyncSession, public_base_url: str, address: str, now: datetime
) -> OutgoingMail | None:
    """A new link for the member with this address, as the mail that carries it; None when no
    member can log in with it (unknown address, or no live token)."""
    if not address or len(address) > MAX_ADDRESS:
        return None
    member = await session.scalar(
        select(Member).where(func.lower(Member.email) == address.strip().lower())
    )
    if member is None or await live_member_token(session, member.id, now) is None:
        return None
    token, row = await member_login_links.mint(session, member.id, now)
    words = labels(member.language)
    link = f"{public_base_url.rstrip('/')}/me/magic/{token}"
    values = {"name": member.name, "link": link, "minutes": MAGIC_LINK_MINUTES}
    return OutgoingMail(
        message_id=f"<member-login-{row.id}@coopflow>",
        to=member.email,
        subject=words["magic_mail_subject"].format(**values),
        body_text=words["magic_mail_body"].format(**values).strip() + "\n",
    )


async def _send(mailer: Mailer, mail: OutgoingMail) -> None:
    """After the answer (every address is answered as fast): a failure is logged, and the
    member asks again."""
    try:
        await mailer.send(mail)
    except Exception:
        log.exception("the log-in link %s could not be sent", mail.message_id)


@router.post("/magic-link", include_in_schema=False)
async def ask_for_link(
    request: Request,
    session: DbSession,
    config: AppConfig,
    mailer: AppMailer,
    buckets: RateBuckets,
    background: BackgroundTasks,
) -> Response:
    desk.check_origin(request, config.public_base_url)
    words = guest_words(request)
    address = form_fields(await request.body()).get("email", "")[: MAX_ADDRESS + 1]
    wait = await buckets.take(LINKS_PER_ADDRESS, address_key(address), 1)
    if wait > 0:
        minutes = str(math.ceil(wait / 60))
        page = login_page(words, error=words["magic_too_many"].format(minutes=minutes), status=429)
        page.headers["Retry-After"] = str(math.ceil(wait))
        return page
    mail = await _link_mail(session, config.public_base_url, address, datetime.now(UTC))
    if mail is not None:
        background.add_task(_send, mailer, mail)
    return login_page(words, message=words["magic_sent"])


def _link_page(words: dict[str, str], token: str, *, status: int = 200) -> HTMLResponse:
    """The link's page: its log-in button (200), or why it opens nothing (404, 410)."""
    return render(
        "me/magic_link.html",
        status=status,
        t=words,
        who="",
        message="",
        error="" if status == 200 else words["magic_gone"],
        token=token,
        open=status == 200,
    )


async def _link_words(
    session: AsyncSession, request: Request, token: str
) -> tuple[dict[str, str], int | None]:
    """The words of the link's member (the browser's for an unknown link) and that member."""
    row = await member_login_links.find(session, token)
    if row is None:
        return guest_words(request), None
    member = await session.get_one(Member, row.member_id)
    return labels(member.language), member.id


@router.get("/magic/{token}", response_class=HTMLResponse, include_in_schema=False)
async def link_page(token: str, request: Request, session: DbSession) -> HTMLResponse:
    """Looking does not use the link up: only the page's button does."""
    words, member_id = await _link_words(session, request, token)
    if member_id is None:
        return _link_page(words, token, status=404)
    if not await member_login_links.is_open(session, token, datetime.now(UTC)):
        return _link_page(words, token, status=410)
    return _link_page(words, token)


@router.post("/magic/{token}", include_in_schema=False)
async def log_in_with_link(
    token: str, request: Request, session: DbSession, config: AppConfig
) -> Response:
    desk.check_origin(request, config.public_base_url)
    words, member_id = await _link_words(session, request, token)
    if member_id is None:
        return _link_page(words, token, status=404)
    now = datetime.now(UTC)
    live = await live_member_token(session, member_id, now)
    if live is None or not await member_login_links.use(session, token, now):
        return _link_page(words, token, status=410)
    return await me_sessions.log_in(session, principal_of(live), config.public_base_url)
