"""The statement inbox on the time-skipping server: each waiting file imported in its own
transaction and moved (processed/, or refused/ with the reason beside it), one reconciliation
per new statement, nothing twice when the inbox is read again."""

from __future__ import annotations

import uuid
from pathlib import Path

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from temporalio.client import WorkflowExecutionStatus
from temporalio.testing import WorkflowEnvironment
from temporalio.worker import Worker

from activities.bank_inbox import BankInboxActivities, FolderInbox
from activities.reconciliation import ReconciliationActivities
from db.models_banking import BankStatement, BankTransaction
from dev.bank_files import Txn, camt053_bytes, camt054_bytes
from workflows.reconciliation import BankInboxWorkflow, BankReconciliationWorkflow


async def test_the_inbox_imports_each_file_once_and_refuses_a_broken_one_whole(
    workflow_env: WorkflowEnvironment,
    session_factory: async_sessionmaker[AsyncSession],
    tmp_path: Path,
) -> None:
    inbox = tmp_path / "bank-inbox"
    inbox.mkdir()
    (inbox / "notification.xml").write_bytes(
        camt054_bytes(
            notification_id="NTF-7",
            entries=[Txn(12_000, counterparty_name="ACME", account_servicer_ref="N-1")],
        )
    )
    (inbox / "statement.xml").write_bytes(
        camt053_bytes(
            statement_id="STMT-7",
            opening_cents=0,
            entries=[
                Txn(12_000, counterparty_name="ACME", account_servicer_ref="N-1"),
                Txn(700, counterparty_name="Other", account_servicer_ref="N-2"),
            ],
        )
    )
    (inbox / "broken.xml").write_bytes(
        camt053_bytes(
            statement_id="STMT-8",
            entries=[Txn(500, account_servicer_ref="N-3")],
            closing_adjust_cents=1,
        )
    )
    (inbox / "not-yet.xml.part").write_bytes(b"<half a file")  # still being written: left
    queue = f"inbox-{uuid.uuid4().hex[:8]}"
    async with Worker(
        workflow_env.client,
        task_queue=queue,
        workflows=[BankInboxWorkflow, BankReconciliationWorkflow],
        activities=ReconciliationActivities(session_factory, workflow_env.client).all()
        + BankInboxActivities(session_factory, FolderInbox(inbox)).all(),
    ):
        result = await workflow_env.client.execute_workflow(
            BankInboxWorkflow.run, id=f"bank-inbox-{uuid.uuid4().hex[:6]}", task_queue=queue
        )
        assert [r.split(":")[0] for r in result.refused] == ["broken.xml"]
        assert len(result.imported) == 2
        for statement in result.imported:
            handle = workflow_env.client.get_workflow_handle(statement.workflow_id)
            await handle.result()
            described = await handle.describe()
            assert described.status == WorkflowExecutionStatus.COMPLETED
            assert await described.static_summary() == statement.summary

        again = await workflow_env.client.execute_workflow(
            BankInboxWorkflow.run, id=f"bank-inbox-{uuid.uuid4().hex[:6]}", task_queue=queue
        )
        assert (again.imported, again.refused) == ((), ())

    processed = sorted(p.name for p in inbox.glob("processed/*/*"))
    assert processed == ["notification.xml", "statement.xml"]
    refused = sorted(p.name for p in inbox.glob("refused/*/*"))
    assert refused == ["broken.xml", "broken.xml.reason.txt"]
    reason = next(inbox.glob("refused/*/broken.xml.reason.txt")).read_text()
    assert "balances do not add up" in reason
    assert (inbox / "not-yet.xml.part").exists()
    async with session_factory() as session:
        statements = await session.scalar(select(func.count()).select_from(BankStatement))
        lines = await session.scalar(select(func.count()).select_from(BankTransaction))
    assert (statements, lines) == (2, 2)  # N-1 came in the notification and the statement
