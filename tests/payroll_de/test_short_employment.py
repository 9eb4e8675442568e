"""Employments shorter than a month: each order is its own employment from its actual start to
its actual end, so its ceilings are pro rata (monthly ceiling x SV-days / 30) and its wage tax
comes from the daily table (LZZ 4) times its calendar days. Figures derived by hand below."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from domain.errors import UnsupportedCase
from domain.money import round_cents
from domain.payroll.de_contributions import german_contributions
from domain.payroll.de_employer_cost import EmployerCostCurve
from domain.payroll.de_engine import (
    GrossForBudget,
    german_payslip,
    gross_for_budget,
    lohnsteuer_bmf_second_opinion,
)
from domain.payroll.de_rates import rates_for
from domain.payroll.de_wage_tax import WageTaxInput, part_period_wage_tax, wage_tax
from domain.payroll.employment import EmploymentPeriod, EmploymentRecordDE
from tests.payroll_de.factories import record

PAY = date(2026, 3, 31)
FIVE_DAYS = EmploymentPeriod(start=date(2026, 3, 2), end=date(2026, 3, 6))
TWENTY_DAYS = EmploymentPeriod(start=date(2026, 3, 2), end=date(2026, 3, 21))


def days(first: date, last: date) -> EmploymentPeriod:
    return EmploymentPeriod(start=first, end=last)


# ------------------------------------------------------------------ SV-days


@pytest.mark.parametrize(
    ("first", "last", "sv_days"),
    [
        (date(2026, 3, 2), date(2026, 3, 6), 5),
        (date(2026, 3, 6), date(2026, 3, 6), 1),
        (date(2026, 3, 1), date(2026, 3, 31), 30),  # a whole month counts 30 days
        (date(2026, 2, 1), date(2026, 2, 28), 30),  # February too
        (date(2026, 2, 1), date(2026, 2, 27), 27),
        (date(2026, 1, 28), date(2026, 2, 3), 7),  # across two months: 4 + 3 calendar days
        (date(2026, 1, 15), date(2026, 2, 14), 30),  # 17 + 14 = 31, at most 30
        (date(2026, 1, 31), date(2026, 3, 1), 30),  # 1 + a whole February (30) + 1, capped
        (date(2026, 3, 10), date(2026, 6, 20), 30),  # a long order: one month's wage
    ],
)
def test_sv_days_of_a_period(first: date, last: date, sv_days: int) -> None:
    period = days(first, last)
    assert period.sv_days == sv_days
    assert period.whole_month == (sv_days == 30)
    if sv_days < 30:  # no whole month covered: SV-days are the calendar days
        assert period.calendar_days == sv_days


def test_a_period_cannot_end_before_it_starts() -> None:
    with pytest.raises(ValueError, match="end before it starts"):
        days(date(2026, 3, 6), date(2026, 3, 5))


# ------------------------------------------------------------------ contributions


def test_five_days_of_a_high_wage_are_capped_at_the_pro_rata_ceilings() -> None:
    # 3,900 € for 2-6 March 2026, 5 SV-days. Part ceilings (monthly x 5 / 30):
    #   KV/PV 5,812.50 x 5/30 = 968.75; RV/AV 8,450 x 5/30 = 1,408.333.. -> 1,408.33.
    # The monthly formula would take the whole 3,900 (below both monthly ceilings).
    # Employee shares (half rates on the capped bases, rounded half-up):
    #   KV 968.75 x 7.3 % = 70.71875 -> 70.72; Zusatz 968.75 x 1.45 % = 14.046875 -> 14.05;
    #   PV childless 968.75 x 2.4 % = 23.25 (employer 1.8 % = 17.4375 -> 17.44);
    #   RV 1,408.33 x 9.3 % = 130.974.. -> 130.97; AV 1,408.33 x 1.3 % = 18.308.. -> 18.31.
    #   Total 70.72 + 14.05 + 23.25 + 130.97 + 18.31 = 257.30.
    slip = german_payslip(390_000, record(), PAY, FIVE_DAYS)
    c = slip.contributions
    rates = rates_for(PAY)
    assert slip.sv_days == c.sv_days == 5
    assert (c.bbg_kv_pv_cents, c.bbg_rv_av_cents) == (96_875, 140_833)
    assert c.bbg_rv_av_cents == round(rates.bbg_rv_av_cents * 5 / 30)
    assert c.branch("RV").base_cents == 140_833 < 390_000
    assert c.branch("KV").base_cents == 96_875
    employee = [c.branch(b).employee_cents for b in ("KV", "KV_ZUSATZ", "PV", "RV", "AV")]
    assert employee == [7_072, 1_405, 2_325, 13_097, 1_831]
    assert slip.employee_contributions_cents == 25_730
    assert c.branch("PV").employer_cents == 1_744
    # Levies on the capped RV base: U1 2.1 % = 29.57, U2 0.3 % = 4.22, Insolvenz 0.15 % = 2.11.
    assert (c.u1_cents, c.u2_cents, c.insolvency_cents) == (2_957, 422, 211)
    # Against the monthly treatment the base and the shares are far lower.
    month = german_payslip(390_000, record(), PAY)
    assert month.contributions.branch("RV").base_cents == 390_000
    assert month.employee_contributions_cents > slip.employee_contributions_cents


def test_twenty_days_below_the_pro_rata_ceilings_cost_what_a_month_costs() -> None:
    # 20 SV-days: ceilings 3,875.00 (KV/PV) and 5,633.33 (RV/AV). 3,000 € is below both, so
    # every base is the gross and every share is the monthly formula's. (Five days cannot show
    # this: their KV/PV ceiling, 968.75, is below the Übergangsbereich's 2,000 €, and an insured
    # part month at or below 2,000 € is refused.)
    short = german_payslip(300_000, record(), PAY, TWENTY_DAYS).contributions
    month = german_payslip(300_000, record(), PAY).contributions
    assert (short.bbg_kv_pv_cents, short.bbg_rv_av_cents) == (387_500, 563_333)
    assert short.branches == month.branches
    assert short.employer_total_cents == month.employer_total_cents
    assert (short.sv_days, month.sv_days) == (20, 30)


def test_a_whole_month_period_is_todays_payslip() -> None:
    for rec in (record(), record(tax_class=3, church_member=True), record(minijob=True)):
        gross = 50_000 if rec.minijob else 480_000
        for period in (days(date(2026, 3, 1), date(2026, 3, 31)), days(date(2026, 2, 1), PAY)):
            assert german_payslip(gross, rec, PAY, period) == german_payslip(gross, rec, PAY)
            assert gross_for_budget(gross, rec, PAY, period) == gross_for_budget(gross, rec, PAY)
    slip = german_payslip(480_000, record(), PAY)
    assert (slip.sv_days, slip.wage_tax_table) == (30, "month")
    assert slip.contributions.bbg_rv_av_cents == rates_for(PAY).bbg_rv_av_cents


# ------------------------------------------------------------------ wage tax


def test_five_days_are_taxed_by_the_daily_table() -> None:
    # Daily wage 3,900 / 5 = 780.00 (RE4 78,000, LZZ 4). MRE4JL: ZRE4J = 780 x 360 = 280,800.
    # MZTABFB: ZTABFB 1,266 (ANP 1,230 + SAP 36). UPEVP 2026: VSPR = 101,400 x 9.3 %
    # = 9,430.20; VSPKVPV = 69,750 x 10.85 % = 7,567.87; VSP = ceil(16,998.07) = 16,999
    # (MVSPHB: 9,430.20 + 1,900 = 11,331 is lower). ZVE = 280,800 - 1,266 - 16,999 = 262,535,
    # zone 4: 262,535 x 0.42 - 11,135.63 = 99,129.07 -> ST 99,129.
    # UPANTEIL LZZ 4: 9,912,900 / 360 = 27,535.83 -> 27,535 cents a day; x 5 = 137,675.
    # MSOLZ: 5.5 % x 99,129 = 5,452.09 (below the Milderungszone's (99,129 - 20,350) x 11.9 %);
    # 545,209 / 360 = 1,514.47 -> 1,514 a day; x 5 = 7,570.
    part = part_period_wage_tax(
        WageTaxInput(
            year=2026,
            wage_cents=390_000,
            tax_class=1,
            kv_additional_percent=Decimal("2.90"),
            pv_surcharge=True,
        ),
        5,
    )
    assert part.daily_wage_cents == 78_000
    assert (part.daily.wage_tax_cents, part.daily.solidarity_cents) == (27_535, 1_514)
    assert (part.total.wage_tax_cents, part.total.solidarity_cents) == (137_675, 7_570)

    slip = german_payslip(390_000, record(), PAY, FIVE_DAYS)
    assert slip.wage_tax_table == "day"
    assert (slip.wage_tax_cents, slip.solidarity_cents) == (137_675, 7_570)
    # The monthly table would see a 46,800 € year: 500.16 € and no SolZ.
    month = german_payslip(390_000, record(), PAY)
    assert (month.wage_tax_cents, month.solidarity_cents) == (50_016, 0)


def test_the_daily_table_matches_lohnsteuer_bmf_for_five_days() -> None:
    # lohnsteuer-bmf has no LZZ: it is given the daily wage x 360 and its yearly amounts are
    # taken back from its twelfths (second opinion's docstring). 5 days of 3,900 €: equal.
    second = lohnsteuer_bmf_second_opinion(390_000, record(), PAY, FIVE_DAYS)
    slip = german_payslip(390_000, record(), PAY, FIVE_DAYS)
    assert (slip.wage_tax_cents, slip.solidarity_cents) == (
        second.wage_tax_cents,
        second.solidarity_cents,
    )


@pytest.mark.parametrize("gross", [250_000, 390_000, 600_000, 1_200_000])
@pytest.mark.parametrize("last_day", [5, 12, 20, 29])
@pytest.mark.parametrize("tax_class", [1, 3, 5])
def test_the_daily_table_is_within_a_cent_a_day_of_lohnsteuer_bmf(
    gross: int, last_day: int, tax_class: int
) -> None:
    # Measured: wage tax and SolZ equal in 142 of 144 amounts; twice one cent a day apart, where
    # the twelfth lohnsteuer-bmf rounds (the engine cuts) moves the daily cut by a cent. Church
    # tax differs by up to a cent a day: lohnsteuer-bmf rounds its own twelfths of the church
    # tax; the engine takes 9 % of the period's base (daily BK x days), fractions dropped.
    period = days(date(2026, 3, 1), date(2026, 3, last_day))
    rec = record(tax_class=tax_class, church_member=True)
    slip = german_payslip(gross, rec, PAY, period)
    assert slip.wage_tax_table == "day"
    second = lohnsteuer_bmf_second_opinion(gross, rec, PAY, period)
    assert abs(slip.wage_tax_cents - second.wage_tax_cents) <= last_day
    assert abs(slip.solidarity_cents - second.solidarity_cents) <= last_day
    assert abs(slip.church_tax_cents - second.church_tax_base_cents) <= last_day


def test_church_tax_and_solidarity_follow_the_daily_table() -> None:
    # BK a day = JBMG x 100 / 360 cut (27,535 cents here, as LSTLZZ: no child allowances);
    # period base 5 x 27,535 = 137,675; 9 % (NW) = 12,390.75 -> 12,390.
    slip = german_payslip(390_000, record(church_member=True), PAY, FIVE_DAYS)
    assert slip.church_tax_cents == 12_390
    daily = wage_tax(
        WageTaxInput(
            year=2026,
            wage_cents=78_000,
            pay_period="day",
            tax_class=1,
            church=True,
            kv_additional_percent=Decimal("2.90"),
            pv_surcharge=True,
        )
    )
    assert daily.church_tax_base_cents == 27_535
    assert slip.net_cents == 390_000 - 25_730 - 137_675 - 7_570 - 12_390


# ------------------------------------------------------------------ refused as ambiguous


def test_a_part_month_is_a_midijob_only_by_its_regular_monthly_wage() -> None:
    # 5 days, 1,500 €: projected to a month (9,000 €) the regular wage is far above the
    # Übergangsbereich, so it is a regular employment: full rates on the pro-rata ceilings
    # (1,500 € is above the 5-day KV/PV ceiling of 968.75 €).
    short = german_payslip(150_000, record(), PAY, FIVE_DAYS)
    assert short.regime == "regular"
    assert short.contributions.sv_days == 5
    # 28 days, 1,800 €: projected 1,928.57 € is in the Übergangsbereich, whose part-month
    # formula is not implemented: refused, not priced as a whole-month Midijob.
    with pytest.raises(UnsupportedCase, match="part-month formula"):
        german_payslip(180_000, record(), PAY, days(date(2026, 3, 1), date(2026, 3, 28)))
    # The budget → gross inverse prices the 5-day budget as the same regular employment.
    split = gross_for_budget(150_000, record(), PAY, FIVE_DAYS)
    assert split.gross_cents + split.employer_on_top_cents <= 150_000
    assert german_payslip(split.gross_cents, record(), PAY, FIVE_DAYS).regime == "regular"
    assert german_payslip(200_001, record(), PAY, FIVE_DAYS).regime == "regular"


def test_a_part_month_minijob_is_priced_only_when_unambiguous() -> None:
    rec = record(minijob=True, rv_exempt_minijob=True)
    twenty = german_payslip(40_000, rec, PAY, TWENTY_DAYS)  # projected 600 € <= 603 €
    assert twenty.contributions.branches == german_payslip(40_000, rec, PAY).contributions.branches
    with pytest.raises(UnsupportedCase, match="Minijob is ambiguous"):  # projected 603.15 €
        german_payslip(40_210, rec, PAY, TWENTY_DAYS)
    # The largest Minijob gross of 20 days: 603 x 20 / 30 = 402.00 €; a budget beyond its cost
    # is refused as for a whole month beyond 603 €.
    at_top = EmployerCostCurve(rec, rates_for(PAY), PAY, 20).cost_cents(40_200)
    split = gross_for_budget(at_top, rec, PAY, TWENTY_DAYS)
    assert (split.gross_cents, split.remainder_cents) == (40_200, 0)
    with pytest.raises(UnsupportedCase, match="more than a Minijob"):
        gross_for_budget(60_000, rec, PAY, TWENTY_DAYS)
    # Not exempt, below the 175 € RV minimum base: whether it is pro-rated is not settled.
    with pytest.raises(UnsupportedCase, match="minimum base"):
        german_payslip(10_000, record(minijob=True), PAY, FIVE_DAYS)


# ------------------------------------------------------------------ budget → gross


def cost(gross: int, rec: EmploymentRecordDE, period: EmploymentPeriod) -> int:
    contributions = german_contributions(gross, rec, rates_for(PAY), PAY, period.sv_days)
    return gross + contributions.employer_total_cents


def reference(budget: int, rec: EmploymentRecordDE, period: EmploymentPeriod) -> GrossForBudget:
    """Bisection over cents from the first regular gross (an insured part month is priced only
    when its projection to a month is above the Übergangsbereich), then a 16-cent walk."""
    upper = rates_for(PAY).midijob_upper_limit_cents
    lo = upper * period.sv_days // 30
    while round_cents(Decimal(lo) * 30 / period.sv_days) <= upper:
        lo += 1
    hi = budget
    if cost(lo, rec, period) > budget:
        raise UnsupportedCase("part of a month")
    while lo < hi:
        mid = (lo + hi + 1) // 2
        if cost(mid, rec, period) <= budget:
            lo = mid
        else:
            hi = mid - 1
    gross = lo
    for probe in range(lo + 1, min(budget, lo + 16) + 1):
        if cost(probe, rec, period) <= budget:
            gross = probe
    spent = cost(gross, rec, period)
    return GrossForBudget(
        budget_cents=budget,
        gross_cents=gross,
        employer_on_top_cents=spent - gross,
        remainder_cents=budget - spent,
    )


@st.composite
def short_periods(draw: st.DrawFn) -> EmploymentPeriod:
    first = date(2026, 1, 1) + timedelta(days=draw(st.integers(min_value=0, max_value=330)))
    length = draw(st.integers(min_value=1, max_value=29))
    period = days(first, first + timedelta(days=length - 1))
    # 31 January to 28 February is 29 days but a whole February: 30 SV-days, not short.
    assume(period.sv_days < 30)
    return period


@st.composite
def insured(draw: st.DrawFn) -> EmploymentRecordDE:
    children = draw(st.integers(min_value=0, max_value=4))
    return record(
        federal_state=draw(st.sampled_from(("NW", "BY", "SN"))),
        tax_class=draw(st.integers(min_value=1, max_value=6)),
        children=children,
        children_under_25=draw(st.integers(min_value=0, max_value=children)),
        church_member=draw(st.booleans()),
        birth_year=draw(st.integers(min_value=1961, max_value=2001)),
    )


@settings(max_examples=300, deadline=None)
@given(
    rec=insured(),
    period=short_periods(),
    budget=st.integers(min_value=0, max_value=3_000_000)
    | st.integers(min_value=230_000, max_value=260_000),
)
def test_the_inverse_balances_a_short_employment_to_the_cent(
    rec: EmploymentRecordDE, period: EmploymentPeriod, budget: int
) -> None:
    try:
        expected = reference(budget, rec, period)
    except UnsupportedCase:
        with pytest.raises(UnsupportedCase, match="part of a month|Saxony"):
            gross_for_budget(budget, rec, PAY, period)
        return
    split = gross_for_budget(budget, rec, PAY, period)
    assert split == expected
    slip = german_payslip(split.gross_cents, rec, PAY, period)
    # The budget is spent to the cent: gross + the payslip's employer cost + remainder.
    assert slip.employer_cost_cents + split.remainder_cents == budget
    assert slip.employer_cost_cents - slip.gross_cents == split.employer_on_top_cents
    assert split.remainder_cents >= 0
    assert cost(split.gross_cents + 1, rec, period) > budget  # regular: cost rises strictly
    # The ceilings used are the period's.
    kv, rv = rates_for(PAY).ceilings_cents(period.sv_days)
    assert (slip.contributions.bbg_kv_pv_cents, slip.contributions.bbg_rv_av_cents) == (kv, rv)
    curve = EmployerCostCurve(rec, rates_for(PAY), PAY, period.sv_days)
    assert abs(curve.unrounded_cost(split.gross_cents) - slip.employer_cost_cents) <= (
        curve.rounding_bound
    )
