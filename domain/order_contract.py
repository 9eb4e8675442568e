"""The order workflow's contract, named once: its type, its id, its task queue and the names of
its Updates, Signals and Query.

The workflow declares its handlers under these names, the API calls them through the workflow
class's typed methods, the API's test double registers the same names, and activities key their
ledger entries and documents by the same ``order-<id>``.
"""

from __future__ import annotations

WORKFLOW_TYPE = "OrderLifecycleWorkflow"
TASK_QUEUE = "coopflow-orders"

# Updates (actions that answer with the order's view once they took effect)
RESPOND_TO_OFFER = "respond_to_offer"
COMPLETE = "complete"
CANCEL = "cancel"
DECIDE = "decide"
# Signals (facts from outside: money moved, ops fixed a refused step)
PAYMENT_RECEIVED = "payment_received"
REFUND_RECORDED = "refund_recorded"
RETRY_STEP = "retry_step"
PAYOUT_SENT = "payout_sent"  # the payout run handed the wage to the bank
PAYOUT_FAILED = "payout_failed"  # the bank rejected (pain.002) or returned (camt) the wage
# Query
STATE = "state"


def order_workflow_id(order_id: int) -> str:
    """The order's workflow id, also the prefix of its ledger keys: ``order-42``."""
    return f"order-{order_id}"
