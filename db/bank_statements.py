"""Storing an imported statement: once per statement identity, each transaction once per
transaction identity, all in the caller's transaction (a file that fails half-way leaves
nothing: the caller rolls back)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import date
from itertools import chain, islice
from typing import Any

from sqlalchemy import Row, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession

from db import ledger
from db.models_banking import BankStatement, BankTransaction
from domain import bank_ledger
from domain.banking.reconciliation_steps import statement_summary
from domain.banking.statement import BankLine, StatementHeader, StatementSource

CHUNK = 1000


def reconciliation_workflow_id(identity: str) -> str:
    return f"statement-{identity}"


@dataclass(frozen=True)
class StoredStatement:
    id: int
    identity: str
    workflow_id: str
    created: bool  # False: this statement was imported before; nothing changed
    kind: str
    account_iban: str
    booked_on: str  # the statement's date (closing balance, else creation), ISO
    line_count: int
    new_lines: int
    credit_cents: int
    debit_cents: int

    @property
    def summary(self) -> str:
        """The reconciliation workflow's one line in the Temporal UI."""
        return statement_summary(
            self.kind, self.booked_on, self.account_iban, self.line_count, self.credit_cents
        )


def as_stored(row: BankStatement, *, created: bool) -> StoredStatement:
    booked = (
        row.closing_on.isoformat() if row.closing_on else row.created_at_bank.date().isoformat()
    )
    return StoredStatement(
        id=row.id,
        identity=row.identity,
        workflow_id=row.workflow_id,
        created=created,
        kind=row.kind,
        account_iban=row.account_iban,
        booked_on=booked,
        line_count=row.line_count,
        new_lines=row.new_lines,
        credit_cents=row.credit_cents,
        debit_cents=row.debit_cents,
    )


def _chunks(lines: Iterable[BankLine]) -> Iterator[list[BankLine]]:
    it = iter(lines)
    while chunk := list(islice(it, CHUNK)):
        yield chunk


def insert_or_skip(session: AsyncSession, model: Any, key: str) -> Any:
    """INSERT … ON CONFLICT (key) DO NOTHING, in the session's dialect."""
    dialect = postgresql if session.bind.dialect.name == "postgresql" else sqlite
    return dialect.insert(model).on_conflict_do_nothing(index_elements=[key])


def _row(line: BankLine, statement_id: int) -> dict[str, object]:
    return {
        "identity": line.identity,
        "statement_id": statement_id,
        "account_iban": line.account_iban,
        "direction": line.direction,
        "amount_cents": line.amount_cents,
        "currency": line.currency,
        "booking_date": line.booking_date,
        "value_date": line.value_date,
        "account_servicer_ref": line.account_servicer_ref[:100],
        "entry_ref": line.entry_ref[:100],
        "end_to_end_id": line.end_to_end_id[:35],
        "structured_refs": " ".join(line.structured_refs),
        "unstructured": line.unstructured,
        "counterparty_name": line.counterparty_name[:140],
        "counterparty_iban": line.counterparty_iban[:34],
        "bank_code": line.bank_code[:40],
        "return_reason": line.return_reason[:8],
        "batch_index": line.batch_index,
        "occurrence": line.occurrence,
        "status": "new",
    }


async def _post_new_lines(
    session: AsyncSession,
    statement: BankStatement,
    chunk_no: int,
    inserted: Sequence[Row[tuple[str, int, date]]],
) -> None:
    """The chunk's new transactions into the ledger's bank account, summed per booking day
    (transactions known from an earlier file were posted with it)."""
    days: dict[date, list[int]] = defaultdict(lambda: [0, 0])
    for direction, amount, booked in inserted:
        days[booked][0 if direction == "credit" else 1] += amount
    for day, (credit, debit) in sorted(days.items()):
        await ledger.post(
            session,
            bank_ledger.statement_day_booked(
                f"bank-statement:{statement.id}:{chunk_no}:{day}",
                statement.account_iban,
                day,
                credit,
                debit,
            ),
            order_id=None,
            posted_on=day,
        )


async def store_statement(
    session: AsyncSession,
    header: StatementHeader,
    lines: Iterable[BankLine],
    *,
    source: str,
    filename: str = "",
    imported_by: str = "",
) -> StoredStatement:
    """Store the statement and its new transactions (flushes, does not commit). A statement
    already imported is returned as it is, its lines not read."""
    existing = await session.scalar(
        select(BankStatement).where(BankStatement.identity == header.identity)
    )
    if existing is not None:
        return as_stored(existing, created=False)
    statement = BankStatement(
        identity=header.identity,
        kind=header.kind,
        version=header.version,
        message_id=header.message_id[:35],
        statement_id=header.statement_id[:35],
        account_iban=header.account_iban,
        currency=header.currency,
        created_at_bank=header.created_at,
        sequence=header.sequence[:35],
        opening_cents=header.opening.amount_cents if header.opening else None,
        opening_on=header.opening.on if header.opening else None,
        closing_cents=header.closing.amount_cents if header.closing else None,
        closing_on=header.closing.on if header.closing else None,
        line_count=0,
        new_lines=0,
        credit_cents=0,
        debit_cents=0,
        source=source,
        filename=filename[:255],
        imported_by=imported_by[:200],
        workflow_id=reconciliation_workflow_id(header.identity),
    )
    session.add(statement)
    await session.flush()
    count = new = credit = debit = chunk_no = 0
    if header.opening is not None:  # the first statement of the account brings its balance
        await ledger.post(
            session,
            bank_ledger.opening_balance(
                header.account_iban, header.opening.amount_cents, header.opening.on
            ),
            order_id=None,
            posted_on=header.opening.on,
        )
    fresh = insert_or_skip(session, BankTransaction, "identity")
    for chunk in _chunks(lines):
        rows = []
        seen: set[str] = set()
        for line in chunk:
            count += 1
            if line.direction == "credit":
                credit += line.amount_cents
            else:
                debit += line.amount_cents
            if line.identity not in seen:
                seen.add(line.identity)
                rows.append(_row(line, statement.id))
        # Known transactions (from an earlier file) are skipped by the unique identity, in the
        # database: no look-up per chunk, whose plan goes bad as the table grows inside one
        # transaction (PostgreSQL plans with the statistics of the empty table).
        inserted = (
            await session.execute(
                fresh.returning(
                    BankTransaction.direction,
                    BankTransaction.amount_cents,
                    BankTransaction.booking_date,
                ),
                rows,
            )
        ).all()
        new += len(inserted)
        chunk_no += 1
        await _post_new_lines(session, statement, chunk_no, inserted)
    statement.line_count = count
    statement.new_lines = new
    statement.credit_cents = credit
    statement.debit_cents = debit
    await session.flush()
    return as_stored(statement, created=True)


async def store_from(
    session: AsyncSession,
    source: StatementSource,
    *,
    origin: str,
    filename: str = "",
    imported_by: str = "",
) -> StoredStatement:
    """Read a statement as it streams in and store it. ``StatementError`` from the reader
    (malformed, not valid against its XSD, balances that do not add up) propagates: the caller
    rolls back, so a refused file leaves nothing behind."""
    lines = source.lines()
    first = next(lines, None)
    header = source.header
    stream = chain([first], lines) if first is not None else iter(())
    return await store_statement(
        session, header, stream, source=origin, filename=filename, imported_by=imported_by
    )
