"""A wage the bank rejects (pain.002) or sends back (a return in a camt statement) stops the
order for ops with the bank's reason in words; paying the refused account again is refused;
once the member's IBAN is fixed and ops retry, the wage goes out in the next run under a new
EndToEndId, once, and the books balance."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from datetime import timedelta
from pathlib import Path

import pytest
from schwifty import IBAN
from sqlalchemy import select, update
from temporalio.worker import Worker

from activities.bank_inbox import BankInboxActivities, FolderInbox, import_file
from activities.reconciliation import ReconciliationActivities
from adapters.banking.sepa import read_payout_file
from db.models import LedgerEntry, Member, Payout
from db.models_banking import BankTransaction
from dev.bank_files import OUR_IBAN, StatusLine, Txn, camt054_bytes, pain002_bytes
from domain.banking.reconciliation_steps import ReconcileInput
from domain.order_status import OrderStatus
from tests.workflows.conftest import Lifecycle
from tests.workflows.test_order_lifecycle import (
    GROSS,
    PAYOUT,
    assert_books_balance,
    pay,
    sign_and_complete,
)
from workflows.order import OrderLifecycleWorkflow
from workflows.reconciliation import BankInboxWorkflow, BankReconciliationWorkflow

NEW_IBAN = "DE02120300000000202051"


class Bank:
    """The statement inbox and a worker that reads it (status reports and statements)."""

    def __init__(self, lifecycle: Lifecycle, folder: Path, queue: str) -> None:
        self.lifecycle, self.folder, self.queue = lifecycle, folder, queue

    async def deliver(self, name: str, content: bytes) -> None:
        (self.folder / name).write_bytes(content)
        env = self.lifecycle.env
        # In real time: an order held for ops has no timer, and skipping time with nothing to
        # skip to times every workflow out on the test server.
        with env.auto_time_skipping_disabled():
            result = await env.client.execute_workflow(
                BankInboxWorkflow.run,
                id=f"bank-inbox-{uuid.uuid4().hex[:6]}",
                task_queue=self.queue,
            )
            assert result.refused == ()
            assert result.imported == ()

    async def reconcile(self, name: str, content: bytes) -> None:
        """A statement uploaded and reconciled (started from here: a child of the inbox's
        workflow keeps the test server's clock locked after it ends)."""
        path = self.folder.parent / name
        path.write_bytes(content)
        stored = await import_file(self.lifecycle.sessions, path, origin="upload")
        env = self.lifecycle.env
        with env.auto_time_skipping_disabled():
            await env.client.execute_workflow(
                BankReconciliationWorkflow.run,
                ReconcileInput(statement_id=stored.id),
                id=stored.workflow_id,
                task_queue=self.queue,
            )


@pytest.fixture
async def bank(lifecycle: Lifecycle, tmp_path: Path) -> AsyncIterator[Bank]:
    folder = tmp_path / "bank-inbox"
    folder.mkdir()
    queue = f"bank-{uuid.uuid4().hex[:8]}"
    client = lifecycle.env.client
    async with Worker(
        client,
        task_queue=queue,
        workflows=[BankInboxWorkflow, BankReconciliationWorkflow],
        activities=ReconciliationActivities(lifecycle.sessions, client).all()
        + BankInboxActivities(lifecycle.sessions, FolderInbox(folder), client).all(),
    ):
        yield Bank(lifecycle, folder, queue)


async def _wage_handed_over(lifecycle: Lifecycle):  # type: ignore[no-untyped-def]
    handle, inp = await lifecycle.start()
    view = await sign_and_complete(lifecycle, handle, inp)
    await handle.signal(
        OrderLifecycleWorkflow.payment_received, pay("p1", GROSS, view.business_today)
    )
    await lifecycle.env.sleep(timedelta(days=8))  # the wage day, and its hourly run
    await lifecycle.wait_for(handle, lambda v: v.wage_paid, "the wage handed to the bank")
    async with lifecycle.sessions() as session:
        payout = await session.scalar(select(Payout).where(Payout.order_id == inp.order_id))
    assert payout is not None
    assert payout.status == "sent"
    return handle, inp, payout


async def _fix_iban(lifecycle: Lifecycle, member_id: int) -> None:
    async with lifecycle.sessions.begin() as session:
        await session.execute(
            update(Member)
            .where(Member.id == member_id)
            .values(iban=NEW_IBAN, bic=str(IBAN(NEW_IBAN).bic))
        )


async def _failure_entries(lifecycle: Lifecycle, order_id: int) -> list[str]:
    async with lifecycle.sessions() as session:
        keys = await session.scalars(
            select(LedgerEntry.entry_key)
            .where(LedgerEntry.order_id == order_id)
            .order_by(LedgerEntry.id)
        )
        return [k for k in keys if "payout" in k]


async def test_a_rejected_wage_waits_for_a_new_iban_then_goes_out_once_more(
    lifecycle: Lifecycle, bank: Bank
) -> None:
    handle, inp, payout = await _wage_handed_over(lifecycle)
    report = pain002_bytes(
        original_message_id=payout.message_id,
        transactions=[StatusLine(payout.payout_key, "RJCT", "AC04", "Konto erloschen")],
    )
    await bank.deliver("status.xml", report)

    view = await lifecycle.wait_for(
        handle, lambda v: v.status == OrderStatus.NEEDS_ATTENTION, "the wage held for ops"
    )
    assert "rejected the wage" in view.waiting_for
    assert "AC04: the account is closed" in view.waiting_for
    assert "Konto erloschen" in view.waiting_for
    assert not view.wage_paid

    await bank.deliver("status-again.xml", report)  # the same report once more: nothing new
    entries = await _failure_entries(lifecycle, inp.order_id)
    assert entries == [f"order-{inp.order_id}:payout", f"payout:{payout.payout_key}:failed"]

    # Ops retry without fixing the account: refused, the order stays with ops.
    await handle.signal(OrderLifecycleWorkflow.retry_step)
    view = await lifecycle.wait_for(
        handle,
        lambda v: v.status == OrderStatus.NEEDS_ATTENTION and "still the same" in v.waiting_for,
        "the same account refused",
    )

    await _fix_iban(lifecycle, inp.member_id)
    await handle.signal(OrderLifecycleWorkflow.retry_step)
    summary = await handle.result()
    await lifecycle.save_history(handle, "wage_rejected_then_paid_again")
    assert summary.status == OrderStatus.CLOSED
    assert summary.payout_cents == PAYOUT

    async with lifecycle.sessions() as session:
        payouts = list(
            await session.scalars(
                select(Payout).where(Payout.order_id == inp.order_id).order_by(Payout.attempt)
            )
        )
    first, second = payouts
    assert (first.status, first.bank_status, first.failure_code) == ("rejected", "RJCT", "AC04")
    assert (second.payout_key, second.status, second.iban) == (
        f"WAGE-{inp.order_id}-2",
        "sent",
        NEW_IBAN,
    )
    assert second.message_id != first.message_id
    assert second.advanced_cents == 0
    [transfer] = read_payout_file(second.file_path or "")
    assert (transfer["end_to_end_id"], transfer["creditor_iban"], transfer["amount_cents"]) == (
        second.payout_key,
        NEW_IBAN,
        PAYOUT,
    )
    assert len(await _failure_entries(lifecycle, inp.order_id)) == 3  # paid, failed, paid again
    balances = await assert_books_balance(lifecycle, inp.order_id)
    assert balances.get("member_payable", 0) == 0


async def test_a_returned_wage_in_a_statement_stops_the_order_and_settles_its_bank_line(
    lifecycle: Lifecycle, bank: Bank
) -> None:
    handle, inp, payout = await _wage_handed_over(lifecycle)
    returned = Txn(
        payout.amount_cents,
        direction="credit",
        counterparty_name="Member",
        counterparty_iban=payout.iban,
        end_to_end_id=payout.payout_key,
        return_reason="MD07",
        account_servicer_ref=f"RET-{payout.payout_key}",
    )
    await bank.reconcile(
        "returns.xml",
        camt054_bytes(notification_id="NTF-RET", account_iban=OUR_IBAN, entries=[returned]),
    )
    view = await lifecycle.wait_for(
        handle, lambda v: v.status == OrderStatus.NEEDS_ATTENTION, "the return held for ops"
    )
    assert "returned the wage" in view.waiting_for
    assert "MD07" in view.waiting_for
    async with lifecycle.sessions() as session:
        line = await session.scalar(
            select(BankTransaction).where(BankTransaction.end_to_end_id == payout.payout_key)
        )
        marked = await session.get_one(Payout, payout.id)
    assert line is not None
    assert line.status == "returned"  # the order has it, not finance
    assert (marked.status, marked.failure_code) == ("returned", "MD07")

    await _fix_iban(lifecycle, inp.member_id)
    await handle.signal(OrderLifecycleWorkflow.retry_step)
    summary = await handle.result()
    assert summary.status == OrderStatus.CLOSED
    balances = await assert_books_balance(lifecycle, inp.order_id)
    assert balances.get("member_payable", 0) == 0
