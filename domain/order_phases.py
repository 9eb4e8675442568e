"""Where each branch of an order stands after its invoice, and the one status ops see.

After the invoice an order runs two branches at once: the wage (paid on the wage day whether or
not the client paid) and the collection (payments, reminders, finance's case, refunds). Each
branch has its own phase and its own refused step; the status published to the Temporal UI
(``CoopOrderStatus``) and the database is derived from them by ``published_status`` alone, so
a branch can never overwrite what the other one shows.
"""

from __future__ import annotations

from enum import StrEnum

from domain.order_status import OrderStatus


class CollectionPhase(StrEnum):
    """The invoice's collection, next to its ``Claim`` (what is owed)."""

    NOT_DUE = "not_due"  # sent, the due date has not passed
    OVERDUE = "overdue"  # past due: reminders by the policy's dunning schedule
    ESCALATED = "escalated"  # a finance case waits for a decision
    PAYMENT_PLAN = "payment_plan"  # finance agreed instalments
    IN_COLLECTION = "in_collection"  # handed to the collection agency
    SETTLED = "settled"  # paid or written off
    REFUND_DUE = "refund_due"  # cancelled by a credit note; the client's money goes back
    CREDITED = "credited"  # cancelled by a credit note, nothing (more) to refund

    @property
    def has_finance_case(self) -> bool:
        """Finance decides on the invoice (``CoopEscalated``)."""
        return self in (CollectionPhase.ESCALATED, CollectionPhase.IN_COLLECTION)


class WagePhase(StrEnum):
    WAITING = "waiting"  # until the wage day (finance may still cancel the invoice)
    AWAITING_PREPAYMENT = "awaiting_prepayment"  # no guarantee: the client pays first
    PAYING = "paying"  # payroll, payout and end-of-employment declaration under way
    PAID = "paid"
    RETURNED = "returned"  # the bank rejected or returned the payout: ops fix, then retry
    NOT_PAID = "not_paid"  # the invoice was cancelled: no wage from this order
    MONTHLY_SALARY = "monthly_salary"  # the member is paid a monthly salary from the budget


_COLLECTION_STATUS = {
    CollectionPhase.NOT_DUE: OrderStatus.INVOICED,
    CollectionPhase.OVERDUE: OrderStatus.OVERDUE,
    CollectionPhase.ESCALATED: OrderStatus.ESCALATED,
    CollectionPhase.PAYMENT_PLAN: OrderStatus.PAYMENT_PLAN,
    CollectionPhase.IN_COLLECTION: OrderStatus.IN_COLLECTION,
    CollectionPhase.SETTLED: OrderStatus.SETTLED,
    CollectionPhase.REFUND_DUE: OrderStatus.REFUND_DUE,
    CollectionPhase.CREDITED: OrderStatus.CANCELLED,
}


def published_status(
    stage: OrderStatus, collection: CollectionPhase | None, *, needs_attention: bool
) -> OrderStatus:
    """The one status of an order.

    ``stage`` is where the order's run stands (awaiting signature, signed, invoiced, or its
    final status); ``collection`` the collection's phase once the invoice is out;
    ``needs_attention`` whether any branch waits for ops after a refused step. A refused step
    wins over everything: the order must stay findable as ``NeedsAttention`` until ops retry.
    """
    if needs_attention:
        return OrderStatus.NEEDS_ATTENTION
    if stage.is_final or collection is None:
        return stage
    return _COLLECTION_STATUS[collection]
