"""Withholding tax and ONSS on exceptional allowances (allocations exceptionnelles /
uitzonderlijke vergoedingen): the white-collar double holiday pay and the end-of-year premium.

Annex III AR/CIR 92, points 53-55: an exceptional allowance is not run through the periodic key
formula; its taxable amount (gross less employee ONSS) is withheld at one percentage, read from
a scale by the beneficiary's annual reference income (the annual amount of their normal taxable
remuneration; the caller gives it). The scale has two columns: holiday pay, and the other
exceptional allowances (end-of-year premium, special bonuses...). For a beneficiary with
dependent children (a disabled child counting twice), part of the allowance is exempt when the
annual reference is under a limit set by their number (the limit less the annual reference),
and the withholding is reduced by a percentage under a second limit.

ONSS:

- double holiday pay (white-collar, paid by the employer): no ordinary contributions and no
  employer contribution; a special employee contribution at the ordinary rate, 13.07 %, on the
  part of the legal double holiday pay up to the third day of the fourth week of holidays, i.e.
  85/92 of a double holiday pay of 92 % of the monthly wage (the 7 % supplement is exempt).
  Blue-collar workers and artists are paid by the holiday fund (ONVA/RJV), not by the
  employer: refused here;
- end-of-year premium: ordinary remuneration for ONSS, employee and employer contributions as
  for the wage (the 108 % base for blue-collar work and artists).

Every amount is one rounding of a rate on its base (``percent_of``); the rest are differences.
Payment dates without figures are refused (``UnsupportedCase``).
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Final, Literal

from pydantic import BaseModel, ConfigDict

from domain.errors import InvalidAmount, UnsupportedCase
from domain.money import Cents, percent_of, round_cents
from domain.payroll.be_households import CALCULATOR
from domain.payroll.be_payroll import BelgianContract, employer_contributions, social_security_base
from domain.payroll.be_rates import SECONDARY, be_rates_for

ExceptionalKind = Literal["double_holiday_pay", "end_of_year_premium"]
EXCEPTIONAL_KINDS: tuple[ExceptionalKind, ...] = ("double_holiday_pay", "end_of_year_premium")

SECUREX_SCALE: Final = (
    "Securex Lex4You, 'Pécule de vacances et allocations exceptionnelles (habitants du "
    "Royaume)', https://securex.be/fr/lex4you/employeur/montants-actuels/montants-fiscaux/"
    "pecule-de-vacances-et-allocations-exceptionnelles-(habitants-du-royaume), citing Annex III "
    "AR/CIR 92 points 53-55"
)
SECUREX_DEPARTURE_HOLIDAY_PAY: Final = (
    "Securex Lex4You, 'Comment le pécule de vacances de départ est-il traité sur le plan "
    "social', https://securex.be/fr/lex4you/employeur/themes/vacances-et-absences/"
    "vacances-annuelles/comment-le-pecule-de-vacances-de-depart-est-il-traite-sur-le-plan-social"
    " (13.07 % special employee contribution, none on the part from the third day of the fourth "
    "week, no employer contribution)"
)
ONSS_HOLIDAY_PAY: Final = (
    "ONSS administrative instructions, 'Pécule de vacances', https://www.socialsecurity.be/"
    "employer/instructions/dmfa/fr/latest/instructions/salary/particularcases/holidaypay.html"
)


class ExceptionalBracket(BaseModel):
    """Annual reference income up to ``up_to_cents`` (None: no upper limit)."""

    model_config = ConfigDict(frozen=True)

    up_to_cents: int | None
    holiday_pay_rate: Decimal
    other_rate: Decimal


class ChildReduction(BaseModel):
    model_config = ConfigDict(frozen=True)

    rate: Decimal
    up_to_cents: int  # annual reference above which no reduction is granted


class ExceptionalScale(BaseModel):
    model_config = ConfigDict(frozen=True)

    valid_from: date
    valid_until: date
    brackets: tuple[ExceptionalBracket, ...]
    # Index n-1: the exemption limit for n children; the last applies to more.
    child_exemption_limits_cents: tuple[int, ...]
    # Index n-1: the reduction for n children; the last applies to more.
    child_reductions: tuple[ChildReduction, ...]
    holiday_pay_onss_share: Decimal
    sources: dict[str, str]

    def covers(self, on: date) -> bool:
        return self.valid_from <= on <= self.valid_until


_PERCENTAGES = (  # (holiday pay, other allowances), the same in 2025 and 2026
    ("0", "0"),
    ("0.1917", "0.2322"),
    ("0.2120", "0.2523"),
    ("0.2625", "0.3028"),
    ("0.3130", "0.3533"),
    ("0.3433", "0.3836"),
    ("0.3634", "0.4038"),
    ("0.3937", "0.4341"),
    ("0.4239", "0.4644"),
    ("0.4744", "0.5148"),
    ("0.5350", "0.5350"),
)


def _brackets(*limits: int) -> tuple[ExceptionalBracket, ...]:
    uppers: list[int | None] = [*limits, None]
    return tuple(
        ExceptionalBracket(up_to_cents=up, holiday_pay_rate=Decimal(h), other_rate=Decimal(o))
        for up, (h, o) in zip(uppers, _PERCENTAGES, strict=True)
    )


def _reductions(*pairs: tuple[str, int]) -> tuple[ChildReduction, ...]:
    return tuple(ChildReduction(rate=Decimal(r), up_to_cents=up) for r, up in pairs)


_HOLIDAY_PAY_ONSS_SHARE = Decimal(85) / Decimal(92)
_HOLIDAY_PAY_ONSS_SOURCE = (
    f"{SECUREX_DEPARTURE_HOLIDAY_PAY}; 85/92 split: {CALCULATOR} [{SECONDARY}]"
)

_SCALE_2025 = ExceptionalScale(
    valid_from=date(2025, 1, 1),
    valid_until=date(2025, 12, 31),
    brackets=_brackets(
        1_041_500,
        1_333_000,
        1_696_000,
        2_034_000,
        2_302_000,
        2_571_000,
        3_107_000,
        3_381_000,
        4_477_000,
        5_846_000,
    ),
    child_exemption_limits_cents=(
        1_840_000,
        2_193_000,
        2_827_000,
        3_533_000,
        4_239_000,
        4_945_000,
        5_651_000,
        6_357_000,
        7_063_000,
        7_769_000,
        8_475_000,
        9_181_000,
    ),
    child_reductions=_reductions(
        ("0.075", 2_824_500),
        ("0.20", 2_824_500),
        ("0.35", 3_107_000),
        ("0.55", 3_672_000),
        ("0.75", 3_955_000),
    ),
    holiday_pay_onss_share=_HOLIDAY_PAY_ONSS_SHARE,
    sources={
        "brackets": f"{SECUREX_SCALE}; {CALCULATOR}",
        "child_exemption_limits_cents": f"{SECUREX_SCALE}; {CALCULATOR}",
        "child_reductions": f"{SECUREX_SCALE}; {CALCULATOR}",
        "holiday_pay_onss_share": _HOLIDAY_PAY_ONSS_SOURCE,
    },
)

_SCALE_2026 = ExceptionalScale(
    valid_from=date(2026, 1, 1),
    valid_until=date(2026, 12, 31),
    brackets=_brackets(
        1_067_500,
        1_366_000,
        1_737_500,
        2_084_000,
        2_358_000,
        2_634_000,
        3_183_000,
        3_464_000,
        4_586_000,
        5_990_000,
    ),
    child_exemption_limits_cents=(
        1_885_800,
        2_247_000,
        2_896_000,
        3_620_000,
        4_344_000,
        5_068_000,
        5_792_000,
        6_516_000,
        7_240_000,
        7_964_000,
        8_688_000,
        9_412_000,
    ),
    child_reductions=_reductions(
        ("0.075", 2_894_000),
        ("0.20", 2_894_000),
        ("0.35", 3_183_500),
        ("0.55", 3_762_500),
        ("0.75", 4_052_000),
    ),
    holiday_pay_onss_share=_HOLIDAY_PAY_ONSS_SHARE,
    sources={
        "brackets": f"{CALCULATOR} [{SECONDARY}]",
        "child_exemption_limits_cents": f"{CALCULATOR} [{SECONDARY}]",
        "child_reductions": f"{CALCULATOR} [{SECONDARY}]",
        "holiday_pay_onss_share": _HOLIDAY_PAY_ONSS_SOURCE,
    },
)

EXCEPTIONAL_SCALES: tuple[ExceptionalScale, ...] = (_SCALE_2025, _SCALE_2026)


def exceptional_scale_for(pay_date: date) -> ExceptionalScale:
    for scale in EXCEPTIONAL_SCALES:
        if scale.covers(pay_date):
            return scale
    known = ", ".join(str(s.valid_from.year) for s in EXCEPTIONAL_SCALES)
    raise UnsupportedCase(
        f"no exceptional-allowance withholding scale (points 53-55 of Annex III) for a payment "
        f"on {pay_date.isoformat()}: only {known} are encoded"
    )


def _rate(annual_reference_cents: Cents, kind: ExceptionalKind, scale: ExceptionalScale) -> Decimal:
    for bracket in scale.brackets:
        if bracket.up_to_cents is None or annual_reference_cents <= bracket.up_to_cents:
            return bracket.holiday_pay_rate if kind == "double_holiday_pay" else bracket.other_rate
    raise AssertionError("the last bracket has no upper limit")  # pragma: no cover


def exceptional_withholding(
    amount_cents: Cents,
    annual_reference_cents: Cents,
    kind: ExceptionalKind,
    pay_date: date,
    *,
    children: int = 0,
) -> tuple[Decimal, Cents]:
    """The scale's percentage and the withholding on the taxable ``amount_cents`` (the
    allowance less its employee ONSS). ``children``: dependent children, a disabled child
    counted twice."""
    if amount_cents < 0 or annual_reference_cents < 0 or children < 0:
        raise InvalidAmount("an allowance, its annual reference and children cannot be negative")
    if kind not in EXCEPTIONAL_KINDS:
        raise UnsupportedCase(f"unknown exceptional allowance {kind!r}")
    scale = exceptional_scale_for(pay_date)
    rate = _rate(annual_reference_cents, kind, scale)
    exempt = 0
    reduction = Decimal(0)
    if children:
        limits = scale.child_exemption_limits_cents
        limit = limits[min(children, len(limits)) - 1]
        exempt = max(0, limit - annual_reference_cents)
        child_reduction = scale.child_reductions[min(children, len(scale.child_reductions)) - 1]
        if annual_reference_cents <= child_reduction.up_to_cents:
            reduction = child_reduction.rate
    taxed = max(0, amount_cents - exempt)
    return rate, round_cents(Decimal(taxed) * rate * (1 - reduction))


class ExceptionalAllowance(BaseModel):
    model_config = ConfigDict(frozen=True)

    kind: ExceptionalKind
    pay_date: date
    contract: BelgianContract
    gross_cents: Cents
    social_security_base_cents: Cents
    employee_contributions_cents: Cents
    taxable_cents: Cents
    annual_reference_cents: Cents
    withholding_rate: Decimal
    wage_tax_cents: Cents
    net_cents: Cents
    employer_contributions_cents: Cents
    employer_cost_cents: Cents


def exceptional_allowance(
    gross_cents: Cents,
    annual_reference_cents: Cents,
    kind: ExceptionalKind,
    contract: BelgianContract,
    pay_date: date,
    *,
    children: int = 0,
) -> ExceptionalAllowance:
    """An exceptional allowance from gross to net: ONSS, withholding, employer cost."""
    if gross_cents <= 0:
        raise InvalidAmount("an exceptional allowance must be positive")
    rates = be_rates_for(pay_date)
    if kind == "double_holiday_pay":
        if contract != "standard":
            raise UnsupportedCase(
                "the double holiday pay of blue-collar workers and artists is paid by the "
                "holiday fund (ONVA/RJV), not by the employer"
            )
        base = percent_of(gross_cents, exceptional_scale_for(pay_date).holiday_pay_onss_share)
        employer = 0
    else:
        base = social_security_base(gross_cents, contract, rates)
        employer = employer_contributions(gross_cents, contract, rates).total_cents
    employee = percent_of(base, rates.employee_rate)
    taxable = gross_cents - employee
    rate, tax = exceptional_withholding(
        taxable, annual_reference_cents, kind, pay_date, children=children
    )
    return ExceptionalAllowance(
        kind=kind,
        pay_date=pay_date,
        contract=contract,
        gross_cents=gross_cents,
        social_security_base_cents=base,
        employee_contributions_cents=employee,
        taxable_cents=taxable,
        annual_reference_cents=annual_reference_cents,
        withholding_rate=rate,
        wage_tax_cents=tax,
        net_cents=taxable - tax,
        employer_contributions_cents=employer,
        employer_cost_cents=gross_cents + employer,
    )
