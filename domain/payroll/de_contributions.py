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

``EmployerCostCurve`` gives the employer's side alone (gross + employer contributions, levies
and Minijob flat tax) without the models, for the budget → gross inverse to evaluate often.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Literal, NamedTuple

from pydantic import BaseModel, ConfigDict

from domain.errors import InvalidAmount, UnsupportedCase
from domain.money import Cents, round_cents
from domain.payroll.de_rates import GermanContributionRates
from domain.payroll.employment import EmploymentRecordDE

Branch = Literal["KV", "KV_ZUSATZ", "PV", "RV", "AV"]
Regime = Literal["regular", "midijob", "below_minijob_limit", "minijob"]

_HALF = Decimal("0.5")
_MONTH_DAYS = 30


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
    sv_days: int = _MONTH_DAYS
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


def _pv_employer_rate(record: EmploymentRecordDE, rates: GermanContributionRates) -> Decimal:
    """The employer's PV rate on a regular wage (Saxony: the rest of the employee's 2.3 %)."""
    if record.saxony:
        return rates.pv_rate - rates.pv_saxony_employee_rate
    return rates.pv_rate * _HALF


def _levy_rates(
    record: EmploymentRecordDE, rates: GermanContributionRates
) -> tuple[Decimal, Decimal, Decimal]:
    """U1, U2 (the fund's own rates when the record has them) and the Insolvenzgeldumlage."""
    u1 = record.u1_rate if record.u1_rate is not None else rates.u1_rate
    u2 = record.u2_rate if record.u2_rate is not None else rates.u2_rate
    return u1, u2, rates.insolvency_rate


def _levies(
    base: Cents, record: EmploymentRecordDE, rates: GermanContributionRates
) -> dict[str, Cents]:
    u1, u2, insolvency = _levy_rates(record, rates)
    return {
        "u1_cents": _of(base, u1),
        "u2_cents": _of(base, u2),
        "insolvency_cents": _of(base, insolvency),
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
        employee_cents=_of(kv_base, _pv_employee_rate(record, rates, pay_date)),
        employer_cents=_of(kv_base, _pv_employer_rate(record, rates)),
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


def _refuse_saxony_midijob(record: EmploymentRecordDE) -> None:
    if record.saxony:
        raise UnsupportedCase(
            "Midijob in Saxony: the PV split between employer and employee in the "
            "Übergangsbereich differs there and is not implemented"
        )


def _midijob(
    gross: Cents, record: EmploymentRecordDE, rates: GermanContributionRates, pay_date: date
) -> GermanContributions:
    _refuse_saxony_midijob(record)
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


def _projected(gross: Cents, sv_days: int) -> Cents:
    """A part month's wage projected to a whole month: gross x 30 / SV-days."""
    return round_cents(Decimal(gross) * _MONTH_DAYS / sv_days)


def _regular_part_month(gross: Cents, rates: GermanContributionRates, sv_days: int) -> bool:
    """A part month of an employment whose regular monthly wage (the part month's wage
    projected to a month) is above the Übergangsbereich: a regular employment, whatever the
    part month itself pays. Whether an employment is a Midijob is decided on its regular
    monthly wage (§ 20 Abs. 2 SGB IV, "regelmäßiges monatliches Arbeitsentgelt"; the
    Gemeinsames Rundschreiben zum Übergangsbereich projects part months to a whole month), so
    a 5-day order paying €1,200 (€7,200 a month) pays regular contributions on the pro-rata
    ceilings."""
    return (
        sv_days < _MONTH_DAYS
        and gross <= rates.midijob_upper_limit_cents
        and _projected(gross, sv_days) > rates.midijob_upper_limit_cents
    )


def _refuse_part_month_uebergangsbereich(
    gross: Cents, rates: GermanContributionRates, sv_days: int
) -> None:
    """An insured part month whose gross is at most the Übergangsbereich's upper limit."""
    if sv_days >= _MONTH_DAYS or gross > rates.midijob_upper_limit_cents:
        return
    projected = _projected(gross, sv_days)
    if projected > rates.midijob_upper_limit_cents:
        return  # a regular employment (``_regular_part_month``)
    prefix = f"a {sv_days}-day employment (part of a month) paying {gross} cents"
    raise UnsupportedCase(
        f"{prefix}: projected to a month ({projected} cents) it is in the Übergangsbereich, "
        "whose part-month formula (the projection's base x SV-days / 30) is not implemented"
    )


def minijob_top_cents(rates: GermanContributionRates, sv_days: int = _MONTH_DAYS) -> Cents:
    """The largest Minijob gross: the monthly limit, in a part month the gross whose
    projection to a month (x 30 / SV-days) stays within it."""
    if sv_days >= _MONTH_DAYS:
        return rates.minijob_limit_cents
    return rates.minijob_limit_cents * sv_days // _MONTH_DAYS


def _refuse_above_minijob_limit(
    gross: Cents, rates: GermanContributionRates, sv_days: int = _MONTH_DAYS
) -> None:
    if gross > rates.minijob_limit_cents:
        raise UnsupportedCase(
            f"a Minijob pays at most {rates.minijob_limit_cents} cents a month "
            f"({rates.valid_from.year}); {gross} is above: it is an insured employment"
        )
    if gross > minijob_top_cents(rates, sv_days):
        raise UnsupportedCase(
            f"a {sv_days}-day Minijob (part of a month) paying {gross} cents: projected to a "
            f"month ({_projected(gross, sv_days)} cents) it is above the Minijob limit of "
            f"{rates.minijob_limit_cents}; whether it is a Minijob is ambiguous, so it is not "
            "priced"
        )


def _refuse_part_month_minijob_minimum(
    gross: Cents, record: EmploymentRecordDE, rates: GermanContributionRates, sv_days: int
) -> None:
    if (
        sv_days < _MONTH_DAYS
        and not record.rv_exempt_minijob
        and 0 < gross < rates.minijob_rv_minimum_base_cents
    ):
        raise UnsupportedCase(
            f"a {sv_days}-day Minijob (part of a month) paying {gross} cents, below the RV "
            f"minimum base of {rates.minijob_rv_minimum_base_cents}: its part-month minimum "
            "base is not implemented"
        )


def _minijob(
    gross: Cents, record: EmploymentRecordDE, rates: GermanContributionRates, sv_days: int
) -> GermanContributions:
    _refuse_above_minijob_limit(gross, rates, sv_days)
    _refuse_part_month_minijob_minimum(gross, record, rates, sv_days)
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
        sv_days=sv_days,
    )


