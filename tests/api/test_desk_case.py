"""The desk's case page tells the order's story (invoice, reminders, payments, decisions) and
the audit trail lists who decided what, when and with which note."""

from __future__ import annotations

from datetime import UTC, date, datetime

import httpx
from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from temporalio.testing import WorkflowEnvironment

from db.models import CaseNote, DunningDocument, FinanceCase, Payment
from tests.api.api_helpers import completed_order, finance_token
from tests.api.api_rows import insert_case, insert_invoice
from tests.api.test_api_finance_desk import login, post_form


async def test_the_case_page_tells_the_story_and_the_audit_trail_the_decision(
    api: httpx.AsyncClient,
    temporal_env: WorkflowEnvironment,
    session_factory: async_sessionmaker[AsyncSession],
) -> None:
    _, order = await completed_order(api)
    invoice_id = await insert_invoice(session_factory, order, client_name="ACME <GmbH>")
    case_id = await insert_case(session_factory, order["id"], invoice_id)
    async with session_factory.begin() as session:
        session.add(
            DunningDocument(
                invoice_id=invoice_id,
                number=f"R-{invoice_id}-1",
                level=1,
                name="Zahlungserinnerung",
                issue_date=date(2026, 8, 8),
                principal_due_cents=571200,
                flat_compensation_cents=4000,
                interest_cents=1125,
                pay_by=date(2026, 8, 22),
            )
        )
        session.add(
            Payment(
                payment_key=f"case-page-{case_id}",
                order_id=order["id"],
                amount_cents=100000,
                received_on=date(2026, 8, 10),
                source="bank",
                recorded_by="reconciliation",
            )
        )
    await temporal_env.client.get_workflow_handle(order["workflow_id"]).signal("escalate")

    page = await api.get(f"/finance/desk/cases/{case_id}")
    assert page.status_code == 401  # the desk's log-in first
    await login(api, await finance_token(api, name="Fiona <Finance>"))
    page = await api.get(f"/finance/desk/cases/{case_id}")
    assert page.status_code == 200, page.text
    text = page.text
    assert "Zahlungserinnerung" in text
    assert "€51.25" in text  # the reminder's charges: €40 flat + €11.25 interest
    assert "payment received (bank)" in text
    assert "€1,000.00" in text
    assert f"finance case #{case_id} opened" in text
    assert f"/finance/cases/{case_id}/decide" in text  # the decision form
    assert (await api.get(f"/finance/desk/cases/{case_id + 999}")).status_code == 404

    # What the order's workflow records when it applies finance's decision (its
    # RECORD_DECISION step; the API tests run a stand-in workflow).
    async with session_factory.begin() as session:
        await session.execute(
            update(FinanceCase)
            .where(FinanceCase.id == case_id)
            .values(
                status="decided",
                decision="write_off",
                decided_by="Fiona <Finance>",
                decision_note="client insolvent",
                decided_at=datetime.now(UTC),
            )
        )
    story = (await api.get(f"/finance/desk/cases/{case_id}")).text
    assert "decision on case" in story
    assert "client insolvent" in story
    audit = await api.get("/finance/desk/audit")
    assert audit.status_code == 200
    assert "write off" in audit.text
    assert "Fiona &lt;Finance&gt;" in audit.text  # escaped
    assert "client insolvent" in audit.text
    assert f"case #{case_id}" in audit.text


async def test_finance_writes_notes_on_a_case(
    api: httpx.AsyncClient,
    temporal_env: WorkflowEnvironment,
    session_factory: async_sessionmaker[AsyncSession],
) -> None:
    _, order = await completed_order(api)
    invoice_id = await insert_invoice(session_factory, order)
    case_id = await insert_case(session_factory, order["id"], invoice_id)
    await login(api, await finance_token(api, name="Fiona Finance"))
    path = f"/finance/desk/cases/{case_id}/notes"
    added = await post_form(api, path, "text=Client+phoned%3A+<pays>+on+Friday")
    assert added.status_code == 303, added.text
    page = (await api.get(f"/finance/desk/cases/{case_id}")).text
    assert "Client phoned: &lt;pays&gt; on Friday" in page
    assert "Fiona Finance" in page
    empty = await post_form(api, path, "text=+++")
    assert empty.status_code == 422
    assert "Write the note before adding it." in empty.text
    forged = await api.post(
        path, content=b"text=no+csrf", headers={"content-type": "application/x-www-form-urlencoded"}
    )
    assert forged.status_code == 403
    async with session_factory() as session:
        notes = list(await session.scalars(select(CaseNote.text)))
    assert notes == ["Client phoned: <pays> on Friday"]
