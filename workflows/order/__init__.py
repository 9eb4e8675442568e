"""The order's whole life as one Temporal workflow; see ``workflow.py`` for the run."""

from domain.order_contract import TASK_QUEUE, order_workflow_id
from workflows.order.workflow import OrderLifecycleWorkflow

__all__ = ["TASK_QUEUE", "OrderLifecycleWorkflow", "order_workflow_id"]
