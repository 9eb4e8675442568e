"""Payout runs: an order's payout queued for the next cut-off (checked as the bank would check
it, so bad bank details stop the order before the run), and the run cut into one pain.001 batch.

Idempotent: the payout key (``WAGE-<order id>``) is the EndToEndId and the row; a payout is in
at most one batch (``payouts.message_id``); a batch's file is written once under its message id
(``<run key>-<part>``), and the wage's ledger entry is keyed by the order.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession
from temporalio import activity
from temporalio.client import Client

from activities.errors import permanent_errors
from activities.heartbeat import heartbeating
from activities.order_base import OrderSteps
from activities.wage_steps import order_payout
from adapters.banking.sepa import Banking, PayoutInstruction, fit_remittance
from db import ledger
from db.models import Member, Order, Payout, PayoutRun
from db.models_salary import SalaryMonth
from db.payout_failures import FAILED
from domain import ledger as entries
from domain import payout_runs as runs
from domain import salary_messages as salary
from domain.errors import DomainError
from domain.order_contract import order_workflow_id

BERLIN = ZoneInfo("Europe/Berlin")


def salary_remittance(payout: Payout) -> str:
    """The remittance of a monthly salary's payout: ``Salary 2026-12``."""
    return f"Salary {payout.execution_date:%Y-%m}"


class PayoutRunsMissing(DomainError):
    code = "payout-runs-missing"


class SameAccountRefused(DomainError):
    code = "same-account-refused"


# Reasons that say the account itself is wrong: paying it again cannot work.
_ACCOUNT_REASONS = frozenset({"AC01", "AC04", "AC06", "AC13", "AG01", "BE04", "MD07", "RR01"})


async def _refuse_the_refused_account(session: AsyncSession, order_id: int, iban: str) -> None:
    """A wage the bank refused for the account itself (closed, wrong, holder deceased) is not
    sent to that account again: ops fix the member's bank details first."""
    failed = await session.scalar(
        select(Payout)
        .where(Payout.order_id == order_id, Payout.status.in_(FAILED))
        .order_by(Payout.attempt.desc())
        .limit(1)
    )
    if failed is not None and failed.iban == iban and failed.failure_code in _ACCOUNT_REASONS:
        raise SameAccountRefused(
            f"the bank {failed.status} the wage to {iban}: {failed.failure_reason}. The member's "
            "IBAN is still the same; update it (PUT /members/{id}/bank-account), then retry"
        )


@dataclass(frozen=True)
class PayoutSchedule:
    """When runs are cut: daily at ``hour`` Europe/Berlin, or every ``every_seconds`` (demo)."""

    hour: int = 14
    every_seconds: float = 0

    def next_cutoff(self, now: datetime) -> datetime:
        if self.every_seconds > 0:
            return runs.next_cutoff(now, every_seconds=self.every_seconds, daily=None)
        local = now.astimezone(BERLIN)
        for day in (local.date(), local.date() + timedelta(days=1)):
            cutoff = datetime.combine(day, time(self.hour), tzinfo=BERLIN)
            if cutoff > local:
                return cutoff.astimezone(UTC)
        raise AssertionError("unreachable: tomorrow's cut-off is always ahead")


# Adds a payout to its run: signal-with-start of the run's workflow (``workflows.payout_run``).
RunStarter = Callable[[runs.PayoutRunInput, runs.QueuedPayout], Awaitable[None]]