def _check_sv_days(sv_days: int) -> None:
    if not 1 <= sv_days <= _MONTH_DAYS:
        raise InvalidAmount(f"SV-days are 1 to {_MONTH_DAYS}, not {sv_days}")


def german_contributions(
    gross_cents: Cents,
    record: EmploymentRecordDE,
    rates: GermanContributionRates,
    pay_date: date,
    sv_days: int = _MONTH_DAYS,
) -> GermanContributions:
    """All contributions and levies on the gross wage paid on ``pay_date`` for an employment
    of ``sv_days`` social-insurance days (30: a whole month)."""
    if gross_cents < 0:
        raise InvalidAmount(f"a gross wage cannot be negative: {gross_cents}")
    _check_sv_days(sv_days)
    if record.minijob:
        return _minijob(gross_cents, record, rates, sv_days)
    if gross_cents <= rates.midijob_upper_limit_cents:
        if _regular_part_month(gross_cents, rates, sv_days):
            return _regular(gross_cents, record, rates, pay_date, sv_days)
        _refuse_part_month_uebergangsbereich(gross_cents, rates, sv_days)
        return _midijob(gross_cents, record, rates, pay_date)
    return _regular(gross_cents, record, rates, pay_date, sv_days)


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
        sv_days: int = _MONTH_DAYS,
    ) -> None:
        _check_sv_days(sv_days)
        self._record = record
        self._rates = rates
        self._sv_days = sv_days
        self._minijob = record.minijob
        # The largest gross a Minijob pays (pro rata in a part month); None when insured.
        self.minijob_top_cents: Cents | None = (
            minijob_top_cents(rates, sv_days) if record.minijob else None
        )
        # An insured part month is priced only above the Übergangsbereich, like Saxony.
        regular_only = record.saxony or sv_days < _MONTH_DAYS
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
        self._kv_half = rates.kv_general_rate * _HALF
        self._additional_half = record.health_fund_additional_rate * _HALF
        self._pv_half = rates.pv_rate * _HALF
        self._pv_employer = _pv_employer_rate(record, rates)
        self._rv_half = rates.rv_rate * _HALF
        self._av_half = rates.av_rate * _HALF
        self._levy_rates = _levy_rates(record, rates)
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
                one + total_slope * total_rate - employee_slope * total_rate * _HALF + levies,
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
            _refuse_above_minijob_limit(gross, rates, self._sv_days)
            _refuse_part_month_minijob_minimum(gross, self._record, rates, self._sv_days)
            return sum(_of(gross, rate) for rate in self._minijob_rates)
        u1, u2, insolvency = self._levy_rates
        if gross <= rates.midijob_upper_limit_cents and not _regular_part_month(
            gross, rates, self._sv_days
        ):
            _refuse_part_month_uebergangsbereich(gross, rates, self._sv_days)
            _refuse_saxony_midijob(self._record)
            total_base, employee_base = midijob_bases(gross, rates)
            employer = 0
            for half in (
                self._kv_half,
                self._additional_half,
                self._pv_half,
                self._rv_half,
                self._av_half,
            ):
                employer += 2 * _of(total_base, half) - _of(employee_base, half)
            return employer + _of(gross, u1) + _of(gross, u2) + _of(gross, insolvency)
        kv_base = min(gross, self._kv_ceiling)
        rv_base = min(gross, self._rv_ceiling)
        return (
            _of(kv_base, self._kv_half)
            + _of(kv_base, self._additional_half)
            + _of(kv_base, self._pv_employer)
            + _of(rv_base, self._rv_half)
            + _of(rv_base, self._av_half)
            + _of(rv_base, u1)
            + _of(rv_base, u2)
            + _of(rv_base, insolvency)
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
