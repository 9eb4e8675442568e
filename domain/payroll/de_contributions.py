"""German social-insurance contributions on a monthly gross wage, to the cent.

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
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Literal

from pydantic import BaseModel, ConfigDict

from domain.errors import InvalidAmount, UnsupportedCase
from domain.money import Cents, round_cents
from domain.payroll.de_rates import GermanContributionRates
from domain.payroll.employment import EmploymentRecordDE

Branch = Literal["KV", "KV_ZUSATZ", "PV", "RV", "AV"]
Regime = Literal["regular", "midijob", "below_minijob_limit", "minijob"]

_HALF = Decimal("0.5")


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


def _of(base: Cents | Decimal, rate: Decimal) -> Cents:
    return round_cents(Decimal(base) * rate)


def _half_half(branch: Branch, base: Cents, rate: Decimal) -> BranchContribution:
    share = _of(base, rate * _HALF)
    return BranchContribution(
        branch=branch, base_cents=base, employee_cents=share, employer_cents=share
    )


def _pv_employee_rate(
    record: EmploymentRecordDE, rates: GermanContributionRates, pay_date: date
) -> Decimal:
    """The employee's PV rate with the childless surcharge or the child reductions."""
    base = rates.pv_saxony_employee_rate if record.saxony else rates.pv_rate * _HALF
    if record.pays_childless_surcharge(pay_date):
        return base + rates.pv_childless_surcharge
    return base - rates.pv_child_reduction * record.pv_reductions


def _levies(
    base: Cents, record: EmploymentRecordDE, rates: GermanContributionRates
) -> dict[str, Cents]:
    u1 = record.u1_rate if record.u1_rate is not None else rates.u1_rate
    u2 = record.u2_rate if record.u2_rate is not None else rates.u2_rate
    return {
        "u1_cents": _of(base, u1),
        "u2_cents": _of(base, u2),
        "insolvency_cents": _of(base, rates.insolvency_rate),
    }


def _regular(
    gross: Cents, record: EmploymentRecordDE, rates: GermanContributionRates, pay_date: date
) -> GermanContributions:
    kv_base = min(gross, rates.bbg_kv_pv_cents)
    rv_base = min(gross, rates.bbg_rv_av_cents)
    employer_pv_rate = (
        rates.pv_rate - rates.pv_saxony_employee_rate if record.saxony else (rates.pv_rate * _HALF)
    )
    pv = BranchContribution(
        branch="PV",
        base_cents=kv_base,
        employee_cents=_of(kv_base, _pv_employee_rate(record, rates, pay_date)),
        employer_cents=_of(kv_base, employer_pv_rate),
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
        **_levies(rv_base, record, rates),
    )


def midijob_bases(gross: Cents, rates: GermanContributionRates) -> tuple[Cents, Cents]:
    """The two beitragspflichtige Einnahmen of the Übergangsbereich, in cents.

    § 20 Abs. 2a SGB IV (since 1 Jan 2023; G = Geringfügigkeitsgrenze, OG = 2,000 €,
    AE = Arbeitsentgelt, F = 28 % / Gesamtsozialversicherungsbeitragssatz):

    - Satz 1, base of the total contribution:
      BE = F x G + ([OG / (OG - G)] - [G / (OG - G)] x F) x (AE - G)
    - Satz 6, base of the employee's share:
      BE = [OG / (OG - G)] x (AE - G)

    Each is rounded to the cent once (§ 20 Abs. 2a with § 123 SGB VI). The employee's share is
    the half rate on the second base; the employer pays the rest of the total (§ 249 Abs. 3
    SGB V, § 168 Abs. 1 Nr. 1d SGB VI, § 346 Abs. 1a SGB III, § 58 Abs. 5 SGB XI). Published
    shortcuts for 2026 (Haufe): total 1.145937223 x AE - 291.8744452, employee
    1.431639227 x AE - 863.2784538; for 2025 (IKK classic): 1.127718283 x AE - 255.4365651 and
    1.385041551 x AE - 770.0831025.

    At or below G (an insured employment whose wage dips under the limit) the total base is
    AE x F and the employee's base is 0 (Spitzenverbände, Gemeinsames Rundschreiben
    Übergangsbereich, "Unterschreiten der unteren Entgeltgrenze").
    """
    g = Decimal(rates.minijob_limit_cents)
    og = Decimal(rates.midijob_upper_limit_cents)
    f = rates.midijob_factor_f
    ae = Decimal(gross)
    if gross <= rates.minijob_limit_cents:
        return round_cents(ae * f), 0
    total_base = f * g + (og / (og - g) - g / (og - g) * f) * (ae - g)
    employee_base = og / (og - g) * (ae - g)
    return round_cents(total_base), round_cents(employee_base)


