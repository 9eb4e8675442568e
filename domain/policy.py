"""Per-jurisdiction policy data, dated by ``valid_from``: the one place the figures live.

Sources for every figure are in ``shared/DOMAIN.md``. Rates change every January and July, so a
policy is chosen by the date it applies on (invoice date, wage payment date).
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Literal

from pydantic import BaseModel, ConfigDict

Jurisdiction = Literal["DE", "BE"]


class DunningStage(BaseModel):
    """One reminder. ``days_after_previous`` counts from the due date for the first stage."""

    model_config = ConfigDict(frozen=True)

    level: int
    name: str
    days_after_previous: int
    fee_cents: int = 0  # the cooperative's own reminder cost (only once in default)
    charge_flat_compensation: bool = False  # €40 B2B flat sum, charged once, with this stage
    charge_interest: bool = True


class JurisdictionPolicy(BaseModel):
    model_config = ConfigDict(frozen=True)

    jurisdiction: Jurisdiction
    valid_from: date
    currency: str = "EUR"
    country_name: str

    # Cooperative fee on the net amount of every order, plus (BE) a contribution on the
    # employment budget.
    fee_rate: Decimal
    budget_contribution_rate: Decimal

    # VAT
    vat_standard_rate: Decimal
    vat_reduced_rate: Decimal

    # Wording printed on a reverse-charge invoice (Art. 196 VAT Directive + national law)
    reverse_charge_note: str

    # Payment terms and timings (business days are calendar days)
    payment_terms_days: int = 30
    wage_delay_days: int = 7
    offer_validity_days: int = 14
    escalation_after_last_stage_days: int = 14

    # Payroll (flat rates for the lifecycle; the exact engines are per jurisdiction)
    employer_contribution_rate: Decimal
    employee_contribution_rate: Decimal
    provisional_wage_tax_rate: Decimal

    # Late payment (the interest rates are per half-year: domain.late_interest)
    flat_compensation_cents: int  # B2B only
    # When only charges are left after the principal is paid: below this they are waived
    # (booked as such) rather than chased; above it one final statement, then finance.
    charges_waiver_threshold_cents: int = 500
    final_statement_name: str
    dunning_business: tuple[DunningStage, ...]
    dunning_consumer: tuple[DunningStage, ...]

    def vat_rate(self, category: str) -> Decimal:
        return self.vat_reduced_rate if category == "reduced" else self.vat_standard_rate

    def dunning_schedule(self, client_is_business: bool) -> tuple[DunningStage, ...]:
        return self.dunning_business if client_is_business else self.dunning_consumer


# A business debtor is in default the day after the due date (§286(2) Nr. 2 BGB: the signed
# order states the term), so the €40 flat sum (§288(5) sentence 1) is owed from the first
# reminder on. §288(5) sentence 3 credits it against damages that are costs of legal pursuit,
# which our own reminder costs are: no reminder fee on top for a business (docs/collection.md).
_DE_BUSINESS = (
    DunningStage(
        level=1, name="Zahlungserinnerung", days_after_previous=7, charge_flat_compensation=True
    ),
    DunningStage(level=2, name="1. Mahnung", days_after_previous=14),
    DunningStage(level=3, name="2. Mahnung", days_after_previous=14),
    DunningStage(level=4, name="3. Mahnung", days_after_previous=14),
)
_DE_CONSUMER = (
    DunningStage(level=1, name="Zahlungserinnerung", days_after_previous=7),
    DunningStage(level=2, name="1. Mahnung", days_after_previous=14, fee_cents=250),
    DunningStage(level=3, name="2. Mahnung", days_after_previous=14, fee_cents=250),
    DunningStage(level=4, name="3. Mahnung", days_after_previous=14, fee_cents=250),
)
_BE_BUSINESS = (
    DunningStage(
        level=1, name="Rappel de paiement", days_after_previous=7, charge_flat_compensation=True
    ),
    DunningStage(level=2, name="Deuxième rappel", days_after_previous=14),
    DunningStage(level=3, name="Mise en demeure", days_after_previous=14),
)
# Book XIX CEL: the first reminder is free and gives at least 14 days.
_BE_CONSUMER = (
    DunningStage(
        level=1, name="Premier rappel (gratuit)", days_after_previous=7, charge_interest=False
    ),
    DunningStage(
        level=2,
        name="Deuxième rappel",
        days_after_previous=14,
        fee_cents=750,
        charge_flat_compensation=True,
    ),  # the capped lump-sum damages
    DunningStage(level=3, name="Mise en demeure", days_after_previous=14, fee_cents=750),
)


def _de(valid_from: date, employer: str, employee: str) -> JurisdictionPolicy:
    return JurisdictionPolicy(
        jurisdiction="DE",
        valid_from=valid_from,
        country_name="Germany",
        reverse_charge_note=(
            "Reverse charge / Steuerschuldnerschaft des Leistungsempfängers "
            "(Art. 196 Directive 2006/112/EC, §13b UStG)"
        ),
        fee_rate=Decimal("0.09"),
        budget_contribution_rate=Decimal("0"),
        vat_standard_rate=Decimal("0.19"),
        vat_reduced_rate=Decimal("0.07"),
        employer_contribution_rate=Decimal(employer),
        employee_contribution_rate=Decimal(employee),
        provisional_wage_tax_rate=Decimal("0.10"),
        flat_compensation_cents=4000,
        final_statement_name="Abrechnung der Verzugskosten",
        dunning_business=_DE_BUSINESS,
        dunning_consumer=_DE_CONSUMER,
    )


def _be(valid_from: date) -> JurisdictionPolicy:
    return JurisdictionPolicy(
        jurisdiction="BE",
        valid_from=valid_from,
        country_name="Belgium",
        reverse_charge_note=(
            "Reverse charge / Autoliquidation / Verlegging van heffing "
            "(Art. 196 Directive 2006/112/EC, art. 21 §2 Code TVA / WBTW)"
        ),
        fee_rate=Decimal("0.065"),
        budget_contribution_rate=Decimal("0.08"),
        vat_standard_rate=Decimal("0.21"),
        vat_reduced_rate=Decimal("0.06"),
        employer_contribution_rate=Decimal("0.27"),
        employee_contribution_rate=Decimal("0.1307"),
        provisional_wage_tax_rate=Decimal("0.1111"),
        flat_compensation_cents=4000,
        final_statement_name="Décompte final des frais de retard",
        dunning_business=_BE_BUSINESS,
        dunning_consumer=_BE_CONSUMER,
    )


# Employer side DE: KV 7.3 + Zusatz/2 + PV 1.8 + RV 9.3 + AV 1.3 + U1 2.1 + U2 0.3 + InsO 0.15.
# Employee side DE: KV 7.3 + Zusatz/2 + PV 1.8 + RV 9.3 + AV 1.3 (childless surcharge: payroll).
POLICIES: tuple[JurisdictionPolicy, ...] = (
    _de(date(2025, 1, 1), employer="0.2350", employee="0.2095"),
    _de(date(2026, 1, 1), employer="0.2370", employee="0.2115"),
    _be(date(2025, 1, 1)),
    _be(date(2026, 1, 1)),
)


def policy_for(jurisdiction: Jurisdiction, on: date) -> JurisdictionPolicy:
    """The policy in force in ``jurisdiction`` on ``on``."""
    candidates = [p for p in POLICIES if p.jurisdiction == jurisdiction and p.valid_from <= on]
    if not candidates:
        raise LookupError(f"no {jurisdiction} policy in force on {on.isoformat()}")
    return max(candidates, key=lambda p: p.valid_from)
