"""The exact German payroll engine: a payslip to the cent, and the gross a budget can pay.

Contributions come from ``domain.payroll.de_contributions`` (rates chosen by payment date),
wage tax, solidarity surcharge and church tax from ``domain.payroll.de_wage_tax``, a Decimal
transcription of the BMF Programmablaufplan of the payment year (2025 and 2026).

Why not ``lohnsteuer-bmf`` for the tax itself: its ``berechne_lohnsteuer_pap`` (2026.3) is
close to the PAP but not the PAP. It rounds the monthly tax instead of cutting it to the cent
(UPANTEIL), leaves the Vorsorgepauschale unrounded (the PAP rounds it up to whole euros), takes
the child allowance count from the number of children (the PAP takes ZKF from the ELStAM), sets
the childless surcharge from age > 23 in 2026 only, and uses the 2026 allowances and ceilings
for every ``jahr``; so its monthly tax is off by up to a few cents, and its 2025 results are not
the PAP 2025. It is kept here, converted at the edge, as a second opinion the tests compare
with (``lohnsteuer_bmf_second_opinion``).
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from pydantic import BaseModel, ConfigDict

from domain.errors import InvalidAmount, UnsupportedCase
from domain.money import Cents, round_cents
from domain.payroll.de_contributions import (
    EmployerCostCurve,
    GermanContributions,
    Regime,
    german_contributions,
)
from domain.payroll.de_rates import GermanContributionRates, rates_for
from domain.payroll.de_wage_tax import (
    PAPS,
    WageTaxInput,
    WageTaxResult,
    church_tax,
    wage_tax,
)
from domain.payroll.employment import EmploymentRecordDE

# From this age (reached in the payment year) the employee's own pension and unemployment
# contributions can end with the standard retirement age; that is not modelled, so refused.
_REFUSED_FROM_AGE = 66
# The Altersentlastungsbetrag applies from the year after the 64th birthday (§ 24a EStG).
_AGE_RELIEF_AFTER = 64
_NO_TAX = WageTaxResult(wage_tax_cents=0, solidarity_cents=0, church_tax_base_cents=0)


class GermanPayslip(BaseModel):
    model_config = ConfigDict(frozen=True)

    pay_date: date
    pap_year: int | None  # None for a Minijob (flat tax instead of the PAP)
    regime: Regime
    gross_cents: Cents

    employee_kv_cents: Cents
    employee_kv_additional_cents: Cents
    employee_pv_cents: Cents
    employee_rv_cents: Cents
    employee_av_cents: Cents
    employee_contributions_cents: Cents

    wage_tax_cents: Cents
    solidarity_cents: Cents
    church_tax_cents: Cents
    net_cents: Cents

    employer_contributions_cents: Cents
    employer_u1_cents: Cents
    employer_u2_cents: Cents
    employer_insolvency_cents: Cents
    employer_flat_tax_cents: Cents
    employer_cost_cents: Cents  # gross + everything the employer pays on top

    contributions: GermanContributions


class GrossForBudget(BaseModel):
    """The largest gross a budget pays: ``gross + employer_on_top + remainder == budget``."""

    model_config = ConfigDict(frozen=True)

    budget_cents: Cents
    gross_cents: Cents
    employer_on_top_cents: Cents
    remainder_cents: Cents


def wage_tax_input(gross_cents: Cents, record: EmploymentRecordDE, pay_date: date) -> WageTaxInput:
    """The PAP inputs for one month's wage: the record converted at the edge."""
    surcharge = record.pays_childless_surcharge(pay_date)
    age_relief = record.birth_year + _AGE_RELIEF_AFTER + 1
    return WageTaxInput(
        year=pay_date.year,
        wage_cents=gross_cents,
        tax_class=record.tax_class,
        child_allowances=record.tax_child_allowances,
        church=record.church_member,
        kv_additional_percent=record.health_fund_additional_rate * 100,
        pv_saxony=record.saxony,
        pv_surcharge=surcharge,
        pv_reductions=0 if surcharge else record.pv_reductions,
        age_relief_year=age_relief if age_relief <= pay_date.year else None,
    )


