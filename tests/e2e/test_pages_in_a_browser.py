"""The finance desk and the member's pages in a real browser (Debian's Chromium) against the
whole stack: the Temporal dev server, the worker with the real order workflow and activities,
real SMTP into a local sink, the API on a real port.

- A member logs in, creates and submits an order; the client signs through the link it got by
  e-mail; the member's page shows the order signed.
- Two invoices go unpaid until they are escalated; a finance user logs in, filters the queue,
  opens one case and records a promise to pay, opens the other and writes it off with a note;
  both workflows apply the decisions and the audit trail lists both.

Screenshots of each page are kept in the test's temporary folder."""

from __future__ import annotations

import asyncio
import re
from datetime import date, timedelta
from pathlib import Path

import httpx
import pytest

from domain.order_messages import OrderSummary
from tests.browser import LAUNCH, require_chromium, shot
from tests.e2e.conftest import Stack, member_and_finance, ok, wait_until

require_chromium()

from playwright.async_api import Page, async_playwright, expect  # noqa: E402

# Escalation comes about 95 business days after the invoice (30 days' terms, the reminders):
# about 14 s at this pace, and a promise of 60 days runs 9 s, long enough to look at it.
PACE = 0.15


@pytest.fixture
def seconds_per_day(request: pytest.FixtureRequest) -> float:
    """The finance scenario needs months to pass; the member's needs none, and a slow day keeps
    its 14-day offer open while a busy database answers."""
    return PACE if "finance" in request.node.name else 1.0


def _bearer(headers: dict[str, str]) -> str:
    return headers["Authorization"].removeprefix("Bearer ")


async def _client(stack: Stack, member: dict[str, str], name: str) -> int:
    client = await ok(
        await stack.http.post(
            "/clients",
            headers=member,
            json={
                "name": name,
                "email": f"ap@{name.split()[0].lower()}.example",
                "country": "DE",
                "is_business": True,
                "vat_id": "DE136695976",
                "language": "en",
                "address": "Hauptstraße 1, 10115 Berlin",
            },
        ),
        201,
    )
    return int(client["id"])


async def _signing_link(stack: Stack, description: str) -> str:
    """The signing link of the offer mailed to the client for ``description``."""
    for _ in range(200):
        for message in stack.sink.messages():
            body = message.get_body(preferencelist=("plain",)).get_content()
            link = re.search(r"http://\S+/sign/\S+", body)
            if link and description in body:
                return link.group(0)
        await asyncio.sleep(0.05)
    raise AssertionError(f"no offer mail for {description!r}")


async def _log_in(page: Page, url: str, label: str, token: str) -> None:
    await page.goto(url)
    await page.get_by_label(label).fill(token)
    await page.get_by_role("button", name="Log in").click()


async def test_a_member_submits_an_order_and_sees_it_signed(stack: Stack, tmp_path: Path) -> None:
    staff = await member_and_finance(stack, language="en")
    await _client(stack, staff.member, "ACME GmbH")
    start = date.today() + timedelta(days=3)
    base = str(stack.http.base_url).rstrip("/")
    async with async_playwright() as p:
        browser = await p.chromium.launch(**LAUNCH)
        try:
            page = await browser.new_page()
            await _log_in(page, f"{base}/me", "Your access token", _bearer(staff.member))
            await expect(page.get_by_text("Logged in as Ada Lovelace.")).to_be_visible()
            await page.get_by_role("link", name="New order").click()
            await page.get_by_label("Client").select_option(label="ACME GmbH")
            await page.get_by_label("Description").fill("Stage lighting design")
            await page.get_by_label("First day").fill(start.isoformat())
            await page.get_by_label("Last day").fill((start + timedelta(days=4)).isoformat())
            await page.get_by_label("Net amount in euros").fill("4800")
            await page.get_by_role("button", name="Create the draft").click()
            await expect(page.get_by_role("status")).to_contain_text("created as a draft")
            row = page.locator("tbody tr").first
            await row.get_by_role("button", name="Send the offer to the client").click()
            await expect(page.locator("tbody tr").first.locator(".state")).to_contain_text(
                "waiting for the client's signature"
            )
            await shot(page, tmp_path, "me-submitted")

            # The client opens the link from its e-mail and signs, in its own browser tab.
            client_page = await browser.new_page()
            await client_page.goto(await _signing_link(stack, "Stage lighting design"))
            await client_page.get_by_label("Your name (signature)").fill("Grace Hopper")
            await client_page.get_by_role("button", name="Accept and sign the offer").click()
            await expect(client_page.get_by_text("the offer is accepted")).to_be_visible()
            await shot(client_page, tmp_path, "client-signed")

            state = page.locator("tbody tr").first.locator(".state")
            for _ in range(50):  # the workflow records the signature within moments
                await page.reload()
                if "signed by the client" in (await state.inner_text()):
                    break
                await asyncio.sleep(0.1)
            await expect(state).to_contain_text("signed by the client")
            await shot(page, tmp_path, "me-signed")
        finally:
            await browser.close()


