"""The key formula's other households, worked line by line from the formula (Annex III; the
figures and their sources are in ``domain.payroll.be_households``)."""

from __future__ import annotations

from datetime import date

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pydantic import ValidationError

from domain.errors import UnsupportedCase
from domain.payroll.be_households import HOUSEHOLD_SCALES, HouseholdScale
from domain.payroll.be_payroll import belgian_payslip
from domain.payroll.be_rates import SECONDARY, be_rates_for
from domain.payroll.be_withholding import BelgianTaxRecord, belgian_withholding

MARCH_2025 = date(2025, 3, 31)
MARCH_2026 = date(2026, 3, 31)
RATES_2026 = be_rates_for(MARCH_2026)
# Gross 4,000.00 (above the 2026 work-bonus range): ONSS 13.07 % = 522.80, taxable 3,477.20;
# x 12 = 41,726.40; less 6,070.00 = 35,656.40; 9,944.05 (to 29,500) + 6,156.40 x 48.15 %
# (2,964.3066 -> 2,964.31) = 12,908.36; less 2,987.98 = 9,920.38 a year before reductions;
# a single person withholds 9,920.38 / 12 = 826.698 -> 826.70.
GROSS = 400_000
TAX_AFTER_ALLOWANCE = 992_038


def _slip(record: BelgianTaxRecord, pay_date: date = MARCH_2026) -> tuple[int, int]:
    slip = belgian_payslip(GROSS, "standard", record, pay_date)
    return slip.taxable_cents, slip.wage_tax_cents


def test_the_reference_single_person() -> None:
    assert _slip(BelgianTaxRecord()) == (347_720, 82_670)
    w = belgian_withholding(347_720, BelgianTaxRecord(), RATES_2026)
    assert (w.base_tax_cents, w.tax_after_allowance_cents) == (1_290_836, TAX_AFTER_ALLOWANCE)


def test_one_income_couple_with_two_children_2026_marital_quotient() -> None:
    # Gross 5,000.00: ONSS 653.50, taxable 4,346.50; x 12 = 52,158.00; less 6,070.00 =
    # 46,088.00. Marital quotient: 30 % = 13,826.40, capped at 13,790.00 for the partner;
    # the earner keeps 32,298.00.
    # Earner: 4,469.93 (16,710 x 26.75 %) + 5,474.12 (12,790 x 42.80 %) + 2,798 x 48.15 %
    # (1,347.237 -> 1,347.24) = 11,291.29. Partner: 13,790 x 26.75 % = 3,688.825 -> 3,688.83.
    # Base tax 14,980.12, less two allowances 2 x 2,987.98 = 5,975.96: 9,004.16; two
    # children 1,656.00: 7,348.16 a year; / 12 = 612.3467 -> 612.35 (single: 994.85).
    record = BelgianTaxRecord(family_situation="partner_without_income", dependent_children=2)
    slip = belgian_payslip(500_000, "standard", record, MARCH_2026)
    w = slip.withholding
    assert slip.taxable_cents == 434_650
    assert w.annual_net_taxable_cents == 4_608_800
    assert w.partner_treatment == "marital_quotient"
    assert w.partner_share_cents == 1_379_000
    assert w.base_tax_cents == 1_498_012
    assert w.exempt_allowance_tax_cents == 597_596
    assert w.tax_after_allowance_cents == 900_416
    assert w.family_reductions_cents == 165_600
    assert slip.wage_tax_cents == 61_235


def test_one_income_couple_with_two_children_2025() -> None:
    # 52,158.00 - 5,930.00 = 46,228.00; partner 13,868.40 capped at 13,460.00; earner
    # 32,768.00: 4,362.93 + 5,341.44 + 3,978 x 48.15 % (1,915.407 -> 1,915.41) = 11,619.78;
    # partner 13,460 x 26.75 % = 3,600.55; 15,220.33 - 5,831.50 = 9,388.83; - 1,608.00 =
    # 7,780.83; / 12 = 648.4025 -> 648.40.
    record = BelgianTaxRecord(family_situation="partner_without_income", dependent_children=2)
    slip = belgian_payslip(500_000, "standard", record, MARCH_2025)
    assert slip.withholding.partner_share_cents == 1_346_000
    assert slip.withholding.base_tax_cents == 1_522_033
    assert slip.wage_tax_cents == 64_840


