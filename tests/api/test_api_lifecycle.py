"""Actions on a running order through its workflow: complete (with expenses), cancel,
payments, finance decisions; and the reads of what the workflow wrote."""

from __future__ import annotations

from datetime import date

import httpx
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from temporalio.testing import WorkflowEnvironment

from db.models import Payment
from domain.order_messages import Completion
from tests.api.api_helpers import (
    ADMIN,
    bearer,
    completed_order,
    create_member,
    finance_token,
    signed_order,
    submitted_order,
)
from tests.api.api_rows import insert_case, insert_invoice, insert_ledger_entry, insert_payslip
from tests.api.test_api_basics import assert_problem


async def test_complete_sends_the_orders_expenses(
    api: httpx.AsyncClient, temporal_env: WorkflowEnvironment
) -> None:
    token, order = await signed_order(api)
    for description, cents in [("Train", 8990), ("Hotel", 12000)]:
        response = await api.post(
            f"/orders/{order['id']}/expenses",
            headers=bearer(token),
            json={"description": description, "amount_cents": cents, "incurred_on": "2026-06-02"},
        )
        assert response.status_code == 201
    response = await api.post(
        f"/orders/{order['id']}/complete",
        headers=bearer(token),
        json={"actual_start": "2026-06-01", "actual_end": "2026-06-05", "work_days": 5},
    )
    assert response.status_code == 200, response.text
    assert response.json()["view"]["status"] == "Invoiced"
    assert response.json()["view"]["gross_cents"] == 571200

    handle = temporal_env.client.get_workflow_handle(order["workflow_id"])
    completion = await handle.query("completion_received", result_type=Completion)
    assert completion.member_id == order["member_id"]
    assert completion.work_days == 5
    assert [(e.description, e.amount_cents) for e in completion.expenses] == [
        ("Train", 8990),
        ("Hotel", 12000),
    ]


async def test_complete_refused_by_the_workflow_is_409(api: httpx.AsyncClient) -> None:
    token, order = await submitted_order(api)  # not signed yet
    response = await api.post(
        f"/orders/{order['id']}/complete",
        headers=bearer(token),
        json={"actual_start": "2026-06-01", "actual_end": "2026-06-05", "work_days": 5},
    )
    body = assert_problem(response, 409, "invalid-state")
    assert "only a signed order can be completed" in str(body["detail"])


async def test_complete_checks_the_dates(api: httpx.AsyncClient) -> None:
    token, order = await signed_order(api)
    response = await api.post(
        f"/orders/{order['id']}/complete",
        headers=bearer(token),
        json={"actual_start": "2026-06-01", "actual_end": "2026-06-03", "work_days": 5},
    )
    body = assert_problem(response, 422, "validation-error")
    assert "5 work days do not fit in a 3-day period" in str(body["detail"])


async def test_complete_is_idempotent_with_a_key(api: httpx.AsyncClient) -> None:
    token, order = await signed_order(api)
    headers = bearer(token) | {"Idempotency-Key": "complete-1"}
    body = {"actual_start": "2026-06-01", "actual_end": "2026-06-05", "work_days": 5}
    first = await api.post(f"/orders/{order['id']}/complete", headers=headers, json=body)
    again = await api.post(f"/orders/{order['id']}/complete", headers=headers, json=body)
    assert first.status_code == again.status_code == 200
    assert again.json() == first.json()
    without_key = await api.post(
        f"/orders/{order['id']}/complete", headers=bearer(token), json=body
    )
    assert_problem(without_key, 409, "invalid-state")


async def test_cancel_a_submitted_order(api: httpx.AsyncClient) -> None:
    token, order = await submitted_order(api)
    response = await api.post(
        f"/orders/{order['id']}/cancel", headers=bearer(token), json={"reason": "not needed"}
    )
    assert response.status_code == 200
    assert response.json()["view"]["status"] == "Cancelled"
    again = await api.post(f"/orders/{order['id']}/cancel", headers=bearer(token))
    assert_problem(again, 409, "workflow-not-running")


