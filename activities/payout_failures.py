"""Telling orders that the bank rejected or returned their wage (``payout_failed``).

The marking is written first (``db.payout_failures``), the signal follows here, and
``failure_told_at`` records it: a worker lost in between tells the order on the next import,
and the order ignores a second word about the same payout. An order whose workflow has ended
(a return after its return window) cannot take it: the return's bank line stays in finance's
queue saying so, and the member is paid by hand.
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime

from sqlalchemy import update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from temporalio import activity
from temporalio.client import Client
from temporalio.service import RPCError, RPCStatusCode

from db.models import Order
from db.models_banking import BankTransaction
from db.payout_failures import failure_message, failures_to_tell
from domain.money import format_eur
from domain.order_contract import PAYOUT_FAILED, order_workflow_id

log = logging.getLogger(__name__)


async def _mark_return_line(session: AsyncSession, payout_id: int, line: dict[str, str]) -> None:
    """The return's bank line, if the failure came on a statement: settled, or why not."""
    await session.execute(
        update(BankTransaction)
        .where(BankTransaction.payout_id == payout_id, BankTransaction.status == "return")
        .values(**line)
    )


async def tell_orders(sessions: async_sessionmaker[AsyncSession], client: Client) -> int:
    """Signal every failed payout not yet told to its order; how many orders were told."""
    told = 0
    while True:
        async with sessions.begin() as session:
            batch = await failures_to_tell(session)
            if not batch:
                return told
            for payout in batch:
                message = failure_message(payout)
                line: dict[str, str]
                if payout.order_id is None:
                    # A monthly salary's: its workflow has moved on to the next month; finance
                    # pays it by hand once the bank details are fixed (the line says so).
                    line = {
                        "reason": f"Salary {payout.payout_key} of "
                        f"{format_eur(payout.amount_cents)} came back ({message.reason}): pay "
                        "the member by hand once their bank details are fixed."
                    }
                    await _mark_return_line(session, payout.id, line)
                    payout.failure_told_at = datetime.now(UTC)
                    continue
                order = await session.get_one(Order, payout.order_id)
                workflow_id = order.workflow_id or order_workflow_id(order.id)
                handle = client.get_workflow_handle(workflow_id)
                try:
                    await handle.signal(PAYOUT_FAILED, message)
                except RPCError as exc:
                    if exc.status != RPCStatusCode.NOT_FOUND:
                        raise  # the service is away: the activity is retried
                    log.warning(
                        "payout %s %s but order %s has ended: pay the member by hand",
                        payout.payout_key,
                        payout.status,
                        payout.order_id,
                    )
                    line = {
                        "reason": f"Wage {payout.payout_key} of "
                        f"{format_eur(payout.amount_cents)} came back ({message.reason}) "
                        f"after order {payout.order_id} closed: pay the member by hand "
                        "once their bank details are fixed."
                    }
                else:
                    told += 1
                    line = {"status": "returned"}  # the order has it, not finance
                await _mark_return_line(session, payout.id, line)
                payout.failure_told_at = datetime.now(UTC)
        if activity.in_activity():
            activity.heartbeat(told)
