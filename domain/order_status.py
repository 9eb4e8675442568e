"""The states an order passes through, as ops see them (``CoopOrderStatus``)."""

from __future__ import annotations

from enum import StrEnum


class OrderStatus(StrEnum):
    DRAFT = "Draft"
    AWAITING_SIGNATURE = "AwaitingSignature"
    SIGNED = "Signed"
    REJECTED = "Rejected"
    EXPIRED = "Expired"
    CANCELLED = "Cancelled"
    INVOICED = "Invoiced"
    OVERDUE = "Overdue"
    ESCALATED = "Escalated"
    PAYMENT_PLAN = "PaymentPlan"
    IN_COLLECTION = "InCollection"
    SETTLED = "Settled"  # invoice paid or written off, wage not yet paid
    REFUND_DUE = "RefundDue"  # invoice cancelled by a credit note, the client's money goes back
    CLOSED = "Closed"
    NEEDS_ATTENTION = "NeedsAttention"  # a step was refused; ops fix the cause and retry

    @property
    def is_final(self) -> bool:
        return self in {self.REJECTED, self.EXPIRED, self.CANCELLED, self.CLOSED}
