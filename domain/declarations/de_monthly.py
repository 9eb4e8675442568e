"""The monthly German statements as data: the contribution statement (Beitragsnachweis) to
each health fund, per contribution group, and the wage-tax return (Lohnsteuer-Anmeldung) to
the tax office, in its form's line numbers (Kennzahlen).

Both are computed from what the payslips of the month actually withheld and owe, never from
a recomputation: a statement must add up to the payslips. Where a payslip only carries the
employee and employer totals, they are apportioned to the branches of insurance in proportion
to the dated rates below (largest remainder, so each payslip's split adds up to the cent).
Field by field: ``docs/declarations-de.md``.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from datetime import date, timedelta
from decimal import Decimal
from typing import Literal

from pydantic import BaseModel, ConfigDict

from domain.declarations.periods import (
    Month,
    is_de_working_day,
    next_de_working_day,
    nth_last_bank_working_day,
)
from domain.errors import InvalidPeriod, UnsupportedCase
from domain.money import Cents

# ---------------------------------------------------------------------------- rates


class DeContributionRates(BaseModel):
    """Statutory contribution rates (fractions of the contributory wage), dated.

    Sources: shared/DOMAIN.md (KV 14.6 % + average Zusatzbeitrag, PV 3.6 %, RV 18.6 %,
    AV 2.6 %, U1/U2 as an example fund, Insolvenzgeldumlage 0.15 %). They add up to the flat
    shares of ``domain.policy`` (a test keeps them in line)."""

    model_config = ConfigDict(frozen=True)

    valid_from: date
    kv_general: Decimal
    kv_reduced: Decimal
    kv_additional: Decimal  # average Zusatzbeitrag, shared half/half
    pv: Decimal
    pv_childless_surcharge: Decimal  # employee only
    rv: Decimal
    av: Decimal
    u1: Decimal  # employer only, varies by fund
    u2: Decimal  # employer only, varies by fund
    insolvency: Decimal  # employer only
    rv_ceiling_month_cents: Cents  # Beitragsbemessungsgrenze RV/AV per month


DE_RATES: tuple[DeContributionRates, ...] = tuple(
    DeContributionRates(
        valid_from=valid_from,
        kv_general=Decimal("0.146"),
        kv_reduced=Decimal("0.140"),
        kv_additional=Decimal(additional),
        pv=Decimal("0.036"),
        pv_childless_surcharge=Decimal("0.006"),
        rv=Decimal("0.186"),
        av=Decimal("0.026"),
        u1=Decimal("0.021"),
        u2=Decimal("0.003"),
        insolvency=Decimal("0.0015"),
        rv_ceiling_month_cents=rv_ceiling,
    )
    for valid_from, additional, rv_ceiling in (
        (date(2025, 1, 1), "0.025", 805_000),
        (date(2026, 1, 1), "0.029", 845_000),
    )
)


def rates_for(on: date) -> DeContributionRates:
    candidates = [r for r in DE_RATES if r.valid_from <= on]
    if not candidates:
        raise UnsupportedCase(f"no German contribution rates in force on {on.isoformat()}")
    return max(candidates, key=lambda r: r.valid_from)


_BYGR_KEY = re.compile(r"[0134569][0135][012][012]")

# Positions of the contribution statement, in the order of the data set.
POSITIONS: tuple[str, ...] = (
    "1000",  # KV general contribution (without Zusatzbeitrag)
    "3000",  # KV reduced contribution
    "ZBP",  # KV Zusatzbeitrag of compulsorily insured employees
    "0100",  # RV full contribution
    "0300",  # RV half contribution (employer share only)
    "0010",  # AV full contribution
    "0020",  # AV half contribution (employer share only)
    "0001",  # PV full contribution (with the childless surcharge)
    "0002",  # PV half contribution
    "0050",  # Insolvenzgeldumlage
    "U1",  # levy for sick pay (AAG)
    "U2",  # levy for maternity (AAG)
)
POSITION_TEXT: dict[str, str] = {
    "1000": "Beiträge zur Krankenversicherung, allgemeiner Beitrag",
    "3000": "Beiträge zur Krankenversicherung, ermäßigter Beitrag",
    "ZBP": "Zusatzbeitrag zur Krankenversicherung (Pflichtbeitrag)",
    "0100": "Beiträge zur Rentenversicherung, voller Beitrag",
    "0300": "Beiträge zur Rentenversicherung, halber Beitrag",
    "0010": "Beiträge zur Arbeitsförderung, voller Beitrag",
    "0020": "Beiträge zur Arbeitsförderung, halber Beitrag",
    "0001": "Beiträge zur Pflegeversicherung, voller Beitrag",
    "0002": "Beiträge zur Pflegeversicherung, halber Beitrag",
    "0050": "Umlage für das Insolvenzgeld",
    "U1": "Umlage U1 (Krankheit)",
    "U2": "Umlage U2 (Mutterschaft)",
}


def _weights(
    beitragsgruppen: str, rates: DeContributionRates, childless: bool
) -> tuple[dict[str, Decimal], dict[str, Decimal]]:
    """(employee, employer) rate per statement position for one contribution-group key."""
    kv, rv, av, pv = beitragsgruppen[0], beitragsgruppen[1], beitragsgruppen[2], beitragsgruppen[3]
    half = Decimal(2)
    employee: dict[str, Decimal] = {}
    employer: dict[str, Decimal] = {}
    if kv in "13":
        position, rate = ("1000", rates.kv_general) if kv == "1" else ("3000", rates.kv_reduced)
        employee[position] = employer[position] = rate / half
        employee["ZBP"] = employer["ZBP"] = rates.kv_additional / half
    elif kv != "0":
        raise UnsupportedCase(f"health insurance group {kv} ({beitragsgruppen}) is not supported")
    if rv == "1":
        employee["0100"] = employer["0100"] = rates.rv / half
    elif rv == "3":
        employer["0300"] = rates.rv / half
    elif rv != "0":
        raise UnsupportedCase(f"pension group {rv} ({beitragsgruppen}) is not supported")
    if av == "1":
        employee["0010"] = employer["0010"] = rates.av / half
    elif av == "2":
        employer["0020"] = rates.av / half
    if pv == "1":
        employee["0001"] = employer["0001"] = rates.pv / half
        if childless:
            employee["0001"] += rates.pv_childless_surcharge
    elif pv == "2":
        employer["0002"] = rates.pv / half
    if kv != "0":  # the levies follow health insurance; Insolvenzgeld follows pension
        employer["U1"] = rates.u1
        employer["U2"] = rates.u2
    if rv != "0":
        employer["0050"] = rates.insolvency
    return employee, employer


_BRANCH_GROUP_DIGIT = {"KV": 0, "KV_ZUSATZ": 0, "RV": 1, "AV": 2, "PV": 3}
_BRANCH_POSITION: dict[str, dict[str, str]] = {
    "KV": {"1": "1000", "3": "3000"},
    "KV_ZUSATZ": {"1": "ZBP", "3": "ZBP"},
    "RV": {"1": "0100", "3": "0300"},
    "AV": {"1": "0010", "2": "0020"},
    "PV": {"1": "0001", "2": "0002"},
}


def positions_from_branches(
    beitragsgruppen: str,
    branches: Mapping[str, tuple[Cents, Cents]],
    u1_cents: Cents,
    u2_cents: Cents,
    insolvency_cents: Cents,
) -> dict[str, Cents]:
    """Statement positions from a payslip's exact contributions: ``branches`` maps KV,
    KV_ZUSATZ, PV, RV, AV to (employee, employer) cents; the contribution-group key says
    whether a branch is a full, reduced or employer-only (half) contribution."""
    if not _BYGR_KEY.fullmatch(beitragsgruppen):
        raise UnsupportedCase(f"contribution-group key {beitragsgruppen!r} is not valid")
    positions: dict[str, Cents] = defaultdict(int)
    for branch, (employee, employer) in branches.items():
        if employee == employer == 0:
            continue
        digit = beitragsgruppen[_BRANCH_GROUP_DIGIT[branch]]
        position = _BRANCH_POSITION[branch].get(digit)
        if position is None:
            raise UnsupportedCase(
                f"{branch} contributions on a payslip whose contribution-group key is "
                f"{beitragsgruppen}: correct the member's contribution groups"
            )
        positions[position] += employee + employer
    for position, cents in (("U1", u1_cents), ("U2", u2_cents), ("0050", insolvency_cents)):
        if cents:
            positions[position] += cents
    return dict(positions)


def apportion(total: Cents, weights: Mapping[str, Decimal]) -> dict[str, Cents]:
    """Split ``total`` cents in proportion to ``weights``, largest remainder first, so the
    parts add up to ``total`` exactly. Ties go to the earlier position."""
    if total == 0:
        return {}
    positive = {k: w for k, w in weights.items() if w > 0}
    if not positive:
        raise UnsupportedCase(f"{total} cents to apportion but no contribution applies")
    whole = sum(positive.values(), Decimal(0))
    shares = {k: Decimal(total) * w / whole for k, w in positive.items()}
    parts = {k: int(s) for k, s in shares.items()}  # int() truncates toward zero
    order = sorted(positive, key=lambda k: (-(abs(shares[k] - parts[k])), POSITIONS.index(k)))
    step = 1 if total > 0 else -1
    for k in order[: abs(total - sum(parts.values()))]:
        parts[k] += step
    return parts


# ---------------------------------------------------------------------------- Beitragsnachweis


class ContributionLine(BaseModel):
    """One payslip as the contribution statement sees it."""

    model_config = ConfigDict(frozen=True)

    payslip_ref: str
    employee_ref: str
    betriebsnummer_krankenkasse: str
    beitragsgruppen: str = "1111"
    childless: bool = False
    pay_date: date
    gross_cents: Cents
    employee_contributions_cents: Cents
    employer_contributions_cents: Cents
    # The payroll engine's exact amounts per statement position, when it recorded them
    # (``positions_from_branches``); else the totals above are apportioned by rate.
    exact_positions: dict[str, Cents] | None = None


class Beitragsnachweis(BaseModel):
    model_config = ConfigDict(frozen=True)

    kind: Literal["beitragsnachweis"] = "beitragsnachweis"
    beitragsmonat: str  # YYYY-MM whose payslips it sums
    betriebsnummer_arbeitgeber: str
    betriebsnummer_krankenkasse: str
    rechtskreis: Literal["W"] = "W"
    positionen: dict[str, Cents]  # statement position → cents, positions in POSITIONS order
    gesamtsumme_cents: Cents
    arbeitnehmer: int  # employees with a payslip in the month (for the reader, not a field)
    payslip_refs: tuple[str, ...]
    # § 23(1) sentence 3 SGB IV (Vormonatsverfahren): these actual figures are filed as the
    # next month's amounts; filed by 0:00 two working days before that month's due date.
    gemeldet_fuer: str
    einzureichen_bis: date
    faellig_am: date

    def period_key(self) -> str:
        return f"DE-BN-{self.beitragsmonat}-{self.betriebsnummer_krankenkasse}"


def beitragsnachweis_dates(month: Month) -> tuple[date, date]:
    """(filed by, due on) for the statement filed for ``month``: the contributions fall due on
    the third-last bank working day; the statement is due two working days earlier."""
    due = nth_last_bank_working_day(month, 3)
    filed_by = due
    for _ in range(2):
        filed_by -= timedelta(days=1)
        while not is_de_working_day(filed_by):
            filed_by -= timedelta(days=1)
    return filed_by, due


def beitragsnachweis(
    month: Month,
    betriebsnummer_arbeitgeber: str,
    betriebsnummer_krankenkasse: str,
    lines: Sequence[ContributionLine],
) -> Beitragsnachweis:
    """The statement to one health fund: the payslips paid in ``month`` of employees insured
    with it, summed per position."""
    totals: dict[str, Cents] = defaultdict(int)
    for line in lines:
        _check_in_month(month, line.pay_date, line.payslip_ref)
        if line.betriebsnummer_krankenkasse != betriebsnummer_krankenkasse:
            raise InvalidPeriod(
                f"payslip {line.payslip_ref} belongs to fund {line.betriebsnummer_krankenkasse}"
            )
        if line.exact_positions is not None:
            for position, cents in line.exact_positions.items():
                totals[position] += cents
            continue
        employee, employer = _weights(
            line.beitragsgruppen, rates_for(line.pay_date), line.childless
        )
        for weights, amount in (
            (employee, line.employee_contributions_cents),
            (employer, line.employer_contributions_cents),
        ):
            for position, cents in apportion(amount, weights).items():
                totals[position] += cents
    filed_for = month.next()
    filed_by, due = beitragsnachweis_dates(filed_for)
    return Beitragsnachweis(
        beitragsmonat=month.key(),
        betriebsnummer_arbeitgeber=betriebsnummer_arbeitgeber,
        betriebsnummer_krankenkasse=betriebsnummer_krankenkasse,
        positionen={p: totals[p] for p in POSITIONS if totals.get(p)},
        gesamtsumme_cents=sum(totals.values()),
        arbeitnehmer=len({line.employee_ref for line in lines}),
        payslip_refs=tuple(sorted(line.payslip_ref for line in lines)),
        gemeldet_fuer=filed_for.key(),
        einzureichen_bis=filed_by,
        faellig_am=due,
    )


def beitragsnachweise(
    month: Month, betriebsnummer_arbeitgeber: str, lines: Iterable[ContributionLine]
) -> list[Beitragsnachweis]:
    """One statement per health fund that has payslips in ``month``, ordered by fund."""
    by_fund: dict[str, list[ContributionLine]] = defaultdict(list)
    for line in lines:
        by_fund[line.betriebsnummer_krankenkasse].append(line)
    return [
        beitragsnachweis(month, betriebsnummer_arbeitgeber, fund, by_fund[fund])
        for fund in sorted(by_fund)
    ]


# ---------------------------------------------------------------------------- Lohnsteuer


class WageTaxLine(BaseModel):
    """One payslip as the wage-tax return sees it."""

    model_config = ConfigDict(frozen=True)

    payslip_ref: str
    employee_ref: str
    pay_date: date
    lohnsteuer_cents: Cents
    solidaritaetszuschlag_cents: Cents = 0
    kirchensteuer_cents: Cents = 0
    konfession: Literal["ev", "rk"] | None = None


class Lohnsteueranmeldung(BaseModel):
    """The return's lines, named by their Kennzahl on the official form."""

    model_config = ConfigDict(frozen=True)

    kind: Literal["lohnsteueranmeldung"] = "lohnsteueranmeldung"
    anmeldungszeitraum: str  # YYYY-MM
    zeitraum_code: str  # ELSTER period: "01" … "12" for a monthly return
    steuernummer: str
    kz86_zahl_arbeitnehmer: int
    kz42_lohnsteuer_cents: Cents
    kz49_solidaritaetszuschlag_cents: Cents
    kz61_kirchensteuer_ev_cents: Cents
    kz62_kirchensteuer_rk_cents: Cents
    kz83_gesamtbetrag_cents: Cents
    abgabe_bis: date
    payslip_refs: tuple[str, ...]

    def period_key(self) -> str:
        return f"DE-LSTA-{self.anmeldungszeitraum}"