async def _escalated_order(stack: Stack, member: dict[str, str], client: str) -> int:
    """An order for ``client``, signed and completed; nobody pays its invoice."""
    today = date.today()
    order = await ok(
        await stack.http.post(
            "/orders",
            headers=member,
            json={
                "client_id": await _client(stack, member, client),
                "description": f"Concert lighting for {client}",
                "period_start": str(today - timedelta(days=5)),
                "period_end": str(today - timedelta(days=1)),
                "net_amount_cents": 480_000,
                # Business days pass in 0.15 s: a 14-day offer would expire while the
                # database is busy between the submission and the signature.
                "offer_valid_until": str(today + timedelta(days=365)),
            },
        ),
        201,
    )
    order_id = int(order["id"])
    submitted = await ok(await stack.http.post(f"/orders/{order_id}/submit", headers=member))
    await ok(
        await stack.http.post(
            httpx.URL(submitted["signing_url"]).path,
            json={"decision": "accept", "signer_name": "Grace Hopper"},
        )
    )
    await wait_until(
        stack, member, order_id, lambda o: o["view"] and "completion" in o["view"]["waiting_for"]
    )
    await ok(
        await stack.http.post(
            f"/orders/{order_id}/complete",
            headers=member,
            json={
                "actual_start": str(today - timedelta(days=5)),
                "actual_end": str(today - timedelta(days=1)),
                "work_days": 5,
            },
        )
    )
    return order_id


async def _view(stack: Stack, headers: dict[str, str], order_id: int) -> dict:  # type: ignore[type-arg]
    return (await ok(await stack.http.get(f"/orders/{order_id}", headers=headers)))["view"]  # type: ignore[no-any-return]


async def _wait_escalated(stack: Stack, headers: dict[str, str], order_id: int) -> None:
    for _ in range(600):  # up to a minute: escalation takes ~14 s at this pace
        view = await _view(stack, headers, order_id)
        if view and view["escalated"]:
            return
        await asyncio.sleep(0.1)
    raise AssertionError(f"order {order_id} was never escalated: {view}")


async def _open_case(page: Page, base: str, client: str) -> None:
    """Filter the queue to ``client`` and open its one case."""
    await page.goto(f"{base}/finance")
    await page.get_by_label("Client").fill(client)
    await page.get_by_role("button", name="Filter").click()
    await expect(page.locator("tbody tr")).to_have_count(1)
    await expect(page.locator("tbody")).to_contain_text(client)
    await page.locator("tbody tr").first.get_by_role("link", name=re.compile(r"^#\d+")).click()
    await expect(page.locator("#live")).to_contain_text("finance's decision")


async def test_finance_promises_one_case_and_writes_off_another(
    stack: Stack, tmp_path: Path
) -> None:
    staff = await member_and_finance(stack, language="en")
    promised, written_off = await asyncio.gather(
        _escalated_order(stack, staff.member, "ACME GmbH"),
        _escalated_order(stack, staff.member, "Beta Bühnen AG"),
    )
    await asyncio.gather(
        _wait_escalated(stack, staff.finance, promised),
        _wait_escalated(stack, staff.finance, written_off),
    )
    base = str(stack.http.base_url).rstrip("/")
    async with async_playwright() as p:
        browser = await p.chromium.launch(**LAUNCH)
        try:
            page = await browser.new_page()
            await _log_in(page, f"{base}/finance", "Finance token", _bearer(staff.finance))
            await expect(page.get_by_text("Logged in as Fiona Finance")).to_be_visible()
            await expect(page.locator("tbody tr")).to_have_count(2)
            await shot(page, tmp_path, "desk-queue")

            # A promise to pay, 30 of the order's days ahead (its clock runs ahead of ours).
            await _open_case(page, base, "ACME")
            await shot(page, tmp_path, "desk-case")
            today = date.fromisoformat(
                (await _view(stack, staff.finance, promised))["business_today"]
            )
            await page.get_by_label("Decision").select_option("promise_to_pay")
            await page.get_by_label("Promised by").fill(str(today + timedelta(days=30)))
            await page.get_by_label("Why").fill("client phoned: pays at month end")
            await page.get_by_role("button", name="Decide").click()
            await expect(page.get_by_text("Record the client's promise to pay")).to_be_visible()
            await shot(page, tmp_path, "desk-confirm-promise")
            await page.get_by_role("button", name="Confirm").click()
            await expect(page.get_by_role("status")).to_contain_text("promise to pay")
            view = await _view(stack, staff.finance, promised)
            assert view["status"] == "PaymentPlan", view
            assert "promised payment" in view["waiting_for"]

            # The other case: written off, with a note; a promise too far ahead is refused first.
            await _open_case(page, base, "Beta")
            await page.get_by_label("Decision").select_option("promise_to_pay")
            await page.get_by_label("Promised by").fill(str(today + timedelta(days=400)))
            await page.get_by_role("button", name="Decide").click()
            await page.get_by_role("button", name="Confirm").click()
            await expect(page.get_by_role("alert")).to_contain_text("at most 60 days")
            await shot(page, tmp_path, "desk-refused")
            await page.get_by_label("Decision").select_option("write_off")
            await page.get_by_label("Why").fill("client insolvent, filed with the court")
            await page.get_by_role("button", name="Decide").click()
            await expect(page.get_by_text("Write off everything still owed")).to_be_visible()
            await page.get_by_role("button", name="Confirm").click()
            await expect(page.get_by_role("status")).to_contain_text("write off")

            await page.get_by_role("link", name="Audit trail").click()
            rows = page.locator("tbody tr")
            await expect(
                rows.filter(has_text="client insolvent, filed with the court")
            ).to_have_count(1)
            await expect(rows.filter(has_text="client phoned: pays at month end")).to_have_count(1)
            await expect(rows.filter(has_text="Fiona Finance")).to_have_count(2)
            await shot(page, tmp_path, "desk-audit")
        finally:
            await browser.close()
    # The workflow wrote the case off against the guarantee fund and closed the order.
    handle = stack.env.client.get_workflow_handle(f"order-{written_off}", result_type=OrderSummary)
    done = await handle.result()
    assert done.status == "Closed"
    assert done.written_off_cents > 0
