"""What must hold after a chaos run, read from the database and the files the adapters wrote:

- every lifecycle completed: Closed, or Cancelled by a credit note (the others are named, with
  their status);
- no duplicate payout (one per order, one transfer per payout across every pain.001 file);
- no duplicate invoice number or credit note (one per order, numbers unique and gapless);
- no duplicate declaration (one per order and kind), payment (one applied per order);
- no duplicate e-mail (one Message-ID per document; deliveries of one Message-ID again, SMTP
  being at-least-once, are counted and shown apart);
- the ledger balanced (debits = credits in every entry);
- the member budget of every closed (or credited) order at zero (nothing held, reserved, owed
  or advanced: ``db.budget``).
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from adapters.banking.sepa import read_payout_file
from adapters.mail.mailers import read_maildir
from db.budget import budget_of
from db.models import Declaration, Invoice, LedgerEntry, LedgerLine, Order, Payment, Payout
from db.models_credit_notes import CreditNote
from db.session import make_engine, make_session_factory

CLOSED = "Closed"
CANCELLED = "Cancelled"  # after a credit note
SHOWN = 8  # offending items named per check
# The budget figures that must be zero once an order is closed.
ZERO_WHEN_CLOSED = (
    "budget_held_cents",
    "reserved_for_wages_cents",
    "open_receivable_cents",
    "unbacked_cents",
)


@dataclass(frozen=True)
class Check:
    name: str
    ok: bool
    detail: str
    note: bool = False  # holds, but something to read (shown as "note")


def _names(items: Sequence[object]) -> str:
    shown = ", ".join(str(i) for i in items[:SHOWN])
    return shown + (f" … ({len(items)} in all)" if len(items) > SHOWN else "")


def _check(name: str, bad: Sequence[object], good: str) -> Check:
    return Check(name, not bad, good if not bad else _names(bad))


async def _lifecycles(session: AsyncSession, expected: int | None) -> Check:
    """Closed, or Cancelled with a credit note (the lifecycles a credit note ends)."""
    credited = set((await session.scalars(select(CreditNote.order_id))).all())
    rows = (
        await session.execute(
            select(Order.id, Order.status).where(Order.workflow_id.is_not(None)).order_by(Order.id)
        )
    ).all()
    bad = [
        f"order {i}: {status}"
        for i, status in rows
        if status != CLOSED and not (status == CANCELLED and i in credited)
    ]
    if expected is not None and len(rows) != expected:
        bad.append(f"{len(rows)} orders submitted, {expected} expected")
    ended = len(rows) - len(bad)
    good = f"{ended} of {len(rows)} ended ({len(credited)} of them by a credit note)"
    return _check("every lifecycle completed", bad, good)


async def _per_order(session: AsyncSession, column, what: str) -> list[str]:  # type: ignore[no-untyped-def]
    rows = (
        await session.execute(
            select(column, func.count()).group_by(column).having(func.count() > 1)
        )
    ).all()
    return [f"{what} {key}: {n}" for key, n in rows]


def _gaps(numbers: Sequence[tuple[str, int, int]]) -> list[str]:
    """Per (jurisdiction, year) the sequences must run 1..n (the run's database is new)."""
    series: dict[tuple[str, int], list[int]] = {}
    for jurisdiction, year, sequence in numbers:
        series.setdefault((jurisdiction, year), []).append(sequence)
    return [
        f"{j} {y}: {sorted(s)[:SHOWN]}…"
        for (j, y), s in series.items()
        if sorted(s) != list(range(1, len(s) + 1))
    ]


async def _payouts(session: AsyncSession, payout_dir: Path) -> Check:
    bad = await _per_order(session, Payout.order_id, "payouts of order")
    keys = dict((await session.execute(select(Payout.payout_key, Payout.amount_cents))).all())
    in_files: Counter[str] = Counter()
    for path in sorted(payout_dir.rglob("*.xml")) if payout_dir.is_dir() else []:
        for transfer in read_payout_file(path):
            in_files[transfer["end_to_end_id"]] += 1
            if keys.get(transfer["end_to_end_id"]) != transfer["amount_cents"]:
                bad.append(f"{transfer['end_to_end_id']} in {path.name}: no such payout")
    bad += [f"payout {key} in {n} transfers" for key, n in in_files.items() if n > 1]
    bad += [f"payout {key} in no file" for key in keys if key not in in_files]
    good = f"{len(keys)} payouts, {in_files.total()} transfers in pain.001 files"
    return _check("0 duplicate payouts", bad, good)


async def _numbered(
    session: AsyncSession, model: type[Invoice] | type[CreditNote], what: str, title: str
) -> Check:
    """One document per order, numbers unique, each series gapless (invoices, credit notes)."""
    rows = (await session.execute(select(model.jurisdiction, model.year, model.sequence))).all()
    bad = await _per_order(session, model.order_id, f"{what}s of order")
    bad += await _per_order(session, model.number, f"{what} number")
    bad += _gaps([tuple(r) for r in rows])  # type: ignore[misc]
    return _check(title, bad, f"{len(rows)} {what}s")


async def _declarations(session: AsyncSession) -> Check:
    rows = (
        await session.execute(
            select(Declaration.order_id, Declaration.kind, func.count()).group_by(
                Declaration.order_id, Declaration.kind
            )
        )
    ).all()
    bad = [f"order {o} {kind}: {n}" for o, kind, n in rows if n > 1]
    return _check("0 duplicate declarations", bad, f"{sum(n for *_, n in rows)} declarations")


async def _payments(session: AsyncSession) -> Check:
    rows = (await session.execute(select(Payment.order_id, Payment.applied))).all()
    per_order = Counter(order for order, _ in rows)
    bad = [f"order {o}: {n} payments" for o, n in per_order.items() if n > 1]
    bad += [f"order {o}: payment not applied" for o, applied in rows if not applied]
    return _check("0 duplicate payments", bad, f"{len(rows)} payments, each applied")


_UNIQUE_PART = re.compile(r"^<(offer-\d+)-[^@]+@")  # an offer's Message-ID names its token


def _emails(maildir: Path) -> list[Check]:
    """One Message-ID per document (an offer's names its signing token), and each delivered
    once. SMTP is at-least-once: a worker lost between the delivery and its record sends again
    with the same Message-ID (a mail client shows one); those are counted apart."""
    messages = read_maildir(maildir) if maildir.is_dir() else []
    ids = Counter(str(m["Message-ID"]) for m in messages)
    documents = Counter(
        (found.group(1) if (found := _UNIQUE_PART.match(mid)) else mid) for mid in ids
    )
    bad = [f"{doc}: {n} different Message-IDs" for doc, n in documents.items() if n > 1]
    kinds = Counter(re.sub(r"^<([a-z]+).*", r"\1", mid) for mid in ids)
    good = f"{len(ids)} documents e-mailed, one Message-ID each ({dict(kinds)})"
    again = [f"{mid} delivered {n} times" for mid, n in ids.items() if n > 1]
    return [
        _check("0 duplicate e-mails", bad, good),
        Check(
            "e-mails delivered again with the same Message-ID (SMTP at-least-once)",
            True,
            _names(again) if again else f"none of {len(messages)} deliveries",
            note=bool(again),
        ),
    ]


async def _ledger(session: AsyncSession) -> Check:
    rows = (
        await session.execute(
            select(
                LedgerEntry.entry_key,
                func.coalesce(func.sum(LedgerLine.debit_cents), 0),
                func.coalesce(func.sum(LedgerLine.credit_cents), 0),
            )
            .outerjoin(LedgerLine, LedgerLine.entry_id == LedgerEntry.id)
            .group_by(LedgerEntry.id, LedgerEntry.entry_key)
        )
    ).all()
    bad = [f"{key}: debit {d} ≠ credit {c}" for key, d, c in rows if d != c or d == 0]
    total = sum(d for _, d, _ in rows)
    return _check("ledger balanced", bad, f"{len(rows)} entries, {total} cents each side")


async def _budgets(session: AsyncSession) -> Check:
    closed = (
        await session.execute(
            select(Order.id, Order.member_id).where(Order.status.in_((CLOSED, CANCELLED)))
        )
    ).all()
    members: dict[int, set[int]] = {}
    for order_id, member_id in closed:
        members.setdefault(member_id, set()).add(order_id)
    bad: list[str] = []
    for member_id, orders in members.items():
        budget = await budget_of(session, member_id)
        for activity in budget.activities:
            if activity.activity not in orders:
                continue
            f = activity.figures
            off = {name: getattr(f, name) for name in ZERO_WHEN_CLOSED if getattr(f, name)}
            if f.advanced_cents != f.advance_repaid_cents:
                off["advance outstanding"] = f.advanced_cents - f.advance_repaid_cents
            if off:
                bad.append(f"order {activity.activity}: {off}")
    good = f"{len(closed)} closed or cancelled orders"
    return _check("member budgets of closed orders at zero", bad, good)


async def check_all(
    database_url: str, data_dir: Path, *, expected: int | None = None
) -> list[Check]:
    """Every invariant, on the run's database and its data folder (maildir, payout files)."""
    engine = make_engine(database_url)
    try:
        async with make_session_factory(engine)() as session:
            return [
                await _lifecycles(session, expected),
                await _payouts(session, data_dir / "payouts"),
                await _numbered(
                    session, Invoice, "invoice", "0 duplicate invoice numbers (gapless)"
                ),
                await _numbered(session, CreditNote, "credit note", "0 duplicate credit notes"),
                await _declarations(session),
                await _payments(session),
                *_emails(data_dir / "maildir"),
                await _ledger(session),
                await _budgets(session),
            ]
    finally:
        await engine.dispose()


def report(checks: Sequence[Check]) -> bool:
    """Print each check; True when all hold."""
    for c in checks:
        status = "FAIL" if not c.ok else "note" if c.note else "ok"
        print(f"  [{status}] {c.name}: {c.detail}")  # noqa: T201
    return all(c.ok for c in checks)
