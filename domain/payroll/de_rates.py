"""German social-insurance rates and limits, dated by ``valid_from``, chosen by payment date.

Figures (shared/DOMAIN.md, checked against public sources):
- KV 14.6 % + Zusatzbeitrag (average 2.5 % in 2025, 2.9 % in 2026), split half/half.
- PV 3.6 % (Saxony: employee 2.3 %, employer 1.3 %), + 0.6 pp childless surcharge paid by the
  employee, - 0.25 pp per child under 25 from the 2nd to the 5th child (employee share).
- RV 18.6 %, AV 2.6 %, half/half. Employer-only: U1 / U2 (fund-specific, defaults 2.1 % / 0.3 %),
  Insolvenzgeldumlage 0.15 % (2025 and 2026).
- Monthly ceilings (BBG): KV/PV 5,512.50 (2025) / 5,812.50 (2026); RV/AV 8,050 / 8,450.
- Minijob limit 556 (2025) / 603 (2026); Übergangsbereich (Midijob) up to 2,000.
- Factor F = 28 % / Gesamtsozialversicherungsbeitragssatz on 1 January (§ 20 Abs. 2a SGB IV),
  4 decimals: 2025 28/41.9 = 0.6683 (IKK classic, "Midijobs 2025: Neues Jahr, neuer Faktor F");
  2026 28/42.3 = 0.6619 (Haufe, "Neue Formeln für Midijobs ab 1.1.2026").
- Minijob (gewerblich): employer flat KV 13 %, RV 15 %, flat tax 2 %; employee RV 3.6 % (the
  rest to 18.6 %) unless exempt; RV minimum base 175 € (§ 163 Abs. 8 SGB VI). Minijob-Zentrale
  levies: U1 1.1 % (2025) / 0.8 % (2026), U2 0.22 %, Insolvenzgeldumlage 0.15 %
  (minijobs-aktuell.de, "Minijob-Zentrale senkt U1 Beiträge 2026").
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from pydantic import BaseModel, ConfigDict

from domain.errors import UnsupportedCase
from domain.money import round_cents


class GermanContributionRates(BaseModel):
    """All rates are fractions (0.146 for 14.6 %), amounts are cents per month."""

    model_config = ConfigDict(frozen=True)

    valid_from: date

    kv_general_rate: Decimal
    kv_average_additional_rate: Decimal  # for factor F; members pay their fund's own rate
    pv_rate: Decimal
    pv_saxony_employee_rate: Decimal  # of pv_rate; the employer pays the rest
    pv_childless_surcharge: Decimal
    pv_child_reduction: Decimal
    rv_rate: Decimal
    av_rate: Decimal

    u1_rate: Decimal
    u2_rate: Decimal
    insolvency_rate: Decimal

    bbg_kv_pv_cents: int
    bbg_rv_av_cents: int

    minijob_limit_cents: int
    midijob_upper_limit_cents: int
    midijob_factor_f: Decimal

    minijob_employer_kv_rate: Decimal
    minijob_employer_rv_rate: Decimal
    minijob_flat_tax_rate: Decimal
    minijob_rv_minimum_base_cents: int
    minijob_u1_rate: Decimal
    minijob_u2_rate: Decimal

    @property
    def total_social_insurance_rate(self) -> Decimal:
        """Gesamtsozialversicherungsbeitragssatz (§ 20 Abs. 2a Satz 3 SGB IV)."""
        return (
            self.kv_general_rate
            + self.kv_average_additional_rate
            + self.pv_rate
            + self.rv_rate
            + self.av_rate
        )

    @property
    def minijob_employee_rv_rate(self) -> Decimal:
        return self.rv_rate - self.minijob_employer_rv_rate

    def ceilings_cents(self, sv_days: int) -> tuple[int, int]:
        """The KV/PV and RV/AV ceilings (BBG) for ``sv_days`` social-insurance days.

        An employment covering only part of a calendar month (Teillohnzahlungszeitraum) is
        capped at the part ceiling: the yearly BBG / 360 per calendar day (§ 223 Abs. 3 SGB V; a
        whole month counts 30 days, § 223 Abs. 2 SGB V) times the SV-days, multiplied unrounded
        and rounded half-up to the cent only at the end; a part month counts its calendar days
        of employment. Sources: Haufe Personal Office, "Teillohnzahlungszeitraum / 2
        Beitragsberechnung bis zur Teil-BBG" (Ermittlung der anteiligen
        Beitragsbemessungsgrenzen); steuerkurse.de, "Berechnung der anteiligen
        Beitragsbemessungsgrenze" (rounding per § 123 Abs. 1 SGB VI).
        Yearly / 360 equals monthly / 30, so the monthly figures here are used.
        """
        if not 1 <= sv_days <= 30:
            raise ValueError(f"SV-days are 1 to 30 in a month, not {sv_days}")
        if sv_days == 30:
            return self.bbg_kv_pv_cents, self.bbg_rv_av_cents
        return (
            round_cents(Decimal(self.bbg_kv_pv_cents) * sv_days / 30),
            round_cents(Decimal(self.bbg_rv_av_cents) * sv_days / 30),
        )


def _rates(
    valid_from: date,
    *,
    kv_average_additional: str,
    bbg_kv_pv_cents: int,
    bbg_rv_av_cents: int,
    minijob_limit_cents: int,
    factor_f: str,
    minijob_u1: str,
) -> GermanContributionRates:
    return GermanContributionRates(
        valid_from=valid_from,
        kv_general_rate=Decimal("0.146"),
        kv_average_additional_rate=Decimal(kv_average_additional),
        pv_rate=Decimal("0.036"),
        pv_saxony_employee_rate=Decimal("0.023"),
        pv_childless_surcharge=Decimal("0.006"),
        pv_child_reduction=Decimal("0.0025"),
        rv_rate=Decimal("0.186"),
        av_rate=Decimal("0.026"),
        u1_rate=Decimal("0.021"),
        u2_rate=Decimal("0.003"),
        insolvency_rate=Decimal("0.0015"),
        bbg_kv_pv_cents=bbg_kv_pv_cents,
        bbg_rv_av_cents=bbg_rv_av_cents,
        minijob_limit_cents=minijob_limit_cents,
        midijob_upper_limit_cents=200_000,
        midijob_factor_f=Decimal(factor_f),
        minijob_employer_kv_rate=Decimal("0.13"),
        minijob_employer_rv_rate=Decimal("0.15"),
        minijob_flat_tax_rate=Decimal("0.02"),
        minijob_rv_minimum_base_cents=17_500,
        minijob_u1_rate=Decimal(minijob_u1),
        minijob_u2_rate=Decimal("0.0022"),
    )


GERMAN_RATES: tuple[GermanContributionRates, ...] = (
    _rates(
        date(2025, 1, 1),
        kv_average_additional="0.025",
        bbg_kv_pv_cents=551_250,
        bbg_rv_av_cents=805_000,
        minijob_limit_cents=55_600,
        factor_f="0.6683",
        minijob_u1="0.011",
    ),
    _rates(
        date(2026, 1, 1),
        kv_average_additional="0.029",
        bbg_kv_pv_cents=581_250,
        bbg_rv_av_cents=845_000,
        minijob_limit_cents=60_300,
        factor_f="0.6619",
        minijob_u1="0.008",
    ),
)


def rates_for(pay_date: date) -> GermanContributionRates:
    """The rates in force on the payment date.

    The ceilings, the Minijob limit and factor F are set for each calendar year, so a payment
    in a year with no entry here is refused rather than priced with last year's figures.
    """
    candidates = [r for r in GERMAN_RATES if r.valid_from <= pay_date]
    latest = max(candidates, key=lambda r: r.valid_from) if candidates else None
    if latest is None or latest.valid_from.year != pay_date.year:
        known = ", ".join(str(r.valid_from.year) for r in GERMAN_RATES)
        raise UnsupportedCase(
            f"no German contribution rates for payments in {pay_date.year} (known: {known})"
        )
    return latest
