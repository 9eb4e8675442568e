"""German social-insurance contributions on a month's gross wage, to the cent, or on the wage
of an employment covering part of a month (``sv_days`` < 30).

Rounding follows § 2 Beitragsverfahrensverordnung (BVV): a contribution shared half/half is the
half rate applied to the base, rounded half-up, then doubled (so both shares are equal); a
contribution not shared half/half is the sum of the separately rounded shares; a contribution
the employee bears alone (the childless PV surcharge) is computed with the employee's rate
including surcharge or reductions. Each share is rounded once, with ``round_cents``.

Three regimes, chosen by the month's gross and the record:

* regular: bases capped at the monthly ceilings (KV/PV and RV/AV BBG);
* Übergangsbereich (Midijob, Minijob limit < gross <= 2,000 €) and an insured wage at or
  below the Minijob limit: § 20 Abs. 2a SGB IV (version since 1 Jan 2023), see ``midijob_bases``;
* Minijob (record.minijob): employer flat rates, employee RV top-up unless exempt.

Part of a month (an order's employment from its actual start to its actual end, SV-days below
30): the ceilings apply pro rata, monthly ceiling x SV-days / 30 (``GermanContributionRates.
ceilings_cents``, which cites the rule). The regime follows the regular monthly wage, the part
month's gross projected to a month (gross x 30 / SV-days; Gemeinsames Rundschreiben
Übergangsbereich of 20 Dec 2022, "Beitragspflichtige Einnahmen in Teilmonaten"): a projection
above 2,000 € is a regular employment, whatever the part month pays. Refused
(``UnsupportedCase``) rather than guessed:

* insured, projection <= 2,000 €: the part-month Übergangsbereich formula (monthly base of the
  projection x SV-days / 30) is not implemented;
* Minijob: a projection above the Minijob limit (no longer a Minijob by its regular wage), or
  the RV minimum base of 175 € in play (whether it is pro-rated in a part month is not
  settled here).

The rules shared with the employer's cost curve (``domain.payroll.de_employer_cost``) live in
``domain.payroll.de_contribution_rules``.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Literal

from pydantic import BaseModel, ConfigDict

from domain.errors import InvalidAmount
from domain.money import Cents
from domain.payroll.de_contribution_rules import (
    HALF,
    MONTH_DAYS,
    cents_of,
    check_sv_days,
    levy_rates,
    midijob_bases,
    pv_employer_rate,
    refuse_above_minijob_limit,
    refuse_part_month_minijob_minimum,
    refuse_part_month_uebergangsbereich,
    refuse_saxony_midijob,
    regular_part_month,
)
from domain.payroll.de_rates import GermanContributionRates
from domain.payroll.employment import EmploymentRecordDE

Branch = Literal["KV", "KV_ZUSATZ", "PV", "RV", "AV"]
Regime = Literal["regular", "midijob", "below_minijob_limit", "minijob"]


class BranchContribution(BaseModel):
    """One insurance branch. ``base_cents`` is the beitragspflichtige Einnahme of the total."""

    model_config = ConfigDict(frozen=True)

    branch: Branch
    base_cents: Cents
    employee_cents: Cents
    employer_cents: Cents

    @property
    def total_cents(self) -> Cents:
        return self.employee_cents + self.employer_cents


class GermanContributions(BaseModel):
    model_config = ConfigDict(frozen=True)

    gross_cents: Cents
    regime: Regime
    branches: tuple[BranchContribution, ...]
    # Midijob only: the reduced base of the employee shares (§ 20 Abs. 2a Satz 6 SGB IV).
    employee_base_cents: Cents | None = None
    # Employer-only levies and the Minijob flat tax (Pauschsteuer, borne by the employer).
    u1_cents: Cents
    u2_cents: Cents
    insolvency_cents: Cents
    flat_tax_cents: Cents = 0
    # Social-insurance days of the employment (30: a whole month) and, on a regular wage, the
    # ceilings applied for them (pro rata below 30). Payslips stored before these fields
    # existed read back as a whole month without ceilings shown.
    sv_days: int = MONTH_DAYS
    bbg_kv_pv_cents: Cents | None = None
    bbg_rv_av_cents: Cents | None = None

    def branch(self, name: Branch) -> BranchContribution:
        for item in self.branches:
            if item.branch == name:
                return item
        return BranchContribution(branch=name, base_cents=0, employee_cents=0, employer_cents=0)

    @property
    def employee_total_cents(self) -> Cents:
        return sum(b.employee_cents for b in self.branches)

    @property
    def employer_contributions_cents(self) -> Cents:
        return sum(b.employer_cents for b in self.branches)

    @property
    def employer_levies_cents(self) -> Cents:
        return self.u1_cents + self.u2_cents + self.insolvency_cents

    @property
    def employer_total_cents(self) -> Cents:
        """Everything the employer pays on top of the gross wage."""
        return self.employer_contributions_cents + self.employer_levies_cents + self.flat_tax_cents


def _half_half(branch: Branch, base: Cents, rate: Decimal) -> BranchContribution:
    share = cents_of(base, rate * HALF)
    return BranchContribution(
        branch=branch, base_cents=base, employee_cents=share, employer_cents=share
    )


def _pv_employee_rate(
    record: EmploymentRecordDE, rates: GermanContributionRates, pay_date: date
) -> Decimal:
    """The employee's PV rate with the childless surcharge or the child reductions."""
    base = rates.pv_saxony_employee_rate if record.saxony else rates.pv_rate * HALF
    if record.pays_childless_surcharge(pay_date):
        return base + rates.pv_childless_surcharge
    return base - rates.pv_child_reduction * record.pv_reductions


