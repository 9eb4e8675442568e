"""Activities of the order lifecycle: they persist, call adapters, and nothing else.

Every step that moves money or issues a legal document is idempotent by a business key
(invoice per order, reminder per invoice and level, payout per order, declaration per order and
kind, ledger entry per key): a retried activity finds its earlier work and returns it.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable
from datetime import UTC, datetime, time, timedelta
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from temporalio import activity

from activities.collection_steps import CollectionSteps
from activities.credit_note_step import CreditNoteStep, Refunder
from activities.employment_declarations import declare_once
from activities.errors import permanent_errors
from activities.heartbeat import heartbeating
from activities.invoice_steps import InvoiceSteps
from activities.payout_run_steps import PayoutRunSteps, PayoutSchedule, RunStarter
from activities.payroll_step import ExactPayrollStep
from activities.salary_steps import SalarySteps
from activities.wage_steps import WageSteps
from adapters.banking.sepa import Banking
from adapters.documents.invoice_documents import InvoiceDocuments
from adapters.mail import client_mail
from adapters.mail.mailers import Mailer, OutgoingMail
from adapters.social_security.declarations import EmploymentDeclaration, SocialSecurity
from db import ledger, signing_links
from db.models import (
    Order,
    SigningToken,
)
from domain import order_steps as steps
from domain.errors import DomainError
from domain.invoice_document import Seller
from domain.order_contract import order_workflow_id
from domain.order_messages import (
    CreditNoteIssued,
    RefundsStarted,
)
from domain.order_status import OrderStatus
from domain.payroll.employment_payroll import EmploymentPayroll
from domain.payroll.protocol import Payroll


class OrderActivities(InvoiceSteps, CollectionSteps, WageSteps, PayoutRunSteps, SalarySteps):
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
        coop_name: str,
        payout_schedule: PayoutSchedule | None = None,
        run_starter: RunStarter | None = None,
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
        self._coop_name = coop_name
        self._payout_schedule = payout_schedule or PayoutSchedule()
        self._run_starter = run_starter
        self._seller = seller
        self._credit_notes = CreditNoteStep(
            sessions,
            mailer=mailer,
            documents=invoice_documents,
            refunder=refunder,
            payment_link=self._payment_link,
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
            self.charge_interest,
            self.waive_charges,
            self.open_finance_case,
            self.record_decision,
            self.write_off,
            self.run_payroll,
            self.run_exact_payroll,
            self.pay_wage,
            self.queue_payout,
            self.cut_payout_run,
            self.close_order,
            self.issue_credit_note,
            self.refund_client,
            self.book_refund,
            self.salary_month_plan,
            self.run_monthly_salary,
            self.queue_salary_payout,
            self.declare_salary_employment,
            self.wage_mode_of,
        ]

    # ------------------------------------------------------------------ projection

    @activity.defn(name=steps.PROJECT_STATUS)
    async def project_status(self, request: steps.ProjectStatus) -> None:
        values: dict[str, Any] = {
            "status": request.status.value,
            "amount_due_cents": request.amount_due_cents,
            "dunning_level": request.dunning_level,
            "escalated": request.escalated,
            "interest_runs_from": request.interest_runs_from,
            "interest_accrued_cents": request.interest_accrued_cents,
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
            answered = await session.scalar(
                select(SigningToken.token_id).where(
                    SigningToken.order_id == order.order_id, SigningToken.used_at.is_not(None)
                )
            )
            if answered is not None:
                # The client answered already: this is the step tried again after a lost
                # workflow task (seen in chaos.restart_temporal), not an offer to make again.
                return
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
                await session.flush()
            link_token = await signing_links.mint(session, token.token_id)
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
        async with self._sessions() as session:
            order = await self._order(session, request.order_id)
        return await declare_once(
            self._sessions,
            self._social_security,
            EmploymentDeclaration(
                declaration_key=f"{order_workflow_id(request.order_id)}-{request.kind}",
                kind=request.kind,
                jurisdiction=order.jurisdiction,  # type: ignore[arg-type]
                member_id=str(order.member_id),
                member_name=order.member.name,
                order_id=str(order.id),
                period_start=request.period_start,
                period_end=request.period_end,
            ),
            order_id=request.order_id,
        )

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

    # ------------------------------------------------------------------ close

    @activity.defn(name=steps.CLOSE_ORDER)
    @permanent_errors
    async def close_order(self, request: steps.CloseOrder) -> None:
        async with self._sessions.begin() as session:
            if request.status == OrderStatus.CLOSED and not request.monthly_salary:
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
