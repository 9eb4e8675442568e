"""Submit (workflow start) and the client's signing link: accept, reject, tampered, expired,
used, refused by the workflow."""

from __future__ import annotations

import hashlib
import time
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest
from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from temporalio.client import WorkflowExecutionStatus
from temporalio.testing import WorkflowEnvironment

from api import temporal as api_temporal
from api.schemas import as_utc
from db.models import Order, SigningLinkToken, SigningToken
from domain.signing import SigningClaims, encode_signing_token
from tests.api.api_helpers import (
    ADMIN,
    SIGNING_SECRET,
    bearer,
    create_client,
    create_member,
    create_order,
    member_with_order,
    signing_path,
    submitted_order,
)
from tests.api.test_api_basics import assert_problem
from workflows.search_attributes import CLIENT_NAME, JURISDICTION, MEMBER_ID, ORDER_STATUS


async def test_submit_starts_the_workflow(
    api: httpx.AsyncClient, temporal_env: WorkflowEnvironment
) -> None:
    token, order = await submitted_order(api)
    assert order["status"] == "AwaitingSignature"
    assert order["workflow_id"] == f"order-{order['id']}"
    assert order["signing_url"].startswith("http://testserver/sign/")

    handle = temporal_env.client.get_workflow_handle(order["workflow_id"])
    described = await handle.describe()
    assert described.workflow_type == "OrderLifecycleWorkflow"
    assert described.status == WorkflowExecutionStatus.RUNNING
    attrs = described.typed_search_attributes
    assert attrs.get(ORDER_STATUS) == "AwaitingSignature"
    assert attrs.get(MEMBER_ID) == str(order["member_id"])
    assert attrs.get(CLIENT_NAME) == "ACME GmbH"
    assert attrs.get(JURISDICTION) == "DE"
    assert await described.static_summary() == (
        f"Order {order['id']} · Ada Lovelace → ACME GmbH · €4,800.00"
    )
    assert "**Net** €4,800.00" in (await described.static_details() or "")

    detail = await api.get(f"/orders/{order['id']}", headers=bearer(token))
    view = detail.json()["view"]
    assert view["status"] == "AwaitingSignature"
    assert view["order_id"] == order["id"]


async def test_retried_submit_gives_another_link_to_the_same_offer(
    api: httpx.AsyncClient,
) -> None:
    token, order = await submitted_order(api)
    again = await api.post(f"/orders/{order['id']}/submit", headers=bearer(token))
    assert again.status_code == 200
    assert again.json()["workflow_id"] == order["workflow_id"]
    second = again.json()
    assert second["signing_url"] != order["signing_url"]  # each answer mints a token
    for link in (order, second):
        assert "Ada Lovelace" in (await api.get(signing_path(link))).text
    answered = await api.post(
        signing_path(second), json={"decision": "accept", "signer_name": "Charles"}
    )
    assert answered.status_code == 200, answered.text
    # One offer, one answer: the first link is used up by the answer through the second.
    assert_problem(
        await api.post(signing_path(order), json={"decision": "reject", "signer_name": "C"}),
        409,
        "signing-link-used",
    )


async def test_the_link_is_random_and_only_its_hash_is_stored(
    api: httpx.AsyncClient, session_factory: async_sessionmaker[AsyncSession]
) -> None:
    _, order = await submitted_order(api)
    link = signing_path(order).removeprefix("/sign/")
    assert len(link) >= 32  # 192 random bits
    assert "." not in link  # nothing derived: not the former HMAC-signed claims
    async with session_factory() as session:
        hashes = set(await session.scalars(select(SigningLinkToken.token_hash)))
    assert hashlib.sha256(link.encode()).hexdigest() in hashes
    assert link not in hashes


