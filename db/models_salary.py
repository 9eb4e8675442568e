"""Monthly salaries: the member's arrangement (per-order wages or a monthly salary of a chosen
gross), one row per change, never edited (the month's arrangement is the newest one in force on
its first day); and each month's salary as paid or paused, with its payslip figures."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import (
    BigInteger,
    Date,
    DateTime,
    ForeignKey,
    Integer,
    Numeric,
    String,
    Text,
    UniqueConstraint,
    func,
)
from sqlalchemy.orm import Mapped, mapped_column

from db.models import Base


class SalaryArrangement(Base):
    __tablename__ = "salary_arrangements"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    member_id: Mapped[int] = mapped_column(ForeignKey("members.id"), index=True)
    mode: Mapped[str] = mapped_column(String(16))  # per_order | monthly | left
    gross_cents: Mapped[int] = mapped_column(BigInteger, default=0)
    hours_per_month: Mapped[Decimal] = mapped_column(Numeric(6, 2), default=0)
    effective_from: Mapped[date] = mapped_column(Date)  # the first day of a month
    requested_by: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())


class SalaryMonth(Base):
    """One month of a member's monthly salary: paid (its payslip figures) or paused (why)."""

    __tablename__ = "salary_months"
    __table_args__ = (UniqueConstraint("member_id", "month", name="uq_salary_months_member_month"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    member_id: Mapped[int] = mapped_column(ForeignKey("members.id"), index=True)
    month: Mapped[date] = mapped_column(Date)  # its first day
    status: Mapped[str] = mapped_column(String(16))  # paid | paused
    message: Mapped[str] = mapped_column(Text, default="")
    jurisdiction: Mapped[str] = mapped_column(String(2))
    engine: Mapped[str] = mapped_column(String(16), default="")
    pay_date: Mapped[date] = mapped_column(Date)
    gross_wage_cents: Mapped[int] = mapped_column(BigInteger, default=0)
    employee_contributions_cents: Mapped[int] = mapped_column(BigInteger, default=0)
    employer_contributions_cents: Mapped[int] = mapped_column(BigInteger, default=0)
    wage_tax_cents: Mapped[int] = mapped_column(BigInteger, default=0)
    net_wage_cents: Mapped[int] = mapped_column(BigInteger, default=0)
    employer_cost_cents: Mapped[int] = mapped_column(BigInteger, default=0)
    available_before_cents: Mapped[int] = mapped_column(BigInteger, default=0)
    negative_months: Mapped[int] = mapped_column(Integer, default=0)
    payout_key: Mapped[str | None] = mapped_column(String(35), nullable=True)
    details: Mapped[str | None] = mapped_column(Text, nullable=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