def test_a_small_quotient_lends_the_unused_allowance_to_the_earner() -> None:
    # Taxable 2,000.00 a month: 24,000.00 - 6,070.00 = 17,930.00; partner 5,379.00
    # (1,438.8825 -> 1,438.88 of tax), earner 12,551.00 (3,357.3925 -> 3,357.39): 4,796.27,
    # less 5,975.96: nothing withheld. Single: 4,469.93 + 1,220 x 42.80 % = 4,992.09,
    # - 2,987.98 = 2,004.11; / 12 = 167.0092 -> 167.01.
    couple = BelgianTaxRecord(family_situation="partner_without_income")
    w = belgian_withholding(200_000, couple, RATES_2026)
    assert (w.partner_share_cents, w.base_tax_cents) == (537_900, 479_627)
    assert w.monthly_withholding_cents == 0
    assert belgian_withholding(
        200_000, BelgianTaxRecord(), RATES_2026
    ).monthly_withholding_cents == (16_701)


def test_partner_with_a_small_pension_gets_the_reduction() -> None:
    # Partner's pension 500.00 net a month: above 174.00 (no longer "without income"), up to
    # 579.00: scale as for two incomes, less 3,474.00: 9,920.38 - 3,474.00 = 6,446.38;
    # / 12 = 537.198 -> 537.20.
    record = BelgianTaxRecord(
        family_situation="partner_with_replacement_income",
        partner_monthly_net_income_cents=50_000,
    )
    taxable, tax = _slip(record)
    assert (taxable, tax) == (347_720, 53_720)


def test_partner_pension_thresholds() -> None:
    def treatment(monthly: int) -> str:
        record = BelgianTaxRecord(
            family_situation="partner_with_replacement_income",
            partner_monthly_net_income_cents=monthly,
        )
        return belgian_withholding(347_720, record, RATES_2026).partner_treatment

    assert treatment(17_400) == "marital_quotient"  # up to 174.00: as without income
    assert treatment(17_401) == "low_pension"
    assert treatment(57_900) == "low_pension"
    assert treatment(57_901) == "with_income"


def test_partner_with_a_small_professional_income() -> None:
    # Up to 290.00 net a month: 9,920.38 - 1,740.00 = 8,180.38; / 12 = 681.698 -> 681.70.
    record = BelgianTaxRecord(
        family_situation="partner_with_income", partner_monthly_net_income_cents=29_000
    )
    assert _slip(record) == (347_720, 68_170)


def test_a_disabled_child_counts_twice() -> None:
    # Two children, one disabled: the table's line for three, 4,404.00.
    # 9,920.38 - 4,404.00 = 5,516.38; / 12 = 459.698 -> 459.70 (two children: 688.70).
    record = BelgianTaxRecord(
        family_situation="partner_with_income", dependent_children=2, disabled_children=1
    )
    assert _slip(record) == (347_720, 45_970)
    plain = BelgianTaxRecord(family_situation="partner_with_income", dependent_children=2)
    assert _slip(plain)[1] == 68_870


def test_another_dependant_aged_66_in_care_2026() -> None:
    # 9,920.38 - 1,992.00 = 7,928.38; / 12 = 660.698 -> 660.70.
    assert _slip(BelgianTaxRecord(dependants_in_care=1)) == (347_720, 66_070)


def test_a_dependant_in_care_is_refused_in_2025_without_its_figure() -> None:
    with pytest.raises(UnsupportedCase, match="66\\+ in a situation of dependency"):
        _slip(BelgianTaxRecord(dependants_in_care=1), MARCH_2025)


def test_other_dependants_and_a_disabled_one() -> None:
    # One other dependant 624.00; disabled, twice: 1,248.00.
    # 9,920.38 - 624.00 = 9,296.38 / 12 = 774.70; - 1,248.00 = 8,672.38 / 12 = 722.70.
    assert _slip(BelgianTaxRecord(other_dependants=1))[1] == 77_470
    disabled = BelgianTaxRecord(other_dependants=1, disabled_other_dependants=1)
    assert _slip(disabled)[1] == 72_270