async def test_signing_page_shows_the_offer(api: httpx.AsyncClient) -> None:
    _, order = await submitted_order(api)
    page = await api.get(signing_path(order))
    assert page.status_code == 200
    assert page.headers["content-type"].startswith("text/html")
    html = page.text
    # The client writes German: the page in German, figures in the German locale.
    assert "<html lang='de'>" in html
    for text in ("Ada Lovelace", "ACME GmbH", "Analytical engine programming", "4.800,00\xa0€"):
        assert text in html
    assert "19\xa0%" in html  # domestic DE client
    assert "Angebot annehmen und unterschreiben" in html
    assert "value='accept'" in html
    assert "value='reject'" in html
    assert "name='signer_name'" in html


async def test_accept_signs_once(api: httpx.AsyncClient) -> None:
    token, order = await submitted_order(api)
    path = signing_path(order)
    answer = {"decision": "accept", "signer_name": "Charles Babbage", "comment": "Looking forward"}
    response = await api.post(path, json=answer)
    assert response.status_code == 200, response.text
    assert response.json()["status"] == "Signed"
    detail = (await api.get(f"/orders/{order['id']}", headers=bearer(token))).json()
    assert detail["signed_by"] == "Charles Babbage"
    assert detail["view"]["status"] == "Signed"

    used = await api.post(path, json=answer)
    body = assert_problem(used, 409, "signing-link-used")
    assert "already used" in str(body["detail"])
    page = await api.get(path)
    assert "bereits beantwortet" in page.text  # the German client's language
    resubmit = await api.post(f"/orders/{order['id']}/submit", headers=bearer(token))
    assert resubmit.status_code == 409


async def test_reject_by_form_answers_html(api: httpx.AsyncClient) -> None:
    token, order = await submitted_order(api)
    response = await api.post(
        signing_path(order),
        content=b"signer_name=Charles+Babbage&comment=&decision=reject",
        headers={"content-type": "application/x-www-form-urlencoded"},
    )
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/html")
    assert "Das Angebot ist abgelehnt" in response.text
    detail = (await api.get(f"/orders/{order['id']}", headers=bearer(token))).json()
    assert detail["view"]["status"] == "Rejected"
    assert detail["signed_by"] is None


async def test_tampered_link_is_400(
    api: httpx.AsyncClient, session_factory: async_sessionmaker[AsyncSession]
) -> None:
    _, order = await submitted_order(api)
    link = signing_path(order).removeprefix("/sign/")
    answer = {"decision": "accept", "signer_name": "Mallory"}
    tampered = f"/sign/{'A' if link[0] != 'A' else 'B'}{link[1:]}"
    assert_problem(await api.post(tampered, json=answer), 400, "invalid-signing-token")
    assert_problem(await api.post("/sign/garbage", json=answer), 400, "invalid-signing-token")
    page = await api.get(tampered)
    assert page.status_code == 400
    assert "does not match any offer" in page.text
    # A former HMAC link with its MAC altered.
    payload, mac = (await former_link(session_factory, order)).split(".")
    forged = f"/sign/{payload}.{'A' if mac[0] != 'A' else 'B'}{mac[1:]}"
    assert_problem(await api.post(forged, json=answer), 400, "invalid-signing-token")
    assert "not valid" in (await api.get(forged)).text


async def former_link(
    session_factory: async_sessionmaker[AsyncSession], order: dict[str, Any]
) -> str:
    """The link the order's offer would have carried before links were random: HMAC-signed
    claims (order, signing id, expiry)."""
    async with session_factory() as session:
        signing = await session.scalar(
            select(SigningToken).where(SigningToken.order_id == order["id"])
        )
    assert signing is not None
    claims = SigningClaims(
        order_id=order["id"], token_id=signing.token_id, expires_at=as_utc(signing.expires_at)
    )
    return encode_signing_token(SIGNING_SECRET, claims)


async def test_a_former_hmac_link_keeps_working_until_its_offer_expires(
    api: httpx.AsyncClient, session_factory: async_sessionmaker[AsyncSession]
) -> None:
    _, order = await submitted_order(api)
    former = f"/sign/{await former_link(session_factory, order)}"
    assert "Ada Lovelace" in (await api.get(former)).text
    answered = await api.post(former, json={"decision": "accept", "signer_name": "Charles"})
    assert answered.status_code == 200, answered.text
    assert answered.json()["status"] == "Signed"


