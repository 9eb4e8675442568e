"""One order's whole life, as one durable workflow (id ``order-<order id>``).

sign → declare → complete → invoice → (wage after the policy's delay ‖ collection: reminders,
escalation, finance's decision) → close.

This file is the run, readable top to bottom, and the order's messages (Updates with their
validators, Signals, the Query). The branches after the invoice live beside it: ``wage.py``,
``collection.py`` (with ``finance_case.py`` and ``refunds.py``); ``publishing.py`` makes the
state visible; ``steps.py`` is the table of activity steps.
"""

from __future__ import annotations

import asyncio
from datetime import timedelta
from decimal import Decimal

from temporalio import workflow

with workflow.unsafe.imports_passed_through():
    from domain import order_contract as contract
    from domain import order_steps as steps
    from domain import salary_messages as salary
    from domain.money import format_eur, round_cents
    from domain.order_messages import (
        Cancellation,
        Completion,
        FinanceDecision,
        OfferResponse,
        OrderInput,
        OrderSummary,
        OrderView,
        PaymentReceived,
        RefundRecorded,
    )
    from domain.order_phases import published_status
    from domain.order_status import OrderStatus
    from domain.payout_runs import PayoutFailed, PayoutSent

from workflows.order import steps as step
from workflows.order.base import Inbox
from workflows.order.clock import BusinessClock
from workflows.order.collection import CollectionBranch
from workflows.order.finance_case import refusal
from workflows.order.publishing import Publisher, Shown
from workflows.order.steps import StepRunner
from workflows.order.wage import WageBranch

# Orders started from here on publish only what changed and run short database writes as local
# activities (see publishing.py and steps.py); older histories replay on the former path.
LEAN_HISTORY = "lean-history"
# The member's wage mode, read when the client signs: on a monthly salary the order pays no
# wage and declares no employment of its own; its employment budget stays in the budget.
WAGE_MODES = "wage-modes"


