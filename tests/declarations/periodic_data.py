"""Test data for the periodic declarations: members with their social-security data, and
payslips paid on given days (keyword-default factories)."""

from __future__ import annotations

from datetime import date, timedelta
from itertools import count

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from db.models import Member, Order, Payslip
from db.models_declarations import MemberSocialInsurance
from domain.declarations.deuev import versicherungsnummer_check_digit
from domain.payroll.de_engine import GermanPayslip, german_payslip
from domain.payroll.employment import EmploymentRecordDE
from tests.factories import create_client, create_member, create_order

TK = "15027365"  # two health funds (Betriebsnummern of the collecting agencies)
AOK = "87654321"
OCCUPATION = "943144314"
_serial = count(10)


def vsnr(birth: str = "170839", letter: str = "J") -> str:
    """A valid pension insurance number, unique per call."""
    body = f"65{birth}{letter}{next(_serial) % 50:02d}"
    return body + str(versicherungsnummer_check_digit(body))


async def de_member(
    sessions: async_sessionmaker[AsyncSession], *, fund: str | None = TK, **overrides: object
) -> Member:
    member = await create_member(sessions, jurisdiction="DE")
    values: dict[str, object] = {
        "member_id": member.id,
        "jurisdiction": "DE",
        "insurance_number": vsnr(),
        "family_name": "Lovelace",
        "given_name": "Ada",
        "health_fund_number": fund,
        "occupation_key": OCCUPATION,
    }
    values.update(overrides)
    async with sessions.begin() as session:
        session.add(MemberSocialInsurance(**values))
    return member


async def be_member(
    sessions: async_sessionmaker[AsyncSession], *, inss: str, contract_type: str = "white_collar"
) -> Member:
    member = await create_member(sessions, jurisdiction="BE", language="fr")
    async with sessions.begin() as session:
        session.add(
            MemberSocialInsurance(
                member_id=member.id,
                jurisdiction="BE",
                insurance_number=inss,
                contract_type=contract_type,
            )
        )
    return member


async def payslip(
    sessions: async_sessionmaker[AsyncSession],
    member: Member,
    *,
    paid: date,
    gross: int = 300_000,
    employee: int = 63_450,
    employer: int = 71_100,
    tax: int = 30_000,
    work_days: int = 5,
    details: str | None = None,
) -> Payslip:
    """An order of ``member`` that ended a week before ``paid``, and its payslip."""
    client = await create_client(sessions, member)
    start = paid - timedelta(days=14)
    order: Order = await create_order(
        sessions,
        member,
        client,
        today=start,
        jurisdiction=member.jurisdiction,
        period_start=start,
        period_end=paid - timedelta(days=7),
        status="Closed",
    )
    values = {
        "order_id": order.id,
        "member_id": member.id,
        "jurisdiction": member.jurisdiction,
        "pay_date": paid,
        "period_start": order.period_start,
        "period_end": order.period_end,
        "work_days": work_days,
        "employment_budget_cents": gross + employer,
        "gross_wage_cents": gross,
        "employee_contributions_cents": employee,
        "employer_contributions_cents": employer,
        "wage_tax_cents": tax,
        "net_wage_cents": gross - employee - tax,
        "expenses_cents": 0,
        "employer_cost_cents": gross + employer,
        "details": details,
    }
    async with sessions.begin() as session:
        row = Payslip(**values)
        session.add(row)
    return row


async def exact_de_payslip(
    sessions: async_sessionmaker[AsyncSession],
    member: Member,
    record: EmploymentRecordDE,
    *,
    paid: date,
    gross: int,
) -> tuple[Payslip, GermanPayslip]:
    """A payslip as the exact German engine makes it (its ``details``)."""
    slip = german_payslip(gross, record, paid)
    row = await payslip(
        sessions,
        member,
        paid=paid,
        gross=slip.gross_cents,
        employee=slip.employee_contributions_cents,
        employer=slip.employer_cost_cents - slip.gross_cents,
        tax=slip.wage_tax_cents + slip.solidarity_cents + slip.church_tax_cents,
        details=slip.model_dump_json(),
    )
    return row, slip
