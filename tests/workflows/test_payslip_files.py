"""The files of each payslip: the PDF in the member's language and, with the bureau backend, the
bureau's line, each filed once per payslip by the step the worker builds from its settings (also
through the worker and the lifecycle); the order's period reaching the German engine; the member
downloading their PDF."""

from __future__ import annotations

import csv
import io
import json
import uuid
from collections.abc import AsyncIterator
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

import httpx
import pypdf
import pytest
from babel.numbers import format_currency
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from temporalio.testing import WorkflowEnvironment

from activities.payroll_step import ExactPayrollStep
from adapters.documents.payslip_document import PayslipEmployer
from adapters.documents.payslip_pdf import PayslipPdfs
from adapters.payroll_bureau.export import PayrollBureauExport
from api.app import create_app
from config import Settings
from db import ledger
from db.models import LedgerEntry, Payslip
from db.models_payroll import EmploymentRecord
from domain import order_steps as steps
from domain.breakdown import compute_breakdown
from domain.payroll.be_withholding import BelgianTaxRecord
from domain.payroll.de_engine import german_payslip, gross_for_budget
from domain.payroll.de_rates import rates_for
from domain.payroll.employment import BelgianEmployment, EmploymentPeriod
from domain.payroll.employment_payroll import EmploymentPayroll
from domain.policy import policy_for
from tests.factories import create_client, create_member, create_order, order_input
from tests.payroll_de.factories import record as de_record
from tests.workflows.conftest import Lifecycle
from tests.workflows.paid_order import run_paid
from worker import build_activities, build_payroll_step, build_worker

PAY_DATE = date(2026, 3, 31)
VAT = {"DE": Decimal("0.19"), "BE": Decimal("0.21")}


def _settings(files: Path, **overrides: Any) -> Settings:
    values: dict[str, Any] = {
        "data_dir": files,
        "mail_backend": "maildir",
        "task_queue": f"orders-{uuid.uuid4().hex[:8]}",
    }
    values.update(overrides)
    return Settings(_env_file=None, **values)


async def _wage(
    sessions: async_sessionmaker[AsyncSession],
    *,
    jurisdiction: str = "DE",
    language: str = "de",
    record_json: str | None = None,
    net_cents: int = 480_000,
) -> steps.RunPayroll:
    member = await create_member(
        sessions, name="Zofia Łukasiewicz", jurisdiction=jurisdiction, language=language
    )
    client = await create_client(sessions, member)
    order = await create_order(
        sessions,
        member,
        client,
        today=date(2026, 3, 2),
        jurisdiction=jurisdiction,
        net_amount_cents=net_cents,
    )
    if record_json is not None:
        async with sessions.begin() as session:
            session.add(
                EmploymentRecord(member_id=member.id, jurisdiction=jurisdiction, data=record_json)
            )
    breakdown = compute_breakdown(
        policy_for(jurisdiction, PAY_DATE),  # type: ignore[arg-type]
        net_cents=order.net_amount_cents,
        vat_rate=VAT[jurisdiction],
        expenses_cents=4_200,
    )
    return steps.RunPayroll(
        order=order_input(order, member, client, today=date(2026, 3, 2)),
        breakdown=breakdown,
        pay_date=PAY_DATE,
        actual_start=date(2026, 3, 2),
        actual_end=date(2026, 3, 6),
        work_days=5,
    )


def _pdf(files: Path, jurisdiction: str, payslip_id: int) -> Path:
    return files / "payslips" / jurisdiction / "2026" / f"payslip-{payslip_id}.pdf"


def _text(path: Path) -> str:
    return "\n".join(p.extract_text() for p in pypdf.PdfReader(io.BytesIO(path.read_bytes())).pages)


def _bureau_rows(files: Path, jurisdiction: str) -> list[dict[str, str]]:
    path = files / "payroll-export" / f"payroll-{jurisdiction}-2026-03.csv"
    with path.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle, delimiter=";"))


