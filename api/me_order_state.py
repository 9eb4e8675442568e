"""An order's state in words for its member, from the order's live view (its workflow's
Query) or, before submission, from the stored order."""

from __future__ import annotations

from api.me_labels import short_date
from domain.order_messages import OrderView
from domain.order_status import OrderStatus

# The statuses that say the same thing whatever the view holds: label key.
_PLAIN = {
    OrderStatus.DRAFT: "state_draft",
    OrderStatus.SIGNED: "state_signed",
    OrderStatus.REJECTED: "state_rejected",
    OrderStatus.EXPIRED: "state_expired",
    OrderStatus.CANCELLED: "state_cancelled",
    OrderStatus.ESCALATED: "state_with_finance",
    OrderStatus.PAYMENT_PLAN: "state_payment_plan",
    OrderStatus.IN_COLLECTION: "state_with_finance",
    OrderStatus.SETTLED: "state_settled",
    OrderStatus.REFUND_DUE: "state_refund_due",
    OrderStatus.CLOSED: "state_closed",
}


def state_words(
    status: str, view: OrderView | None, view_error: str | None, words: dict[str, str]
) -> str:
    """E.g. "waiting for the client's signature until 12 Dec", "invoiced, due 23 Dec"."""
    if view is None:
        if status != OrderStatus.DRAFT and view_error is not None:
            return words["state_unknown"]
        return words[_PLAIN.get(OrderStatus(status), "state_unknown")]
    if view.wage_paid:
        return words["state_wage_paid"]
    due = short_date(view.due_date, words) if view.due_date else ""
    match view.status:
        case OrderStatus.AWAITING_SIGNATURE if view.until is not None:
            return words["state_awaiting_until"].format(until=short_date(view.until, words))
        case OrderStatus.AWAITING_SIGNATURE:
            return words["state_awaiting"]
        case OrderStatus.INVOICED:
            return words["state_invoiced"].format(due=due)
        case OrderStatus.OVERDUE:
            return words["state_overdue"].format(due=due, level=view.dunning_level)
        case OrderStatus.NEEDS_ATTENTION:
            return words["state_needs_attention"]
    return words[_PLAIN.get(view.status, "state_unknown")]
