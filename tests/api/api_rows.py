"""Rows the real workflow's activities write (invoices, reminders, cases, payslips, ledger),
inserted directly so the read endpoints can be tested without the workflow."""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from db.models import (
    DunningDocument,
    FinanceCase,
    Invoice,
    LedgerEntry,
    LedgerLine,
    Payslip,
)


async def insert_invoice(
    session_factory: async_sessionmaker[AsyncSession], order: dict[str, Any], **overrides: Any
) -> int:
    values: dict[str, Any] = {
        "order_id": order["id"],
        "number": f"DE-2026-{order['id']:05d}",
        "jurisdiction": "DE",
        "year": 2026,
        "sequence": order["id"],
        "issue_date": date(2026, 6, 6),
        "due_date": date(2026, 7, 6),
        "net_cents": order["net_amount_cents"],
        "vat_rate": "0.19",
        "vat_cents": order["net_amount_cents"] * 19 // 100,
        "gross_cents": order["net_amount_cents"] * 119 // 100,
        "vat_treatment": "domestic",
        "creditor_reference": f"RF18{order['id']:08d}",
        "client_name": order["client_name"],
        "description": order["description"],
        "period_start": date(2026, 6, 1),
        "period_end": date(2026, 6, 5),
    } | overrides
    async with session_factory() as session:
        invoice = Invoice(**values)
        session.add(invoice)
        await session.flush()
        session.add(
            DunningDocument(
                invoice_id=invoice.id,
                number=f"{values['number']}-M1",
                level=1,
                name="Zahlungserinnerung",
                issue_date=date(2026, 7, 13),
                principal_due_cents=values["gross_cents"],
                interest_cents=120,
                interest_rate="0.1027",
                pay_by=date(2026, 7, 27),
            )
        )
        await session.commit()
        return invoice.id


async def insert_case(
    session_factory: async_sessionmaker[AsyncSession],
    order_id: int,
    invoice_id: int,
    *,
    opened_on: date = date(2026, 8, 24),
    status: str = "open",
    kind: str = "overdue",
) -> int:
    async with session_factory() as session:
        case = FinanceCase(
            case_key=f"case-{order_id}-{opened_on}-{kind}",
            kind=kind,
            order_id=order_id,
            invoice_id=invoice_id,
            opened_on=opened_on,
            amount_due_cents=571200,
            dunning_level=4,
            status=status,
        )
        session.add(case)
        await session.commit()
        return case.id


async def insert_payslip(
    session_factory: async_sessionmaker[AsyncSession], order: dict[str, Any]
) -> int:
    async with session_factory() as session:
        payslip = Payslip(
            order_id=order["id"],
            member_id=order["member_id"],
            jurisdiction="DE",
            pay_date=date(2026, 6, 12),
            period_start=date(2026, 6, 1),
            period_end=date(2026, 6, 5),
            work_days=5,
            employment_budget_cents=436800,
            gross_wage_cents=353000,
            employee_contributions_cents=74000,
            employer_contributions_cents=83800,
            wage_tax_cents=28000,
            net_wage_cents=251000,
            expenses_cents=0,
            employer_cost_cents=436800,
        )
        session.add(payslip)
        await session.commit()
        return payslip.id


async def insert_ledger_entry(
    session_factory: async_sessionmaker[AsyncSession],
    order_id: int,
    key: str,
    lines: list[tuple[str, int, int]],
    posted_on: date = date(2026, 6, 6),
    member_id: int | None = None,
) -> None:
    async with session_factory() as session:
        session.add(
            LedgerEntry(
                entry_key=key,
                order_id=order_id,
                member_id=member_id,
                posted_on=posted_on,
                description=key,
                lines=[
                    LedgerLine(
                        account=a,
                        order_id=order_id,
                        member_id=member_id,
                        debit_cents=d,
                        credit_cents=c,
                    )
                    for a, d, c in lines
                ],
            )
        )
        await session.commit()
