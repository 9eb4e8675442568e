"""German declarations as data: DEÜV reports, contribution statements, wage-tax return."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from domain.declarations.de_monthly import (
    POSITIONS,
    ContributionLine,
    WageTaxLine,
    apportion,
    beitragsnachweis,
    beitragsnachweis_dates,
    beitragsnachweise,
    lohnsteueranmeldung,
    lohnsteueranmeldung_due,
    rates_for,
)
from domain.declarations.deuev import (
    DeuevMeldung,
    Employment,
    abmeldung,
    anmeldung,
    is_valid_versicherungsnummer,
    jahresmeldung,
    reports_for_completed_employment,
    rv_contributory_wage,
    whole_euros,
)
from domain.declarations.periods import Month
from domain.errors import InvalidPeriod, UnsupportedCase
from domain.policy import policy_for

BBNR = "12345678"
TK = "15027365"
MARCH = Month.parse("2026-03")


def employment(**overrides: Any) -> Employment:
    values: dict[str, Any] = {
        "reference": "order-42",
        "versicherungsnummer": "65170839J003",
        "familienname": "Lovelace",
        "vorname": "Ada",
        "taetigkeitsschluessel": "943144314",
        "betriebsnummer_krankenkasse": TK,
        "start": date(2026, 3, 2),
        "end": date(2026, 3, 20),
    }
    values.update(overrides)
    return Employment(**values)


# ---------------------------------------------------------------------------- DEÜV


def test_versicherungsnummer_check_digit() -> None:
    assert is_valid_versicherungsnummer("65170839J003")
    assert not is_valid_versicherungsnummer("65170839J004")
    assert not is_valid_versicherungsnummer("65171339J003")  # month 13
    assert not is_valid_versicherungsnummer("6517083J0030")


def test_registration_and_deregistration_of_an_employment() -> None:
    start = anmeldung(employment(), BBNR)
    end = abmeldung(employment(), BBNR, rv_wage_cents=300_049)
    assert (start.abgabegrund, start.zeitraum_von, start.zeitraum_bis) == (
        "10",
        date(2026, 3, 2),
        None,
    )
    assert start.entgelt_euro is None
    assert (end.abgabegrund, end.zeitraum_bis, end.entgelt_euro) == ("30", date(2026, 3, 20), 3000)
    assert start.due_date() == date(2026, 4, 13)  # six weeks after the start
    assert end.due_date() == date(2026, 5, 1)
    assert end.deadline(date(2026, 5, 1)).on_time
    assert end.deadline(date(2026, 5, 4)).days_late == 3
    assert start.key() == "DEUEV-10-order-42-20260302"


def test_annual_report_only_for_an_employment_running_past_the_year() -> None:
    running = employment(start=date(2025, 11, 3), end=None)
    report = jahresmeldung(running, BBNR, 2025, 512_350)
    assert report is not None
    assert (report.zeitraum_von, report.zeitraum_bis) == (date(2025, 11, 3), date(2025, 12, 31))
    assert report.due_date() == date(2026, 2, 15)
    assert report.entgelt_euro == 5124  # half-up
    assert jahresmeldung(employment(), BBNR, 2026, 1) is None


def test_employment_across_new_year_gets_an_annual_report_and_the_rest_in_the_deregistration() -> (
    None
):
    across = employment(start=date(2025, 12, 22), end=date(2026, 1, 9))  # 10 + 9 days
    reports = reports_for_completed_employment(across, BBNR, 190_000, 845_000)
    assert [r.abgabegrund for r in reports] == ["10", "50", "30"]
    assert reports[1].entgelt_euro == 1000  # 10/19 of the wage
    assert reports[2].entgelt_euro == 900
    assert reports[2].zeitraum_von == date(2026, 1, 1)


def test_wage_is_capped_at_the_pension_ceiling_for_its_days() -> None:
    assert rv_contributory_wage(1_000_000, 10, 845_000) == 281_667
    assert rv_contributory_wage(100_000, 10, 845_000) == 100_000
    assert whole_euros(12_349) == 123
    assert whole_euros(12_350) == 124


@pytest.mark.parametrize(
    ("field", "value", "problem"),
    [
        ("versicherungsnummer", "65170839J004", "Versicherungsnummer"),
        ("betriebsnummer_arbeitgeber", "1234", "betriebsnummer_arbeitgeber"),
        ("taetigkeitsschluessel", "94314", "taetigkeitsschluessel"),
        ("beitragsgruppen", "2111", "beitragsgruppen"),
        ("zeitraum_bis", date(2026, 3, 1), "ends before"),
    ],
)
def test_invalid_reports_are_refused(field: str, value: object, problem: str) -> None:
    fields = abmeldung(employment(), BBNR, 100).model_dump()
    fields[field] = value
    with pytest.raises(InvalidPeriod, match=problem):
        DeuevMeldung(**fields)


def test_a_registration_carries_no_wage() -> None:
    fields = anmeldung(employment(), BBNR).model_dump() | {"entgelt_euro": 10}
    with pytest.raises(InvalidPeriod, match="neither"):
        DeuevMeldung(**fields)


# ---------------------------------------------------------------------------- Beitragsnachweis


@pytest.mark.parametrize("on", [date(2025, 3, 1), date(2026, 3, 1)])
def test_rates_add_up_to_the_policy_shares(on: date) -> None:
    rates, policy = rates_for(on), policy_for("DE", on)
    employee = (rates.kv_general + rates.kv_additional + rates.pv + rates.rv + rates.av) / 2
    employer = employee + rates.u1 + rates.u2 + rates.insolvency
    assert employee == policy.employee_contribution_rate
    assert employer == policy.employer_contribution_rate


@given(
    total=st.integers(min_value=-(10**9), max_value=10**9),
    weights=st.dictionaries(
        st.sampled_from(POSITIONS),
        st.decimals(min_value=Decimal("0.0001"), max_value=Decimal("1"), places=4),
        min_size=1,
    ),
)
def test_apportion_adds_up_to_the_cent(total: int, weights: dict[str, Decimal]) -> None:
    parts = apportion(total, weights)
    assert sum(parts.values()) == total
    whole = sum(weights.values())
    for key, part in parts.items():
        assert abs(Decimal(part) - Decimal(total) * weights[key] / whole) < 1


def line(**overrides: Any) -> ContributionLine:
    values: dict[str, Any] = {
        "payslip_ref": "payslip-1",
        "employee_ref": "member-1",
        "betriebsnummer_krankenkasse": TK,
        "pay_date": date(2026, 3, 27),
        "gross_cents": 300_000,
        "employee_contributions_cents": 63_450,  # 21.15 %
        "employer_contributions_cents": 71_100,  # 23.70 %
    }
    values.update(overrides)
    return ContributionLine(**values)


def test_statement_splits_a_payslip_by_contribution_group_to_the_cent() -> None:
    statement = beitragsnachweis(MARCH, BBNR, TK, [line()])
    assert statement.positionen == {
        "1000": 43_800,  # 14.6 % of 3,000.00
        "ZBP": 8_700,  # 2.9 %
        "0100": 55_800,  # 18.6 %
        "0010": 7_800,  # 2.6 %
        "0001": 10_800,  # 3.6 %
        "0050": 450,  # 0.15 %
        "U1": 6_300,
        "U2": 900,
    }
    assert statement.gesamtsumme_cents == 63_450 + 71_100
    assert statement.period_key() == f"DE-BN-2026-03-{TK}"
    # Filed with the April amounts (Vormonatsverfahren): due 28 April, filed by 24 April.
    assert (statement.gemeldet_fuer, statement.faellig_am, statement.einzureichen_bis) == (
        "2026-04",
        date(2026, 4, 28),
        date(2026, 4, 24),
    )


def test_employer_only_groups_and_statements_per_fund() -> None:
    pensioner = line(
        payslip_ref="payslip-2",
        employee_ref="member-2",
        betriebsnummer_krankenkasse="98000006",
        beitragsgruppen="3321",
        employee_contributions_cents=21_000,
        employer_contributions_cents=40_000,
    )
    statements = beitragsnachweise(MARCH, BBNR, [line(), pensioner])
    assert [s.betriebsnummer_krankenkasse for s in statements] == [TK, "98000006"]
    reduced = statements[1].positionen
    assert {"3000", "0300", "0020", "0001"} <= set(reduced)
    assert "0100" not in reduced
    assert "1000" not in reduced
    assert statements[1].gesamtsumme_cents == 61_000


def test_statement_refuses_payslips_of_another_month_or_fund() -> None:
    with pytest.raises(InvalidPeriod, match="outside 2026-03"):
        beitragsnachweis(MARCH, BBNR, TK, [line(pay_date=date(2026, 4, 1))])
    with pytest.raises(InvalidPeriod, match="belongs to fund"):
        beitragsnachweis(MARCH, BBNR, "98000006", [line()])
    with pytest.raises(UnsupportedCase, match="health insurance group 6"):
        beitragsnachweis(MARCH, BBNR, TK, [line(beitragsgruppen="6500")])


def test_statement_dates_around_christmas() -> None:
    assert beitragsnachweis_dates(Month.parse("2026-12")) == (
        date(2026, 12, 23),
        date(2026, 12, 28),
    )


# ---------------------------------------------------------------------------- Lohnsteuer


def test_wage_tax_return_sums_the_kennzahlen() -> None:
    lines = [
        WageTaxLine(payslip_ref="p1", employee_ref="m1", pay_date=date(2026, 3, 3),
                    lohnsteuer_cents=30_000, solidaritaetszuschlag_cents=0,
                    kirchensteuer_cents=2_700, konfession="rk"),
        WageTaxLine(payslip_ref="p2", employee_ref="m1", pay_date=date(2026, 3, 20),
                    lohnsteuer_cents=50_000, solidaritaetszuschlag_cents=1_200,
                    kirchensteuer_cents=4_500, konfession="ev"),
        WageTaxLine(payslip_ref="p3", employee_ref="m2", pay_date=date(2026, 3, 31),
                    lohnsteuer_cents=10_000),
    ]  # fmt: skip
    lsta = lohnsteueranmeldung(MARCH, "2893081508152", lines)
    assert lsta.kz86_zahl_arbeitnehmer == 2
    assert lsta.kz42_lohnsteuer_cents == 90_000
    assert lsta.kz49_solidaritaetszuschlag_cents == 1_200
    assert (lsta.kz61_kirchensteuer_ev_cents, lsta.kz62_kirchensteuer_rk_cents) == (4_500, 2_700)
    assert lsta.kz83_gesamtbetrag_cents == 98_400
    assert lsta.zeitraum_code == "03"
    assert lsta.abgabe_bis == date(2026, 4, 10)


def test_wage_tax_return_due_date_moves_past_weekends() -> None:
    assert lohnsteueranmeldung_due(Month.parse("2026-09")) == date(2026, 10, 12)  # Sat 10th
    nil = lohnsteueranmeldung(Month.parse("2026-09"), "2893081508152", [])
    assert nil.kz83_gesamtbetrag_cents == 0
    assert nil.kz86_zahl_arbeitnehmer == 0
