"""Rows behind the finance desk's pages, inserted directly: many cases for the queue's filters
and pages, bank lines for the bank page (no workflow needed to list them)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from itertools import count
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from db.models import Client, FinanceCase, Invoice, Member, Order
from db.models_banking import BankStatement, BankTransaction

_seq = count(1)


async def insert_queue_case(
    sessions: async_sessionmaker[AsyncSession],
    *,
    today: date,
    member: str = "Ada Lovelace",
    client: str = "ACME GmbH",
    jurisdiction: str = "DE",
    days_overdue: int = 30,
    amount_cents: int = 100_00,
    level: int = 4,
    kind: str = "overdue",
    status: str = "open",
    **order_values: Any,
) -> int:
    """A member, client, order, invoice and finance case; the case's id."""
    n = next(_seq)
    due = today - timedelta(days=days_overdue)
    async with sessions.begin() as session:
        m = Member(
            name=member,
            email=f"m{n}@example.org",
            jurisdiction=jurisdiction,
            language="de",
            iban="DE89370400440532013000",
            bic="COBADEFFXXX",
        )
        session.add(m)
        await session.flush()
        c = Client(
            member_id=m.id,
            name=client,
            email=f"c{n}@example.org",
            address="Hauptstraße 1, 10115 Berlin",
            country=jurisdiction,
            is_business=True,
            language="de",
        )
        session.add(c)
        await session.flush()
        order = Order(
            member_id=m.id,
            client_id=c.id,
            description="Stage lighting",
            jurisdiction=jurisdiction,
            period_start=due - timedelta(days=40),
            period_end=due - timedelta(days=35),
            net_amount_cents=amount_cents,
            offer_valid_until=due,
            status="Escalated",
            amount_due_cents=amount_cents,
            dunning_level=level,
            **order_values,
        )
        session.add(order)
        await session.flush()
        invoice = Invoice(
            order_id=order.id,
            number=f"{jurisdiction}-2026-{900000 + n}",
            jurisdiction=jurisdiction,
            year=2026,
            sequence=900000 + n,
            issue_date=due - timedelta(days=30),
            due_date=due,
            net_cents=amount_cents,
            vat_rate="0",
            vat_cents=0,
            gross_cents=amount_cents,
            vat_treatment="domestic",
            creditor_reference=f"RF99{n:010d}",
            client_name=client,
            description="Stage lighting",
            period_start=order.period_start,
            period_end=order.period_end,
        )
        session.add(invoice)
        await session.flush()
        case = FinanceCase(
            case_key=f"desk-case-{n}",
            kind=kind,
            order_id=order.id,
            invoice_id=invoice.id,
            opened_on=due + timedelta(days=28),
            amount_due_cents=amount_cents,
            dunning_level=level,
            status=status,
            decision="write_off" if status == "decided" else None,
        )
        session.add(case)
        await session.flush()
        return case.id


async def insert_bank_line(sessions: async_sessionmaker[AsyncSession], **overrides: Any) -> int:
    """An unmatched credit of €120.00 waiting in the finance queue; the line's id."""
    n = next(_seq)
    async with sessions.begin() as session:
        statement = BankStatement(
            identity=f"desk-statement-{n}",
            kind="camt.053",
            version="001.08",
            message_id=f"MSG{n}",
            statement_id=f"STMT{n}",
            account_iban="DE89370400440532013000",
            currency="EUR",
            created_at_bank=datetime(2026, 12, 5, tzinfo=UTC),
            line_count=1,
            new_lines=1,
            credit_cents=0,
            debit_cents=0,
            source="upload",
            workflow_id=f"bank-statement-{n}",
        )
        session.add(statement)
        await session.flush()
        values: dict[str, Any] = {
            "identity": f"desk-line-{n}",
            "statement_id": statement.id,
            "account_iban": "DE89370400440532013000",
            "direction": "credit",
            "amount_cents": 120_00,
            "currency": "EUR",
            "booking_date": date(2026, 12, 5),
            "counterparty_name": "ACME GmbH",
            "counterparty_iban": "DE02120300000000202051",
            "unstructured": "Invoice of June, thanks",
            "status": "unmatched",
            "reason": "no reference and no open amount of €120.00",
        } | overrides
        line = BankTransaction(**values)
        session.add(line)
        await session.flush()
        return line.id
