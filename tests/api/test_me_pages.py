"""The member's pages (/me): log in with the member's token, my orders with their state in
words, a new order and its offer through the form (the JSON API's services), my invoices and
payslips with their PDFs; only the member's own, and never with a finance session."""

from __future__ import annotations

import html
import re
from datetime import date, timedelta
from pathlib import Path

import httpx
import pytest
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from adapters.documents.payslip_pdf import payslip_pdf_path
from config import Settings
from tests.api.api_helpers import (
    create_client,
    create_member,
    create_order,
    finance_token,
    member_with_order,
    signed_order,
    submitted_order,
)
from tests.api.api_rows import insert_invoice, insert_payslip
from tests.api.test_api_finance_desk import FORM
from tests.api.test_api_finance_desk import login as desk_login


@pytest.fixture
def settings(settings: Settings, tmp_path: Path) -> Settings:
    """PDFs under the test's own directory."""
    return settings.model_copy(update={"data_dir": tmp_path})


async def me_login(api: httpx.AsyncClient, token: str) -> httpx.Response:
    return await api.post("/me/login", content=f"token={token}".encode(), headers=FORM)


async def csrf(api: httpx.AsyncClient) -> str:
    found = re.search(r"name='csrf' value='([^']+)'", (await api.get("/me")).text)
    assert found, "the page shows no form"
    return found.group(1)


async def post_form(api: httpx.AsyncClient, path: str, body: str) -> httpx.Response:
    token = await csrf(api)
    return await api.post(path, content=f"{body}&csrf={token}".encode(), headers=FORM)


def state_of(page: httpx.Response, order_id: int) -> str:
    found = re.search(rf"<tr id='order-{order_id}'>.*?<td class='state'>([^<]*)", page.text, re.S)
    assert found, page.text
    return html.unescape(found.group(1).strip())


async def test_a_member_logs_in_sees_its_orders_and_logs_out(api: httpx.AsyncClient) -> None:
    assert "name='token'" in (await api.get("/me")).text
    assert (await me_login(api, "cf_nope")).status_code == 401
    token, draft = await member_with_order(api)
    opened = await me_login(api, token)
    assert opened.status_code == 303
    assert opened.headers["location"] == "/me"
    cookie = opened.headers["set-cookie"]
    assert "coopflow_me=" in cookie
    assert "Path=/me" in cookie
    assert "HttpOnly" in cookie
    page = await api.get("/me")
    assert page.status_code == 200
    assert state_of(page, draft["id"]) == "draft, not sent yet"
    assert "Analytical engine programming" in page.text
    assert "€4,800.00" in page.text
    assert "Logged in as Ada Lovelace." in page.text
    out = await post_form(api, "/me/logout", "")
    assert out.status_code == 303
    after = await api.get(out.headers["location"])
    assert "You are logged out." in after.text
    assert "name='token'" in after.text
    assert (await api.get("/me/invoices")).status_code == 401


async def test_staff_cannot_log_in_here_and_sessions_do_not_cross(api: httpx.AsyncClient) -> None:
    finance = await finance_token(api)
    refused = await me_login(api, finance)
    assert refused.status_code == 403
    assert "coopflow_me" not in refused.headers.get("set-cookie", "")
    # a finance session does not open /me, even under the members' cookie name
    desk = await desk_login(api, finance)
    desk_id = desk.cookies["coopflow_desk"]
    api.cookies.clear()
    as_member = {"cookie": f"coopflow_me={desk_id}"}
    assert "name='token'" in (await api.get("/me", headers=as_member)).text
    assert (await api.get("/me/payslips", headers=as_member)).status_code == 401
    # a member session does not open the finance desk, even under the desk's cookie name
    token, _ = await member_with_order(api)
    member_id = (await me_login(api, token)).cookies["coopflow_me"]
    api.cookies.clear()
    desk_page = await api.get("/finance", headers={"cookie": f"coopflow_desk={member_id}"})
    assert "Finance token" in desk_page.text
    csv = await api.get("/finance/queue.csv", headers={"cookie": f"coopflow_desk={member_id}"})
    assert csv.status_code == 401


