"""The collection's steps: payments booked, reminders sent, finance cases opened and decided."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import UTC, datetime

from sqlalchemy import func, select, update
from temporalio import activity

from activities.errors import permanent_errors
from activities.order_base import OrderSteps
from adapters.mail import client_mail
from adapters.mail.mailers import Mailer, OutgoingMail
from db import ledger
from db.models import (
    DunningDocument,
    FinanceCase,
    Invoice,
    Payment,
)
from domain import ledger as entries
from domain import order_steps as steps
from domain.order_contract import order_workflow_id
from domain.order_messages import (
    DunningNotice,
    FinanceCaseOpened,
    PaymentReceived,
)


class CollectionSteps(OrderSteps):
    """Each step is idempotent by its business key (payment, reminder level, case)."""

    _mailer: Mailer
    _coop_name: str
    _payment_link: Callable[[int], Awaitable[str]]

    # ------------------------------------------------------------------ payments

    @activity.defn(name=steps.UNAPPLIED_PAYMENTS)
    async def unapplied_payments(self, request: steps.UnappliedPayments) -> list[PaymentReceived]:
        async with self._sessions() as session:
            rows = await session.scalars(
                select(Payment)
                .where(Payment.order_id == request.order_id, Payment.applied.is_(False))
                .order_by(Payment.id)
            )
            return [
                PaymentReceived(
                    payment_key=p.payment_key,
                    amount_cents=p.amount_cents,
                    received_on=p.received_on,
                    source=p.source,  # type: ignore[arg-type]
                    reference=p.reference,
                )
                for p in rows
            ]

    @activity.defn(name=steps.APPLY_PAYMENT)
    @permanent_errors
    async def apply_payment(self, request: steps.ApplyPayment) -> None:
        p = request.payment
        async with self._sessions.begin() as session:
            payment = await session.scalar(
                select(Payment).where(Payment.payment_key == p.payment_key)
            )
            if payment is None:
                payment = Payment(
                    payment_key=p.payment_key,
                    order_id=request.order_id,
                    amount_cents=p.amount_cents,
                    received_on=p.received_on,
                    source=p.source,
                    reference=p.reference,
                )
                session.add(payment)
            elif payment.applied:
                return
            payment.applied = True
            invoice = await session.get_one(Invoice, request.invoice_id)
            invoice.paid_cents += request.to_principal_cents
            if invoice.paid_cents >= invoice.gross_cents:
                invoice.status = "paid"
            await ledger.post(
                session,
                entries.payment_received(
                    order_workflow_id(request.order_id),
                    p.payment_key,
                    to_principal=request.to_principal_cents,
                    to_charges=request.to_charges_cents,
                    overpaid=request.overpaid_cents,
                    fund_repaid=request.fund_repaid_cents,
                ),
                order_id=request.order_id,
                posted_on=p.received_on,
            )

    # ------------------------------------------------------------------ dunning

    @activity.defn(name=steps.SEND_REMINDER)
    @permanent_errors
    async def send_reminder(self, request: steps.SendReminder) -> DunningNotice:
        charges = request.fee_cents + request.flat_compensation_cents + request.interest_cents
        async with self._sessions.begin() as session:
            invoice = await session.get_one(Invoice, request.invoice_id)
            doc = await session.scalar(
                select(DunningDocument).where(
                    DunningDocument.invoice_id == invoice.id,
                    DunningDocument.kind == "reminder",
                    DunningDocument.level == request.level,
                )
            )
            if doc is None:
                doc = DunningDocument(
                    invoice_id=invoice.id,
                    number=f"{invoice.number}-R{request.level}",
                    level=request.level,
                    name=request.name,
                    issue_date=request.issue_date,
                    principal_due_cents=request.principal_due_cents,
                    fee_cents=request.fee_cents,
                    flat_compensation_cents=request.flat_compensation_cents,
                    interest_cents=request.interest_cents,
                    interest_rate=str(request.interest_rate),
                    pay_by=request.pay_by,
                )
                session.add(doc)
                if charges:
                    await ledger.post(
                        session,
                        entries.dunning_charged(
                            order_workflow_id(request.order.order_id), request.level, charges
                        ),
                        order_id=request.order.order_id,
                        posted_on=request.issue_date,
                    )
            number = doc.number
        # In the client's language, with the invoice's stable /pay/<token> link.
        facts = client_mail.reminder_facts(
            request,
            invoice,
            number=number,
            seller=self._seller(request.order.jurisdiction),
            payment_link=await self._payment_link(invoice.id),
            earlier_charges_due_cents=request.earlier_charges_due_cents,
        )
        mail = client_mail.reminder_mail(
            facts, request.order.client_language, request.order.client_country
        )
        await self._mailer.send(
            OutgoingMail(
                message_id=f"<reminder-{number}@coopflow>",
                to=request.order.client_email,
                subject=mail.subject,
                body_text=mail.body,
            )
        )
        return DunningNotice(level=request.level, document_number=number, charges_cents=charges)

    @activity.defn(name=steps.CHARGE_INTEREST)
    @permanent_errors
    async def charge_interest(self, request: steps.ChargeInterest) -> str:
        """Interest up to a payment's day as a document of its own (``<invoice>-I<n>``) and its
        ledger entry, once per payment; the client sees it on the next statement."""
        order_key = order_workflow_id(request.order_id)
        async with self._sessions.begin() as session:
            entry = entries.interest_charged(order_key, request.payment_key, request.interest_cents)
            invoice = await session.get_one(Invoice, request.invoice_id)
            if not await ledger.post(
                session, entry, order_id=request.order_id, posted_on=request.on
            ):
                existing = await session.scalar(
                    select(DunningDocument.number).where(
                        DunningDocument.invoice_id == invoice.id,
                        DunningDocument.kind == "interest",
                        DunningDocument.issue_date == request.on,
                        DunningDocument.interest_cents == request.interest_cents,
                    )
                )
                return existing or ""
            count = await session.scalar(
                select(func.count()).where(
                    DunningDocument.invoice_id == invoice.id, DunningDocument.kind == "interest"
                )
            )
            number = f"{invoice.number}-I{int(count or 0) + 1}"
            session.add(
                DunningDocument(
                    invoice_id=invoice.id,
                    number=number,
                    kind="interest",
                    level=0,
                    name=f"Interest to {request.on}",
                    issue_date=request.on,
                    principal_due_cents=request.principal_due_cents,
                    interest_cents=request.interest_cents,
                    interest_rate=str(request.interest_rate),
                    pay_by=request.on,
                )
            )
            return number

    @activity.defn(name=steps.WAIVE_CHARGES)
    @permanent_errors
    async def waive_charges(self, request: steps.WaiveCharges) -> None:
        async with self._sessions.begin() as session:
            await ledger.post(
                session,
                entries.charges_waived(
                    order_workflow_id(request.order_id), request.charges_cents, request.case_id
                ),
                order_id=request.order_id,
                posted_on=request.on,
            )

    # ------------------------------------------------------------------ finance

    @activity.defn(name=steps.OPEN_FINANCE_CASE)
    async def open_finance_case(self, request: steps.OpenFinanceCase) -> FinanceCaseOpened:
        key = f"{order_workflow_id(request.order_id)}-case-{request.attempt}"
        async with self._sessions.begin() as session:
            case = await session.scalar(select(FinanceCase).where(FinanceCase.case_key == key))
            if case is None:
                case = FinanceCase(
                    case_key=key,
                    order_id=request.order_id,
                    invoice_id=request.invoice_id,
                    opened_on=request.opened_on,
                    amount_due_cents=request.amount_due_cents,
                    dunning_level=request.dunning_level,
                )
                session.add(case)
                await session.flush()
            return FinanceCaseOpened(case_id=case.id)

    @activity.defn(name=steps.RECORD_DECISION)
    async def record_decision(self, request: steps.RecordDecision) -> None:
        d = request.decision
        note = d.note
        if d.waive_charges:  # the audit trail says so beside finance's own words
            note = " · ".join(t for t in ("charges and interest to date waived", d.note) if t)
        async with self._sessions.begin() as session:
            await session.execute(
                update(FinanceCase)
                .where(FinanceCase.id == request.case_id)
                .values(
                    status="decided",
                    decision=d.kind,
                    decided_by=d.decided_by,
                    decision_note=note,
                    decided_at=datetime.now(UTC),
                )
            )

    @activity.defn(name=steps.WRITE_OFF)
    @permanent_errors
    async def write_off(self, request: steps.WriteOff) -> None:
        async with self._sessions.begin() as session:
            await ledger.post(
                session,
                entries.written_off(
                    order_workflow_id(request.order_id),
                    principal_cents=request.principal_cents,
                    charges_cents=request.charges_cents,
                ),
                order_id=request.order_id,
                posted_on=request.on,
            )
            await session.execute(
                update(Invoice).where(Invoice.id == request.invoice_id).values(status="written_off")
            )
