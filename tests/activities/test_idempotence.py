"""A retried activity never pays twice, never takes a second invoice number, never declares or
books twice: failures are injected right after the side effect, then the activity is retried."""

from __future__ import annotations

import asyncio
import mailbox
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from activities.order_activities import OrderActivities
from adapters.banking.sepa import LocalSepaBanking, PayoutInstruction, PayoutReceipt
from adapters.mail.mailers import MaildirMailer, OutgoingMail
from adapters.social_security.local_register import LocalSocialSecurity
from config import default_seller
from db.models import (
    Declaration,
    DunningDocument,
    Invoice,
    InvoiceSeries,
    LedgerEntry,
    Payment,
    Payout,
    SigningToken,
)
from domain import order_steps as steps
from domain import payout_runs as runs
from domain.breakdown import compute_breakdown
from domain.late_interest import annual_rate
from domain.order_messages import OrderInput, PaymentReceived
from domain.payroll.provisional import PolicyPayroll
from domain.policy import policy_for
from domain.vat import decide_vat
from tests.factories import create_client, create_member, create_order, order_input

TODAY = date(2026, 3, 2)


class CrashAfterPaying:
    """The bank accepts the file, then the worker dies before it records that."""

    def __init__(self, inner: LocalSepaBanking) -> None:
        self.inner = inner
        self.calls = 0

    async def pay(self, instruction: PayoutInstruction) -> PayoutReceipt:
        self.calls += 1
        receipt = await self.inner.pay(instruction)
        if self.calls == 1:
            raise ConnectionError("worker lost after the payout file was written")
        return receipt


class CrashAfterSending:
    def __init__(self, inner: MaildirMailer) -> None:
        self.inner = inner
        self.calls = 0

    async def send(self, mail: OutgoingMail) -> None:
        self.calls += 1
        await self.inner.send(mail)
        if self.calls == 1:
            raise ConnectionError("SMTP connection dropped after DATA")


def make_activities(
    sessions: async_sessionmaker[AsyncSession], tmp: Path, *, banking=None, mailer=None
) -> OrderActivities:  # type: ignore[no-untyped-def]
    return OrderActivities(
        sessions,
        mailer=mailer or MaildirMailer(tmp / "maildir", "billing@coopflow.test"),
        banking=banking
        or LocalSepaBanking(
            tmp / "payouts", "coopflow SCE", "DE89370400440532013000", "COBADEFFXXX"
        ),
        social_security=LocalSocialSecurity(tmp / "declarations"),
        payroll=PolicyPayroll(),
        seller=default_seller,
        public_base_url="http://coopflow.test",
        coop_name="coopflow SCE",
    )


async def new_order(sessions: async_sessionmaker[AsyncSession], **client: object) -> OrderInput:
    member = await create_member(sessions)
    c = await create_client(sessions, member, **client)
    order = await create_order(sessions, member, c, today=TODAY)
    return order_input(order, member, c, today=TODAY)


def invoice_request(inp: OrderInput) -> steps.IssueInvoice:
    policy = policy_for(inp.jurisdiction, TODAY)
    vat = decide_vat(
        policy,
        client_country=inp.client_country,
        client_is_business=inp.client_is_business,
        client_vat_id=inp.client_vat_id,
    )
    return steps.IssueInvoice(
        order=inp,
        breakdown=compute_breakdown(policy, net_cents=inp.net_amount_cents, vat_rate=vat.rate),
        vat=vat,
        issue_date=TODAY,
        due_date=date(2026, 4, 1),
        actual_start=inp.period_start,
        actual_end=inp.period_end,
        work_days=5,
    )


async def count(sessions: async_sessionmaker[AsyncSession], model: type, *where: object) -> int:
    async with sessions() as session:
        return int(await session.scalar(select(func.count()).select_from(model).where(*where)))


