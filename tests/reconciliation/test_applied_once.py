"""Property: whatever mix of partial, over and duplicate payments a bank reports, and however
often its files are imported (a camt.054, then the camt.053 holding the same transfers, the same
file again), each transfer is stored once, its money is put on invoices at most once and all of
it (a match is booked whole), and no invoice takes more than it owed plus the tolerance."""

from __future__ import annotations

import asyncio
from datetime import date

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncEngine

from activities.reconciliation import ReconciliationActivities
from db import all_models
from db.bank_statements import store_from
from db.models import Invoice, Order, Payment
from db.models_banking import BankAllocation, BankTransaction
from db.session import make_engine, make_session_factory
from domain.banking import reconciliation_steps as steps
from domain.banking.matching import MatchingPolicy
from domain.references import creditor_reference
from tests.conftest import migrate
from tests.factories import create_client, create_member, create_order
from tests.reconciliation.lines import ListSource, bank_line, header

OWED = (100_000, 45_000, 7_500)
TOLERANCE = 500

# One transfer: which invoice it quotes (None: no reference), how much of what is owed it
# pays (in per cent, 0 to 150: partial, exact, over), and its bank reference (repeats are the
# same transfer reported again).
transfer = st.tuples(
    st.sampled_from([0, 1, 2, None]),
    # partial, exact, a little over (within the tolerance on the small invoice), far over
    st.one_of(st.sampled_from([40, 99, 100, 101, 104, 150]), st.integers(1, 150)),
    st.integers(min_value=0, max_value=11),
)


@pytest.fixture(scope="module")
def database(tmp_path_factory: pytest.TempPathFactory) -> str:
    url = f"sqlite+aiosqlite:///{tmp_path_factory.mktemp('applied-once') / 'db.sqlite'}"
    migrate(url)
    return url


async def _empty(engine: AsyncEngine) -> None:
    async with engine.begin() as conn:
        for table in reversed(all_models.load().metadata.sorted_tables):
            await conn.execute(table.delete())


async def _scenario(url: str, transfers: list[tuple[int | None, int, int]], split: int) -> None:
    engine = make_engine(url)
    sessions = make_session_factory(engine)
    try:
        await _empty(engine)
        member = await create_member(sessions)
        client = await create_client(sessions, member)
        invoices = []
        for i, owed in enumerate(OWED):
            order = await create_order(
                sessions, member, client, today=date(2026, 11, 2), status="Invoiced"
            )
            async with sessions.begin() as session:
                row = Invoice(
                    order_id=order.id, number=f"DE-2026-{900 + i:06d}", jurisdiction="DE",
                    year=2026, sequence=900 + i, issue_date=date(2026, 11, 5),
                    due_date=date(2026, 12, 5), net_cents=owed, vat_rate="0", vat_cents=0,
                    gross_cents=owed, vat_treatment="domestic",
                    creditor_reference=creditor_reference("DE", 2026, 900 + i),
                    client_name=client.name, description="x",
                    period_start=date(2026, 11, 2), period_end=date(2026, 11, 3),
                )  # fmt: skip
                session.add(row)
                db_order = await session.get_one(Order, order.id)
                db_order.amount_due_cents = owed
            invoices.append(row)
        by_ref: dict[int, object] = {}
        for which, percent, ref in transfers:
            if ref in by_ref:
                continue  # the bank reports one transfer under one reference
            amount = max(1, OWED[which] * percent // 100) if which is not None else 1_234
            quoted = (invoices[which].creditor_reference,) if which is not None else ()
            by_ref[ref] = bank_line(
                amount_cents=amount, structured_refs=quoted, account_servicer_ref=f"T{ref}"
            )
        lines = list(by_ref.values())
        files = [
            header(lines[:split], kind="camt.054", statement_id="N1"),
            header(lines, statement_id="S1"),
            header(lines, statement_id="S1"),  # the same statement again
        ]
        matcher = ReconciliationActivities(
            sessions,
            client=None,
            policy=MatchingPolicy(tolerance_cents=TOLERANCE),  # type: ignore[arg-type]
        )
        for head in files:
            chosen = lines[:split] if head.kind == "camt.054" else lines
            async with sessions.begin() as session:
                stored = await store_from(session, ListSource(head, chosen), origin="test")  # type: ignore[arg-type]
            await matcher.match_statement(steps.ReconcileInput(statement_id=stored.id))

        async with sessions() as session:
            assert await session.scalar(select(func.count()).select_from(BankTransaction)) == len(
                lines
            )
            for tx in await session.scalars(select(BankTransaction)):
                applied = list(
                    await session.scalars(
                        select(BankAllocation).where(
                            BankAllocation.transaction_id == tx.id, BankAllocation.applied
                        )
                    )
                )
                if tx.status == "matched":
                    assert sum(a.amount_cents for a in applied) == tx.amount_cents
                else:
                    assert applied == []
            payments = list(await session.scalars(select(Payment)))
            keys = [p.payment_key for p in payments]
            assert len(keys) == len(set(keys))
            for invoice in invoices:
                taken = sum(p.amount_cents for p in payments if p.order_id == invoice.order_id)
                assert taken <= invoice.gross_cents + TOLERANCE
    finally:
        await engine.dispose()


@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(transfers=st.lists(transfer, min_size=1, max_size=8), split=st.integers(0, 8))
def test_each_transfer_is_applied_once_and_whole(
    database: str, transfers: list[tuple[int | None, int, int]], split: int
) -> None:
    asyncio.run(_scenario(database, transfers, split))