async def test_staff_revoke_the_signing_links_and_a_new_submit_opens_new_ones(
    api: httpx.AsyncClient, session_factory: async_sessionmaker[AsyncSession]
) -> None:
    token, order = await submitted_order(api)
    former = f"/sign/{await former_link(session_factory, order)}"
    member_link = signing_path(order)
    assert (
        await api.post(f"/finance/orders/{order['id']}/revoke-links", headers=bearer(token))
    ).status_code == 403  # members cannot
    revoked = await api.post(f"/finance/orders/{order['id']}/revoke-links", headers=ADMIN)
    assert revoked.status_code == 200, revoked.text
    assert revoked.json()["signing_links"] >= 1
    answer = {"decision": "accept", "signer_name": "Mallory"}
    body = assert_problem(await api.post(member_link, json=answer), 410, "signing-link-revoked")
    assert "closed this signing link" in str(body["detail"])
    assert_problem(await api.post(former, json=answer), 410, "signing-link-expired")
    assert (await api.get(member_link)).status_code == 410
    # The member submits again: a new signing with a new link; the offer is still open.
    again = await api.post(f"/orders/{order['id']}/submit", headers=bearer(token))
    assert again.status_code == 200, again.text
    fresh = await api.post(
        signing_path(again.json()), json={"decision": "accept", "signer_name": "Charles"}
    )
    assert fresh.status_code == 200, fresh.text
    assert_problem(await api.post(member_link, json=answer), 410, "signing-link-revoked")


async def test_expired_link_is_410(
    api: httpx.AsyncClient, session_factory: async_sessionmaker[AsyncSession]
) -> None:
    _, order = await submitted_order(api)
    async with session_factory() as session:
        await session.execute(
            update(SigningToken)
            .where(SigningToken.order_id == order["id"])
            .values(expires_at=datetime.now(UTC) - timedelta(minutes=1))
        )
        await session.commit()
    answer = {"decision": "accept", "signer_name": "C"}
    body = assert_problem(
        await api.post(signing_path(order), json=answer), 410, "signing-link-expired"
    )
    assert "expired" in str(body["detail"])
    assert (await api.get(signing_path(order))).status_code == 410
    # A former HMAC link carries its own expiry.
    expired = encode_signing_token(
        SIGNING_SECRET,
        SigningClaims(
            order_id=order["id"],
            token_id="whatever",
            expires_at=datetime.now(UTC) - timedelta(minutes=1),
        ),
    )
    response = await api.post(f"/sign/{expired}", json=answer)
    assert_problem(response, 410, "signing-link-expired")
    assert (await api.get(f"/sign/{expired}")).status_code == 410


async def test_link_for_unknown_token_id_is_400(api: httpx.AsyncClient) -> None:
    _, order = await submitted_order(api)
    forged = encode_signing_token(
        SIGNING_SECRET,
        SigningClaims(
            order_id=order["id"],
            token_id="never-issued",
            expires_at=datetime.now(UTC) + timedelta(days=1),
        ),
    )
    response = await api.post(f"/sign/{forged}", json={"decision": "accept", "signer_name": "C"})
    assert_problem(response, 400, "invalid-signing-token")


async def test_refused_answer_can_be_given_again(api: httpx.AsyncClient) -> None:
    token, order = await submitted_order(api)
    path = signing_path(order)
    refused = await api.post(path, json={"decision": "accept", "signer_name": "refuse me"})
    body = assert_problem(refused, 422, "invalid-signer")
    assert body["detail"] == "the signer's name is not acceptable"
    accepted = await api.post(path, json={"decision": "accept", "signer_name": "Charles"})
    assert accepted.status_code == 200, accepted.text


