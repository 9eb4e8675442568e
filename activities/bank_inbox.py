"""The statement inbox: files the bank's channel drops in a folder (``.data/bank-inbox/``; an
EBICS or bank-API download would write there too, or implement ``StatementInbox``). Bank
statements and notifications (camt.053/054) are stored for reconciliation; payment status
reports (pain.002) are written on our payouts, and the orders whose wage was rejected are told.

Each file is imported in its own transaction, then moved: to ``processed/`` once stored, to
``refused/`` with a ``.reason.txt`` beside it when it is not a statement we can take (nothing
of it is stored). A file imported before (same statement) is moved to ``processed/`` and
changes nothing.
"""

from __future__ import annotations

import shutil
from datetime import UTC, datetime
from pathlib import Path
from typing import Protocol

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from temporalio import activity
from temporalio.client import Client

from activities.payout_failures import tell_orders
from adapters.banking.camt import CamtReader
from adapters.banking.pain002 import read_status_report
from db.bank_statements import StoredStatement, as_stored, store_from
from db.models_banking import BankStatement
from db.payout_failures import apply_status_report
from domain.banking import reconciliation_steps as steps
from domain.banking.statement import StatementError


class StatementInbox(Protocol):
    """Where statements come from: files waiting, and what to do with one once handled."""

    def waiting(self) -> list[Path]: ...

    def done(self, path: Path) -> None: ...

    def refused(self, path: Path, reason: str) -> None: ...


class FolderInbox:
    def __init__(self, folder: Path) -> None:
        self.folder = folder

    def waiting(self) -> list[Path]:
        self.folder.mkdir(parents=True, exist_ok=True)
        return sorted(p for p in self.folder.iterdir() if p.is_file() and p.suffix == ".xml")

    def _move(self, path: Path, to: str) -> Path:
        target = self.folder / to / datetime.now(UTC).strftime("%Y-%m-%d")
        target.mkdir(parents=True, exist_ok=True)
        destination = target / path.name
        if destination.exists():
            destination = target / f"{path.stem}-{datetime.now(UTC):%H%M%S%f}{path.suffix}"
        shutil.move(path, destination)
        return destination

    def done(self, path: Path) -> None:
        self._move(path, "processed")

    def refused(self, path: Path, reason: str) -> None:
        moved = self._move(path, "refused")
        moved.with_name(moved.name + ".reason.txt").write_text(reason + "\n")


async def import_file(
    sessions: async_sessionmaker[AsyncSession],
    path: Path,
    *,
    origin: str,
    filename: str = "",
    imported_by: str = "",
) -> StoredStatement:
    """Parse and store one file in one transaction (``StatementError`` leaves nothing)."""
    async with sessions.begin() as session:
        with path.open("rb") as stream:
            return await store_from(
                session,
                CamtReader(stream),
                origin=origin,
                filename=filename or path.name,
                imported_by=imported_by,
            )


def is_status_report(path: Path) -> bool:
    """A pain.002 (its namespace near the top of the file), not a statement."""
    with path.open("rb") as stream:
        return b"xsd:pain.002." in stream.read(4096)


async def import_status_report(sessions: async_sessionmaker[AsyncSession], path: Path) -> str:
    """Read a pain.002 and write it on our payouts (``StatusReportError`` leaves nothing)."""
    report = read_status_report(path)
    async with sessions.begin() as session:
        known, rejected = await apply_status_report(session, report)
    return (
        f"{path.name}: status report for {report.original_message_id}, {known} of our "
        f"payouts, {rejected} newly rejected"
    )


class BankInboxActivities:
    def __init__(
        self,
        sessions: async_sessionmaker[AsyncSession],
        inbox: StatementInbox,
        client: Client | None = None,
    ) -> None:
        self._sessions = sessions
        self._inbox = inbox
        self._client = client  # tells orders whose wage a status report rejected

    def all(self) -> list[object]:
        return [self.import_inbox]

    @activity.defn(name=steps.IMPORT_INBOX)
    async def import_inbox(self) -> steps.InboxResult:
        refused: list[str] = []
        reports: list[str] = []
        for path in self._inbox.waiting():
            try:
                if is_status_report(path):
                    reports.append(await import_status_report(self._sessions, path))
                else:
                    await import_file(self._sessions, path, origin="inbox", imported_by="inbox")
            except StatementError as err:
                refused.append(f"{path.name}: {err}")
                self._inbox.refused(path, str(err))
            else:
                self._inbox.done(path)
            activity.heartbeat(path.name)
        if self._client is not None:
            await tell_orders(self._sessions, self._client)
        # Every statement not reconciled yet, this run's and any whose reconciliation was
        # never started (a run that stopped between import and start): starting one again is
        # refused by Temporal as already started, which the workflow ignores.
        async with self._sessions() as session:
            pending = await session.scalars(
                select(BankStatement)
                .where(BankStatement.reconciled_at.is_(None))
                .order_by(BankStatement.id)
                .limit(200)
            )
            imported = tuple(
                steps.InboxStatement(
                    statement_id=stored.id,
                    workflow_id=stored.workflow_id,
                    summary=stored.summary,
                )
                for stored in (as_stored(row, created=False) for row in pending)
            )
        return steps.InboxResult(
            imported=imported, refused=tuple(refused), status_reports=tuple(reports)
        )
