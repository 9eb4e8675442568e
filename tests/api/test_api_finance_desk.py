"""The finance desk web page: login cookie, open cases, a decision from the form."""

from __future__ import annotations

import httpx
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from temporalio.testing import WorkflowEnvironment

from tests.api.api_helpers import bearer, completed_order, create_member, finance_token
from tests.api.api_rows import insert_case, insert_invoice


async def login(api: httpx.AsyncClient, token: str) -> httpx.Response:
    return await api.post(
        "/finance/login",
        content=f"token={token}".encode(),
        headers={"content-type": "application/x-www-form-urlencoded"},
    )


async def test_desk_asks_for_a_token(api: httpx.AsyncClient) -> None:
    page = await api.get("/finance")
    assert page.status_code == 200
    assert "name='token'" in page.text
    wrong = await login(api, "cf_nope")
    assert wrong.status_code == 401
    assert "not known" in wrong.text
    _, member = await create_member(api)
    refused = await login(api, member)
    assert refused.status_code == 403


async def test_desk_lists_cases_and_decides(
    api: httpx.AsyncClient,
    temporal_env: WorkflowEnvironment,
    session_factory: async_sessionmaker[AsyncSession],
) -> None:
    _, order = await completed_order(api)
    invoice_id = await insert_invoice(session_factory, order, client_name="ACME <GmbH>")
    case_id = await insert_case(session_factory, order["id"], invoice_id)
    token = await finance_token(api)
    await temporal_env.client.get_workflow_handle(order["workflow_id"]).signal("escalate")

    logged_in = await login(api, token)
    assert logged_in.status_code == 303
    assert logged_in.headers["location"] == "/finance"
    cookie = logged_in.headers["set-cookie"].lower()
    assert "httponly" in cookie
    assert "samesite=strict" in cookie

    desk = await api.get("/finance")
    assert f"#{case_id}" in desk.text
    assert "€5,712.00" in desk.text
    assert f"/finance/cases/{case_id}/decide" in desk.text

    form = "kind=record_payment&amount_eur=5712%2C00&received_on=2026-08-30&reference=&note=cheque"
    bad = await api.post(
        f"/finance/cases/{case_id}/decide",
        content=b"kind=record_payment&amount_eur=12.345",
        headers={"content-type": "application/x-www-form-urlencoded"},
    )
    assert bad.status_code == 422
    assert "two decimals" in bad.text
    done = await api.post(
        f"/finance/cases/{case_id}/decide",
        content=form.encode(),
        headers={"content-type": "application/x-www-form-urlencoded"},
    )
    assert done.status_code == 303, done.text
    after = await api.get(done.headers["location"])
    assert "record payment decided" in after.text
    view = (await api.get(f"/orders/{order['id']}", headers=bearer(token))).json()["view"]
    assert view["paid_cents"] == 571200

    await api.post("/finance/logout")
    assert "name='token'" in (await api.get("/finance")).text


async def test_desk_escapes_names(
    api: httpx.AsyncClient, session_factory: async_sessionmaker[AsyncSession]
) -> None:
    _, order = await completed_order(api)
    invoice_id = await insert_invoice(session_factory, order, number="<script>x</script>")
    await insert_case(session_factory, order["id"], invoice_id)
    await login(api, await finance_token(api, name="<b>Fiona</b>"))
    page = (await api.get("/finance")).text
    assert "<script>x" not in page
    assert "&lt;script&gt;x" in page
    assert "&lt;b&gt;Fiona" in page


async def test_refund_case_is_settled_by_recording_the_transfer(
    api: httpx.AsyncClient,
    session_factory: async_sessionmaker[AsyncSession],
) -> None:
    _, order = await completed_order(api)
    invoice_id = await insert_invoice(session_factory, order)
    case_id = await insert_case(session_factory, order["id"], invoice_id, kind="refund")
    token = await finance_token(api)
    cases = (await api.get("/finance/cases", headers=bearer(token))).json()
    assert [(c["case_id"], c["kind"]) for c in cases] == [(case_id, "refund")]
    # A refund case takes no overdue decision: it is settled by the refund itself.
    refused = await api.post(
        f"/finance/cases/{case_id}/decision", headers=bearer(token), json={"kind": "write_off"}
    )
    assert refused.status_code == 409
    assert f"/finance/cases/{case_id}/refund" in refused.json()["detail"]

    await login(api, token)
    desk = await api.get("/finance")
    assert f"/finance/cases/{case_id}/refunded" in desk.text
    assert "to refund" in desk.text
    bad = await api.post(
        f"/finance/cases/{case_id}/refunded",
        content=b"amount_eur=12.345&refunded_on=2026-08-30",
        headers={"content-type": "application/x-www-form-urlencoded"},
    )
    assert bad.status_code == 422
    assert "amount refunded in euros" in bad.text
    recorded = await api.post(
        f"/finance/cases/{case_id}/refund",
        headers=bearer(token),
        json={"amount_cents": 571200, "refunded_on": "2026-08-30", "reference": "SEPA 1"},
    )
    assert recorded.status_code == 202, recorded.text
    assert recorded.json()["refund_key"] == f"case-{case_id}:2026-08-30:571200"


async def test_desk_offers_a_credit_note_and_shows_the_orders_refusal(
    api: httpx.AsyncClient,
    temporal_env: WorkflowEnvironment,
    session_factory: async_sessionmaker[AsyncSession],
) -> None:
    _, order = await completed_order(api)
    invoice_id = await insert_invoice(session_factory, order)
    case_id = await insert_case(session_factory, order["id"], invoice_id)
    token = await finance_token(api)
    await temporal_env.client.get_workflow_handle(order["workflow_id"]).signal("escalate")
    await login(api, token)
    assert "value='credit_note'" in (await api.get("/finance")).text
    # The order's workflow decides; this stand-in refuses a cancellation after completion, and
    # the desk shows its words with the case.
    answer = await api.post(
        f"/finance/cases/{case_id}/decide",
        content=b"kind=credit_note&note=venue+cancelled",
        headers={"content-type": "application/x-www-form-urlencoded"},
    )
    assert answer.status_code == 409
    assert f"Case {case_id}:" in answer.text
    assert "can no longer be cancelled" in answer.text