@workflow.defn(name=contract.WORKFLOW_TYPE)
class OrderLifecycleWorkflow(CollectionBranch, WageBranch):
    @workflow.init
    def __init__(self, order: OrderInput) -> None:
        self._order = order
        self._clock = BusinessClock.of_order(order)
        self._inbox = Inbox()
        self._lean = False  # decided by the run's first command
        self._steps = StepRunner(on_blocked=self._publish_blocked)
        self._publisher = Publisher(order.order_id, shown=self._shown)
        self._stage = OrderStatus.AWAITING_SIGNATURE
        self._waiting_for = "the client's signature"
        self._until = order.offer_valid_until
        self._init_collection()
        self._init_wage()
        self._monthly_salary = False

    # ------------------------------------------------------------------ what the order shows

    def _status_entered(self) -> OrderStatus:
        return published_status(self._stage, self._collection, needs_attention=False)

    def _status(self) -> OrderStatus:
        return published_status(
            self._stage, self._collection, needs_attention=bool(self._steps.blocked)
        )

    def _shown_waiting_for(self) -> str:
        return "; ".join(self._steps.blocked.values()) or self._waiting_for

    def _shown(self) -> Shown:
        claim = self._claim
        return Shown(
            status=self._status(),
            waiting_for=self._shown_waiting_for(),
            until=self._until,
            invoice=self._invoice,
            due_date=self._due_date(),
            amount_due=self._amount_due(),
            dunning_level=self._dunning_level(),
            escalated=self._collection is not None and self._collection.has_finance_case,
            credit_note=self._credit_note,
            refund_open=self._refund_open(),
            wage=self._wage,
            wage_day=self._wage_day,
            monthly_salary=self._monthly_salary,
            interest_runs_from=claim.interest_from if claim and claim.rules >= 2 else None,
            interest_accrued=(
                round_cents(claim.interest_accrued) if claim and claim.rules >= 2 else 0
            ),
        )

    async def _publish_blocked(self, blocked: bool) -> None:
        await self._publisher.blocked(blocked)

    @workflow.query(name=contract.STATE)
    def state(self) -> OrderView:
        shown = self._shown()
        return OrderView(
            order_id=self._order.order_id,
            status=shown.status,
            waiting_for=shown.waiting_for,
            until=shown.until,
            invoice_number=self._invoice.number if self._invoice else None,
            due_date=shown.due_date,
            gross_cents=self._invoice.gross_cents if self._invoice else 0,
            paid_cents=self._paid(),
            principal_due_cents=self._principal_due(),
            charges_due_cents=self._charges_due(),
            dunning_level=shown.dunning_level,
            escalated=shown.escalated,
            wage_paid=self._wage is not None,
            wage_mode="monthly" if self._monthly_salary else "per_order",
            payout_run=self._payout_run,
            business_today=self._today(),
            credit_note_number=self._credit_note.number if self._credit_note else None,
            refund_due_cents=shown.refund_open,
            interest_to_date_cents=self._claim.interest_to(self._today()) if self._claim else 0,
        )

    # ------------------------------------------------------------------ messages

    @workflow.update(name=contract.RESPOND_TO_OFFER)
    async def respond_to_offer(self, response: OfferResponse) -> OrderView:
        self._inbox.offer = response
        # Answer once the order has moved on, so the caller sees Signed (or Rejected).
        await workflow.wait_condition(lambda: self._stage != OrderStatus.AWAITING_SIGNATURE)
        return self.state()

    @respond_to_offer.validator
    def _validate_offer(self, response: OfferResponse) -> None:
        if self._stage != OrderStatus.AWAITING_SIGNATURE or self._inbox.offer or self._inbox.cancel:
            raise refusal(
                "invalid-state",
                f"this offer can no longer be answered (order is {self._status()})",
            )
        if self._today() > self._order.offer_valid_until:
            raise refusal("invalid-state", f"this offer expired on {self._order.offer_valid_until}")

    @workflow.update(name=contract.COMPLETE)
    async def complete(self, completion: Completion) -> OrderView:
        self._inbox.completion = completion
        # Answer once invoiced (or when the invoice waits for ops after a refused step).
        await workflow.wait_condition(
            lambda: self._stage != OrderStatus.SIGNED or bool(self._steps.blocked)
        )
        return self.state()

    @complete.validator
    def _validate_completion(self, completion: Completion) -> None:
        order = self._order
        if completion.member_id != order.member_id:
            raise refusal("not-the-members-order", "this order belongs to another member")
        if self._stage != OrderStatus.SIGNED or self._inbox.completion or self._inbox.cancel:
            raise refusal(
                "invalid-state",
                f"only a signed order can be completed (order is {self._status()})",
            )
        if completion.actual_start < order.period_start - timedelta(days=31):
            raise refusal(
                "invalid-period", "the actual period starts long before the agreed period"
            )
        if completion.actual_end > self._today():
            raise refusal("invalid-period", "work cannot be declared complete before its last day")
        fee = round_cents(Decimal(order.net_amount_cents) * self._policy().fee_rate)
        if completion.expenses_cents > order.net_amount_cents - fee:
            raise refusal(
                "invalid-amount",
                f"expenses of {format_eur(completion.expenses_cents)} exceed what the order "
                f"leaves after the cooperative's fee "
                f"({format_eur(order.net_amount_cents - fee)})",
            )

    @workflow.update(name=contract.CANCEL)
    async def cancel(self, cancellation: Cancellation) -> OrderView:
        self._inbox.cancel = cancellation
        # Answer once the order is over or, for an invoiced order, once the credit note is out
        # (refunds may take longer).
        await workflow.wait_condition(lambda: self._stage.is_final or self._credit_note is not None)
        return self.state()

    @cancel.validator
    def _validate_cancel(self, cancellation: Cancellation) -> None:
        if cancellation.member_id is not None and cancellation.member_id != self._order.member_id:
            raise refusal("not-the-members-order", "this order belongs to another member")
        if self._invoice is not None:
            self._validate_credit_note(cancellation)
            return
        if self._stage not in (OrderStatus.AWAITING_SIGNATURE, OrderStatus.SIGNED):
            raise refusal(
                "invalid-state",
                f"an order can be cancelled only before completion (order is {self._status()}); "
                "an issued invoice is corrected by a credit note",
            )
        if self._inbox.completion or self._inbox.cancel:
            raise refusal("invalid-state", "this order is already completing or cancelled")

    @workflow.update(name=contract.DECIDE)
    async def decide(self, decision: FinanceDecision) -> OrderView:
        self._inbox.decision = decision
        await workflow.wait_condition(lambda: self._inbox.decision is None)
        return self.state()

    @decide.validator
    def _validate_decide(self, decision: FinanceDecision) -> None:
        self._validate_decision(decision)

    @workflow.signal(name=contract.PAYMENT_RECEIVED)
    def payment_received(self, payment: PaymentReceived) -> None:
        self._inbox.add_payment(payment)

    @workflow.signal(name=contract.REFUND_RECORDED)
    def refund_recorded(self, refund: RefundRecorded) -> None:
        """Money paid back to the client (Stripe refund, bank transfer by finance)."""
        self._inbox.add_refund(refund)

    @workflow.signal(name=contract.PAYOUT_SENT)
    def payout_sent(self, sent: PayoutSent) -> None:
        """The payout run handed this order's wage to the bank."""
        if self._inbox.payout_sent is None:
            self._inbox.payout_sent = sent
        self._inbox.payouts_sent.setdefault(sent.payout_key, sent)

    @workflow.signal(name=contract.PAYOUT_FAILED)
    def payout_failed(self, failed: PayoutFailed) -> None:
        """The bank rejected (pain.002) or returned (camt) a payout of this order's wage."""
        self._inbox.payouts_failed.setdefault(failed.payout_key, failed)

    @workflow.signal(name=contract.RETRY_STEP)
    def retry_step(self) -> None:
        """Ops fixed the cause of a refused step (bank details, declaration data): try again."""
        self._steps.retry()

    # ------------------------------------------------------------------ the life

    @workflow.run
    async def run(self, order: OrderInput) -> OrderSummary:
        if workflow.patched(LEAN_HISTORY):
            self._lean = self._steps.lean = self._publisher.lean = True
            asyncio.create_task(self._publisher.run())
        inbox = self._inbox
        await self._enter(
            "the client's signature", order.offer_valid_until, stage=OrderStatus.AWAITING_SIGNATURE
        )
        await self._steps.run(
            step.SEND_OFFER,
            steps.SendOffer(order=order),
            f"E-mail the offer to {order.client_name}",
            "order",
        )
        answered = await self._clock.wait(
            lambda: inbox.offer is not None or inbox.cancel is not None,
            order.offer_valid_until + timedelta(days=1),
            "Offer expiry",
        )
        if inbox.cancel is not None:
            return await self._end(OrderStatus.CANCELLED, "cancelled before signature")
        if not answered or inbox.offer is None:
            return await self._end(OrderStatus.EXPIRED, "offer expired without an answer")
        if inbox.offer.decision == "reject":
            return await self._end(OrderStatus.REJECTED, f"rejected by {inbox.offer.signer_name}")

        await self._enter(
            "the employment declaration",
            None,
            stage=OrderStatus.SIGNED,
            signed_by=inbox.offer.signer_name,
        )
        if workflow.patched(WAGE_MODES):
            mode = await self._steps.run(
                step.WAGE_MODE_OF,
                salary.WageModeRequest(member_id=order.member_id, on=self._today()),
                "The member's wage mode",
                "order",
            )
            self._monthly_salary = mode == "monthly"
        if not self._monthly_salary:  # a monthly salary's employment continues: declared once
            await self._steps.run(
                step.DECLARE_EMPLOYMENT,
                steps.DeclareEmployment(
                    order_id=order.order_id,
                    kind="start",
                    period_start=order.period_start,
                    period_end=order.period_end,
                ),
                "Declare the employment to social security",
                "order",
            )
        await self._enter("the member's completion report", order.period_end)
        await workflow.wait_condition(
            lambda: inbox.completion is not None or inbox.cancel is not None
        )
        if inbox.cancel is not None or inbox.completion is None:
            if self._monthly_salary:
                return await self._end(OrderStatus.CANCELLED, "cancelled before completion")
            await self._steps.run(
                step.DECLARE_EMPLOYMENT,
                steps.DeclareEmployment(
                    order_id=order.order_id,
                    kind="end",
                    period_start=order.period_start,
                    period_end=max(order.period_start, self._today()),
                ),
                "End the employment declaration",
                "order",
            )
            return await self._end(OrderStatus.CANCELLED, "cancelled before completion")

        completed_on = self._today()
        await self._issue_invoice(inbox.completion, completed_on)
        await asyncio.gather(
            self._wage_branch(inbox.completion, completed_on), self._collection_branch()
        )
        if self._credit_note is not None:
            return await self._end(OrderStatus.CANCELLED, self._outcome())
        return await self._end(OrderStatus.CLOSED, self._outcome())

    # ------------------------------------------------------------------ the end

    def _outcome(self) -> str:
        outcome = self._collection_outcome()
        return outcome + ("; wage: monthly salary" if self._monthly_salary else "")

    def _collection_outcome(self) -> str:
        if self._credit_note is not None and self._invoice is not None:
            refunded = f"; {format_eur(self._refunded)} refunded" if self._refunded else ""
            return (
                f"invoice {self._invoice.number} cancelled by credit note "
                f"{self._credit_note.number}{refunded}"
            )
        if self._written_off:
            return f"written off {format_eur(self._written_off)} against the guarantee fund"
        waived = self._claim.charges_waived if self._claim else 0
        tail = f"; {format_eur(waived)} of charges waived" if waived else ""
        if self._claim and self._claim.charges_total:
            return f"paid after {self._dunning_level()} reminder(s){tail}"
        return "paid" + tail

    async def _end(self, status: OrderStatus, outcome: str) -> OrderSummary:
        today = self._today()
        await self._enter("nothing: the order is " + status.value.lower(), None, stage=status)
        if self._lean:
            await self._publisher.flush(closing=True)
        await self._steps.run(
            step.CLOSE_ORDER,
            steps.CloseOrder(
                order_id=self._order.order_id,
                status=status,
                on=today,
                monthly_salary=self._monthly_salary,
            ),
            f"Close the order ({status.value})",
            "order",
        )
        b = self._breakdown
        return OrderSummary(
            order_id=self._order.order_id,
            status=status,
            outcome=outcome,
            invoice_number=self._invoice.number if self._invoice else None,
            net_cents=b.net_cents if b else 0,
            vat_cents=b.vat_cents if b else 0,
            gross_cents=b.gross_invoice_cents if b else 0,
            paid_cents=self._paid(),
            charges_cents=self._claim.charges_total if self._claim else 0,
            written_off_cents=self._written_off,
            fee_cents=b.coop_share_cents if b else 0,
            gross_wage_cents=(
                self._payroll.gross_wage_cents if self._payroll else b.gross_wage_cents if b else 0
            ),
            net_wage_cents=(
                self._payroll.net_wage_cents if self._payroll else b.net_wage_cents if b else 0
            ),
            payout_cents=self._wage.payout_cents if self._wage else 0,
            advanced_by_guarantee_cents=self._wage.advanced_cents if self._wage else 0,
            dunning_level=self._dunning_level(),
            closed_on=today,
            interest_rate=self._claim.rate_on(today).rate if self._claim else None,
            credit_note_number=self._credit_note.number if self._credit_note else None,
            refunded_cents=self._refunded,
        )
