"""Times in answers carry their zone, as the OpenAPI document's ``date-time`` says (SQLite hands
back naive datetimes; schemathesis found a revoked token's ``revoked_at`` without one)."""

from __future__ import annotations

from datetime import datetime

import httpx

from tests.api.api_helpers import ADMIN, create_member


async def test_a_revoked_tokens_time_is_utc_with_its_zone(api: httpx.AsyncClient) -> None:
    member, _ = await create_member(api)
    issued = await api.post(f"/members/{member['id']}/tokens", headers=ADMIN)
    assert issued.status_code == 201, issued.text
    assert datetime.fromisoformat(issued.json()["expires_at"]).utcoffset() is not None
    for _ in range(2):  # the second answer shows the time as stored
        revoked = await api.delete(f"/tokens/{issued.json()['token_id']}", headers=ADMIN)
        assert revoked.status_code == 200, revoked.text
        assert datetime.fromisoformat(revoked.json()["revoked_at"]).utcoffset() is not None
