"""End to end on the Temporal dev server: the HTTP API (uvicorn on a real port), the worker with
the real activities, real SMTP into a local sink, pain.001 payout files, the database.

A member creates, submits and completes an order, the client signs through the link it got
by e-mail, finance records the payment; the workflow closes and every place shows it.
"""

from __future__ import annotations

import asyncio
import re
from datetime import date, timedelta

import httpx

from adapters.banking.sepa import read_payout_file
from domain.order_messages import OrderSummary
from tests.e2e.conftest import Stack, acme_order, member_and_finance, ok, wait_for_mail, wait_until


async def test_create_sign_complete_pay_close(stack: Stack) -> None:
    http = stack.http
    today = date.today()
    staff = await member_and_finance(stack, language="de")
    member, finance, member_id = staff.member, staff.finance, staff.member_id
    order_id = await acme_order(stack, member, today)

    submitted = await ok(await http.post(f"/orders/{order_id}/submit", headers=member))
    assert submitted["status"] == "AwaitingSignature"
    # The client receives the signing link by e-mail over SMTP.
    offer = await wait_for_mail(stack, "bitte bis zum")  # the offer, in German
    link = re.search(r"http://\S+/sign/\S+", offer.get_content())
    assert link is not None
    # The e-mail and the member's answer each carry their own token to the same offer.
    assert link.group(0) != submitted["signing_url"]
    assert "/sign/" in submitted["signing_url"]
    signed = await ok(
        await http.post(
            httpx.URL(link.group(0)).path,
            json={"decision": "accept", "signer_name": "Grace Hopper"},
        )
    )
    assert signed["decision"] == "accept"
    # The offer is answered once: the member's link is used up too.
    reused = await http.post(
        httpx.URL(submitted["signing_url"]).path,
        json={"decision": "accept", "signer_name": "Mallory"},
    )
    assert reused.status_code == 409
    assert reused.headers["content-type"].startswith("application/problem+json")

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
    view = completed["view"]
    assert view["status"] == "Invoiced"
    invoice_number = view["invoice_number"]
    assert view["principal_due_cents"] == 571_200
    invoice_mail = await wait_for_mail(stack, f"Rechnung {invoice_number}")
    body = invoice_mail.get_body(preferencelist=("plain",)).get_content()
    assert "5.712,00" in body  # German client: German number format
    pay_link = re.search(r"http://\S+/pay/\S+", body)
    assert pay_link is not None  # the online-payment link works without a login
    pay_page = await http.get(httpx.URL(pay_link.group(0)).path)
    assert pay_page.status_code == 200
    assert invoice_number in pay_page.text
    attachments = [part.get_filename() for part in invoice_mail.iter_attachments()]
    assert attachments == [f"{invoice_number}.pdf"]

    await ok(
        await http.post(
            "/payments",
            headers=finance,
            json={
                "order_id": order_id,
                "amount_cents": 571_200,
                "received_on": str(today),
                "reference": invoice_number,
            },
        ),
        201,
    )

    handle = stack.env.client.get_workflow_handle(f"order-{order_id}", result_type=OrderSummary)
    summary = await asyncio.wait_for(handle.result(), timeout=60)
    assert summary.status == "Closed"
    assert summary.paid_cents == 571_200

    final = await ok(await http.get(f"/orders/{order_id}", headers=member))
    assert final["status"] == "Closed"
    invoices = await ok(await http.get("/invoices", headers=member))
    [invoice] = [i for i in invoices if i["number"] == invoice_number]
    assert invoice["status"] == "paid"
    payslips = await ok(await http.get("/payslips", headers=member))
    assert [p["net_wage_cents"] for p in payslips] == [summary.net_wage_cents]
    books = await ok(await http.get(f"/ledger/orders/{order_id}", headers=finance))
    balances = {b["account"]: b["balance_cents"] for b in books["balances"]}
    assert balances.get("member_budget", 0) == 0
    assert sum(balances.values()) == 0

    [payout_file] = list(stack.settings.payout_dir.glob("*.xml"))
    [transfer] = read_payout_file(payout_file)
    assert transfer["amount_cents"] == summary.payout_cents
    assert transfer["creditor_iban"] == "DE89370400440532013000"

    # Ops find it in the Temporal UI by its search attributes.
    query = (
        f'CoopMemberId = "{member_id}" AND CoopOrderStatus = "Closed" '
        f'AND CoopInvoiceNumber = "{invoice_number}"'
    )
    for _ in range(50):
        found = [w.id async for w in stack.env.client.list_workflows(query)]
        if found:
            break
        await asyncio.sleep(0.1)
    assert found == [f"order-{order_id}"]
    description = await handle.describe()
    summary_text = await description.static_summary()
    assert summary_text is not None
    assert "Ada Lovelace → ACME GmbH · €4,800.00" in summary_text
