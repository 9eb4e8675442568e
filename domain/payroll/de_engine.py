"""The exact German payroll engine: a payslip to the cent, and the gross a budget can pay.

Each order is its own fixed-term employment, from the order's actual start to its actual end
(``EmploymentPeriod``; None: a whole month, as before). A period shorter than its month (fewer
than 30 SV-days) is priced with the ceilings pro rata (monthly ceiling x SV-days / 30) and the
wage tax of the daily table (LZZ 4) times its calendar days; see ``domain.payroll.
de_contributions`` and ``domain.payroll.de_wage_tax`` for the rules and their sources, and
docs/payroll-de.md for what is refused.

``german_result`` spends an order's employment budget on one wage (``gross_for_budget``, then
``german_payslip``) and answers it as the ``Payroll`` Protocol's result (``domain.payroll.
protocol``), for ``EmploymentPayroll``.

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
from typing import Literal

from pydantic import BaseModel, ConfigDict

from domain.breakdown import OrderBreakdown
from domain.errors import InvalidAmount, UnsupportedCase
from domain.money import Cents, round_cents
from domain.payroll.de_contributions import (
    GermanContributions,
    Regime,
    german_contributions,
)
from domain.payroll.de_employer_cost import EmployerCostCurve
from domain.payroll.de_rates import GermanContributionRates, rates_for
from domain.payroll.de_wage_tax import (
    PAPS,
    WageTaxInput,
    WageTaxResult,
    church_tax,
    part_period_wage_tax,
    wage_tax,
)
from domain.payroll.employment import MONTH_SV_DAYS, EmploymentPeriod, EmploymentRecordDE
from domain.payroll.protocol import PayrollResult, PayslipData

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
    # The employment's social-insurance days (30: a whole month; the ceilings applied are in
    # ``contributions``) and the wage-tax table: "month" (LZZ 2) or "day" (LZZ 4, the daily
    # amounts times ``sv_days`` calendar days). Defaults read older stored payslips back.
    sv_days: int = MONTH_SV_DAYS
    wage_tax_table: Literal["month", "day"] = "month"


class GrossForBudget(BaseModel):
    """The largest gross a budget pays: ``gross + employer_on_top + remainder == budget``."""

    model_config = ConfigDict(frozen=True)

    budget_cents: Cents
    gross_cents: Cents
    employer_on_top_cents: Cents
    remainder_cents: Cents


def _sv_days(period: EmploymentPeriod | None) -> int:
    return MONTH_SV_DAYS if period is None else period.sv_days


def wage_tax_input(gross_cents: Cents, record: EmploymentRecordDE, pay_date: date) -> WageTaxInput:
    """The PAP inputs for one month's wage (or a part period's, see ``part_period_wage_tax``):
    the record converted at the edge."""
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
        self,
        gross_cents: Cents,
        record: EmploymentRecordDE,
        pay_date: date,
        period: EmploymentPeriod | None = None,
    ) -> GermanContributions:
        self._check(record, pay_date)
        return german_contributions(
            gross_cents, record, self.rates(pay_date), pay_date, _sv_days(period)
        )

    def employer_on_top(
        self,
        gross_cents: Cents,
        record: EmploymentRecordDE,
        pay_date: date,
        period: EmploymentPeriod | None = None,
    ) -> Cents:
        """What the employer pays beyond the gross: contributions, levies, Minijob flat tax."""
        return self.contributions(gross_cents, record, pay_date, period).employer_total_cents

    def wage_tax(
        self,
        gross_cents: Cents,
        record: EmploymentRecordDE,
        pay_date: date,
        period: EmploymentPeriod | None = None,
    ) -> WageTaxResult:
        """LSt, SolZ and church-tax base withheld: the monthly table for a whole month, the
        daily table times the calendar days for a part month (fewer than 30 SV-days, which
        are then its calendar days)."""
        if record.minijob:  # the employer's 2 % flat tax, already in the contributions
            return _NO_TAX
        tax_input = wage_tax_input(gross_cents, record, pay_date)
        days = _sv_days(period)
        if days == MONTH_SV_DAYS:
            return wage_tax(tax_input)
        return part_period_wage_tax(tax_input, days).total

    def payslip(
        self,
        gross_cents: Cents,
        record: EmploymentRecordDE,
        pay_date: date,
        period: EmploymentPeriod | None = None,
    ) -> GermanPayslip:
        contributions = self.contributions(gross_cents, record, pay_date, period)
        pap_year = None if record.minijob else pay_date.year
        tax = self.wage_tax(gross_cents, record, pay_date, period)
        kist = church_tax(tax.church_tax_base_cents, record.church_tax_rate)
        sv_days = _sv_days(period)
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
            sv_days=sv_days,
            wage_tax_table="day" if sv_days < MONTH_SV_DAYS and pap_year else "month",
        )

    def gross_for_budget(
        self,
        budget_cents: Cents,
        record: EmploymentRecordDE,
        pay_date: date,
        period: EmploymentPeriod | None = None,
    ) -> GrossForBudget:
        """The largest gross g with g + employer_on_top(g) <= budget (a Minijob's at most its
        limit, pro rata in a part month). The wage tax plays no part: the employer's cost is
        gross, contributions and levies only, with the ceilings of ``period``'s SV-days.

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
        curve = EmployerCostCurve(record, rates, pay_date, _sv_days(period))
        cost = curve.cost_cents
        top = budget_cents
        minijob_top = curve.minijob_top_cents
        if minijob_top is not None:
            top = min(top, minijob_top)

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
        if minijob_top is not None and gross == minijob_top and remainder > 2:
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


