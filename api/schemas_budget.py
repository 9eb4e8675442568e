"""The member's budget as the API answers it: every figure in integer cents, for the member's
total and per activity (an order; ``activity`` null for member-level entries). The figures'
definitions are in ``domain.budget``."""

from __future__ import annotations

from pydantic import BaseModel, Field

from domain.budget import ActivityBudget, Budget, BudgetFigures


class MemberBudgetOut(BaseModel):
    member_id: int
    month: str | None = Field(
        description="YYYY-MM when asked for a month: the figures are the balances at its end"
    )
    total: BudgetFigures
    activities: list[ActivityBudget]
    movements: Budget | None = Field(
        description="The month's movements (its end minus its start, per figure); "
        "null without a month"
    )
