"""A payment status report (pain.002) handed in by finance: the bank's answer to a payout run.

Written on our payouts like one from the statement inbox (``db.payout_failures``): a rejected
wage stops its order for ops with the bank's reason; the same report again changes nothing.
"""

from __future__ import annotations

import io

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from temporalio.client import Client

from activities.payout_failures import tell_orders
from adapters.banking.pain002 import read_status_report
from api.schemas_bank import StatusReportImported
from api.services.bank_statements import file_refused
from db.payout_failures import apply_status_report
from domain.banking.status_report import StatusReportError, describe_status


async def import_status_report(
    body: bytes, sessions: async_sessionmaker[AsyncSession], temporal: Client
) -> StatusReportImported:
    try:
        report = read_status_report(io.BytesIO(body))
    except StatusReportError as err:
        raise file_refused(
            err,
            "status-report-refused",
            "Payment status report refused",
            "read (nothing of it was applied)",
        ) from err
    async with sessions.begin() as session:
        known, rejected = await apply_status_report(session, report)
    told = await tell_orders(sessions, temporal)
    return StatusReportImported(
        original_message_id=report.original_message_id,
        group_status=describe_status(report.group_status) if report.group_status else "",
        payouts=known,
        newly_rejected=rejected,
        orders_told=told,
    )
