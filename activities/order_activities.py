"""Activities of the order lifecycle: they persist, call adapters, and nothing else.

Every step that moves money or issues a legal document is idempotent by a business key
(invoice per order, reminder per invoice and level, payout per order, declaration per order and
kind, ledger entry per key): a retried activity finds its earlier work and returns it.
"""

from __future__ import annotations

import functools
import secrets
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, time, timedelta
from typing import Any, ParamSpec, TypeVar

from pydantic import ValidationError
from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from temporalio import activity
from temporalio.exceptions import ApplicationError

from activities import documents
from activities.credit_note_step import CreditNoteStep, Refunder
from activities.heartbeat import heartbeating
from activities.payroll_step import ExactPayrollStep, payroll_request
from adapters.banking.sepa import Banking, PayoutInstruction, fit_remittance
from adapters.documents.invoice_documents import InvoiceDocuments
from adapters.errors import PermanentAdapterError
from adapters.mail import client_mail
from adapters.mail.mailers import Mailer, OutgoingMail
from adapters.social_security.declarations import EmploymentDeclaration, SocialSecurity
from db import ledger
from db.invoice_numbers import format_invoice_number, take_next_number
from db.models import (
    Declaration,
    DunningDocument,
    FinanceCase,
    Invoice,
    Member,
    Order,
    Payment,
    Payout,
    Payslip,
    SigningToken,
)
from db.models_payments import PaymentLink
from domain import ledger as entries
from domain import order_steps as steps
from domain.breakdown import OrderBreakdown
from domain.errors import DomainError
from domain.invoice_document import Seller
from domain.order_contract import order_workflow_id
from domain.order_messages import (
    CreditNoteIssued,
    DunningNotice,
    FinanceCaseOpened,
    InvoiceIssued,
    OrderInput,
    PaymentReceived,
    RefundsStarted,
    WagePaid,
)
from domain.order_status import OrderStatus
from domain.payroll.employment_payroll import EmploymentPayroll
from domain.payroll.protocol import Payroll
from domain.references import creditor_reference
from domain.signing import SigningClaims, encode_signing_token, payment_link_token

P = ParamSpec("P")
R = TypeVar("R")


def permanent_errors(fn: Callable[P, Awaitable[R]]) -> Callable[P, Awaitable[R]]:
    """Business refusals become non-retryable failures with a readable message; anything
    else (a database or network hiccup) propagates so Temporal retries it."""

    @functools.wraps(fn)
    async def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        try:
            return await fn(*args, **kwargs)
        except (DomainError, PermanentAdapterError, ValidationError) as err:
            # Bad data (a refused rule, an invalid document) does not get better by retrying.
            raise ApplicationError(str(err), type="PermanentError", non_retryable=True) from err

    return wrapper


def _order_key(order_id: int) -> str:
    return order_workflow_id(order_id)


