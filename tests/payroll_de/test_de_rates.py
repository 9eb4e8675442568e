"""Dated German rates: the payment date picks the year's figures."""

from __future__ import annotations

from datetime import date
from decimal import ROUND_HALF_UP, Decimal

import pytest

from domain.errors import UnsupportedCase
from domain.payroll.de_rates import GERMAN_RATES, GermanContributionRates, rates_for


@pytest.mark.parametrize(
    ("pay_date", "bbg_kv", "bbg_rv", "minijob", "factor_f", "avg_additional"),
    [
        (date(2025, 1, 1), 551_250, 805_000, 55_600, "0.6683", "0.025"),
        (date(2025, 12, 31), 551_250, 805_000, 55_600, "0.6683", "0.025"),
        (date(2026, 1, 1), 581_250, 845_000, 60_300, "0.6619", "0.029"),
        (date(2026, 12, 31), 581_250, 845_000, 60_300, "0.6619", "0.029"),
    ],
)
def test_rates_for_picks_the_year_of_the_payment(
    pay_date: date, bbg_kv: int, bbg_rv: int, minijob: int, factor_f: str, avg_additional: str
) -> None:
    rates = rates_for(pay_date)
    assert rates.valid_from == date(pay_date.year, 1, 1)
    assert rates.bbg_kv_pv_cents == bbg_kv
    assert rates.bbg_rv_av_cents == bbg_rv
    assert rates.minijob_limit_cents == minijob
    assert rates.midijob_upper_limit_cents == 200_000
    assert rates.midijob_factor_f == Decimal(factor_f)
    assert rates.kv_average_additional_rate == Decimal(avg_additional)


@pytest.mark.parametrize("rates", GERMAN_RATES, ids=lambda r: str(r.valid_from.year))
def test_factor_f_is_28_percent_over_the_total_rate(rates: GermanContributionRates) -> None:
    # § 20 Abs. 2a Satz 2-3 SGB IV: F = 28 % / (KV 14.6 + average Zusatzbeitrag + PV 3.6
    # + RV 18.6 + AV 2.6), four decimals: 28/41.9 = 0.6683 (2025), 28/42.3 = 0.6619 (2026).
    derived = (Decimal("0.28") / rates.total_social_insurance_rate).quantize(
        Decimal("0.0001"), rounding=ROUND_HALF_UP
    )
    assert derived == rates.midijob_factor_f


def test_the_shared_rates_are_the_legal_ones() -> None:
    rates = rates_for(date(2026, 6, 30))
    assert rates.kv_general_rate == Decimal("0.146")
    assert rates.pv_rate == Decimal("0.036")
    assert rates.pv_childless_surcharge == Decimal("0.006")
    assert rates.pv_child_reduction == Decimal("0.0025")
    assert rates.rv_rate == Decimal("0.186")
    assert rates.av_rate == Decimal("0.026")
    assert (rates.u1_rate, rates.u2_rate) == (Decimal("0.021"), Decimal("0.003"))
    assert rates.insolvency_rate == Decimal("0.0015")
    assert rates.minijob_employee_rv_rate == Decimal("0.036")


@pytest.mark.parametrize("pay_date", [date(2024, 12, 31), date(2027, 1, 1)])
def test_payments_outside_the_known_years_are_refused(pay_date: date) -> None:
    with pytest.raises(UnsupportedCase, match=f"payments in {pay_date.year}"):
        rates_for(pay_date)
