"""End to end: the client pays by bank transfer; finance uploads the day's camt.053 over HTTP;
the statement's reconciliation workflow puts the transfer on the invoice by its RF reference,
the order closes, and the transfer nobody can place waits in the finance queue."""

from __future__ import annotations

import asyncio
from datetime import date, timedelta

from temporalio.api.sdk.v1 import WorkflowMetadata

from dev.bank_files import Txn, camt053_bytes
from domain.banking.reconciliation_steps import ReconcileResult
from domain.order_messages import OrderSummary
from tests.e2e.conftest import Stack, acme_order, member_and_finance, ok, wait_until


async def test_a_transfer_on_the_statement_pays_the_invoice_and_closes_the_order(
    stack: Stack,
) -> None:
    http = stack.http
    today = date.today()
    staff = await member_and_finance(stack, language="de")
    member, finance = staff.member, staff.finance
    order_id = await acme_order(stack, member, today)
    submitted = await ok(await http.post(f"/orders/{order_id}/submit", headers=member))
    path = submitted["signing_url"].removeprefix(str(stack.settings.public_base_url))
    await ok(await http.post(path, json={"decision": "accept", "signer_name": "Grace Hopper"}))
    await wait_until(
        stack, member, order_id, lambda o: o["view"] and "completion" in o["view"]["waiting_for"]
    )
    completed = await ok(
        await http.post(
            f"/orders/{order_id}/complete",
            headers=member,
            json={
                "actual_start": str(today - timedelta(days=5)),
                "actual_end": str(today - timedelta(days=1)),
                "work_days": 5,
            },
        )
    )
    number = completed["view"]["invoice_number"]
    [invoice] = [
        i for i in await ok(await http.get("/invoices", headers=member)) if i["number"] == number
    ]

    statement = camt053_bytes(
        statement_id=f"STMT-{today}",
        opening_cents=5_000_000,
        statement_date=today,
        entries=[
            Txn(  # as a German bank prints it: the RF reference in the structured field
                571_200,
                counterparty_name="ACME GmbH",
                counterparty_iban="DE02120300000000202051",
                structured_ref=invoice["creditor_reference"],
                unstructured=f"Rechnung {number}",
                account_servicer_ref="BANK-REF-1",
                booking_date=today,
            ),
            Txn(
                9_999,
                counterparty_name="Unknown Sender",
                unstructured="Spende",
                account_servicer_ref="BANK-REF-2",
                booking_date=today,
            ),
        ],
    )
    upload = await http.post(
        "/finance/bank-statements?filename=today.xml",
        content=statement,
        headers=finance | {"content-type": "application/xml"},
    )
    imported = await ok(upload, 201)
    reconciliation = stack.env.client.get_workflow_handle(
        imported["workflow_id"], result_type=ReconcileResult
    )
    result = await asyncio.wait_for(reconciliation.result(), timeout=60)
    assert (result.counts.matched, result.counts.unmatched, result.signalled) == (1, 1, 1)
    described = await reconciliation.describe()
    assert await described.static_summary() == imported["summary"]
    metadata = await reconciliation.query(
        "__temporal_workflow_metadata", result_type=WorkflowMetadata
    )
    assert "**Matched** 1" in metadata.current_details

    handle = stack.env.client.get_workflow_handle(f"order-{order_id}", result_type=OrderSummary)
    summary = await asyncio.wait_for(handle.result(), timeout=60)
    assert summary.status == "Closed"
    assert summary.paid_cents == 571_200

    queue = await ok(await http.get("/finance/bank-lines?status=unmatched", headers=finance))
    assert [(q["amount_cents"], q["counterparty_name"]) for q in queue] == [
        (9_999, "Unknown Sender")
    ]
    # The same statement again (the bank's channel sent it twice): nothing changes.
    again = await http.post(
        "/finance/bank-statements",
        content=statement,
        headers=finance | {"content-type": "application/xml"},
    )
    assert (await ok(again))["created"] is False
    final = await ok(await http.get(f"/orders/{order_id}", headers=member))
    assert final["status"] == "Closed"
