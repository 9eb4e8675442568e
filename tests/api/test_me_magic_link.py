"""Log in on the member's pages with an e-mailed link (/me/magic/<token>): the mail goes out
over real SMTP (a local sink) in the member's language, the link works once and for a short
time, an unknown address gets the very same answer and no mail, asking is rate-limited per
client and per address, and the database keeps only the link's hash."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from email.message import EmailMessage
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from api.rate_limits import LINKS_PER_ADDRESS, MemoryBuckets
from api.routers.me_magic_links import address_key
from config import Settings
from db.member_login_links import MAGIC_LINK_MINUTES
from db.models import ApiToken
from db.models_member_login import MemberLoginLink
from dev.mail_sink import MaildirSink, find_free_port
from domain.capability import token_hash
from tests.api.api_helpers import create_client, create_member, create_order
from tests.api.test_api_finance_desk import FORM

LINK = re.compile(r"http://testserver(/me/magic/[A-Za-z0-9_-]+)")
SENT = "If that address belongs to a member, a log-in link is on its way."


@pytest.fixture
def mail_sink(tmp_path: Path) -> Iterator[MaildirSink]:
    with MaildirSink(tmp_path / "received", port=find_free_port()) as sink:
        yield sink


@pytest.fixture
def settings(settings: Settings, mail_sink: MaildirSink) -> Settings:
    """Mail over SMTP to the test's own sink."""
    return settings.model_copy(
        update={"mail_backend": "smtp", "smtp_host": mail_sink.host, "smtp_port": mail_sink.port}
    )


async def ask(api: httpx.AsyncClient, address: str) -> httpx.Response:
    return await api.post("/me/magic-link", data={"email": address}, headers=FORM)


def link_in(mail: EmailMessage) -> str:
    body = mail.get_body(("plain",))
    assert body is not None
    found = LINK.search(body.get_content())
    assert found, body.get_content()
    return found.group(1)


async def member_with_an_order(api: httpx.AsyncClient, **member: Any) -> dict[str, Any]:
    created, token = await create_member(api, **member)
    client = await create_client(api, token)
    await create_order(api, token, client["id"], description="Garden design for ACME")
    return created


async def test_a_member_asks_for_a_link_and_logs_in_with_it_once(
    api: httpx.AsyncClient, mail_sink: MaildirSink
) -> None:
    member = await member_with_an_order(api, language="de")
    login_page = await api.get("/me")
    assert "action='/me/magic-link'" in login_page.text
    assert "name='email'" in login_page.text

    asked = await ask(api, member["email"].upper())  # addresses are matched without case
    assert asked.status_code == 200
    assert SENT in asked.text  # the page is in the browser's language (English here)
    [mail] = mail_sink.messages()
    assert mail["To"] == member["email"]
    assert mail["Subject"] == "Ihr Anmeldelink für Coopflow"  # the member's language
    path = link_in(mail)
    assert f"{MAGIC_LINK_MINUTES} Minuten" in mail.get_body(("plain",)).get_content()  # type: ignore[union-attr]

    # Opening the link (as a mail scanner does) does not use it up: only its button does.
    for _ in range(2):
        page = await api.get(path)
        assert page.status_code == 200
        assert f"action='{path}'" in page.text
        assert "Anmelden" in page.text
        # same-origin, not no-referrer: the button's POST must carry our Origin (a browser
        # sends "Origin: null" under no-referrer); the page loads nothing from elsewhere.
        assert page.headers["referrer-policy"] == "same-origin"
    # Another site cannot post the button for the member (log-in CSRF); the link stays good.
    cross = await api.post(path, headers=FORM | {"origin": "http://evil.example"})
    assert cross.status_code == 403
    logged_in = await api.post(path, headers=FORM)
    assert logged_in.status_code == 303
    assert logged_in.headers["location"] == "/me"
    assert "coopflow_me" in logged_in.cookies
    orders = await api.get("/me")
    assert "Garden design for ACME" in orders.text
    assert "name='token'" not in orders.text

    api.cookies.clear()
    again = await api.post(path, headers=FORM)
    assert again.status_code == 410
    assert "gilt nicht (mehr)" in again.text
    assert "href='/me'" in again.text
    assert "coopflow_me" not in again.cookies
    assert (await api.get(path)).status_code == 410


