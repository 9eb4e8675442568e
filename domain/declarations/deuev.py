"""German employment reports (DEÜV Meldungen, data set DSME with its DBME/DBNA blocks) as data.

One employment (an order, for the cooperative) gives a registration (Abgabegrund 10) when it
starts and a deregistration (30) when it ends; an employment still running on 31 December gets
an annual report (50). Field by field against the real data set: ``docs/declarations-de.md``.
The monthly statements (Beitragsnachweis, Lohnsteuer-Anmeldung) are in
``domain.declarations.de_monthly``.
"""

from __future__ import annotations

import re
from datetime import date, timedelta
from decimal import Decimal
from typing import Literal

from pydantic import BaseModel, ConfigDict, model_validator

from domain.errors import InvalidPeriod
from domain.money import Cents, round_cents

Abgabegrund = Literal["10", "30", "50"]
ABGABEGRUND_TEXT: dict[str, str] = {
    "10": "Anmeldung wegen Beginn einer Beschäftigung",
    "30": "Abmeldung wegen Ende einer Beschäftigung",
    "50": "Jahresmeldung",
}
# § 6 and § 8 DEÜV: registration with the first payroll after the start, at the latest within
# six weeks of it; deregistration with the first payroll after the end, at the latest six weeks
# after it. § 10 DEÜV: the annual report with the first payroll of the next year, at the latest
# by 15 February.
REPORTING_WINDOW = timedelta(weeks=6)

_VSNR = re.compile(r"(\d{2})(\d{2})(\d{2})(\d{2})([A-Z])(\d{2})(\d)")
_BBNR = re.compile(r"\d{8}")
_PERSGR = re.compile(r"\d{3}")
# KV 0/1/3/4/5/6/9, RV 0/1/3/5, AV 0/1/2, PV 0/1/2 (Beitragsgruppenschlüssel, one digit each)
_BYGR = re.compile(r"[0134569][0135][012][012]")
# KldB 2010 occupation (5) · school (1,2,3,4,9) · vocational training (1-6,9) · agency work
# (1 no, 2 yes) · contract form (1-4: full/part time × open-ended/fixed-term)
_TTSC = re.compile(r"\d{5}[12349][1-69][12][1-4]")
_WEIGHTS = (2, 1, 2, 5, 7, 1, 2, 1, 2, 1, 2, 1)


def versicherungsnummer_check_digit(vsnr_without_check: str) -> int:
    """Check digit of a pension insurance number: the letter becomes its two-digit position in
    the alphabet, the twelve digits are weighted 2,1,2,5,7,1,2,1,2,1,2,1, the cross sums of the
    products are added, modulo 10."""
    letter = vsnr_without_check[8]
    digits = vsnr_without_check[:8] + f"{ord(letter) - ord('A') + 1:02d}" + vsnr_without_check[9:]
    return sum(sum(divmod(int(d) * w, 10)) for d, w in zip(digits, _WEIGHTS, strict=True)) % 10


def is_valid_versicherungsnummer(vsnr: str) -> bool:
    """12 characters: area (2), birth date DDMMYY (6), initial of the birth name (1), serial
    (2), check digit (1). The birth day may be raised by 50 or more for numbers given out
    twice, so only the month is range-checked."""
    match = _VSNR.fullmatch(vsnr)
    if match is None or not 1 <= int(match[3]) <= 12:
        return False
    return versicherungsnummer_check_digit(vsnr[:11]) == int(vsnr[11])


def whole_euros(cents: Cents) -> int:
    """Reported wages are whole euros, cents rounded half-up (commercial rounding)."""
    return round_cents(Decimal(cents) / 100)


def rv_contributory_wage(gross_cents: Cents, sv_days: int, monthly_ceiling_cents: Cents) -> Cents:
    """The wage subject to pension contributions: the gross, capped at the pension ceiling for
    the social-security days (30 per full month, § 23a-style pro rata ceiling per day)."""
    if not 0 < sv_days <= 366:
        raise InvalidPeriod(f"social-security days must be 1 to 366, got {sv_days}")
    ceiling = round_cents(Decimal(monthly_ceiling_cents) * sv_days / 30)
    return min(gross_cents, ceiling)


