"""Pay links are capabilities that cannot be derived: random tokens, stored only as hashes,
expiring and revocable; a token per document, all leading to the invoice's one payment."""

from __future__ import annotations

import hashlib
import hmac
from datetime import UTC, datetime, timedelta

from sqlalchemy import select, update

from db import pay_link_tokens
from db.models_payments import PayLinkToken
from tests.stripe.conftest import ADMIN_TOKEN, StripeStack, bill


async def test_the_token_is_random_and_only_its_hash_is_stored(stack: StripeStack) -> None:
    billed = await bill(stack)
    assert len(billed.token) >= 32  # 192 bits, URL-safe
    async with stack.sessions() as session:
        rows = list(await session.scalars(select(PayLinkToken)))
    assert [r.token_hash for r in rows] == [hashlib.sha256(billed.token.encode()).hexdigest()]
    assert billed.token not in {r.token_hash for r in rows}
    assert (await stack.api.get(billed.path)).status_code == 200
    # What the former links were: an HMAC of the invoice number (here with the secret known).
    mac = hmac.new(b"whatever-secret", f"pay:{billed.invoice.number}".encode(), hashlib.sha256)
    assert (await stack.api.get(f"/pay/{mac.hexdigest()[:24]}")).status_code == 404
    assert (await stack.api.get(f"/pay/{billed.link.token}")).status_code == 404  # internal id


async def test_each_document_gets_its_own_token_to_the_same_payment(stack: StripeStack) -> None:
    billed = await bill(stack)
    async with stack.sessions.begin() as session:
        reminder_token = await pay_link_tokens.mint(session, billed.link.id)
    assert reminder_token != billed.token
    first = await stack.api.get(billed.path)
    second = await stack.api.get(f"/pay/{reminder_token}")
    assert second.status_code == 200
    assert billed.invoice.number in first.text
    assert billed.invoice.number in second.text


async def test_an_expired_or_revoked_token_opens_nothing(stack: StripeStack) -> None:
    billed = await bill(stack)
    async with stack.sessions.begin() as session:
        other = await pay_link_tokens.mint(session, billed.link.id)
        await session.execute(
            update(PayLinkToken)
            .where(PayLinkToken.token_hash == pay_link_tokens.token_hash(billed.token))
            .values(expires_at=datetime.now(UTC) - timedelta(seconds=1))
        )
        await session.execute(
            update(PayLinkToken)
            .where(PayLinkToken.token_hash == pay_link_tokens.token_hash(other))
            .values(revoked_at=datetime.now(UTC))
        )
    assert (await stack.api.get(billed.path)).status_code == 404
    assert (await stack.api.get(f"/pay/{other}")).status_code == 404
    assert (await stack.api.post(f"{billed.path}/intent")).status_code == 404


async def test_staff_revoke_every_link_of_an_order_at_once(stack: StripeStack) -> None:
    billed = await bill(stack)
    async with stack.sessions.begin() as session:
        reminder = await pay_link_tokens.mint(session, billed.link.id)
    other_order = await bill(stack)
    revoked = await stack.api.post(
        f"/finance/orders/{billed.order.id}/revoke-links",
        headers={"Authorization": f"Bearer {ADMIN_TOKEN}"},
    )
    assert revoked.status_code == 200, revoked.text
    assert revoked.json()["pay_links"] == 2
    assert (await stack.api.get(billed.path)).status_code == 404
    assert (await stack.api.get(f"/pay/{reminder}")).status_code == 404
    assert (await stack.api.get(other_order.path)).status_code == 200  # another order's link
    # A link minted afterwards (the next reminder) works.
    async with stack.sessions.begin() as session:
        fresh = await pay_link_tokens.mint(session, billed.link.id)
    assert (await stack.api.get(f"/pay/{fresh}")).status_code == 200
    anonymous = await stack.api.post(f"/finance/orders/{billed.order.id}/revoke-links")
    assert anonymous.status_code == 401
