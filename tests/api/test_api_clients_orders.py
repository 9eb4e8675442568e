"""Clients and draft orders: create, list, ownership (404 for others), idempotency."""

from __future__ import annotations

from datetime import date, timedelta

import httpx
from temporalio.testing import WorkflowEnvironment

from domain.order_messages import OrderInput
from tests.api.api_helpers import ADMIN, bearer, create_client, create_member, create_order
from tests.api.test_api_basics import assert_problem


async def test_client_create_and_list_own_only(api: httpx.AsyncClient) -> None:
    _, ada = await create_member(api)
    _, bob = await create_member(api, name="Bob")
    acme = await create_client(api, ada)
    await create_client(api, bob, name="Bob's client", vat_id=None, is_business=False)
    assert acme["vat_id"] == "DE136695976"
    assert acme["country"] == "DE"

    own = await api.get("/clients", headers=bearer(ada))
    assert [c["id"] for c in own.json()] == [acme["id"]]
    assert (await api.get(f"/clients/{acme['id']}", headers=bearer(ada))).status_code == 200
    assert_problem(await api.get(f"/clients/{acme['id']}", headers=bearer(bob)), 404, "not-found")
    assert len((await api.get("/clients", headers=ADMIN)).json()) == 2


async def test_client_vat_id_and_country_are_checked(api: httpx.AsyncClient) -> None:
    _, token = await create_member(api)
    bad = await api.post(
        "/clients",
        headers=bearer(token),
        json={"name": "X", "email": "x@example.fr", "country": "FR", "vat_id": "FR00000000000"},
    )
    body = assert_problem(bad, 422, "validation-error")
    assert "VAT" in str(body["detail"])
    bad_lang = await api.post(
        "/clients",
        headers=bearer(token),
        json={"name": "X", "email": "x@example.fr", "country": "F1", "language": "xx"},
    )
    fields = {e["field"] for e in assert_problem(bad_lang, 422, "validation-error")["errors"]}
    assert fields == {"country", "language"}
    swiss = await create_client(
        api, token, name="Helvetia AG", country="ch", vat_id="CHE-116.281.710 MWST"
    )
    assert swiss["country"] == "CH"


async def test_order_create_defaults_and_list(api: httpx.AsyncClient) -> None:
    member, token = await create_member(
        api, jurisdiction="BE", iban="BE68539007547034", bic="GKCCBEBB"
    )
    client = await create_client(api, token)
    order = await create_order(api, token, client["id"])
    assert order["status"] == "Draft"
    assert order["jurisdiction"] == "BE"  # the member's
    assert order["payment_terms_days"] == 30
    assert order["offer_valid_until"] == (date.today() + timedelta(days=14)).isoformat()
    assert order["client_name"] == "ACME GmbH"
    assert order["member_name"] == member["name"]
    assert order["workflow_id"] is None
    assert order["view"] is None

    listed = await api.get("/orders", headers=bearer(token), params={"status": "Draft"})
    assert [o["id"] for o in listed.json()] == [order["id"]]
    none = await api.get("/orders", headers=bearer(token), params={"status": "Signed"})
    assert none.json() == []
    bad_status = await api.get("/orders", headers=bearer(token), params={"status": "Paid"})
    assert_problem(bad_status, 422, "validation-error")
    detail = await api.get(f"/orders/{order['id']}", headers=bearer(token))
    assert detail.json()["id"] == order["id"]


async def test_order_amount_and_period_are_checked(api: httpx.AsyncClient) -> None:
    _, token = await create_member(api)
    client = await create_client(api, token)
    response = await api.post(
        "/orders",
        headers=bearer(token),
        json={
            "client_id": client["id"],
            "description": "x",
            "period_start": "2026-06-10",
            "period_end": "2026-06-01",
            "net_amount_cents": 0,
        },
    )
    body = assert_problem(response, 422, "validation-error")
    assert "net_amount_cents" in str(body["detail"])
    response = await api.post(
        "/orders",
        headers=bearer(token),
        json={
            "client_id": client["id"],
            "description": "x",
            "period_start": "2026-06-10",
            "period_end": "2026-06-01",
            "net_amount_cents": 100,
        },
    )
    assert (
        "period_end is before period_start"
        in assert_problem(response, 422, "validation-error")["detail"]
    )
    past = await api.post(
        "/orders",
        headers=bearer(token),
        json={
            "client_id": client["id"],
            "description": "x",
            "period_start": "2026-06-01",
            "period_end": "2026-06-10",
            "net_amount_cents": 100,
            "offer_valid_until": "2020-01-01",
        },
    )
    assert_problem(past, 422, "offer-in-the-past")


