"""Payroll by an outside bureau: one CSV line per payslip in a period file.

``PayrollBureauExport`` implements the ``Payroll`` Protocol (``domain.payroll.protocol``): it
computes the wage with an inner engine (the built-in ``BelgianPayrollEngine`` by default, which
hands other jurisdictions to ``PolicyPayroll``) and appends one line to
``<directory>/payroll-<jurisdiction>-<YYYY-MM>.csv`` (the month of the pay date) for the bureau,
which computes the official payslip and reconciles against our figures.
The format is in docs/payroll-export.md: UTF-8, ``;``-separated, CRLF, a header line, amounts in
integer cents.

In the order lifecycle (``payroll_backend="bureau"``) the wage step computes the wage itself and
calls ``export`` with a line built from the stored payslip (``bureau_line``), so the bureau gets
the figures on the member's payslip.

Idempotent per payslip id: a line whose ``payslip_id`` is already in the file is not written
again; the same id with different figures is refused (``ExportConflict``) rather than silently
kept or duplicated. The check and the append happen under an exclusive ``flock`` on the file,
so two workers on this host cannot both append the same payslip. A line torn by a crash (no
line end) was never acknowledged and is cut off before the next append.
"""

from __future__ import annotations

import asyncio
import csv
import fcntl
import io
import os
from pathlib import Path
from typing import Final

from pydantic import BaseModel, ConfigDict

from adapters.errors import PermanentAdapterError
from domain.payroll.be_engine import BelgianPayrollEngine
from domain.payroll.employment import BelgianEmployment
from domain.payroll.protocol import Payroll, PayrollRequest, PayrollResult, PayslipData

FORMAT_VERSION: Final = "1"
DELIMITER: Final = ";"
LINE_END: Final = "\r\n"

COLUMNS: Final = (
    "format_version",
    "payslip_id",
    "period",
    "jurisdiction",
    "member_id",
    "member_name",
    "contract",
    "family_situation",
    "dependent_children",
    "work_period_start",
    "work_period_end",
    "pay_date",
    "currency",
    "employment_budget_cents",
    "gross_wage_cents",
    "employee_contributions_cents",
    "taxable_wage_cents",
    "wage_tax_cents",
    "net_wage_cents",
    "expenses_cents",
    "payout_cents",
    "employer_contributions_cents",
    "employer_cost_cents",
    "unspent_budget_cents",
)


class ExportConflict(PermanentAdapterError):
    """A payslip id is already in the period file with different figures."""


class BureauLine(BaseModel):
    """One payslip as the bureau receives it; ``values()`` is its row in ``COLUMNS`` order."""

    model_config = ConfigDict(frozen=True)

    payslip_id: str
    period: str
    jurisdiction: str
    member_id: str
    member_name: str
    contract: str
    family_situation: str
    dependent_children: str
    work_period_start: str
    work_period_end: str
    pay_date: str
    currency: str
    employment_budget_cents: int
    gross_wage_cents: int
    employee_contributions_cents: int
    taxable_wage_cents: int
    wage_tax_cents: int
    net_wage_cents: int
    expenses_cents: int
    payout_cents: int
    employer_contributions_cents: int
    employer_cost_cents: int
    unspent_budget_cents: int

    def values(self) -> list[str]:
        fields = self.model_dump()
        return [FORMAT_VERSION] + [str(fields[name]) for name in COLUMNS[1:]]


def bureau_line(request: PayrollRequest, data: PayslipData) -> BureauLine:
    """The bureau's line of a payslip. The Belgian contract and tax columns come from the
    request's employment record: without one (a provisional wage, or an engine's default) they
    stay empty rather than export a default as if it were the member's."""
    employment = request.employment
    belgian = (
        employment
        if request.jurisdiction == "BE" and isinstance(employment, BelgianEmployment)
        else None
    )
    return BureauLine(
        payslip_id=request.payslip_id,
        period=f"{data.pay_date.year:04d}-{data.pay_date.month:02d}",
        jurisdiction=request.jurisdiction,
        member_id=request.member_id,
        member_name=request.member_name,
        contract=belgian.contract if belgian else "",
        family_situation=belgian.tax.family_situation if belgian else "",
        dependent_children=str(belgian.tax.dependent_children) if belgian else "",
        work_period_start=request.period_start.isoformat(),
        work_period_end=request.period_end.isoformat(),
        pay_date=data.pay_date.isoformat(),
        currency="EUR",
        employment_budget_cents=data.employment_budget_cents,
        gross_wage_cents=data.gross_wage_cents,
        employee_contributions_cents=data.employee_contributions_cents,
        taxable_wage_cents=data.gross_wage_cents - data.employee_contributions_cents,
        wage_tax_cents=data.wage_tax_cents,
        net_wage_cents=data.net_wage_cents,
        expenses_cents=data.expenses_cents,
        payout_cents=data.net_wage_cents + data.expenses_cents,
        employer_contributions_cents=data.employer_contributions_cents,
        employer_cost_cents=data.employer_cost_cents,
        unspent_budget_cents=data.employment_budget_cents - data.employer_cost_cents,
    )


def _row(values: list[str]) -> str:
    buffer = io.StringIO()
    csv.writer(buffer, delimiter=DELIMITER, lineterminator=LINE_END).writerow(values)
    return buffer.getvalue()


def _check_text(line: BureauLine) -> None:
    for name, value in line.model_dump().items():
        if isinstance(value, str) and any(ch in value for ch in "\r\n\x00"):
            raise PermanentAdapterError(f"{name} of payslip {line.payslip_id} has a line break")
    if not line.payslip_id:
        raise PermanentAdapterError("a payslip id is required for the bureau export")


class PayrollBureauExport:
    def __init__(self, directory: Path, *, engine: Payroll | None = None) -> None:
        self._directory = directory
        self._engine: Payroll = engine if engine is not None else BelgianPayrollEngine()

    def period_file(self, jurisdiction: str, period: str) -> Path:
        return self._directory / f"payroll-{jurisdiction}-{period}.csv"

    async def run(self, request: PayrollRequest) -> PayrollResult:
        result = await self._engine.run(request)
        await asyncio.to_thread(self.export, bureau_line(request, result.data))
        return result

    def export(self, line: BureauLine) -> bool:
        """Append ``line`` to its period file; False if that payslip was exported before."""
        _check_text(line)
        path = self.period_file(line.jurisdiction, line.period)
        path.parent.mkdir(parents=True, exist_ok=True)
        wanted = line.values()
        fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
        with open(fd, "r+b") as handle:
            fcntl.flock(handle.fileno(), fcntl.LOCK_EX)
            content = handle.read()
            complete = content[: content.rfind(b"\n") + 1]
            existing = list(csv.reader(io.StringIO(complete.decode("utf-8")), delimiter=DELIMITER))
            for row in existing[1:]:
                if len(row) > 1 and row[1] == line.payslip_id:
                    if row == wanted:
                        return False
                    raise ExportConflict(
                        f"payslip {line.payslip_id} is already in {path.name} with other figures"
                    )
            if len(complete) != len(content):
                handle.truncate(len(complete))
            handle.seek(len(complete))
            if not complete:
                handle.write(_row(list(COLUMNS)).encode("utf-8"))
            handle.write(_row(wanted).encode("utf-8"))
            handle.flush()
            os.fsync(handle.fileno())
        return True
