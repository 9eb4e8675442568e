"""Bank statements in and the finance queue of bank transactions (bearer tokens)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request, Response

from api.auth import FinancePrincipal, StaffPrincipal
from api.bounds import IdPath, Limit, Offset, Ref
from api.deps import AppConfig, DbSession, TemporalConn, get_resources
from api.schemas_bank import (
    AssignRequest,
    BankLineOut,
    DecisionOut,
    DismissRequest,
    InboxTriggered,
    LineStatus,
    StatementImported,
    StatementOut,
    StatusReportImported,
)
from api.services import bank_lines, bank_statements, payment_status

router = APIRouter(prefix="/finance", tags=["bank reconciliation"])

_UPLOAD = {
    "requestBody": {
        "required": True,
        "content": {
            "application/xml": {"schema": {"type": "string", "format": "binary"}},
        },
        "description": "A camt.053 statement or camt.054 notification (.001.02 or .001.08)",
    }
}


@router.post("/bank-statements", status_code=201, openapi_extra=_UPLOAD)
async def upload_statement(
    request: Request,
    response: Response,
    principal: StaffPrincipal,
    session: DbSession,
    temporal: TemporalConn,
    config: AppConfig,
    filename: Annotated[str, Query(max_length=200, pattern=r"^[\w.\- ]*$")] = "",
) -> StatementImported:
    """Import a statement: checked against its XSD and its balances as it streams in, stored
    once (a file imported again changes nothing, a transaction already known from a camt.054
    is not counted twice), then reconciled by the statement's workflow (``workflow_id``)."""
    imported = await bank_statements.import_upload(
        request, session, await temporal.get(), config, principal, filename
    )
    if not imported.created:
        response.status_code = 200
    return imported


_STATUS_REPORT = {
    "requestBody": {
        "required": True,
        "content": {"application/xml": {"schema": {"type": "string", "format": "binary"}}},
        "description": "A pain.002 payment status report (.001.03 or .001.10)",
    }
}


@router.post("/payment-status-reports", openapi_extra=_STATUS_REPORT)
async def upload_status_report(
    request: Request, _staff: StaffPrincipal, temporal: TemporalConn
) -> StatusReportImported:
    """The bank's answer to a payout run (pain.002): rejected wages stop their orders for ops
    with the bank's reason in words (``NeedsAttention``); accepted ones are noted. Reports
    arriving in the statement inbox are read the same way."""
    return await payment_status.import_status_report(
        await request.body(), get_resources(request).session_factory, await temporal.get()
    )


@router.post("/bank-inbox/read", status_code=202)
async def read_inbox(_staff: StaffPrincipal, temporal: TemporalConn) -> InboxTriggered:
    """Read the statement inbox now instead of at the schedule's next turn (a statement the
    bank just delivered, a demo)."""
    return await bank_statements.read_inbox_now(await temporal.get())


@router.get("/bank-statements")
async def list_statements(
    _staff: StaffPrincipal, session: DbSession, limit: Limit = 50, offset: Offset = 0
) -> list[StatementOut]:
    """Imported statements, newest first, with how their transactions were matched."""
    return await bank_statements.statements(session, limit, offset)


@router.get("/bank-statements/{statement_id}")
async def get_statement(
    statement_id: IdPath, _staff: StaffPrincipal, session: DbSession
) -> StatementOut:
    return await bank_statements.statement(session, statement_id)


@router.get("/bank-lines")
async def list_lines(
    _staff: StaffPrincipal,
    session: DbSession,
    status: LineStatus = "open",
    statement_id: Annotated[Ref | None, Query()] = None,
    limit: Limit = 100,
    offset: Offset = 0,
) -> list[BankLineOut]:
    """Bank transactions by status; ``open`` (the default) is the finance queue: suggested,
    unmatched, refund and duplicate lines, oldest first."""
    return await bank_lines.lines(
        session, status=status, statement_id=statement_id, limit=limit, offset=offset
    )


@router.post("/bank-lines/{line_id}/assign")
async def assign_line(
    line_id: IdPath,
    body: AssignRequest,
    principal: FinancePrincipal,
    session: DbSession,
    temporal: TemporalConn,
) -> DecisionOut:
    """Put the transaction on one or more invoices (by number); the parts add up to it."""
    return await bank_lines.assign(session, await temporal.get(), principal, line_id, body)


@router.post("/bank-lines/{line_id}/accept")
async def accept_line(
    line_id: IdPath, principal: FinancePrincipal, session: DbSession, temporal: TemporalConn
) -> DecisionOut:
    """Book the matcher's suggestion as proposed."""
    return await bank_lines.accept(session, await temporal.get(), principal, line_id)


@router.post("/bank-lines/{line_id}/dismiss")
async def dismiss_line(
    line_id: IdPath,
    body: DismissRequest,
    principal: FinancePrincipal,
    session: DbSession,
    temporal: TemporalConn,
) -> DecisionOut:
    """Not a payment for an invoice: not ours, or paid back to the sender."""
    return await bank_lines.dismiss(session, await temporal.get(), principal, line_id, body)
