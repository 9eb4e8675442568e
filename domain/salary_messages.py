"""What the monthly salary workflow and its activities say to each other (pure data).

A member on **monthly salary** is paid a fixed gross (the salary category) at each month end
from the member's budget, instead of a wage per order. One workflow per member
(``salary-<member id>``) runs month after month (continue-as-new at each month end); the
arrangement (mode, gross, hours) lives in the database, changes take effect on the first day of
the next month, so a month is always paid under the arrangement in force on its first day.
"""

from __future__ import annotations

from datetime import date
from typing import Literal

from pydantic import BaseModel, ConfigDict

WageMode = Literal["per_order", "monthly"]

SALARY_WORKFLOW_TYPE = "MonthlySalaryWorkflow"

# Activity names
SALARY_MONTH_PLAN = "salary_month_plan"
RUN_MONTHLY_SALARY = "run_monthly_salary"
QUEUE_SALARY_PAYOUT = "queue_salary_payout"
DECLARE_SALARY_EMPLOYMENT = "declare_salary_employment"
WAGE_MODE_OF = "wage_mode_of"


def salary_workflow_id(member_id: int) -> str:
    return f"salary-{member_id}"


def month_key(month: date) -> str:
    """``2026-12`` for any day of December 2026."""
    return f"{month.year:04d}-{month.month:02d}"


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True)


class SalaryInput(_Frozen):
    """One month of a member's salary workflow; the next month's run is continued as new."""

    member_id: int
    month: date  # the first day of the month this run pays
    negative_months: int = 0  # month ends in a row the budget stayed below zero after a salary
    employment_declared: bool = False  # the continuing employment's start was declared
    seconds_per_day: float = 86_400.0  # wall time of a business day (demo time in the demo)
    started_on: date | None = None  # the business day this run starts (None: ``month``)
    paused: str = ""  # why last month's salary was paused (shown until a month end pays)


class MonthPlanRequest(_Frozen):
    member_id: int
    month: date
    negative_months: int


class MonthPlan(_Frozen):
    """What the month end does, decided from the arrangement and the budget at that moment."""

    action: Literal["pay", "pause", "stop"]
    # stop: the member left or went back to per-order wages; the workflow ends (after its
    # end-of-employment declaration when it had declared one).
    message: str
    gross_cents: int = 0
    employer_cost_cents: int = 0
    available_cents: int = 0  # the budget's available amount before this salary
    negative_months: int = 0  # after this month
    jurisdiction: str = "DE"
    left_on: date | None = None  # stop: the continuing employment's last day
    # pay: the last salary (from next month the member is paid per order, or left): the
    # employment ends on this month's last day, after its payout.
    last_month: bool = False


class RunMonthlySalary(_Frozen):
    """The month's salary: paid (its payslip, booked) or paused (recorded with the reason)."""

    member_id: int
    month: date
    status: Literal["paid", "paused"]
    pay_date: date
    gross_cents: int
    negative_months: int
    available_cents: int
    message: str = ""


class SalaryPaid(_Frozen):
    """The month's payslip, booked in the ledger; its payout is queued next."""

    salary_month_id: int
    net_cents: int
    employer_cost_cents: int
    engine: str


class QueueSalaryPayout(_Frozen):
    member_id: int
    month: date
    salary_month_id: int
    payout_cents: int
    execution_date: date
    now_iso: str  # the workflow's time: the cut-off and the run's timer agree on it
    workflow_id: str


class DeclareSalaryEmployment(_Frozen):
    member_id: int
    kind: Literal["start", "end"]
    on: date  # the first day (start) or the last day (end)


class WageModeRequest(_Frozen):
    member_id: int
    on: date


class SalaryView(_Frozen):
    """The salary workflow's state for people (its Query and the Temporal UI's details)."""

    member_id: int
    month: date
    status: Literal["waiting for the month end", "paying", "paid", "paused", "stopped", "held"]
    message: str = ""
    gross_cents: int = 0
    negative_months: int = 0
