"""The payroll-bureau export: one line per payslip in a period file, written once."""

from __future__ import annotations

import csv
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest

from adapters.payroll_bureau.export import (
    COLUMNS,
    ExportConflict,
    PayrollBureauExport,
    bureau_line,
)
from domain.breakdown import compute_breakdown
from domain.payroll.be_withholding import BelgianTaxRecord
from domain.payroll.employment import BelgianEmployment
from domain.payroll.protocol import Payroll, PayrollRequest, PayslipData
from domain.policy import policy_for

PAY_DATE = date(2026, 3, 31)


def _request(payslip_id: str = "order-42", **overrides: object) -> PayrollRequest:
    breakdown = compute_breakdown(
        policy_for("BE", PAY_DATE),
        net_cents=700_000,
        vat_rate=Decimal("0.21"),
        expenses_cents=5_000,
    )
    values: dict[str, object] = {
        "payslip_id": payslip_id,
        "jurisdiction": "BE",
        "member_id": "7",
        "member_name": 'Jan "Jean" Peeters; Antwerpen',
        "breakdown": breakdown,
        "pay_date": PAY_DATE,
        "period_start": date(2026, 3, 2),
        "period_end": date(2026, 3, 20),
        "employment": BelgianEmployment(tax=BelgianTaxRecord(dependent_children=2)),
    }
    values.update(overrides)
    return PayrollRequest.model_validate(values)


def _rows(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle, delimiter=";"))


async def test_one_line_per_payslip_in_the_period_file(tmp_path: Path) -> None:
    export = PayrollBureauExport(tmp_path)
    assert isinstance(export, PayrollBureauExport)
    runner: Payroll = export
    data = (await runner.run(_request())).data
    path = tmp_path / "payroll-BE-2026-03.csv"
    raw = path.read_bytes()
    assert raw.startswith(";".join(COLUMNS).encode() + b"\r\n")
    [row] = _rows(path)
    assert row["payslip_id"] == "order-42"
    assert row["member_name"] == 'Jan "Jean" Peeters; Antwerpen'
    assert row["period"] == "2026-03"
    assert row["contract"] == "standard"
    assert row["dependent_children"] == "2"
    assert int(row["gross_wage_cents"]) == data.gross_wage_cents == 478_032
    assert int(row["employer_cost_cents"]) == data.employer_cost_cents
    assert int(row["payout_cents"]) == data.net_wage_cents + data.expenses_cents
    assert int(row["taxable_wage_cents"]) == (
        data.gross_wage_cents - data.employee_contributions_cents
    )
    assert row["unspent_budget_cents"] == "0"


async def test_re_exporting_a_payslip_writes_nothing_new(tmp_path: Path) -> None:
    export = PayrollBureauExport(tmp_path)
    first = await export.run(_request())
    path = tmp_path / "payroll-BE-2026-03.csv"
    before = path.read_bytes()
    second = await export.run(_request())
    assert second == first
    assert path.read_bytes() == before
    assert export.export(bureau_line(_request(), first.data)) is False
    await export.run(_request("order-43"))
    assert [row["payslip_id"] for row in _rows(path)] == ["order-42", "order-43"]


async def test_the_same_id_with_other_figures_is_refused(tmp_path: Path) -> None:
    export = PayrollBureauExport(tmp_path)
    data = (await export.run(_request())).data
    changed = PayslipData.model_validate({**data.model_dump(), "wage_tax_cents": 1})
    with pytest.raises(ExportConflict, match="order-42"):
        export.export(bureau_line(_request(), changed))


async def test_a_line_torn_by_a_crash_is_replaced(tmp_path: Path) -> None:
    export = PayrollBureauExport(tmp_path)
    await export.run(_request())
    path = tmp_path / "payroll-BE-2026-03.csv"
    with path.open("ab") as handle:
        handle.write(b"1;order-43;2026-03;BE;7;Ja")  # no line end: never acknowledged
    await export.run(_request("order-43"))
    rows = _rows(path)
    assert [row["payslip_id"] for row in rows] == ["order-42", "order-43"]
    assert rows[1]["member_name"] == 'Jan "Jean" Peeters; Antwerpen'


async def test_each_month_and_jurisdiction_has_its_file(tmp_path: Path) -> None:
    export = PayrollBureauExport(tmp_path)
    await export.run(_request())
    await export.run(_request("order-44", pay_date=date(2026, 4, 7)))
    de = compute_breakdown(policy_for("DE", PAY_DATE), net_cents=100_000, vat_rate=Decimal("0.19"))
    await export.run(_request("order-45", jurisdiction="DE", breakdown=de))
    names = sorted(p.name for p in tmp_path.iterdir())
    assert names == ["payroll-BE-2026-03.csv", "payroll-BE-2026-04.csv", "payroll-DE-2026-03.csv"]
    [row] = _rows(tmp_path / "payroll-DE-2026-03.csv")
    assert row["contract"] == row["family_situation"] == ""
