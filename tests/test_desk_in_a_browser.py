"""A finance user works the desk in a real browser (Debian's Chromium): logs in with a token,
filters the queue, opens the bank lines and dismisses one. The API runs as the Dockerfile
runs it (``tests.live_api``) with a Temporal test server; screenshots of each page are kept
in the test's temporary folder."""

from __future__ import annotations

import asyncio
import re
from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest
from temporalio.testing import WorkflowEnvironment

from api.services.orders import utc_today
from db.models_banking import BankTransaction
from db.session import make_engine, make_session_factory
from tests.api.desk_rows import insert_bank_line, insert_queue_case
from tests.browser import LAUNCH, require_chromium, shot
from tests.conftest import TEMPORAL_TEST_SERVER
from tests.live_api import live_api

ADMIN_TOKEN = "browser-test-admin-token-0123456789abcdef"

require_chromium()

from playwright.async_api import async_playwright, expect  # noqa: E402


@pytest.fixture
async def desk_url(tmp_path: Path) -> AsyncIterator[str]:
    """The live API with a Temporal to talk to (a decision commits, then hands money over)."""
    temporal = await WorkflowEnvironment.start_time_skipping(
        test_server_existing_path=str(TEMPORAL_TEST_SERVER)
    )
    async with temporal:
        env = {
            "COOPFLOW_TEMPORAL_ADDRESS": temporal.client.service_client.config.target_host,
            "COOPFLOW_ADMIN_TOKEN": ADMIN_TOKEN,
        }
        # live_api migrates with asyncio.run and waits for the server: off this event loop
        (tmp_path / "api").mkdir()
        server = live_api(tmp_path / "api", env=env)
        base = await asyncio.to_thread(server.__enter__)
        try:
            yield base
        finally:
            await asyncio.to_thread(server.__exit__, None, None, None)


async def test_finance_filters_the_queue_and_dismisses_a_bank_line(
    desk_url: str, tmp_path: Path
) -> None:
    engine = make_engine(f"sqlite+aiosqlite:///{tmp_path / 'api' / 'app.db'}")
    sessions = make_session_factory(engine)
    today = utc_today()
    await insert_queue_case(sessions, today=today, member="Ada", client="ACME GmbH")
    await insert_queue_case(
        sessions, today=today, member="Bert", client="Brasserie", jurisdiction="BE"
    )
    line_id = await insert_bank_line(sessions, counterparty_name="Stranger Ltd")
    async with httpx.AsyncClient(base_url=desk_url) as http:
        issued = await http.post(
            "/finance-users",
            headers={"Authorization": f"Bearer {ADMIN_TOKEN}"},
            json={"name": "Fiona Finance"},
        )
    assert issued.status_code == 201, issued.text
    token = issued.json()["token"]

    async with async_playwright() as p:
        browser = await p.chromium.launch(**LAUNCH)
        try:
            page = await browser.new_page()
            await page.goto(f"{desk_url}/finance")
            await page.get_by_label("Finance token").fill(token)
            await page.get_by_role("button", name="Log in").click()
            await expect(page.get_by_text("Logged in as Fiona Finance")).to_be_visible()
            await expect(page.locator("tbody tr")).to_have_count(2)

            await page.get_by_label("Jurisdiction").fill("BE")
            await page.get_by_role("button", name="Filter").click()
            await expect(page).to_have_url(re.compile(r"/finance\?.*jurisdiction=BE"))
            await expect(page.locator("tbody tr")).to_have_count(1)
            await expect(page.locator("tbody")).to_contain_text("Brasserie")
            await shot(page, tmp_path, "queue-filtered")

            await page.get_by_role("link", name="Bank lines").click()
            row = page.locator(f"#line-{line_id}")
            await expect(row).to_contain_text("Stranger Ltd")
            await shot(page, tmp_path, "bank-lines")
            await row.locator("summary", has_text="Dismiss").click()  # opens the form
            await row.get_by_label("Outcome").select_option("not_ours")
            await row.get_by_label("Why").fill("a wrong transfer, the bank returns it")
            await row.get_by_role("button", name="Dismiss").click()
            await expect(page.get_by_role("status")).to_have_text(
                f"Bank line {line_id}: dismissed as not ours."
            )
            await expect(page.locator(f"#line-{line_id}")).to_have_count(0)
            await shot(page, tmp_path, "bank-line-dismissed")
        finally:
            await browser.close()
    async with sessions() as session:
        line = await session.get(BankTransaction, line_id)
    await engine.dispose()
    assert line is not None
    assert (line.status, line.decided_by) == ("not_ours", "Fiona Finance")
