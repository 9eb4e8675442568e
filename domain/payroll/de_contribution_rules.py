"""The rules of German social-insurance contributions that the payslip's contributions
(``domain.payroll.de_contributions``) and the employer's cost curve (``domain.payroll.
de_employer_cost``) share: a share rounded to the cent, the employer's PV rate and the levy
rates of a record, the two bases of the Übergangsbereich, the largest Minijob gross, which part
months are regular employments, and the cases refused (``UnsupportedCase``) rather than
guessed. See ``domain.payroll.de_contributions`` for the regimes and their sources.
"""

from __future__ import annotations

from decimal import Decimal

from domain.errors import InvalidAmount, UnsupportedCase
from domain.money import Cents, round_cents
from domain.payroll.de_rates import GermanContributionRates
from domain.payroll.employment import EmploymentRecordDE

HALF = Decimal("0.5")
MONTH_DAYS = 30


def cents_of(base: Cents | Decimal, rate: Decimal) -> Cents:
    return round_cents(Decimal(base) * rate)


def pv_employer_rate(record: EmploymentRecordDE, rates: GermanContributionRates) -> Decimal:
    """The employer's PV rate on a regular wage (Saxony: the rest of the employee's 2.3 %)."""
    if record.saxony:
        return rates.pv_rate - rates.pv_saxony_employee_rate
    return rates.pv_rate * HALF


def levy_rates(
    record: EmploymentRecordDE, rates: GermanContributionRates
) -> tuple[Decimal, Decimal, Decimal]:
    """U1, U2 (the fund's own rates when the record has them) and the Insolvenzgeldumlage."""
    u1 = record.u1_rate if record.u1_rate is not None else rates.u1_rate
    u2 = record.u2_rate if record.u2_rate is not None else rates.u2_rate
    return u1, u2, rates.insolvency_rate


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


def refuse_saxony_midijob(record: EmploymentRecordDE) -> None:
    if record.saxony:
        raise UnsupportedCase(
            "Midijob in Saxony: the PV split between employer and employee in the "
            "Übergangsbereich differs there and is not implemented"
        )


def _projected(gross: Cents, sv_days: int) -> Cents:
    """A part month's wage projected to a whole month: gross x 30 / SV-days."""
    return round_cents(Decimal(gross) * MONTH_DAYS / sv_days)


def regular_part_month(gross: Cents, rates: GermanContributionRates, sv_days: int) -> bool:
    """A part month of an employment whose regular monthly wage (the part month's wage
    projected to a month) is above the Übergangsbereich: a regular employment, whatever the
    part month itself pays. Whether an employment is a Midijob is decided on its regular
    monthly wage (§ 20 Abs. 2 SGB IV, "regelmäßiges monatliches Arbeitsentgelt"; the
    Gemeinsames Rundschreiben zum Übergangsbereich projects part months to a whole month), so
    a 5-day order paying €1,200 (€7,200 a month) pays regular contributions on the pro-rata
    ceilings."""
    return (
        sv_days < MONTH_DAYS
        and gross <= rates.midijob_upper_limit_cents
        and _projected(gross, sv_days) > rates.midijob_upper_limit_cents
    )


def refuse_part_month_uebergangsbereich(
    gross: Cents, rates: GermanContributionRates, sv_days: int
) -> None:
    """An insured part month whose gross is at most the Übergangsbereich's upper limit."""
    if sv_days >= MONTH_DAYS or gross > rates.midijob_upper_limit_cents:
        return
    projected = _projected(gross, sv_days)
    if projected > rates.midijob_upper_limit_cents:
        return  # a regular employment (``regular_part_month``)
    prefix = f"a {sv_days}-day employment (part of a month) paying {gross} cents"
    raise UnsupportedCase(
        f"{prefix}: projected to a month ({projected} cents) it is in the Übergangsbereich, "
        "whose part-month formula (the projection's base x SV-days / 30) is not implemented"
    )


def minijob_top_cents(rates: GermanContributionRates, sv_days: int = MONTH_DAYS) -> Cents:
    """The largest Minijob gross: the monthly limit, in a part month the gross whose
    projection to a month (x 30 / SV-days) stays within it."""
    if sv_days >= MONTH_DAYS:
        return rates.minijob_limit_cents
    return rates.minijob_limit_cents * sv_days // MONTH_DAYS


def refuse_above_minijob_limit(
    gross: Cents, rates: GermanContributionRates, sv_days: int = MONTH_DAYS
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


def refuse_part_month_minijob_minimum(
    gross: Cents, record: EmploymentRecordDE, rates: GermanContributionRates, sv_days: int
) -> None:
    if (
        sv_days < MONTH_DAYS
        and not record.rv_exempt_minijob
        and 0 < gross < rates.minijob_rv_minimum_base_cents
    ):
        raise UnsupportedCase(
            f"a {sv_days}-day Minijob (part of a month) paying {gross} cents, below the RV "
            f"minimum base of {rates.minijob_rv_minimum_base_cents}: its part-month minimum "
            "base is not implemented"
        )


def check_sv_days(sv_days: int) -> None:
    if not 1 <= sv_days <= MONTH_DAYS:
        raise InvalidAmount(f"SV-days are 1 to {MONTH_DAYS}, not {sv_days}")
