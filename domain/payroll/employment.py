"""A member's employment record: what payroll needs to know about the person, per jurisdiction.

Germany (``EmploymentRecordDE``): tax class, child allowances and church membership come from
the ELStAM (the tax office's electronic wage-tax data); children, health fund and its
Zusatzbeitrag from the member's statements and the fund. ``federal_state`` is the Land of the
workplace (Betriebsstätte): it sets the church-tax rate (8 % in Bavaria and Baden-Württemberg,
9 % elsewhere) and, for Saxony, the different split of the care-insurance (PV) contribution.

Belgium (``BelgianEmployment``): the kind of contract and the member's withholding-tax record of
the key formula.
"""

from __future__ import annotations

import calendar
from datetime import date, timedelta
from decimal import Decimal
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from domain.errors import UnsupportedCase
from domain.payroll.be_payroll import BelgianContract
from domain.payroll.be_withholding import BelgianTaxRecord

FederalState = Literal[
    "BW", "BY", "BE", "BB", "HB", "HH", "HE", "MV", "NI", "NW", "RP", "SL", "SN", "ST", "SH", "TH"
]

# Landeskirchensteuergesetze: 8 % in Bavaria and Baden-Württemberg, 9 % in the other Länder.
_CHURCH_TAX_8_PERCENT = frozenset({"BY", "BW"})

# The childless PV surcharge is due from the month after the 23rd birthday (§ 55 Abs. 3 SGB XI).
_SURCHARGE_AGE = 23
# PV reductions: 0.25 pp for the 2nd up to the 5th child under 25 (§ 55 Abs. 3 SGB XI).
_MAX_REDUCED_CHILDREN = 5

# Social insurance counts a whole calendar month as 30 days (§ 223 Abs. 2 SGB V).
MONTH_SV_DAYS = 30


class EmploymentPeriod(BaseModel):
    """The days an order's employment lasts, first and last day included (DEÜV registers and
    deregisters each one): the order's actual start and end."""

    model_config = ConfigDict(frozen=True)

    start: date
    end: date

    @model_validator(mode="after")
    def _ordered(self) -> EmploymentPeriod:
        if self.end < self.start:
            raise ValueError("an employment cannot end before it starts")
        return self

    @property
    def calendar_days(self) -> int:
        return (self.end - self.start).days + 1

    @property
    def sv_days(self) -> int:
        """Social-insurance days (SV-Tage), at most 30.

        Per calendar month the period touches: 30 when it covers the whole month (February
        too), else its calendar days in that month; summed, then capped at 30. Below 30 the
        period covers no whole month, so its SV-days are its calendar days. The cap keeps a
        period of a month or more at one month's wage (docs/payroll-de.md, "Short
        employments"): a period of more than 30 days across two months is treated as one
        month, where the per-month rules would give each month its own part ceiling.
        """
        total = 0
        day = self.start
        while day <= self.end and total < MONTH_SV_DAYS:
            last_of_month = day.replace(day=calendar.monthrange(day.year, day.month)[1])
            until = min(self.end, last_of_month)
            whole = day.day == 1 and until == last_of_month
            total += MONTH_SV_DAYS if whole else (until - day).days + 1
            day = until + timedelta(days=1)
        return min(total, MONTH_SV_DAYS)

    @property
    def whole_month(self) -> bool:
        """Paid as one month's wage: today's monthly ceilings and monthly tax table."""
        return self.sv_days == MONTH_SV_DAYS


class EmploymentRecordDE(BaseModel):
    model_config = ConfigDict(frozen=True)

    tax_class: int = Field(ge=1, le=6)
    # Children ever had (Elterneigenschaft: any child spares the childless surcharge) ...
    children: int = Field(default=0, ge=0)
    # ... of whom under 25 (they count for the PV reductions from the 2nd child on).
    children_under_25: int = Field(default=0, ge=0)
    # Kinderfreibetragszähler (ZKF) from the ELStAM, in steps of 0.5; tax classes I-IV only.
    tax_child_allowances: Decimal = Field(default=Decimal(0), ge=0)
    church_member: bool = False
    federal_state: FederalState
    health_fund: str = Field(min_length=1)
    # The fund's Zusatzbeitrag as a fraction (0.029 for 2.9 %), split half/half.
    health_fund_additional_rate: Decimal = Field(ge=0, lt=Decimal("0.1"))
    birth_year: int = Field(ge=1900, le=2100)
    # Needed only in the calendar year the member turns 23 (surcharge from the next month).
    birth_month: int | None = Field(default=None, ge=1, le=12)
    minijob: bool = False
    rv_exempt_minijob: bool = False  # Minijobber who opted out of pension insurance
    # The fund's own U1/U2 levy rates when they differ from the policy defaults.
    u1_rate: Decimal | None = Field(default=None, ge=0, lt=Decimal("0.1"))
    u2_rate: Decimal | None = Field(default=None, ge=0, lt=Decimal("0.1"))

    @model_validator(mode="after")
    def _consistent(self) -> EmploymentRecordDE:
        if self.children_under_25 > self.children:
            raise ValueError("children_under_25 cannot exceed children")
        if (self.tax_child_allowances * 2) % 1 != 0:
            raise ValueError("tax_child_allowances go in steps of 0.5")
        if self.tax_child_allowances and self.tax_class > 4:
            raise ValueError("child allowances apply in tax classes I to IV only")
        if self.rv_exempt_minijob and not self.minijob:
            raise ValueError("only a Minijob can be exempt from pension insurance")
        return self

    @property
    def church_tax_rate(self) -> Decimal:
        if not self.church_member:
            return Decimal(0)
        return Decimal("0.08") if self.federal_state in _CHURCH_TAX_8_PERCENT else Decimal("0.09")

    @property
    def saxony(self) -> bool:
        return self.federal_state == "SN"

    def age_reached_in(self, year: int) -> int:
        """The age the member reaches during ``year``."""
        return year - self.birth_year

    def pays_childless_surcharge(self, on: date) -> bool:
        """PV surcharge: childless and past the month of the 23rd birthday."""
        if self.children > 0:
            return False
        age = self.age_reached_in(on.year)
        if age != _SURCHARGE_AGE:
            return age > _SURCHARGE_AGE
        if self.birth_month is None:
            raise UnsupportedCase(
                f"the member turns {_SURCHARGE_AGE} in {on.year}: the childless PV surcharge "
                "starts the month after the birthday, so the record needs birth_month"
            )
        return on.month > self.birth_month

    @property
    def pv_reductions(self) -> int:
        """Number of 0.25 pp PV reductions: one per child under 25 from the 2nd to the 5th."""
        return max(0, min(self.children_under_25, _MAX_REDUCED_CHILDREN) - 1)


class BelgianEmployment(BaseModel):
    """The member's Belgian employment: the kind of contract and their withholding-tax record.
    Stored as the member's BE employment record, so the field names are its JSON keys."""

    model_config = ConfigDict(frozen=True)

    contract: BelgianContract = "standard"
    tax: BelgianTaxRecord = BelgianTaxRecord()


MemberEmployment = EmploymentRecordDE | BelgianEmployment


def parse_record(jurisdiction: str, data: str) -> MemberEmployment:
    """A stored employment record (JSON) of a member of ``jurisdiction``."""
    if jurisdiction == "DE":
        return EmploymentRecordDE.model_validate_json(data)
    if jurisdiction == "BE":
        return BelgianEmployment.model_validate_json(data)
    raise UnsupportedCase(f"no payroll engine for jurisdiction {jurisdiction!r}")