def german_payslip(
    gross_cents: Cents,
    record: EmploymentRecordDE,
    pay_date: date,
    period: EmploymentPeriod | None = None,
) -> GermanPayslip:
    return _ENGINE.payslip(gross_cents, record, pay_date, period)


def gross_for_budget(
    budget_cents: Cents,
    record: EmploymentRecordDE,
    pay_date: date,
    period: EmploymentPeriod | None = None,
) -> GrossForBudget:
    return _ENGINE.gross_for_budget(budget_cents, record, pay_date, period)


def german_result(
    breakdown: OrderBreakdown,
    record: EmploymentRecordDE,
    pay_date: date,
    period: EmploymentPeriod,
) -> PayrollResult:
    """The exact German wage the order's budget pays over ``period``, as the ``Payroll``
    Protocol's result (``EmploymentPayroll``): the largest gross that fits, then its payslip.
    The employer's contributions on the payslip data are everything on top of the gross
    (levies and a Minijob's flat tax too); the wage tax includes SolZ and church tax."""
    budget = breakdown.employment_budget_cents
    split = gross_for_budget(budget, record, pay_date, period)
    de = german_payslip(split.gross_cents, record, pay_date, period)
    return german_payroll_result(de, budget, breakdown.expenses_cents, split.remainder_cents)


def german_payroll_result(
    de: GermanPayslip, budget_cents: Cents, expenses_cents: Cents, remainder_cents: Cents
) -> PayrollResult:
    """A German payslip as the ``Payroll`` Protocol's result: the employer's contributions are
    everything on top of the gross (levies and a Minijob's flat tax too); the wage tax includes
    SolZ and church tax. Shared by the order's wage and the monthly salary."""
    data = PayslipData(
        pay_date=de.pay_date,
        employment_budget_cents=budget_cents,
        gross_wage_cents=de.gross_cents,
        employee_contributions_cents=de.employee_contributions_cents,
        employer_contributions_cents=de.employer_cost_cents - de.gross_cents,
        wage_tax_cents=de.wage_tax_cents + de.solidarity_cents + de.church_tax_cents,
        net_wage_cents=de.net_cents,
        expenses_cents=expenses_cents,
        employer_cost_cents=de.employer_cost_cents,
    )
    return PayrollResult(
        data=data,
        remainder_cents=remainder_cents,
        engine="DE",
        details=de.model_dump_json(),
    )


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
    gross_cents: Cents,
    record: EmploymentRecordDE,
    pay_date: date,
    period: EmploymentPeriod | None = None,
) -> WageTaxResult:
    """``lohnsteuer-bmf``'s wage tax, solidarity surcharge and church tax for the same case,
    converted at the edge (cents in, float euros across, cents out). Not used for payslips:
    see the module docstring. Its church tax comes back as an amount, so the result's
    ``church_tax_base_cents`` holds the church tax itself here.

    It has no pay period (LZZ) input: it takes a yearly wage and returns a twelfth of each
    yearly amount rounded to the cent. For a part month (LZZ 4) it is given the daily wage
    (rounded to the cent, as the engine does) x 360; its yearly amounts are recovered from the
    twelfths (yearly tax and SolZ are whole or near-whole euros: x 12, rounded to the cent),
    and the PAP's UPANTEIL applied to them: / 360 cut to the cent, then x the days."""
    if pay_date.year != 2026:
        raise UnsupportedCase("lohnsteuer-bmf implements the PAP 2026 only")
    from lohnsteuer_bmf import berechne_lohnsteuer_pap

    days = _sv_days(period)
    if days == MONTH_SV_DAYS:
        yearly_wage = Decimal(gross_cents) * 12 / 100
    else:
        yearly_wage = Decimal(round_cents(Decimal(gross_cents) / days)) * 360 / 100
    result = berechne_lohnsteuer_pap(
        brutto_jahr=float(yearly_wage),
        steuerklasse=record.tax_class,
        bundesland=_LAND_NAMES[record.federal_state],
        mit_kirchensteuer=record.church_member,
        kinder=record.children,
        geburtsjahr=record.birth_year,
        kv_zusatzbeitrag=float(record.health_fund_additional_rate * 100),
        ist_sachsen=record.saxony,
        jahr=pay_date.year,
    )
    monthly = (result["lohnsteuer_monat"], result["soli_monat"], result["kirchensteuer_monat"])
    if days == MONTH_SV_DAYS:
        tax, solz, kist = (_float_euros_to_cents(value) for value in monthly)
    else:
        tax, solz, kist = (
            int(_float_euros_to_cents(value) * 12 // 360) * days for value in monthly
        )
    return WageTaxResult(wage_tax_cents=tax, solidarity_cents=solz, church_tax_base_cents=kist)
