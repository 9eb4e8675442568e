"""One order's whole life, as one durable workflow (id ``order-<order id>``).

sign → declare → complete → invoice → (wage after the policy's delay ‖ collection: reminders,
escalation, finance's decision) → close.

Business time: every date the workflow reasons about is a business date. ``seconds_per_day``
(a workflow input, so replay is safe) maps wall time to business time: 86400 in production, 1
in the demo. Timers are computed from business dates through that scale.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from typing import Any, TypeVar

from temporalio import workflow
from temporalio.common import RetryPolicy
from temporalio.exceptions import ActivityError, ApplicationError

with workflow.unsafe.imports_passed_through():
    from domain import order_steps as steps
    from domain.breakdown import OrderBreakdown, compute_breakdown
    from domain.dunning import Claim
    from domain.guarantee import guarantee_applies
    from domain.money import format_eur, round_cents
    from domain.order_messages import (
        Cancellation,
        Completion,
        CreditNoteIssued,
        DunningNotice,
        FinanceCaseOpened,
        FinanceDecision,
        Instalment,
        InvoiceIssued,
        OfferResponse,
        OrderInput,
        OrderSummary,
        OrderView,
        PaymentReceived,
        RefundRecorded,
        RefundsStarted,
        WagePaid,
    )
    from domain.order_status import OrderStatus
    from domain.policy import DunningStage, JurisdictionPolicy, policy_for
    from domain.vat import decide_vat
    from workflows import search_attributes as sa

TASK_QUEUE = "coopflow-orders"
T = TypeVar("T")

_ACTIVITY_RETRY = RetryPolicy(
    initial_interval=timedelta(seconds=1),
    maximum_interval=timedelta(minutes=5),
    non_retryable_error_types=["PermanentError"],
)


def _refusal(kind: str, message: str) -> ApplicationError:
    """An Update validator's refusal: ``kind`` tells the API whether the order's state (409)
    or the input (422) is at fault; the message is for the person who asked."""
    return ApplicationError(message, type=kind, non_retryable=True)


def workflow_id(order_id: int) -> str:
    return f"order-{order_id}"


@workflow.defn
class OrderLifecycleWorkflow:
    @workflow.init
    def __init__(self, order: OrderInput) -> None:
        self._order = order
        self._status = OrderStatus.AWAITING_SIGNATURE
        self._waiting_for = "the client's signature"
        self._until: date | None = order.offer_valid_until
        self._offer: OfferResponse | None = None
        self._completion: Completion | None = None
        self._cancel: Cancellation | None = None
        self._seen_payments: set[str] = set()
        self._pending_payments: list[PaymentReceived] = []
        self._decisions: list[FinanceDecision] = []
        self._retry_requested = False
        self._blocked: str | None = None
        self._invoice: InvoiceIssued | None = None
        self._breakdown: OrderBreakdown | None = None
        self._claim: Claim | None = None
        self._written_off = 0
        self._escalated = False
        self._escalations = 0
        self._case_id: int | None = None
        self._in_collection = False
        self._plan: list[Instalment] = []
        self._plan_paid_from = 0
        self._advanced_outstanding = 0
        self._wage: WagePaid | None = None
        self._payroll: steps.PayrollDone | None = None
        self._wage_started = False
        self._credit_note: CreditNoteIssued | None = None
        self._refund_case: int | None = None
        self._refunded = 0
        self._seen_refunds: set[str] = set()
        self._pending_refunds: list[RefundRecorded] = []

    # ------------------------------------------------------------------ the claim, read-only

    @property
    def _principal_due(self) -> int:
        return self._claim.principal_due if self._claim else 0

    @property
    def _charges_due(self) -> int:
        return self._claim.charges_due if self._claim else 0

    @property
    def _charges_total(self) -> int:
        return self._claim.charges_total if self._claim else 0

    @property
    def _paid(self) -> int:
        return self._claim.paid if self._claim else 0

    @property
    def _dunning_level(self) -> int:
        return self._claim.level if self._claim else 0

    @property
    def _due_date(self) -> date | None:
        return self._claim.due_date if self._claim else None

    # ------------------------------------------------------------------ business clock

    def _scale(self) -> float:
        return 86400 / self._order.seconds_per_day

    def _business_now(self) -> datetime:
        start = workflow.info().workflow_start_time
        if start is None:  # only in odd test set-ups
            start = workflow.now()
        origin = datetime.combine(self._order.submitted_on, start.timetz())
        return origin + (workflow.now() - start) * self._scale()

    def _today(self) -> date:
        return self._business_now().date()

    def _wall_until(self, day: date) -> timedelta:
        """Wall time until the start of business ``day``."""
        target = datetime.combine(day, time(0, 0, 1), tzinfo=UTC)
        return (target - self._business_now()) / self._scale()

    async def _wait(self, condition: Callable[[], bool], until: date | None, why: str) -> bool:
        """Wait for ``condition`` or the start of business day ``until``; True if it held."""
        if until is None:
            await workflow.wait_condition(condition)
            return True
        wall = self._wall_until(until)
        if wall <= timedelta(0):
            return condition()
        try:
            await workflow.wait_condition(condition, timeout=wall, timeout_summary=why)
        except TimeoutError:
            return condition()
        return True

    async def _sleep_until(self, day: date, why: str) -> None:
        wall = self._wall_until(day)
        if wall > timedelta(0):
            await workflow.sleep(wall, summary=why)

    # ------------------------------------------------------------------ messages

    @workflow.update
    async def respond_to_offer(self, response: OfferResponse) -> OrderView:
        self._offer = response
        # Answer once the order has moved on, so the caller sees Signed (or Rejected).
        await workflow.wait_condition(lambda: self._status != OrderStatus.AWAITING_SIGNATURE)
        return self.state()

    @respond_to_offer.validator
    def _validate_offer(self, response: OfferResponse) -> None:
        if self._status != OrderStatus.AWAITING_SIGNATURE or self._offer or self._cancel:
            raise _refusal(
                "invalid-state", f"this offer can no longer be answered (order is {self._status})"
            )
        if self._today() > self._order.offer_valid_until:
            raise _refusal(
                "invalid-state", f"this offer expired on {self._order.offer_valid_until}"
            )

    @workflow.update
    async def complete(self, completion: Completion) -> OrderView:
        self._completion = completion
        await workflow.wait_condition(lambda: self._status != OrderStatus.SIGNED)
        return self.state()

    @complete.validator
    def _validate_completion(self, completion: Completion) -> None:
        if completion.member_id != self._order.member_id:
            raise _refusal("not-the-members-order", "this order belongs to another member")
        if self._status != OrderStatus.SIGNED or self._completion or self._cancel:
            raise _refusal(
                "invalid-state", f"only a signed order can be completed (order is {self._status})"
            )
        if completion.actual_start < self._order.period_start - timedelta(days=31):
            raise _refusal(
                "invalid-period", "the actual period starts long before the agreed period"
            )
        if completion.actual_end > self._today():
            raise _refusal("invalid-period", "work cannot be declared complete before its last day")
        available = self._policy().fee_rate
        fee = round_cents(Decimal(self._order.net_amount_cents) * available)
        if completion.expenses_cents > self._order.net_amount_cents - fee:
            raise _refusal(
                "invalid-amount",
                f"expenses of {format_eur(completion.expenses_cents)} exceed what the order "
                f"leaves after the cooperative's fee "
                f"({format_eur(self._order.net_amount_cents - fee)})",
            )

    @workflow.update
    async def cancel(self, cancellation: Cancellation) -> OrderView:
        self._cancel = cancellation
        # Answer once the order is over or, for an invoiced order, once the credit note is out
        # (refunds may take longer).
        await workflow.wait_condition(
            lambda: self._status.is_final or self._credit_note is not None
        )
        return self.state()

    @cancel.validator
    def _validate_cancel(self, cancellation: Cancellation) -> None:
        if cancellation.member_id is not None and cancellation.member_id != self._order.member_id:
            raise _refusal("not-the-members-order", "this order belongs to another member")
        if self._invoice is not None:
            self._validate_credit_note(cancellation)
            return
        if self._status not in (OrderStatus.AWAITING_SIGNATURE, OrderStatus.SIGNED):
            raise _refusal(
                "invalid-state",
                f"an order can be cancelled only before completion (order is {self._status}); "
                "an issued invoice is corrected by a credit note",
            )
        if self._completion or self._cancel:
            raise _refusal("invalid-state", "this order is already completing or cancelled")

    def _validate_credit_note(self, cancellation: Cancellation) -> None:
        """An invoiced order is cancelled only by finance, by a credit note, while its wage is
        not being paid (a paid wage is settled by write-off, not by cancelling the invoice)."""
        assert self._invoice is not None
        if cancellation.member_id is not None:
            raise _refusal(
                "invalid-state",
                f"invoice {self._invoice.number} is issued: only finance can cancel it, "
                "by a credit note",
            )
        if self._cancel is not None or self._credit_note is not None:
            raise _refusal("invalid-state", "this invoice is already being cancelled")
        if self._wage_started or self._wage is not None:
            raise _refusal(
                "invalid-state",
                "the member's wage for this order is being paid or paid: the invoice can no "
                "longer be cancelled; finance can write the claim off instead",
            )
        if self._in_collection:
            raise _refusal(
                "invalid-state", "the invoice is with the collection agency: withdraw it first"
            )
        if self._written_off:
            raise _refusal("invalid-state", "the invoice was written off")
        if self._status == OrderStatus.NEEDS_ATTENTION:
            raise _refusal(
                "invalid-state", f"a step waits for ops ({self._blocked}); resolve it first"
            )
        if self._decisions:
            raise _refusal("conflict", "a finance decision is being applied; retry shortly")

    @workflow.update
    async def decide(self, decision: FinanceDecision) -> OrderView:
        self._decisions.append(decision)
        await workflow.wait_condition(lambda: not self._decisions)
        return self.state()

    @decide.validator
    def _validate_decision(self, decision: FinanceDecision) -> None:
        if not (self._escalated or self._in_collection):
            raise _refusal(
                "invalid-state", f"there is no open finance case on this order ({self._status})"
            )
        if self._decisions:
            raise _refusal(
                "conflict", "another decision on this case is being applied; retry shortly"
            )
        if self._in_collection and decision.kind not in ("write_off", "record_payment"):
            raise _refusal(
                "invalid-state",
                "the invoice is with the collection agency: only a payment or a "
                "write-off can be recorded",
            )
        today = self._today()
        if decision.kind == "extend" and decision.new_due_date and decision.new_due_date <= today:
            raise _refusal("invalid-date", f"the new due date must be after today ({today})")
        if decision.kind == "instalments":
            if decision.instalments[0].due_on <= today:
                raise _refusal(
                    "invalid-date", f"the first instalment must fall after today ({today})"
                )
            planned = sum(i.amount_cents for i in decision.instalments)
            owed = self._principal_due + self._charges_due
            if planned != owed:
                raise _refusal(
                    "invalid-amount",
                    f"the instalments add up to {format_eur(planned)} but "
                    f"{format_eur(owed)} is owed",
                )
        if decision.payment is not None and decision.payment.payment_key in self._seen_payments:
            raise _refusal("already-recorded", "this payment was already recorded")

    @workflow.signal
    def payment_received(self, payment: PaymentReceived) -> None:
        if payment.payment_key in self._seen_payments:
            return
        self._seen_payments.add(payment.payment_key)
        self._pending_payments.append(payment)

    @workflow.signal
    def refund_recorded(self, refund: RefundRecorded) -> None:
        """Money paid back to the client (Stripe refund, bank transfer by finance)."""
        if refund.refund_key in self._seen_refunds:
            return
        self._seen_refunds.add(refund.refund_key)
        self._pending_refunds.append(refund)

    @workflow.signal
    def retry_step(self) -> None:
        """Ops fixed the cause of a refused step (bank details, declaration data): try again."""
        self._retry_requested = True

    @workflow.query
    def state(self) -> OrderView:
        return OrderView(
            order_id=self._order.order_id,
            status=self._status,
            waiting_for=self._blocked or self._waiting_for,
            until=self._until,
            invoice_number=self._invoice.number if self._invoice else None,
            due_date=self._due_date,
            gross_cents=self._invoice.gross_cents if self._invoice else 0,
            paid_cents=self._paid,
            principal_due_cents=self._principal_due,
            charges_due_cents=self._charges_due,
            dunning_level=self._dunning_level,
            escalated=self._escalated,
            wage_paid=self._wage is not None,
            business_today=self._today(),
            credit_note_number=self._credit_note.number if self._credit_note else None,
            refund_due_cents=self._refund_open(),
        )

    # ------------------------------------------------------------------ the life

    @workflow.run
    async def run(self, order: OrderInput) -> OrderSummary:
        await self._enter(
            OrderStatus.AWAITING_SIGNATURE, "the client's signature", order.offer_valid_until
        )
        await self._step(
            steps.SEND_OFFER,
            steps.SendOffer(order=order),
            f"E-mail the offer to {order.client_name}",
        )
        answered = await self._wait(
            lambda: self._offer is not None or self._cancel is not None,
            order.offer_valid_until + timedelta(days=1),
            "Offer expiry",
        )
        if self._cancel is not None:
            return await self._end(OrderStatus.CANCELLED, "cancelled before signature")
        if not answered or self._offer is None:
            return await self._end(OrderStatus.EXPIRED, "offer expired without an answer")
        if self._offer.decision == "reject":
            return await self._end(OrderStatus.REJECTED, f"rejected by {self._offer.signer_name}")

        await self._enter(
            OrderStatus.SIGNED,
            "the employment declaration",
            None,
            signed_by=self._offer.signer_name,
        )
        await self._step(
            steps.DECLARE_EMPLOYMENT,
            steps.DeclareEmployment(
                order_id=order.order_id,
                kind="start",
                period_start=order.period_start,
                period_end=order.period_end,
            ),
            "Declare the employment to social security",
        )
        await self._enter(OrderStatus.SIGNED, "the member's completion report", order.period_end)
        await workflow.wait_condition(
            lambda: self._completion is not None or self._cancel is not None
        )
        if self._cancel is not None or self._completion is None:
            await self._step(
                steps.DECLARE_EMPLOYMENT,
                steps.DeclareEmployment(
                    order_id=order.order_id,
                    kind="end",
                    period_start=order.period_start,
                    period_end=max(order.period_start, self._today()),
                ),
                "End the employment declaration",
            )
            return await self._end(OrderStatus.CANCELLED, "cancelled before completion")

        completed_on = self._today()
        await self._issue_invoice(self._completion, completed_on)
        await asyncio.gather(
            self._wage_branch(self._completion, completed_on), self._collection_branch()
        )
        if self._credit_note is not None:
            return await self._end(OrderStatus.CANCELLED, self._outcome())
        return await self._end(OrderStatus.CLOSED, self._outcome())

    # ------------------------------------------------------------------ stages

    def _policy(self, on: date | None = None) -> JurisdictionPolicy:
        return policy_for(self._order.jurisdiction, on or self._today())

    async def _issue_invoice(self, completion: Completion, issued_on: date) -> None:
        order = self._order
        policy = self._policy(issued_on)
        vat = decide_vat(
            policy,
            client_country=order.client_country,
            client_is_business=order.client_is_business,
            client_vat_id=order.client_vat_id,
            category=order.vat_category,
        )
        self._breakdown = compute_breakdown(
            policy,
            net_cents=order.net_amount_cents,
            vat_rate=vat.rate,
            expenses_cents=completion.expenses_cents,
        )
        due = issued_on + timedelta(days=order.payment_terms_days)
        self._invoice = await self._step(
            steps.ISSUE_INVOICE,
            steps.IssueInvoice(
                order=order,
                breakdown=self._breakdown,
                vat=vat,
                issue_date=issued_on,
                due_date=due,
                actual_start=completion.actual_start,
                actual_end=completion.actual_end,
                work_days=completion.work_days,
            ),
            f"Issue and send the invoice ({format_eur(self._breakdown.gross_invoice_cents)})",
            result_type=InvoiceIssued,
        )
        self._claim = Claim(
            policy=policy,
            client_is_business=order.client_is_business,
            due_date=self._invoice.due_date,
            principal_due=self._invoice.gross_cents,
        )
        await self._enter(OrderStatus.INVOICED, "the client's payment", self._due_date)

    async def _wage_branch(self, completion: Completion, completed_on: date) -> None:
        assert self._breakdown is not None
        policy = self._policy(completed_on)
        wage_day = completed_on + timedelta(days=policy.wage_delay_days)
        why = f"Wage day {wage_day} ({policy.wage_delay_days} days after completion)"
        if workflow.patched("credit-notes"):
            # Finance may cancel the invoice by a credit note until the wage day.
            await self._wait(lambda: self._cancel is not None, wage_day, why)
        else:
            await self._sleep_until(wage_day, why)
        if self._order.prepayment_required or not guarantee_applies(self._order.client_country):
            # No guarantee outside the EU or for a blocked client: the client pays first, then
            # the wage follows.
            await workflow.wait_condition(
                lambda: self._invoice_settled() or self._cancel is not None
            )
        if self._cancel is not None:
            # The invoice is cancelled: no wage from this order; the employment ends.
            await self._declare_end(
                completion, "End-of-employment declaration (invoice cancelled, no wage)"
            )
            return
        self._wage_started = True
        pay_date = self._today()
        breakdown = self._breakdown
        payroll_request = steps.RunPayroll(
            order=self._order,
            breakdown=breakdown,
            pay_date=pay_date,
            actual_start=completion.actual_start,
            actual_end=completion.actual_end,
            work_days=completion.work_days,
        )
        if workflow.patched("exact-payroll"):
            self._payroll = await self._step(
                steps.RUN_EXACT_PAYROLL,
                payroll_request,
                "Payroll from the employment budget "
                f"{format_eur(breakdown.employment_budget_cents)}",
                result_type=steps.PayrollDone,
            )
            payslip_id, payout = self._payroll.payslip_id, self._payroll.payout_cents
        else:  # orders whose wage step ran before the exact engines
            payslip_id = await self._step(
                steps.RUN_PAYROLL,
                payroll_request,
                f"Payroll: gross wage {format_eur(breakdown.gross_wage_cents)}",
                result_type=int,
            )
            payout = breakdown.payout_cents
        advanced = min(payout, self._principal_due)
        self._wage = await self._step(
            steps.PAY_WAGE,
            steps.PayWage(
                order=self._order,
                payslip_id=payslip_id,
                payout_cents=payout,
                advanced_cents=advanced,
                execution_date=pay_date,
            ),
            f"Pay out {format_eur(payout)}"
            + (f" ({format_eur(advanced)} advanced by the guarantee fund)" if advanced else ""),
            result_type=WagePaid,
        )
        self._advanced_outstanding = advanced
        await self._declare_end(completion, "End-of-employment declaration")

    async def _declare_end(self, completion: Completion, summary: str) -> None:
        await self._step(
            steps.DECLARE_EMPLOYMENT,
            steps.DeclareEmployment(
                order_id=self._order.order_id,
                kind="end",
                period_start=completion.actual_start,
                period_end=completion.actual_end,
            ),
            summary,
        )

    def _invoice_settled(self) -> bool:
        return self._invoice is not None and self._principal_due == 0 and self._charges_due == 0

    async def _collection_branch(self) -> None:
        while True:
            if self._cancel is not None:
                await self._cancel_invoice(self._cancel)
                return
            await self._apply_payments()
            await self._apply_refunds()
            if self._invoice_settled():
                if self._wage is None:
                    await self._enter(OrderStatus.SETTLED, "the wage day", None)
                if self._wage_started:
                    return
                # Until the wage goes out, finance may still cancel the invoice, and a refund
                # may re-open it.
                await workflow.wait_condition(
                    lambda: (
                        self._wage_started
                        or self._cancel is not None
                        or bool(self._pending_refunds)
                    )
                )
                if self._wage_started and not self._pending_refunds:
                    return
                continue
            if self._escalated or self._in_collection:
                await self._await_decision()
            elif self._plan:
                await self._follow_plan()
            else:
                await self._dun()

    def _activity_pending(self) -> bool:
        return (
            bool(self._pending_payments)
            or bool(self._decisions)
            or bool(self._pending_refunds)
            or self._cancel is not None
        )

    async def _dun(self) -> None:
        assert self._claim is not None
        assert self._due_date is not None
        when, stage = self._claim.next_step()
        what = stage.name if stage else "escalation to finance"
        if self._today() <= self._due_date:
            # Not yet due: wake the day after the due date to show the order as overdue.
            await self._enter(
                OrderStatus.INVOICED,
                f"the client's payment of {format_eur(self._amount_due())}",
                self._due_date,
            )
            await self._wait(self._activity_pending, self._due_date + timedelta(days=1), "Due date")
            return
        status = OrderStatus.OVERDUE
        await self._enter(
            status, f"payment of {format_eur(self._amount_due())}; next: {what}", when
        )
        if await self._wait(self._activity_pending, when, what):
            return  # a payment arrived: the loop applies it and looks again
        # Reconcile before acting: a payment recorded but not yet signalled stops a reminder.
        for payment in await self._step(
            steps.UNAPPLIED_PAYMENTS,
            steps.UnappliedPayments(order_id=self._order.order_id),
            "Look for unapplied payments",
            result_type=list[PaymentReceived],
        ):
            self.payment_received(payment)
        if self._pending_payments:
            return
        if stage is None:
            await self._escalate()
        else:
            await self._send_reminder(stage)

    async def _send_reminder(self, stage: DunningStage) -> None:
        assert self._invoice is not None
        assert self._claim is not None
        today = self._today()
        principal_due = self._claim.principal_due
        earlier_charges = self._claim.charges_due
        charges = self._claim.remind(stage, today)
        await self._step(
            steps.SEND_REMINDER,
            steps.SendReminder(
                order=self._order,
                invoice_id=self._invoice.invoice_id,
                level=stage.level,
                name=stage.name,
                issue_date=today,
                pay_by=charges.pay_by,
                principal_due_cents=principal_due,
                fee_cents=charges.fee,
                flat_compensation_cents=charges.flat_compensation,
                interest_cents=charges.interest,
                interest_rate=charges.interest_rate,
                earlier_charges_due_cents=earlier_charges,
            ),
            f"{stage.name} for {self._invoice.number}",
            result_type=DunningNotice,
        )

    async def _escalate(self) -> None:
        assert self._invoice is not None
        self._escalations += 1
        case = await self._step(
            steps.OPEN_FINANCE_CASE,
            steps.OpenFinanceCase(
                order_id=self._order.order_id,
                invoice_id=self._invoice.invoice_id,
                opened_on=self._today(),
                amount_due_cents=self._amount_due(),
                dunning_level=self._dunning_level,
                attempt=self._escalations,
            ),
            f"Open finance case for {self._invoice.number}",
            result_type=FinanceCaseOpened,
        )
        self._case_id = case.case_id
        self._escalated = True
        self._plan = []

    async def _await_decision(self) -> None:
        status = OrderStatus.IN_COLLECTION if self._in_collection else OrderStatus.ESCALATED
        what = (
            "payment through the collection agency"
            if self._in_collection
            else f"finance's decision on case {self._case_id}"
        )
        await self._enter(status, what, None)
        await workflow.wait_condition(self._activity_pending)
        if self._decisions:
            await self._apply_decision(self._decisions[0])
            self._decisions.pop(0)

    async def _apply_decision(self, decision: FinanceDecision) -> None:
        assert self._case_id is not None
        assert self._invoice is not None
        assert self._claim is not None
        await self._step(
            steps.RECORD_DECISION,
            steps.RecordDecision(case_id=self._case_id, decision=decision),
            f"Record finance decision: {decision.kind}",
        )
        today = self._today()
        if decision.kind == "extend" and decision.new_due_date is not None:
            self._escalated = False
            self._claim.extend(decision.new_due_date, today)
        elif decision.kind == "record_payment" and decision.payment is not None:
            self.payment_received(decision.payment)
            await self._apply_payments()
        elif decision.kind == "instalments":
            self._escalated = False
            self._plan = list(decision.instalments)
            self._plan_paid_from = self._paid
        elif decision.kind == "collection":
            self._in_collection = True
        elif decision.kind == "write_off":
            await self._step(
                steps.WRITE_OFF,
                steps.WriteOff(
                    order_id=self._order.order_id,
                    invoice_id=self._invoice.invoice_id,
                    case_id=self._case_id,
                    principal_cents=self._principal_due,
                    charges_cents=self._charges_due,
                    on=today,
                ),
                f"Write off {format_eur(self._amount_due())} against the guarantee fund",
            )
            self._written_off = sum(self._claim.write_off())
            self._escalated = False
            self._in_collection = False

    async def _follow_plan(self) -> None:
        planned = 0
        for instalment in self._plan:
            planned += instalment.amount_cents
            if self._paid - self._plan_paid_from >= planned:
                continue
            check_on = instalment.due_on + timedelta(days=1)
            await self._enter(
                OrderStatus.PAYMENT_PLAN,
                f"instalment of {format_eur(instalment.amount_cents)}",
                instalment.due_on,
            )
            if await self._wait(self._activity_pending, check_on, "Instalment due"):
                return
            if self._paid - self._plan_paid_from < planned:
                await self._escalate()  # a missed instalment goes back to finance
            return
        await self._escalate()  # plan finished but something is still owed

    async def _apply_payments(self) -> None:
        assert self._invoice is not None
        assert self._claim is not None
        while self._pending_payments:
            payment = self._pending_payments[0]
            split = self._claim.apply_payment(
                payment.amount_cents, min(payment.received_on, self._today())
            )
            repaid = min(self._advanced_outstanding, split.to_principal)
            await self._step(
                steps.APPLY_PAYMENT,
                steps.ApplyPayment(
                    order_id=self._order.order_id,
                    invoice_id=self._invoice.invoice_id,
                    payment=payment,
                    to_principal_cents=split.to_principal,
                    to_charges_cents=split.to_charges,
                    overpaid_cents=split.overpaid,
                    fund_repaid_cents=repaid,
                ),
                f"Book payment of {format_eur(payment.amount_cents)}",
            )
            self._pending_payments.pop(0)
            self._advanced_outstanding -= repaid
        if self._escalated and self._invoice_settled():
            self._escalated = False
        await self._publish()

    async def _cancel_invoice(self, cancellation: Cancellation) -> None:
        """Finance cancelled the invoice: a credit note cancels it in full, open charges fall
        away, and everything the client paid goes back (Stripe refunds at once, the rest by
        finance's transfer), each refund booked as it is recorded."""
        assert self._invoice is not None
        assert self._claim is not None
        assert self._breakdown is not None
        await self._apply_payments()
        today = self._today()
        cancelled = self._claim.cancel()
        self._escalated = False
        self._plan = []
        self._credit_note = await self._step(
            steps.ISSUE_CREDIT_NOTE,
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
            result_type=CreditNoteIssued,
        )
        if self._claim.overpaid <= 0:
            return
        started = await self._step(
            steps.REFUND_CLIENT,
            steps.RefundClient(
                order_id=self._order.order_id,
                invoice_id=self._invoice.invoice_id,
                amount_cents=self._claim.overpaid,
                on=today,
            ),
            f"Refund {format_eur(self._claim.overpaid)} to {self._order.client_name}",
            result_type=RefundsStarted,
        )
        self._refund_case = started.case_id
        for refund in started.refunds:
            self.refund_recorded(refund)
        while True:
            await self._apply_payments()  # a client paying a cancelled invoice is owed it back
            await self._apply_refunds()
            if self._refund_open() <= 0:
                return
            case = f" (finance case {self._refund_case})" if self._refund_case else ""
            await self._enter(
                OrderStatus.REFUND_DUE,
                f"the refund of {format_eur(self._refund_open())} to the client{case}",
                None,
            )
            await workflow.wait_condition(
                lambda: bool(self._pending_refunds) or bool(self._pending_payments)
            )

    def _refund_open(self) -> int:
        if self._credit_note is None or self._claim is None:
            return 0
        return max(self._claim.overpaid, 0)

    async def _apply_refunds(self) -> None:
        if self._claim is None or not self._pending_refunds:
            return
        while self._pending_refunds:
            refund = self._pending_refunds[0]
            split = self._claim.refund(refund.amount_cents, min(refund.refunded_on, self._today()))
            self._refunded += refund.amount_cents
            completes = self._credit_note is not None and self._claim.overpaid <= 0
            await self._step(
                steps.BOOK_REFUND,
                steps.BookRefund(
                    order_id=self._order.order_id,
                    refund=refund,
                    from_overpayments_cents=split.from_overpayments,
                    reopened_cents=split.reopened,
                    closes_case_id=self._refund_case if completes else None,
                ),
                f"Book refund of {format_eur(refund.amount_cents)}",
            )
            self._pending_refunds.pop(0)
        await self._publish(project=False)

    # ------------------------------------------------------------------ bookkeeping

    def _amount_due(self) -> int:
        return self._principal_due + self._charges_due

    def _outcome(self) -> str:
        if self._credit_note is not None and self._invoice is not None:
            refunded = f"; {format_eur(self._refunded)} refunded" if self._refunded else ""
            return (
                f"invoice {self._invoice.number} cancelled by credit note "
                f"{self._credit_note.number}{refunded}"
            )
        if self._written_off:
            return f"written off {format_eur(self._written_off)} against the guarantee fund"
        if self._charges_total:
            return f"paid after {self._dunning_level} reminder(s)"
        return "paid"

    async def _enter(
        self,
        status: OrderStatus,
        waiting_for: str,
        until: date | None,
        signed_by: str | None = None,
    ) -> None:
        changed = status != self._status or signed_by is not None
        self._status = status
        self._waiting_for = waiting_for
        self._until = until
        await self._publish(project=changed, signed_by=signed_by)

    async def _publish(self, project: bool = True, signed_by: str | None = None) -> None:
        """Make the state visible: current details and search attributes in the Temporal UI,
        and the database projection the API reads."""
        until = f" **until** {self._until.isoformat()}" if self._until else ""
        lines = [
            f"**Status:** {self._status.value}",
            f"**Waiting for** {self._blocked or self._waiting_for}{until}",
        ]
        if self._invoice:
            lines.append(
                f"**Invoice** {self._invoice.number}, due {self._due_date}: "
                f"{format_eur(self._amount_due())} open of "
                f"{format_eur(self._invoice.gross_cents)}"
            )
        if self._dunning_level:
            lines.append(f"**Dunning level** {self._dunning_level}")
        if self._credit_note:
            lines.append(
                f"**Credit note** {self._credit_note.number} of {self._credit_note.issue_date}"
                + (f": {format_eur(self._refund_open())} to refund" if self._refund_open() else "")
            )
        if self._wage:
            lines.append(
                f"**Wage paid** {self._wage.paid_on}: {format_eur(self._wage.payout_cents)}"
            )
        workflow.set_current_details("\n\n".join(lines))
        updates: list[Any] = [
            sa.ORDER_STATUS.value_set(self._status.value),
            sa.AMOUNT_DUE.value_set(self._amount_due()),
            sa.DUNNING_LEVEL.value_set(self._dunning_level),
            sa.ESCALATED.value_set(self._escalated),
        ]
        if self._invoice:
            updates.append(sa.INVOICE_NUMBER.value_set(self._invoice.number))
        if self._due_date:
            updates.append(
                sa.DUE_DATE.value_set(datetime.combine(self._due_date, time(), tzinfo=UTC))
            )
        workflow.upsert_search_attributes(updates)
        if project:
            await workflow.execute_local_activity(
                steps.PROJECT_STATUS,
                steps.ProjectStatus(
                    order_id=self._order.order_id,
                    status=self._status,
                    amount_due_cents=self._amount_due(),
                    dunning_level=self._dunning_level,
                    escalated=self._escalated,
                    signed_by=signed_by,
                ),
                start_to_close_timeout=timedelta(seconds=30),
                retry_policy=_ACTIVITY_RETRY,
                summary=f"Project status {self._status.value}",
            )

    async def _step(
        self, name: str, request: Any, summary: str, result_type: type[T] | None = None
    ) -> T:
        """Run an activity. A permanent refusal (bad bank details, a refused declaration) is
        not swallowed: the order shows it to ops and waits for the ``retry_step`` signal."""
        while True:
            try:
                return await workflow.execute_activity(
                    name,
                    request,
                    start_to_close_timeout=timedelta(minutes=2),
                    retry_policy=_ACTIVITY_RETRY,
                    result_type=result_type,
                    summary=summary,
                )
            except ActivityError as err:
                cause = err.cause
                if not isinstance(cause, ApplicationError) or not cause.non_retryable:
                    raise
                self._blocked = f"ops: {summary} was refused: {cause.message}"
                self._retry_requested = False
                previous = self._status
                self._status = OrderStatus.NEEDS_ATTENTION
                await self._publish()
                await workflow.wait_condition(lambda: self._retry_requested)
                self._blocked = None
                self._status = previous
                await self._publish()

    async def _end(self, status: OrderStatus, outcome: str) -> OrderSummary:
        today = self._today()
        await self._enter(status, "nothing: the order is " + status.value.lower(), None)
        await self._step(
            steps.CLOSE_ORDER,
            steps.CloseOrder(order_id=self._order.order_id, status=status, on=today),
            f"Close the order ({status.value})",
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
            paid_cents=self._paid,
            charges_cents=self._charges_total,
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
            dunning_level=self._dunning_level,
            closed_on=today,
            interest_rate=(
                self._policy().interest_rate(self._order.client_is_business) if b else None
            ),
            credit_note_number=self._credit_note.number if self._credit_note else None,
            refunded_cents=self._refunded,
        )
