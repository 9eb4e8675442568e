"""The employer's side of German social-insurance contributions alone: ``EmployerCostCurve``
gives a gross wage's cost to the employer (gross + employer contributions, levies and Minijob
flat tax) without the models of ``domain.payroll.de_contributions``, for the budget → gross
inverse to evaluate often.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import NamedTuple

from domain.errors import InvalidAmount, UnsupportedCase
from domain.money import Cents
from domain.payroll.de_contribution_rules import (
    HALF,
    MONTH_DAYS,
    cents_of,
    check_sv_days,
    levy_rates,
    midijob_bases,
    minijob_top_cents,
    pv_employer_rate,
    refuse_above_minijob_limit,
    refuse_part_month_minijob_minimum,
    refuse_part_month_uebergangsbereich,
    refuse_saxony_midijob,
    regular_part_month,
)
from domain.payroll.de_rates import GermanContributionRates
from domain.payroll.employment import EmploymentRecordDE


class CostSegment(NamedTuple):
    """A stretch where the employer's cost, before rounding, is a straight line:
    ``at_first + slope x (gross - first_cents)`` for ``first_cents <= gross <= last_cents``
    (no ``last_cents``: on without end)."""

    first_cents: Cents
    last_cents: Cents | None
    at_first: Decimal
    slope: Decimal


# Half-up rounding strays at most half a cent; a base rounded before a rate applies adds
# half a cent times the rate.
_HALF_CENT = Decimal("0.5")
# Decimal division (factor F's coefficients) is cut at 28 digits: far below a cent, and one
# cent of slack covers it.
_SLACK_CENTS = Decimal(1)


class EmployerCostCurve:
    """A gross wage's cost to the employer, ``gross + employer_total_cents``, for one record
    and payment date, without building the payslip's models: the inner loop of the budget →
    gross inverse. The same amounts rounded the same way as ``german_contributions`` (held
    equal by the tests); the rates are derived once, by the same helpers.

    The curve without rounding (``segments``: the Minijob flat rates; for an insured wage the
    factor-F stretch up to the Minijob limit, the Übergangsbereich, the ceilings) gives the
    inverse its closed-form start; ``rounding_bound`` says how far the rounded cost can stray
    from it. The rounded cost rises strictly with the gross everywhere except in the
    Übergangsbereich, where the employer's share is a doubled rounded half minus a separately
    rounded employee share and can fall by a few cents where the gross rises by one.
    """

    def __init__(
        self,
        record: EmploymentRecordDE,
        rates: GermanContributionRates,
        pay_date: date,
        sv_days: int = MONTH_DAYS,
    ) -> None:
        check_sv_days(sv_days)
        self._record = record
        self._rates = rates
        self._sv_days = sv_days
        self._minijob = record.minijob
        # The largest gross a Minijob pays (pro rata in a part month); None when insured.
        self.minijob_top_cents: Cents | None = (
            minijob_top_cents(rates, sv_days) if record.minijob else None
        )
        # An insured part month is priced only above the Übergangsbereich, like Saxony.
        regular_only = record.saxony or sv_days < MONTH_DAYS
        one = Decimal(1)
        if record.minijob:
            self._minijob_rates = (
                rates.minijob_employer_kv_rate,
                rates.minijob_employer_rv_rate,
                rates.minijob_u1_rate,
                rates.minijob_u2_rate,
                rates.insolvency_rate,
                rates.minijob_flat_tax_rate,
            )
            slope = one + sum(self._minijob_rates, Decimal(0))
            self.segments: tuple[CostSegment, ...] = (CostSegment(0, None, Decimal(0), slope),)
            self.rounding_bound = _HALF_CENT * len(self._minijob_rates) + _SLACK_CENTS
            self.lowest_supported_cents: Cents = 0
            self.rises_strictly_from_cents: Cents = 0
            return

        # The employee's PV share needs the surcharge decided: refuse what the payslip refuses.
        record.pays_childless_surcharge(pay_date)
        self._kv_half = rates.kv_general_rate * HALF
        self._additional_half = record.health_fund_additional_rate * HALF
        self._pv_half = rates.pv_rate * HALF
        self._pv_employer = pv_employer_rate(record, rates)
        self._rv_half = rates.rv_rate * HALF
        self._av_half = rates.av_rate * HALF
        self._levy_rates = levy_rates(record, rates)
        halves = (self._kv_half, self._additional_half, self._pv_half, self._rv_half, self._av_half)
        levies = sum(self._levy_rates, Decimal(0))

        limit = rates.minijob_limit_cents
        upper = rates.midijob_upper_limit_cents
        if not limit < upper < rates.bbg_kv_pv_cents <= rates.bbg_rv_av_cents:
            raise UnsupportedCase(
                f"rates from {rates.valid_from}: expected Minijob limit < Übergangsbereich < "
                "KV/PV ceiling <= RV/AV ceiling"
            )
        # Pro rata in a part month the ceilings may lie below the Übergangsbereich's upper
        # limit: the regular line then runs from 0 (only its part above ``upper`` is priced).
        kv_ceiling, rv_ceiling = rates.ceilings_cents(sv_days)
        self._kv_ceiling, self._rv_ceiling = kv_ceiling, rv_ceiling
        kv_side = self._kv_half + self._additional_half + self._pv_employer
        rv_side = self._rv_half + self._av_half + levies
        regular_from = 0 if regular_only else upper
        regular = (
            CostSegment(
                regular_from,
                kv_ceiling,
                regular_from * (one + kv_side + rv_side),
                one + kv_side + rv_side,
            ),
            CostSegment(
                kv_ceiling, rv_ceiling, kv_ceiling * (one + kv_side + rv_side), one + rv_side
            ),
            CostSegment(rv_ceiling, None, kv_ceiling * kv_side + rv_ceiling * (one + rv_side), one),
        )
        total_rate = 2 * sum(halves, Decimal(0))
        g, og, f = Decimal(limit), Decimal(upper), rates.midijob_factor_f
        employee_slope = og / (og - g)
        total_slope = employee_slope - g / (og - g) * f
        below_slope = one + f * total_rate + levies
        midijob = (
            CostSegment(0, limit, Decimal(0), below_slope),
            CostSegment(
                limit,
                upper,
                limit * below_slope,
                one + total_slope * total_rate - employee_slope * total_rate * HALF + levies,
            ),
        )
        self.segments = regular if regular_only else midijob + regular
        # Worst case, in the Übergangsbereich: per branch the doubled rounded half of a rounded
        # total base (1 + rate/2 cents) and the rounded employee share (1/2 + rate/4 cents);
        # then the three levies.
        self.rounding_bound = (
            len(halves) * 3 * _HALF_CENT
            + 3 * _HALF_CENT * sum(halves, Decimal(0))
            + len(self._levy_rates) * _HALF_CENT
            + _SLACK_CENTS
        )
        # Saxony's Übergangsbereich and an insured part month's are refused, as in
        # ``german_contributions``.
        self.lowest_supported_cents = upper + 1 if regular_only else 0
        self.rises_strictly_from_cents = upper + 1

    def cost_cents(self, gross: Cents) -> Cents:
        """``gross + german_contributions(gross, ...).employer_total_cents``."""
        return gross + self.on_top_cents(gross)

    def on_top_cents(self, gross: Cents) -> Cents:
        if gross < 0:
            raise InvalidAmount(f"a gross wage cannot be negative: {gross}")
        rates = self._rates
        if self._minijob:
            refuse_above_minijob_limit(gross, rates, self._sv_days)
            refuse_part_month_minijob_minimum(gross, self._record, rates, self._sv_days)
            return sum(cents_of(gross, rate) for rate in self._minijob_rates)
        u1, u2, insolvency = self._levy_rates
        if gross <= rates.midijob_upper_limit_cents and not regular_part_month(
            gross, rates, self._sv_days
        ):
            refuse_part_month_uebergangsbereich(gross, rates, self._sv_days)
            refuse_saxony_midijob(self._record)
            total_base, employee_base = midijob_bases(gross, rates)
            employer = 0
            for half in (
                self._kv_half,
                self._additional_half,
                self._pv_half,
                self._rv_half,
                self._av_half,
            ):
                employer += 2 * cents_of(total_base, half) - cents_of(employee_base, half)
            return (
                employer + cents_of(gross, u1) + cents_of(gross, u2) + cents_of(gross, insolvency)
            )
        kv_base = min(gross, self._kv_ceiling)
        rv_base = min(gross, self._rv_ceiling)
        return (
            cents_of(kv_base, self._kv_half)
            + cents_of(kv_base, self._additional_half)
            + cents_of(kv_base, self._pv_employer)
            + cents_of(rv_base, self._rv_half)
            + cents_of(rv_base, self._av_half)
            + cents_of(rv_base, u1)
            + cents_of(rv_base, u2)
            + cents_of(rv_base, insolvency)
        )

    def unrounded_cost(self, gross: Cents) -> Decimal:
        """The straight-line cost of ``gross`` before any rounding."""
        for segment in self.segments:
            if segment.last_cents is None or gross <= segment.last_cents:
                return segment.at_first + segment.slope * (gross - segment.first_cents)
        raise AssertionError("the last segment has no end")  # pragma: no cover

    def gross_within(self, budget: Decimal) -> Cents:
        """The largest gross whose unrounded cost is at most ``budget`` (closed form)."""
        for segment in self.segments:
            last = segment.last_cents
            if last is None or budget <= segment.at_first + segment.slope * (
                last - segment.first_cents
            ):
                steps = (budget - segment.at_first) / segment.slope
                return max(segment.first_cents, segment.first_cents + int(steps))
        raise AssertionError("the last segment has no end")  # pragma: no cover
