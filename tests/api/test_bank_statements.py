"""Statements uploaded over HTTP and the finance queue of bank lines: stored once, refused
whole, decisions recorded with who and when, money handed to the order once."""

from __future__ import annotations

from datetime import date
from typing import Any

import httpx
from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from temporalio.testing import WorkflowEnvironment

from db.models import Invoice, Order, Payment
from db.models_banking import BankAllocation, BankDecision, BankTransaction
from dev.bank_files import Txn, camt053_bytes
from tests.api.api_helpers import ADMIN, bearer, completed_order, create_member, finance_token
from tests.api.api_rows import insert_invoice
from tests.api.test_api_basics import assert_problem

XML = {"content-type": "application/xml"}


def _statement(*txns: Txn, statement_id: str = "STMT-2026-12-05", **kwargs: Any) -> bytes:
    return camt053_bytes(
        statement_id=statement_id,
        opening_cents=1_000_000,
        entries=list(txns),
        statement_date=date(2026, 12, 5),
        **kwargs,
    )


TXNS = (
    Txn(12_000, counterparty_name="ACME GmbH", unstructured="thanks", account_servicer_ref="A1"),
    Txn(3_450, direction="debit", counterparty_name="Ada", account_servicer_ref="A2"),
    Txn(500, counterparty_name="Someone", unstructured="??", account_servicer_ref="A3"),
)


async def test_an_uploaded_statement_is_stored_once_and_reconciled(
    api: httpx.AsyncClient, temporal_env: WorkflowEnvironment
) -> None:
    body = _statement(*TXNS)
    first = await api.post(
        "/finance/bank-statements?filename=dec-5.xml", content=body, headers=ADMIN | XML
    )
    assert first.status_code == 201, first.text
    imported = first.json()
    assert imported["created"] is True
    assert (imported["line_count"], imported["new_lines"]) == (3, 3)
    assert (imported["credit_cents"], imported["debit_cents"]) == (12_500, 3_450)
    assert imported["summary"] == "Statement 2026-12-05 · DE89…3000 · 3 lines · €125.00 in"
    handle = temporal_env.client.get_workflow_handle(imported["workflow_id"])
    described = await handle.describe()
    assert described.workflow_type == "BankReconciliationWorkflow"
    assert await described.static_summary() == imported["summary"]

    again = await api.post("/finance/bank-statements", content=body, headers=ADMIN | XML)
    assert again.status_code == 200
    assert again.json()["created"] is False
    assert again.json()["statement_id"] == imported["statement_id"]
    listed = (await api.get("/finance/bank-statements", headers=ADMIN)).json()
    assert [s["id"] for s in listed] == [imported["statement_id"]]
    assert listed[0]["filename"] == "dec-5.xml"
    assert listed[0]["closing_cents"] == 1_000_000 + 12_500 - 3_450
    # The ledger's bank account took the opening balance and the lines: it agrees.
    one = (
        await api.get(f"/finance/bank-statements/{imported['statement_id']}", headers=ADMIN)
    ).json()
    assert (one["ledger_balance_cents"], one["balance_agrees"]) == (1_009_050, True)


async def test_a_malformed_statement_is_refused_whole_with_its_line(
    api: httpx.AsyncClient,
) -> None:
    unbalanced = _statement(*TXNS, closing_adjust_cents=1)
    refused = await api.post("/finance/bank-statements", content=unbalanced, headers=ADMIN | XML)
    body = assert_problem(refused, 422, "statement-refused")
    assert "balances" in body["reason"]
    assert "nothing of it was stored" in body["detail"]
    broken = _statement(*TXNS).replace(b"<Amt ", b"<Amount ", 1).replace(b"</Amt>", b"</Amount>", 1)
    refused = await api.post("/finance/bank-statements", content=broken, headers=ADMIN | XML)
    body = assert_problem(refused, 422, "statement-refused")
    assert body["line"] > 1
    assert (await api.get("/finance/bank-statements", headers=ADMIN)).json() == []
    lines = await api.get("/finance/bank-lines?status=new", headers=ADMIN)
    assert lines.json() == []


async def test_members_and_strangers_cannot_upload(api: httpx.AsyncClient) -> None:
    _, member = await create_member(api)
    body = _statement(*TXNS)
    assert (
        await api.post("/finance/bank-statements", content=body, headers=XML)
    ).status_code == 401
    answer = await api.post("/finance/bank-statements", content=body, headers=bearer(member) | XML)
    assert answer.status_code == 403
    assert (await api.get("/finance/bank-lines", headers=bearer(member))).status_code == 403


