"""The German payslip: contributions, taxes, net and employer cost together."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from domain.errors import UnsupportedCase
from domain.payroll.de_engine import (
    GermanPayrollEngine,
    german_payslip,
    lohnsteuer_bmf_second_opinion,
    wage_tax_input,
)
from tests.payroll_de.factories import parent, record

PAY_2026 = date(2026, 3, 31)


def test_full_time_payslip_over_the_ceilings() -> None:
    # Contributions as in test_de_contributions (9,000 €), taxes as in test_de_wage_tax.
    slip = german_payslip(900_000, record(), PAY_2026)
    assert slip.pap_year == 2026
    assert (
        slip.employee_kv_cents,
        slip.employee_kv_additional_cents,
        slip.employee_pv_cents,
        slip.employee_rv_cents,
        slip.employee_av_cents,
    ) == (42_431, 8_428, 13_950, 78_585, 10_985)
    assert slip.employee_contributions_cents == 154_379
    assert (slip.wage_tax_cents, slip.solidarity_cents, slip.church_tax_cents) == (
        221_275,
        6_151,
        0,
    )
    assert slip.net_cents == 900_000 - 154_379 - 221_275 - 6_151 == 518_195
    # Employer: 42,431 + 8,428 + 10,463 + 78,585 + 10,985 = 150,892; levies 17,745 + 2,535 + 1,268.
    assert slip.employer_contributions_cents == 150_892
    assert (slip.employer_u1_cents, slip.employer_u2_cents, slip.employer_insolvency_cents) == (
        17_745,
        2_535,
        1_268,
    )
    assert slip.employer_cost_cents == 900_000 + 150_892 + 17_745 + 2_535 + 1_268 == 1_072_440


def test_midijob_payslip() -> None:
    # 1,200 €: employee shares 62.39 + 12.39 + 21.88 + 79.49 + 11.11 = 187.26; no wage tax
    # (ZVE below the Grundfreibetrag), employer 277.46 + levies 25.20 + 3.60 + 1.80.
    slip = german_payslip(120_000, record(), PAY_2026)
    assert slip.regime == "midijob"
    assert slip.employee_contributions_cents == 18_726
    assert slip.wage_tax_cents == 0
    assert slip.net_cents == 120_000 - 18_726
    assert slip.employer_contributions_cents == 27_746
    assert slip.employer_cost_cents == 120_000 + 27_746 + 2_520 + 360 + 180


def test_minijob_payslip_has_no_wage_tax_but_the_flat_tax() -> None:
    slip = german_payslip(50_000, record(minijob=True, church_member=True), PAY_2026)
    assert slip.pap_year is None
    assert (slip.wage_tax_cents, slip.solidarity_cents, slip.church_tax_cents) == (0, 0, 0)
    assert slip.net_cents == 50_000 - 1_800
    assert slip.employer_flat_tax_cents == 1_000
    assert slip.employer_cost_cents == 50_000 + 6_500 + 7_500 + 400 + 110 + 75 + 1_000


def test_church_tax_bavaria_against_north_rhine_westphalia() -> None:
    by = german_payslip(500_000, record(church_member=True, federal_state="BY"), PAY_2026)
    nw = german_payslip(500_000, record(church_member=True, federal_state="NW"), PAY_2026)
    assert (by.church_tax_cents, nw.church_tax_cents) == (6_259, 7_041)
    assert by.wage_tax_cents == nw.wage_tax_cents == 78_241
    assert by.net_cents - nw.net_cents == 7_041 - 6_259


def test_tax_class_1_against_3_for_the_same_gross() -> None:
    one = german_payslip(500_000, record(tax_class=1), PAY_2026)
    three = german_payslip(500_000, record(tax_class=3), PAY_2026)
    assert (one.wage_tax_cents, three.wage_tax_cents) == (78_241, 40_183)
    assert one.employee_contributions_cents == three.employee_contributions_cents
    assert three.net_cents - one.net_cents == 78_241 - 40_183


def test_2025_and_2026_are_chosen_by_the_payment_date() -> None:
    member = record(health_fund_additional_rate=Decimal("0.025"))
    december = german_payslip(500_000, member, date(2025, 12, 31))
    january = german_payslip(500_000, member, date(2026, 1, 2))
    assert (december.pap_year, january.pap_year) == (2025, 2026)
    assert december.wage_tax_cents == 79_675  # PAP 2025, traced in test_de_wage_tax
    assert january.wage_tax_cents != december.wage_tax_cents
    # Minijob limit 556 € in 2025, 603 € in 2026.
    with pytest.raises(UnsupportedCase, match="55600"):
        german_payslip(60_000, record(minijob=True), date(2025, 12, 31))
    assert german_payslip(60_000, record(minijob=True), date(2026, 1, 2)).regime == "minijob"


def test_pap_inputs_come_from_the_record() -> None:
    member = parent(
        tax_class=3,
        children=3,
        children_under_25=3,
        tax_child_allowances=Decimal(3),
        church_member=True,
        federal_state="SN",
        health_fund_additional_rate=Decimal("0.0269"),
    )
    i = wage_tax_input(500_000, member, PAY_2026)
    assert (i.year, i.wage_cents, i.tax_class, i.child_allowances) == (2026, 500_000, 3, Decimal(3))
    assert (i.church, i.kv_additional_percent, i.pv_saxony) == (True, Decimal("2.6900"), True)
    assert (i.pv_surcharge, i.pv_reductions, i.age_relief_year) == (False, 2, None)
    assert wage_tax_input(500_000, record(), PAY_2026).pv_surcharge is True


def test_age_relief_from_the_year_after_the_64th_birthday() -> None:
    # Born 1961: 64 in 2025, so ALTER1 with AJAHR 2026: 12.8 % of 36,000 capped at 608 €.
    older = german_payslip(300_000, record(birth_year=1961), PAY_2026)
    younger = german_payslip(300_000, record(birth_year=1962), PAY_2026)
    assert wage_tax_input(300_000, record(birth_year=1961), PAY_2026).age_relief_year == 2026
    assert older.wage_tax_cents < younger.wage_tax_cents == 29_308
    with pytest.raises(UnsupportedCase, match="pension-age"):
        german_payslip(300_000, record(birth_year=1960), PAY_2026)


def test_lohnsteuer_bmf_is_a_close_second_opinion_only() -> None:
    # The package rounds the monthly tax (782.4167 -> 782.42) where the PAP cuts it (782.41).
    assert lohnsteuer_bmf_second_opinion(500_000, record(), PAY_2026).wage_tax_cents == 78_242
    assert german_payslip(500_000, record(), PAY_2026).wage_tax_cents == 78_241
    # On a grid of wages it stays within a few cents (its Vorsorgepauschale is not rounded up
    # to whole euros), never more than 20 cents apart.
    for tax_class in (1, 3, 5):
        member = record(tax_class=tax_class, church_member=True)
        for gross in range(150_000, 1_200_000, 9_973):
            ours = german_payslip(gross, member, PAY_2026)
            theirs = lohnsteuer_bmf_second_opinion(gross, member, PAY_2026)
            assert abs(ours.wage_tax_cents - theirs.wage_tax_cents) <= 20
            assert abs(ours.solidarity_cents - theirs.solidarity_cents) <= 20
            assert abs(ours.church_tax_cents - theirs.church_tax_base_cents) <= 20
    with pytest.raises(UnsupportedCase, match="2026 only"):
        lohnsteuer_bmf_second_opinion(500_000, record(), date(2025, 6, 30))


def test_engine_refuses_years_without_figures() -> None:
    with pytest.raises(UnsupportedCase, match="2027"):
        GermanPayrollEngine().payslip(500_000, record(), date(2027, 1, 29))