async def test_payment_is_recorded_once_and_signalled(
    api: httpx.AsyncClient, temporal_env: WorkflowEnvironment
) -> None:
    token, order = await completed_order(api)
    finance = await finance_token(api)
    body = {
        "order_id": order["id"],
        "amount_cents": 200000,
        "received_on": "2026-07-01",
        "reference": "RF18 0000 0001",
        "payment_key": "bank-tx-1",
    }
    first = await api.post("/payments", headers=bearer(finance), json=body)
    assert first.status_code == 201, first.text
    assert first.json()["created"] is True
    assert first.json()["applied"] is False
    assert first.json()["recorded_by"] == "Fiona Finance"
    repeat = await api.post("/payments", headers=bearer(finance), json=body)
    assert repeat.status_code == 200
    assert repeat.json()["created"] is False
    assert repeat.json()["id"] == first.json()["id"]

    handle = temporal_env.client.get_workflow_handle(order["workflow_id"])
    assert await handle.query("payments_seen", result_type=list[str]) == ["bank-tx-1"]
    view = (await api.get(f"/orders/{order['id']}", headers=bearer(token))).json()["view"]
    assert view["paid_cents"] == 200000

    other_amount = await api.post(
        "/payments", headers=bearer(finance), json=body | {"amount_cents": 1}
    )
    assert_problem(other_amount, 409, "payment-key-taken")


async def test_payment_key_is_derived_from_the_idempotency_key(
    api: httpx.AsyncClient, temporal_env: WorkflowEnvironment
) -> None:
    _, order = await completed_order(api)
    finance = await finance_token(api)
    headers = bearer(finance) | {"Idempotency-Key": "pay-1"}
    body = {"order_id": order["id"], "amount_cents": 100, "received_on": "2026-07-01"}
    first = await api.post("/payments", headers=headers, json=body)
    again = await api.post("/payments", headers=headers, json=body)
    assert first.status_code == again.status_code == 201
    assert again.json() == first.json()
    assert first.json()["payment_key"].startswith("finance-")
    second = await api.post("/payments", headers=bearer(finance), json=body)
    assert second.json()["payment_key"] != first.json()["payment_key"]


async def test_payment_rules(api: httpx.AsyncClient) -> None:
    token, order = await completed_order(api)
    finance = await finance_token(api)
    member_try = await api.post(
        "/payments",
        headers=bearer(token),
        json={"order_id": order["id"], "amount_cents": 100, "received_on": "2026-07-01"},
    )
    assert_problem(member_try, 403, "forbidden")
    unknown = await api.post(
        "/payments",
        headers=bearer(finance),
        json={"order_id": 999999, "amount_cents": 100, "received_on": "2026-07-01"},
    )
    assert_problem(unknown, 422, "unknown-order")
    negative = await api.post(
        "/payments",
        headers=bearer(finance),
        json={"order_id": order["id"], "amount_cents": -5, "received_on": "2026-07-01"},
    )
    assert_problem(negative, 422, "validation-error")


async def test_payment_on_finished_workflow_is_not_kept(
    api: httpx.AsyncClient, session_factory: async_sessionmaker[AsyncSession]
) -> None:
    token, order = await submitted_order(api)
    await api.post(f"/orders/{order['id']}/cancel", headers=bearer(token))
    finance = await finance_token(api)
    body = {"order_id": order["id"], "amount_cents": 100, "received_on": "2026-07-01"}
    refused = await api.post("/payments", headers=bearer(finance), json=body | {"payment_key": "k"})
    assert_problem(refused, 409, "workflow-not-running")
    async with session_factory() as session:  # the row was removed again
        assert await session.scalar(select(func.count(Payment.id))) == 0