async def test_an_expired_link_is_refused(
    api: httpx.AsyncClient,
    mail_sink: MaildirSink,
    session_factory: async_sessionmaker[AsyncSession],
) -> None:
    member = await member_with_an_order(api)
    await ask(api, member["email"])
    path = link_in(mail_sink.messages()[0])
    async with session_factory() as session:
        past = datetime.now(UTC) - timedelta(seconds=1)
        await session.execute(update(MemberLoginLink).values(expires_at=past))
        await session.commit()
    assert (await api.get(path)).status_code == 410
    refused = await api.post(path, headers=FORM)
    assert refused.status_code == 410
    assert "does not work (any more)" in refused.text
    assert "name='token'" in (await api.get("/me")).text  # not logged in


async def test_an_unknown_link_opens_nothing(api: httpx.AsyncClient) -> None:
    unknown = await api.post("/me/magic/not-a-link-of-ours-0123456789", headers=FORM)
    assert unknown.status_code == 404
    assert "does not work (any more)" in unknown.text
    assert "href='/me'" in unknown.text
    assert (await api.get("/me/magic/not-a-link-of-ours-0123456789")).status_code == 404


async def test_an_unknown_address_gets_the_same_answer_and_no_mail(
    api: httpx.AsyncClient, mail_sink: MaildirSink
) -> None:
    member = await member_with_an_order(api)
    known = await ask(api, member["email"])
    unknown = await ask(api, "nobody@example.org")
    assert (unknown.status_code, unknown.text) == (known.status_code, known.text)
    assert [m["To"] for m in mail_sink.messages()] == [member["email"]]


async def test_a_member_without_a_live_token_gets_no_link(
    api: httpx.AsyncClient,
    mail_sink: MaildirSink,
    session_factory: async_sessionmaker[AsyncSession],
) -> None:
    """The link's session runs under the member's token: revoked tokens shut this door too."""
    member = await member_with_an_order(api)
    async with session_factory() as session:
        await session.execute(update(ApiToken).values(revoked_at=datetime.now(UTC)))
        await session.commit()
    assert SENT in (await ask(api, member["email"])).text
    assert mail_sink.messages() == []


async def test_the_database_keeps_only_the_links_hash(
    api: httpx.AsyncClient,
    mail_sink: MaildirSink,
    session_factory: async_sessionmaker[AsyncSession],
) -> None:
    member = await member_with_an_order(api)
    await ask(api, member["email"])
    token = link_in(mail_sink.messages()[0]).rsplit("/", 1)[1]
    async with session_factory() as session:
        [row] = (await session.scalars(select(MemberLoginLink))).all()
    assert row.token_hash == token_hash(token)
    stored = [str(getattr(row, c.key)) for c in MemberLoginLink.__table__.columns]
    assert not any(token in value for value in stored)
    expires = row.expires_at if row.expires_at.tzinfo else row.expires_at.replace(tzinfo=UTC)
    left = expires - datetime.now(UTC)
    assert timedelta(minutes=MAGIC_LINK_MINUTES - 1) < left <= timedelta(minutes=MAGIC_LINK_MINUTES)


async def test_asking_is_rate_limited_per_address_and_per_client(
    api: httpx.AsyncClient, mail_sink: MaildirSink
) -> None:
    member = await member_with_an_order(api)
    statuses = [(await ask(api, member["email"])).status_code for _ in range(3)]
    assert statuses == [200, 200, 200]
    limited = await ask(api, member["email"].upper())  # the same address, however written
    assert limited.status_code == 429
    assert int(limited.headers["retry-after"]) > 0
    assert "Too many links were asked for this address" in limited.text
    assert len(mail_sink.messages()) == 3  # the limited request sent nothing
    # Another address is still served once; then this client has asked too often (5 a burst).
    assert (await ask(api, "someone-else@example.org")).status_code == 200
    stopped = await ask(api, "a-third@example.org")
    assert stopped.status_code == 429
    assert stopped.headers["content-type"].startswith("application/problem+json")


async def test_address_buckets_stay_bounded() -> None:
    """Each address costs one fixed-size key, and the buckets are cleared past their cap."""
    assert len(address_key("a@example.org")) == len(address_key("x" * 5000))
    assert address_key(" Ada@Example.org ") == address_key("ada@example.org")
    buckets = MemoryBuckets(clock=lambda: 0.0)
    for i in range(100_002):
        await buckets.take(LINKS_PER_ADDRESS, address_key(f"guess-{i}@example.org"), 1)
    assert len(buckets.buckets) <= 100_001
