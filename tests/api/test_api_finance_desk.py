"""The finance desk web page: login cookie, open cases, a decision from the form."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from urllib.parse import quote

import httpx
from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from temporalio.testing import WorkflowEnvironment

from db.models import ApiToken
from domain.capability import token_hash as hash_token
from tests.api.api_helpers import ADMIN, bearer, completed_order, create_member, finance_token
from tests.api.api_rows import insert_case, insert_invoice

FORM = {"content-type": "application/x-www-form-urlencoded"}


async def csrf(api: httpx.AsyncClient) -> str:
    """The CSRF token the desk page puts in its forms."""
    found = re.search(r"name='csrf' value='([^']+)'", (await api.get("/finance")).text)
    assert found, "the desk shows no form"
    return found.group(1)


async def post_form(api: httpx.AsyncClient, path: str, body: str) -> httpx.Response:
    """A desk form as the browser sends it: with the page's CSRF token."""
    token = await csrf(api)
    return await api.post(path, content=f"{body}&csrf={token}".encode(), headers=FORM)


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
    bad = await post_form(
        api, f"/finance/cases/{case_id}/decide", "kind=record_payment&amount_eur=12.345"
    )
    assert bad.status_code == 422
    assert "two decimals" in bad.text
    # First the decision in words, nothing decided yet; then confirmed.
    asked = await post_form(api, f"/finance/cases/{case_id}/decide", form)
    assert asked.status_code == 200
    assert "Record a payment of €5,712.00 received on 2026-08-30." in asked.text
    assert "name='confirmed' value='yes'" in asked.text
    unpaid = (await api.get(f"/orders/{order['id']}", headers=bearer(token))).json()["view"]
    assert unpaid["paid_cents"] == 0
    done = await post_form(api, f"/finance/cases/{case_id}/decide", form + "&confirmed=yes")
    assert done.status_code == 303, done.text
    after = await api.get(done.headers["location"])
    assert "record payment decided" in after.text
    view = (await api.get(f"/orders/{order['id']}", headers=bearer(token))).json()["view"]
    assert view["paid_cents"] == 571200

    await post_form(api, "/finance/logout", "")
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
    bad = await post_form(
        api, f"/finance/cases/{case_id}/refunded", "amount_eur=12.345&refunded_on=2026-08-30"
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
    answer = await post_form(
        api,
        f"/finance/cases/{case_id}/decide",
        "kind=credit_note&note=venue+cancelled&confirmed=yes",
    )
    assert answer.status_code == 409
    # The refusal in words on the case's own page, its forms there to try again.
    assert f"Case #{case_id} · invoice" in answer.text
    assert "role='alert'>" in answer.text
    assert "can no longer be cancelled" in answer.text
    assert f"/finance/cases/{case_id}/decide" in answer.text


async def _desk_with_a_case(
    api: httpx.AsyncClient, session_factory: async_sessionmaker[AsyncSession]
) -> tuple[str, int]:
    _, order = await completed_order(api)
    invoice_id = await insert_invoice(session_factory, order)
    case_id = await insert_case(session_factory, order["id"], invoice_id)
    token = await finance_token(api)
    await login(api, token)
    return token, case_id


async def test_the_cookie_holds_a_session_not_the_token(
    api: httpx.AsyncClient, session_factory: async_sessionmaker[AsyncSession]
) -> None:
    token, _ = await _desk_with_a_case(api, session_factory)
    cookie = api.cookies.get("coopflow_desk", path="/finance")
    assert cookie
    assert token not in cookie
    assert api.cookies.get("coopflow_token") is None


async def test_a_form_without_the_csrf_token_or_from_another_origin_is_refused(
    api: httpx.AsyncClient, session_factory: async_sessionmaker[AsyncSession]
) -> None:
    _, case_id = await _desk_with_a_case(api, session_factory)
    path = f"/finance/cases/{case_id}/decide"
    forged = await api.post(path, content=b"kind=write_off", headers=FORM)
    assert forged.status_code == 403
    assert "out of date" in forged.json()["detail"]
    token = await csrf(api)
    other_site = await api.post(
        path,
        content=f"kind=write_off&csrf={token}".encode(),
        headers=FORM | {"origin": "http://testserver:8233"},  # another port is another site
    )
    assert other_site.status_code == 403
    assert other_site.json()["type"].endswith("/cross-site-form")
    # Nothing was decided: the case is still open on the desk.
    assert f"#{case_id}" in (await api.get("/finance")).text


async def test_logging_out_ends_the_session_for_good(
    api: httpx.AsyncClient, session_factory: async_sessionmaker[AsyncSession]
) -> None:
    _, case_id = await _desk_with_a_case(api, session_factory)
    stolen = api.cookies.get("coopflow_desk", path="/finance")
    out = await post_form(api, "/finance/logout", "")
    assert out.status_code == 303
    assert "logged out" in (await api.get(out.headers["location"])).text
    api.cookies.set("coopflow_desk", stolen or "", path="/finance")  # the old cookie, replayed
    page = await api.get("/finance")
    assert "name='token'" in page.text
    assert f"#{case_id}" not in page.text


async def test_revoking_a_token_ends_its_desk_sessions_and_its_api_access(
    api: httpx.AsyncClient, session_factory: async_sessionmaker[AsyncSession]
) -> None:
    token, case_id = await _desk_with_a_case(api, session_factory)
    assert f"#{case_id}" in (await api.get("/finance")).text
    me = await api.get("/finance/cases", headers=bearer(token))
    assert me.status_code == 200
    issued = await api.post("/finance-users", headers=ADMIN, json={"name": "Other"})
    assert issued.json()["expires_at"] is not None
    async with session_factory() as session:
        token_id = await session.scalar(
            select(ApiToken.id).where(ApiToken.token_hash == hash_token(token))
        )
    revoked = await api.delete(f"/tokens/{token_id}", headers=ADMIN)
    assert revoked.status_code == 200, revoked.text
    assert "name='token'" in (await api.get("/finance")).text
    refused = await api.get("/finance/cases", headers=bearer(token))
    assert refused.status_code == 401
    assert "revoked" in refused.json()["detail"]


async def test_an_expired_token_opens_nothing(
    api: httpx.AsyncClient, session_factory: async_sessionmaker[AsyncSession]
) -> None:
    token = await finance_token(api)
    async with session_factory.begin() as session:
        await session.execute(
            update(ApiToken)
            .where(ApiToken.token_hash == hash_token(token))
            .values(expires_at=datetime.now(UTC) - timedelta(days=1))
        )
    refused = await api.get("/finance/cases", headers=bearer(token))
    assert refused.status_code == 401
    assert "expired" in refused.json()["detail"]
    assert (await login(api, token)).status_code == 401


async def test_the_desk_shows_only_its_own_sentences(api: httpx.AsyncClient) -> None:
    spoof = "Your session expired: send your token to finance@evil.example"
    page = await api.get("/finance", params={"message": spoof, "notice": spoof})
    assert "evil.example" not in page.text
    page = await api.get("/finance", params={"notice": "decided", "case": "7", "kind": "evil"})
    assert "evil" not in page.text
    assert "decided" not in page.text


def test_the_desk_form_carries_a_promise_to_pay() -> None:
    from api.routers.finance_desk import _form_decision

    decision = _form_decision({"kind": "promise_to_pay", "promised_on": "2027-01-10", "note": "x"})
    assert (decision.kind, str(decision.promised_on)) == ("promise_to_pay", "2027-01-10")


async def test_the_desk_agrees_instalments_line_by_line(
    api: httpx.AsyncClient,
    temporal_env: WorkflowEnvironment,
    session_factory: async_sessionmaker[AsyncSession],
) -> None:
    _, case_id = await _desk_with_a_case(api, session_factory)
    path = f"/finance/cases/{case_id}/decide"
    plan = "kind=instalments&instalments=" + quote("2027-01-15 2000.00\n\n2027-02-15 3712,00\n")
    asked = await post_form(api, path, plan)
    assert asked.status_code == 200, asked.text
    assert "Agree 2 instalments: €2,000.00 by 2027-01-15; €3,712.00 by 2027-02-15." in asked.text
    assert "name='confirmed' value='yes'" in asked.text
    bad = await post_form(
        api, path, "kind=instalments&instalments=" + quote("2027-01-15 2000\n15.2.2027 3712")
    )
    assert bad.status_code == 422
    assert "Instalment line 2 (&#39;15.2.2027 3712&#39;)" in bad.text
    one = await post_form(api, path, "kind=instalments&instalments=2027-01-15+5712")
    assert one.status_code == 422
    assert "at least two instalments" in one.text
    backwards = "kind=instalments&instalments=" + quote("2027-02-15 1\n2027-01-15 5711")
    assert "strictly increasing" in (await post_form(api, path, backwards)).text


async def test_the_case_page_shows_the_order_to_the_day_from_its_workflow(
    api: httpx.AsyncClient,
    temporal_env: WorkflowEnvironment,
    session_factory: async_sessionmaker[AsyncSession],
) -> None:
    _, order = await completed_order(api)
    invoice_id = await insert_invoice(session_factory, order)
    case_id = await insert_case(session_factory, order["id"], invoice_id)
    await temporal_env.client.get_workflow_handle(order["workflow_id"]).signal("escalate")
    await login(api, await finance_token(api))
    page = await api.get(f"/finance/desk/cases/{case_id}")
    live = page.text.split("<p id='live'>", 1)[1].split("</p>", 1)[0]
    assert "Owed: €5,712.00 (principal €5,712.00" in live
    assert "waiting for" in live
