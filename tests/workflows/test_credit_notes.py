"""Cancelling an invoiced order: finance issues a credit note through the workflow; the
invoice stays as issued, no wage is paid from the order, and the client's money goes back."""

from __future__ import annotations

from datetime import timedelta

import pytest
from facturx import get_xml_from_pdf
from sqlalchemy import select
from temporalio.client import WorkflowUpdateFailedError

from db.models import Declaration, FinanceCase, Invoice, Payout, Payslip
from db.models_credit_notes import CreditNote
from domain.order_messages import Cancellation, OrderView, PaymentReceived, RefundRecorded
from domain.order_status import OrderStatus
from tests.workflows.conftest import Lifecycle
from tests.workflows.test_order_lifecycle import GROSS, assert_books_balance, sign_and_complete
from workflows.order import OrderLifecycleWorkflow

FINANCE = Cancellation(requested_by="finance@coop", reason="order disputed, agreed to cancel")


async def test_finance_cancels_an_unpaid_invoice_by_credit_note(lifecycle: Lifecycle) -> None:
    handle, inp = await lifecycle.start()
    view = await sign_and_complete(lifecycle, handle, inp)
    await lifecycle.env.sleep(timedelta(days=2))

    cancelled = await handle.execute_update(
        OrderLifecycleWorkflow.cancel, FINANCE, result_type=OrderView
    )
    assert cancelled.credit_note_number is not None
    assert cancelled.credit_note_number.startswith(f"CN-DE-{view.business_today.year}-")
    summary = await handle.result()
    await lifecycle.save_history(handle, "credit_note_unpaid")

    assert summary.status == OrderStatus.CANCELLED
    assert summary.credit_note_number == cancelled.credit_note_number
    assert f"cancelled by credit note {summary.credit_note_number}" in summary.outcome
    assert summary.payout_cents == 0
    balances = await assert_books_balance(lifecycle, inp.order_id)
    assert {k: v for k, v in balances.items() if v} == {}  # every posting reversed
    async with lifecycle.sessions() as session:
        invoice = await session.scalar(select(Invoice).where(Invoice.order_id == inp.order_id))
        assert invoice is not None
        assert (invoice.number, invoice.gross_cents) == (view.invoice_number, GROSS)
        assert invoice.status == "cancelled"
        note = await session.scalar(select(CreditNote).where(CreditNote.order_id == inp.order_id))
        assert note is not None
        assert note.invoice_id == invoice.id
        assert note.reason == FINANCE.reason
        # No wage from a cancelled invoice, and the employment is declared ended.
        assert await session.scalar(select(Payout).where(Payout.order_id == inp.order_id)) is None
        assert await session.scalar(select(Payslip).where(Payslip.order_id == inp.order_id)) is None
        kinds = sorted(
            d.kind
            for d in await session.scalars(
                select(Declaration).where(Declaration.order_id == inp.order_id)
            )
        )
        assert kinds == ["end", "start"]
    # The client gets the credit note in its language, as a PDF/A-3 with its EN 16931 XML
    # (type 381, naming the invoice it cancels).
    [mail] = [m for m in lifecycle.mails() if summary.credit_note_number in str(m["Subject"])]
    # "Rechnungskorrektur": in German VAT law a "Gutschrift" is self-billing (§14(2) UStG).
    assert str(mail["Subject"]).startswith("Rechnungskorrektur")
    [pdf] = [p for p in mail.walk() if p.get_content_type() == "application/pdf"]
    _, xml = get_xml_from_pdf(pdf.get_payload(decode=True), check_xsd=False)
    assert b"<ram:TypeCode>381</ram:TypeCode>" in xml
    assert view.invoice_number is not None
    assert view.invoice_number.encode() in xml


async def test_a_member_cannot_cancel_an_issued_invoice(lifecycle: Lifecycle) -> None:
    handle, inp = await lifecycle.start()
    await sign_and_complete(lifecycle, handle, inp)
    with pytest.raises(WorkflowUpdateFailedError) as refused:
        await handle.execute_update(
            OrderLifecycleWorkflow.cancel,
            Cancellation(requested_by="member", member_id=inp.member_id),
            result_type=OrderView,
        )
    assert "only finance can cancel it" in str(refused.value.cause)
    view = await handle.query(OrderLifecycleWorkflow.state)
    assert view.status == OrderStatus.INVOICED
    assert view.credit_note_number is None


