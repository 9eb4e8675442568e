"""What the bank said about our payouts: pain.002 statuses and returns, written once.

A payout the bank rejected (``RJCT`` in a pain.002, for the transfer or for its whole file) or
sent back (a return in a camt statement, matched by its EndToEndId) is marked ``rejected`` or
``returned`` with the bank's reason, and the wage's ledger entry is reversed (the member is
owed it again). Marking is idempotent: the same report or statement read again finds the payout
already marked and changes nothing. Telling the order is the caller's next step
(``failures_to_tell`` / ``told``), so a crash between the two is caught up later.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Literal

from sqlalchemy import or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from db import ledger
from db.models import Payout
from domain import ledger as entries
from domain.banking.reason_codes import explain
from domain.banking.status_report import StatusReport, TransactionStatus
from domain.payout_runs import PayoutFailed

FAILED = ("rejected", "returned")
# A payout in one of these can still be refused or come back.
_OUT = ("sent",)


async def mark_failed(
    session: AsyncSession,
    payout: Payout,
    kind: Literal["rejected", "returned"],
    code: str,
    extra: str = "",
) -> bool:
    """Mark ``payout`` rejected or returned and reverse its wage entry; False when it was
    already marked (or never handed to the bank)."""
    if payout.status not in _OUT:
        return False
    payout.status = kind
    payout.bank_status = "RJCT" if kind == "rejected" else "RTRN"
    payout.failure_code = code.strip().upper()[:35]
    payout.failure_reason = explain(code) + (f" (the bank adds: {extra})" if extra else "")
    payout.failed_at = datetime.now(UTC)
    await ledger.post(
        session,
        entries.wage_returned(payout.payout_key, payout.amount_cents, kind),
        order_id=payout.order_id,
        posted_on=datetime.now(UTC).date(),
    )
    return True


def _status_for(report: StatusReport, payout: Payout) -> TransactionStatus | None:
    named = report.status_of(payout.payout_key)
    if named is not None:
        return named
    if report.whole_file_rejected and payout.message_id == report.original_message_id:
        return TransactionStatus(
            end_to_end_id=payout.payout_key,
            status="RJCT",
            reason_code=report.group_reason_code,
            additional_info=report.group_additional_info,
            original_instruction_id="",
            payment_info_id="",
        )
    return None


async def apply_status_report(session: AsyncSession, report: StatusReport) -> tuple[int, int]:
    """Write a pain.002's statuses on our payouts: (payouts it named that we know, of which
    newly rejected). Statuses of transfers we never sent are ignored."""
    keys = [tx.end_to_end_id for tx in report.transactions]
    payouts = list(
        await session.scalars(
            select(Payout).where(
                or_(Payout.payout_key.in_(keys), Payout.message_id == report.original_message_id)
            )
        )
    )
    known = rejected = 0
    for payout in payouts:
        status = _status_for(report, payout)
        if status is None:
            continue
        known += 1
        if status.is_rejected:
            rejected += await mark_failed(
                session, payout, "rejected", status.reason_code, status.additional_info
            )
        elif payout.status == "sent" and status.status:
            payout.bank_status = status.status
    return known, rejected


async def failures_to_tell(session: AsyncSession, limit: int = 200) -> list[Payout]:
    """Failed payouts whose order has not been told yet, oldest first."""
    return list(
        await session.scalars(
            select(Payout)
            .where(Payout.status.in_(FAILED), Payout.failure_told_at.is_(None))
            .order_by(Payout.id)
            .limit(limit)
        )
    )


def failure_message(payout: Payout) -> PayoutFailed:
    kind: Literal["rejected", "returned"] = (
        "rejected" if payout.status == "rejected" else "returned"
    )
    return PayoutFailed(
        payout_key=payout.payout_key,
        kind=kind,
        reason_code=payout.failure_code or "",
        reason=payout.failure_reason or explain(""),
        amount_cents=payout.amount_cents,
        iban=payout.iban,
    )
