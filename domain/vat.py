"""VAT treatment of an invoice from the cooperative to its client."""

from __future__ import annotations

from decimal import Decimal
from enum import StrEnum

from pydantic import BaseModel, ConfigDict

from domain.policy import JurisdictionPolicy

EU_COUNTRIES = frozenset(
    "AT BE BG CY CZ DE DK EE ES FI FR GR HR HU IE IT LT LU LV MT NL PL PT RO SE SI SK".split()
)


class VatTreatment(StrEnum):
    DOMESTIC = "domestic"
    REVERSE_CHARGE = "reverse_charge"
    OUTSIDE_SCOPE = "outside_scope"


class VatDecision(BaseModel):
    model_config = ConfigDict(frozen=True)

    treatment: VatTreatment
    rate: Decimal
    legal_note: str


OUTSIDE_SCOPE_NOTE = "Service not taxable in the EU: place of supply outside the EU (Art. 44)"


def decide_vat(
    policy: JurisdictionPolicy,
    *,
    client_country: str,
    client_is_business: bool,
    client_vat_id: str | None,
    category: str = "standard",
) -> VatDecision:
    """Domestic rate at home and for EU consumers; reverse charge for EU businesses with a VAT
    ID; outside scope for non-EU businesses. Non-EU consumers pay the domestic rate (general
    rule of Art. 45)."""
    country = client_country.upper()
    if country == policy.jurisdiction:
        return VatDecision(
            treatment=VatTreatment.DOMESTIC, rate=policy.vat_rate(category), legal_note=""
        )
    if country in EU_COUNTRIES:
        if client_is_business and client_vat_id:
            return VatDecision(
                treatment=VatTreatment.REVERSE_CHARGE,
                rate=Decimal(0),
                legal_note=policy.reverse_charge_note,
            )
        return VatDecision(
            treatment=VatTreatment.DOMESTIC, rate=policy.vat_rate(category), legal_note=""
        )
    if client_is_business:
        return VatDecision(
            treatment=VatTreatment.OUTSIDE_SCOPE, rate=Decimal(0), legal_note=OUTSIDE_SCOPE_NOTE
        )
    return VatDecision(
        treatment=VatTreatment.DOMESTIC, rate=policy.vat_rate(category), legal_note=""
    )
