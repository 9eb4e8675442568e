"""End to end over HTTP: finance cancels an invoiced order by a credit note, the client's
partial payment becomes a refund case on the finance desk, finance records the transfer, and
the order ends Cancelled with its books at zero.

The client is outside the EU, so no wage is advanced: the wage waits for the client's payment
and the credit note cannot race the 7-day wage at the dev stack's fast business clock.
"""

from __future__ import annotations

import asyncio
from datetime import date, timedelta

from domain.order_messages import OrderSummary
from tests.e2e.conftest import Stack, member_and_finance, ok, wait_for_mail, wait_until


async def test_credit_note_refund_case_and_close(stack: Stack) -> None:
    http = stack.http
    today = date.today()
    staff = await member_and_finance(stack, language="en")
    member, finance = staff.member, staff.finance
    client = await ok(
        await http.post(
            "/clients",
            headers=member,
            json={
                "name": "Alpen AG",
                "email": "ap@alpen.example",
                "country": "CH",
                "is_business": True,
                "vat_id": "CHE-123.456.788",
                "language": "en",
                "address": "Bahnhofstrasse 1, 8001 Zürich",
            },
        ),
        201,
    )
    order = await ok(
        await http.post(
            "/orders",
            headers=member,
            json={
                "client_id": client["id"],
                "description": "Concert recording",
                "period_start": str(today - timedelta(days=3)),
                "period_end": str(today - timedelta(days=1)),
                "net_amount_cents": 200_000,
                # A business day passes in 0.2 s: a 14-day offer could expire on a busy
                # machine between the submission and the client's signature.
                "offer_valid_until": str(today + timedelta(days=365)),
            },
        ),
        201,
    )
    order_id = order["id"]
    submitted = await ok(await http.post(f"/orders/{order_id}/submit", headers=member))
    await wait_for_mail(stack, "please accept or decline")
    signing_path = submitted["signing_url"].split("127.0.0.1", 1)[1].split("/", 1)[1]
    await ok(
        await http.post(
            "/" + signing_path, json={"decision": "accept", "signer_name": "Heidi Keller"}
        )
    )
    await wait_until(
        stack, member, order_id, lambda o: o["view"] and "completion" in o["view"]["waiting_for"]
    )
    completed = await ok(
        await http.post(
            f"/orders/{order_id}/complete",
            headers=member,
            json={
                "actual_start": str(today - timedelta(days=3)),
                "actual_end": str(today - timedelta(days=1)),
                "work_days": 3,
            },
        )
    )
    invoice_number = completed["view"]["invoice_number"]
    assert completed["view"]["gross_cents"] == 200_000  # outside the scope of EU VAT

    await ok(
        await http.post(
            "/payments",
            headers=finance,
            json={
                "order_id": order_id,
                "amount_cents": 50_000,
                "received_on": str(today),
                "reference": invoice_number,
            },
        ),
        201,
    )
    await wait_until(stack, member, order_id, lambda o: o["view"]["paid_cents"] == 50_000)

    # The member cannot cancel an issued invoice; finance can, by a credit note.
    refused = await http.post(f"/orders/{order_id}/cancel", headers=member, json={"reason": "x"})
    assert refused.status_code == 409, refused.text
    assert refused.headers["content-type"].startswith("application/problem+json")
    assert "credit note" in refused.json()["detail"]
    credited = await ok(
        await http.post(
            f"/finance/orders/{order_id}/credit-note",
            headers=finance,
            json={"reason": "Concert cancelled by the venue"},
        )
    )
    note_number = credited["view"]["credit_note_number"]
    assert note_number.startswith(f"CN-DE-{today.year}-")
    note_mail = await wait_for_mail(stack, note_number)
    assert [p.get_filename() for p in note_mail.iter_attachments()] == [f"{note_number}.pdf"]

    due = await wait_until(stack, member, order_id, lambda o: o["view"]["status"] == "RefundDue")
    assert due["view"]["refund_due_cents"] == 50_000
    cases = await ok(await http.get("/finance/cases", headers=finance))
    [case] = [c for c in cases if c["order_id"] == order_id]
    assert (case["kind"], case["amount_due_cents"]) == ("refund", 50_000)
    decide = await http.post(
        f"/finance/cases/{case['case_id']}/decision", headers=finance, json={"kind": "write_off"}
    )
    assert decide.status_code == 409  # a refund case is settled by recording the refund

    await ok(
        await http.post(
            f"/finance/cases/{case['case_id']}/refund",
            headers=finance,
            json={"amount_cents": 50_000, "refunded_on": str(today), "reference": "SEPA 42"},
        ),
        202,
    )
    handle = stack.env.client.get_workflow_handle(f"order-{order_id}", result_type=OrderSummary)
    summary = await asyncio.wait_for(handle.result(), timeout=60)
    assert summary.status == "Cancelled"
    assert summary.credit_note_number == note_number
    assert summary.refunded_cents == 50_000
    assert summary.payout_cents == 0

    invoices = await ok(await http.get("/invoices?status=cancelled", headers=member))
    [invoice] = [i for i in invoices if i["number"] == invoice_number]
    detail = await ok(await http.get(f"/invoices/{invoice['id']}", headers=member))
    assert detail["credit_note"]["number"] == note_number
    assert detail["credit_note"]["gross_cents"] == detail["gross_cents"]
    assert detail["credit_note"]["reason"] == "Concert cancelled by the venue"
    books = await ok(await http.get(f"/ledger/orders/{order_id}", headers=finance))
    assert {b["account"]: b["balance_cents"] for b in books["balances"] if b["balance_cents"]} == {}
    assert [c for c in await ok(await http.get("/finance/cases", headers=finance))] == []
