"""Belgian professional withholding tax (précompte professionnel / bedrijfsvoorheffing).

The official key formula ("formule-clé", Annex III AR/CIR 92) for the standard case: periodic
monthly remuneration of a resident employee. Parameters and their sources: ``be_rates``.

Steps (point numbers of the 2025 and 2026 formule-clé documents):

1. monthly taxable remuneration (gross less the employee's social-security contributions) x 12;
2. less the lump-sum professional expenses, 30 % capped (n° 8, 1°);
3. the base scale on what is left (annex 1): the base tax;
4. less the tax on the tax-free allowance (n° 11, a); not below zero;
5. less the family reductions (annex 3: dependent children; annex 4, 1: single parent), at
   most the tax of step 4;
6. divided by 12: the monthly withholding.

Every amount is rounded to the cent at each step, half-up (point 12 of Annex III), which is
``domain.money.round_cents``.

Not covered, refused with ``UnsupportedCase`` rather than guessed: non-residents, a spouse
without professional income (marital quotient) or with only pensions/replacement income, any
disability of the beneficiary or a dependant, dependants other than children, exceptional
allowances (holiday pay, end-of-year bonus, arrears, termination pay), and special regimes
(artists' small-allowance scheme, inbound taxpayers, students, flexi-jobs, sportspeople...).
The work bonus' tax reduction (n° 20) is refused one level up, in ``be_payroll``, because its
range is known from the gross wage.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from domain.errors import InvalidAmount, UnsupportedCase
from domain.money import Cents, percent_of, round_cents
from domain.payroll.be_rates import BelgianRates, WithholdingScale

FamilySituation = Literal[
    "single",  # isolé / alleenstaande
    "partner_with_income",  # married or legal cohabitant, partner with own professional income
    "partner_without_income",  # the marital quotient: not covered
    "partner_with_replacement_income",  # partner with only pensions/benefits: not covered
]
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
    dependants_with_disability: int = Field(default=0, ge=0)
    other_dependants: int = Field(default=0, ge=0)  # parents, grandparents, siblings...
    beneficiary_disabled: bool = False
    special_regime: SpecialRegime = "none"
    remuneration_kind: RemunerationKind = "periodic"
    # Full-time monthly equivalent of this wage, for the work bonus' range; None = the wage is a
    # full month of full-time work, so the gross itself is the reference.
    work_bonus_reference_cents: int | None = Field(default=None, ge=0)


class WithholdingBreakdown(BaseModel):
    """Every step of the key formula, annual amounts unless named monthly."""

    model_config = ConfigDict(frozen=True)

    scale_source: str
    monthly_taxable_cents: Cents
    annual_taxable_cents: Cents
    lump_sum_expenses_cents: Cents
    annual_net_taxable_cents: Cents
    base_tax_cents: Cents
    exempt_allowance_tax_cents: Cents
    tax_after_allowance_cents: Cents
    family_reductions_cents: Cents
    annual_tax_cents: Cents
    monthly_withholding_cents: Cents


def refuse_unsupported(record: BelgianTaxRecord) -> None:
    """Raise ``UnsupportedCase`` for every situation the key formula here does not compute."""
    if not record.resident:
        raise UnsupportedCase(
            "withholding tax for a non-resident (art. 228 ff. CIR 92) is not computed: the "
            "standard key formula only covers residents"
        )
    if record.family_situation == "partner_without_income":
        raise UnsupportedCase(
            "a partner without professional income (married, one income: marital quotient, "
            "n° 11 b of the formule-clé) is not computed"
        )
    if record.family_situation == "partner_with_replacement_income":
        raise UnsupportedCase(
            "a partner whose own income is only pensions or replacement income (annex 4, 5-6 "
            "of the formule-clé) is not computed"
        )
    if record.beneficiary_disabled or record.dependants_with_disability:
        raise UnsupportedCase(
            "disability of the beneficiary or of a dependant changes the reductions "
            "(annex 3-4 of the formule-clé) and is not computed"
        )
    if record.other_dependants:
        raise UnsupportedCase(
            "dependants other than children (parents, grandparents, siblings, others) are not "
            "computed"
        )
    if record.special_regime != "none":
        raise UnsupportedCase(
            f"the special regime {record.special_regime!r} has its own withholding rules and "
            "is not computed"
        )
    if record.remuneration_kind != "periodic":
        raise UnsupportedCase(
            f"{record.remuneration_kind.replace('_', ' ')} is an exceptional allowance, taxed "
            "with its own scale (n° 53 ff. of Annex III); only periodic monthly remuneration "
            "is computed"
        )


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


def _family_reductions(record: BelgianTaxRecord, scale: WithholdingScale) -> Cents:
    children = record.dependent_children
    table = scale.child_reductions_cents
    last = len(table) - 1
    if children <= last:
        reduction = table[children]
    else:
        reduction = table[last] + (children - last) * scale.extra_child_reduction_cents
    if record.family_situation == "single" and children > 0:
        reduction += scale.single_parent_reduction_cents
    return reduction


def belgian_withholding(
    monthly_taxable_cents: Cents, record: BelgianTaxRecord, rates: BelgianRates
) -> WithholdingBreakdown:
    """The monthly withholding tax on ``monthly_taxable_cents`` (gross less employee ONSS)."""
    if monthly_taxable_cents < 0:
        raise InvalidAmount("a taxable remuneration cannot be negative")
    refuse_unsupported(record)
    scale = rates.withholding

    annual = monthly_taxable_cents * 12
    expenses = min(
        percent_of(annual, scale.lump_sum_expenses_rate), scale.lump_sum_expenses_max_cents
    )
    net_taxable = annual - expenses
    base_tax = _base_tax(net_taxable, scale)
    after_allowance = max(0, base_tax - scale.exempt_allowance_tax_cents)
    reductions = min(_family_reductions(record, scale), after_allowance)
    annual_tax = after_allowance - reductions
    monthly = round_cents(Decimal(annual_tax) / 12)
    return WithholdingBreakdown(
        scale_source=scale.source,
        monthly_taxable_cents=monthly_taxable_cents,
        annual_taxable_cents=annual,
        lump_sum_expenses_cents=expenses,
        annual_net_taxable_cents=net_taxable,
        base_tax_cents=base_tax,
        exempt_allowance_tax_cents=scale.exempt_allowance_tax_cents,
        tax_after_allowance_cents=after_allowance,
        family_reductions_cents=reductions,
        annual_tax_cents=annual_tax,
        monthly_withholding_cents=monthly,
    )