async def test_retried_payout_pays_once(session_factory, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    banking = CrashAfterPaying(
        LocalSepaBanking(
            tmp_path / "payouts", "coopflow SCE", "DE89370400440532013000", "COBADEFFXXX"
        )
    )
    acts = make_activities(session_factory, tmp_path, banking=banking)
    inp = await new_order(session_factory)
    issued = await acts.issue_invoice(invoice_request(inp))
    payslip_id = await acts.run_payroll(
        steps.RunPayroll(
            order=inp,
            breakdown=invoice_request(inp).breakdown,
            pay_date=TODAY,
            actual_start=inp.period_start,
            actual_end=inp.period_end,
            work_days=5,
        )
    )
    request = steps.PayWage(
        order=inp,
        payslip_id=payslip_id,
        payout_cents=250_000,
        advanced_cents=250_000,
        execution_date=TODAY,
    )

    with pytest.raises(ConnectionError):
        await acts.pay_wage(request)
    first = await acts.pay_wage(request)  # Temporal's retry
    again = await acts.pay_wage(request)  # a late duplicate delivery

    assert first == again
    assert banking.calls == 2  # the retry asked the bank, which recognised the payout id
    assert len(list((tmp_path / "payouts").glob("*.xml"))) == 1
    assert await count(session_factory, Payout) == 1
    assert (
        await count(
            session_factory, LedgerEntry, LedgerEntry.entry_key == f"order-{inp.order_id}:payout"
        )
        == 1
    )
    assert issued.number.endswith("000001")


async def test_retried_invoice_keeps_its_number_and_sends_one_mail(
    session_factory, tmp_path: Path
) -> None:  # type: ignore[no-untyped-def]
    mailer = CrashAfterSending(MaildirMailer(tmp_path / "maildir", "billing@coopflow.test"))
    acts = make_activities(session_factory, tmp_path, mailer=mailer)
    inp = await new_order(session_factory)

    with pytest.raises(ConnectionError):
        await acts.issue_invoice(invoice_request(inp))
    retried = await acts.issue_invoice(invoice_request(inp))
    replayed = await acts.issue_invoice(invoice_request(inp))

    assert retried == replayed
    assert retried.number == "DE-2026-000001"
    async with session_factory() as session:
        series = await session.get_one(InvoiceSeries, ("DE", 2026))
        assert series.last_number == 1
    assert await count(session_factory, Invoice) == 1
    assert await count(session_factory, LedgerEntry) == 2  # invoice + fee, once each
    # The first send reached the mailbox before the crash; the retry re-sends with the same
    # Message-ID, which the maildir (like a client's mail server) keeps once.
    message_ids = {m["Message-ID"] for m in mailbox.Maildir(tmp_path / "maildir")}
    assert message_ids == {f"<invoice-{retried.number}@coopflow>"}


async def test_concurrent_invoices_are_gapless(session_factory, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    acts = make_activities(session_factory, tmp_path)
    orders = [await new_order(session_factory) for _ in range(50)]
    issued = await asyncio.gather(*(acts.issue_invoice(invoice_request(o)) for o in orders))
    numbers = sorted(i.number for i in issued)
    assert numbers == [f"DE-2026-{n:06d}" for n in range(1, 51)]
    belgian = await new_order(session_factory, country="BE", vat_id="BE0123456749")
    be_invoice = await acts.issue_invoice(
        invoice_request(belgian.model_copy(update={"jurisdiction": "BE"}))
    )
    assert be_invoice.number == "BE-2026-000001"  # its own series
    assert be_invoice.creditor_reference.startswith("+++")


async def test_reminder_declaration_and_payment_book_once(session_factory, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    acts = make_activities(session_factory, tmp_path)
    inp = await new_order(session_factory)
    issued = await acts.issue_invoice(invoice_request(inp))

    reminder = steps.SendReminder(
        order=inp,
        invoice_id=issued.invoice_id,
        level=1,
        name="Zahlungserinnerung",
        issue_date=date(2026, 4, 8),
        pay_by=date(2026, 4, 22),
        principal_due_cents=571_200,
        fee_cents=0,
        flat_compensation_cents=0,
        interest_cents=1125,
        interest_rate=annual_rate("DE", True, TODAY).rate,
    )
    notices = [await acts.send_reminder(reminder) for _ in range(2)]
    assert notices[0] == notices[1]
    assert await count(session_factory, DunningDocument) == 1
    assert (
        await count(
            session_factory, LedgerEntry, LedgerEntry.entry_key == f"order-{inp.order_id}:dunning:1"
        )
        == 1
    )

    declaration = steps.DeclareEmployment(
        order_id=inp.order_id,
        kind="start",
        period_start=inp.period_start,
        period_end=inp.period_end,
    )
    refs = [await acts.declare_employment(declaration) for _ in range(2)]
    assert refs[0] == refs[1]
    assert await count(session_factory, Declaration) == 1
    assert len(list((tmp_path / "declarations").rglob("*.json"))) == 1

    payment = steps.ApplyPayment(
        order_id=inp.order_id,
        invoice_id=issued.invoice_id,
        payment=PaymentReceived(
            payment_key="bank-1", amount_cents=100_000, received_on=date(2026, 4, 9)
        ),
        to_principal_cents=100_000,
        to_charges_cents=0,
        overpaid_cents=0,
        fund_repaid_cents=0,
    )
    for _ in range(2):
        await acts.apply_payment(payment)
    async with session_factory() as session:
        invoice = await session.get_one(Invoice, issued.invoice_id)
        assert invoice.paid_cents == 100_000
    assert await count(session_factory, Payment) == 1


async def test_queued_payout_takes_the_advance_of_the_orders_latest_try(
    session_factory, tmp_path: Path
) -> None:  # type: ignore[no-untyped-def]
    """A workflow task that queued the wage with an advance is lost (its worker or the server
    gone); tried again, a client's payment that arrived meanwhile comes first and nothing is
    advanced. Until the run books the payout, the row follows the order's latest word."""
    handed: list[runs.QueuedPayout] = []

    async def run_starter(run: runs.PayoutRunInput, queued: runs.QueuedPayout) -> None:
        handed.append(queued)

    acts = make_activities(session_factory, tmp_path)
    acts._run_starter = run_starter
    inp = await new_order(session_factory)
    await acts.issue_invoice(invoice_request(inp))
    payslip_id = await acts.run_payroll(
        steps.RunPayroll(
            order=inp,
            breakdown=invoice_request(inp).breakdown,
            pay_date=TODAY,
            actual_start=inp.period_start,
            actual_end=inp.period_end,
            work_days=5,
        )
    )

    def queue(advanced: int) -> runs.QueuePayout:
        return runs.QueuePayout(
            order=inp,
            payslip_id=payslip_id,
            payout_cents=250_000,
            advanced_cents=advanced,
            execution_date=TODAY,
            now=datetime(2026, 3, 2, 9, tzinfo=UTC),
            workflow_id=f"order-{inp.order_id}",
        )

    first = await acts.queue_payout(queue(250_000))
    again = await acts.queue_payout(queue(0))
    assert first == again
    async with session_factory() as session:
        [payout] = (await session.scalars(select(Payout))).all()
    assert (payout.status, payout.advanced_cents) == ("queued", 0)
    assert len(handed) == 2  # the run is told again; it keeps each payout once


async def test_offer_step_tried_again_after_the_answer_sends_nothing(
    session_factory, tmp_path: Path
) -> None:  # type: ignore[no-untyped-def]
    """The offer went out, the client signed through its link, then the workflow task that
    ran the step is lost and the step runs again: no second offer, no second token."""
    acts = make_activities(session_factory, tmp_path)
    inp = await new_order(session_factory)
    await acts.send_offer(steps.SendOffer(order=inp))
    async with session_factory.begin() as session:
        [token] = (await session.scalars(select(SigningToken))).all()
        token.used_at = datetime.now(UTC)
    await acts.send_offer(steps.SendOffer(order=inp))
    assert await count(session_factory, SigningToken) == 1
    assert len(mailbox.Maildir(tmp_path / "maildir")) == 1