class GermanPayrollEngine:
    """Payslips and budget splits for German employment records."""

    def rates(self, pay_date: date) -> GermanContributionRates:
        return rates_for(pay_date)

    def _check(self, record: EmploymentRecordDE, pay_date: date) -> None:
        if record.age_reached_in(pay_date.year) >= _REFUSED_FROM_AGE:
            raise UnsupportedCase(
                f"the member reaches {record.age_reached_in(pay_date.year)} in {pay_date.year}: "
                "pension-age rules (no employee RV/AV share) are not implemented"
            )
        if not record.minijob and pay_date.year not in PAPS:
            raise UnsupportedCase(
                f"no wage-tax plan (PAP) for payments in {pay_date.year}; "
                f"available: {', '.join(str(y) for y in sorted(PAPS))}"
            )

    def contributions(
        self, gross_cents: Cents, record: EmploymentRecordDE, pay_date: date
    ) -> GermanContributions:
        self._check(record, pay_date)
        return german_contributions(gross_cents, record, self.rates(pay_date), pay_date)

    def employer_on_top(
        self, gross_cents: Cents, record: EmploymentRecordDE, pay_date: date
    ) -> Cents:
        """What the employer pays beyond the gross: contributions, levies, Minijob flat tax."""
        return self.contributions(gross_cents, record, pay_date).employer_total_cents

    def payslip(
        self, gross_cents: Cents, record: EmploymentRecordDE, pay_date: date
    ) -> GermanPayslip:
        contributions = self.contributions(gross_cents, record, pay_date)
        # A Minijob's wage tax is the employer's 2 % flat tax, already in the contributions.
        pap_year = None if record.minijob else pay_date.year
        tax = _NO_TAX if record.minijob else wage_tax(wage_tax_input(gross_cents, record, pay_date))
        kist = church_tax(tax.church_tax_base_cents, record.church_tax_rate)
        employee = contributions.employee_total_cents
        return GermanPayslip(
            pay_date=pay_date,
            pap_year=pap_year,
            regime=contributions.regime,
            gross_cents=gross_cents,
            employee_kv_cents=contributions.branch("KV").employee_cents,
            employee_kv_additional_cents=contributions.branch("KV_ZUSATZ").employee_cents,
            employee_pv_cents=contributions.branch("PV").employee_cents,
            employee_rv_cents=contributions.branch("RV").employee_cents,
            employee_av_cents=contributions.branch("AV").employee_cents,
            employee_contributions_cents=employee,
            wage_tax_cents=tax.wage_tax_cents,
            solidarity_cents=tax.solidarity_cents,
            church_tax_cents=kist,
            net_cents=gross_cents - employee - tax.wage_tax_cents - tax.solidarity_cents - kist,
            employer_contributions_cents=contributions.employer_contributions_cents,
            employer_u1_cents=contributions.u1_cents,
            employer_u2_cents=contributions.u2_cents,
            employer_insolvency_cents=contributions.insolvency_cents,
            employer_flat_tax_cents=contributions.flat_tax_cents,
            employer_cost_cents=gross_cents + contributions.employer_total_cents,
            contributions=contributions,
        )

    def gross_for_budget(
        self, budget_cents: Cents, record: EmploymentRecordDE, pay_date: date
    ) -> GrossForBudget:
        """The largest gross g with g + employer_on_top(g) <= budget (a Minijob's at most its
        limit). The wage tax plays no part: the employer's cost is gross, contributions and
        levies only.

        The start is closed-form, the unrounded cost curve inverted on its straight stretch
        (``EmployerCostCurve.gross_within``); exact steps of one cent then reach a gross that
        fits while the next does not. Where the rounded cost rises strictly (everywhere but the
        Übergangsbereich) that is the answer. In the Übergangsbereich the cost can dip by a few
        cents where the wage rises by one, so every gross up to the last one whose unrounded
        cost, less the rounding bound, is within the budget is tried from the top down.
        """
        if budget_cents < 0:
            raise InvalidAmount(f"a budget cannot be negative: {budget_cents}")
        self._check(record, pay_date)
        rates = self.rates(pay_date)
        curve = EmployerCostCurve(record, rates, pay_date)
        cost = curve.cost_cents
        top = budget_cents
        if record.minijob:
            top = min(top, rates.minijob_limit_cents)

        start = max(curve.gross_within(Decimal(budget_cents)), curve.lowest_supported_cents)
        gross = min(start, top)
        if cost(gross) <= budget_cents:
            while gross < top and cost(gross + 1) <= budget_cents:
                gross += 1
        else:
            gross -= 1
            while cost(gross) > budget_cents:  # cost(0) == 0: ends by 0 at the latest
                gross -= 1
        # Now cost(gross) <= budget < cost(gross + 1), or gross == top.
        if gross + 1 < curve.rises_strictly_from_cents:
            ceiling = min(top, curve.gross_within(budget_cents + curve.rounding_bound) + 1)
            for probe in range(ceiling, gross + 1, -1):
                if cost(probe) <= budget_cents:
                    gross = probe
                    break
        employer_cost = cost(gross)
        remainder = budget_cents - employer_cost
        if record.minijob and gross == rates.minijob_limit_cents and remainder > 2:
            raise UnsupportedCase(
                f"the budget pays more than a Minijob at its limit: {remainder} cents would be "
                "left over; the employment would have to be an insured one"
            )
        return GrossForBudget(
            budget_cents=budget_cents,
            gross_cents=gross,
            employer_on_top_cents=employer_cost - gross,
            remainder_cents=remainder,
        )


