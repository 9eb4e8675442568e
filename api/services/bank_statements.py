"""Statements uploaded by finance: streamed to disk, read and stored in one transaction (a
refused file leaves nothing), then reconciled by the statement's workflow."""

from __future__ import annotations

import shutil
import uuid
from datetime import UTC, datetime

from fastapi import Request
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from temporalio.client import Client as TemporalClient
from temporalio.common import WorkflowIDConflictPolicy
from temporalio.service import RPCError, RPCStatusCode

from adapters.banking.camt import CamtReader
from api.auth import Principal
from api.deps import ApiConfig
from api.errors import ProblemError, not_found
from api.schemas_bank import InboxTriggered, StatementImported, StatementOut
from api.security import PayloadTooLarge
from db import ledger
from db.bank_statements import StoredStatement, store_from
from db.models_banking import BankStatement
from domain.banking import reconciliation_steps as steps
from domain.banking.statement import StatementError
from workflows.reconciliation import BankReconciliationWorkflow
from workflows.schedules import BANK_INBOX_SCHEDULE_ID


def file_refused(err: StatementError, code: str, title: str, not_done: str) -> ProblemError:
    """A bank file refused whole: 422 with the line and the reason."""
    return ProblemError(
        422,
        code,
        f"The file was not {not_done}: {err}",
        title=title,
        extra={"line": err.line, "reason": err.reason},
    )


def imported_view(stored: StoredStatement) -> StatementImported:
    return StatementImported(
        statement_id=stored.id,
        workflow_id=stored.workflow_id,
        created=stored.created,
        kind=stored.kind,
        account_iban=stored.account_iban,
        line_count=stored.line_count,
        new_lines=stored.new_lines,
        credit_cents=stored.credit_cents,
        debit_cents=stored.debit_cents,
        summary=stored.summary,
    )


async def start_reconciliation(
    temporal: TemporalClient, task_queue: str, stored: StoredStatement
) -> None:
    """Start the statement's workflow, or find it running or done (an upload retried)."""
    await temporal.start_workflow(
        BankReconciliationWorkflow.run,
        steps.ReconcileInput(statement_id=stored.id),
        id=stored.workflow_id,
        task_queue=task_queue,
        id_conflict_policy=WorkflowIDConflictPolicy.USE_EXISTING,
        static_summary=stored.summary,
    )


async def import_upload(
    request: Request,
    session: AsyncSession,
    temporal: TemporalClient,
    config: ApiConfig,
    principal: Principal,
    filename: str,
) -> StatementImported:
    uploads = config.bank_inbox_dir / "uploads"
    uploads.mkdir(parents=True, exist_ok=True)
    path = uploads / f"{uuid.uuid4().hex}.xml"
    try:
        with path.open("wb") as out:
            async for chunk in request.stream():
                out.write(chunk)
        try:
            with path.open("rb") as stream:
                stored = await store_from(
                    session,
                    CamtReader(stream),
                    origin="upload",
                    filename=filename,
                    imported_by=principal.label,
                )
        except StatementError as err:
            await session.rollback()
            raise file_refused(
                err, "statement-refused", "Statement refused", "imported (nothing of it was stored)"
            ) from err
        await session.commit()
        if stored.created:
            kept = config.bank_inbox_dir / "processed" / datetime.now(UTC).strftime("%Y-%m-%d")
            kept.mkdir(parents=True, exist_ok=True)
            shutil.move(path, kept / f"upload-{stored.id}-{filename or 'statement.xml'}")
    except PayloadTooLarge as err:
        raise ProblemError(413, "payload-too-large", str(err)) from err
    finally:
        path.unlink(missing_ok=True)
    await start_reconciliation(temporal, config.task_queue, stored)
    return imported_view(stored)


async def _view(session: AsyncSession, row: BankStatement) -> StatementOut:
    """The statement, and whether the ledger's bank account agrees with its closing balance."""
    view = StatementOut.model_validate(row, from_attributes=True)
    if row.closing_cents is None or row.closing_on is None:
        return view
    booked = await ledger.bank_balance(session, row.account_iban, row.closing_on)
    return view.model_copy(
        update={"ledger_balance_cents": booked, "balance_agrees": booked == row.closing_cents}
    )


async def statements(session: AsyncSession, limit: int, offset: int) -> list[StatementOut]:
    rows = await session.scalars(
        select(BankStatement).order_by(BankStatement.id.desc()).limit(limit).offset(offset)
    )
    return [await _view(session, row) for row in rows]


async def statement(session: AsyncSession, statement_id: int) -> StatementOut:
    row = await session.get(BankStatement, statement_id)
    if row is None:
        raise not_found("statement", statement_id)
    return await _view(session, row)


async def read_inbox_now(temporal: TemporalClient) -> InboxTriggered:
    handle = temporal.get_schedule_handle(BANK_INBOX_SCHEDULE_ID)
    try:
        await handle.trigger()
    except RPCError as exc:
        if exc.status != RPCStatusCode.NOT_FOUND:
            raise
        raise ProblemError(
            409,
            "no-inbox-schedule",
            f"The schedule {BANK_INBOX_SCHEDULE_ID} does not exist yet: the worker creates it "
            "when it starts.",
        ) from exc
    return InboxTriggered(
        schedule_id=BANK_INBOX_SCHEDULE_ID,
        message="The inbox is being read; each new statement gets its reconciliation workflow.",
    )
