"""The whole-month payslip of a salary category, and its employer cost both ways."""

from __future__ import annotations

import json
from datetime import date
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from domain.errors import InvalidPeriod, UnsupportedCase
from domain.payroll.be_payroll import belgian_payslip
from domain.payroll.be_withholding import BelgianTaxRecord
from domain.payroll.de_engine import GermanPayslip, german_payslip
from domain.payroll.employment import BelgianEmployment, EmploymentPeriod, MemberEmployment
from domain.payroll.monthly_salary import (
    employer_cost_cents,
    gross_for_employer_cost,
    monthly_salary_result,
)
from tests.payroll_de.factories import record

JUNE = date(2026, 6, 1)
JUNE_END = date(2026, 6, 30)
DE_CLASS_I = record()
DE_CLASS_III = record(tax_class=3, children=2, children_under_25=2, church_member=True)
BE_STANDARD = BelgianEmployment()
BE_ARTIST = BelgianEmployment(contract="artist")


def test_german_class_i_3000_is_the_german_engine_over_the_whole_month() -> None:
    result = monthly_salary_result(300_000, "DE", DE_CLASS_I, JUNE, JUNE_END)
    whole = german_payslip(
        300_000, DE_CLASS_I, JUNE_END, EmploymentPeriod(start=JUNE, end=JUNE_END)
    )
    assert whole == german_payslip(300_000, DE_CLASS_I, JUNE_END)  # the month: 30 SV-days
    assert result.engine == "DE"
    assert GermanPayslip.model_validate_json(result.details) == whole
    assert whole.sv_days == 30
    assert whole.wage_tax_table == "month"
    data = result.data
    assert data.pay_date == JUNE_END
    assert data.gross_wage_cents == 300_000
    assert data.employee_contributions_cents == whole.employee_contributions_cents
    assert data.wage_tax_cents == (
        whole.wage_tax_cents + whole.solidarity_cents + whole.church_tax_cents
    )
    assert data.net_wage_cents == whole.net_cents
    # Hand check of the employer side (2026, NW, fund at 2.9 %): KV 7.3 + 1.45, PV 1.8,
    # RV 9.3, AV 1.3, U1 2.1, U2 0.3, InsO 0.15 = 23.70 % of €3,000.00 = €711.00.
    assert data.employer_contributions_cents == 71_100
    assert data.employer_cost_cents == 371_100
    assert data.employment_budget_cents == 371_100
    assert data.expenses_cents == 0
    assert result.remainder_cents == 0


def test_belgian_salary_is_the_belgian_engine() -> None:
    result = monthly_salary_result(400_000, "BE", BE_STANDARD, JUNE, JUNE_END)
    slip = belgian_payslip(400_000, "standard", BelgianTaxRecord(), JUNE_END)
    assert result.engine == "BE"
    # June pays no allowance: the details are the regular payslip's, with an empty list.
    assert json.loads(result.details) == {**json.loads(slip.model_dump_json()), "allowances": []}
    assert result.data.net_wage_cents == slip.net_cents
    assert result.data.employer_cost_cents == slip.employer_cost_cents
    assert result.data.employment_budget_cents == slip.employer_cost_cents
    assert result.remainder_cents == 0
    assert result.data.expenses_cents == 0


def test_no_record_is_provisional_at_the_policy_flat_rates() -> None:
    result = monthly_salary_result(300_000, "DE", None, JUNE, JUNE_END)
    assert result.engine == "provisional"
    assert json.loads(result.details) == {"provisional": True}
    data = result.data
    # DE 2026: employer 23.70 %, employee 21.15 %, provisional wage tax 10 % of the rest.
    assert data.employer_contributions_cents == 71_100
    assert data.employee_contributions_cents == 63_450
    assert data.wage_tax_cents == 23_655  # 10 % of €2,365.50, half-up
    assert data.net_wage_cents == 300_000 - 63_450 - 23_655
    assert data.employer_cost_cents == data.employment_budget_cents == 371_100