def _eur(cents: int, language: str) -> str:
    return format_currency(Decimal(cents) / 100, "EUR", locale=language)


async def _count(sessions: async_sessionmaker[AsyncSession], model: Any) -> int:
    async with sessions() as session:
        return int(await session.scalar(select(func.count()).select_from(model)) or 0)


async def test_a_retried_step_files_the_same_pdf_and_bureau_line_once(
    session_factory: async_sessionmaker[AsyncSession], tmp_path: Path
) -> None:
    step = build_payroll_step(_settings(tmp_path, payroll_backend="bureau"), session_factory)
    request = await _wage(
        session_factory, record_json=de_record(church_member=True).model_dump_json()
    )

    first = await step.run(request)
    pdf = _pdf(tmp_path, "DE", first.payslip_id)
    content, written_at = pdf.read_bytes(), pdf.stat().st_mtime_ns
    again = await step.run(request)

    assert again == first
    assert first.engine == "DE"
    assert pdf.read_bytes() == content
    assert pdf.stat().st_mtime_ns == written_at  # not rendered again
    text = _text(pdf)
    for word in ("Lohnabrechnung", "Rentenversicherung", "Lohnsteuer", "Kirchensteuer"):
        assert word in text
    assert "Zofia Łukasiewicz" in text
    assert "Betriebsnummer: 12345678" in text  # the German employer's numbers from settings
    assert _eur(first.net_wage_cents, "de") in text
    assert _eur(first.payout_cents, "de") in text
    rows = _bureau_rows(tmp_path, "DE")
    assert [row["payslip_id"] for row in rows] == [str(first.payslip_id)]
    assert int(rows[0]["net_wage_cents"]) == first.net_wage_cents
    assert int(rows[0]["payout_cents"]) == first.payout_cents
    assert rows[0]["contract"] == ""  # Belgian columns stay empty for Germany
    assert await _count(session_factory, Payslip) == 1
    assert await _count(session_factory, LedgerEntry) == 1


async def test_the_orders_period_reaches_the_german_engine(
    session_factory: async_sessionmaker[AsyncSession],
) -> None:
    # The step passes the order's actual start and end (2-6 March, 5 days): the payslip is the
    # engine's for that period, not a month's, and the budget still balances to the cent.
    rec = de_record()
    request = await _wage(session_factory, record_json=rec.model_dump_json())
    done = await ExactPayrollStep(session_factory, EmploymentPayroll()).run(request)
    async with session_factory() as session:
        slip = await session.get(Payslip, done.payslip_id)
        balances = await ledger.balances(session, order_id=request.order.order_id)
    assert slip is not None
    details = json.loads(slip.details or "{}")
    assert (details["sv_days"], details["wage_tax_table"]) == (5, "day")
    rates = rates_for(PAY_DATE)
    # Ceilings x 5 / 30: 5,812.50 -> 968.75 and 8,450 -> 1,408.33.
    assert details["contributions"]["bbg_kv_pv_cents"] == 96_875
    assert details["contributions"]["bbg_rv_av_cents"] == 140_833
    assert rates.bbg_kv_pv_cents * 5 // 30 == 96_875
    period = EmploymentPeriod(start=date(2026, 3, 2), end=date(2026, 3, 6))
    split = gross_for_budget(request.breakdown.employment_budget_cents, rec, PAY_DATE, period)
    exact = german_payslip(split.gross_cents, rec, PAY_DATE, period)
    assert slip.gross_wage_cents == split.gross_cents
    assert slip.net_wage_cents == exact.net_cents
    assert slip.employer_cost_cents + split.remainder_cents == slip.employment_budget_cents
    # A whole month's treatment of the same budget would be another payslip.
    month = gross_for_budget(request.breakdown.employment_budget_cents, rec, PAY_DATE)
    assert month.gross_cents != split.gross_cents
    # The ledger books the whole budget and the expenses (no lifecycle here to credit them).
    breakdown = request.breakdown
    assert balances["member_budget"] == breakdown.employment_budget_cents + breakdown.expenses_cents
    assert sum(balances.values()) == 0


