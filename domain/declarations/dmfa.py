"""The Belgian quarterly declaration (DmfA, déclaration multifonctionnelle) as data: per
worker, the quarter's gross wage by contract type and the ONSS contributions withheld and owed.

What a real DmfA carries beyond this aggregate (occupation lines with days and hours per joint
committee, remuneration codes, contribution codes) is listed in ``docs/declarations-be.md``.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from datetime import date
from decimal import Decimal
from typing import Literal

from pydantic import BaseModel, ConfigDict

from domain.declarations.periods import Quarter
from domain.errors import InvalidPeriod
from domain.money import Cents, round_cents

ContractType = Literal["white_collar", "blue_collar", "artist"]
# Blue-collar workers' and artists' contributions are computed on 108 % of their gross wage
# (shared/DOMAIN.md); white-collar workers' on 100 %.
ONSS_BASE_FACTOR: dict[str, Decimal] = {
    "white_collar": Decimal("1.00"),
    "blue_collar": Decimal("1.08"),
    "artist": Decimal("1.08"),
}
# DmfA worker codes (glossary annex "codes travailleur"): provisional, see the docs.
WORKER_CODE: dict[str, str] = {"white_collar": "495", "blue_collar": "015", "artist": "046"}


class DmfaLine(BaseModel):
    """One payslip as the DmfA sees it."""

    model_config = ConfigDict(frozen=True)

    payslip_ref: str
    worker_ref: str  # our member id
    inss: str  # the worker's national social-security number (11 digits)
    contract_type: ContractType = "white_collar"
    pay_date: date
    work_days: int
    gross_cents: Cents
    employee_contributions_cents: Cents
    employer_contributions_cents: Cents
    # The payroll engine's contribution base (100/108 % of gross) when it recorded one.
    onss_base_cents: Cents | None = None


class DmfaWorker(BaseModel):
    """The quarter's aggregate for one worker and contract type."""

    model_config = ConfigDict(frozen=True)

    worker_ref: str
    inss: str
    contract_type: ContractType
    worker_code: str
    days: int
    gross_cents: Cents
    onss_base_cents: Cents
    employee_contributions_cents: Cents
    employer_contributions_cents: Cents
    payslip_refs: tuple[str, ...]


class DmfaDeclaration(BaseModel):
    model_config = ConfigDict(frozen=True)

    kind: Literal["dmfa"] = "dmfa"
    quarter: str  # YYYY-Qn
    employer_nsso_number: str
    employer_category: str
    workers: tuple[DmfaWorker, ...]
    gross_cents: Cents
    employee_contributions_cents: Cents
    employer_contributions_cents: Cents
    due_date: date  # last day of the month after the quarter (declaration and payment)

    def period_key(self) -> str:
        return f"BE-DMFA-{self.quarter}"


def dmfa_due(quarter: Quarter) -> date:
    """Declaration and contributions are due on the last day of the month after the quarter:
    30 April, 31 July, 31 October, 31 January."""
    following = quarter.next().first_day()
    month_after = date(following.year, following.month + 1, 1)
    return date.fromordinal(month_after.toordinal() - 1)


def dmfa(
    quarter: Quarter,
    employer_nsso_number: str,
    employer_category: str,
    lines: Iterable[DmfaLine],
) -> DmfaDeclaration:
    """Aggregate the quarter's payslips (by pay date) per worker and contract type."""
    grouped: dict[tuple[str, str], list[DmfaLine]] = defaultdict(list)
    for line in lines:
        if not quarter.contains(line.pay_date):
            raise InvalidPeriod(
                f"payslip {line.payslip_ref} was paid on {line.pay_date}, outside {quarter.key()}"
            )
        if len(line.inss) != 11 or not line.inss.isdigit():
            raise InvalidPeriod(f"worker {line.worker_ref}: INSS must be 11 digits")
        grouped[(line.worker_ref, line.contract_type)].append(line)
    workers = []
    for (worker_ref, contract_type), worker_lines in sorted(grouped.items()):
        if len({line.inss for line in worker_lines}) != 1:
            raise InvalidPeriod(f"worker {worker_ref} has payslips under different INSS")
        gross = sum(line.gross_cents for line in worker_lines)
        workers.append(
            DmfaWorker(
                worker_ref=worker_ref,
                inss=worker_lines[0].inss,
                contract_type=worker_lines[0].contract_type,
                worker_code=WORKER_CODE[contract_type],
                days=sum(line.work_days for line in worker_lines),
                gross_cents=gross,
                onss_base_cents=sum(
                    line.onss_base_cents
                    if line.onss_base_cents is not None
                    else round_cents(Decimal(line.gross_cents) * ONSS_BASE_FACTOR[contract_type])
                    for line in worker_lines
                ),
                employee_contributions_cents=sum(
                    line.employee_contributions_cents for line in worker_lines
                ),
                employer_contributions_cents=sum(
                    line.employer_contributions_cents for line in worker_lines
                ),
                payslip_refs=tuple(sorted(line.payslip_ref for line in worker_lines)),
            )
        )
    return DmfaDeclaration(
        quarter=quarter.key(),
        employer_nsso_number=employer_nsso_number,
        employer_category=employer_category,
        workers=tuple(workers),
        gross_cents=sum(w.gross_cents for w in workers),
        employee_contributions_cents=sum(w.employee_contributions_cents for w in workers),
        employer_contributions_cents=sum(w.employer_contributions_cents for w in workers),
        due_date=dmfa_due(quarter),
    )
