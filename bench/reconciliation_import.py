"""Sections of ``bench/reconciliation.py`` beyond matching: a camt.053 of N lines parsed
(checked against its XSD while streaming), stored and matched on SQLite and PostgreSQL; peak
memory of the reader for a small and a large file (flat = streamed); signals per second to
order-like workflows on the Temporal dev server (what handing matched payments over costs).

The generated statement has the matching bench's mix of references (``build_world`` and
``build_lines`` of ``bench.reconciliation``); the invoices are the matcher's input in memory
(the books are not loaded into the database: this times the file, the writes, the read back
and the cascade).
"""

from __future__ import annotations

import asyncio
import subprocess
import sys
import time
import uuid
from datetime import date
from pathlib import Path
from typing import Any

import asyncpg
from sqlalchemy import select, text
from temporalio import workflow
from temporalio.client import Client
from temporalio.contrib.pydantic import pydantic_data_converter
from temporalio.testing import WorkflowEnvironment
from temporalio.worker import Worker

from activities.reconciliation import bank_line
from adapters.banking.camt import CamtReader
from bench.lifecycle import _migrate
from db.bank_statements import store_from
from db.models_banking import BankTransaction
from db.session import make_engine, make_session_factory
from dev.bank_files import Txn, write_camt053
from domain.banking.matching import Matcher
from domain.banking.statement import BankLine

ROOT = Path(__file__).resolve().parent.parent
VENV_BIN = Path(sys.executable).parent


def _txn(line: BankLine, i: int) -> Txn:
    return Txn(
        line.amount_cents,
        counterparty_name=line.counterparty_name[:70],
        counterparty_iban=line.counterparty_iban,
        structured_ref=line.structured_refs[0] if line.structured_refs else "",
        unstructured=line.unstructured[:140],
        account_servicer_ref=f"BENCH-{i:08d}",
        booking_date=date(2026, 12, 5),
    )


def write_statement(path: Path, lines: list[BankLine]) -> None:
    with path.open("wb") as out:
        write_camt053(
            out,
            statement_id=f"BENCH-{uuid.uuid4().hex[:12]}",
            opening_cents=0,
            entries=(_txn(line, i) for i, line in enumerate(lines)),
            statement_date=date(2026, 12, 5),
        )


async def _fresh_postgres(url: str) -> None:
    """The bench's own database (never the tests' ``test``): created once, emptied each run."""
    name = url.rsplit("/", 1)[1]
    server = await asyncpg.connect(
        url.replace("postgresql+asyncpg", "postgresql").rsplit("/", 1)[0] + "/postgres"
    )
    try:
        if not await server.fetchval("SELECT 1 FROM pg_database WHERE datname = $1", name):
            await server.execute(f'CREATE DATABASE "{name}"')
    finally:
        await server.close()
    engine = make_engine(url)
    async with engine.begin() as conn:
        await conn.execute(text("DROP SCHEMA public CASCADE"))
        await conn.execute(text("CREATE SCHEMA public"))
    await engine.dispose()


async def import_figures(url: str, path: Path, matcher: Matcher) -> dict[str, float]:
    """Parse + store (one transaction), read back, match; seconds per phase."""
    if url.startswith("postgresql"):
        await _fresh_postgres(url)
    await asyncio.to_thread(_migrate, url)
    engine = make_engine(url)
    sessions = make_session_factory(engine)
    try:
        started = time.perf_counter()
        async with sessions.begin() as session:
            with path.open("rb") as stream:
                stored = await store_from(session, CamtReader(stream), origin="bench")
        stored_at = time.perf_counter()
        async with sessions() as session:
            rows = list(
                await session.scalars(
                    select(BankTransaction).where(BankTransaction.statement_id == stored.id)
                )
            )
        read_at = time.perf_counter()
        matched = sum(1 for row in rows if matcher.match(bank_line(row)).kind == "matched")
        matched_at = time.perf_counter()
    finally:
        await engine.dispose()
    return {
        "lines": stored.new_lines,
        "parse_and_store_s": stored_at - started,
        "read_back_s": read_at - stored_at,
        "match_s": matched_at - read_at,
        "matched": matched,
    }


def reader_peak_mb(path: Path) -> float:
    """Peak resident memory of a fresh process that reads the whole file."""
    # VmHWM, not ru_maxrss: Linux keeps ru_maxrss across exec, so a child of a big process
    # would report its parent's peak.
    code = (
        "import sys\n"
        "from adapters.banking.camt import CamtReader\n"
        "n = sum(1 for _ in CamtReader(sys.argv[1]).lines())\n"
        "hwm = [l for l in open('/proc/self/status') if l.startswith('VmHWM')][0]\n"
        "print(hwm.split()[1])\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code, str(path)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    )
    return int(out.stdout.strip()) / 1024  # Linux: kilobytes


@workflow.defn(sandboxed=False)
class PaymentSink:
    """Stands in for an order: takes payment signals, ends when told."""

    def __init__(self) -> None:
        self.payments = 0
        self.done = False

    @workflow.signal
    def payment_received(self, payment: dict[str, Any]) -> None:
        self.payments += 1

    @workflow.signal
    def close(self) -> None:
        self.done = True

    @workflow.run
    async def run(self) -> int:
        await workflow.wait_condition(lambda: self.done)
        return self.payments


async def signal_rate(signals: int, orders: int, concurrency: int = 50) -> float:
    env = await WorkflowEnvironment.start_local(
        dev_server_existing_path=str(VENV_BIN / "temporal"),
        data_converter=pydantic_data_converter,
        dev_server_log_level="error",
    )
    try:
        client: Client = env.client
        async with Worker(client, task_queue="bench-signals", workflows=[PaymentSink]):
            handles = [
                await client.start_workflow(
                    PaymentSink.run, id=f"sink-{uuid.uuid4().hex}", task_queue="bench-signals"
                )
                for _ in range(orders)
            ]
            gate = asyncio.Semaphore(concurrency)

            async def one(i: int) -> None:
                async with gate:
                    await handles[i % orders].signal(
                        "payment_received", {"payment_key": f"bank:{i}", "amount_cents": 100}
                    )

            started = time.perf_counter()
            await asyncio.gather(*(one(i) for i in range(signals)))
            elapsed = time.perf_counter() - started
            for handle in handles:
                await handle.signal("close")
            received = sum([await handle.result() for handle in handles])
            assert received == signals, (received, signals)
    finally:
        await env.shutdown()
    return signals / elapsed
