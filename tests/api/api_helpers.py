"""Constants and keyword-default factories shared by the API tests (fixtures: conftest.py)."""

from __future__ import annotations

import uuid
from datetime import date, timedelta
from typing import Any

import httpx

ADMIN_TOKEN = "test-admin-token"
SIGNING_SECRET = "test-signing-secret"
TASK_QUEUE = f"api-tests-{uuid.uuid4().hex[:8]}"
ADMIN = {"Authorization": f"Bearer {ADMIN_TOKEN}"}


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


# ---- factories (keyword defaults; override what a test is about) ----


async def create_member(api: httpx.AsyncClient, **overrides: Any) -> tuple[dict[str, Any], str]:
    body = {
        "name": "Ada Lovelace",
        "email": f"ada-{uuid.uuid4().hex[:8]}@example.org",
        "jurisdiction": "DE",
        "language": "en",
        "iban": "DE89370400440532013000",
    } | overrides
    response = await api.post("/members", json=body, headers=ADMIN)
    assert response.status_code == 201, response.text
    data = response.json()
    return data["member"], data["token"]


async def create_client(api: httpx.AsyncClient, token: str, **overrides: Any) -> dict[str, Any]:
    body = {
        "name": "ACME GmbH",
        "email": "billing@acme.example",
        "address": "Hauptstraße 1, 10115 Berlin",
        "country": "DE",
        "is_business": True,
        "vat_id": "DE136695976",
        "language": "de",
    } | overrides
    response = await api.post("/clients", json=body, headers=bearer(token))
    assert response.status_code == 201, response.text
    result: dict[str, Any] = response.json()
    return result


async def create_order(
    api: httpx.AsyncClient, token: str, client_id: int, **overrides: Any
) -> dict[str, Any]:
    today = date.today()
    body = {
        "client_id": client_id,
        "description": "Analytical engine programming",
        "period_start": (today + timedelta(days=3)).isoformat(),
        "period_end": (today + timedelta(days=10)).isoformat(),
        "net_amount_cents": 480000,
    } | overrides
    response = await api.post("/orders", json=body, headers=bearer(token))
    assert response.status_code == 201, response.text
    result: dict[str, Any] = response.json()
    return result


async def member_with_order(api: httpx.AsyncClient) -> tuple[str, dict[str, Any]]:
    _, token = await create_member(api)
    client = await create_client(api, token)
    return token, await create_order(api, token, client["id"])


async def submitted_order(api: httpx.AsyncClient) -> tuple[str, dict[str, Any]]:
    token, order = await member_with_order(api)
    response = await api.post(f"/orders/{order['id']}/submit", headers=bearer(token))
    assert response.status_code == 200, response.text
    return token, response.json()


def signing_path(order: dict[str, Any]) -> str:
    url: str = order["signing_url"]
    return url.removeprefix("http://testserver")


async def signed_order(api: httpx.AsyncClient) -> tuple[str, dict[str, Any]]:
    token, order = await submitted_order(api)
    answer = {"decision": "accept", "signer_name": "Charles Babbage"}
    response = await api.post(signing_path(order), json=answer)
    assert response.status_code == 200, response.text
    return token, order


async def completed_order(api: httpx.AsyncClient) -> tuple[str, dict[str, Any]]:
    token, order = await signed_order(api)
    response = await api.post(
        f"/orders/{order['id']}/complete",
        headers=bearer(token),
        json={"actual_start": "2026-06-01", "actual_end": "2026-06-05", "work_days": 5},
    )
    assert response.status_code == 200, response.text
    return token, response.json()


async def finance_token(api: httpx.AsyncClient, name: str = "Fiona Finance") -> str:
    response = await api.post("/finance-users", headers=ADMIN, json={"name": name})
    assert response.status_code == 201, response.text
    token: str = response.json()["token"]
    return token
