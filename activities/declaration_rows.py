"""The period's payslips as the declarations read them: which engine computed each (exact or
provisional), which payslips a declaration leaves to a person, what each member must have on
record, and the declaration lines built from a payslip."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import timedelta
from typing import Any

from db.models import Payslip
from db.models_declarations import MemberSocialInsurance
from db.models_salary import SalaryMonth
from domain.declarations import steps
from domain.declarations.de_monthly import WageTaxLine, positions_from_branches
from domain.declarations.dmfa import ContractType
from domain.declarations.errors import MissingEmployeeData
from domain.payroll.be_salary_allowances import BelgianSalarySlip
from domain.payroll.de_engine import GermanPayslip
from domain.payroll.monthly_salary import month_end

Row = tuple[Payslip, MemberSocialInsurance | None]


def _exact(payslip: Payslip) -> bool:
    """The payslip came from an exact engine (its ``details``), not the provisional rates."""
    return bool(payslip.details) and '"provisional"' not in str(payslip.details)


def german(payslip: Payslip) -> GermanPayslip | None:
    return GermanPayslip.model_validate_json(str(payslip.details)) if _exact(payslip) else None


MINIJOB = (
    "Minijob: contributions, levies and the flat tax are declared to the Minijob-Zentrale, "
    "which is not implemented"
)
MIDIJOB_REPORTS = "Midijob: the reports need the transition-zone flag, which is not implemented"


def set_aside(
    rows: Sequence[Row], declaration: str, unsupported: dict[str, str]
) -> tuple[list[Row], tuple[steps.ManualCase, ...]]:
    """Split off the payslips whose regime this declaration does not handle: they are left
    to a person (listed in the run's outcome) instead of stopping the whole period."""
    kept: list[Row] = []
    manual: list[steps.ManualCase] = []
    for row in rows:
        exact = german(row[0])
        reason = unsupported.get(exact.regime) if exact is not None else None
        if reason is None:
            kept.append(row)
        else:
            manual.append(
                steps.ManualCase(
                    payslip_ref=payslip_ref(row[0]), declaration=declaration, reason=reason
                )
            )
    return kept, tuple(manual)


def belgian(payslip: Payslip) -> BelgianSalarySlip | None:
    """The exact Belgian payslip: an order's, or a salary month's with its allowances (an
    order's reads with none)."""
    return BelgianSalarySlip.model_validate_json(str(payslip.details)) if _exact(payslip) else None


def exact_positions(payslip: Payslip, beitragsgruppen: str) -> dict[str, int] | None:
    exact = german(payslip)
    if exact is None:
        return None
    c = exact.contributions
    branches: dict[str, tuple[int, int]] = {
        b.branch: (b.employee_cents, b.employer_cents) for b in c.branches
    }
    return positions_from_branches(
        beitragsgruppen, branches, c.u1_cents, c.u2_cents, c.insolvency_cents
    )


def wage_tax_line(payslip: Payslip, insurance: MemberSocialInsurance | None) -> WageTaxLine:
    """The engine's wage tax, solidarity surcharge and church tax; a provisional payslip's
    flat withholding is all wage tax. Church tax is declared by confession, which only the
    member's declaration data records."""
    exact = german(payslip)
    common = {
        "payslip_ref": payslip_ref(payslip),
        "employee_ref": f"member-{payslip.member_id}",
        "pay_date": payslip.pay_date,
    }
    if exact is None:
        return WageTaxLine(**common, lohnsteuer_cents=payslip.wage_tax_cents)
    confession = insurance.church_tax if insurance is not None else None
    if exact.church_tax_cents and confession not in ("ev", "rk"):
        raise MissingEmployeeData(
            f"member {payslip.member_id} pays church tax but has no confession (ev or rk) "
            "on record (member_social_insurance.church_tax); complete it and retry"
        )
    return WageTaxLine(
        **common,
        lohnsteuer_cents=exact.wage_tax_cents,
        solidaritaetszuschlag_cents=exact.solidarity_cents,
        kirchensteuer_cents=exact.church_tax_cents,
        konfession=confession if exact.church_tax_cents else None,
    )


_CONTRACT_TYPES = {"standard": "white_collar", "blue_collar": "blue_collar", "artist": "artist"}


def contract_type(payslip: Payslip, insurance: MemberSocialInsurance) -> ContractType:
    exact = belgian(payslip)
    kind = _CONTRACT_TYPES[exact.contract] if exact else insurance.contract_type
    if kind not in ("white_collar", "blue_collar", "artist"):
        raise MissingEmployeeData(f"member {payslip.member_id}: unknown contract type {kind!r}")
    return kind  # type: ignore[return-value]


def payslip_ref(payslip: Payslip) -> str:
    if payslip.order_id is None:  # a monthly salary's (``salary_payslip``)
        return f"salary-{payslip.member_id}-{payslip.period_start:%Y-%m}"
    return f"payslip-{payslip.id}"


def salary_payslip(month: SalaryMonth) -> Payslip:
    """A paid salary month as the declarations read a payslip (never stored: ``order_id`` is
    None, the period is the whole month, the work days its weekdays)."""
    first = month.month
    last = month_end(first)
    weekdays = sum(1 for n in range(last.day) if (first + timedelta(days=n)).weekday() < 5)
    return Payslip(
        order_id=None,
        member_id=month.member_id,
        jurisdiction=month.jurisdiction,
        pay_date=month.pay_date,
        period_start=first,
        period_end=last,
        work_days=weekdays,
        employment_budget_cents=month.employer_cost_cents,
        gross_wage_cents=month.gross_wage_cents,
        employee_contributions_cents=month.employee_contributions_cents,
        employer_contributions_cents=month.employer_contributions_cents,
        wage_tax_cents=month.wage_tax_cents,
        net_wage_cents=month.net_wage_cents,
        expenses_cents=0,
        employer_cost_cents=month.employer_cost_cents,
        details=month.details,
    )


def payslip_refs(payload: dict[str, Any]) -> list[str]:
    """Every payslip reference in a declaration's payload, wherever it sits."""
    refs: list[str] = []
    if isinstance(payload.get("payslip_refs"), list):
        refs += payload["payslip_refs"]
    for worker in payload.get("workers", []):
        refs += worker.get("payslip_refs", [])
    return refs


def de_complete(insurance: MemberSocialInsurance) -> bool:
    return bool(insurance.health_fund_number and insurance.occupation_key)


def require(
    rows: Sequence[Row], what: str, complete: Callable[[MemberSocialInsurance], bool]
) -> None:
    missing = sorted(
        {payslip.member_id for payslip, ins in rows if ins is None or not complete(ins)}
    )
    if missing:
        raise MissingEmployeeData(
            f"members {', '.join(map(str, missing))} have payslips in the period but no "
            f"{what} on record (member_social_insurance); complete their data and retry"
        )
