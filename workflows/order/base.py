"""What every part of the order workflow shares: the order, its business clock, the step
runner, the publisher, the messages received, and the stage of the order's run.

The parts (wage, collection, finance case, refunds) are mixins of ``OrderLifecycleWorkflow``;
each declares the state it owns, and reads the others' only through the names declared here
and in their classes.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from temporalio import workflow

with workflow.unsafe.imports_passed_through():
    from domain.order_messages import (
        Cancellation,
        Completion,
        FinanceDecision,
        OfferResponse,
        OrderInput,
        PaymentReceived,
        RefundRecorded,
    )
    from domain.order_phases import CollectionPhase
    from domain.order_status import OrderStatus
    from domain.payout_runs import (
        PayoutFailed,
        PayoutSent,
    )
    from domain.policy import JurisdictionPolicy, policy_for

from workflows.order.clock import BusinessClock
from workflows.order.publishing import Publisher
from workflows.order.steps import StepRunner


@dataclass
class Inbox:
    """Messages received and not yet acted on (the handlers only record; the run acts)."""

    offer: OfferResponse | None = None
    completion: Completion | None = None
    cancel: Cancellation | None = None
    decision: FinanceDecision | None = None  # one at a time: the validator refuses a second
    seen_payments: set[str] = field(default_factory=set)
    payments: list[PaymentReceived] = field(default_factory=list)
    seen_refunds: set[str] = field(default_factory=set)
    refunds: list[RefundRecorded] = field(default_factory=list)
    payout_sent: PayoutSent | None = None  # the payout run handed the wage to the bank
    # every payout handed to the bank, and every one it rejected or returned, by payout key
    payouts_sent: dict[str, PayoutSent] = field(default_factory=dict)
    payouts_failed: dict[str, PayoutFailed] = field(default_factory=dict)

    def add_payment(self, payment: PaymentReceived) -> None:
        if payment.payment_key not in self.seen_payments:
            self.seen_payments.add(payment.payment_key)
            self.payments.append(payment)

    def add_refund(self, refund: RefundRecorded) -> None:
        if refund.refund_key not in self.seen_refunds:
            self.seen_refunds.add(refund.refund_key)
            self.refunds.append(refund)

    def collection_news(self) -> bool:
        """Something the collection must act on arrived."""
        return (
            bool(self.payments)
            or self.decision is not None
            or bool(self.refunds)
            or self.cancel is not None
        )


class OrderBase:
    _order: OrderInput
    _clock: BusinessClock
    _steps: StepRunner
    _publisher: Publisher
    _inbox: Inbox
    _lean: bool  # started with the lean history (fewer events); older orders replay as before
    # The run's own stage: before the invoice, and the final status.
    _stage: OrderStatus
    _waiting_for: str
    _until: date | None
    # The collection's phase (None before the invoice); see domain.order_phases.
    _collection: CollectionPhase | None

    def _today(self) -> date:
        return self._clock.today()

    def _policy(self, on: date | None = None) -> JurisdictionPolicy:
        return policy_for(self._order.jurisdiction, on or self._today())

    def _status_entered(self) -> OrderStatus:
        """The status without refused steps (see ``domain.order_phases.published_status``)."""
        raise NotImplementedError

    async def _enter(
        self,
        waiting_for: str,
        until: date | None,
        *,
        stage: OrderStatus | None = None,
        collection: CollectionPhase | None = None,
        signed_by: str | None = None,
    ) -> None:
        """Enter a stage of the run or a phase of the collection, and say what it waits for."""
        if stage is not None:
            self._stage = stage
        if collection is not None:
            self._collection = collection
        self._waiting_for = waiting_for
        self._until = until
        await self._publisher.enter(self._status_entered(), signed_by=signed_by)