def test_a_record_of_the_other_jurisdiction_is_refused_as_for_an_order() -> None:
    with pytest.raises(UnsupportedCase, match=r"another jurisdiction than the order \(DE\)"):
        monthly_salary_result(300_000, "DE", BE_STANDARD, JUNE, JUNE_END)
    with pytest.raises(UnsupportedCase, match=r"another jurisdiction"):
        employer_cost_cents(300_000, "BE", DE_CLASS_I, JUNE)


def test_a_month_is_given_by_its_first_day() -> None:
    with pytest.raises(InvalidPeriod):
        monthly_salary_result(300_000, "DE", DE_CLASS_I, date(2026, 6, 2), JUNE_END)
    with pytest.raises(InvalidPeriod):
        monthly_salary_result(300_000, "DE", DE_CLASS_I, JUNE, date(2026, 5, 31))


CASES: list[tuple[str, MemberEmployment | None]] = [
    ("DE", DE_CLASS_I),
    ("DE", DE_CLASS_III),
    ("DE", None),
    ("BE", BE_STANDARD),
    ("BE", BE_ARTIST),
    ("BE", None),
]


@pytest.mark.parametrize(("jurisdiction", "employment"), CASES)
@settings(max_examples=40, deadline=None)
@given(gross=st.integers(min_value=100_000, max_value=1_200_000))
def test_employer_cost_is_the_payslip_s(
    jurisdiction: str, employment: MemberEmployment | None, gross: int
) -> None:
    # Paid on the month's last day; BE grosses in the work-bonus range too (its bonus lowers
    # the employee ONSS and the withholding, never the employer cost).
    result = monthly_salary_result(gross, jurisdiction, employment, JUNE, JUNE_END)
    assert result.data.employer_cost_cents == employer_cost_cents(
        gross, jurisdiction, employment, JUNE
    )


@pytest.mark.parametrize(("jurisdiction", "employment"), CASES)
@settings(max_examples=60, deadline=None)
@given(budget=st.integers(min_value=0, max_value=2_000_000))
def test_gross_for_employer_cost_is_the_largest_that_fits(
    jurisdiction: str, employment: MemberEmployment | None, budget: int
) -> None:
    gross = gross_for_employer_cost(budget, jurisdiction, employment, JUNE)
    cost = employer_cost_cents(gross, jurisdiction, employment, JUNE)
    # The Übergangsbereich's cost may dip where the gross rises, so not gross(cost(g)) == g.
    assert cost <= budget < employer_cost_cents(gross + 1, jurisdiction, employment, JUNE)


@pytest.mark.parametrize(
    ("jurisdiction", "employment"), [c for c in CASES if not isinstance(c[1], type(DE_CLASS_I))]
)
@settings(max_examples=40, deadline=None)
@given(gross=st.integers(min_value=0, max_value=1_500_000))
def test_strictly_rising_costs_invert_exactly(
    jurisdiction: str, employment: MemberEmployment | None, gross: int
) -> None:
    cost = employer_cost_cents(gross, jurisdiction, employment, JUNE)
    assert gross_for_employer_cost(cost, jurisdiction, employment, JUNE) == gross


def test_the_german_whole_month_applies_the_monthly_ceiling() -> None:
    # Above the KV/PV ceiling (€5,812.50 a month in 2026) the KV share stops rising.
    high = monthly_salary_result(900_000, "DE", DE_CLASS_I, JUNE, JUNE_END)
    higher = monthly_salary_result(1_000_000, "DE", DE_CLASS_I, JUNE, JUNE_END)
    slip, slip2 = (GermanPayslip.model_validate_json(r.details) for r in (high, higher))
    assert slip.employee_kv_cents == slip2.employee_kv_cents == 42_431  # 7.3 % of 5,812.50
    assert Decimal(slip.employee_kv_cents) == (Decimal("581250") * Decimal("0.073")).quantize(
        Decimal(1)
    )
