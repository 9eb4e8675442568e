"""The reconciliation workflow's steps: match a statement's new transactions, then hand the
matched money to the orders.

Idempotent: matching touches only transactions still ``new`` (a retry after a crash carries
on where the last commit stopped); a payment's key is ``bank:<transaction id>:<invoice id>``,
so a second signal changes nothing in the order, and ``signalled_at`` records the hand-over.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime

from sqlalchemy import delete, func, select, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from temporalio import activity
from temporalio.client import Client
from temporalio.service import RPCError, RPCStatusCode

from activities.errors import permanent_errors
from activities.payout_failures import tell_orders
from db import ledger
from db import reconciliation_book as book
from db.bank_allocations import allocate, payment_message
from db.bank_statements import insert_or_skip
from db.models import Payment, Payout
from db.models_banking import (
    BankAllocation,
    BankStatement,
    BankTransaction,
    ReconciliationLock,
)
from db.payout_failures import mark_failed
from domain.banking import reconciliation_steps as steps
from domain.banking.matching import Matcher, MatchingPolicy, Outcome
from domain.banking.statement import BankLine
from domain.order_contract import PAYMENT_RECEIVED, order_workflow_id

BATCH = 500
# Each transaction status, the count it adds to (finance's decisions included).
_COUNTED = {
    "matched": "matched",
    "assigned": "matched",
    "suggested": "suggested",
    "unmatched": "unmatched",
    "refund": "refund",
    "duplicate": "duplicate",
    "payout": "payout",
    "return": "returned",
    "returned": "returned",  # the order was told and pays the wage again
    "ignored": "ignored",
    "not_ours": "ignored",
    "refunded": "ignored",
}


def bank_line(row: BankTransaction) -> BankLine:
    """The transaction as the matcher reads it."""
    return BankLine(
        account_iban=row.account_iban,
        currency=row.currency,
        direction=row.direction,  # type: ignore[arg-type]
        amount_cents=row.amount_cents,
        booking_date=row.booking_date,
        value_date=row.value_date,
        account_servicer_ref=row.account_servicer_ref,
        entry_ref=row.entry_ref,
        end_to_end_id=row.end_to_end_id,
        structured_refs=tuple(row.structured_refs.split()),
        unstructured=row.unstructured,
        counterparty_name=row.counterparty_name,
        counterparty_iban=row.counterparty_iban,
        bank_code=row.bank_code,
        return_reason=row.return_reason,
        batch_index=row.batch_index,
        occurrence=row.occurrence,
    )


async def take_matching_lock(session: AsyncSession) -> None:
    """Statements are matched one at a time: this write, first in the transaction, waits for
    any other statement's matching to commit (a row lock on PostgreSQL, the write lock on
    SQLite), so what that one put on invoices is seen here."""
    # The row exists from the migration; made again if the table was emptied by hand.
    await session.execute(insert_or_skip(session, ReconciliationLock, "id").values(id=1))
    await session.execute(
        update(ReconciliationLock)
        .where(ReconciliationLock.id == 1)
        .values(taken_at=datetime.now(UTC))
    )


@contextmanager
def collector_paused() -> Iterator[None]:
    """The cyclic garbage collector off for a bounded, synchronous stretch of matching: with
    the open invoices' indexes alive, each full collection walks them all (about a fifth of the
    matching time for 100,000 lines, bench/reconciliation.py). Reference counting still frees
    everything that is not a cycle; the collector runs again afterwards."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


async def build_matcher(session: AsyncSession, policy: MatchingPolicy) -> Matcher:
    return Matcher(
        await book.invoices(session),
        await book.payouts(session),
        await book.client_ibans(session),
        await book.client_names(session),
        policy,
    )


def record_outcome(session: AsyncSession, row: BankTransaction, outcome: Outcome) -> None:
    """Write what the matcher decided; a match becomes payments (applied allocations), a
    suggestion stays a proposal until finance accepts it."""
    row.status = outcome.kind
    row.rule = outcome.rule
    row.confidence = outcome.confidence
    row.reason = outcome.reason
    row.surplus_cents = outcome.surplus_cents
    row.payout_id = outcome.payout_id
    applied = outcome.kind == "matched"
    last = len(outcome.allocations) - 1
    for i, allocation in enumerate(outcome.allocations):
        # A match a little over what is owed (within the tolerance): the excess goes with the
        # last invoice, whose order holds it for the client (a refund or the next invoice).
        extra = outcome.surplus_cents if applied and i == last else 0
        allocate(
            session,
            row,
            invoice_id=allocation.invoice_id,
            order_id=allocation.order_id,
            amount_cents=allocation.amount_cents + extra,
            applied=applied,
            recorded_by="reconciliation",
        )


