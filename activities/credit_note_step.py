"""Cancelling an invoiced order: the credit note, the refund of what the client paid, and the
booking of each refund. Called by activities of ``activities.order_activities``.

Idempotent like every money step: one credit note per order (its number taken from the
gapless credit-note series in the same transaction that stores it), ledger entries keyed by the
order and the refund, Stripe refunds created with an Idempotency-Key per payment, one refund
case per order.
"""

from __future__ import annotations

from collections.abc import Awaitable
from dataclasses import dataclass
from typing import Protocol

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from activities.documents import document_mail, send_and_record
from adapters.documents.invoice_documents import InvoiceDocuments
from adapters.mail.mailers import Mailer, OutgoingMail
from db import ledger
from db.invoice_numbers import format_credit_note_number, take_next_number
from db.models import FinanceCase, Invoice, Order, Payment
from db.models_credit_notes import CreditNote, CreditNoteSeries
from db.models_payments import PaymentLink, StripeRefund
from domain import ledger as entries
from domain import order_steps as steps
from domain.invoice_builders import credit_note_for
from domain.money import format_eur
from domain.order_contract import order_workflow_id
from domain.order_messages import CreditNoteIssued, RefundRecorded, RefundsStarted


class Refund(Protocol):
    @property
    def id(self) -> str: ...
    @property
    def amount(self) -> int: ...
    @property
    def status(self) -> str: ...


class Refunder(Protocol):
    """What the refund step needs of the payment provider (``adapters.payments.stripe_gateway``)."""

    async def refund(
        self, payment_intent_id: str, amount_cents: int, idempotency_key: str, reason: str
    ) -> Refund: ...


class PaymentLinkFor(Protocol):
    """A new ``/pay/<token>`` URL for a document about the invoice ``invoice_id``."""

    def __call__(self, invoice_id: int) -> Awaitable[str]: ...


@dataclass(frozen=True)
class _StripePayment:
    intent_id: str
    amount_cents: int