class Deadline(BaseModel):
    model_config = ConfigDict(frozen=True)

    due: date
    filed_on: date

    @property
    def days_late(self) -> int:
        return max(0, (self.filed_on - self.due).days)

    @property
    def on_time(self) -> bool:
        return self.filed_on <= self.due


class DeuevMeldung(BaseModel):
    """One report in the shape of the DSME data set (control data, DBME, DBNA)."""

    model_config = ConfigDict(frozen=True)

    abgabegrund: Abgabegrund
    versicherungsnummer: str
    betriebsnummer_arbeitgeber: str  # BBNR-VU: the employer's establishment number
    betriebsnummer_krankenkasse: str  # the collecting health fund (Einzugsstelle)
    aktenzeichen_verursacher: str  # AZVU: our reference for the employment, ≤ 20 characters
    familienname: str
    vorname: str
    staatsangehoerigkeit: str = "000"  # key of the Federal Statistical Office, 000 = German
    personengruppe: str = "101"  # 101: employee subject to insurance, no special features
    beitragsgruppen: str = "1111"  # KV general, RV full, AV full, PV full
    taetigkeitsschluessel: str
    zeitraum_von: date
    zeitraum_bis: date | None = None
    entgelt_euro: int | None = None  # pension-contributory wage, whole euros (30, 50)
    rechtskreis: Literal["W", "O"] = "W"
    uebergangsbereich: Literal[0, 1, 2] = 0  # 0: not in the Midijob transition zone
    waehrung: Literal["E"] = "E"

    @model_validator(mode="after")
    def _consistent(self) -> DeuevMeldung:
        problems = []
        if not is_valid_versicherungsnummer(self.versicherungsnummer):
            problems.append(f"Versicherungsnummer {self.versicherungsnummer!r} is not valid")
        for name in ("betriebsnummer_arbeitgeber", "betriebsnummer_krankenkasse"):
            if not _BBNR.fullmatch(getattr(self, name)):
                problems.append(f"{name} must be 8 digits")
        if not 1 <= len(self.aktenzeichen_verursacher) <= 20:
            problems.append("aktenzeichen_verursacher must be 1 to 20 characters")
        if not self.familienname.strip() or not self.vorname.strip():
            problems.append("familienname and vorname are required")
        if not _PERSGR.fullmatch(self.personengruppe):
            problems.append("personengruppe must be 3 digits")
        if not _BYGR.fullmatch(self.beitragsgruppen):
            problems.append(f"beitragsgruppen {self.beitragsgruppen!r} is not a valid key")
        if not _TTSC.fullmatch(self.taetigkeitsschluessel):
            problems.append(f"taetigkeitsschluessel {self.taetigkeitsschluessel!r} is not valid")
        if self.abgabegrund == "10":
            if self.zeitraum_bis is not None or self.entgelt_euro is not None:
                problems.append("a registration (10) has neither an end date nor a wage")
        else:
            if self.zeitraum_bis is None or self.entgelt_euro is None:
                problems.append(f"a report {self.abgabegrund} needs an end date and a wage")
            elif self.zeitraum_bis < self.zeitraum_von:
                problems.append("the period ends before it starts")
            elif self.entgelt_euro < 0:
                problems.append("the wage cannot be negative")
        if self.abgabegrund == "50" and self.zeitraum_bis is not None:
            if self.zeitraum_bis != date(self.zeitraum_von.year, 12, 31):
                problems.append("an annual report (50) runs to 31 December of its year")
        if problems:
            raise InvalidPeriod("DEÜV report refused: " + "; ".join(problems))
        return self

    def due_date(self) -> date:
        if self.abgabegrund == "10":
            return self.zeitraum_von + REPORTING_WINDOW
        assert self.zeitraum_bis is not None
        if self.abgabegrund == "30":
            return self.zeitraum_bis + REPORTING_WINDOW
        return date(self.zeitraum_bis.year + 1, 2, 15)

    def deadline(self, filed_on: date) -> Deadline:
        return Deadline(due=self.due_date(), filed_on=filed_on)

    def key(self) -> str:
        """Stable name of this report: reason, employment, period start."""
        start = f"{self.zeitraum_von:%Y%m%d}"
        return f"DEUEV-{self.abgabegrund}-{self.aktenzeichen_verursacher}-{start}"


