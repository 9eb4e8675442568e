"""Belgian professional withholding tax (précompte professionnel / bedrijfsvoorheffing).

The official key formula ("formule-clé", Annex III AR/CIR 92) for periodic monthly
remuneration of a resident employee. Parameters and their sources: ``be_rates`` (scale,
allowance, children) and ``be_households`` (the other households).

Steps (point numbers of the 2025 and 2026 formule-clé documents):

1. monthly taxable remuneration (gross less the employee's social-security contributions) x 12;
2. less the lump-sum professional expenses, 30 % capped (n° 8, 1°);
3. the base scale on what is left (annex 1): the base tax. With the marital quotient (a
   partner without professional income, or with only small pensions), a share of it (30 %,
   capped) is the partner's: each part goes through the scale and the two taxes are added;
4. less the tax on the tax-free allowance (n° 11), once per partner under the marital
   quotient; not below zero;
5. less the family reductions (annex 3: dependent children, a disabled child counting twice;
   annex 4: single parent, other dependants, a dependant of 66+ in a situation of dependency,
   a disabled beneficiary or partner, a partner with only small pensions or a small income),
   at most the tax of step 4;
6. divided by 12: the monthly withholding.

Every amount is rounded to the cent at each step, half-up (point 12 of Annex III), which is
``domain.money.round_cents``.

Refused with ``UnsupportedCase`` rather than guessed: non-residents (their own scale, points
117-118 of Annex III), special regimes (artists' small-allowance scheme, inbound taxpayers,
students, flexi-jobs, sportspeople, company directors), exceptional allowances through this
periodic formula (see ``be_exceptional``), a dependant of 66+ in care in a period without its
figure (2025), a partner with only pensions whose monthly amount is not given, and the legacy
``dependants_with_disability`` count that does not say which dependants are disabled. The work
bonus' tax reduction (n° 20, the fiscal work bonus) is applied one level up, in ``be_payroll``
(``domain.payroll.be_work_bonus``), after this formula.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from domain.errors import InvalidAmount, UnsupportedCase
from domain.money import Cents, percent_of, round_cents
from domain.payroll.be_households import HouseholdScale, households_for
from domain.payroll.be_rates import BelgianRates, WithholdingScale

FamilySituation = Literal[
    "single",  # isolé / alleenstaande
    "partner_with_income",  # married or legal cohabitant, partner with own professional income
    "partner_without_income",  # the marital quotient
    "partner_with_replacement_income",  # partner whose own income is only pensions/benefits
]
# How the partner counts in the key formula, from the family situation and the partner's income.
PartnerTreatment = Literal["none", "marital_quotient", "low_pension", "low_income", "with_income"]
SpecialRegime = Literal[
    "none",
    "artist_small_allowances",  # régime des petites indemnités / kleine vergoedingsregeling
    "inbound_taxpayer",
    "student",
    "flexi_job",
    "sportsperson",
    "company_director",
]
RemunerationKind = Literal[
    "periodic",
    "holiday_pay",
    "end_of_year_bonus",
    "arrears",
    "termination_pay",
    "other_exceptional",
]


class BelgianTaxRecord(BaseModel):
    """What the withholding tax needs to know about the member (their own declaration)."""

    model_config = ConfigDict(frozen=True)

    resident: bool = True
    family_situation: FamilySituation = "single"
    dependent_children: int = Field(default=0, ge=0)
    # Of the dependent children, how many are disabled (each counts twice in annex 3).
    disabled_children: int = Field(default=0, ge=0)
    # Legacy count that does not say which dependants are disabled: refused when not 0.
    dependants_with_disability: int = Field(default=0, ge=0)
    other_dependants: int = Field(default=0, ge=0)  # parents, grandparents, siblings...
    # Of the other dependants, how many are disabled (each counts twice).
    disabled_other_dependants: int = Field(default=0, ge=0)
    # Dependants aged 66 or more (65 before 2025) in a situation of dependency, not counted in
    # other_dependants: the higher reduction.
    dependants_in_care: int = Field(default=0, ge=0)
    beneficiary_disabled: bool = False
    partner_disabled: bool = False
    # The partner's own net income a month (pensions/benefits for
    # partner_with_replacement_income, else professional income); None = not given.
    partner_monthly_net_income_cents: int | None = Field(default=None, ge=0)
    special_regime: SpecialRegime = "none"
    remuneration_kind: RemunerationKind = "periodic"
    # Full-time monthly equivalent of this wage, for the work bonus' range; None = the wage is a
    # full month of full-time work, so the gross itself is the reference.
    work_bonus_reference_cents: int | None = Field(default=None, ge=0)

    @model_validator(mode="after")
    def _counts_agree(self) -> BelgianTaxRecord:
        if self.disabled_children > self.dependent_children:
            raise ValueError("disabled_children counts among dependent_children")
        if self.disabled_other_dependants > self.other_dependants:
            raise ValueError("disabled_other_dependants counts among other_dependants")
        if self.family_situation == "single" and (
            self.partner_disabled or self.partner_monthly_net_income_cents is not None
        ):
            raise ValueError("a single person has no partner")
        return self


class WithholdingBreakdown(BaseModel):
    """Every step of the key formula, annual amounts unless named monthly."""

    model_config = ConfigDict(frozen=True)

    scale_source: str
    monthly_taxable_cents: Cents
    annual_taxable_cents: Cents
    lump_sum_expenses_cents: Cents
    annual_net_taxable_cents: Cents
    base_tax_cents: Cents
    exempt_allowance_tax_cents: Cents  # twice the allowance's tax under the marital quotient
    tax_after_allowance_cents: Cents
    family_reductions_cents: Cents
    annual_tax_cents: Cents
    monthly_withholding_cents: Cents
    partner_treatment: PartnerTreatment = "none"
    partner_share_cents: Cents = 0  # the marital quotient's share, taxed as the partner's


_PARTNER_PENSION_NOT_GIVEN = (
    "a partner whose own income is only pensions or replacement income: the key formula "
    "depends on its net monthly amount (marital quotient, reduction or neither); give "
    "partner_monthly_net_income_cents"
)


def refuse_unsupported(record: BelgianTaxRecord) -> None:
    """Raise ``UnsupportedCase`` for every situation the key formula here does not compute."""
    if not record.resident:
        raise UnsupportedCase(
            "withholding tax for a non-resident (art. 228 ff. CIR 92, points 117-118 of Annex "
            "III) is not computed: the key formula here covers residents"
        )
    if record.dependants_with_disability:
        raise UnsupportedCase(
            "dependants_with_disability does not say which dependants are disabled: give "
            "disabled_children (each counts twice in annex 3) or disabled_other_dependants"
        )
    if (
        record.family_situation == "partner_with_replacement_income"
        and record.partner_monthly_net_income_cents is None
    ):
        raise UnsupportedCase(_PARTNER_PENSION_NOT_GIVEN)
    if record.special_regime != "none":
        raise UnsupportedCase(
            f"the special regime {record.special_regime!r} has its own withholding rules and "
            "is not computed"
        )
    if record.remuneration_kind != "periodic":
        raise UnsupportedCase(
            f"{record.remuneration_kind.replace('_', ' ')} is an exceptional allowance, taxed "
            "with its own scale (points 53-55 of Annex III): see be_exceptional; the periodic "
            "key formula only takes periodic monthly remuneration"
        )


def partner_treatment(record: BelgianTaxRecord, households: HouseholdScale) -> PartnerTreatment:
    """How the partner counts: marital quotient, a reduction for a small income, or neither."""
    situation = record.family_situation
    income = record.partner_monthly_net_income_cents
    if situation == "single":
        return "none"
    if situation == "partner_without_income":
        return "marital_quotient"
    if situation == "partner_with_replacement_income":
        if income is None:
            raise UnsupportedCase(_PARTNER_PENSION_NOT_GIVEN)
        if income <= households.partner_no_income_max_monthly_cents:
            return "marital_quotient"
        if income <= households.partner_low_pension_max_monthly_cents:
            return "low_pension"
        return "with_income"
    if income is not None and income <= households.partner_low_income_max_monthly_cents:
        return "low_income"
    return "with_income"


def _base_tax(annual_net_taxable: Cents, scale: WithholdingScale) -> Cents:
    """Annex 1: each bracket's part rounded to the cent, then added up."""
    tax = 0
    brackets = scale.brackets
    for i, bracket in enumerate(brackets):
        if annual_net_taxable <= bracket.above_cents:
            break
        upper = brackets[i + 1].above_cents if i + 1 < len(brackets) else None
        top = annual_net_taxable if upper is None else min(annual_net_taxable, upper)
        tax += percent_of(top - bracket.above_cents, bracket.rate)
    return tax


