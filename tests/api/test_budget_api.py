"""The member's budget over the API and on the member's pages: the ledger's view, the member's
own only (staff see any member's), a month's movements, a bad month as problem+json."""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal
from typing import Any

import httpx
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from db import ledger
from domain import ledger as entries
from domain.breakdown import compute_breakdown
from domain.policy import policy_for
from tests.api.api_helpers import (
    ADMIN,
    bearer,
    create_client,
    create_member,
    create_order,
    finance_token,
)
from tests.api.test_me_pages import me_login

B = compute_breakdown(
    policy_for("DE", date(2026, 10, 1)), net_cents=480_000, vat_rate=Decimal("0.19")
)


async def paid_order(
    api: httpx.AsyncClient, session_factory: async_sessionmaker[AsyncSession]
) -> tuple[str, dict[str, Any], dict[str, Any]]:
    """A member whose €4,800 order was invoiced on 1 Oct and paid in full on 20 Nov 2026, posted
    through ``db.ledger.post`` as the activities post it (the member taken from the order)."""
    member, token = await create_member(api)
    client = await create_client(api, token)
    order = await create_order(api, token, client["id"])
    key = f"order-{order['id']}"
    payment = entries.payment_received(
        key, "p1", to_principal=571_200, to_charges=0, overpaid=0, fund_repaid=0
    )
    async with session_factory.begin() as session:
        for entry, day in (
            (entries.invoice_issued(key, B), date(2026, 10, 1)),
            (entries.fee_charged(key, B), date(2026, 10, 1)),
            (payment, date(2026, 11, 20)),
        ):
            assert await ledger.post(session, entry, order_id=order["id"], posted_on=day)
    return token, member, order


async def test_a_member_sees_its_own_budget_and_staff_any_members(
    api: httpx.AsyncClient, session_factory: async_sessionmaker[AsyncSession]
) -> None:
    token, member, order = await paid_order(api, session_factory)
    mine = await api.get("/members/me/budget", headers=bearer(token))
    assert mine.status_code == 200, mine.text
    body = mine.json()
    assert body["member_id"] == member["id"]
    total = body["total"]
    assert total["invoiced_net_cents"] == 480_000
    assert total["fees_cents"] == 43_200
    assert total["received_cents"] == 571_200
    assert total["budget_held_cents"] == 436_800
    assert total["available_cents"] == 436_800
    assert [a["activity"] for a in body["activities"]] == [order["id"]]
    # another member sees its own (empty) budget, never this one
    _, other = await create_member(api, name="Bob Stranger")
    theirs = await api.get("/members/me/budget", headers=bearer(other))
    assert theirs.status_code == 200
    assert theirs.json()["activities"] == []
    assert theirs.json()["total"]["invoiced_net_cents"] == 0
    refused = await api.get(f"/members/{member['id']}/budget", headers=bearer(other))
    assert refused.status_code == 403
    # finance and admin see any member's
    finance = bearer(await finance_token(api))
    for staff in (finance, ADMIN):
        seen = await api.get(f"/members/{member['id']}/budget", headers=staff)
        assert seen.status_code == 200
        assert seen.json() == body
    unknown = await api.get("/members/999999/budget", headers=finance)
    assert unknown.status_code == 404
    assert unknown.headers["content-type"] == "application/problem+json"


async def test_a_month_has_its_movements_and_its_end_balance(
    api: httpx.AsyncClient, session_factory: async_sessionmaker[AsyncSession]
) -> None:
    token, _, _ = await paid_order(api, session_factory)
    october = (await api.get("/members/me/budget?month=2026-10", headers=bearer(token))).json()
    assert october["month"] == "2026-10"
    assert october["total"]["received_cents"] == 0
    assert october["total"]["available_cents"] == 0  # invoiced, nothing received yet
    assert october["movements"]["total"]["invoiced_net_cents"] == 480_000
    november = (await api.get("/members/me/budget?month=2026-11", headers=bearer(token))).json()
    assert november["movements"]["total"]["invoiced_net_cents"] == 0
    assert november["movements"]["total"]["received_cents"] == 571_200
    assert november["movements"]["total"]["available_cents"] == 436_800
    assert november["total"]["available_cents"] == 436_800
    assert (await api.get("/members/me/budget", headers=bearer(token))).json()["movements"] is None


async def test_a_bad_month_is_a_problem(api: httpx.AsyncClient) -> None:
    _, token = await create_member(api)
    for month in ("2026-13", "Nov2026", "2026-1"):
        answer = await api.get(f"/members/me/budget?month={month}", headers=bearer(token))
        assert answer.status_code == 422, answer.text
        assert answer.headers["content-type"] == "application/problem+json"
        problem = answer.json()
        assert problem["type"].endswith("/invalid-period")
        assert "YYYY-MM" in problem["detail"]
    too_long = await api.get("/members/me/budget?month=2026-11-01", headers=bearer(token))
    assert too_long.status_code == 422
    assert too_long.headers["content-type"] == "application/problem+json"


async def test_member_level_entries_are_in_the_budget(
    api: httpx.AsyncClient, session_factory: async_sessionmaker[AsyncSession]
) -> None:
    """An entry of no order (the coming monthly salary) belongs to the member it names."""
    token, member, _ = await paid_order(api, session_factory)
    salary = entries.JournalEntry(
        key=f"member-{member['id']}:salary:2026-11",
        description="Monthly salary",
        lines=(
            entries.Line(account="member_budget", debit=100_000),
            entries.Line(account="member_payable", credit=100_000),
        ),
    )
    async with session_factory.begin() as session:
        await ledger.post(
            session, salary, order_id=None, member_id=member["id"], posted_on=date(2026, 11, 30)
        )
    body = (await api.get("/members/me/budget", headers=bearer(token))).json()
    assert body["activities"][0]["activity"] is None
    assert body["total"]["reserved_for_wages_cents"] == 100_000
    assert body["total"]["available_cents"] == 336_800


def _figure(page: str, ident: str) -> str:
    found = re.search(rf"id='{ident}'><dt>[^<]*</dt><dd class='num'>([^<]*)</dd>", page)
    assert found, page
    return found.group(1)


async def test_the_budget_page_shows_the_figures(
    api: httpx.AsyncClient, session_factory: async_sessionmaker[AsyncSession]
) -> None:
    token, _, order = await paid_order(api, session_factory)
    assert (await api.get("/me/budget")).status_code == 401
    await me_login(api, token)
    page = await api.get("/me/budget")
    assert page.status_code == 200, page.text
    assert "<a href='/me/budget' aria-current='page'>My budget</a>" in page.text
    assert _figure(page.text, "total-invoiced_net_cents") == "€4,800.00"
    assert _figure(page.text, "total-fees_cents") == "€432.00"
    assert _figure(page.text, "total-received_cents") == "€5,712.00"
    assert _figure(page.text, "total-available_cents") == "€4,368.00"
    assert f"id='activity-{order['id']}'" in page.text
    assert "Movements in" not in page.text
    month = await api.get("/me/budget?month=2026-10")
    assert "Movements in 2026-10" in month.text
    assert _figure(month.text, "moved-invoiced_net_cents") == "€4,800.00"
    assert _figure(month.text, "total-available_cents") == "€0.00"
    assert f"id='moved-activity-{order['id']}'" in month.text
    bad = await api.get("/me/budget?month=2026-13")
    assert bad.status_code == 422
    assert "YYYY-MM" in bad.text
