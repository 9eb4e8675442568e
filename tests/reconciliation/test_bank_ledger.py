"""The ledger's bank account is the bank's: after each statement read in order its balance on
the statement's day is the statement's closing balance, whatever file brought a transaction
first and however often a file is read; a gap shows as a disagreement."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from activities.bank_inbox import import_file
from db import ledger
from dev.bank_files import OUR_IBAN, Txn, camt053_bytes, camt054_bytes
from domain import bank_ledger
from domain.ledger import JournalEntry, bank_account

DAY = date(2026, 12, 4)


async def _read(sessions: async_sessionmaker[AsyncSession], tmp: Path, name: str, body: bytes):  # type: ignore[no-untyped-def]
    path = tmp / name
    path.write_bytes(body)
    return await import_file(sessions, path, origin="upload")


async def _bank(sessions: async_sessionmaker[AsyncSession], on: date) -> int:
    async with sessions() as session:
        return await ledger.bank_balance(session, OUR_IBAN, on)


async def _books(sessions: async_sessionmaker[AsyncSession]) -> dict[str, int]:
    async with sessions() as session:
        return await ledger.balances(session)


def _day(n: int, *txns: Txn, opening: int, statement_id: str) -> tuple[bytes, int]:
    on = DAY + timedelta(days=n)
    dated = [
        Txn(**{**t.__dict__, "booking_date": on})  # type: ignore[arg-type]
        for t in txns
    ]
    body = camt053_bytes(
        statement_id=statement_id, opening_cents=opening, entries=dated, statement_date=on
    )
    closing = opening + sum(
        t.amount_cents if t.direction == "credit" else -t.amount_cents for t in txns
    )
    return body, closing


async def test_the_ledgers_bank_account_follows_the_statements(
    session_factory: async_sessionmaker[AsyncSession], tmp_path: Path
) -> None:
    day_one, closing_one = _day(
        0,
        Txn(12_000, counterparty_name="ACME", account_servicer_ref="A1"),
        Txn(3_450, direction="debit", counterparty_name="Ada", account_servicer_ref="A2"),
        opening=1_000_000,
        statement_id="S-1",
    )
    await _read(session_factory, tmp_path, "one.xml", day_one)
    assert closing_one == 1_008_550
    assert await _bank(session_factory, DAY) == closing_one
    assert await _bank(session_factory, DAY - timedelta(days=1)) == 0  # nothing before it
    books = await _books(session_factory)
    assert books[bank_account(OUR_IBAN)] == closing_one
    assert books["opening_balances"] == -1_000_000
    assert books["bank_clearing"] == -12_000 + 3_450  # on the statement, not explained yet
    assert sum(books.values()) == 0

    # Day two: its transfer came first in a camt.054, then the statement brings it again.
    early = Txn(
        700, counterparty_name="Bo", account_servicer_ref="B1", booking_date=DAY + timedelta(days=1)
    )
    await _read(
        session_factory, tmp_path, "ntf.xml", camt054_bytes(notification_id="N-2", entries=[early])
    )
    day_two, closing_two = _day(
        1,
        Txn(700, counterparty_name="Bo", account_servicer_ref="B1"),
        Txn(250, direction="debit", counterparty_name="Bank fee", account_servicer_ref="B2"),
        opening=closing_one,
        statement_id="S-2",
    )
    await _read(session_factory, tmp_path, "two.xml", day_two)
    await _read(session_factory, tmp_path, "two-again.xml", day_two)  # read twice: nothing new
    assert await _bank(session_factory, DAY + timedelta(days=1)) == closing_two
    assert await _bank(session_factory, DAY) == closing_one
    assert sum((await _books(session_factory)).values()) == 0

    # Day four without day three: the check disagrees instead of hiding the gap.
    day_four, closing_four = _day(
        3,
        Txn(5_000, counterparty_name="Cy", account_servicer_ref="D1"),
        opening=closing_two + 99_999,  # what day three, never read, moved
        statement_id="S-4",
    )
    await _read(session_factory, tmp_path, "four.xml", day_four)
    assert await _bank(session_factory, DAY + timedelta(days=3)) == closing_four - 99_999


def test_an_overdrawn_opening_balance_is_a_credit_on_the_bank_account() -> None:
    entry: JournalEntry = bank_ledger.opening_balance(OUR_IBAN, -5_000, DAY)
    assert {(line.account, line.debit, line.credit) for line in entry.lines} == {
        ("opening_balances", 5_000, 0),
        (bank_account(OUR_IBAN), 0, 5_000),
    }
