"""The inverse: the largest gross wage a budget pays, employer cost included."""

from __future__ import annotations

from datetime import date

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from domain.errors import InvalidAmount, UnsupportedCase
from domain.payroll.de_engine import GermanPayrollEngine, gross_for_budget
from domain.payroll.employment import EmploymentRecordDE
from tests.payroll_de.factories import parent, record

ENGINE = GermanPayrollEngine()
MEMBERS = {
    "childless": record(),
    "parent of three, class III, church": parent(
        tax_class=3, children=3, children_under_25=3, church_member=True
    ),
}


def cost(gross: int, member: EmploymentRecordDE, pay_date: date) -> int:
    return gross + ENGINE.employer_on_top(gross, member, pay_date)


@settings(max_examples=150, deadline=None)
@given(
    budget=st.integers(min_value=100, max_value=2_000_000),
    member=st.sampled_from(sorted(MEMBERS)),
    pay_date=st.sampled_from([date(2025, 6, 30), date(2026, 6, 30)]),
)
def test_gross_for_budget_uses_the_budget_to_the_cent(
    budget: int, member: str, pay_date: date
) -> None:
    rec = MEMBERS[member]
    split = gross_for_budget(budget, rec, pay_date)
    assert split.gross_cents + split.employer_on_top_cents + split.remainder_cents == budget
    assert split.employer_on_top_cents == ENGINE.employer_on_top(split.gross_cents, rec, pay_date)
    # One more cent of wage can raise the employer's cost by more than a cent: each of the
    # separately rounded amounts (five branches, a Midijob total doubling its rounded half,
    # three levies) may tick up at once, so the leftover is bounded by that, not by 1.
    # Observed: at most 6 cents, and only on budgets of a few euros.
    assert 0 <= split.remainder_cents <= 13
    assert cost(split.gross_cents + 1, rec, pay_date) > budget


def test_a_budget_that_is_exactly_a_payslips_employer_cost() -> None:
    # The 9,000 € payslip costs the employer 10,724.40 € in all.
    split = gross_for_budget(1_072_440, record(), date(2026, 3, 31))
    assert (split.gross_cents, split.employer_on_top_cents, split.remainder_cents) == (
        900_000,
        172_440,
        0,
    )


def test_above_the_ceilings_every_further_cent_is_wage() -> None:
    pay = date(2026, 3, 31)
    low = gross_for_budget(2_000_000, record(), pay)
    high = gross_for_budget(2_000_100, record(), pay)
    assert high.gross_cents - low.gross_cents == 100
    assert low.employer_on_top_cents == high.employer_on_top_cents


def test_minijob_budget_up_to_the_limit_and_refused_beyond() -> None:
    pay = date(2026, 3, 31)
    minijobber = record(minijob=True)
    at_limit = cost(60_300, minijobber, pay)
    split = gross_for_budget(at_limit, minijobber, pay)
    assert (split.gross_cents, split.remainder_cents) == (60_300, 0)
    small = gross_for_budget(30_000, minijobber, pay)
    assert small.gross_cents + small.employer_on_top_cents + small.remainder_cents == 30_000
    assert cost(small.gross_cents + 1, minijobber, pay) > 30_000
    with pytest.raises(UnsupportedCase, match="more than a Minijob"):
        gross_for_budget(at_limit + 500, minijobber, pay)


def test_zero_and_negative_budgets() -> None:
    assert gross_for_budget(0, record(), date(2026, 3, 31)).gross_cents == 0
    with pytest.raises(InvalidAmount):
        gross_for_budget(-1, record(), date(2026, 3, 31))
