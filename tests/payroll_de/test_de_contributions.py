"""Contributions to the cent: each case derived by hand in its comments.

Rounding (§ 2 BVV): a half/half contribution is the half rate on the base, rounded half-up,
for each side; a share borne differently is rounded on its own.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from domain.errors import InvalidAmount, UnsupportedCase
from domain.payroll.de_contribution_rules import midijob_bases
from domain.payroll.de_contributions import german_contributions
from domain.payroll.de_rates import rates_for
from domain.payroll.employment import EmploymentRecordDE
from tests.payroll_de.factories import parent, record

PAY_2026 = date(2026, 3, 31)
PAY_2025 = date(2025, 3, 31)


def shares(
    gross: int, rec: EmploymentRecordDE, pay_date: date = PAY_2026
) -> dict[str, tuple[int, int]]:
    c = german_contributions(gross, rec, rates_for(pay_date), pay_date)
    return {b.branch: (b.employee_cents, b.employer_cents) for b in c.branches}


def test_full_time_over_the_ceilings_2026() -> None:
    # 9,000 € in 2026, childless, 30: KV/PV on 5,812.50 €, RV/AV on 8,450 €.
    # KV 7.3 %: 5,812.50 x 0.073 = 424.3125 -> 424.31 each side
    # Zusatz 2.9 % / 2 = 1.45 %: 5,812.50 x 0.0145 = 84.28125 -> 84.28 each side
    # PV employee 1.8 + 0.6 = 2.4 %: 139.50; employer 1.8 %: 104.625 -> 104.63
    # RV 9.3 %: 8,450 x 0.093 = 785.85; AV 1.3 %: 109.85
    # U1 2.1 %: 177.45; U2 0.3 %: 25.35; Insolvenzgeld 0.15 %: 12.675 -> 12.68
    c = german_contributions(900_000, record(), rates_for(PAY_2026), PAY_2026)
    assert c.regime == "regular"
    assert {b.branch: (b.base_cents, b.employee_cents, b.employer_cents) for b in c.branches} == {
        "KV": (581_250, 42_431, 42_431),
        "KV_ZUSATZ": (581_250, 8_428, 8_428),
        "PV": (581_250, 13_950, 10_463),
        "RV": (845_000, 78_585, 78_585),
        "AV": (845_000, 10_985, 10_985),
    }
    assert (c.u1_cents, c.u2_cents, c.insolvency_cents) == (17_745, 2_535, 1_268)
    assert c.employee_total_cents == 42_431 + 8_428 + 13_950 + 78_585 + 10_985
    assert (
        c.employer_total_cents == 42_431 + 8_428 + 10_463 + 78_585 + 10_985 + 17_745 + 2_535 + 1_268
    )


def test_ceilings_of_2025_apply_to_a_2025_payment() -> None:
    # 9,000 € paid in 2025: KV/PV on 5,512.50 (x 7.3 % = 402.4125 -> 402.41), RV on 8,050
    # (x 9.3 % = 748.65). The same wage paid in 2026 uses 5,812.50 / 8,450 (above).
    assert shares(900_000, record(), PAY_2025)["KV"] == (40_241, 40_241)
    assert shares(900_000, record(), PAY_2025)["RV"] == (74_865, 74_865)
    assert shares(900_000, record(), date(2026, 1, 1))["RV"] == (78_585, 78_585)


def test_fund_additional_rate_is_the_members_own() -> None:
    # 3,000 € at a fund charging 3.4 %: 3,000 x 0.017 = 51.00 each side.
    assert shares(300_000, record(health_fund_additional_rate=Decimal("0.034")))["KV_ZUSATZ"] == (
        5_100,
        5_100,
    )


def test_childless_over_23_pays_the_surcharge_a_parent_does_not() -> None:
    # 4,000 €: PV employee 2.4 % = 96.00 when childless at 30; 1.8 % = 72.00 with a child;
    # the employer pays 1.8 % = 72.00 either way.
    assert shares(400_000, record())["PV"] == (9_600, 7_200)
    assert shares(400_000, parent())["PV"] == (7_200, 7_200)


def test_parent_of_three_children_under_25_gets_two_reductions() -> None:
    # 2nd and 3rd child: 2 x 0.25 pp -> employee 1.3 % of 4,000 = 52.00; employer 72.00.
    assert shares(400_000, parent(children=3, children_under_25=3))["PV"] == (5_200, 7_200)


def test_reductions_stop_at_the_fifth_child_and_need_children_under_25() -> None:
    # Six children under 25: four reductions, 1.8 - 1.0 = 0.8 % -> 32.00.
    assert shares(400_000, parent(children=6, children_under_25=6))["PV"] == (3_200, 7_200)
    # Three grown-up children: a parent (no surcharge) without reductions -> 72.00.
    assert shares(400_000, parent(children=3, children_under_25=0))["PV"] == (7_200, 7_200)


def test_the_surcharge_starts_the_month_after_the_23rd_birthday() -> None:
    turning_23 = record(birth_year=2003, birth_month=5)
    assert shares(400_000, turning_23, date(2026, 5, 31))["PV"] == (7_200, 7_200)
    assert shares(400_000, turning_23, date(2026, 6, 30))["PV"] == (9_600, 7_200)
    assert shares(400_000, record(birth_year=2004), PAY_2026)["PV"] == (7_200, 7_200)
    with pytest.raises(UnsupportedCase, match="birth_month"):
        shares(400_000, record(birth_year=2003), PAY_2026)


def test_saxony_splits_care_insurance_differently() -> None:
    # Saxony: employee 2.3 % (+0.6 childless), employer 1.3 %, on 4,000 €.
    assert shares(400_000, parent(federal_state="SN"))["PV"] == (9_200, 5_200)
    assert shares(400_000, record(federal_state="SN"))["PV"] == (11_600, 5_200)


def test_saxony_midijob_is_refused() -> None:
    with pytest.raises(UnsupportedCase, match="Saxony"):
        shares(120_000, record(federal_state="SN"))


def test_midijob_bases_match_the_published_shortcuts() -> None:
    # Haufe 2026: BE = 1.145937223 x AE - 291.8744452; employee BE = 1.431639227 x AE
    # - 863.2784538. IKK classic 2025: 1.127718283 x AE - 255.4365651 and
    # 1.385041551 x AE - 770.0831025.
    shortcuts = {
        PAY_2026: (("1.145937223", "291.8744452"), ("1.431639227", "863.2784538")),
        PAY_2025: (("1.127718283", "255.4365651"), ("1.385041551", "770.0831025")),
    }
    for pay_date, ((a1, b1), (a2, b2)) in shortcuts.items():
        rates = rates_for(pay_date)
        for euros in (604, 750, 1000, 1200, 1500, 1999):
            total, employee = midijob_bases(euros * 100, rates)
            assert abs(total - (Decimal(a1) * euros - Decimal(b1)) * 100) <= 1
            assert abs(employee - (Decimal(a2) * euros - Decimal(b2)) * 100) <= 1
        # At the upper limit both bases are the wage itself: no jump into the regular rules.
        assert midijob_bases(200_000, rates) == (200_000, 200_000)


def test_midijob_1200_euros_2026() -> None:
    # § 20 Abs. 2a SGB IV, G = 603, OG = 2,000, F = 0.6619:
    # total base  BE = 0.6619 x 603 + (2000/1397 - 603/1397 x 0.6619) x 597 = 1,083.25
    # employee base   = 2000/1397 x 597 = 854.69
    # KV: total 2 x round(1,083.25 x 7.3 % = 79.07725) = 158.16; employee 854.69 x 7.3 %
    #     = 62.392 -> 62.39; employer 158.16 - 62.39 = 95.77
    # Zusatz 1.45 %: total 2 x round(15.707) = 31.42; employee 12.393 -> 12.39; employer 19.03
    # PV: total 2 x round(1,083.25 x 1.8 % = 19.4985) = 39.00; employee 854.69 x 1.8 % = 15.38
    #     + surcharge 1,083.25 x 0.6 % = 6.4995 -> 6.50 = 21.88; employer 39.00 - 15.38 = 23.62
    # RV: total 2 x round(100.742) = 201.48; employee 79.486 -> 79.49; employer 121.99
    # AV: total 2 x round(14.082) = 28.16; employee 11.111 -> 11.11; employer 17.05
    c = german_contributions(120_000, record(), rates_for(PAY_2026), PAY_2026)
    assert c.regime == "midijob"
    assert c.employee_base_cents == 85_469
    assert {b.branch: (b.base_cents, b.employee_cents, b.employer_cents) for b in c.branches} == {
        "KV": (108_325, 6_239, 9_577),
        "KV_ZUSATZ": (108_325, 1_239, 1_903),
        "PV": (108_325, 2_188, 2_362),
        "RV": (108_325, 7_949, 12_199),
        "AV": (108_325, 1_111, 1_705),
    }
    # Levies on the actual wage: U1 25.20, U2 3.60, Insolvenzgeld 1.80.
    assert (c.u1_cents, c.u2_cents, c.insolvency_cents) == (2_520, 360, 180)


def test_midijob_parent_with_reductions_on_the_employee_base() -> None:
    # 1,200 €, 3 children under 25: employee PV 854.69 x (1.8 - 0.5) % = 11.111 -> 11.11;
    # employer unchanged at 23.62.
    assert shares(120_000, parent(children=3, children_under_25=3))["PV"] == (1_111, 2_362)


def test_minijob_500_euros_2026() -> None:
    # Employer: KV 13 % = 65.00, RV 15 % = 75.00, flat tax 2 % = 10.00, U1 0.8 % = 4.00,
    # U2 0.22 % = 1.10, Insolvenzgeld 0.15 % = 0.75. Employee RV 3.6 % = 18.00.
    c = german_contributions(50_000, record(minijob=True), rates_for(PAY_2026), PAY_2026)
    assert c.regime == "minijob"
    assert {b.branch: (b.employee_cents, b.employer_cents) for b in c.branches} == {
        "KV": (0, 6_500),
        "RV": (1_800, 7_500),
    }
    assert (c.u1_cents, c.u2_cents, c.insolvency_cents, c.flat_tax_cents) == (400, 110, 75, 1_000)
    assert c.employer_total_cents == 6_500 + 7_500 + 400 + 110 + 75 + 1_000


def test_minijob_at_exactly_the_603_euro_limit() -> None:
    # KV 78.39, RV 90.45, employee RV 603 x 3.6 % = 21.708 -> 21.71, flat tax 12.06,
    # U1 4.824 -> 4.82, U2 1.3266 -> 1.33, Insolvenzgeld 0.9045 -> 0.90.
    c = german_contributions(60_300, record(minijob=True), rates_for(PAY_2026), PAY_2026)
    assert shares(60_300, record(minijob=True)) == {"KV": (0, 7_839), "RV": (2_171, 9_045)}
    assert (c.u1_cents, c.u2_cents, c.insolvency_cents, c.flat_tax_cents) == (482, 133, 90, 1_206)
    with pytest.raises(UnsupportedCase, match="Minijob pays at most 60300"):
        shares(60_301, record(minijob=True))
    # One cent more in an insured employment is a Midijob.
    c = german_contributions(60_301, record(), rates_for(PAY_2026), PAY_2026)
    assert c.regime == "midijob"
    assert c.employee_base_cents == 1  # 2000/1397 x 0.01 = 0.0143 € -> 0.01 €


def test_minijob_2025_matches_the_published_example() -> None:
    # minijobs-aktuell.de, "Minijob-Zentrale senkt U1 Beiträge 2026": 550 € in 2025 ->
    # KV 71.50, RV 82.50, flat tax 11.00, U1 6.05, U2 1.21, Insolvenzgeld 0.83;
    # in 2026 the U1 is 0.8 % -> 4.40.
    c = german_contributions(55_000, record(minijob=True), rates_for(PAY_2025), PAY_2025)
    assert c.branch("KV").employer_cents == 7_150
    assert c.branch("RV").employer_cents == 8_250
    assert (c.flat_tax_cents, c.u1_cents, c.u2_cents, c.insolvency_cents) == (1_100, 605, 121, 83)
    c = german_contributions(55_000, record(minijob=True), rates_for(PAY_2026), PAY_2026)
    assert c.u1_cents == 440


def test_minijob_exempt_from_pension_insurance() -> None:
    assert shares(50_000, record(minijob=True, rv_exempt_minijob=True))["RV"] == (0, 7_500)


def test_minijob_below_the_175_euro_minimum_base() -> None:
    # § 163 Abs. 8 SGB VI: 175 x 18.6 % = 32.55 in total; employer 100 x 15 % = 15.00;
    # the employee pays the difference, 17.55.
    assert shares(10_000, record(minijob=True))["RV"] == (1_755, 1_500)


def test_insured_wage_below_the_minijob_limit() -> None:
    # Total base 500 x F = 330.95; the employee base is 0: the employee pays only the
    # childless surcharge, 330.95 x 0.6 % = 1.9857 -> 1.99.
    c = german_contributions(50_000, record(), rates_for(PAY_2026), PAY_2026)
    assert c.regime == "below_minijob_limit"
    assert c.branch("RV").base_cents == 33_095
    assert c.employee_total_cents == 199
    # RV: 2 x round(330.95 x 9.3 % = 30.778) = 61.56, all the employer's.
    assert (c.branch("RV").employee_cents, c.branch("RV").employer_cents) == (0, 6_156)


def test_half_half_branches_are_equal_on_both_sides() -> None:
    for gross in (200_001, 333_333, 581_251, 1_234_567):
        s = shares(gross, parent())
        for branch in ("KV", "KV_ZUSATZ", "PV", "RV", "AV"):
            assert s[branch][0] == s[branch][1], (gross, branch)


def test_fund_specific_u1_u2() -> None:
    c = german_contributions(
        300_000,
        record(u1_rate=Decimal("0.032"), u2_rate=Decimal("0.0068")),
        rates_for(PAY_2026),
        PAY_2026,
    )
    assert (c.u1_cents, c.u2_cents) == (9_600, 2_040)


def test_negative_gross_is_refused() -> None:
    with pytest.raises(InvalidAmount):
        shares(-1, record())


def test_record_validation() -> None:
    with pytest.raises(ValueError, match="children_under_25"):
        record(children=1, children_under_25=2)
    with pytest.raises(ValueError, match="steps of 0.5"):
        record(tax_child_allowances=Decimal("0.3"))
    with pytest.raises(ValueError, match="tax classes I to IV"):
        record(tax_class=5, tax_child_allowances=Decimal(1))
    with pytest.raises(ValueError, match="Minijob"):
        record(rv_exempt_minijob=True)


def test_a_month_without_minijob_pay_owes_nothing() -> None:
    c = german_contributions(0, record(minijob=True), rates_for(PAY_2026), PAY_2026)
    assert c.employee_total_cents == c.employer_total_cents == 0