def _levies(
    base: Cents, record: EmploymentRecordDE, rates: GermanContributionRates
) -> dict[str, Cents]:
    u1, u2, insolvency = levy_rates(record, rates)
    return {
        "u1_cents": cents_of(base, u1),
        "u2_cents": cents_of(base, u2),
        "insolvency_cents": cents_of(base, insolvency),
    }


def _regular(
    gross: Cents,
    record: EmploymentRecordDE,
    rates: GermanContributionRates,
    pay_date: date,
    sv_days: int,
) -> GermanContributions:
    kv_ceiling, rv_ceiling = rates.ceilings_cents(sv_days)
    kv_base = min(gross, kv_ceiling)
    rv_base = min(gross, rv_ceiling)
    pv = BranchContribution(
        branch="PV",
        base_cents=kv_base,
        employee_cents=cents_of(kv_base, _pv_employee_rate(record, rates, pay_date)),
        employer_cents=cents_of(kv_base, pv_employer_rate(record, rates)),
    )
    return GermanContributions(
        gross_cents=gross,
        regime="regular",
        branches=(
            _half_half("KV", kv_base, rates.kv_general_rate),
            _half_half("KV_ZUSATZ", kv_base, record.health_fund_additional_rate),
            pv,
            _half_half("RV", rv_base, rates.rv_rate),
            _half_half("AV", rv_base, rates.av_rate),
        ),
        sv_days=sv_days,
        bbg_kv_pv_cents=kv_ceiling,
        bbg_rv_av_cents=rv_ceiling,
        **_levies(rv_base, record, rates),
    )


