"""A stand-in for ``OrderLifecycleWorkflow`` with the same message names (``domain.order_contract``)
and types, so the API tests do not depend on the real workflow's timing.

Rules kept simple and visible: accept → Signed, reject → Rejected (ends), complete → Invoiced
(gross = net × 1.19), payments reduce what is due (deduplicated by ``payment_key``), the test
signal ``escalate`` → Escalated, decide(record_payment/write_off) settles, cancel before
completion → Cancelled (ends). Refusals carry a domain error code as the ApplicationError type.
"""

from __future__ import annotations

from datetime import timedelta

from temporalio import workflow
from temporalio.exceptions import ApplicationError

from domain import order_contract as contract
from domain.order_messages import (
    Cancellation,
    Completion,
    FinanceDecision,
    OfferResponse,
    OrderInput,
    OrderSummary,
    OrderView,
    PaymentReceived,
)
from domain.order_status import OrderStatus


def _refuse(message: str, code: str = "invalid-state") -> ApplicationError:
    return ApplicationError(message, type=code, non_retryable=True)


@workflow.defn(name=contract.WORKFLOW_TYPE)
class OrderWorkflowDouble:
    def __init__(self) -> None:
        self.input: OrderInput | None = None
        self.status = OrderStatus.AWAITING_SIGNATURE
        self.gross = 0
        self.paid = 0
        self.payment_keys: set[str] = set()
        self.escalated = False
        self.signer = ""
        self.completion: Completion | None = None

    @workflow.run
    async def run(self, order: OrderInput) -> OrderSummary:
        self.input = order
        await workflow.wait_condition(lambda: self.status.is_final, timeout=timedelta(days=400))
        return OrderSummary(
            order_id=order.order_id,
            status=self.status,
            outcome=self.status.value,
            gross_cents=self.gross,
            paid_cents=self.paid,
        )

    def _view(self) -> OrderView:
        assert self.input is not None
        waiting = {
            OrderStatus.AWAITING_SIGNATURE: "signature",
            OrderStatus.SIGNED: "completion",
            OrderStatus.INVOICED: "payment",
            OrderStatus.ESCALATED: "finance decision",
        }.get(self.status, "nothing")
        return OrderView(
            order_id=self.input.order_id,
            status=self.status,
            waiting_for=waiting,
            invoice_number="T-0001" if self.gross else None,
            gross_cents=self.gross,
            paid_cents=self.paid,
            principal_due_cents=max(self.gross - self.paid, 0),
            escalated=self.escalated,
            business_today=self.input.submitted_on,
        )

    @workflow.query(name=contract.STATE)
    def state(self) -> OrderView:
        return self._view()

    @workflow.query
    def completion_received(self) -> Completion | None:  # test only
        return self.completion

    @workflow.query
    def payments_seen(self) -> list[str]:  # test only
        return sorted(self.payment_keys)

    @workflow.update(name=contract.RESPOND_TO_OFFER)
    async def respond_to_offer(self, response: OfferResponse) -> OrderView:
        if response.signer_name == "Never Answered":  # test only: an order that hangs
            await workflow.wait_condition(lambda: False)
        self.signer = response.signer_name
        if response.decision == "accept":
            self.status = OrderStatus.SIGNED
        else:
            self.status = OrderStatus.REJECTED
        return self._view()

    @respond_to_offer.validator
    def _check_response(self, response: OfferResponse) -> None:
        if self.status != OrderStatus.AWAITING_SIGNATURE:
            raise _refuse(f"the offer was already answered (order is {self.status})")
        if response.signer_name.strip().lower() == "refuse me":
            raise _refuse("the signer's name is not acceptable", "invalid-signer")
        if response.signer_name.strip().lower() == "plain refusal":
            raise ValueError("this offer can no longer be answered")

    @workflow.update(name=contract.COMPLETE)
    async def complete(self, completion: Completion) -> OrderView:
        assert self.input is not None
        self.completion = completion
        self.gross = self.input.net_amount_cents * 119 // 100
        self.status = OrderStatus.INVOICED
        return self._view()

    @complete.validator
    def _check_complete(self, completion: Completion) -> None:
        assert self.input is not None
        if completion.member_id != self.input.member_id:
            raise _refuse("only the order's member can complete it", "not-your-order")
        if self.status != OrderStatus.SIGNED:
            raise _refuse(f"order is {self.status}; only a signed order can be completed")

    @workflow.update(name=contract.CANCEL)
    async def cancel(self, cancellation: Cancellation) -> OrderView:
        self.status = OrderStatus.CANCELLED
        return self._view()

    @cancel.validator
    def _check_cancel(self, cancellation: Cancellation) -> None:
        if self.status not in {OrderStatus.AWAITING_SIGNATURE, OrderStatus.SIGNED}:
            raise _refuse(f"order is {self.status}; it can no longer be cancelled")

    @workflow.update(name=contract.DECIDE)
    async def decide(self, decision: FinanceDecision) -> OrderView:
        if decision.kind == "record_payment" and decision.payment is not None:
            self._apply(decision.payment)
        if decision.kind == "write_off":
            self.status = OrderStatus.SETTLED
        self.escalated = False
        return self._view()

    @decide.validator
    def _check_decide(self, decision: FinanceDecision) -> None:
        if not self.escalated:
            raise _refuse("the order is not escalated; there is nothing to decide")

    @workflow.signal(name=contract.PAYMENT_RECEIVED)
    def payment_received(self, payment: PaymentReceived) -> None:
        self._apply(payment)

    @workflow.signal
    def escalate(self) -> None:  # test only: stands in for the dunning schedule
        self.escalated = True
        self.status = OrderStatus.ESCALATED

    def _apply(self, payment: PaymentReceived) -> None:
        if payment.payment_key in self.payment_keys:
            return
        self.payment_keys.add(payment.payment_key)
        self.paid += payment.amount_cents
        if self.gross and self.paid >= self.gross:
            self.status = OrderStatus.CLOSED