async def test_no_credit_note_once_the_wage_is_paid(lifecycle: Lifecycle) -> None:
    handle, inp = await lifecycle.start()
    await sign_and_complete(lifecycle, handle, inp)
    await lifecycle.env.sleep(timedelta(days=7, hours=1))
    await lifecycle.wait_for(handle, lambda v: v.wage_paid, "wage paid")
    with pytest.raises(WorkflowUpdateFailedError) as refused:
        await handle.execute_update(OrderLifecycleWorkflow.cancel, FINANCE, result_type=OrderView)
    assert "write the claim off" in str(refused.value.cause)
    view = await handle.query(OrderLifecycleWorkflow.state)
    assert view.credit_note_number is None


async def test_paid_invoice_cancelled_refunds_stripe_and_waits_for_finance_transfer(
    lifecycle: Lifecycle,
) -> None:
    handle, inp = await lifecycle.start()
    view = await sign_and_complete(lifecycle, handle, inp)
    today = view.business_today
    for key, amount, source in (("pi_A:ch_A", 300_000, "stripe"), ("BANK-7", 100_000, "bank")):
        await handle.signal(
            OrderLifecycleWorkflow.payment_received,
            PaymentReceived(payment_key=key, amount_cents=amount, received_on=today, source=source),
        )
    await lifecycle.wait_for(handle, lambda v: v.paid_cents == 400_000, "payments applied")

    cancelled = await handle.execute_update(
        OrderLifecycleWorkflow.cancel, FINANCE, result_type=OrderView
    )
    assert cancelled.credit_note_number is not None
    # Stripe's part went back through Stripe at once; the bank transfer is finance's to repay.
    due = await lifecycle.wait_for(
        handle, lambda v: v.status == OrderStatus.REFUND_DUE, "refund due"
    )
    assert due.refund_due_cents == 100_000
    assert [c[:2] for c in lifecycle.refunder.calls] == [("pi_A", 300_000)]
    async with lifecycle.sessions() as session:
        case = await session.scalar(
            select(FinanceCase).where(
                FinanceCase.order_id == inp.order_id, FinanceCase.kind == "refund"
            )
        )
        assert case is not None
        assert (case.amount_due_cents, case.status) == (100_000, "open")

    refund = RefundRecorded(
        refund_key="transfer-1", amount_cents=100_000, refunded_on=today, source="finance"
    )
    await handle.signal(OrderLifecycleWorkflow.refund_recorded, refund)
    await handle.signal(OrderLifecycleWorkflow.refund_recorded, refund)  # a repeat changes nothing
    summary = await handle.result()
    await lifecycle.save_history(handle, "credit_note_refunded")

    assert summary.status == OrderStatus.CANCELLED
    assert summary.refunded_cents == 400_000
    assert summary.payout_cents == 0
    balances = await assert_books_balance(lifecycle, inp.order_id)
    # What came in went out again; nothing is held for the client, nothing owed.
    assert {k: v for k, v in balances.items() if v} == {}
    async with lifecycle.sessions() as session:
        closed = await session.get_one(FinanceCase, case.id)
        assert (closed.status, closed.decision) == ("decided", "refunded")


async def test_escalated_invoice_of_a_client_outside_the_eu_cancelled_by_credit_note(
    lifecycle: Lifecycle,
) -> None:
    """No guarantee outside the EU: the wage waits for the client, so an escalated invoice can
    still be cancelled; its open case is settled by the credit note, the charges fall away."""
    handle, inp = await lifecycle.start(
        client_country="CH", client_vat_id="CHE-123.456.789", client_name="Zurich AG"
    )
    await sign_and_complete(lifecycle, handle, inp)
    await lifecycle.env.sleep(timedelta(days=30 + 7 + 14 + 14 + 14 + 14, hours=2))
    escalated = await lifecycle.wait_for(handle, lambda v: v.escalated, "escalation")
    assert escalated.charges_due_cents > 0
    assert not escalated.wage_paid

    await handle.execute_update(OrderLifecycleWorkflow.cancel, FINANCE, result_type=OrderView)
    summary = await handle.result()

    assert summary.status == OrderStatus.CANCELLED
    assert summary.payout_cents == 0
    balances = await assert_books_balance(lifecycle, inp.order_id)
    assert {k: v for k, v in balances.items() if v} == {}  # charges cancelled with the invoice
    async with lifecycle.sessions() as session:
        [case] = await session.scalars(
            select(FinanceCase).where(FinanceCase.order_id == inp.order_id)
        )
        assert (case.kind, case.status, case.decision) == ("overdue", "decided", "credit_note")
        assert case.decided_by == FINANCE.requested_by
