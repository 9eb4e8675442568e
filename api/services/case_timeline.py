"""A finance case as a person reads it: the order's story from the database (the invoice, its
reminders and interest charges, payments, the wage and the guarantee fund's part, finance's
decisions), and the desk's audit trail of who decided what, when and with which note."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from api.errors import ProblemError, not_found
from db.models import (
    CaseNote,
    DunningDocument,
    FinanceCase,
    Invoice,
    LedgerEntry,
    Order,
    Payment,
)
from db.models_banking import BankDecision, BankTransaction

# Ledger entries that tell the order's story beyond the documents and payments above.
_STORY_ENTRIES = (":payout", ":charges-waived", ":write-off", ":credit-note", ":refund:", "payout:")


@dataclass(frozen=True)
class Event:
    on: date
    what: str
    amount_cents: int | None = None
    by: str = ""
    note: str = ""


@dataclass(frozen=True)
class CaseStory:
    case: FinanceCase
    order: Order
    invoice: Invoice
    events: list[Event]


def _day(moment: datetime | None, fallback: date) -> date:
    return moment.date() if moment is not None else fallback


async def case_story(session: AsyncSession, case_id: int) -> CaseStory:
    case = await session.get(FinanceCase, case_id)
    if case is None:
        raise not_found("finance case", case_id)
    order = await session.get_one(Order, case.order_id)
    invoice = await session.get_one(Invoice, case.invoice_id)
    events = [
        Event(_day(order.created_at, invoice.issue_date), "order created"),
        Event(
            invoice.issue_date,
            f"invoice {invoice.number} issued, due {invoice.due_date}",
            invoice.gross_cents,
        ),
    ]
    if order.signed_by:
        events.append(Event(order.period_start, f"offer signed by {order.signed_by}"))
    for doc in await session.scalars(
        select(DunningDocument).where(DunningDocument.invoice_id == invoice.id)
    ):
        charges = doc.fee_cents + doc.flat_compensation_cents + doc.interest_cents
        what = (
            f"interest charged up to the payment ({doc.number})"
            if doc.kind == "interest"
            else f"{doc.name} ({doc.number}), pay by {doc.pay_by}"
        )
        events.append(Event(doc.issue_date, what, charges))
    for payment in await session.scalars(select(Payment).where(Payment.order_id == order.id)):
        events.append(
            Event(
                payment.received_on,
                f"payment received ({payment.source})"
                + ("" if payment.applied else ", not yet booked by the order"),
                payment.amount_cents,
                payment.recorded_by,
            )
        )
    for entry in await session.scalars(select(LedgerEntry).where(LedgerEntry.order_id == order.id)):
        if any(mark in entry.entry_key for mark in _STORY_ENTRIES):
            events.append(Event(entry.posted_on, entry.description))
    for other in await session.scalars(
        select(FinanceCase).where(FinanceCase.order_id == order.id).order_by(FinanceCase.id)
    ):
        events.append(
            Event(
                other.opened_on,
                f"finance case #{other.id} opened ({other.kind}, level {other.dunning_level})",
                other.amount_due_cents,
            )
        )
        if other.decision:
            events.append(
                Event(
                    _day(other.decided_at, other.opened_on),
                    f"decision on case #{other.id}: {other.decision.replace('_', ' ')}",
                    by=other.decided_by or "",
                    note=other.decision_note,
                )
            )
    for note in await session.scalars(
        select(CaseNote)
        .join(FinanceCase, FinanceCase.id == CaseNote.case_id)
        .where(FinanceCase.order_id == order.id)
        .order_by(CaseNote.id)
    ):
        events.append(
            Event(_day(note.created_at, case.opened_on), "note", by=note.author, note=note.text)
        )
    events.sort(key=lambda e: e.on)
    return CaseStory(case, order, invoice, events)


MAX_NOTE = 2000


async def add_note(session: AsyncSession, case_id: int, author: str, text: str) -> None:
    """A note on the case, kept as written (at most 2,000 characters; an empty one refused)."""
    text = text.strip()
    if not text:
        raise ProblemError(422, "invalid-note", "Write the note before adding it.")
    if len(text) > MAX_NOTE:
        raise ProblemError(
            422, "invalid-note", f"A note holds at most {MAX_NOTE:,} characters; shorten it."
        )
    if await session.get(FinanceCase, case_id) is None:
        raise not_found("finance case", case_id)
    session.add(CaseNote(case_id=case_id, author=author, text=text))
    await session.commit()


@dataclass(frozen=True)
class AuditRow:
    at: datetime
    who: str
    what: str
    subject: str
    note: str


async def audit_trail(session: AsyncSession, limit: int = 200) -> list[AuditRow]:
    """Every decision finance took, newest first: on cases and on bank lines."""
    rows: list[AuditRow] = []
    for case in await session.scalars(
        select(FinanceCase)
        .where(FinanceCase.decided_at.is_not(None))
        .order_by(FinanceCase.decided_at.desc())
        .limit(limit)
    ):
        assert case.decided_at is not None
        rows.append(
            AuditRow(
                case.decided_at,
                case.decided_by or "",
                (case.decision or "").replace("_", " "),
                f"case #{case.id} (order {case.order_id})",
                case.decision_note,
            )
        )
    for decision, line in await session.execute(
        select(BankDecision, BankTransaction)
        .join(BankTransaction, BankTransaction.id == BankDecision.transaction_id)
        .order_by(BankDecision.decided_at.desc())
        .limit(limit)
    ):
        rows.append(
            AuditRow(
                decision.decided_at,
                decision.decided_by,
                decision.action.replace("_", " "),
                f"bank line #{line.id} ({line.counterparty_name or 'unknown payer'})",
                " · ".join(t for t in (decision.note, decision.detail) if t),
            )
        )
    rows.sort(key=lambda r: r.at, reverse=True)
    return rows[:limit]
