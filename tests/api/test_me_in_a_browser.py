"""A member works its pages in a real browser (Debian's Chromium): logs in with its token,
creates an order for its client, sends the offer and sees the order waiting for the client's
signature. The API runs as the Dockerfile runs it (``tests.live_api``), talking to the
time-skipping Temporal server of ``temporal_env`` (the stand-in order workflow answers the
page's Query); screenshots of each page are kept in the test's temporary folder."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import date, timedelta
from pathlib import Path

import httpx
import pytest
from temporalio.testing import WorkflowEnvironment

from tests.api.api_helpers import TASK_QUEUE
from tests.browser import LAUNCH, require_chromium, shot
from tests.live_api import live_api

ADMIN_TOKEN = "browser-test-admin-token-0123456789abcdef"

require_chromium()

from playwright.async_api import async_playwright, expect  # noqa: E402


@pytest.fixture
async def me_url(temporal_env: WorkflowEnvironment, tmp_path: Path) -> AsyncIterator[str]:
    env = {
        "COOPFLOW_TEMPORAL_ADDRESS": temporal_env.client.service_client.config.target_host,
        "COOPFLOW_TASK_QUEUE": TASK_QUEUE,
        "COOPFLOW_ADMIN_TOKEN": ADMIN_TOKEN,
    }
    (tmp_path / "api").mkdir()
    server = live_api(tmp_path / "api", env=env)
    base = await asyncio.to_thread(server.__enter__)  # it waits for the server: off the loop
    try:
        yield base
    finally:
        await asyncio.to_thread(server.__exit__, None, None, None)


async def test_a_member_creates_and_submits_an_order_in_a_browser(
    me_url: str, tmp_path: Path
) -> None:
    admin = {"Authorization": f"Bearer {ADMIN_TOKEN}"}
    async with httpx.AsyncClient(base_url=me_url) as http:
        member = await http.post(
            "/members",
            headers=admin,
            json={
                "name": "Ada Lovelace",
                "email": "ada@example.org",
                "jurisdiction": "DE",
                "language": "en",
                "iban": "DE89370400440532013000",
            },
        )
        assert member.status_code == 201, member.text
        token = member.json()["token"]
        client = await http.post(
            "/clients",
            headers={"Authorization": f"Bearer {token}"},
            json={
                "name": "ACME GmbH",
                "email": "billing@acme.example",
                "country": "DE",
                "vat_id": "DE136695976",
            },
        )
        assert client.status_code == 201, client.text
    start = date.today() + timedelta(days=3)

    async with async_playwright() as p:
        browser = await p.chromium.launch(**LAUNCH)
        try:
            page = await browser.new_page()
            await page.goto(f"{me_url}/me")
            await page.get_by_label("Your access token").fill(token)
            await page.get_by_role("button", name="Log in").click()
            await expect(page.get_by_text("Logged in as Ada Lovelace.")).to_be_visible()
            await expect(page.get_by_text("No orders yet.")).to_be_visible()

            await page.get_by_role("link", name="New order").click()
            await page.get_by_label("Client").select_option(label="ACME GmbH")
            await page.get_by_label("Description").fill("Analytical engine programming")
            await page.get_by_label("First day").fill(start.isoformat())
            await page.get_by_label("Last day").fill((start + timedelta(days=4)).isoformat())
            await page.get_by_label("Net amount in euros").fill("4800")
            await page.get_by_label("Quantity (optional)").fill("5")
            await page.get_by_label("Unit").select_option("DAY")
            await shot(page, tmp_path, "new-order")
            await page.get_by_role("button", name="Create the draft").click()
            await expect(page.get_by_role("status")).to_contain_text("created as a draft")
            row = page.locator("tbody tr").first
            await expect(row.locator(".state")).to_contain_text("draft, not sent yet")
            await expect(row).to_contain_text("€4,800.00")

            await row.get_by_role("button", name="Send the offer to the client").click()
            await expect(page.get_by_role("status")).to_contain_text("the offer went to the client")
            await expect(page.locator("tbody tr").first.locator(".state")).to_contain_text(
                "waiting for the client's signature"
            )
            await shot(page, tmp_path, "order-submitted")

            await page.get_by_role("button", name="Log out").click()
            await expect(page.get_by_role("status")).to_have_text("You are logged out.")
        finally:
            await browser.close()