def test_a_disabled_worker() -> None:
    # 9,920.38 - 624.00 = 9,296.38; / 12 = 774.698 -> 774.70.
    assert _slip(BelgianTaxRecord(beneficiary_disabled=True)) == (347_720, 77_470)


def test_a_disabled_partner() -> None:
    record = BelgianTaxRecord(family_situation="partner_with_income", partner_disabled=True)
    assert _slip(record)[1] == 77_470


def test_inconsistent_records_are_invalid() -> None:
    with pytest.raises(ValidationError):
        BelgianTaxRecord(dependent_children=1, disabled_children=2)
    with pytest.raises(ValidationError):
        BelgianTaxRecord(other_dependants=0, disabled_other_dependants=1)
    with pytest.raises(ValidationError):
        BelgianTaxRecord(partner_disabled=True)


def test_a_stored_record_without_the_new_fields_still_loads() -> None:
    stored = {"resident": True, "family_situation": "single", "dependent_children": 2}
    assert BelgianTaxRecord.model_validate(stored) == BelgianTaxRecord(dependent_children=2)


def test_every_household_figure_names_its_source() -> None:
    figures = set(HouseholdScale.model_fields) - {"valid_from", "valid_until", "sources"}
    for scale in HOUSEHOLD_SCALES:
        assert figures <= set(scale.sources)
        assert all(source for source in scale.sources.values())
    assert SECONDARY in HOUSEHOLD_SCALES[1].sources["marital_quotient_max_cents"]


RECORDS = st.builds(
    BelgianTaxRecord,
    family_situation=st.sampled_from(["single", "partner_with_income", "partner_without_income"]),
    dependent_children=st.integers(0, 10),
    other_dependants=st.integers(0, 3),
    dependants_in_care=st.integers(0, 2),
    beneficiary_disabled=st.booleans(),
)


@settings(max_examples=300, deadline=None)
@given(st.integers(0, 2_000_000), RECORDS, st.sampled_from([MARCH_2025, MARCH_2026]))
def test_the_withholding_is_never_negative(
    taxable: int, record: BelgianTaxRecord, on: date
) -> None:
    rates = be_rates_for(on)
    try:
        w = belgian_withholding(taxable, record, rates)
    except UnsupportedCase:
        assert record.dependants_in_care
        assert on.year == 2025
        return
    assert 0 <= w.monthly_withholding_cents <= taxable
    assert 0 <= w.annual_tax_cents <= w.tax_after_allowance_cents


def _more(record: BelgianTaxRecord, change: str) -> BelgianTaxRecord:
    """The same household with one more reason for a reduction."""
    data = record.model_dump()
    if change == "child":
        data["dependent_children"] += 1
    elif change == "disabled_child":
        data["dependent_children"] += 1
        data["disabled_children"] += 1
    elif change == "disable_a_child" and record.dependent_children > record.disabled_children:
        data["disabled_children"] += 1
    elif change == "other":
        data["other_dependants"] += 1
    elif change == "in_care":
        data["dependants_in_care"] += 1
    elif change == "disabled_worker":
        data["beneficiary_disabled"] = True
    elif change == "disabled_partner" and record.family_situation != "single":
        data["partner_disabled"] = True
    elif change == "partner_loses_income" and record.family_situation == "partner_with_income":
        data["family_situation"] = "partner_without_income"
        data["partner_monthly_net_income_cents"] = None
    return BelgianTaxRecord.model_validate(data)


@settings(max_examples=400, deadline=None)
@given(
    st.integers(0, 2_000_000),
    RECORDS,
    st.sampled_from(
        [
            "child",
            "disabled_child",
            "disable_a_child",
            "other",
            "in_care",
            "disabled_worker",
            "disabled_partner",
            "partner_loses_income",
        ]
    ),
)
def test_a_household_reduction_never_raises_the_withholding(
    taxable: int, record: BelgianTaxRecord, change: str
) -> None:
    before = belgian_withholding(taxable, record, RATES_2026).monthly_withholding_cents
    after = belgian_withholding(taxable, _more(record, change), RATES_2026)
    assert after.monthly_withholding_cents <= before