def _children_reduction(children: int, scale: WithholdingScale) -> Cents:
    table = scale.child_reductions_cents
    last = len(table) - 1
    if children <= last:
        return table[children]
    return table[last] + (children - last) * scale.extra_child_reduction_cents


def _family_reductions(
    record: BelgianTaxRecord,
    treatment: PartnerTreatment,
    scale: WithholdingScale,
    households: HouseholdScale,
) -> Cents:
    """Annex 3 and 4: the sum of the annual reductions for the household."""
    # A disabled child counts twice in the children's table.
    reduction = _children_reduction(record.dependent_children + record.disabled_children, scale)
    if record.family_situation == "single" and record.dependent_children > 0:
        reduction += scale.single_parent_reduction_cents
    # Other dependants: one reduction each, twice for a disabled one.
    others = record.other_dependants + record.disabled_other_dependants
    reduction += others * households.other_dependant_reduction_cents
    if record.dependants_in_care:
        in_care = households.dependant_in_care_reduction_cents
        if in_care is None:
            raise UnsupportedCase(
                "a dependant aged 66+ in a situation of dependency: no published amount of "
                "its reduction (annex 4 of the formule-clé) was found for the period from "
                f"{households.valid_from.isoformat()}; not computed"
            )
        reduction += record.dependants_in_care * in_care
    if record.beneficiary_disabled:
        reduction += households.disabled_beneficiary_reduction_cents
    if record.partner_disabled:
        reduction += households.disabled_partner_reduction_cents
    if treatment == "low_pension":
        reduction += households.partner_low_pension_reduction_cents
    elif treatment == "low_income":
        reduction += households.partner_low_income_reduction_cents
    return reduction


