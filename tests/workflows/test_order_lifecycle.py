"""Every path of the order lifecycle on the time-skipping server, with the real activities,
database and local adapters."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest
from facturx import get_xml_from_pdf
from sqlalchemy import func, select
from temporalio.client import WorkflowUpdateFailedError

from adapters.banking.sepa import read_payout_file
from db import ledger
from db.models import DunningDocument, FinanceCase, Invoice, LedgerLine, Order, Payout, Payslip
from domain.breakdown import compute_breakdown
from domain.order_messages import (
    Cancellation,
    Completion,
    FinanceDecision,
    OfferResponse,
    OrderView,
    PaymentReceived,
)
from domain.order_status import OrderStatus
from domain.policy import policy_for
from tests.workflows.conftest import Lifecycle
from workflows.order import OrderLifecycleWorkflow

GROSS = 571_200  # 4,800.00 net + 19 % VAT
_DE = policy_for("DE", date(2026, 11, 1))
PAYOUT = compute_breakdown(_DE, net_cents=480_000, vat_rate=_DE.vat_standard_rate).payout_cents


async def sign_and_complete(lc: Lifecycle, handle, inp, *, expenses=()) -> OrderView:  # type: ignore[no-untyped-def]
    await handle.execute_update(
        OrderLifecycleWorkflow.respond_to_offer,
        OfferResponse(decision="accept", signer_name="Grace Hopper", token_id="t1"),
        result_type=OrderView,
    )
    await lc.wait_for(
        handle, lambda v: v.status == OrderStatus.SIGNED and "completion" in v.waiting_for, "signed"
    )
    return await handle.execute_update(
        OrderLifecycleWorkflow.complete,
        Completion(
            member_id=inp.member_id,
            actual_start=inp.period_start,
            actual_end=inp.period_end,
            work_days=5,
            expenses=tuple(expenses),
        ),
        result_type=OrderView,
    )


def pay(key: str, amount: int, on) -> PaymentReceived:  # type: ignore[no-untyped-def]
    return PaymentReceived(
        payment_key=key, amount_cents=amount, received_on=on, reference="RF", source="bank"
    )


async def assert_books_balance(lc: Lifecycle, order_id: int) -> dict[str, int]:
    async with lc.sessions() as session:
        balances = await ledger.balances(session, order_id=order_id)
        debit, credit = (
            await session.execute(
                select(func.sum(LedgerLine.debit_cents), func.sum(LedgerLine.credit_cents)).where(
                    LedgerLine.order_id == order_id
                )
            )
        ).one()
    assert debit == credit
    assert sum(balances.values()) == 0
    return balances


async def test_paid_on_time_closes_with_zero_member_budget(lifecycle: Lifecycle) -> None:
    handle, inp = await lifecycle.start()
    view = await sign_and_complete(lifecycle, handle, inp)
    assert view.status == OrderStatus.INVOICED
    assert view.invoice_number is not None
    assert view.invoice_number.startswith(f"DE-{view.business_today.year}-")
    assert view.principal_due_cents == GROSS

    await lifecycle.env.sleep(timedelta(days=5))
    await handle.signal(
        OrderLifecycleWorkflow.payment_received,
        pay("p1", GROSS, view.business_today + timedelta(days=5)),
    )
    summary = await handle.result()

    await lifecycle.save_history(handle, "paid_on_time")
    assert summary.status == OrderStatus.CLOSED
    assert summary.paid_cents == GROSS
    assert summary.payout_cents == PAYOUT
    assert summary.advanced_by_guarantee_cents == 0
    assert summary.charges_cents == 0
    balances = await assert_books_balance(lifecycle, inp.order_id)
    assert balances.get("member_budget", 0) == 0
    assert balances["client_receivable"] == 0
    async with lifecycle.sessions() as session:
        order = await session.get_one(Order, inp.order_id)
        assert order.status == "Closed"
        assert order.signed_by == "Grace Hopper"
        payout = await session.scalar(select(Payout).where(Payout.order_id == inp.order_id))
        assert payout is not None
        assert payout.advanced_cents == 0
        assert payout.execution_date == view.business_today + timedelta(days=7)
    [transfer] = read_payout_file(payout.file_path)
    assert transfer["amount_cents"] == PAYOUT
    subjects = sorted(str(m["Subject"]) for m in lifecycle.mails())
    # The client's language is German: "Rechnung <number> von coopflow eG", with the
    # Factur-X PDF/A-3 attached.
    assert f"Rechnung {view.invoice_number} von coopflow eG" in subjects
    assert any("bitte bis zum" in s for s in subjects)  # the offer, in German
    [invoice_mail] = [m for m in lifecycle.mails() if "Rechnung" in str(m["Subject"])]
    pdfs = [p for p in invoice_mail.walk() if p.get_content_type() == "application/pdf"]
    assert [p.get_filename() for p in pdfs] == [f"{view.invoice_number}.pdf"]
    xml_name, xml = get_xml_from_pdf(pdfs[0].get_payload(decode=True), check_xsd=False)
    assert xml_name == "factur-x.xml"
    assert view.invoice_number.encode() in xml


async def test_wage_paid_on_day_seven_although_client_never_paid_then_written_off(
    lifecycle: Lifecycle,
) -> None:
    handle, inp = await lifecycle.start()
    view = await sign_and_complete(lifecycle, handle, inp)
    completed = view.business_today

    await lifecycle.env.sleep(timedelta(days=7, hours=1))
    wage_view = await lifecycle.wait_for(handle, lambda v: v.wage_paid, "wage paid")
    assert wage_view.principal_due_cents == GROSS
    async with lifecycle.sessions() as session:
        payout = await session.scalar(select(Payout).where(Payout.order_id == inp.order_id))
        assert payout is not None
        assert payout.execution_date == completed + timedelta(days=7)
        assert payout.advanced_cents == PAYOUT  # all of it from the guarantee fund
        balances = await ledger.balances(session, order_id=inp.order_id)
        assert balances["guarantee_fund"] == -PAYOUT

    # 30 days terms + reminders 7/14/14/14 + 14 days to escalation.
    await lifecycle.env.sleep(timedelta(days=30 + 7 + 14 + 14 + 14 + 14))
    escalated = await lifecycle.wait_for(handle, lambda v: v.escalated, "escalation")
    assert escalated.status == OrderStatus.ESCALATED
    assert escalated.dunning_level == 4
    async with lifecycle.sessions() as session:
        case = await session.scalar(select(FinanceCase).where(FinanceCase.order_id == inp.order_id))
        assert case is not None
        assert case.status == "open"

    await handle.execute_update(
        OrderLifecycleWorkflow.decide,
        FinanceDecision(kind="write_off", decided_by="finance@coop", note="insolvent"),
        result_type=OrderView,
    )
    summary = await handle.result()
    await lifecycle.save_history(handle, "escalated_written_off")
    assert summary.status == OrderStatus.CLOSED
    assert summary.written_off_cents == escalated.principal_due_cents + escalated.charges_due_cents
    balances = await assert_books_balance(lifecycle, inp.order_id)
    assert balances.get("member_budget", 0) == 0
    assert balances["guarantee_fund_losses"] == GROSS
    assert balances.get("client_receivable", 0) == 0
    assert balances.get("dunning_receivable", 0) == 0


async def test_paid_after_second_reminder_with_interest(lifecycle: Lifecycle) -> None:
    handle, inp = await lifecycle.start()
    view = await sign_and_complete(lifecycle, handle, inp)
    await lifecycle.env.sleep(timedelta(days=30 + 7 + 14, hours=2))
    late = await lifecycle.wait_for(handle, lambda v: v.dunning_level == 2, "second reminder")
    assert late.status == OrderStatus.OVERDUE

    async with lifecycle.sessions() as session:
        docs = (
            await session.scalars(
                select(DunningDocument)
                .join(Invoice)
                .where(Invoice.order_id == inp.order_id)
                .order_by(DunningDocument.level)
            )
        ).all()
    # §288 BGB: base rate 1.27 % + 9 pp for a business debtor, act/365 on 5,712.00.
    # Reminder 1, 7 days after the due date: 571200 × 10.27 % × 7 / 365 = 1125.07 → 1125.
    # In default since the day after the due date: the €40 flat compensation comes with it.
    # Reminder 2, 14 days later: 571200 × 10.27 % × 14 / 365 = 2250.14 → 2250; no reminder
    # fee for a business (§288(5) sentence 3 BGB credits the €40 against it).
    assert [(d.level, d.interest_cents, d.fee_cents, d.flat_compensation_cents) for d in docs] == [
        (1, 1125, 0, 4000),
        (2, 2250, 0, 0),
    ]
    assert docs[0].interest_rate == str(Decimal("0.1027"))
    assert late.charges_due_cents == 1125 + 4000 + 2250
    # Each reminder goes out in the client's language (German here) with the invoice's stable
    # payment link; the second one names the first one's charges still open.
    reminders = {
        d.number: next(m for m in lifecycle.mails() if d.number in str(m["Subject"])) for d in docs
    }
    second = reminders[docs[1].number].get_payload(decode=True).decode()
    assert "http://coopflow.test/pay/" in second
    assert "Noch offene Kosten früherer Mahnungen: 51,25\xa0€" in second
    first = reminders[docs[0].number].get_payload(decode=True).decode()
    assert "Verzugspauschale (§ 288 Abs. 5 BGB): 40,00\xa0€" in first

    await handle.signal(
        OrderLifecycleWorkflow.payment_received,
        pay("late", GROSS + late.charges_due_cents, late.business_today),
    )
    summary = await handle.result()
    await lifecycle.save_history(handle, "paid_after_two_reminders")
    assert summary.status == OrderStatus.CLOSED
    assert summary.charges_cents == late.charges_due_cents
    assert summary.dunning_level == 2
    balances = await assert_books_balance(lifecycle, inp.order_id)
    assert balances["dunning_income"] == -late.charges_due_cents
    assert balances.get("member_budget", 0) == 0
    assert view.invoice_number is not None


async def test_partial_payments_reanchor_dunning_and_interest(lifecycle: Lifecycle) -> None:
    handle, inp = await lifecycle.start()
    view = await sign_and_complete(lifecycle, handle, inp)
    due = view.due_date
    assert due is not None
    # Half paid on the due date: no interest on that half afterwards.
    await lifecycle.env.sleep(timedelta(days=30))
    await handle.signal(OrderLifecycleWorkflow.payment_received, pay("half", GROSS // 2, due))
    await lifecycle.wait_for(
        handle, lambda v: v.principal_due_cents == GROSS - GROSS // 2, "first half booked"
    )
    await lifecycle.env.sleep(timedelta(days=7, hours=2))
    first = await lifecycle.wait_for(handle, lambda v: v.dunning_level == 1, "reminder 1")
    async with lifecycle.sessions() as session:
        doc = await session.scalar(
            select(DunningDocument).join(Invoice).where(Invoice.order_id == inp.order_id)
        )
    assert doc is not None
    # 285600 × 10.27 % × 7 / 365 = 562.53 → 563 cents: interest on what is actually outstanding.
    assert doc.principal_due_cents == GROSS - GROSS // 2
    assert doc.interest_cents == 563
    await handle.signal(
        OrderLifecycleWorkflow.payment_received,
        pay("rest", GROSS - GROSS // 2 + first.charges_due_cents, first.business_today),
    )
    summary = await handle.result()
    assert summary.status == OrderStatus.CLOSED
    assert summary.paid_cents == GROSS + 563 + 4000  # interest and the €40 flat
    await assert_books_balance(lifecycle, inp.order_id)


async def test_escalated_then_paid_through_finance(lifecycle: Lifecycle) -> None:
    handle, inp = await lifecycle.start()
    await sign_and_complete(lifecycle, handle, inp)
    await lifecycle.env.sleep(timedelta(days=30 + 7 + 14 + 14 + 14 + 14, hours=2))
    escalated = await lifecycle.wait_for(handle, lambda v: v.escalated, "escalation")
    # Interest has run since the last reminder: what settles today includes it.
    assert escalated.interest_to_date_cents > 0
    owed = escalated.settlement_cents
    with pytest.raises(WorkflowUpdateFailedError):
        await handle.execute_update(  # an extension must lie in the future
            OrderLifecycleWorkflow.decide,
            FinanceDecision(kind="extend", decided_by="fin", new_due_date=escalated.business_today),
            result_type=OrderView,
        )
    await handle.execute_update(
        OrderLifecycleWorkflow.decide,
        FinanceDecision(
            kind="record_payment",
            decided_by="fin",
            note="transfer seen",
            payment=pay("fin-1", owed, escalated.business_today),
        ),
        result_type=OrderView,
    )
    summary = await handle.result()
    await lifecycle.save_history(handle, "escalated_paid_through_finance")
    assert summary.status == OrderStatus.CLOSED
    assert summary.paid_cents == owed
    async with lifecycle.sessions() as session:
        case = await session.scalar(select(FinanceCase).where(FinanceCase.order_id == inp.order_id))
        assert case is not None
        assert (case.status, case.decision) == ("decided", "record_payment")
        balances = await ledger.balances(session, order_id=inp.order_id)
    assert balances.get("guarantee_fund", 0) == 0  # the advance was repaid by the client
    await assert_books_balance(lifecycle, inp.order_id)


async def test_cancelled_before_signature(lifecycle: Lifecycle) -> None:
    handle, inp = await lifecycle.start()
    view = await handle.execute_update(
        OrderLifecycleWorkflow.cancel,
        Cancellation(requested_by="member", reason="client changed plans", member_id=inp.member_id),
        result_type=OrderView,
    )
    assert view.status == OrderStatus.CANCELLED
    summary = await handle.result()
    assert summary.status == OrderStatus.CANCELLED
    assert summary.invoice_number is None
    async with lifecycle.sessions() as session:
        assert (await session.get_one(Order, inp.order_id)).status == "Cancelled"
        assert await session.scalar(select(func.count()).select_from(Invoice)) == 0


async def test_offer_expires_unsigned(lifecycle: Lifecycle) -> None:
    handle, inp = await lifecycle.start()
    summary = await handle.result()  # auto-skips to the expiry
    assert summary.status == OrderStatus.EXPIRED
    assert summary.closed_on == inp.offer_valid_until + timedelta(days=1)
    with pytest.raises(Exception, match="completed|not found|already"):
        await handle.execute_update(
            OrderLifecycleWorkflow.respond_to_offer,
            OfferResponse(decision="accept", signer_name="Late Larry", token_id="t"),
            result_type=OrderView,
        )


async def test_bad_completion_is_refused_before_history(lifecycle: Lifecycle) -> None:
    handle, inp = await lifecycle.start()
    await handle.execute_update(
        OrderLifecycleWorkflow.respond_to_offer,
        OfferResponse(decision="accept", signer_name="Grace", token_id="t"),
        result_type=OrderView,
    )
    await lifecycle.wait_for(handle, lambda v: "completion" in v.waiting_for, "signed")
    with pytest.raises(WorkflowUpdateFailedError) as refused:
        await handle.execute_update(
            OrderLifecycleWorkflow.complete,
            Completion(
                member_id=inp.member_id + 999,
                actual_start=inp.period_start,
                actual_end=inp.period_end,
                work_days=3,
            ),
            result_type=OrderView,
        )
    assert "another member" in str(refused.value.cause)
    events = [e async for e in handle.fetch_history_events()]
    assert not any(
        e.HasField("workflow_execution_update_accepted_event_attributes") and "complete" in str(e)
        for e in events
    )
    state = await handle.query(OrderLifecycleWorkflow.state)
    assert state.status == OrderStatus.SIGNED
    await handle.terminate("test done")


async def test_rejected_offer(lifecycle: Lifecycle) -> None:
    handle, _ = await lifecycle.start()
    await handle.execute_update(
        OrderLifecycleWorkflow.respond_to_offer,
        OfferResponse(decision="reject", signer_name="Grace", token_id="t", comment="too dear"),
        result_type=OrderView,
    )
    summary = await handle.result()
    assert summary.status == OrderStatus.REJECTED


async def test_non_eu_client_without_guarantee_waits_for_payment_before_wage(
    lifecycle: Lifecycle,
) -> None:
    handle, inp = await lifecycle.start(
        client_country="CH", client_vat_id="CHE-123.456.789", client_name="Zurich AG"
    )
    view = await sign_and_complete(lifecycle, handle, inp)
    assert view.gross_cents == 480_000  # outside the scope of EU VAT
    await lifecycle.env.sleep(timedelta(days=10))
    state = await handle.query(OrderLifecycleWorkflow.state)
    assert not state.wage_paid
    async with lifecycle.sessions() as session:
        assert await session.scalar(select(func.count()).select_from(Payslip)) == 0
    await handle.signal(
        OrderLifecycleWorkflow.payment_received, pay("ch", 480_000, state.business_today)
    )
    summary = await handle.result()
    assert summary.advanced_by_guarantee_cents == 0
    assert summary.status == OrderStatus.CLOSED
