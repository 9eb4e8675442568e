"""Admins keep each member's employment record; bad records get a readable problem."""

from __future__ import annotations

import httpx

from api.app import create_app
from config import Settings


async def test_put_and_get_employment_records(db_url: str, session_factory) -> None:  # type: ignore[no-untyped-def]
    app = create_app(Settings(database_url=db_url, admin_token="adm"), temporal_client=None)
    admin = {"Authorization": "Bearer adm"}
    async with (
        app.router.lifespan_context(app),
        httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://t") as http,
    ):
        member = (
            await http.post(
                "/members",
                headers=admin,
                json={
                    "name": "Ada",
                    "email": "ada-emp@example.org",
                    "jurisdiction": "DE",
                    "iban": "DE89370400440532013000",
                },
            )
        ).json()["member"]
        url = f"/members/{member['id']}/employment"
        assert (await http.get(url, headers=admin)).status_code == 404
        bad = await http.put(url, headers=admin, json={"tax_class": 9, "federal_state": "NW"})
        assert bad.status_code == 422
        assert bad.headers["content-type"].startswith("application/problem+json")
        assert "tax_class" in bad.json()["detail"]
        good = await http.put(
            url,
            headers=admin,
            json={
                "tax_class": 3,
                "federal_state": "BY",
                "church_member": True,
                "health_fund": "AOK Bayern",
                "health_fund_additional_rate": "0.027",
                "birth_year": 1985,
                "children": 2,
                "children_under_25": 2,
            },
        )
        assert good.status_code == 200, good.text
        stored = (await http.get(url, headers=admin)).json()
        assert stored["record"]["tax_class"] == 3
        assert stored["record"]["health_fund"] == "AOK Bayern"
        member_token = {"Authorization": "Bearer nobody"}
        assert (await http.get(url, headers=member_token)).status_code == 401
