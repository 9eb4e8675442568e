"""Health, members and tokens, authentication and roles, the problem+json shape."""

from __future__ import annotations

from typing import Any

import httpx

from tests.api.api_helpers import ADMIN, bearer, create_member

PROBLEM_KEYS = {"type", "title", "status", "detail", "instance"}


def assert_problem(response: httpx.Response, status: int, code: str) -> dict[str, Any]:
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    body: dict[str, Any] = response.json()
    assert PROBLEM_KEYS <= body.keys()
    assert body["type"] == f"https://coopflow.example/problems/{code}"
    assert body["status"] == status
    assert body["instance"] == response.request.url.path
    assert isinstance(body["detail"], str)
    assert body["detail"]
    return body


async def test_health_needs_no_token(api: httpx.AsyncClient) -> None:
    response = await api.get("/health")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


async def test_missing_token_is_401_with_challenge(api: httpx.AsyncClient) -> None:
    response = await api.get("/orders")
    assert_problem(response, 401, "unauthorized")
    assert response.headers["www-authenticate"].startswith("Bearer")


async def test_unknown_token_is_401_invalid_token(api: httpx.AsyncClient) -> None:
    response = await api.get("/orders", headers=bearer("cf_not-a-token"))
    assert_problem(response, 401, "unauthorized")
    assert 'error="invalid_token"' in response.headers["www-authenticate"]


async def test_member_cannot_create_members(api: httpx.AsyncClient) -> None:
    _, token = await create_member(api)
    response = await api.post(
        "/members",
        headers=bearer(token),
        json={"name": "X", "email": "x@example.org", "jurisdiction": "DE", "iban": "x"},
    )
    body = assert_problem(response, 403, "forbidden")
    assert "admin" in str(body["detail"])


async def test_admin_is_not_a_member(api: httpx.AsyncClient) -> None:
    assert_problem(await api.get("/members/me", headers=ADMIN), 403, "forbidden")


async def test_create_member_returns_token_that_works(api: httpx.AsyncClient) -> None:
    member, token = await create_member(api, name="Grace Hopper", bic=None)
    assert member["iban"] == "DE89370400440532013000"
    assert member["bic"] == "COBADEFFXXX"  # filled from the IBAN
    me = await api.get("/members/me", headers=bearer(token))
    assert me.status_code == 200
    assert me.json()["id"] == member["id"]
    assert me.json()["name"] == "Grace Hopper"
    listed = await api.get("/members", headers=ADMIN)
    assert [m["id"] for m in listed.json()] == [member["id"]]


async def test_belgian_member_with_formatted_iban(api: httpx.AsyncClient) -> None:
    member, _ = await create_member(
        api, jurisdiction="BE", iban="BE68 5390 0754 7034", bic="GKCCBEBB", language="fr"
    )
    assert member["iban"] == "BE68539007547034"
    assert member["bic"] == "GKCCBEBB"


async def test_bic_is_needed_when_the_iban_does_not_tell_it(api: httpx.AsyncClient) -> None:
    response = await api.post(
        "/members",
        headers=ADMIN,
        json={
            "name": "Lieven",
            "email": "lieven@example.be",
            "jurisdiction": "BE",
            "iban": "BE68539007547034",
        },
    )
    body = assert_problem(response, 422, "validation-error")
    assert [e["field"] for e in body["errors"]] == ["bic"]
    assert "no BIC is known for IBAN BE68539007547034" in body["errors"][0]["message"]


async def test_bad_iban_is_a_clear_422(api: httpx.AsyncClient) -> None:
    response = await api.post(
        "/members",
        headers=ADMIN,
        json={
            "name": "Ada",
            "email": "ada@example.org",
            "jurisdiction": "DE",
            "iban": "DE89370400440532013001",
        },
    )
    body = assert_problem(response, 422, "validation-error")
    errors = body["errors"]
    assert isinstance(errors, list)
    assert [e["field"] for e in errors] == ["iban"]
    assert "not a valid IBAN" in errors[0]["message"]
    assert "checksum" in errors[0]["message"].lower()
    assert "iban" in str(body["detail"])


async def test_validation_problem_lists_every_field(api: httpx.AsyncClient) -> None:
    response = await api.post(
        "/members",
        headers=ADMIN,
        json={"name": "", "email": "nope", "jurisdiction": "FR", "iban": "DE89370400440532013000"},
    )
    body = assert_problem(response, 422, "validation-error")
    fields = {e["field"] for e in body["errors"]}
    assert fields == {"name", "email", "jurisdiction"}


async def test_malformed_json_is_a_problem(api: httpx.AsyncClient) -> None:
    response = await api.post(
        "/members", headers=ADMIN | {"content-type": "application/json"}, content=b"{"
    )
    assert_problem(response, 422, "validation-error")


async def test_duplicate_member_email_is_409(api: httpx.AsyncClient) -> None:
    member, _ = await create_member(api, email="dup@example.org")
    response = await api.post(
        "/members",
        headers=ADMIN,
        json={
            "name": "Other",
            "email": "DUP@example.org",
            "jurisdiction": "BE",
            "iban": "BE68539007547034",
            "bic": "GKCCBEBB",
        },
    )
    body = assert_problem(response, 409, "member-exists")
    assert f"member {member['id']}" in str(body["detail"])


async def test_issue_another_member_token(api: httpx.AsyncClient) -> None:
    member, first = await create_member(api)
    response = await api.post(f"/members/{member['id']}/tokens", headers=ADMIN)
    assert response.status_code == 201
    second = response.json()["token"]
    assert second != first
    for token in (first, second):
        assert (await api.get("/members/me", headers=bearer(token))).status_code == 200
    missing = await api.post("/members/999999/tokens", headers=ADMIN)
    assert_problem(missing, 404, "not-found")


async def test_finance_user_token_has_finance_role(api: httpx.AsyncClient) -> None:
    response = await api.post("/finance-users", headers=ADMIN, json={"name": "Fiona Finance"})
    assert response.status_code == 201
    issued = response.json()
    assert issued["role"] == "finance"
    token = issued["token"]
    assert (await api.get("/finance/cases", headers=bearer(token))).status_code == 200
    assert_problem(await api.post("/members/1/tokens", headers=bearer(token)), 403, "forbidden")


async def test_unknown_path_is_a_problem(api: httpx.AsyncClient) -> None:
    assert_problem(await api.get("/nowhere"), 404, "not-found")


async def test_idempotent_member_creation_does_not_store_the_token(api: httpx.AsyncClient) -> None:
    body = {
        "name": "Ada",
        "email": "idem@example.org",
        "jurisdiction": "DE",
        "iban": "DE89370400440532013000",
    }
    headers = ADMIN | {"Idempotency-Key": "member-1"}
    first = await api.post("/members", json=body, headers=headers)
    again = await api.post("/members", json=body, headers=headers)
    assert first.status_code == again.status_code == 201
    assert again.headers["idempotent-replayed"] == "true"
    assert again.json()["member"] == first.json()["member"]
    assert first.json()["token"]
    assert again.json()["token"] is None
    assert "shown once" in again.json()["token_note"]