def _midijob(
    gross: Cents, record: EmploymentRecordDE, rates: GermanContributionRates, pay_date: date
) -> GermanContributions:
    if record.saxony:
        raise UnsupportedCase(
            "Midijob in Saxony: the PV split between employer and employee in the "
            "Übergangsbereich differs there and is not implemented"
        )
    total_base, employee_base = midijob_bases(gross, rates)

    def split(branch: Branch, rate: Decimal) -> BranchContribution:
        total = 2 * _of(total_base, rate * _HALF)
        employee = _of(employee_base, rate * _HALF)
        return BranchContribution(
            branch=branch,
            base_cents=total_base,
            employee_cents=employee,
            employer_cents=total - employee,
        )

    # PV: the half/half part as above; the reductions lower the employee's share on its own
    # base, the childless surcharge is the employee's alone, on the total base.
    pv_half = rates.pv_rate * _HALF
    pv_total = 2 * _of(total_base, pv_half)
    pv_employer = pv_total - _of(employee_base, pv_half)
    if record.pays_childless_surcharge(pay_date):
        pv_employee = _of(employee_base, pv_half) + _of(total_base, rates.pv_childless_surcharge)
    else:
        reduced = pv_half - rates.pv_child_reduction * record.pv_reductions
        pv_employee = _of(employee_base, reduced)
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
    gross: Cents, record: EmploymentRecordDE, rates: GermanContributionRates
) -> GermanContributions:
    if gross > rates.minijob_limit_cents:
        raise UnsupportedCase(
            f"a Minijob pays at most {rates.minijob_limit_cents} cents a month "
            f"({rates.valid_from.year}); {gross} is above: it is an insured employment"
        )
    kv = BranchContribution(
        branch="KV",
        base_cents=gross,
        employee_cents=0,
        employer_cents=_of(gross, rates.minijob_employer_kv_rate),
    )
    rv_employer = _of(gross, rates.minijob_employer_rv_rate)
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
            employee_cents=_of(minimum, rates.rv_rate) - rv_employer,
            employer_cents=rv_employer,
        )
    else:
        rv = BranchContribution(
            branch="RV",
            base_cents=gross,
            employee_cents=_of(gross, rates.minijob_employee_rv_rate),
            employer_cents=rv_employer,
        )
    return GermanContributions(
        gross_cents=gross,
        regime="minijob",
        branches=(kv, rv),
        u1_cents=_of(gross, rates.minijob_u1_rate),
        u2_cents=_of(gross, rates.minijob_u2_rate),
        insolvency_cents=_of(gross, rates.insolvency_rate),
        flat_tax_cents=_of(gross, rates.minijob_flat_tax_rate),
    )


def german_contributions(
    gross_cents: Cents,
    record: EmploymentRecordDE,
    rates: GermanContributionRates,
    pay_date: date,
) -> GermanContributions:
    """All contributions and levies on one month's gross wage paid on ``pay_date``."""
    if gross_cents < 0:
        raise InvalidAmount(f"a gross wage cannot be negative: {gross_cents}")
    if record.minijob:
        return _minijob(gross_cents, record, rates)
    if gross_cents <= rates.midijob_upper_limit_cents:
        return _midijob(gross_cents, record, rates, pay_date)
    return _regular(gross_cents, record, rates, pay_date)
