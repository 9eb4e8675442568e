"""Keyword-default employment records for the German payroll tests."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from domain.payroll.employment import EmploymentRecordDE


def record(**overrides: Any) -> EmploymentRecordDE:
    """A childless 30-year-old (in 2026) in NRW, tax class I, no church, fund at 2.9 %."""
    values: dict[str, Any] = {
        "tax_class": 1,
        "federal_state": "NW",
        "health_fund": "Techniker Krankenkasse",
        "health_fund_additional_rate": Decimal("0.029"),
        "birth_year": 1996,
    }
    values.update(overrides)
    return EmploymentRecordDE(**values)


def parent(**overrides: Any) -> EmploymentRecordDE:
    """The same member with one child under 25."""
    values: dict[str, Any] = {"children": 1, "children_under_25": 1}
    values.update(overrides)
    return record(**values)