async def test_a_render_that_failed_after_the_payslip_was_stored_is_done_on_retry(
    session_factory: async_sessionmaker[AsyncSession], tmp_path: Path
) -> None:
    def no_employer(jurisdiction: str) -> PayslipEmployer:
        raise OSError("fonts unavailable")

    broken = ExactPayrollStep(
        session_factory,
        EmploymentPayroll(),
        pdfs=PayslipPdfs(tmp_path / "payslips", no_employer),
        bureau=PayrollBureauExport(tmp_path / "payroll-export"),
    )
    request = await _wage(session_factory, record_json=de_record().model_dump_json())
    with pytest.raises(OSError, match="fonts"):
        await broken.run(request)
    assert await _count(session_factory, Payslip) == 1  # the wage itself is kept
    assert not (tmp_path / "payslips" / "DE").exists()

    step = build_payroll_step(_settings(tmp_path, payroll_backend="bureau"), session_factory)
    done = await step.run(request)

    assert _pdf(tmp_path, "DE", done.payslip_id).exists()
    assert [row["payslip_id"] for row in _bureau_rows(tmp_path, "DE")] == [str(done.payslip_id)]
    assert await _count(session_factory, Payslip) == 1
    assert await _count(session_factory, LedgerEntry) == 1


async def test_a_belgian_payslip_in_the_members_language_and_its_profile_in_the_export(
    session_factory: async_sessionmaker[AsyncSession], tmp_path: Path
) -> None:
    employment = BelgianEmployment(contract="artist", tax=BelgianTaxRecord(dependent_children=2))
    step = build_payroll_step(_settings(tmp_path, payroll_backend="bureau"), session_factory)
    request = await _wage(
        session_factory,
        jurisdiction="BE",
        language="fr",
        record_json=employment.model_dump_json(),
        net_cents=900_000,
    )

    done = await step.run(request)

    assert done.engine == "BE"
    text = _text(_pdf(tmp_path, "BE", done.payslip_id))
    for words in ("Fiche de paie", "Artiste", "Précompte professionnel", "Numéro ONSS: 0123456-78"):
        assert words in text
    assert "provisoire" not in text
    assert _eur(done.net_wage_cents, "fr") in text
    (row,) = _bureau_rows(tmp_path, "BE")
    assert (row["contract"], row["family_situation"], row["dependent_children"]) == (
        "artist",
        "single",
        "2",
    )
    assert row["member_name"] == "Zofia Łukasiewicz"


async def test_without_a_record_the_pdf_says_provisional_and_the_export_leaves_the_profile_empty(
    session_factory: async_sessionmaker[AsyncSession], tmp_path: Path
) -> None:
    step = build_payroll_step(_settings(tmp_path, payroll_backend="bureau"), session_factory)
    request = await _wage(session_factory, jurisdiction="BE", language="nl")

    done = await step.run(request)

    assert done.engine == "provisional"
    text = _text(_pdf(tmp_path, "BE", done.payslip_id))
    assert "Voorlopige loonbrief" in text
    assert "Bedrijfsvoorheffing" in text
    assert _eur(done.net_wage_cents, "nl") in text
    (row,) = _bureau_rows(tmp_path, "BE")
    # No record: the bureau is not told a contract or family situation we do not know.
    assert (row["contract"], row["family_situation"], row["dependent_children"]) == ("", "", "")


async def test_the_engine_backend_files_the_pdf_and_exports_nothing(
    session_factory: async_sessionmaker[AsyncSession], tmp_path: Path
) -> None:
    settings = _settings(tmp_path)
    assert settings.payroll_backend == "engine"
    request = await _wage(session_factory, language="pl")

    done = await build_payroll_step(settings, session_factory).run(request)

    assert "Tymczasowy pasek wynagrodzenia" in _text(_pdf(tmp_path, "DE", done.payslip_id))
    assert not (tmp_path / "payroll-export").exists()