async def test_order_needs_own_client(api: httpx.AsyncClient) -> None:
    _, ada = await create_member(api)
    _, bob = await create_member(api, name="Bob")
    bobs_client = await create_client(api, bob)
    response = await api.post(
        "/orders",
        headers=bearer(ada),
        json={
            "client_id": bobs_client["id"],
            "description": "x",
            "period_start": "2026-06-01",
            "period_end": "2026-06-10",
            "net_amount_cents": 100,
        },
    )
    assert_problem(response, 422, "unknown-client")


async def test_members_see_only_their_orders(api: httpx.AsyncClient) -> None:
    _, ada = await create_member(api)
    _, bob = await create_member(api, name="Bob")
    order = await create_order(api, ada, (await create_client(api, ada))["id"])
    oid = order["id"]
    assert (await api.get("/orders", headers=bearer(bob))).json() == []
    for method, path in [
        ("GET", f"/orders/{oid}"),
        ("POST", f"/orders/{oid}/submit"),
        ("POST", f"/orders/{oid}/cancel"),
        ("GET", f"/orders/{oid}/expenses"),
        ("GET", f"/ledger/orders/{oid}"),
    ]:
        response = await api.request(method, path, headers=bearer(bob))
        assert_problem(response, 404, "not-found")
    missing = await api.get("/orders/999999", headers=bearer(ada))
    assert missing.json()["detail"] == (
        await api.get(f"/orders/{oid}", headers=bearer(bob))
    ).json()["detail"].replace(str(oid), "999999")
    staff = await api.get("/orders", headers=ADMIN)
    assert [o["id"] for o in staff.json()] == [oid]


async def test_idempotency_replays_and_refuses_reuse(api: httpx.AsyncClient) -> None:
    _, token = await create_member(api)
    headers = bearer(token) | {"Idempotency-Key": "client-42"}
    body = {"name": "Once GmbH", "email": "once@example.de", "country": "DE"}
    first = await api.post("/clients", json=body, headers=headers)
    # same body, other key order and spacing: still the same request
    again = await api.post(
        "/clients",
        content=b'{"country": "DE",  "email": "once@example.de", "name": "Once GmbH"}',
        headers=headers | {"content-type": "application/json"},
    )
    assert first.status_code == again.status_code == 201
    assert again.json() == first.json()
    assert again.headers["idempotent-replayed"] == "true"
    assert len((await api.get("/clients", headers=bearer(token))).json()) == 1

    other = await api.post("/clients", json=body | {"name": "Twice GmbH"}, headers=headers)
    assert_problem(other, 422, "idempotency-key-reused")

    # keys are per principal: another member may use the same key
    _, bob = await create_member(api, name="Bob")
    bobs = await api.post(
        "/clients", json=body, headers=bearer(bob) | {"Idempotency-Key": "client-42"}
    )
    assert bobs.status_code == 201
    assert "idempotent-replayed" not in bobs.headers
    assert bobs.json()["id"] != first.json()["id"]


async def test_failed_request_is_not_recorded(api: httpx.AsyncClient) -> None:
    _, token = await create_member(api)
    headers = bearer(token) | {"Idempotency-Key": "order-1"}
    body = {
        "client_id": 999999,
        "description": "x",
        "period_start": "2026-06-01",
        "period_end": "2026-06-10",
        "net_amount_cents": 100,
    }
    assert (await api.post("/orders", json=body, headers=headers)).status_code == 422
    client = await create_client(api, token)
    fixed = await api.post("/orders", json=body | {"client_id": client["id"]}, headers=headers)
    assert fixed.status_code == 201