async def test_a_member_creates_and_submits_an_order_through_the_form(
    api: httpx.AsyncClient,
) -> None:
    _, token = await create_member(api)
    client = await create_client(api, token, name="Babbage & Sons")
    await me_login(api, token)
    form = await api.get("/me/orders/new")
    assert "Babbage &amp; Sons" in form.text
    start = date.today() + timedelta(days=3)
    body = (
        f"client_id={client['id']}&description=Difference+engine&period_start={start}"
        f"&period_end={start + timedelta(days=4)}&net_eur=1234.50&quantity=5&unit=DAY"
    )
    created = await post_form(api, "/me/orders", body)
    assert created.status_code == 303, created.text
    order_id = int(re.search(r"order=(\d+)", created.headers["location"]).group(1))  # type: ignore[union-attr]
    page = await api.get(created.headers["location"])
    assert f"Order {order_id} created as a draft" in page.text
    assert state_of(page, order_id) == "draft, not sent yet"
    submitted = await post_form(api, f"/me/orders/{order_id}/submit", "")
    assert submitted.status_code == 303, submitted.text
    page = await api.get(submitted.headers["location"])
    assert f"Order {order_id}: the offer went to the client." in page.text
    assert state_of(page, order_id) == "waiting for the client's signature"
    assert f"/me/orders/{order_id}/submit" not in page.text
    # the same order through the JSON API: one service, one truth
    stored = await api.get(f"/orders/{order_id}", headers={"Authorization": f"Bearer {token}"})
    assert stored.json()["net_amount_cents"] == 123450
    assert stored.json()["unit_code"] == "DAY"
    assert stored.json()["status"] == "AwaitingSignature"


async def test_a_member_declares_the_work_done_with_an_expense(api: httpx.AsyncClient) -> None:
    token, order = await signed_order(api)
    await me_login(api, token)
    page = await api.get("/me")
    assert f"/me/orders/{order['id']}/complete" in page.text
    done = (
        "actual_start=2026-06-01&actual_end=2026-06-05&work_days=5"
        "&expense_description=Train+ticket&expense_eur=42.50&expense_on=2026-06-02"
    )
    bad = await post_form(api, f"/me/orders/{order['id']}/complete", done.replace("42.50", "4.2.5"))
    assert bad.status_code == 422
    assert "Enter the expense's amount in euros" in html.unescape(bad.text)
    completed = await post_form(api, f"/me/orders/{order['id']}/complete", done)
    assert completed.status_code == 303, completed.text
    page = await api.get(completed.headers["location"])
    assert f"Order {order['id']}: the work is declared done" in page.text
    assert f"/me/orders/{order['id']}/complete" not in page.text
    expenses = await api.get(
        f"/orders/{order['id']}/expenses", headers={"Authorization": f"Bearer {token}"}
    )
    assert [(e["description"], e["amount_cents"]) for e in expenses.json()] == [
        ("Train ticket", 4250)
    ]
    twice = await post_form(api, f"/me/orders/{order['id']}/complete", done.split("&exp")[0])
    assert twice.status_code == 409, twice.text


async def test_a_bad_form_is_refused_with_its_reason(api: httpx.AsyncClient) -> None:
    _, token = await create_member(api)
    client = await create_client(api, token)
    await me_login(api, token)
    start = date.today() + timedelta(days=3)
    base = f"client_id={client['id']}&description=X&period_start={start}&period_end={start}"
    money = await post_form(api, "/me/orders", base + "&net_eur=12.345")
    assert money.status_code == 422
    assert "at most two decimals" in money.text
    backwards = f"client_id={client['id']}&description=X&period_start={start}"
    dates = await post_form(
        api, "/me/orders", backwards + f"&period_end={start - timedelta(days=1)}&net_eur=10"
    )
    assert dates.status_code == 422


async def test_forms_without_the_sessions_csrf_token_or_from_elsewhere_are_refused(
    api: httpx.AsyncClient,
) -> None:
    token, order = await member_with_order(api)
    await me_login(api, token)
    no_token = await api.post(f"/me/orders/{order['id']}/submit", content=b"", headers=FORM)
    assert no_token.status_code == 403
    wrong = await api.post(f"/me/orders/{order['id']}/submit", content=b"csrf=guess", headers=FORM)
    assert wrong.status_code == 403
    token_value = await csrf(api)
    elsewhere = await api.post(
        f"/me/orders/{order['id']}/submit",
        content=f"csrf={token_value}".encode(),
        headers=FORM | {"origin": "http://evil.example"},
    )
    assert elsewhere.status_code == 403
    page = await api.get("/me")
    assert state_of(page, order["id"]) == "draft, not sent yet"


