"""The wage mode over the API: the range the member's budget supports, a monthly salary chosen
within it (from the first day of next month, its workflow started), refused outside it with
the figures, per-order wages again, and staff reading any member's."""

from __future__ import annotations

from datetime import timedelta

import httpx
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from temporalio.testing import WorkflowEnvironment

from api.services.orders import utc_today
from db import ledger
from db.models_salary import SalaryMonth
from domain import ledger as entries
from domain.salary_category import first_month_of_change
from tests.api.api_helpers import ADMIN, bearer, create_client, create_member, create_order
from tests.api.test_budget_api import B
from tests.api.test_me_pages import me_login, post_form


async def _member_with_budget(
    api: httpx.AsyncClient, session_factory: async_sessionmaker[AsyncSession]
) -> tuple[dict, str]:  # type: ignore[type-arg]
    """A member whose €4,800 order was invoiced and paid last month."""
    member, token = await create_member(api)
    client = await create_client(api, token)
    order = await create_order(api, token, client["id"])
    key = f"order-{order['id']}"
    last_month = utc_today().replace(day=1) - timedelta(days=10)
    async with session_factory.begin() as session:
        for entry in (
            entries.invoice_issued(key, B),
            entries.fee_charged(key, B),
            entries.payment_received(
                key, "p1", to_principal=571_200, to_charges=0, overpaid=0, fund_repaid=0
            ),
        ):
            await ledger.post(session, entry, order_id=order["id"], posted_on=last_month)
    return member, token


async def test_a_member_chooses_a_monthly_salary_within_its_range(
    api: httpx.AsyncClient,
    temporal_env: WorkflowEnvironment,
    session_factory: async_sessionmaker[AsyncSession],
) -> None:
    member, token = await _member_with_budget(api, session_factory)
    me = bearer(token)
    shown = await api.get("/members/me/salary?hours_per_month=20", headers=me)
    assert shown.status_code == 200, shown.text
    body = shown.json()
    assert body["mode_now"] == "per_order"
    span = body["range"]
    assert span["month"] == first_month_of_change(utc_today()).isoformat()
    # €4,368 of employment budget over six months (at least three): €728 a month
    assert span["average_budget_cents"] == 436_800 // 6
    assert 0 < span["minimum_gross_cents"] < span["maximum_gross_cents"] < 72_800
    assert span["supported"] is True

    too_much = await api.put(
        "/members/me/salary",
        headers=me,
        json={"mode": "monthly", "gross_cents": 300_000, "hours_per_month": "20"},
    )
    assert too_much.status_code == 422
    assert too_much.headers["content-type"].startswith("application/problem+json")
    assert "€" in too_much.json()["detail"]
    chosen = await api.put(
        "/members/me/salary",
        headers=me,
        json={
            "mode": "monthly",
            "gross_cents": span["minimum_gross_cents"],
            "hours_per_month": "20",
        },
    )
    assert chosen.status_code == 200, chosen.text
    after = chosen.json()
    assert after["mode_now"] == "per_order"  # from the first day of next month
    assert after["arrangements"][0]["mode"] == "monthly"
    assert after["arrangements"][0]["effective_from"] == span["month"]
    workflow = temporal_env.client.get_workflow_handle(after["workflow_id"])
    assert (await workflow.describe()).workflow_type == "MonthlySalaryWorkflow"

    back = await api.put("/members/me/salary", headers=me, json={"mode": "per_order"})
    assert back.status_code == 200, back.text
    assert [a["mode"] for a in back.json()["arrangements"]] == ["per_order", "monthly"]
    staff = await api.get(f"/members/{member['id']}/salary", headers=ADMIN)
    assert staff.status_code == 200
    assert staff.json()["workflow_id"] == after["workflow_id"]


async def test_a_monthly_choice_without_its_figures_is_refused(api: httpx.AsyncClient) -> None:
    _, token = await create_member(api)
    refused = await api.put("/members/me/salary", headers=bearer(token), json={"mode": "monthly"})
    assert refused.status_code == 422
    assert "gross_cents and hours_per_month" in refused.text


async def test_a_member_leaving_ends_its_arrangement_next_month(
    api: httpx.AsyncClient,
    temporal_env: WorkflowEnvironment,
    session_factory: async_sessionmaker[AsyncSession],
) -> None:
    member, token = await _member_with_budget(api, session_factory)
    refused = await api.post(f"/members/{member['id']}/leave", headers=bearer(token))
    assert refused.status_code == 403  # the cooperative ends an employment, not the member
    left = await api.post(f"/members/{member['id']}/leave", headers=ADMIN)
    assert left.status_code == 200, left.text
    newest = left.json()["arrangements"][0]
    assert newest["mode"] == "left"
    assert newest["effective_from"] == first_month_of_change(utc_today()).isoformat()


async def test_the_budget_page_shows_the_wage_and_takes_a_monthly_salary(
    api: httpx.AsyncClient,
    temporal_env: WorkflowEnvironment,
    session_factory: async_sessionmaker[AsyncSession],
) -> None:
    _, token = await _member_with_budget(api, session_factory)
    await me_login(api, token)
    page = await api.get("/me/budget")
    assert page.status_code == 200, page.text
    assert "A wage per order, 7 days after the work is done." in page.text
    assert "your budget does not yet support a monthly salary for 160" in page.text
    saved = await post_form(api, "/me/salary", "mode=monthly&gross_eur=350&hours_per_month=20")
    assert saved.status_code == 303, saved.text
    after = await api.get(saved.headers["location"])
    assert "your choice applies from the first day of next month" in after.text
    assert "A monthly salary of €350.00 gross (20.00 hours a month)" in after.text
    too_much = await post_form(api, "/me/salary", "mode=monthly&gross_eur=3000&hours_per_month=20")
    assert too_much.status_code == 422
    assert "€3,000.00" in too_much.text


async def test_finance_lists_the_paused_salaries_with_their_reason(
    api: httpx.AsyncClient, session_factory: async_sessionmaker[AsyncSession]
) -> None:
    member, token = await _member_with_budget(api, session_factory)
    month = first_month_of_change(utc_today())
    async with session_factory.begin() as session:
        session.add(
            SalaryMonth(
                member_id=member["id"],
                month=month,
                status="paused",
                message="salary paused: the budget would stay below zero for a 2nd month",
                jurisdiction="DE",
                pay_date=month,
                available_before_cents=-120_000,
            )
        )
    listed = await api.get("/finance/salary-months", headers=ADMIN)
    assert listed.status_code == 200, listed.text
    [row] = [r for r in listed.json() if r["member_id"] == member["id"]]
    assert row["member_name"] == member["name"]
    assert row["available_before_cents"] == -120_000
    assert "below zero" in row["message"]
    assert (await api.get("/finance/salary-months", headers=bearer(token))).status_code == 403
    paid = await api.get("/finance/salary-months?status=paid", headers=ADMIN)
    assert all(r["member_id"] != member["id"] for r in paid.json())