_ENGINE = GermanPayrollEngine()


def german_payslip(gross_cents: Cents, record: EmploymentRecordDE, pay_date: date) -> GermanPayslip:
    return _ENGINE.payslip(gross_cents, record, pay_date)


def gross_for_budget(
    budget_cents: Cents, record: EmploymentRecordDE, pay_date: date
) -> GrossForBudget:
    return _ENGINE.gross_for_budget(budget_cents, record, pay_date)


# ``lohnsteuer-bmf`` names the Länder in full.
_LAND_NAMES = {
    "BW": "Baden-Württemberg",
    "BY": "Bayern",
    "BE": "Berlin",
    "BB": "Brandenburg",
    "HB": "Bremen",
    "HH": "Hamburg",
    "HE": "Hessen",
    "MV": "Mecklenburg-Vorpommern",
    "NI": "Niedersachsen",
    "NW": "Nordrhein-Westfalen",
    "RP": "Rheinland-Pfalz",
    "SL": "Saarland",
    "SN": "Sachsen",
    "ST": "Sachsen-Anhalt",
    "SH": "Schleswig-Holstein",
    "TH": "Thüringen",
}


def _float_euros_to_cents(value: float) -> Cents:
    return round_cents(Decimal(str(value)) * 100)


def lohnsteuer_bmf_second_opinion(
    gross_cents: Cents, record: EmploymentRecordDE, pay_date: date
) -> WageTaxResult:
    """``lohnsteuer-bmf``'s monthly wage tax, solidarity surcharge and church tax for the same
    case, converted at the edge (cents in, float euros across, cents out). Not used for
    payslips: see the module docstring. Its church tax comes back as an amount, so the result's
    ``church_tax_base_cents`` holds the church tax itself here."""
    if pay_date.year != 2026:
        raise UnsupportedCase("lohnsteuer-bmf implements the PAP 2026 only")
    from lohnsteuer_bmf import berechne_lohnsteuer_pap

    result = berechne_lohnsteuer_pap(
        brutto_jahr=float(Decimal(gross_cents) * 12 / 100),
        steuerklasse=record.tax_class,
        bundesland=_LAND_NAMES[record.federal_state],
        mit_kirchensteuer=record.church_member,
        kinder=record.children,
        geburtsjahr=record.birth_year,
        kv_zusatzbeitrag=float(record.health_fund_additional_rate * 100),
        ist_sachsen=record.saxony,
        jahr=pay_date.year,
    )
    return WageTaxResult(
        wage_tax_cents=_float_euros_to_cents(result["lohnsteuer_monat"]),
        solidarity_cents=_float_euros_to_cents(result["soli_monat"]),
        church_tax_base_cents=_float_euros_to_cents(result["kirchensteuer_monat"]),
    )