class Employment(BaseModel):
    """What the reports need to know about one employment."""

    model_config = ConfigDict(frozen=True)

    reference: str  # becomes the AZVU, e.g. "order-42"
    versicherungsnummer: str
    familienname: str
    vorname: str
    staatsangehoerigkeit: str = "000"
    personengruppe: str = "101"
    beitragsgruppen: str = "1111"
    taetigkeitsschluessel: str
    betriebsnummer_krankenkasse: str
    start: date
    end: date | None = None


def anmeldung(employment: Employment, betriebsnummer_arbeitgeber: str) -> DeuevMeldung:
    return _meldung(employment, betriebsnummer_arbeitgeber, "10", employment.start, None, None)


def abmeldung(
    employment: Employment, betriebsnummer_arbeitgeber: str, rv_wage_cents: Cents
) -> DeuevMeldung:
    """Deregistration: the whole employment in its last calendar year, with its wage."""
    if employment.end is None:
        raise InvalidPeriod(f"employment {employment.reference} has not ended")
    start = max(employment.start, date(employment.end.year, 1, 1))
    return _meldung(
        employment, betriebsnummer_arbeitgeber, "30", start, employment.end, rv_wage_cents
    )


def jahresmeldung(
    employment: Employment, betriebsnummer_arbeitgeber: str, year: int, rv_wage_cents: Cents
) -> DeuevMeldung | None:
    """The annual report for ``year``, or None when the employment did not run past it (its
    deregistration already reported the wage)."""
    if employment.start.year > year or (employment.end is not None and employment.end.year <= year):
        return None
    start = max(employment.start, date(year, 1, 1))
    return _meldung(
        employment, betriebsnummer_arbeitgeber, "50", start, date(year, 12, 31), rv_wage_cents
    )


def _meldung(
    employment: Employment,
    betriebsnummer_arbeitgeber: str,
    grund: Abgabegrund,
    von: date,
    bis: date | None,
    wage_cents: Cents | None,
) -> DeuevMeldung:
    return DeuevMeldung(
        abgabegrund=grund,
        versicherungsnummer=employment.versicherungsnummer,
        betriebsnummer_arbeitgeber=betriebsnummer_arbeitgeber,
        betriebsnummer_krankenkasse=employment.betriebsnummer_krankenkasse,
        aktenzeichen_verursacher=employment.reference,
        familienname=employment.familienname,
        vorname=employment.vorname,
        staatsangehoerigkeit=employment.staatsangehoerigkeit,
        personengruppe=employment.personengruppe,
        beitragsgruppen=employment.beitragsgruppen,
        taetigkeitsschluessel=employment.taetigkeitsschluessel,
        zeitraum_von=von,
        zeitraum_bis=bis,
        entgelt_euro=None if wage_cents is None else whole_euros(wage_cents),
    )


def reports_for_completed_employment(
    employment: Employment,
    betriebsnummer_arbeitgeber: str,
    gross_cents: Cents,
    rv_monthly_ceiling_cents: Cents | None,
) -> list[DeuevMeldung]:
    """All reports of an employment that has ended and been paid: the registration, an annual
    report for every year it ran past, and the deregistration. The wage is split between the
    calendar years by calendar days (the last year takes the remainder) and each part capped
    at the pension ceiling for its days; ``None`` for the ceiling when ``gross_cents`` is
    already the contributory wage (the payroll engine capped it)."""
    if employment.end is None:
        raise InvalidPeriod(f"employment {employment.reference} has not ended")
    total_days = (employment.end - employment.start).days + 1
    reports = [anmeldung(employment, betriebsnummer_arbeitgeber)]
    assigned = 0
    for year in range(employment.start.year, employment.end.year + 1):
        part_start = max(employment.start, date(year, 1, 1))
        part_end = min(employment.end, date(year, 12, 31))
        days = (part_end - part_start).days + 1
        if year == employment.end.year:
            share = gross_cents - assigned
        else:
            share = round_cents(Decimal(gross_cents) * days / total_days)
        assigned += share
        wage = (
            share
            if rv_monthly_ceiling_cents is None
            else rv_contributory_wage(share, days, rv_monthly_ceiling_cents)
        )
        report = (
            abmeldung(employment, betriebsnummer_arbeitgeber, wage)
            if year == employment.end.year
            else jahresmeldung(employment, betriebsnummer_arbeitgeber, year, wage)
        )
        assert report is not None
        reports.append(report)
    return reports