class PayoutRunSteps(OrderSteps):
    _banking: Banking
    _payout_schedule: PayoutSchedule
    _run_starter: RunStarter | None

    def _instruction(self, payout: Payout, member: Member, description: str) -> PayoutInstruction:
        return PayoutInstruction(
            payout_id=payout.payout_key,
            creditor_name=member.name,
            creditor_iban=member.iban,
            creditor_bic=member.bic,
            amount_cents=payout.amount_cents,
            remittance=fit_remittance(
                f"Wage order {payout.order_id}: {description}"
                if payout.order_id is not None
                else description
            ),
            execution_date=payout.execution_date,
        )

    @activity.defn(name=runs.QUEUE_PAYOUT)
    @permanent_errors
    async def queue_payout(self, request: runs.QueuePayout) -> runs.PayoutQueued:
        order = request.order
        async with self._sessions.begin() as session:
            payout, member = await order_payout(session, request, status="queued")
            payout.iban = member.iban  # ops may have fixed the member's IBAN since
            if payout.status == "queued":
                # Until its run books it, the order's word on the advance stands: a workflow
                # task lost after an earlier try (its worker or the server gone) is tried
                # again with what arrived meanwhile, and a client's payment now booked first
                # leaves less to advance (found by chaos.restart_temporal).
                payout.advanced_cents = request.advanced_cents
            if request.attempt > 1:
                await _refuse_the_refused_account(session, order.order_id, member.iban)
            # Bad bank details stop here, with the order in NeedsAttention, not in the run.
            await self._banking.check(self._instruction(payout, member, order.description))
            placed = await self._place(session, payout, request.now, request.workflow_id)
        return await self._hand_to_run(placed)

    @activity.defn(name=salary.QUEUE_SALARY_PAYOUT)
    @permanent_errors
    async def queue_salary_payout(self, request: salary.QueueSalaryPayout) -> runs.PayoutQueued:
        """A monthly salary's net into the run of the next cut-off (``SAL-<member>-<YYYYMM>``
        is its EndToEndId and row); the same checks and run as an order's wage."""
        key = f"SAL-{request.member_id}-{request.month:%Y%m}"
        now = datetime.fromisoformat(request.now_iso)
        async with self._sessions.begin() as session:
            payout = await session.scalar(select(Payout).where(Payout.payout_key == key))
            member = await session.get_one(Member, request.member_id)
            if payout is None:
                payout = Payout(
                    payout_key=key,
                    order_id=None,
                    salary_month_id=request.salary_month_id,
                    member_id=request.member_id,
                    amount_cents=request.payout_cents,
                    advanced_cents=0,  # the guarantee fund never funds a salary
                    iban=member.iban,
                    execution_date=request.execution_date,
                    status="queued",
                )
                session.add(payout)
                month = await session.get_one(SalaryMonth, request.salary_month_id)
                month.payout_key = key
            payout.iban = member.iban
            await self._banking.check(self._instruction(payout, member, salary_remittance(payout)))
            placed = await self._place(session, payout, now, request.workflow_id)
        return await self._hand_to_run(placed)

    async def _place(
        self, session: AsyncSession, payout: Payout, now: datetime, workflow_id: str
    ) -> runs.PayoutQueued | tuple[runs.PayoutRunInput, runs.QueuedPayout]:
        """The payout's batch when it went out already (a retried activity), else its run:
        the one of the next cut-off after ``now``, with what the run is told."""
        if payout.status == "sent" and payout.message_id is not None:
            batch = await session.scalar(
                select(PayoutRun).where(PayoutRun.message_id == payout.message_id)
            )
            assert batch is not None
            sent = runs.PayoutSent(
                payout_key=payout.payout_key,
                run_key=batch.run_key,
                message_id=batch.message_id,
                file_path=batch.file_path,
                execution_date=payout.execution_date,
            )
            return runs.PayoutQueued(
                payout_key=payout.payout_key, run_key=batch.run_key, cutoff=now, already_sent=sent
            )
        cutoff = self._payout_schedule.next_cutoff(now)
        payout.run_key = runs.run_key_of(cutoff)
        queued = runs.QueuedPayout(
            payout_key=payout.payout_key,
            order_id=payout.order_id,
            amount_cents=payout.amount_cents,
            workflow_id=workflow_id,
        )
        return runs.PayoutRunInput(run_key=payout.run_key, cutoff=cutoff), queued

    async def _hand_to_run(
        self, placed: runs.PayoutQueued | tuple[runs.PayoutRunInput, runs.QueuedPayout]
    ) -> runs.PayoutQueued:
        """Add the payout to its run (signal-with-start), after the transaction committed."""
        if isinstance(placed, runs.PayoutQueued):
            return placed
        run, queued = placed
        if self._run_starter is None:
            raise PayoutRunsMissing(
                "this worker has no Temporal client for payout runs; build it with one"
            )
        await self._run_starter(run, queued)
        return runs.PayoutQueued(
            payout_key=queued.payout_key, run_key=run.run_key, cutoff=run.cutoff
        )

    @activity.defn(name=runs.CUT_PAYOUT_RUN)
    @heartbeating
    @permanent_errors
    async def cut_payout_run(self, request: runs.CutRequest) -> runs.CutResult:
        """The queued payouts of the request in one batch (payouts already in a batch keep it)."""
        async with self._sessions.begin() as session:
            rows = list(
                await session.execute(
                    select(Payout, Member, Order.description)
                    .join(Member, Member.id == Payout.member_id)
                    .outerjoin(Order, Order.id == Payout.order_id)
                    .where(Payout.payout_key.in_(request.payout_keys))
                    .order_by(Payout.id)
                )
            )
            waiting = [
                (p, m, d if d is not None else salary_remittance(p))
                for p, m, d in rows
                if p.message_id is None
            ]
            part = int(
                await session.scalar(
                    select(func.count()).where(PayoutRun.run_key == request.run_key)
                )
                or 0
            )
        sent: list[runs.PayoutSent] = []
        message_id = file_path = ""
        total = 0
        if waiting:
            message_id = f"{request.run_key}-{part + 1}"
            receipt = await self._banking.pay_batch(
                message_id, [self._instruction(p, m, d) for p, m, d in waiting]
            )
            message_id, file_path = receipt.message_id, receipt.file_path
            async with self._sessions.begin() as session:
                session.add(
                    PayoutRun(
                        run_key=request.run_key,
                        part=part + 1,
                        message_id=message_id,
                        file_path=file_path,
                        payouts=len(waiting),
                        total_cents=sum(p.amount_cents for p, _, _ in waiting),
                    )
                )
                for payout, _, _ in waiting:
                    row = await session.get_one(Payout, payout.id)
                    row.status, row.message_id, row.file_path = "sent", message_id, file_path
                    total += row.amount_cents
                    await ledger.post(
                        session,
                        entries.wage_paid(
                            order_workflow_id(row.order_id)
                            if row.order_id is not None
                            else row.payout_key.lower(),
                            row.amount_cents,
                            row.advanced_cents,
                            row.attempt,
                        ),
                        order_id=row.order_id,
                        member_id=row.member_id,
                        posted_on=row.execution_date,
                    )
        async with self._sessions() as session:
            done = list(
                await session.execute(
                    select(Payout, PayoutRun)
                    .join(PayoutRun, PayoutRun.message_id == Payout.message_id)
                    .where(Payout.payout_key.in_(request.payout_keys))
                )
            )
        for payout, batch in done:
            sent.append(
                runs.PayoutSent(
                    payout_key=payout.payout_key,
                    run_key=batch.run_key,
                    message_id=batch.message_id,
                    file_path=batch.file_path,
                    execution_date=payout.execution_date,
                )
            )
        return runs.CutResult(
            run_key=request.run_key,
            message_id=message_id,
            file_path=file_path,
            sent=tuple(sent),
            total_cents=total,
        )


def temporal_run_starter(client: Client, task_queue: str) -> RunStarter:
    """Signal-with-start: the run of that cut-off gets the payout, started if need be (a run
    whose cut is over starts again under the same id, and cuts a further part at once)."""

    async def add(run: runs.PayoutRunInput, payout: runs.QueuedPayout) -> None:
        await client.start_workflow(
            runs.WORKFLOW_TYPE,
            run,
            id=runs.run_workflow_id(run.run_key),
            task_queue=task_queue,
            start_signal=runs.ADD_PAYOUT,
            start_signal_args=[payout],
            static_summary=f"Payout run, cut-off {run.cutoff:%Y-%m-%d %H:%M} UTC",
        )

    return add
