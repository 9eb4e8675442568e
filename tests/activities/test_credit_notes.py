"""Credit notes: their own gapless series, issued once per order however often the step is
retried, the invoice kept as issued, the ledger reversed and the client's money held for it."""

from __future__ import annotations

import asyncio
import mailbox
from dataclasses import dataclass
from pathlib import Path

import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from activities.order_activities import OrderActivities
from adapters.banking.sepa import LocalSepaBanking
from adapters.mail.mailers import MaildirMailer
from adapters.social_security.local_register import LocalSocialSecurity
from config import default_seller
from db import ledger
from db.models import FinanceCase, Invoice
from db.models_credit_notes import CreditNote, CreditNoteSeries
from domain import order_steps as steps
from domain.order_messages import OrderInput, PaymentReceived, RefundRecorded
from domain.payroll.provisional import PolicyPayroll
from tests.activities.test_idempotence import (
    TODAY,
    CrashAfterSending,
    count,
    invoice_request,
    new_order,
)


@dataclass(frozen=True)
class FakeRefund:
    id: str
    amount: int
    status: str


class RecordingRefunder:
    """Stands in for Stripe: one refund per Idempotency-Key, like Stripe's own replay."""

    def __init__(self) -> None:
        self.by_key: dict[str, FakeRefund] = {}
        self.calls: list[tuple[str, int, str]] = []

    async def refund(
        self, payment_intent_id: str, amount_cents: int, idempotency_key: str, reason: str
    ) -> FakeRefund:
        self.calls.append((payment_intent_id, amount_cents, idempotency_key))
        if idempotency_key not in self.by_key:
            self.by_key[idempotency_key] = FakeRefund(
                f"re_{len(self.by_key) + 1}", amount_cents, "succeeded"
            )
        return self.by_key[idempotency_key]


def activities(
    sessions: async_sessionmaker[AsyncSession],
    tmp: Path,
    *,
    mailer: object = None,
    refunder: RecordingRefunder | None = None,
) -> OrderActivities:
    return OrderActivities(
        sessions,
        mailer=mailer or MaildirMailer(tmp / "maildir", "billing@coopflow.test"),  # type: ignore[arg-type]
        banking=LocalSepaBanking(
            tmp / "payouts", "coopflow SCE", "DE89370400440532013000", "COBADEFFXXX"
        ),
        social_security=LocalSocialSecurity(tmp / "declarations"),
        payroll=PolicyPayroll(),
        seller=default_seller,
        refunder=refunder,
        public_base_url="http://coopflow.test",
        coop_name="coopflow SCE",
    )


def credit_request(
    inp: OrderInput, invoice_id: int, *, principal_paid: int = 0, charges_open: int = 0
) -> steps.IssueCreditNote:
    return steps.IssueCreditNote(
        order=inp,
        invoice_id=invoice_id,
        breakdown=invoice_request(inp).breakdown,
        issue_date=TODAY,
        reason="client and member agreed to cancel",
        principal_paid_cents=principal_paid,
        charges_paid_cents=0,
        charges_open_cents=charges_open,
        overpaid_cents=0,
    )


async def test_retried_credit_note_keeps_its_number_and_the_invoice_stays(
    session_factory: async_sessionmaker[AsyncSession], tmp_path: Path
) -> None:
    mailer = CrashAfterSending(MaildirMailer(tmp_path / "maildir", "billing@coopflow.test"))
    acts = activities(session_factory, tmp_path, mailer=mailer)
    inp = await new_order(session_factory)
    mailer.calls = 1  # the invoice's mail goes out; the credit note's first send crashes
    invoice = await acts.issue_invoice(invoice_request(inp))
    mailer.calls = 0

    with pytest.raises(ConnectionError):
        await acts.issue_credit_note(credit_request(inp, invoice.invoice_id))
    retried = await acts.issue_credit_note(credit_request(inp, invoice.invoice_id))
    again = await acts.issue_credit_note(credit_request(inp, invoice.invoice_id))

    assert retried == again
    assert retried.number == "CN-DE-2026-000001"
    assert retried.gross_cents == invoice.gross_cents
    assert retried.refund_due_cents == 0
    assert await count(session_factory, CreditNote) == 1
    async with session_factory() as session:
        series = await session.get_one(CreditNoteSeries, ("DE", 2026))
        assert series.last_number == 1
        stored = await session.get_one(Invoice, invoice.invoice_id)
        # The invoice is kept exactly as issued; only its status says it was cancelled.
        assert (stored.number, stored.gross_cents, stored.status) == (
            invoice.number,
            invoice.gross_cents,
            "cancelled",
        )
        balances = await ledger.balances(session, order_id=inp.order_id)
    assert {k: v for k, v in balances.items() if v} == {}
    message_ids = {m["Message-ID"] for m in mailbox.Maildir(tmp_path / "maildir")}
    assert f"<credit-note-{retried.number}@coopflow>" in message_ids