class CreditNoteStep:
    def __init__(
        self,
        sessions: async_sessionmaker[AsyncSession],
        *,
        mailer: Mailer,
        documents: InvoiceDocuments | None,
        refunder: Refunder | None,
        payment_link: PaymentLinkFor,
        coop_name: str,
    ) -> None:
        self._sessions = sessions
        self._mailer = mailer
        self._documents = documents
        self._refunder = refunder
        self._payment_link = payment_link
        self._coop_name = coop_name

    # ------------------------------------------------------------------ the credit note

    async def issue(self, request: steps.IssueCreditNote) -> CreditNoteIssued:
        order = request.order
        b = request.breakdown
        refund_due = (
            request.principal_paid_cents + request.charges_paid_cents + request.overpaid_cents
        )
        async with self._sessions.begin() as session:
            note = await session.scalar(
                select(CreditNote).where(CreditNote.order_id == order.order_id)
            )
            invoice = await session.get_one(Invoice, request.invoice_id)
            if note is None:
                year = request.issue_date.year
                sequence = await take_next_number(
                    session, order.jurisdiction, year, CreditNoteSeries
                )
                note = CreditNote(
                    order_id=order.order_id,
                    invoice_id=invoice.id,
                    number=format_credit_note_number(order.jurisdiction, year, sequence),
                    jurisdiction=order.jurisdiction,
                    year=year,
                    sequence=sequence,
                    issue_date=request.issue_date,
                    net_cents=invoice.net_cents,
                    vat_cents=invoice.vat_cents,
                    gross_cents=invoice.gross_cents,
                    refund_due_cents=refund_due,
                    reason=request.reason,
                )
                session.add(note)
                # The invoice itself is never edited beyond its status: it stays as issued.
                invoice.status = "cancelled"
                await session.execute(
                    update(PaymentLink)
                    .where(PaymentLink.invoice_id == invoice.id)
                    .values(status="cancelled", last_error="invoice cancelled by credit note")
                )
                await session.execute(
                    update(Order).where(Order.id == order.order_id).values(amount_due_cents=0)
                )
                # An escalated invoice's open case is settled by the credit note.
                await session.execute(
                    update(FinanceCase)
                    .where(
                        FinanceCase.order_id == order.order_id,
                        FinanceCase.kind == "overdue",
                        FinanceCase.status == "open",
                    )
                    .values(
                        status="decided",
                        decision="credit_note",
                        decided_by=request.requested_by[:200] or "finance",
                        decision_note=f"invoice cancelled by credit note {note.number}: "
                        f"{request.reason}"[:2000],
                    )
                )
                await ledger.post(
                    session,
                    entries.credit_note_issued(
                        order_workflow_id(order.order_id),
                        b,
                        principal_paid=request.principal_paid_cents,
                        charges_paid=request.charges_paid_cents,
                        charges_open=request.charges_open_cents,
                    ),
                    order_id=order.order_id,
                    posted_on=request.issue_date,
                )
                await session.flush()
        if note.mail_message_id is None:
            message_id = f"<credit-note-{note.number}@coopflow>"
            mail = await self._mail(message_id, note, invoice, request)
            await send_and_record(self._sessions, self._mailer, mail, CreditNote, note.id)
        return CreditNoteIssued(
            credit_note_id=note.id,
            number=note.number,
            issue_date=note.issue_date,
            gross_cents=note.gross_cents,
            refund_due_cents=note.refund_due_cents,
        )

    async def _mail(
        self,
        message_id: str,
        note: CreditNote,
        invoice: Invoice,
        request: steps.IssueCreditNote,
    ) -> OutgoingMail:
        order = request.order
        if self._documents is None:
            return OutgoingMail(
                message_id=message_id,
                to=order.client_email,
                subject=f"Credit note {note.number} from {self._coop_name}",
                body_text=(
                    f"Credit note {note.number} of {note.issue_date} cancels invoice "
                    f"{invoice.number} of {invoice.issue_date} in full "
                    f"({format_eur(note.gross_cents)}).\n"
                    + (f"Reason: {note.reason}\n" if note.reason else "")
                ),
            )
        invoice_doc = self._documents.document(
            invoice, order, order.jurisdiction, payment_link=await self._payment_link(invoice.id)
        )
        doc = credit_note_for(
            invoice_doc, number=note.number, issue_date=note.issue_date, reason=note.reason
        )
        return await document_mail(self._documents, doc, message_id, order.client_email)

    # ------------------------------------------------------------------ refunds

    async def refund(self, request: steps.RefundClient) -> RefundsStarted:
        """Stripe payments go back through Stripe (one refund per payment, keyed so a retry
        creates nothing twice); what is left (bank transfers, overpayments) becomes a refund
        case for finance, who pays it back and records it."""
        async with self._sessions() as session:
            rows = await session.scalars(
                select(Payment)
                .where(
                    Payment.order_id == request.order_id,
                    Payment.source == "stripe",
                    Payment.applied.is_(True),
                )
                .order_by(Payment.id)
            )
            stripe_payments = [
                _StripePayment(p.payment_key.split(":", 1)[0], p.amount_cents) for p in rows
            ]
        remaining = request.amount_cents
        refunds: list[RefundRecorded] = []
        if self._refunder is not None:
            for payment in stripe_payments:
                amount = min(remaining, payment.amount_cents)
                if amount <= 0:
                    break
                result = await self._refunder.refund(
                    payment.intent_id,
                    amount,
                    idempotency_key=f"{order_workflow_id(request.order_id)}:refund:{payment.intent_id}",
                    reason="requested_by_customer",
                )
                remaining -= amount
                if result.status == "succeeded":
                    refunds.append(
                        RefundRecorded(
                            refund_key=result.id,
                            amount_cents=result.amount,
                            refunded_on=request.on,
                            source="stripe",
                            reference=payment.intent_id,
                        )
                    )
        case_id = None
        if remaining > 0:
            case_id = await self._refund_case(request, remaining)
        return RefundsStarted(refunds=tuple(refunds), by_transfer_cents=remaining, case_id=case_id)

    async def _refund_case(self, request: steps.RefundClient, amount: int) -> int:
        key = f"{order_workflow_id(request.order_id)}-refund"
        async with self._sessions.begin() as session:
            case = await session.scalar(select(FinanceCase).where(FinanceCase.case_key == key))
            if case is None:
                case = FinanceCase(
                    case_key=key,
                    kind="refund",
                    order_id=request.order_id,
                    invoice_id=request.invoice_id,
                    opened_on=request.on,
                    amount_due_cents=amount,
                    dunning_level=0,
                )
                session.add(case)
                await session.flush()
            return case.id

    async def book(self, request: steps.BookRefund) -> None:
        refund = request.refund
        async with self._sessions.begin() as session:
            await ledger.post(
                session,
                entries.refund_paid(
                    order_workflow_id(request.order_id),
                    refund.refund_key,
                    from_overpayments=request.from_overpayments_cents,
                    reopened=request.reopened_cents,
                ),
                order_id=request.order_id,
                posted_on=refund.refunded_on,
            )
            await session.execute(
                update(StripeRefund)
                .where(StripeRefund.refund_id == refund.refund_key)
                .values(booked=True)
            )
            if request.closes_case_id is not None:
                await session.execute(
                    update(FinanceCase)
                    .where(FinanceCase.id == request.closes_case_id, FinanceCase.status == "open")
                    .values(status="decided", decision="refunded", decided_by="workflow")
                )