@pytest.fixture
async def worker_lifecycle(
    workflow_env: WorkflowEnvironment,
    session_factory: async_sessionmaker[AsyncSession],
    tmp_path: Path,
) -> AsyncIterator[Lifecycle]:
    """The worker as ``worker.py`` builds it from settings, with the bureau backend."""
    settings = _settings(tmp_path, payroll_backend="bureau")
    activities = build_activities(settings, session_factory, client=workflow_env.client)
    async with build_worker(workflow_env.client, settings, activities):
        yield Lifecycle(workflow_env, session_factory, settings.task_queue, tmp_path)


async def test_the_worker_built_from_settings_files_payslip_and_bureau_line(
    worker_lifecycle: Lifecycle,
) -> None:
    summary, order_id = await run_paid(worker_lifecycle, de_record().model_dump_json())
    async with worker_lifecycle.sessions() as session:
        slip = await session.scalar(select(Payslip).where(Payslip.order_id == order_id))
    assert slip is not None
    pdf = worker_lifecycle.files / "payslips" / "DE" / f"{slip.pay_date.year}"
    assert "Lohnabrechnung" in _text(pdf / f"payslip-{slip.id}.pdf")
    period = f"{slip.pay_date.year:04d}-{slip.pay_date.month:02d}"
    export = worker_lifecycle.files / "payroll-export" / f"payroll-DE-{period}.csv"
    with export.open(encoding="utf-8", newline="") as handle:
        (row,) = list(csv.DictReader(handle, delimiter=";"))
    assert row["payslip_id"] == str(slip.id)
    assert int(row["payout_cents"]) == summary.payout_cents


async def test_a_member_downloads_their_payslip_pdf_and_nobody_else_does(
    db_url: str,
    session_factory: async_sessionmaker[AsyncSession],
    workflow_env: WorkflowEnvironment,
    tmp_path: Path,
) -> None:
    settings = _settings(tmp_path, database_url=db_url, admin_token="admin-t")
    done = await build_payroll_step(settings, session_factory).run(
        await _wage(session_factory, language="it")
    )
    without_pdf = await ExactPayrollStep(session_factory, EmploymentPayroll()).run(
        await _wage(session_factory)
    )
    other = await create_member(session_factory, name="Bob")
    app = create_app(settings, temporal_client=workflow_env.client)
    admin = {"Authorization": "Bearer admin-t"}
    async with (
        app.router.lifespan_context(app),
        httpx.AsyncClient(
            transport=httpx.ASGITransport(app=app), base_url="http://testserver"
        ) as api,
    ):

        async def token(member_id: int) -> dict[str, str]:
            issued = await api.post(f"/members/{member_id}/tokens", headers=admin)
            assert issued.status_code == 201, issued.text
            return {"Authorization": f"Bearer {issued.json()['token']}"}

        async with session_factory() as session:
            slip = await session.get(Payslip, done.payslip_id)
        assert slip is not None
        mine = await api.get(
            f"/payslips/{done.payslip_id}/pdf", headers=await token(slip.member_id)
        )
        theirs = await api.get(f"/payslips/{done.payslip_id}/pdf", headers=await token(other.id))
        missing = await api.get(f"/payslips/{without_pdf.payslip_id}/pdf", headers=admin)

    assert mine.status_code == 200
    assert mine.headers["content-type"] == "application/pdf"
    assert mine.content == _pdf(tmp_path, "DE", done.payslip_id).read_bytes()
    assert "Busta paga provvisoria" in _text(_pdf(tmp_path, "DE", done.payslip_id))
    assert theirs.status_code == 404
    assert missing.status_code == 404
    assert missing.json()["type"].endswith("payslip-pdf-missing")
