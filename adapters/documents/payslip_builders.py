"""Payslip documents from a computed wage: ``belgian_payslip_document`` (exact Belgian
engine), ``german_payslip_document`` (exact German engine) and ``provisional_payslip_document``
(no employment record: the policy's flat rates, marked provisional on the page)."""

from __future__ import annotations

from datetime import date
from typing import Literal

from adapters.documents.payslip_document import (
    LineKind,
    PayslipDocument,
    PayslipEmployer,
    PayslipLine,
    PayslipMember,
    PayslipPeriod,
    PayslipTotals,
)
from domain.money import Cents
from domain.payroll.be_payroll import BelgianPayslip
from domain.payroll.de_engine import GermanPayslip
from domain.payroll.employment import MONTH_SV_DAYS
from domain.payroll.protocol import PayslipData


def belgian_payslip_document(
    *,
    payslip_id: str,
    payslip: BelgianPayslip,
    member: PayslipMember,
    employer: PayslipEmployer,
    period_start: date,
    period_end: date,
    expenses_cents: Cents = 0,
) -> PayslipDocument:
    """The document of a Belgian payslip computed by ``domain.payroll.be_payroll``."""
    slip = payslip
    base = slip.social_security_base_cents
    bonus = slip.work_bonus
    lines: list[PayslipLine] = [
        PayslipLine(kind="gross_wage", amount_cents=slip.gross_cents),
        PayslipLine(
            kind="employee_social_security",
            amount_cents=-slip.employee_contributions_before_bonus_cents,
            base_cents=base,
            rate=slip.employee_rate,
        ),
    ]
    if bonus.social_cents:
        lines.append(PayslipLine(kind="social_work_bonus", amount_cents=bonus.social_cents))
    lines += [
        PayslipLine(kind="taxable_wage", amount_cents=slip.taxable_cents),
        PayslipLine(
            kind="withholding_tax",
            amount_cents=-slip.wage_tax_before_bonus_cents,
            base_cents=slip.taxable_cents,
        ),
    ]
    if slip.fiscal_work_bonus_cents:
        lines.append(
            PayslipLine(kind="fiscal_work_bonus", amount_cents=slip.fiscal_work_bonus_cents)
        )
    if expenses_cents:
        lines.append(PayslipLine(kind="expenses", amount_cents=expenses_cents))
    lines.append(
        PayslipLine(
            kind="employer_basic_contributions",
            amount_cents=slip.employer_basic_contributions_cents,
            base_cents=base,
            rate=slip.employer_basic_rate,
            section="employer",
        )
    )
    if slip.employer_holiday_contributions_cents:
        lines.append(
            PayslipLine(
                kind="employer_holiday_contributions",
                amount_cents=slip.employer_holiday_contributions_cents,
                base_cents=base,
                rate=slip.employer_holiday_rate,
                section="employer",
            )
        )
    return PayslipDocument(
        payslip_id=payslip_id,
        member=member,
        employer=employer,
        period=PayslipPeriod(start=period_start, end=period_end, pay_date=slip.pay_date),
        contract=slip.contract,
        lines=tuple(lines),
        totals=PayslipTotals(
            gross_cents=slip.gross_cents,
            net_cents=slip.net_cents,
            payout_cents=slip.net_cents + expenses_cents,
            employer_cost_cents=slip.employer_cost_cents,
        ),
        notes=("special_social_security_not_withheld",),
    )


# The German branches in payslip order: (line, branch of ``GermanContributions``).
_GERMAN_BRANCHES: tuple[tuple[LineKind, Literal["KV", "KV_ZUSATZ", "PV", "RV", "AV"]], ...] = (
    ("health_insurance", "KV"),
    ("health_insurance_additional", "KV_ZUSATZ"),
    ("care_insurance", "PV"),
    ("pension_insurance", "RV"),
    ("unemployment_insurance", "AV"),
)


