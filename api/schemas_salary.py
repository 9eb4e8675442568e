"""The monthly salary's request and answers (``/members/me/salary``)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Literal

from pydantic import BaseModel, Field, model_validator

from api.bounds import Cents


class SalaryChoice(BaseModel):
    """Per-order wages, or a monthly salary of ``gross_cents`` for ``hours_per_month`` hours,
    from the first day of next month."""

    mode: Literal["per_order", "monthly"]
    gross_cents: Cents | None = Field(
        default=None,
        description="monthly: the salary category, a gross monthly amount within the range "
        "GET /members/me/salary shows",
    )
    hours_per_month: Decimal | None = Field(
        default=None,
        gt=0,
        le=Decimal("260"),
        max_digits=5,
        decimal_places=2,
        description="monthly: the hours a month the salary pays (sets the minimum wage floor)",
    )

    @model_validator(mode="after")
    def _monthly_needs_figures(self) -> SalaryChoice:
        if self.mode == "monthly" and (self.gross_cents is None or self.hours_per_month is None):
            raise ValueError("a monthly salary needs gross_cents and hours_per_month")
        return self


class ArrangementOut(BaseModel):
    mode: Literal["per_order", "monthly", "left"]
    gross_cents: int
    hours_per_month: Decimal
    effective_from: date
    requested_by: str


class SalaryRangeOut(BaseModel):
    month: date = Field(description="the first month a change now would apply to")
    hours_per_month: Decimal
    minimum_gross_cents: int = Field(description="the minimum wage for the hours")
    maximum_gross_cents: int = Field(description="what the average employment budget pays")
    average_budget_cents: int
    supported: bool
    refused: str | None = Field(
        default=None, description="why no range can be given (e.g. a figure not published)"
    )


class SalaryMonthOut(BaseModel):
    month: date
    status: str
    message: str
    pay_date: date
    gross_wage_cents: int
    net_wage_cents: int
    employer_cost_cents: int
    payout_key: str | None


class SalaryOut(BaseModel):
    member_id: int
    mode_now: Literal["per_order", "monthly", "left"]
    arrangements: list[ArrangementOut] = Field(description="newest first, future ones too")
    range: SalaryRangeOut
    months: list[SalaryMonthOut] = Field(description="newest first")
    workflow_id: str | None


class SalaryMonthRow(SalaryMonthOut):
    member_id: int
    member_name: str
    available_before_cents: int