async def test_finance_cases_and_decision(
    api: httpx.AsyncClient,
    temporal_env: WorkflowEnvironment,
    session_factory: async_sessionmaker[AsyncSession],
) -> None:
    token, order = await completed_order(api)
    finance = await finance_token(api)
    invoice_id = await insert_invoice(session_factory, order)
    case_id = await insert_case(session_factory, order["id"], invoice_id)
    await insert_case(
        session_factory, order["id"], invoice_id, status="decided", opened_on=date(2026, 8, 1)
    )

    cases = await api.get("/finance/cases", headers=bearer(finance))
    assert cases.status_code == 200
    assert [c["case_id"] for c in cases.json()] == [case_id]
    case = cases.json()[0]
    assert case["invoice_number"] == f"DE-2026-{order['id']:05d}"
    assert case["client_name"] == "ACME GmbH"
    assert case["member_name"] == "Ada Lovelace"
    assert case["amount_due_cents"] == 571200
    assert case["dunning_level"] == 4

    decision = {
        "kind": "record_payment",
        "note": "paid by cheque",
        "payment": {"amount_cents": 571200, "received_on": "2026-08-30"},
    }
    # not escalated yet: the workflow refuses
    refused = await api.post(
        f"/finance/cases/{case_id}/decision", headers=bearer(finance), json=decision
    )
    assert_problem(refused, 409, "invalid-state")

    await temporal_env.client.get_workflow_handle(order["workflow_id"]).signal("escalate")
    decided = await api.post(
        f"/finance/cases/{case_id}/decision", headers=bearer(finance), json=decision
    )
    assert decided.status_code == 200, decided.text
    assert decided.json()["view"]["status"] == "Closed"
    assert decided.json()["view"]["paid_cents"] == 571200

    missing_payment = await api.post(
        f"/finance/cases/{case_id}/decision",
        headers=bearer(finance),
        json={"kind": "record_payment"},
    )
    body = assert_problem(missing_payment, 422, "validation-error")
    assert "recording a payment needs the payment" in str(body["detail"])
    member_try = await api.post(
        f"/finance/cases/{case_id}/decision", headers=bearer(token), json=decision
    )
    assert_problem(member_try, 403, "forbidden")
    assert_problem(
        await api.post("/finance/cases/999999/decision", headers=bearer(finance), json=decision),
        404,
        "not-found",
    )


async def test_reads_of_invoices_payslips_and_ledger(
    api: httpx.AsyncClient, session_factory: async_sessionmaker[AsyncSession]
) -> None:
    token, order = await completed_order(api)
    _, other = await create_member(api, name="Bob")
    finance = await finance_token(api)
    invoice_id = await insert_invoice(session_factory, order)
    payslip_id = await insert_payslip(session_factory, order)
    await insert_ledger_entry(
        session_factory,
        order["id"],
        "invoice",
        [("client_receivable", 571200, 0), ("vat_payable", 0, 91200), ("member_budget", 0, 480000)],
    )
    await insert_ledger_entry(
        session_factory,
        order["id"],
        "payment",
        [("bank_clearing", 200000, 0), ("client_receivable", 0, 200000)],
        posted_on=date(2026, 7, 1),
    )
    pay = await api.post(
        "/payments",
        headers=bearer(finance),
        json={"order_id": order["id"], "amount_cents": 200000, "received_on": "2026-07-01"},
    )
    assert pay.status_code == 201

    for who in (token, finance):
        invoices = await api.get("/invoices", headers=bearer(who))
        assert [i["id"] for i in invoices.json()] == [invoice_id]
        detail = (await api.get(f"/invoices/{invoice_id}", headers=bearer(who))).json()
        assert detail["gross_cents"] == 571200
        assert [d["level"] for d in detail["dunning_documents"]] == [1]
        assert [p["amount_cents"] for p in detail["payments"]] == [200000]
        payslips = await api.get("/payslips", headers=bearer(who))
        assert [p["id"] for p in payslips.json()] == [payslip_id]
        assert (await api.get(f"/payslips/{payslip_id}", headers=bearer(who))).status_code == 200
        ledger = (await api.get(f"/ledger/orders/{order['id']}", headers=bearer(who))).json()
        assert [e["entry_key"] for e in ledger["entries"]] == ["invoice", "payment"]
        balances = {b["account"]: b["balance_cents"] for b in ledger["balances"]}
        assert balances == {
            "bank_clearing": 200000,
            "client_receivable": 371200,
            "member_budget": -480000,
            "vat_payable": -91200,
        }
        assert sum(balances.values()) == 0

    assert (await api.get("/invoices", headers=bearer(other))).json() == []
    assert (await api.get("/payslips", headers=bearer(other))).json() == []
    for path in (
        f"/invoices/{invoice_id}",
        f"/payslips/{payslip_id}",
        f"/ledger/orders/{order['id']}",
    ):
        assert_problem(await api.get(path, headers=bearer(other)), 404, "not-found")
    assert (await api.get("/invoices", headers=ADMIN, params={"status": "paid"})).json() == []
