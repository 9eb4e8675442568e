"""An Idempotency-Key is the caller's own: another member sending the same key and the same
body gets its own answer, never the replay of the first member's."""

from __future__ import annotations

import httpx

from tests.api.api_helpers import bearer, create_member


async def test_another_members_key_replays_nothing(api: httpx.AsyncClient) -> None:
    _, token_a = await create_member(api)
    _, token_b = await create_member(api)
    body = {"name": "Same Client", "email": "same@example.org", "country": "DE"}
    key = {"Idempotency-Key": "same-key-1"}
    first = await api.post("/clients", json=body, headers=bearer(token_a) | key)
    again = await api.post("/clients", json=body, headers=bearer(token_a) | key)
    other = await api.post("/clients", json=body, headers=bearer(token_b) | key)
    assert first.status_code == again.status_code == other.status_code == 201
    assert again.headers.get("idempotent-replayed") == "true"  # the key does replay
    assert again.json()["id"] == first.json()["id"]
    assert "idempotent-replayed" not in other.headers
    assert other.json()["id"] != first.json()["id"]
    assert other.json()["member_id"] != first.json()["member_id"]