class ReconciliationActivities:
    def __init__(
        self,
        sessions: async_sessionmaker[AsyncSession],
        client: Client,
        policy: MatchingPolicy | None = None,
    ) -> None:
        self._sessions = sessions
        self._client = client
        self._policy = policy or MatchingPolicy()

    def all(self) -> list[object]:
        return [self.match_statement, self.signal_payments]

    @activity.defn(name=steps.MATCH_STATEMENT)
    @permanent_errors
    async def match_statement(self, request: steps.ReconcileInput) -> steps.MatchCounts:
        async with self._sessions.begin() as session:
            await take_matching_lock(session)
            matcher = await build_matcher(session, self._policy)
            rows = list(
                await session.scalars(
                    select(BankTransaction)
                    .where(
                        BankTransaction.statement_id == request.statement_id,
                        BankTransaction.status == "new",
                    )
                    .order_by(BankTransaction.id)
                )
            )
            with collector_paused():  # no await inside: nothing else runs meanwhile
                for row in rows:
                    outcome = matcher.match(bank_line(row))
                    matcher.consume(outcome)
                    record_outcome(session, row, outcome)
            await session.flush()
            await mark_returns(session, [r for r in rows if r.status == "return"])
            counts = await statement_counts(session, request.statement_id)
            statement = await session.get_one(BankStatement, request.statement_id)
            if statement.closing_cents is not None and statement.closing_on is not None:
                counts = counts.model_copy(
                    update={
                        "closing_cents": statement.closing_cents,
                        "ledger_cents": await ledger.bank_balance(
                            session, statement.account_iban, statement.closing_on
                        ),
                    }
                )
            await session.execute(
                update(BankStatement)
                .where(BankStatement.id == request.statement_id)
                .values(
                    matched=counts.matched,
                    suggested=counts.suggested,
                    unmatched=counts.unmatched,
                )
            )
            return counts

    @activity.defn(name=steps.SIGNAL_PAYMENTS)
    @permanent_errors
    async def signal_payments(self, request: steps.ReconcileInput) -> int:
        """Hand each matched payment to its order, in batches (heartbeating)."""
        signalled = 0
        while True:
            async with self._sessions.begin() as session:
                batch = list(
                    (
                        await session.execute(
                            select(BankAllocation, BankTransaction)
                            .join(
                                BankTransaction,
                                BankTransaction.id == BankAllocation.transaction_id,
                            )
                            .where(
                                BankTransaction.statement_id == request.statement_id,
                                BankAllocation.applied.is_(True),
                                BankAllocation.signalled_at.is_(None),
                            )
                            .order_by(BankAllocation.id)
                            .limit(BATCH)
                        )
                    ).all()
                )
                if not batch:
                    break
                for allocation, row in batch:
                    signalled += await self._hand_over(session, allocation, row)
            activity.heartbeat(signalled)
        await tell_orders(self._sessions, self._client)  # wages that came back
        async with self._sessions.begin() as session:
            await session.execute(
                update(BankStatement)
                .where(BankStatement.id == request.statement_id)
                .values(reconciled_at=datetime.now(UTC))
            )
        return signalled

    async def _hand_over(
        self, session: AsyncSession, allocation: BankAllocation, row: BankTransaction
    ) -> bool:
        """True when the order has the payment; False when its workflow has ended."""
        message = payment_message(allocation, row)
        handle = self._client.get_workflow_handle(order_workflow_id(allocation.order_id))
        try:
            await handle.signal(PAYMENT_RECEIVED, message)
        except RPCError as exc:
            if exc.status != RPCStatusCode.NOT_FOUND:
                raise  # the service is away: Temporal retries the activity
            await self._order_gone(session, allocation, row)
            return False
        allocation.signalled_at = datetime.now(UTC)
        return True

    async def _order_gone(
        self, session: AsyncSession, allocation: BankAllocation, row: BankTransaction
    ) -> None:
        """The order's workflow has ended (closed, cancelled): the money cannot go to it on
        its own. The transaction goes to the finance queue with the allocation proposed."""
        await session.execute(delete(Payment).where(Payment.payment_key == allocation.payment_key))
        allocation.applied = False
        allocation.payment_key = None
        row.status = "suggested"
        row.reason = (
            f"Order {allocation.order_id} is already closed, so this payment could not be "
            f"booked on it. {row.reason}".strip()
        )


async def mark_returns(session: AsyncSession, rows: list[BankTransaction]) -> None:
    """Our payouts coming back (matched by their EndToEndId): each payout marked returned
    with the bank's reason, once, whatever statement shows the return again."""
    ids = [r.payout_id for r in rows if r.payout_id is not None]
    if not ids:
        return
    payouts = {p.id: p for p in await session.scalars(select(Payout).where(Payout.id.in_(ids)))}
    for row in rows:
        payout = payouts.get(row.payout_id) if row.payout_id is not None else None
        if payout is not None:
            await mark_failed(session, payout, "returned", row.return_reason)


async def statement_counts(session: AsyncSession, statement_id: int) -> steps.MatchCounts:
    """How the statement's transactions stand now (finance decisions included)."""
    rows = await session.execute(
        select(BankTransaction.status, func.count())
        .where(BankTransaction.statement_id == statement_id)
        .group_by(BankTransaction.status)
    )
    counts = dict.fromkeys(set(_COUNTED.values()), 0)
    for status, n in rows:
        if status in _COUNTED:  # "new": not matched yet
            counts[_COUNTED[status]] += n
    return steps.MatchCounts(**counts)