def _midijob(
    gross: Cents, record: EmploymentRecordDE, rates: GermanContributionRates, pay_date: date
) -> GermanContributions:
    refuse_saxony_midijob(record)
    total_base, employee_base = midijob_bases(gross, rates)

    def split(branch: Branch, rate: Decimal) -> BranchContribution:
        total = 2 * cents_of(total_base, rate * HALF)
        employee = cents_of(employee_base, rate * HALF)
        return BranchContribution(
            branch=branch,
            base_cents=total_base,
            employee_cents=employee,
            employer_cents=total - employee,
        )

    # PV: the half/half part as above; the reductions lower the employee's share on its own
    # base, the childless surcharge is the employee's alone, on the total base.
    pv_half = rates.pv_rate * HALF
    pv_total = 2 * cents_of(total_base, pv_half)
    pv_employer = pv_total - cents_of(employee_base, pv_half)
    if record.pays_childless_surcharge(pay_date):
        pv_employee = cents_of(employee_base, pv_half) + cents_of(
            total_base, rates.pv_childless_surcharge
        )
    else:
        reduced = pv_half - rates.pv_child_reduction * record.pv_reductions
        pv_employee = cents_of(employee_base, reduced)
    pv = BranchContribution(
        branch="PV", base_cents=total_base, employee_cents=pv_employee, employer_cents=pv_employer
    )
    return GermanContributions(
        gross_cents=gross,
        regime="midijob" if gross > rates.minijob_limit_cents else "below_minijob_limit",
        branches=(
            split("KV", rates.kv_general_rate),
            split("KV_ZUSATZ", record.health_fund_additional_rate),
            pv,
            split("RV", rates.rv_rate),
            split("AV", rates.av_rate),
        ),
        employee_base_cents=employee_base,
        **_levies(gross, record, rates),
    )


def _minijob(
    gross: Cents, record: EmploymentRecordDE, rates: GermanContributionRates, sv_days: int
) -> GermanContributions:
    refuse_above_minijob_limit(gross, rates, sv_days)
    refuse_part_month_minijob_minimum(gross, record, rates, sv_days)
    kv = BranchContribution(
        branch="KV",
        base_cents=gross,
        employee_cents=0,
        employer_cents=cents_of(gross, rates.minijob_employer_kv_rate),
    )
    rv_employer = cents_of(gross, rates.minijob_employer_rv_rate)
    if record.rv_exempt_minijob:
        rv = BranchContribution(
            branch="RV", base_cents=gross, employee_cents=0, employer_cents=rv_employer
        )
    elif 0 < gross < rates.minijob_rv_minimum_base_cents:
        # § 163 Abs. 8 SGB VI, § 2 Abs. 1 Satz 5 BVV: full rate on the minimum base, the
        # employer's share rounded on its own, the employee pays the difference.
        minimum = rates.minijob_rv_minimum_base_cents
        rv = BranchContribution(
            branch="RV",
            base_cents=minimum,
            employee_cents=cents_of(minimum, rates.rv_rate) - rv_employer,
            employer_cents=rv_employer,
        )
    else:
        rv = BranchContribution(
            branch="RV",
            base_cents=gross,
            employee_cents=cents_of(gross, rates.minijob_employee_rv_rate),
            employer_cents=rv_employer,
        )
    return GermanContributions(
        gross_cents=gross,
        regime="minijob",
        branches=(kv, rv),
        u1_cents=cents_of(gross, rates.minijob_u1_rate),
        u2_cents=cents_of(gross, rates.minijob_u2_rate),
        insolvency_cents=cents_of(gross, rates.insolvency_rate),
        flat_tax_cents=cents_of(gross, rates.minijob_flat_tax_rate),
        sv_days=sv_days,
    )


def german_contributions(
    gross_cents: Cents,
    record: EmploymentRecordDE,
    rates: GermanContributionRates,
    pay_date: date,
    sv_days: int = MONTH_DAYS,
) -> GermanContributions:
    """All contributions and levies on the gross wage paid on ``pay_date`` for an employment
    of ``sv_days`` social-insurance days (30: a whole month)."""
    if gross_cents < 0:
        raise InvalidAmount(f"a gross wage cannot be negative: {gross_cents}")
    check_sv_days(sv_days)
    if record.minijob:
        return _minijob(gross_cents, record, rates, sv_days)
    if gross_cents <= rates.midijob_upper_limit_cents:
        if regular_part_month(gross_cents, rates, sv_days):
            return _regular(gross_cents, record, rates, pay_date, sv_days)
        refuse_part_month_uebergangsbereich(gross_cents, rates, sv_days)
        return _midijob(gross_cents, record, rates, pay_date)
    return _regular(gross_cents, record, rates, pay_date, sv_days)