async def _queued(
    api: httpx.AsyncClient, session_factory: async_sessionmaker[AsyncSession], amount: int
) -> tuple[dict[str, Any], int]:
    """An invoiced order and an unmatched transfer of ``amount`` in the queue."""
    _, order = await completed_order(api)
    await insert_invoice(session_factory, order)
    upload = await api.post(
        "/finance/bank-statements",
        content=_statement(Txn(amount, counterparty_name="ACME", account_servicer_ref="Q1")),
        headers=ADMIN | XML,
    )
    assert upload.status_code == 201, upload.text
    async with session_factory() as session:
        await session.execute(
            update(BankTransaction).values(status="unmatched", reason="no reference")
        )
        await session.commit()
        line_id = await session.scalar(select(BankTransaction.id))
    assert line_id is not None
    return order, line_id


async def test_finance_assigns_an_unmatched_line_and_the_order_gets_the_payment(
    api: httpx.AsyncClient,
    session_factory: async_sessionmaker[AsyncSession],
    temporal_env: WorkflowEnvironment,
) -> None:
    order, line_id = await _queued(api, session_factory, 12_000)
    queue = (await api.get("/finance/bank-lines", headers=ADMIN)).json()
    assert [(q["id"], q["status"], q["reason"]) for q in queue] == [
        (line_id, "unmatched", "no reference")
    ]
    finance = bearer(await finance_token(api))
    number = f"DE-2026-{order['id']:05d}"
    wrong = await api.post(
        f"/finance/bank-lines/{line_id}/assign",
        json={"allocations": [{"invoice_number": number, "amount_cents": 11_000}]},
        headers=finance,
    )
    assert "€110.00" in assert_problem(wrong, 422, "allocations-do-not-add-up")["detail"]
    assigned = await api.post(
        f"/finance/bank-lines/{line_id}/assign",
        json={
            "allocations": [{"invoice_number": number.lower(), "amount_cents": 12_000}],
            "note": "client phoned",
        },
        headers=finance,
    )
    assert assigned.status_code == 200, assigned.text
    decided = assigned.json()
    assert decided["signalled"] == 1
    assert decided["line"]["status"] == "assigned"
    assert decided["line"]["decided_by"] == "Fiona Finance"
    assert decided["line"]["allocations"][0]["applied"] is True
    handle = temporal_env.client.get_workflow_handle(order["workflow_id"])
    assert await handle.query("payments_seen") == [
        f"bank:{line_id}:{decided['line']['allocations'][0]['invoice_id']}"
    ]
    again = await api.post(
        f"/finance/bank-lines/{line_id}/dismiss",
        json={"outcome": "not_ours", "note": "oops"},
        headers=finance,
    )
    assert "decided by Fiona Finance" in assert_problem(again, 409, "bank-line-decided")["detail"]
    assert (await api.get("/finance/bank-lines", headers=ADMIN)).json() == []
    async with session_factory() as session:
        payment = await session.scalar(select(Payment))
        decision = await session.scalar(select(BankDecision))
    assert payment is not None
    assert (payment.source, payment.amount_cents, payment.recorded_by) == (
        "bank",
        12_000,
        "Fiona Finance",
    )
    assert decision is not None
    assert (decision.action, decision.note) == ("assign", "client phoned")


async def test_finance_accepts_a_suggestion_and_dismisses_a_stranger(
    api: httpx.AsyncClient, session_factory: async_sessionmaker[AsyncSession]
) -> None:
    order, line_id = await _queued(api, session_factory, 12_100)
    async with session_factory() as session:
        await session.execute(update(BankTransaction).values(status="suggested", surplus_cents=100))
        invoice = await session.scalar(select(Invoice))
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
    finance = bearer(await finance_token(api))
    accepted = await api.post(f"/finance/bank-lines/{line_id}/accept", headers=finance)
    assert accepted.status_code == 200, accepted.text
    [allocation] = accepted.json()["line"]["allocations"]
    assert (allocation["amount_cents"], allocation["applied"]) == (12_100, True)  # surplus too
    not_ours = await api.post(
        f"/finance/bank-lines/{line_id}/dismiss",
        json={"outcome": "not_ours", "note": "x"},
        headers=finance,
    )
    assert not_ours.status_code == 409


async def test_a_line_cannot_be_put_on_an_order_that_has_ended(
    api: httpx.AsyncClient, session_factory: async_sessionmaker[AsyncSession]
) -> None:
    order, line_id = await _queued(api, session_factory, 12_000)
    async with session_factory() as session:
        await session.execute(update(Order).values(status="Closed"))
        await session.commit()
    finance = bearer(await finance_token(api))
    refused = await api.post(
        f"/finance/bank-lines/{line_id}/assign",
        json={
            "allocations": [
                {"invoice_number": f"DE-2026-{order['id']:05d}", "amount_cents": 12_000}
            ]
        },
        headers=finance,
    )
    assert "is Closed" in assert_problem(refused, 409, "order-ended")["detail"]
    async with session_factory() as session:
        assert list(await session.scalars(select(Payment))) == []