async def test_draft_cancel_and_expenses(api: httpx.AsyncClient) -> None:
    _, token = await create_member(api)
    order = await create_order(api, token, (await create_client(api, token))["id"])
    expense = await api.post(
        f"/orders/{order['id']}/expenses",
        headers=bearer(token),
        json={"description": "Train ticket", "amount_cents": 8990, "incurred_on": "2026-06-02"},
    )
    assert expense.status_code == 201
    assert expense.json()["amount_cents"] == 8990
    cancelled = await api.post(f"/orders/{order['id']}/cancel", headers=bearer(token))
    assert cancelled.status_code == 200, cancelled.text
    assert cancelled.json()["status"] == "Cancelled"
    late = await api.post(
        f"/orders/{order['id']}/expenses",
        headers=bearer(token),
        json={"description": "Taxi", "amount_cents": 1000, "incurred_on": "2026-06-02"},
    )
    assert_problem(late, 409, "invalid-state")
    not_submitted = await api.post(
        f"/orders/{order['id']}/complete",
        headers=bearer(token),
        json={"actual_start": "2026-06-01", "actual_end": "2026-06-02", "work_days": 2},
    )
    assert_problem(not_submitted, 409, "invalid-state")


async def test_the_clients_einvoice_profile_and_reference_reach_the_order_workflow(
    api: httpx.AsyncClient, temporal_env: WorkflowEnvironment
) -> None:
    _, token = await create_member(api)
    plain = await create_client(api, token, name="Plain GmbH")
    assert (plain["einvoice_profile"], plain["buyer_reference"]) == ("en16931", None)
    bad = await api.post(
        "/clients",
        headers=bearer(token),
        json={"name": "X", "email": "x@amt.example", "country": "DE", "einvoice_profile": "ubl"},
    )
    assert {e["field"] for e in assert_problem(bad, 422, "validation-error")["errors"]} == {
        "einvoice_profile"
    }
    office = await create_client(
        api,
        token,
        name="Bezirksamt Mitte",
        vat_id=None,
        einvoice_profile="xrechnung",
        buyer_reference="11-0-01-04-12345-67",
    )
    assert (office["einvoice_profile"], office["buyer_reference"]) == (
        "xrechnung",
        "11-0-01-04-12345-67",
    )
    order = await create_order(api, token, office["id"])
    submitted = await api.post(f"/orders/{order['id']}/submit", headers=bearer(token))
    assert submitted.status_code == 200, submitted.text

    history = await temporal_env.client.get_workflow_handle(f"order-{order['id']}").fetch_history()
    started = history.events[0].workflow_execution_started_event_attributes
    (workflow_input,) = await temporal_env.client.data_converter.decode(
        started.input.payloads, [OrderInput]
    )
    assert workflow_input.client_einvoice_profile == "xrechnung"
    assert workflow_input.client_buyer_reference == "11-0-01-04-12345-67"


async def test_an_order_priced_in_days_or_hours_keeps_its_quantity_and_unit(
    api: httpx.AsyncClient,
) -> None:
    _, token = await create_member(api)
    client = await create_client(api, token)
    order = await create_order(api, token, client["id"], quantity="5", unit="DAY")
    assert (order["quantity"], order["unit_code"], order["net_amount_cents"]) == (
        "5",
        "DAY",
        480000,
    )
    lump = await create_order(api, token, client["id"])
    assert (lump["quantity"], lump["unit_code"]) == ("1", "LS")
    today = date.today()
    refused = await api.post(
        "/orders",
        json={
            "client_id": client["id"],
            "description": "Hours that do not divide the amount",
            "period_start": (today + timedelta(days=3)).isoformat(),
            "period_end": (today + timedelta(days=10)).isoformat(),
            "net_amount_cents": 100000,
            "quantity": "3",
            "unit": "HUR",
        },
        headers=bearer(token),
    )
    assert refused.status_code == 422
    assert "not 3 × a price in whole cents" in refused.text