async def test_concurrent_credit_notes_are_gapless_in_their_own_series(
    session_factory: async_sessionmaker[AsyncSession], tmp_path: Path
) -> None:
    acts = activities(session_factory, tmp_path)
    orders = [await new_order(session_factory) for _ in range(20)]
    invoices = [await acts.issue_invoice(invoice_request(o)) for o in orders]
    notes = await asyncio.gather(
        *(
            acts.issue_credit_note(credit_request(o, i.invoice_id))
            for o, i in zip(orders, invoices, strict=True)
        )
    )
    assert sorted(n.number for n in notes) == [f"CN-DE-2026-{n:06d}" for n in range(1, 21)]
    # Invoice numbers are untouched by the credit notes: their series goes on at 21.
    nxt = await acts.issue_invoice(invoice_request(await new_order(session_factory)))
    assert nxt.number == "DE-2026-000021"


async def test_paid_invoice_credit_note_refunds_stripe_and_opens_a_refund_case(
    session_factory: async_sessionmaker[AsyncSession], tmp_path: Path
) -> None:
    refunder = RecordingRefunder()
    acts = activities(session_factory, tmp_path, refunder=refunder)
    inp = await new_order(session_factory)
    invoice = await acts.issue_invoice(invoice_request(inp))
    for key, amount, source in (("pi_A:ch_A", 30_000, "stripe"), ("BANK-1", 20_000, "bank")):
        await acts.apply_payment(
            steps.ApplyPayment(
                order_id=inp.order_id,
                invoice_id=invoice.invoice_id,
                payment=PaymentReceived(
                    payment_key=key, amount_cents=amount, received_on=TODAY, source=source
                ),
                to_principal_cents=amount,
                to_charges_cents=0,
                overpaid_cents=0,
                fund_repaid_cents=0,
            )
        )
    note = await acts.issue_credit_note(
        credit_request(inp, invoice.invoice_id, principal_paid=50_000)
    )
    assert note.refund_due_cents == 50_000
    request = steps.RefundClient(
        order_id=inp.order_id, invoice_id=invoice.invoice_id, amount_cents=50_000, on=TODAY
    )
    started = await acts.refund_client(request)
    again = await acts.refund_client(request)  # a retry refunds nothing twice

    assert started == again
    assert [(r.refund_key, r.amount_cents) for r in started.refunds] == [("re_1", 30_000)]
    assert started.by_transfer_cents == 20_000
    assert len(refunder.by_key) == 1
    assert refunder.calls[0][2] == f"order-{inp.order_id}:refund:pi_A"
    async with session_factory() as session:
        case = await session.get_one(FinanceCase, started.case_id)
        assert (case.kind, case.amount_due_cents, case.status) == ("refund", 20_000, "open")

    for refund, closes in (
        (started.refunds[0], None),
        (
            RefundRecorded(
                refund_key="finance-transfer-1",
                amount_cents=20_000,
                refunded_on=TODAY,
                source="finance",
            ),
            started.case_id,
        ),
    ):
        book = steps.BookRefund(
            order_id=inp.order_id,
            refund=refund,
            from_overpayments_cents=refund.amount_cents,
            reopened_cents=0,
            closes_case_id=closes,
        )
        await acts.book_refund(book)
        await acts.book_refund(book)  # booked once
    async with session_factory() as session:
        balances = await ledger.balances(session, order_id=inp.order_id)
        case = await session.get_one(FinanceCase, started.case_id)
        assert (case.status, case.decision) == ("decided", "refunded")
        refund_case = await session.scalar(
            select(FinanceCase).where(FinanceCase.order_id == inp.order_id)
        )
        assert refund_case is not None
    # Everything the client paid went back: nothing is held for it, the bank is where it was.
    assert {k: v for k, v in balances.items() if v} == {}
