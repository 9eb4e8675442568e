"""Bank reconciliation: one workflow per imported statement (id ``statement-<identity>``),
started by the upload endpoint or by the statement inbox.

It matches the statement's new transactions (pure cascade in ``domain.banking.matching``),
then hands the matched payments to their orders as ``payment_received`` signals (from an
activity, in batches: a statement of 100,000 lines would not fit in this workflow's history as
child signals). Its summary names the statement, its current details count what was matched,
suggested and left for finance. ``BankInboxWorkflow`` (on a Temporal Schedule) imports the
files waiting in the inbox folder and starts one reconciliation per new statement.
"""

from __future__ import annotations

from datetime import timedelta

from temporalio import workflow
from temporalio.common import RetryPolicy
from temporalio.exceptions import WorkflowAlreadyStartedError
from temporalio.workflow import ParentClosePolicy

with workflow.unsafe.imports_passed_through():
    from domain.banking import reconciliation_steps as steps

_RETRY = RetryPolicy(
    initial_interval=timedelta(seconds=1),
    maximum_interval=timedelta(minutes=2),
    non_retryable_error_types=["PermanentError"],
)


@workflow.defn(name=steps.WORKFLOW_TYPE)
class BankReconciliationWorkflow:
    def __init__(self) -> None:
        self._counts = steps.MatchCounts()

    @workflow.query
    def counts(self) -> steps.MatchCounts:
        return self._counts

    @workflow.run
    async def run(self, request: steps.ReconcileInput) -> steps.ReconcileResult:
        workflow.set_current_details("**Matching** the statement's transactions")
        self._counts = await workflow.execute_activity(
            steps.MATCH_STATEMENT,
            request,
            start_to_close_timeout=timedelta(minutes=10),
            retry_policy=_RETRY,
            summary="match the transactions",
            result_type=steps.MatchCounts,
        )
        workflow.set_current_details(self._counts.details() + "\n\n*Booking the matches…*")
        signalled: int = await workflow.execute_activity(
            steps.SIGNAL_PAYMENTS,
            request,
            start_to_close_timeout=timedelta(minutes=30),
            heartbeat_timeout=timedelta(minutes=1),
            retry_policy=_RETRY,
            summary="hand the matched payments to their orders",
            result_type=int,
        )
        people = self._counts.for_people
        tail = (
            f"{people} for finance: `GET /finance/bank-lines?statement_id={request.statement_id}`"
            if people
            else "Nothing left for finance."
        )
        workflow.set_current_details(f"{self._counts.details()}\n\n{tail}")
        return steps.ReconcileResult(
            statement_id=request.statement_id, counts=self._counts, signalled=signalled
        )


@workflow.defn(name=steps.INBOX_WORKFLOW_TYPE)
class BankInboxWorkflow:
    """Import what waits in the statement inbox; one reconciliation per new statement."""

    @workflow.run
    async def run(self) -> steps.InboxResult:
        result: steps.InboxResult = await workflow.execute_activity(
            steps.IMPORT_INBOX,
            start_to_close_timeout=timedelta(minutes=30),
            heartbeat_timeout=timedelta(minutes=2),
            retry_policy=_RETRY,
            summary="import the statement inbox",
            result_type=steps.InboxResult,
        )
        for statement in result.imported:
            try:
                await workflow.start_child_workflow(
                    BankReconciliationWorkflow.run,
                    steps.ReconcileInput(statement_id=statement.statement_id),
                    id=statement.workflow_id,
                    static_summary=statement.summary,
                    parent_close_policy=ParentClosePolicy.ABANDON,
                )
            except WorkflowAlreadyStartedError:
                continue  # started by the upload, or by an earlier run of the inbox
        lines = [f"{len(result.imported)} statement(s) to reconcile"]
        lines += [f"Payment status report {report}" for report in result.status_reports]
        lines += [f"Refused: {refused}" for refused in result.refused]
        workflow.set_current_details("\n\n".join(lines))
        return result
