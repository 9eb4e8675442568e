"""The finance desk's bank lines page: the open queue with the matcher's reason, and forms
that assign, accept or dismiss a line through the same service as the JSON API."""

from __future__ import annotations

import re
from typing import Any

import httpx
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from temporalio.testing import WorkflowEnvironment

from db.models import Invoice, Payment
from db.models_banking import BankAllocation, BankDecision, BankTransaction
from tests.api.api_helpers import ADMIN, ADMIN_TOKEN, completed_order, finance_token
from tests.api.api_rows import insert_invoice
from tests.api.desk_rows import insert_bank_line
from tests.api.test_api_finance_desk import FORM, login

PAGE = "/finance/desk/bank-lines"


async def csrf(api: httpx.AsyncClient) -> str:
    found = re.search(r"name='csrf' value='([^']+)'", (await api.get(PAGE)).text)
    assert found, "the page shows no form"
    return found.group(1)


async def post_form(api: httpx.AsyncClient, path: str, body: str) -> httpx.Response:
    token = await csrf(api)
    return await api.post(path, content=f"{body}&csrf={token}".encode(), headers=FORM)


def lines_shown(page: httpx.Response) -> list[int]:
    return [int(n) for n in re.findall(r"<tr id='line-(\d+)'>", page.text)]


async def _line(sessions: async_sessionmaker[AsyncSession], line_id: int) -> BankTransaction:
    async with sessions() as session:
        line = await session.get(BankTransaction, line_id)
        assert line is not None
        return line


async def test_the_page_lists_the_open_queue_with_the_matchers_reason(
    api: httpx.AsyncClient, session_factory: async_sessionmaker[AsyncSession]
) -> None:
    waiting = await insert_bank_line(
        session_factory, counterparty_name="<b>Mallory</b>", unstructured="RE 42 & more"
    )
    suggested = await insert_bank_line(session_factory, status="suggested", reason="close name")
    await insert_bank_line(session_factory, status="matched")
    returned = await insert_bank_line(
        session_factory, status="return", direction="debit", return_reason="AC04"
    )
    await login(api, await finance_token(api))
    page = await api.get(PAGE)
    assert page.status_code == 200
    assert lines_shown(page) == [waiting, suggested, returned]
    assert "€120.00" in page.text
    assert "&lt;b&gt;Mallory&lt;/b&gt;" in page.text
    assert "RE 42 &amp; more" in page.text
    assert "no reference and no open amount of €120.00" in page.text
    assert "close name" in page.text
    assert f"{PAGE}/{waiting}/assign" in page.text
    assert f"{PAGE}/{returned}/dismiss" not in page.text  # a returned payout is ops' to fix
    assert "AC04" in page.text
    only = await api.get(PAGE, params={"status": "suggested"})
    assert lines_shown(only) == [suggested]
    assert "aria-current='page'>Bank lines" in page.text


async def test_finance_dismisses_a_line_from_the_page(
    api: httpx.AsyncClient, session_factory: async_sessionmaker[AsyncSession]
) -> None:
    line_id = await insert_bank_line(session_factory)
    await login(api, await finance_token(api))
    why = await post_form(api, f"{PAGE}/{line_id}/dismiss", "outcome=not_ours&note=")
    assert why.status_code == 422
    assert "say why" in why.text
    assert lines_shown(why) == [line_id]
    done = await post_form(
        api, f"{PAGE}/{line_id}/dismiss", "outcome=refunded&note=sent+back+on+Monday"
    )
    assert done.status_code == 303, done.text
    after = await api.get(done.headers["location"])
    assert f"Bank line {line_id}: dismissed as paid back." in after.text
    assert lines_shown(after) == []
    line = await _line(session_factory, line_id)
    assert (line.status, line.decided_by) == ("refunded", "Fiona Finance")
    async with session_factory() as session:
        decision = await session.scalar(select(BankDecision))
    assert decision is not None
    assert (decision.action, decision.note) == ("refunded", "sent back on Monday")
    # Decided once: the same form again is refused with the service's words.
    again = await post_form(api, f"{PAGE}/{line_id}/dismiss", "outcome=not_ours&note=x")
    assert again.status_code == 409
    assert f"Bank line {line_id}: Bank line {line_id} is refunded (decided by Fiona" in again.text


async def _two_invoices(
    api: httpx.AsyncClient, sessions: async_sessionmaker[AsyncSession]
) -> list[dict[str, Any]]:
    orders = [(await completed_order(api))[1] for _ in range(2)]
    for order in orders:
        await insert_invoice(sessions, order)
    return orders