def belgian_withholding(
    monthly_taxable_cents: Cents, record: BelgianTaxRecord, rates: BelgianRates
) -> WithholdingBreakdown:
    """The monthly withholding tax on ``monthly_taxable_cents`` (gross less employee ONSS)."""
    if monthly_taxable_cents < 0:
        raise InvalidAmount("a taxable remuneration cannot be negative")
    refuse_unsupported(record)
    scale = rates.withholding
    households = households_for(rates)
    treatment = partner_treatment(record, households)

    annual = monthly_taxable_cents * 12
    expenses = min(
        percent_of(annual, scale.lump_sum_expenses_rate), scale.lump_sum_expenses_max_cents
    )
    net_taxable = annual - expenses
    if treatment == "marital_quotient":
        # Part of the income is the partner's; each part is taxed on the scale and each
        # partner's tax-free allowance comes off their sum (an allowance the partner's share
        # does not use goes to the earner, as in the income tax).
        partner_share = min(
            percent_of(net_taxable, households.marital_quotient_rate),
            households.marital_quotient_max_cents,
        )
        base_tax = _base_tax(net_taxable - partner_share, scale) + _base_tax(partner_share, scale)
        allowance_tax = 2 * scale.exempt_allowance_tax_cents
    else:
        partner_share = 0
        base_tax = _base_tax(net_taxable, scale)
        allowance_tax = scale.exempt_allowance_tax_cents
    after_allowance = max(0, base_tax - allowance_tax)
    reductions = min(_family_reductions(record, treatment, scale, households), after_allowance)
    annual_tax = after_allowance - reductions
    monthly = round_cents(Decimal(annual_tax) / 12)
    return WithholdingBreakdown(
        scale_source=scale.source,
        monthly_taxable_cents=monthly_taxable_cents,
        annual_taxable_cents=annual,
        lump_sum_expenses_cents=expenses,
        annual_net_taxable_cents=net_taxable,
        base_tax_cents=base_tax,
        exempt_allowance_tax_cents=allowance_tax,
        tax_after_allowance_cents=after_allowance,
        family_reductions_cents=reductions,
        annual_tax_cents=annual_tax,
        monthly_withholding_cents=monthly,
        partner_treatment=treatment,
        partner_share_cents=partner_share,
    )
