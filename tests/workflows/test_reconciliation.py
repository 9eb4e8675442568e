"""The statement's reconciliation workflow on the time-skipping server, with the real matching
and storing activities: a reference match reaches its order as a payment, once, whatever is
imported again; what nobody can place waits for finance; the Temporal UI says how it came out."""

from __future__ import annotations

import uuid
from datetime import date

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from temporalio import workflow
from temporalio.api.sdk.v1 import WorkflowMetadata
from temporalio.testing import WorkflowEnvironment
from temporalio.worker import UnsandboxedWorkflowRunner, Worker

from activities.reconciliation import ReconciliationActivities
from db.bank_statements import store_from
from db.models import Invoice, Payment
from db.models_banking import BankStatement, BankTransaction
from domain.banking import reconciliation_steps as steps
from domain.order_contract import PAYMENT_RECEIVED, order_workflow_id
from domain.order_messages import PaymentReceived
from domain.references import creditor_reference
from tests.factories import create_client, create_member, create_order
from tests.reconciliation.lines import ListSource, bank_line, header
from tests.workflows.conftest import save_history
from workflows.reconciliation import BankReconciliationWorkflow


@workflow.defn(name="OrderLifecycleWorkflow")
class OrderStandIn:
    """Takes payments as the order does (deduplicated by key) and waits."""

    def __init__(self) -> None:
        self.keys: list[str] = []

    @workflow.signal(name=PAYMENT_RECEIVED)
    def payment_received(self, payment: PaymentReceived) -> None:
        if payment.payment_key not in self.keys:
            self.keys.append(payment.payment_key)

    @workflow.query
    def payments(self) -> list[str]:
        return self.keys

    @workflow.run
    async def run(self) -> None:
        await workflow.wait_condition(lambda: False)


async def _invoiced_order(sessions: async_sessionmaker[AsyncSession]) -> Invoice:
    member = await create_member(sessions)
    client = await create_client(sessions, member)
    order = await create_order(
        sessions, member, client, today=date(2026, 11, 20), status="Invoiced"
    )
    async with sessions.begin() as session:
        invoice = Invoice(
            order_id=order.id,
            number="DE-2026-000042",
            jurisdiction="DE",
            year=2026,
            sequence=42,
            issue_date=date(2026, 11, 25),
            due_date=date(2026, 12, 9),
            net_cents=480_000,
            vat_rate="0.19",
            vat_cents=91_200,
            gross_cents=571_200,
            vat_treatment="domestic",
            creditor_reference=creditor_reference("DE", 2026, 42),
            client_name=client.name,
            description="Stage lighting",
            period_start=date(2026, 11, 20),
            period_end=date(2026, 11, 24),
        )
        session.add(invoice)
        await session.execute(
            update(type(order)).where(type(order).id == order.id).values(amount_due_cents=571_200)
        )
    return invoice


async def test_a_statement_is_matched_and_its_payment_handed_to_the_order_once(
    workflow_env: WorkflowEnvironment, session_factory: async_sessionmaker[AsyncSession]
) -> None:
    invoice = await _invoiced_order(session_factory)
    lines = [
        bank_line(
            amount_cents=571_200,
            structured_refs=(invoice.creditor_reference,),
            account_servicer_ref="R-1",
        ),
        bank_line(
            amount_cents=4_990,
            unstructured="membership",
            counterparty_name="Stranger",
            counterparty_iban="",
            account_servicer_ref="R-2",
        ),
        bank_line(amount_cents=1_000, direction="debit", account_servicer_ref="R-3"),
    ]
    async with session_factory.begin() as session:
        stored = await store_from(session, ListSource(header(lines), lines), origin="upload")
    queue = f"bank-{uuid.uuid4().hex[:8]}"
    activities = ReconciliationActivities(session_factory, workflow_env.client)
    async with Worker(
        workflow_env.client,
        task_queue=queue,
        workflows=[BankReconciliationWorkflow, OrderStandIn],
        activities=activities.all(),
        workflow_runner=UnsandboxedWorkflowRunner(),
    ):
        order = await workflow_env.client.start_workflow(
            OrderStandIn.run, id=order_workflow_id(invoice.order_id), task_queue=queue
        )
        handle = await workflow_env.client.start_workflow(
            BankReconciliationWorkflow.run,
            steps.ReconcileInput(statement_id=stored.id),
            id=stored.workflow_id,
            task_queue=queue,
            static_summary=stored.summary,
        )
        result = await handle.result()
        assert result.counts.matched == 1
        assert result.counts.unmatched == 1
        assert result.counts.ignored == 1  # money out that is not one of our payouts
        assert result.signalled == 1
        key = f"bank:{(await _line(session_factory, 'R-1')).id}:{invoice.id}"
        assert await order.query(OrderStandIn.payments) == [key]
        metadata = await handle.query("__temporal_workflow_metadata", result_type=WorkflowMetadata)
        assert "**Matched** 1 · **Suggested** 0 · **Unmatched** 1" in metadata.current_details
        assert "1 for finance" in metadata.current_details
        await save_history(handle, "bank_statement_reconciled")

        # Run again (ops restarted it by hand): nothing is matched or handed over twice.
        again = await workflow_env.client.execute_workflow(
            BankReconciliationWorkflow.run,
            steps.ReconcileInput(statement_id=stored.id),
            id=f"{stored.workflow_id}-again",
            task_queue=queue,
        )
        assert again.signalled == 0
        assert await order.query(OrderStandIn.payments) == [key]
    async with session_factory() as session:
        payments = list(await session.scalars(select(Payment)))
        statement = await session.get_one(BankStatement, stored.id)
    assert [(p.payment_key, p.amount_cents, p.source) for p in payments] == [(key, 571_200, "bank")]
    assert (statement.matched, statement.unmatched) == (1, 1)
    assert statement.reconciled_at is not None


async def _line(sessions: async_sessionmaker[AsyncSession], ref: str) -> BankTransaction:
    async with sessions() as session:
        row = await session.scalar(
            select(BankTransaction).where(BankTransaction.account_servicer_ref == ref)
        )
    assert row is not None
    return row


async def test_a_payment_for_an_order_that_has_ended_goes_back_to_finance(
    workflow_env: WorkflowEnvironment, session_factory: async_sessionmaker[AsyncSession]
) -> None:
    invoice = await _invoiced_order(session_factory)
    lines = [
        bank_line(
            amount_cents=571_200,
            structured_refs=(invoice.creditor_reference,),
            account_servicer_ref="R-9",
        )
    ]
    async with session_factory.begin() as session:
        stored = await store_from(session, ListSource(header(lines), lines), origin="upload")
    queue = f"bank-{uuid.uuid4().hex[:8]}"
    async with Worker(
        workflow_env.client,
        task_queue=queue,
        workflows=[BankReconciliationWorkflow],
        activities=ReconciliationActivities(session_factory, workflow_env.client).all(),
    ):
        result = await workflow_env.client.execute_workflow(
            BankReconciliationWorkflow.run,
            steps.ReconcileInput(statement_id=stored.id),
            id=stored.workflow_id,
            task_queue=queue,
        )
    assert result.signalled == 0  # no such workflow: nobody took it
    row = await _line(session_factory, "R-9")
    assert row.status == "suggested"
    assert f"Order {invoice.order_id} is already closed" in row.reason
    async with session_factory() as session:
        assert list(await session.scalars(select(Payment))) == []
