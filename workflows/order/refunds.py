"""Cancelling an issued invoice by a credit note, and giving the client's money back.

Only finance cancels an invoice, and only until the member's wage is being paid. The credit
note cancels it in full, open charges fall away, and everything the client paid goes back
(Stripe refunds at once, the rest by finance's transfer), each refund booked as it is recorded.
A refund beyond an overpayment re-opens the invoice (dunning starts again)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from temporalio import workflow

with workflow.unsafe.imports_passed_through():
    from domain import order_steps as steps
    from domain.breakdown import OrderBreakdown
    from domain.dunning import Claim
    from domain.money import format_eur
    from domain.order_messages import Cancellation, CreditNoteIssued, InvoiceIssued, WagePaid
    from domain.order_phases import CollectionPhase

from workflows.order import steps as step
from workflows.order.base import OrderBase
from workflows.order.finance_case import refusal


class Refunds(OrderBase):
    _credit_note: CreditNoteIssued | None
    _refund_case: int | None
    _refunded: int
    # the collection's and the wage branch's, used here
    _invoice: InvoiceIssued | None
    _claim: Claim | None
    _breakdown: OrderBreakdown | None
    _plan: list[object]
    _wage: WagePaid | None
    _wage_started: bool
    _written_off: int
    _apply_payments: Callable[[], Awaitable[None]]

    def _init_refunds(self) -> None:
        self._credit_note = None
        self._refund_case = None
        self._refunded = 0

    def _refund_open(self) -> int:
        if self._credit_note is None or self._claim is None:
            return 0
        return max(self._claim.overpaid, 0)

    def _validate_credit_note(self, cancellation: Cancellation) -> None:
        """An invoiced order is cancelled only by finance, by a credit note, while its wage is
        not being paid (a paid wage is settled by write-off, not by cancelling the invoice)."""
        assert self._invoice is not None
        if cancellation.member_id is not None:
            raise refusal(
                "invalid-state",
                f"invoice {self._invoice.number} is issued: only finance can cancel it, "
                "by a credit note",
            )
        if self._inbox.cancel is not None or self._credit_note is not None:
            raise refusal("invalid-state", "this invoice is already being cancelled")
        if self._wage_started or self._wage is not None:
            raise refusal(
                "invalid-state",
                "the member's wage for this order is being paid or paid: the invoice can no "
                "longer be cancelled; finance can write the claim off instead",
            )
        if self._collection == CollectionPhase.IN_COLLECTION:
            raise refusal(
                "invalid-state", "the invoice is with the collection agency: withdraw it first"
            )
        if self._written_off:
            raise refusal("invalid-state", "the invoice was written off")
        if self._steps.blocked:
            waiting = "; ".join(self._steps.blocked.values())
            raise refusal("invalid-state", f"a step waits for ops ({waiting}); resolve it first")
        if self._inbox.decision is not None:
            raise refusal("conflict", "a finance decision is being applied; retry shortly")

    async def _cancel_invoice(self, cancellation: Cancellation) -> None:
        assert self._invoice is not None
        assert self._claim is not None
        assert self._breakdown is not None
        await self._apply_payments()
        today = self._today()
        cancelled = self._claim.cancel()
        self._collection = CollectionPhase.CREDITED
        self._plan = []
        self._credit_note = await self._steps.run(
            step.ISSUE_CREDIT_NOTE,
            steps.IssueCreditNote(
                order=self._order,
                invoice_id=self._invoice.invoice_id,
                breakdown=self._breakdown,
                issue_date=today,
                reason=cancellation.reason or f"cancelled by {cancellation.requested_by}",
                requested_by=cancellation.requested_by,
                principal_paid_cents=cancelled.principal_paid,
                charges_paid_cents=cancelled.charges_paid,
                charges_open_cents=cancelled.charges_open,
                overpaid_cents=cancelled.overpaid,
            ),
            f"Credit note cancelling {self._invoice.number}",
            "collection",
        )
        if self._claim.overpaid <= 0:
            return
        started = await self._steps.run(
            step.REFUND_CLIENT,
            steps.RefundClient(
                order_id=self._order.order_id,
                invoice_id=self._invoice.invoice_id,
                amount_cents=self._claim.overpaid,
                on=today,
            ),
            f"Refund {format_eur(self._claim.overpaid)} to {self._order.client_name}",
            "collection",
        )
        self._refund_case = started.case_id
        for refund in started.refunds:
            self._inbox.add_refund(refund)
        inbox = self._inbox
        while True:
            await self._apply_payments()  # a client paying a cancelled invoice is owed it back
            await self._apply_refunds()
            if self._refund_open() <= 0:
                self._collection = CollectionPhase.CREDITED
                return
            case = f" (finance case {self._refund_case})" if self._refund_case else ""
            await self._enter(
                f"the refund of {format_eur(self._refund_open())} to the client{case}",
                None,
                collection=CollectionPhase.REFUND_DUE,
            )
            await workflow.wait_condition(lambda: bool(inbox.refunds) or bool(inbox.payments))

    async def _apply_refunds(self) -> None:
        pending = self._inbox.refunds
        if self._claim is None or not pending:
            return
        while pending:
            refund = pending[0]
            split = self._claim.refund(refund.amount_cents, min(refund.refunded_on, self._today()))
            self._refunded += refund.amount_cents
            completes = self._credit_note is not None and self._claim.overpaid <= 0
            await self._steps.run(
                step.BOOK_REFUND,
                steps.BookRefund(
                    order_id=self._order.order_id,
                    refund=refund,
                    from_overpayments_cents=split.from_overpayments,
                    reopened_cents=split.reopened,
                    closes_case_id=self._refund_case if completes else None,
                ),
                f"Book refund of {format_eur(refund.amount_cents)}",
                "collection",
            )
            pending.pop(0)
        await self._publisher.publish(project=False)
