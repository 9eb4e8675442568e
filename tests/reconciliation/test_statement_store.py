"""Storing statements: once per statement, each transaction once whatever file brings it,
nothing from a file refused half-way."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from db.bank_statements import store_from
from db.models_banking import BankStatement, BankTransaction
from domain.banking.statement import StatementError
from tests.reconciliation.lines import ListSource, bank_line, header


def _lines() -> list:
    return [
        bank_line(account_servicer_ref="ASR-1", amount_cents=12_000),
        bank_line(account_servicer_ref="ASR-2", amount_cents=3_450, direction="debit"),
        bank_line(unstructured="no reference at all", amount_cents=500),
        bank_line(unstructured="no reference at all", amount_cents=500, occurrence=1),
    ]


async def _count(session: AsyncSession, model: type) -> int:
    return int(await session.scalar(select(func.count()).select_from(model)) or 0)


async def test_a_statement_is_stored_once(
    session_factory: async_sessionmaker[AsyncSession],
) -> None:
    lines = _lines()
    async with session_factory.begin() as session:
        first = await store_from(session, ListSource(header(lines), lines), origin="upload")
    assert first.created
    assert (first.line_count, first.new_lines) == (4, 4)
    assert (first.credit_cents, first.debit_cents) == (13_000, 3_450)
    assert first.workflow_id == f"statement-{header(lines).identity}"
    assert "4 lines" in first.summary
    assert "€130.00 in" in first.summary
    source = ListSource(header(lines), lines)
    async with session_factory.begin() as session:
        again = await store_from(session, source, origin="inbox")
    assert not again.created
    assert again.id == first.id
    assert len(source.read) <= 1  # an imported statement's lines are not read again
    async with session_factory() as session:
        assert await _count(session, BankStatement) == 1
        assert await _count(session, BankTransaction) == 4


async def test_a_notification_then_its_statement_count_each_transaction_once(
    session_factory: async_sessionmaker[AsyncSession],
) -> None:
    lines = _lines()
    async with session_factory.begin() as session:
        await store_from(
            session,
            ListSource(header(lines[:2], kind="camt.054", statement_id="NTF-1"), lines[:2]),
            origin="inbox",
        )
    async with session_factory.begin() as session:
        statement = await store_from(session, ListSource(header(lines), lines), origin="inbox")
    assert (statement.line_count, statement.new_lines) == (4, 2)
    async with session_factory() as session:
        assert await _count(session, BankStatement) == 2
        assert await _count(session, BankTransaction) == 4


async def test_a_file_refused_half_way_leaves_nothing(
    session_factory: async_sessionmaker[AsyncSession],
) -> None:
    lines = [bank_line(account_servicer_ref=f"ASR-{i}") for i in range(2500)]  # 3 chunks
    with pytest.raises(StatementError, match="line 4711"):
        async with session_factory.begin() as session:
            await store_from(
                session, ListSource(header(lines), lines, fail_after=2100), origin="upload"
            )
    async with session_factory() as session:
        assert await _count(session, BankStatement) == 0
        assert await _count(session, BankTransaction) == 0