async def test_member_b_sees_nothing_of_member_as(
    api: httpx.AsyncClient, session_factory: async_sessionmaker[AsyncSession], settings: Settings
) -> None:
    token_a, order = await submitted_order(api)
    invoice_id = await insert_invoice(session_factory, order)
    number = f"DE-2026-{order['id']:05d}"
    settings.invoice_dir.mkdir(parents=True)
    (settings.invoice_dir / f"{number}.pdf").write_bytes(b"%PDF-1.4 invoice of A")
    payslip_id = await insert_payslip(session_factory, order)
    pdf = payslip_pdf_path(settings.payslip_dir, "DE", date(2026, 6, 12), str(payslip_id))
    pdf.parent.mkdir(parents=True)
    pdf.write_bytes(b"%PDF-1.4 payslip of A")

    await me_login(api, token_a)
    mine = await api.get("/me")
    assert f"/me/invoices/{invoice_id}/pdf" in mine.text
    invoices = await api.get("/me/invoices")
    assert number in invoices.text
    assert f"/me/invoices/{invoice_id}/pdf" in invoices.text
    assert (await api.get(f"/me/invoices/{invoice_id}/pdf")).content.startswith(b"%PDF")
    payslips = await api.get("/me/payslips")
    assert f"/me/payslips/{payslip_id}/pdf" in payslips.text
    assert "€2,510.00" in payslips.text
    assert (await api.get(f"/me/payslips/{payslip_id}/pdf")).content == b"%PDF-1.4 payslip of A"

    api.cookies.clear()
    _, token_b = await create_member(api, name="Bob Stranger")
    await me_login(api, token_b)
    for page in ("/me", "/me/invoices", "/me/payslips", "/me/orders/new"):
        answer = await api.get(page)
        assert answer.status_code == 200
        assert "Analytical engine" not in answer.text
        assert number not in answer.text
    assert (await api.get(f"/me/invoices/{invoice_id}/pdf")).status_code == 404
    assert (await api.get(f"/me/payslips/{payslip_id}/pdf")).status_code == 404
    submit = await post_form(api, f"/me/orders/{order['id']}/submit", "")
    assert submit.status_code == 404
    assert "Analytical engine" not in submit.text
    start = date.today() + timedelta(days=3)
    foreign = await post_form(
        api,
        "/me/orders",
        f"client_id={order['client_id']}&description=X&period_start={start}"
        f"&period_end={start}&net_eur=10",
    )
    assert foreign.status_code == 422
    assert "not one of your clients" in foreign.text


async def test_the_pages_speak_the_members_language(api: httpx.AsyncClient) -> None:
    _, token = await create_member(api, language="de")
    await create_client(api, token)
    await me_login(api, token)
    page = await api.get("/me/orders/new")
    assert "<html lang='de'>" in page.text
    assert "Neuer Auftrag" in page.text
    assert "Abmelden" in page.text
    _, italian = await create_member(api, language="it")
    api.cookies.clear()
    await me_login(api, italian)
    assert "I miei ordini" in (await api.get("/me")).text
    api.cookies.clear()
    french = await api.get("/me", headers={"accept-language": "fr-BE,fr;q=0.9"})
    assert "Votre jeton d&#39;accès" in french.text


async def test_a_member_adds_a_client_from_its_pages_in_its_language(
    api: httpx.AsyncClient,
) -> None:
    _, token = await create_member(api, language="de")
    await me_login(api, token)
    empty = await api.get("/me/orders/new")
    assert "Meine Kunden" in empty.text  # no clients yet: the form points there
    bad = await post_form(
        api, "/me/clients", "name=Theater+Nord&email=kasse%40theater.example&country=Deutschland"
    )
    assert bad.status_code == 422
    assert "country" in bad.text
    added = await post_form(
        api,
        "/me/clients",
        "name=Theater+Nord&email=kasse%40theater.example&country=de&is_business=yes"
        "&vat_id=DE+136+695+976&language=de&address=Ring+1%2C+20095+Hamburg",
    )
    assert added.status_code == 303, added.text
    page = await api.get(added.headers["location"])
    assert "Kunde angelegt" in page.text
    assert "Theater Nord" in page.text
    assert "DE136695976" in page.text  # the JSON API's rules: the VAT ID normalised
    mine = await api.get("/clients", headers={"Authorization": f"Bearer {token}"})
    assert [c["name"] for c in mine.json()] == ["Theater Nord"]
    form = await api.get("/me/orders/new")
    assert "Theater Nord</option>" in form.text


async def test_my_orders_come_in_pages_newest_first(api: httpx.AsyncClient) -> None:
    _, token = await create_member(api)
    client = await create_client(api, token)
    ids = [(await create_order(api, token, client["id"]))["id"] for _ in range(27)]
    await me_login(api, token)
    first = await api.get("/me")
    assert f"id='order-{ids[-1]}'" in first.text  # the newest
    assert first.text.count("<tr id='order-") == 25
    assert "href='/me?page=2' rel='next'" in first.text
    assert "rel='prev'" not in first.text
    second = await api.get("/me?page=2")
    assert second.text.count("<tr id='order-") == 2
    assert f"id='order-{ids[0]}'" in second.text
    assert "href='/me?page=1' rel='prev'" in second.text
    assert "rel='next'" not in second.text
    assert (await api.get("/me?page=x")).text.count("<tr id='order-") == 25  # the first page