async def test_finance_assigns_a_line_to_two_invoices_and_sees_a_refusal_first(
    api: httpx.AsyncClient,
    session_factory: async_sessionmaker[AsyncSession],
    temporal_env: WorkflowEnvironment,
) -> None:
    first, second = await _two_invoices(api, session_factory)
    line_id = await insert_bank_line(session_factory, amount_cents=12_000)
    await login(api, await finance_token(api))
    numbers = [f"DE-2026-{o['id']:05d}" for o in (first, second)]
    short = await post_form(
        api,
        f"{PAGE}/{line_id}/assign",
        f"invoice_1={numbers[0]}&amount_1=70&invoice_2={numbers[1]}&amount_2=40",
    )
    assert short.status_code == 422
    assert "The parts add up to €110.00, the transfer is €120.00" in short.text
    assert lines_shown(short) == [line_id]
    bad = await post_form(api, f"{PAGE}/{line_id}/assign", "invoice_1=X&amount_1=1.234")
    assert bad.status_code == 422
    assert "Row 1: enter the amount in euros" in bad.text
    unknown = await post_form(api, f"{PAGE}/{line_id}/assign", "invoice_1=NOPE-1&amount_1=120")
    assert unknown.status_code == 422
    assert "There is no invoice NOPE-1" in unknown.text

    done = await post_form(
        api,
        f"{PAGE}/{line_id}/assign",
        f"invoice_1={numbers[0]}&amount_1=70,00&invoice_2={numbers[1].lower()}&amount_2=50"
        "&invoice_3=&amount_3=&note=two+invoices+in+one+transfer",
    )
    assert done.status_code == 303, done.text
    assert "put on the invoices" in (await api.get(done.headers["location"])).text
    async with session_factory() as session:
        payments = list(await session.scalars(select(Payment).order_by(Payment.amount_cents)))
    assert [(p.order_id, p.amount_cents, p.source) for p in payments] == [
        (second["id"], 5_000, "bank"),
        (first["id"], 7_000, "bank"),
    ]
    # Handed to each order's workflow like a payment from the JSON API.
    for order in (first, second):
        handle = temporal_env.client.get_workflow_handle(order["workflow_id"])
        assert len(await handle.query("payments_seen")) == 1
    listed = await api.get("/finance/bank-lines?status=assigned", headers=ADMIN)
    assert [line["id"] for line in listed.json()] == [line_id]


async def test_finance_accepts_a_suggestion_from_the_page(
    api: httpx.AsyncClient, session_factory: async_sessionmaker[AsyncSession]
) -> None:
    [order, _] = await _two_invoices(api, session_factory)
    line_id = await insert_bank_line(session_factory, status="suggested", amount_cents=12_100)
    async with session_factory() as session:
        invoice = await session.scalar(select(Invoice).where(Invoice.order_id == order["id"]))
        assert invoice is not None
        session.add(
            BankAllocation(
                transaction_id=line_id,
                invoice_id=invoice.id,
                order_id=order["id"],
                amount_cents=12_000,
                applied=False,
            )
        )
        await session.commit()
    await login(api, await finance_token(api))
    page = await api.get(PAGE)
    assert f"suggests {invoice.number}: €120.00" in page.text
    assert f"value='{invoice.number}'" in page.text  # the assign form starts from it
    done = await post_form(api, f"{PAGE}/{line_id}/accept", "")
    assert done.status_code == 303, done.text
    assert "suggestion accepted" in (await api.get(done.headers["location"])).text
    assert (await _line(session_factory, line_id)).status == "assigned"
    nothing = await post_form(api, f"{PAGE}/{line_id}/accept", "")
    assert nothing.status_code == 409


async def test_forms_without_csrf_or_by_others_than_finance_are_refused(
    api: httpx.AsyncClient, session_factory: async_sessionmaker[AsyncSession]
) -> None:
    line_id = await insert_bank_line(session_factory)
    path = f"{PAGE}/{line_id}/dismiss"
    # Not logged in: the log-in page (401), nothing decided.
    anonymous = await api.post(path, content=b"outcome=not_ours&note=x", headers=FORM)
    assert anonymous.status_code == 401
    assert "name='token'" in anonymous.text
    page = await api.get(PAGE)
    assert page.status_code == 401
    assert "name='token'" in page.text
    await login(api, await finance_token(api))
    forged = await api.post(path, content=b"outcome=not_ours&note=x", headers=FORM)
    assert forged.status_code == 403
    assert "out of date" in forged.json()["detail"]
    token = await csrf(api)
    other_site = await api.post(
        path,
        content=f"outcome=not_ours&note=x&csrf={token}".encode(),
        headers=FORM | {"origin": "http://evil.example"},
    )
    assert other_site.status_code == 403
    assert (await _line(session_factory, line_id)).status == "unmatched"
    # The admin is staff: sees the page, but deciding on money is finance's.
    await post_form(api, "/finance/logout", "")
    await login(api, ADMIN_TOKEN)
    assert lines_shown(await api.get(PAGE)) == [line_id]
    refused = await post_form(api, path, "outcome=not_ours&note=x")
    assert refused.status_code == 403
    assert "Only finance tokens decide on bank lines" in refused.text
    assert (await _line(session_factory, line_id)).status == "unmatched"
    # The JSON queue at /finance/bank-lines still answers bearer tokens only.
    assert (await api.get("/finance/bank-lines")).status_code == 401
