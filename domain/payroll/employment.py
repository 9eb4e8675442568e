"""A member's German employment record: what payroll needs to know about the person.

Tax class, child allowances and church membership come from the ELStAM (the tax office's
electronic wage-tax data); children, health fund and its Zusatzbeitrag from the member's
statements and the fund. ``federal_state`` is the Land of the workplace (Betriebsstätte): it
sets the church-tax rate (8 % in Bavaria and Baden-Württemberg, 9 % elsewhere) and, for Saxony,
the different split of the care-insurance (PV) contribution.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from domain.errors import UnsupportedCase

FederalState = Literal[
    "BW", "BY", "BE", "BB", "HB", "HH", "HE", "MV", "NI", "NW", "RP", "SL", "SN", "ST", "SH", "TH"
]

# Landeskirchensteuergesetze: 8 % in Bavaria and Baden-Württemberg, 9 % in the other Länder.
_CHURCH_TAX_8_PERCENT = frozenset({"BY", "BW"})

# The childless PV surcharge is due from the month after the 23rd birthday (§ 55 Abs. 3 SGB XI).
_SURCHARGE_AGE = 23
# PV reductions: 0.25 pp for the 2nd up to the 5th child under 25 (§ 55 Abs. 3 SGB XI).
_MAX_REDUCED_CHILDREN = 5


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
