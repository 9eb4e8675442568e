"""The API tests' order workflow double, plus the ``refund_recorded`` signal the Stripe inbox
sends. It keeps every refund signal it receives, repeats included, so a test sees needless
signals as well as missing ones."""

from __future__ import annotations

from temporalio import workflow

from domain import order_contract as contract
from domain.order_messages import OrderInput, OrderSummary, RefundRecorded
from tests.api.order_workflow_double import OrderWorkflowDouble


@workflow.defn(name=contract.WORKFLOW_TYPE)
class StripeOrderWorkflowDouble(OrderWorkflowDouble):
    def __init__(self) -> None:
        super().__init__()
        self.refund_signals: list[RefundRecorded] = []

    @workflow.run
    async def run(self, order: OrderInput) -> OrderSummary:
        return await super().run(order)

    @workflow.signal(name=contract.REFUND_RECORDED)
    def refund_recorded(self, refund: RefundRecorded) -> None:
        self.refund_signals.append(refund)

    @workflow.query
    def refunds_received(self) -> list[RefundRecorded]:  # test only
        return self.refund_signals
