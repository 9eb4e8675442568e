"""Household figures of the Belgian key formula beyond the single person and children.

``be_rates.WithholdingScale`` holds the scale, the tax-free allowance, the children's table and
the single-parent supplement. This module adds, per period, what the other households need
(Annex III AR/CIR 92, formule-clé 2025 ESS-SR/2024-0015 and 2026 ESS-SR/2025-0928):

- the marital quotient (a partner without professional income): a share of the net taxable
  income, ``marital_quotient_rate`` capped at ``marital_quotient_max_cents``, is taxed as the
  partner's; both parts go through the base scale and each partner's tax-free allowance is
  deducted from their sum;
- a partner whose own income is only pensions or replacement income: up to
  ``partner_no_income_max_monthly_cents`` net a month they count as without income (marital
  quotient); up to ``partner_low_pension_max_monthly_cents`` the reduction
  ``partner_low_pension_reduction_cents``; a partner with other own professional income up to
  ``partner_low_income_max_monthly_cents`` the reduction ``partner_low_income_reduction_cents``;
- other dependants (ascendants, collaterals to the 2nd degree, others): a reduction per person,
  a disabled one counting twice; a dependant aged 65 or more "in a situation of dependency"
  (autonomy loss of at least 9 points; 66 or more from income year 2025) a higher one;
- disability: a disabled child counts twice in the children's table (annex 3); a disabled
  beneficiary and a disabled partner each add a reduction.

Where the figures come from: the official PDFs were not reachable from here. Every figure is
read from a public open-source implementation of the key formula (``CALCULATOR`` below) and,
where one was found, a second independent source; ``sources`` names them per figure and a
figure with a single secondary source carries ``SECONDARY``. Amounts are annual, in cents,
except the monthly thresholds.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Final

from pydantic import BaseModel, ConfigDict

from domain.errors import UnsupportedCase
from domain.payroll.be_rates import SECONDARY, BelgianRates

CALCULATOR: Final = (
    "open-source Belgian net-salary calculator in TypeScript (Angular TaxCalculatorService, "
    "data/2025.ts and data/2026.ts, which quote the SPF Finances formule-clé and the ONSS "
    "instructions; found by code search, repository name not resolved)"
)
SECUREX_ABOVE_7500: Final = (
    "Securex Lex4You, 'Les rémunérations brutes imposables supérieures à 7.500 euros/mois', "
    "https://www.securex.be/fr/lex4you/employeur/themes/remunerer/"
    "charges-salariales-le-precompte-professionel/"
    "les-remunerations-brutes-imposables-superieures-a-7-500-euros-mois (the rule that a "
    "partner with only small pensions counts as without income; its figure is an older year's)"
)
EASYPAY_ASCENDANTS: Final = (
    "Easypay Group, 'Réduction du précompte professionnel pour les ascendants/collatéraux : "
    "suppression de la mesure transitoire dès 2025', https://easypay-group.com/fr_BE/"
    "connaissance/flashes-info/detail/Reduction-du-precompte-professionnel-pour-les-"
    "ascendants%5Bslash%5Dcollateraux-%3A-suppression-de-la-mesure-transitoire-des-2025?id=10443"
    " (65+ only 'in a situation of dependency'; amounts doubled for a disabled dependant)"
)
SECUREX_DISABILITY: Final = (
    "Securex Lex4You, 'Qui entre en ligne de compte pour la réduction pour handicap grave', "
    "https://securex.be/fr/lex4you/employeur/themes/remunerer/etat-civil-et-personnes-a-charge/"
    "qui-entre-en-ligne-de-compte-pour-la-reduction-pour-handicap-grave (who counts as "
    "disabled; the dependency age rises to 66 from income year 2025)"
)
SECUREX_CHILD_DOUBLE: Final = (
    "Securex Lex4You, 'Pécule de vacances et allocations exceptionnelles (habitants du "
    "Royaume)': 'l'enfant handicapé à charge est compté pour deux'"
)


class HouseholdScale(BaseModel):
    """The household figures of one period (annual cents unless named monthly)."""

    model_config = ConfigDict(frozen=True)

    valid_from: date
    valid_until: date
    marital_quotient_rate: Decimal
    marital_quotient_max_cents: int
    partner_no_income_max_monthly_cents: int
    partner_low_pension_max_monthly_cents: int
    partner_low_pension_reduction_cents: int
    partner_low_income_max_monthly_cents: int
    partner_low_income_reduction_cents: int
    other_dependant_reduction_cents: int
    # None: no figure found for the period; such a dependant is refused, not guessed.
    dependant_in_care_reduction_cents: int | None
    dependant_in_care_min_age: int
    disabled_beneficiary_reduction_cents: int
    disabled_partner_reduction_cents: int
    sources: dict[str, str]

    def covers(self, on: date) -> bool:
        return self.valid_from <= on <= self.valid_until


def _one(source: str) -> str:
    return f"{source} [{SECONDARY}]"


_HOUSEHOLDS_2025 = HouseholdScale(
    valid_from=date(2025, 1, 1),
    valid_until=date(2025, 12, 31),
    marital_quotient_rate=Decimal("0.30"),
    marital_quotient_max_cents=1_346_000,
    partner_no_income_max_monthly_cents=17_000,
    partner_low_pension_max_monthly_cents=56_500,
    partner_low_pension_reduction_cents=339_000,
    partner_low_income_max_monthly_cents=28_300,
    partner_low_income_reduction_cents=169_800,
    other_dependant_reduction_cents=61_200,
    dependant_in_care_reduction_cents=None,
    dependant_in_care_min_age=66,
    disabled_beneficiary_reduction_cents=61_200,
    disabled_partner_reduction_cents=61_200,
    sources={
        "marital_quotient_rate": _one(CALCULATOR),
        "marital_quotient_max_cents": _one(CALCULATOR),
        "partner_no_income_max_monthly_cents": f"{CALCULATOR}; rule: {SECUREX_ABOVE_7500}",
        "partner_low_pension_max_monthly_cents": _one(CALCULATOR),
        "partner_low_pension_reduction_cents": _one(CALCULATOR),
        "partner_low_income_max_monthly_cents": _one(CALCULATOR),
        "partner_low_income_reduction_cents": _one(CALCULATOR),
        "other_dependant_reduction_cents": _one(CALCULATOR),
        "dependant_in_care_reduction_cents": (
            "not found for 2025: the calculator's 2025 file repeats the 612.00 of an ordinary "
            f"dependant while 2024 was 1,884.00 ({EASYPAY_ASCENDANTS}); refused"
        ),
        "dependant_in_care_min_age": SECUREX_DISABILITY,
        "disabled_beneficiary_reduction_cents": _one(CALCULATOR),
        "disabled_partner_reduction_cents": _one(CALCULATOR),
        "disabled_counts_twice": f"{CALCULATOR}; {SECUREX_CHILD_DOUBLE}; {EASYPAY_ASCENDANTS}",
    },
)

_HOUSEHOLDS_2026 = HouseholdScale(
    valid_from=date(2026, 1, 1),
    valid_until=date(2026, 12, 31),
    marital_quotient_rate=Decimal("0.30"),
    marital_quotient_max_cents=1_379_000,
    partner_no_income_max_monthly_cents=17_400,
    partner_low_pension_max_monthly_cents=57_900,
    partner_low_pension_reduction_cents=347_400,
    partner_low_income_max_monthly_cents=29_000,
    partner_low_income_reduction_cents=174_000,
    other_dependant_reduction_cents=62_400,
    dependant_in_care_reduction_cents=199_200,
    dependant_in_care_min_age=66,
    disabled_beneficiary_reduction_cents=62_400,
    disabled_partner_reduction_cents=62_400,
    sources={
        "marital_quotient_rate": _one(CALCULATOR),
        "marital_quotient_max_cents": _one(CALCULATOR),
        "partner_no_income_max_monthly_cents": f"{CALCULATOR}; rule: {SECUREX_ABOVE_7500}",
        "partner_low_pension_max_monthly_cents": _one(CALCULATOR),
        "partner_low_pension_reduction_cents": _one(CALCULATOR),
        "partner_low_income_max_monthly_cents": _one(CALCULATOR),
        "partner_low_income_reduction_cents": _one(CALCULATOR),
        "other_dependant_reduction_cents": _one(CALCULATOR),
        "dependant_in_care_reduction_cents": _one(CALCULATOR),
        "dependant_in_care_min_age": f"{CALCULATOR}; {SECUREX_DISABILITY}",
        "disabled_beneficiary_reduction_cents": _one(CALCULATOR),
        "disabled_partner_reduction_cents": _one(CALCULATOR),
        "disabled_counts_twice": f"{CALCULATOR}; {SECUREX_CHILD_DOUBLE}; {EASYPAY_ASCENDANTS}",
    },
)

HOUSEHOLD_SCALES: tuple[HouseholdScale, ...] = (_HOUSEHOLDS_2025, _HOUSEHOLDS_2026)


def households_for(rates: BelgianRates) -> HouseholdScale:
    """The household figures for the withholding scale ``rates`` (chosen by its start date)."""
    for scale in HOUSEHOLD_SCALES:
        if scale.covers(rates.valid_from) and scale.covers(rates.valid_until):
            return scale
    raise UnsupportedCase(
        f"no household figures of the key formula (marital quotient, partner's pension, other "
        f"dependants, disability) for the scale in force from {rates.valid_from.isoformat()}"
    )