def german_payslip_document(
    *,
    payslip_id: str,
    payslip: GermanPayslip,
    member: PayslipMember,
    employer: PayslipEmployer,
    period_start: date,
    period_end: date,
    expenses_cents: Cents = 0,
) -> PayslipDocument:
    """The document of a German payslip computed by ``domain.payroll.de_engine``: each insurance
    branch's employee share on its base (the Midijob's reduced base where it applies), wage
    tax, solidarity surcharge and church tax; the employer's shares, levies and flat tax."""
    slip = payslip
    contributions = slip.contributions
    lines: list[PayslipLine] = [PayslipLine(kind="gross_wage", amount_cents=slip.gross_cents)]
    for kind, name in _GERMAN_BRANCHES:
        branch = contributions.branch(name)
        if branch.employee_cents:
            base = contributions.employee_base_cents
            lines.append(
                PayslipLine(
                    kind=kind,
                    amount_cents=-branch.employee_cents,
                    base_cents=branch.base_cents if base is None else base,
                )
            )
    if slip.pap_year is not None:  # a Minijob's tax is the employer's flat tax
        lines.append(PayslipLine(kind="wage_tax", amount_cents=-slip.wage_tax_cents))
    if slip.solidarity_cents:
        lines.append(PayslipLine(kind="solidarity_surcharge", amount_cents=-slip.solidarity_cents))
    if slip.church_tax_cents:
        lines.append(PayslipLine(kind="church_tax", amount_cents=-slip.church_tax_cents))
    if expenses_cents:
        lines.append(PayslipLine(kind="expenses", amount_cents=expenses_cents))
    employer_lines: tuple[tuple[LineKind, Cents], ...] = (
        ("employer_social_insurance", slip.employer_contributions_cents),
        (
            "employer_levies",
            slip.employer_u1_cents + slip.employer_u2_cents + slip.employer_insolvency_cents,
        ),
        ("employer_flat_tax", slip.employer_flat_tax_cents),
    )
    for kind, cents in employer_lines:
        if cents:
            lines.append(PayslipLine(kind=kind, amount_cents=cents, section="employer"))
    return PayslipDocument(
        payslip_id=payslip_id,
        member=member,
        employer=employer,
        period=PayslipPeriod(start=period_start, end=period_end, pay_date=slip.pay_date),
        sv_days=slip.sv_days if slip.sv_days < MONTH_SV_DAYS else None,
        lines=tuple(lines),
        totals=PayslipTotals(
            gross_cents=slip.gross_cents,
            net_cents=slip.net_cents,
            payout_cents=slip.net_cents + expenses_cents,
            employer_cost_cents=slip.employer_cost_cents,
        ),
    )


def provisional_payslip_document(
    *,
    payslip_id: str,
    jurisdiction: str,
    data: PayslipData,
    member: PayslipMember,
    employer: PayslipEmployer,
    period_start: date,
    period_end: date,
) -> PayslipDocument:
    """A wage computed with the policy's flat rates (no employment record yet): totals only,
    in the jurisdiction's words, marked provisional under the title and in a note."""
    belgian = jurisdiction == "BE"
    lines: list[PayslipLine] = [
        PayslipLine(kind="gross_wage", amount_cents=data.gross_wage_cents),
        PayslipLine(
            kind="employee_social_security" if belgian else "employee_social_insurance",
            amount_cents=-data.employee_contributions_cents,
        ),
        PayslipLine(
            kind="withholding_tax" if belgian else "wage_tax",
            amount_cents=-data.wage_tax_cents,
        ),
    ]
    if data.expenses_cents:
        lines.append(PayslipLine(kind="expenses", amount_cents=data.expenses_cents))
    lines.append(
        PayslipLine(
            kind="employer_social_insurance",
            amount_cents=data.employer_contributions_cents,
            section="employer",
        )
    )
    return PayslipDocument(
        payslip_id=payslip_id,
        member=member,
        employer=employer,
        period=PayslipPeriod(start=period_start, end=period_end, pay_date=data.pay_date),
        lines=tuple(lines),
        totals=PayslipTotals(
            gross_cents=data.gross_wage_cents,
            net_cents=data.net_wage_cents,
            payout_cents=data.net_wage_cents + data.expenses_cents,
            employer_cost_cents=data.employer_cost_cents,
        ),
        notes=("provisional",),
        provisional=True,
    )
