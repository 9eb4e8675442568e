"""The Belgian quarterly DmfA aggregate."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from domain.declarations.dmfa import DmfaLine, dmfa, dmfa_due
from domain.declarations.periods import Quarter
from domain.errors import InvalidPeriod

Q1 = Quarter.parse("2026-Q1")


def line(**overrides: Any) -> DmfaLine:
    values: dict[str, Any] = {
        "payslip_ref": "payslip-1",
        "worker_ref": "member-1",
        "inss": "85073003328",
        "pay_date": date(2026, 2, 1),
        "work_days": 5,
        "gross_cents": 200_000,
        "employee_contributions_cents": 26_140,
        "employer_contributions_cents": 54_000,
    }
    values.update(overrides)
    return DmfaLine(**values)


def test_due_dates_are_the_end_of_the_month_after_the_quarter() -> None:
    assert [dmfa_due(Quarter(year=2026, quarter=q)) for q in (1, 2, 3, 4)] == [
        date(2026, 4, 30),
        date(2026, 7, 31),
        date(2026, 10, 31),
        date(2027, 1, 31),
    ]


def test_aggregates_per_worker_and_contract_type() -> None:
    declaration = dmfa(
        Q1,
        "1234567",
        "010",
        [
            line(),
            line(payslip_ref="payslip-2", pay_date=date(2026, 3, 31), gross_cents=100_000,
                 employee_contributions_cents=13_070, employer_contributions_cents=27_000),
            line(payslip_ref="payslip-3", worker_ref="member-2", inss="90010100123",
                 contract_type="artist", gross_cents=100_001),
        ],
    )  # fmt: skip
    first, artist = declaration.workers
    assert (first.worker_ref, first.gross_cents, first.days) == ("member-1", 300_000, 10)
    assert first.payslip_refs == ("payslip-1", "payslip-2")
    assert first.onss_base_cents == 300_000
    assert artist.onss_base_cents == 108_001  # 108 %, rounded half-up
    assert declaration.gross_cents == 400_001
    assert declaration.period_key() == "BE-DMFA-2026-Q1"


def test_refuses_payslips_outside_the_quarter_or_without_a_valid_inss() -> None:
    with pytest.raises(InvalidPeriod, match="outside 2026-Q1"):
        dmfa(Q1, "1234567", "010", [line(pay_date=date(2026, 4, 1))])
    with pytest.raises(InvalidPeriod, match="11 digits"):
        dmfa(Q1, "1234567", "010", [line(inss="123")])
    with pytest.raises(InvalidPeriod, match="different INSS"):
        dmfa(Q1, "1234567", "010", [line(), line(payslip_ref="p2", inss="90010100123")])