async def test_plain_validator_refusal_is_409(api: httpx.AsyncClient) -> None:
    _, order = await submitted_order(api)
    refused = await api.post(
        signing_path(order), json={"decision": "accept", "signer_name": "plain refusal"}
    )
    body = assert_problem(refused, 409, "action-refused")
    assert body["detail"] == "this offer can no longer be answered"
    assert body["title"] == "The order refused this action"


async def test_bad_answer_is_422(api: httpx.AsyncClient) -> None:
    _, order = await submitted_order(api)
    response = await api.post(signing_path(order), json={"decision": "maybe"})
    fields = {e["field"] for e in assert_problem(response, 422, "validation-error")["errors"]}
    assert fields == {"decision", "signer_name"}


async def test_answer_after_cancellation_is_refused(
    api: httpx.AsyncClient, session_factory: async_sessionmaker[AsyncSession]
) -> None:
    token, order = await submitted_order(api)
    cancelled = await api.post(
        f"/orders/{order['id']}/cancel", headers=bearer(token), json={"reason": "client left"}
    )
    assert cancelled.status_code == 200, cancelled.text
    assert cancelled.json()["view"]["status"] == "Cancelled"
    answer = {"decision": "accept", "signer_name": "C"}
    # The workflow has finished; the database projection (written by the real workflow's
    # activities, not by this double) still says AwaitingSignature.
    finished = await api.post(signing_path(order), json=answer)
    assert_problem(finished, 409, "workflow-not-running")
    async with session_factory() as session:
        await session.execute(
            update(Order).where(Order.id == order["id"]).values(status="Cancelled")
        )
        await session.commit()
    closed = await api.post(signing_path(order), json=answer)
    assert "Cancelled" in str(assert_problem(closed, 410, "offer-closed")["detail"])
    page = await api.get(signing_path(order))
    assert "nicht mehr offen" in page.text


async def test_draft_submit_unknown_to_others(api: httpx.AsyncClient) -> None:
    token, order = await member_with_order(api)
    detail = await api.get(f"/orders/{order['id']}", headers=bearer(token))
    assert detail.json()["view"] is None


async def test_an_order_that_does_not_answer_gets_a_504_within_the_deadline(
    api: httpx.AsyncClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(api_temporal, "UPDATE_DEADLINE_SECONDS", 0.5)
    _, order = await submitted_order(api)
    started = time.monotonic()
    response = await api.post(
        signing_path(order), json={"decision": "accept", "signer_name": "Never Answered"}
    )
    assert time.monotonic() - started < 5
    body = assert_problem(response, 504, "order-did-not-answer")
    assert f"GET /orders/{order['id']}" in body["detail"]
    assert response.headers["Retry-After"] == "10"


@pytest.mark.parametrize(
    ("language", "country", "accept", "amount"),
    [
        ("en", "IE", "Accept and sign the offer", "€4,800.00"),
        ("fr", "BE", "Accepter et signer l’offre", "4\u202f800,00\xa0€"),
        ("nl", "BE", "Offerte aanvaarden en ondertekenen", "€\xa04.800,00"),
        ("it", "IT", "Accetta e firma l’offerta", "4.800,00\xa0€"),
        ("pl", "PL", "Przyjmij i podpisz ofertę", "4\xa0800,00\xa0€"),
    ],
)
async def test_the_signing_page_speaks_the_clients_language(
    api: httpx.AsyncClient, language: str, country: str, accept: str, amount: str
) -> None:
    _, token = await create_member(api)
    client = await create_client(
        api, token, language=language, country=country, vat_id=None, is_business=False
    )
    order = await create_order(api, token, client["id"])
    submitted = await api.post(f"/orders/{order['id']}/submit", headers=bearer(token))
    page = await api.get(signing_path(submitted.json()))
    assert f"<html lang='{language}'>" in page.text
    assert accept in page.text
    assert amount in page.text
    answer = await api.post(
        signing_path(submitted.json()),
        content=b"decision=accept&signer_name=Grace",
        headers={"content-type": "application/x-www-form-urlencoded"},
    )
    assert answer.status_code == 200
    assert f"<html lang='{language}'>" in answer.text
    assert "Grace" in answer.text