class OrderActivities:
    def __init__(
        self,
        sessions: async_sessionmaker[AsyncSession],
        *,
        mailer: Mailer,
        banking: Banking,
        social_security: SocialSecurity,
        payroll: Payroll,
        exact_payroll: Payroll | None = None,
        payroll_step: ExactPayrollStep | None = None,
        refunder: Refunder | None = None,
        invoice_documents: InvoiceDocuments | None = None,
        seller: Callable[[str], Seller],
        public_base_url: str,
        signing_secret: str,
        coop_name: str,
    ) -> None:
        self._sessions = sessions
        self._mailer = mailer
        self._banking = banking
        self._social_security = social_security
        self._payroll = payroll
        self._payroll_step = payroll_step or ExactPayrollStep(
            sessions, exact_payroll or EmploymentPayroll()
        )
        self._documents = invoice_documents
        self._base_url = public_base_url.rstrip("/")
        self._signing_secret = signing_secret
        self._coop_name = coop_name
        self._seller = seller
        self._credit_notes = CreditNoteStep(
            sessions,
            mailer=mailer,
            documents=invoice_documents,
            refunder=refunder,
            payment_link=self._payment_link_for,
            coop_name=coop_name,
        )

    def all(self) -> list[Callable[..., Any]]:
        return [
            self.project_status,
            self.send_offer,
            self.declare_employment,
            self.issue_invoice,
            self.unapplied_payments,
            self.apply_payment,
            self.send_reminder,
            self.open_finance_case,
            self.record_decision,
            self.write_off,
            self.run_payroll,
            self.run_exact_payroll,
            self.pay_wage,
            self.close_order,
            self.issue_credit_note,
            self.refund_client,
            self.book_refund,
        ]

    # ------------------------------------------------------------------ projection

    @activity.defn(name=steps.PROJECT_STATUS)
    async def project_status(self, request: steps.ProjectStatus) -> None:
        values: dict[str, Any] = {
            "status": request.status.value,
            "amount_due_cents": request.amount_due_cents,
            "dunning_level": request.dunning_level,
            "escalated": request.escalated,
        }
        if request.signed_by is not None:
            values["signed_by"] = request.signed_by
        async with self._sessions.begin() as session:
            await session.execute(update(Order).where(Order.id == request.order_id).values(values))

    # ------------------------------------------------------------------ offer

    @activity.defn(name=steps.SEND_OFFER)
    @permanent_errors
    async def send_offer(self, request: steps.SendOffer) -> None:
        order = request.order
        expires = datetime.combine(order.offer_valid_until + timedelta(days=1), time(), tzinfo=UTC)
        async with self._sessions.begin() as session:
            token = await session.scalar(
                select(SigningToken)
                .where(SigningToken.order_id == order.order_id, SigningToken.used_at.is_(None))
                .order_by(SigningToken.expires_at.desc())
            )
            if token is None:
                token = SigningToken(
                    token_id=secrets.token_urlsafe(16), order_id=order.order_id, expires_at=expires
                )
                session.add(token)
        expires_at = token.expires_at
        if expires_at.tzinfo is None:  # SQLite returns naive datetimes; they are stored in UTC
            expires_at = expires_at.replace(tzinfo=UTC)
        link_token = encode_signing_token(
            self._signing_secret,
            SigningClaims(order_id=order.order_id, token_id=token.token_id, expires_at=expires_at),
        )
        mail = client_mail.offer_mail(order, f"{self._base_url}/sign/{link_token}", self._coop_name)
        await self._mailer.send(
            OutgoingMail(
                message_id=f"<offer-{order.order_id}-{token.token_id}@coopflow>",
                to=order.client_email,
                subject=mail.subject,
                body_text=mail.body,
            )
        )

    # ------------------------------------------------------------------ declarations

    @activity.defn(name=steps.DECLARE_EMPLOYMENT)
    @heartbeating
    @permanent_errors
    async def declare_employment(self, request: steps.DeclareEmployment) -> str:
        key = f"{_order_key(request.order_id)}-{request.kind}"
        async with self._sessions() as session:
            done = await session.scalar(
                select(Declaration).where(Declaration.declaration_key == key)
            )
            if done is not None:
                return done.reference
            order = await self._order(session, request.order_id)
        receipt = await self._social_security.declare(
            EmploymentDeclaration(
                declaration_key=key,
                kind=request.kind,
                jurisdiction=order.jurisdiction,  # type: ignore[arg-type]
                member_id=str(order.member_id),
                member_name=order.member.name,
                order_id=str(order.id),
                period_start=request.period_start,
                period_end=request.period_end,
            )
        )
        async with self._sessions.begin() as session:
            exists = await session.scalar(
                select(Declaration.id).where(Declaration.declaration_key == key)
            )
            if exists is None:
                session.add(
                    Declaration(
                        declaration_key=key,
                        order_id=request.order_id,
                        kind=request.kind,
                        reference=receipt.reference,
                        status=receipt.status,
                    )
                )
        return receipt.reference

    # ------------------------------------------------------------------ invoice

    @activity.defn(name=steps.ISSUE_INVOICE)
    @heartbeating
    @permanent_errors
    async def issue_invoice(self, request: steps.IssueInvoice) -> InvoiceIssued:
        order = request.order
        b = request.breakdown
        async with self._sessions.begin() as session:
            invoice = await session.scalar(
                select(Invoice).where(Invoice.order_id == order.order_id)
            )
            if invoice is None:
                year = request.issue_date.year
                sequence = await take_next_number(session, order.jurisdiction, year)
                client = (await self._order(session, order.order_id)).client
                invoice = Invoice(
                    order_id=order.order_id,
                    number=format_invoice_number(order.jurisdiction, year, sequence),
                    jurisdiction=order.jurisdiction,
                    year=year,
                    sequence=sequence,
                    issue_date=request.issue_date,
                    due_date=request.due_date,
                    net_cents=b.net_cents,
                    vat_rate=str(b.vat_rate),
                    vat_cents=b.vat_cents,
                    gross_cents=b.gross_invoice_cents,
                    vat_treatment=request.vat.treatment.value,
                    vat_note=request.vat.legal_note,
                    creditor_reference=creditor_reference(order.jurisdiction, year, sequence),
                    client_name=order.client_name,
                    client_address=client.address,
                    client_vat_id=order.client_vat_id,
                    description=order.description,
                    period_start=request.actual_start,
                    period_end=request.actual_end,
                )
                session.add(invoice)
                await session.flush()
                # The stable /pay/<token> link of the invoice; Stripe's payment behind it is
                # made when the client opens it (api.services.pay_links).
                session.add(
                    PaymentLink(
                        token=payment_link_token(self._signing_secret, invoice.number),
                        order_id=order.order_id,
                        invoice_id=invoice.id,
                        amount_cents=0,
                        status="open",
                        generation=0,
                        last_error="",
                    )
                )
                key = _order_key(order.order_id)
                await ledger.post(
                    session,
                    entries.invoice_issued(key, b),
                    order_id=order.order_id,
                    posted_on=request.issue_date,
                )
                await ledger.post(
                    session,
                    entries.fee_charged(key, b),
                    order_id=order.order_id,
                    posted_on=request.issue_date,
                )
                await session.execute(
                    update(Order)
                    .where(Order.id == order.order_id)
                    .values(
                        actual_start=request.actual_start,
                        actual_end=request.actual_end,
                        work_days=request.work_days,
                        status=OrderStatus.INVOICED.value,
                        amount_due_cents=b.gross_invoice_cents,
                    )
                )
        if invoice.mail_message_id is None:
            message_id = f"<invoice-{invoice.number}@coopflow>"
            mail = await self._invoice_mail(message_id, invoice, order, b)
            await documents.send_and_record(self._sessions, self._mailer, mail, Invoice, invoice.id)
        return InvoiceIssued(
            invoice_id=invoice.id,
            number=invoice.number,
            issue_date=invoice.issue_date,
            due_date=invoice.due_date,
            gross_cents=invoice.gross_cents,
            creditor_reference=invoice.creditor_reference,
        )

    async def _invoice_mail(
        self, message_id: str, invoice: Invoice, order: OrderInput, b: OrderBreakdown
    ) -> OutgoingMail:
        """The invoice e-mail in the client's language, with the PDF/A-3 (Factur-X) and, for a
        Belgian business client, the Peppol UBL attached."""
        if self._documents is None:
            return OutgoingMail(
                message_id=message_id,
                to=order.client_email,
                subject=f"Invoice {invoice.number} from {self._coop_name}",
                body_text=documents.invoice_text(invoice, order, b, self._coop_name),
            )
        doc = self._documents.document(
            invoice, order, order.jurisdiction, payment_link=self._payment_link(invoice)
        )
        return await documents.document_mail(self._documents, doc, message_id, order.client_email)

    def _payment_link(self, invoice: Invoice) -> str:
        return self._payment_link_for(invoice.number)

    def _payment_link_for(self, invoice_number: str) -> str:
        token = payment_link_token(self._signing_secret, invoice_number)
        return f"{self._base_url}/pay/{token}"

    # ------------------------------------------------------------------ credit notes, refunds

    @activity.defn(name=steps.ISSUE_CREDIT_NOTE)
    @heartbeating
    @permanent_errors
    async def issue_credit_note(self, request: steps.IssueCreditNote) -> CreditNoteIssued:
        return await self._credit_notes.issue(request)

    @activity.defn(name=steps.REFUND_CLIENT)
    @permanent_errors
    async def refund_client(self, request: steps.RefundClient) -> RefundsStarted:
        return await self._credit_notes.refund(request)

    @activity.defn(name=steps.BOOK_REFUND)
    @permanent_errors
    async def book_refund(self, request: steps.BookRefund) -> None:
        await self._credit_notes.book(request)

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
                    _order_key(request.order_id),
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
                    DunningDocument.invoice_id == invoice.id, DunningDocument.level == request.level
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
                            _order_key(request.order.order_id), request.level, charges
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
            payment_link=self._payment_link(invoice),
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

    # ------------------------------------------------------------------ finance

    @activity.defn(name=steps.OPEN_FINANCE_CASE)
    async def open_finance_case(self, request: steps.OpenFinanceCase) -> FinanceCaseOpened:
        key = f"{_order_key(request.order_id)}-case-{request.attempt}"
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
        async with self._sessions.begin() as session:
            await session.execute(
                update(FinanceCase)
                .where(FinanceCase.id == request.case_id)
                .values(
                    status="decided",
                    decision=d.kind,
                    decided_by=d.decided_by,
                    decision_note=d.note,
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
                    _order_key(request.order_id),
                    principal_cents=request.principal_cents,
                    charges_cents=request.charges_cents,
                ),
                order_id=request.order_id,
                posted_on=request.on,
            )
            await session.execute(
                update(Invoice).where(Invoice.id == request.invoice_id).values(status="written_off")
            )

    # ------------------------------------------------------------------ wage

    @activity.defn(name=steps.RUN_PAYROLL)
    @heartbeating
    @permanent_errors
    async def run_payroll(self, request: steps.RunPayroll) -> int:
        order = request.order
        async with self._sessions.begin() as session:
            existing = await session.scalar(
                select(Payslip.id).where(Payslip.order_id == order.order_id)
            )
            if existing is not None:
                return int(existing)
            result = await self._payroll.run(payroll_request(request))
            payslip = Payslip(
                order_id=order.order_id,
                member_id=order.member_id,
                jurisdiction=order.jurisdiction,
                period_start=request.actual_start,
                period_end=request.actual_end,
                work_days=request.work_days,
                **result.data.model_dump(),
            )
            session.add(payslip)
            await session.flush()
            await ledger.post(
                session,
                entries.payroll_posted(_order_key(order.order_id), request.breakdown),
                order_id=order.order_id,
                posted_on=request.pay_date,
            )
            return payslip.id

    @activity.defn(name=steps.RUN_EXACT_PAYROLL)
    @heartbeating
    @permanent_errors
    async def run_exact_payroll(self, request: steps.RunPayroll) -> steps.PayrollDone:
        """The wage by the member's employment record (exact engines), once per order."""
        return await self._payroll_step.run(request)

    @activity.defn(name=steps.PAY_WAGE)
    @permanent_errors
    async def pay_wage(self, request: steps.PayWage) -> WagePaid:
        order = request.order
        payout_key = f"WAGE-{order.order_id}"
        async with self._sessions.begin() as session:
            payout = await session.scalar(select(Payout).where(Payout.payout_key == payout_key))
            member = await session.get_one(Member, order.member_id)
            if payout is None:
                payout = Payout(
                    payout_key=payout_key,
                    order_id=order.order_id,
                    member_id=order.member_id,
                    amount_cents=request.payout_cents,
                    advanced_cents=request.advanced_cents,
                    iban=member.iban,
                    execution_date=request.execution_date,
                )
                session.add(payout)
        if payout.status != "sent":
            receipt = await self._banking.pay(
                PayoutInstruction(
                    payout_id=payout_key,
                    creditor_name=member.name,
                    creditor_iban=member.iban,
                    creditor_bic=member.bic,
                    amount_cents=payout.amount_cents,
                    remittance=fit_remittance(f"Wage order {order.order_id}: {order.description}"),
                    execution_date=payout.execution_date,
                )
            )
            async with self._sessions.begin() as session:
                await session.execute(
                    update(Payout)
                    .where(Payout.id == payout.id)
                    .values(status="sent", file_path=receipt.file_path)
                )
                await ledger.post(
                    session,
                    entries.wage_paid(
                        _order_key(order.order_id), payout.amount_cents, payout.advanced_cents
                    ),
                    order_id=order.order_id,
                    posted_on=payout.execution_date,
                )
        return WagePaid(
            payslip_id=request.payslip_id,
            payout_id=payout_key,
            payout_cents=payout.amount_cents,
            advanced_cents=payout.advanced_cents,
            paid_on=payout.execution_date,
        )

    # ------------------------------------------------------------------ close

    @activity.defn(name=steps.CLOSE_ORDER)
    @permanent_errors
    async def close_order(self, request: steps.CloseOrder) -> None:
        async with self._sessions.begin() as session:
            if request.status == OrderStatus.CLOSED:
                balance = (await ledger.balances(session, order_id=request.order_id)).get(
                    "member_budget", 0
                )
                if balance != 0:
                    raise DomainError(
                        f"order {request.order_id} cannot close: its member budget holds "
                        f"{-balance} cents; check the payroll and fee postings"
                    )
            await session.execute(
                update(Order)
                .where(Order.id == request.order_id)
                .values(status=request.status.value)
            )

    # ------------------------------------------------------------------ helpers

    async def _order(self, session: AsyncSession, order_id: int) -> Order:
        order = await session.scalar(select(Order).where(Order.id == order_id))
        if order is None:
            raise DomainError(f"order {order_id} does not exist in the database")
        return order