def lohnsteueranmeldung_due(month: Month) -> date:
    """§ 41a(1) EStG: the tenth day after the period; § 108(3) AO moves a weekend or holiday
    to the next working day."""
    return next_de_working_day(date(month.next().year, month.next().month, 10))


def lohnsteueranmeldung(
    month: Month, steuernummer: str, lines: Sequence[WageTaxLine]
) -> Lohnsteueranmeldung:
    """The monthly return: the tax withheld from the wages paid in ``month``."""
    for line in lines:
        _check_in_month(month, line.pay_date, line.payslip_ref)
        if line.kirchensteuer_cents and line.konfession is None:
            raise UnsupportedCase(f"payslip {line.payslip_ref} has church tax but no confession")
    lst = sum(line.lohnsteuer_cents for line in lines)
    solz = sum(line.solidaritaetszuschlag_cents for line in lines)
    ev = sum(line.kirchensteuer_cents for line in lines if line.konfession == "ev")
    rk = sum(line.kirchensteuer_cents for line in lines if line.konfession == "rk")
    return Lohnsteueranmeldung(
        anmeldungszeitraum=month.key(),
        zeitraum_code=f"{month.month:02d}",
        steuernummer=steuernummer,
        kz86_zahl_arbeitnehmer=len({line.employee_ref for line in lines}),
        kz42_lohnsteuer_cents=lst,
        kz49_solidaritaetszuschlag_cents=solz,
        kz61_kirchensteuer_ev_cents=ev,
        kz62_kirchensteuer_rk_cents=rk,
        kz83_gesamtbetrag_cents=lst + solz + ev + rk,
        abgabe_bis=lohnsteueranmeldung_due(month),
        payslip_refs=tuple(sorted(line.payslip_ref for line in lines)),
    )


def _check_in_month(month: Month, pay_date: date, ref: str) -> None:
    if not month.contains(pay_date):
        raise InvalidPeriod(f"payslip {ref} was paid on {pay_date}, outside {month.key()}")
