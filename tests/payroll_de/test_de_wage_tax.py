"""Wage tax, solidarity surcharge and church tax from the PAP transcription.

The yearly table below is the "BMF PAP 2026 Prüftabelle" (yearly wage tax by tax class for
20,000 / 50,000 / 100,000 € of yearly wage; Zusatzbeitrag 2.9 %, childless surcharge paid,
class II with a child), as quoted in a public test file; the transcription reproduces all 18
values to the euro. The monthly cases are traced by hand through the PAP modules.
"""

from __future__ import annotations

from decimal import Decimal

import pytest

from domain.errors import UnsupportedCase
from domain.payroll.de_wage_tax import WageTaxInput, church_tax, wage_tax

PRUEFTABELLE_2026 = {
    20_000: (380, 0, 0, 380, 2_234, 2_766),
    50_000: (6_788, 5_580, 2_810, 6_788, 12_010, 12_542),
    100_000: (23_248, 21_634, 15_012, 23_248, 30_157, 30_689),
}


@pytest.mark.parametrize("yearly_euros", sorted(PRUEFTABELLE_2026))
@pytest.mark.parametrize("tax_class", range(1, 7))
def test_bmf_pruef_table_2026(yearly_euros: int, tax_class: int) -> None:
    result = wage_tax(
        WageTaxInput(
            year=2026,
            wage_cents=yearly_euros * 100,
            pay_period="year",
            tax_class=tax_class,
            kv_additional_percent=Decimal("2.90"),
            pv_surcharge=tax_class != 2,
        )
    )
    assert result.wage_tax_cents == PRUEFTABELLE_2026[yearly_euros][tax_class - 1] * 100


def monthly(gross_cents: int, **kw: object) -> WageTaxInput:
    values: dict[str, object] = {
        "year": 2026,
        "wage_cents": gross_cents,
        "tax_class": 1,
        "kv_additional_percent": Decimal("2.90"),
        "pv_surcharge": True,
    }
    values.update(kw)
    return WageTaxInput(**values)


def test_5000_euros_tax_class_1_2026() -> None:
    # MRE4JL: ZRE4J = 60,000.00. MZTABFB: ANP 1,230 + SAP 36 = ZTABFB 1,266.
    # UPEVP: VSPR = 60,000 x 9.3 % = 5,580.00; MVSPKVPV: 60,000 x (7.0 + 1.45 + 2.4) %
    # = 6,510.00; VSP = 12,090; MVSPHB: 780.00 + 6,510.00 capped at 1,900 -> VSPN 7,480 < VSP.
    # ZVE = 60,000 - 1,266 - 12,090 = 46,644; UPTAB26 zone 3: Y = 2.8845,
    # ST = (2.8845 x 173.10 + 2,397) x 2.8845 + 1,034.87 = 9,389.37 -> 9,389.
    # LSTLZZ = 938,900 / 12 = 78,241.67 -> 78,241 cents (cut, not rounded); no SolZ below 20,350.
    result = wage_tax(monthly(500_000))
    assert (result.wage_tax_cents, result.solidarity_cents) == (78_241, 0)


def test_9000_euros_tax_class_1_pays_solidarity_surcharge() -> None:
    # ZRE4J = 108,000. VSPR = 101,400 x 9.3 % = 9,430.20 (RV ceiling);
    # VSPKVPV = 69,750 x 10.85 % = 7,567.875 -> 7,567.87; VSP = ceil(16,998.07) = 16,999.
    # ZVE = 108,000 - 1,266 - 16,999 = 89,735; zone 4: 89,735 x 0.42 - 11,135.63 = 26,553.07
    # -> 26,553; LSTLZZ = 2,655,300 / 12 -> 221,275.
    # MSOLZ: 5.5 % = 1,460.41 but the Milderungszone caps it: (26,553 - 20,350) x 11.9 %
    # = 738.157 -> 738.15; 73,815 / 12 = 6,151.25 -> 6,151.
    result = wage_tax(monthly(900_000))
    assert (result.wage_tax_cents, result.solidarity_cents) == (221_275, 6_151)


def test_tax_class_3_splits_the_same_wage() -> None:
    # Same ZVE 46,644 as class I; X = 23,322: Y = 0.5523,
    # (0.5523 x 173.10 + 2,397) x 0.5523 + 1,034.87 = 2,411.53 -> 2,411, doubled 4,822;
    # LSTLZZ = 482,200 / 12 -> 40,183 against 78,241 in class I.
    assert wage_tax(monthly(500_000, tax_class=3)).wage_tax_cents == 40_183
    assert wage_tax(monthly(500_000, tax_class=1)).wage_tax_cents == 78_241


def test_church_tax_base_and_rates() -> None:
    # BK = JBMG 9,389 x 100 / 12 -> 78,241; NW 9 % = 7,041.69 -> 7,041; BY 8 % = 6,259.28 -> 6,259.
    result = wage_tax(monthly(500_000, church=True))
    assert result.church_tax_base_cents == 78_241
    assert church_tax(result.church_tax_base_cents, Decimal("0.09")) == 7_041
    assert church_tax(result.church_tax_base_cents, Decimal("0.08")) == 6_259
    assert wage_tax(monthly(500_000)).church_tax_base_cents == 0


def test_child_allowances_lower_solidarity_and_church_base_not_wage_tax() -> None:
    without = wage_tax(monthly(1_500_000, church=True, pv_surcharge=False))
    half = wage_tax(
        monthly(1_500_000, church=True, pv_surcharge=False, child_allowances=Decimal("0.5"))
    )
    assert half.wage_tax_cents == without.wage_tax_cents
    assert half.solidarity_cents < without.solidarity_cents
    assert half.church_tax_base_cents < without.church_tax_base_cents


def test_pap_2025_for_a_2025_wage() -> None:
    # PAP 2025, 5,000 €, KVZ 2.5, childless: VSP1 = 5,580.00; VSP2 = 12 % capped at 1,900 ->
    # VSPN 7,480; VSP3 = 60,000 x (7.0 + 1.25 + 2.4) % = 6,390.00; VSP = ceil(11,970.00) = 11,970.
    # ZVE = 60,000 - 1,266 - 11,970 = 46,764; UPTAB25 zone 3: Y = 2.9321,
    # (2.9321 x 176.64 + 2,397) x 2.9321 + 1,015.13 = 9,561.98 -> 9,561; 956,100 / 12 -> 79,675.
    result = wage_tax(monthly(500_000, year=2025, kv_additional_percent=Decimal("2.50")))
    assert result.wage_tax_cents == 79_675


def test_low_wages_pay_no_tax_and_tiny_wages_get_a_reduced_anp() -> None:
    assert wage_tax(monthly(120_000)).wage_tax_cents == 0
    assert wage_tax(monthly(0)).wage_tax_cents == 0
    # Class VI has no allowances at all: 1,200 € a month is taxed.
    assert wage_tax(monthly(120_000, tax_class=6)).wage_tax_cents > 0


def test_a_year_without_a_pap_is_refused() -> None:
    with pytest.raises(UnsupportedCase, match="Programmablaufplan for 2027"):
        wage_tax(monthly(500_000, year=2027))
