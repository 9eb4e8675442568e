"""The Belgian engine behind the Payroll Protocol, from an order's breakdown."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from domain.breakdown import OrderBreakdown, compute_breakdown
from domain.errors import UnsupportedCase
from domain.payroll.be_engine import BelgianPayrollEngine
from domain.payroll.be_withholding import BelgianTaxRecord
from domain.payroll.employment import BelgianEmployment
from domain.payroll.protocol import Payroll, PayrollRequest
from domain.payroll.provisional import PolicyPayroll
from domain.policy import Jurisdiction, policy_for

PAY_DATE = date(2026, 3, 31)


def _breakdown(
    jurisdiction: Jurisdiction = "BE", net_cents: int = 700_000, expenses_cents: int = 5_000
) -> OrderBreakdown:
    policy = policy_for(jurisdiction, PAY_DATE)
    return compute_breakdown(
        policy, net_cents=net_cents, vat_rate=Decimal("0.21"), expenses_cents=expenses_cents
    )


def _request(**overrides: object) -> PayrollRequest:
    values: dict[str, object] = {
        "payslip_id": "order-42",
        "jurisdiction": "BE",
        "member_id": "7",
        "member_name": "Ada Lovelace",
        "breakdown": _breakdown(),
        "pay_date": PAY_DATE,
        "period_start": date(2026, 3, 2),
        "period_end": date(2026, 3, 20),
    }
    values.update(overrides)
    return PayrollRequest.model_validate(values)


async def test_a_belgian_order_spends_its_budget_on_one_wage() -> None:
    # Order net 7,000.00, expenses 50.00: fee 6.5 % = 455.00; 6,495.00 left; contribution 8 %
    # = 519.60; employment budget 5,975.40. Standard contract: gross = 5,975.40 / 1.25 =
    # 4,780.32, employer 25 % = 1,195.08, cost 5,975.40 exactly.
    breakdown = _breakdown()
    assert breakdown.employment_budget_cents == 597_540
    engine: Payroll = BelgianPayrollEngine()  # a drop-in for PolicyPayroll
    data = (await engine.run(_request(breakdown=breakdown))).data
    assert data.gross_wage_cents == 478_032
    assert data.employer_contributions_cents == 119_508
    assert data.employer_cost_cents == 597_540
    assert data.expenses_cents == 5_000
    assert (
        data.employee_contributions_cents + data.wage_tax_cents + data.net_wage_cents
        == data.gross_wage_cents
    )


async def test_the_request_carries_the_members_contract() -> None:
    artist = BelgianEmployment(contract="artist", tax=BelgianTaxRecord(dependent_children=1))
    runner: Payroll = BelgianPayrollEngine()
    standard = (await runner.run(_request())).data
    as_artist = (await BelgianPayrollEngine().run(_request(employment=artist))).data
    assert as_artist.gross_wage_cents < standard.gross_wage_cents  # the 108 % base costs more
    assert as_artist.employer_cost_cents <= as_artist.employment_budget_cents


async def test_other_jurisdictions_go_to_the_fallback() -> None:
    breakdown = _breakdown("DE")
    request = _request(jurisdiction="DE", breakdown=breakdown)
    expected = await PolicyPayroll().run(request)
    assert await BelgianPayrollEngine().run(request) == expected


async def test_an_unsupported_member_is_refused() -> None:
    employment = BelgianEmployment(tax=BelgianTaxRecord(resident=False))
    with pytest.raises(UnsupportedCase):
        await BelgianPayrollEngine().run(_request(employment=employment))
