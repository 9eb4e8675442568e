"""German and provisional payslip documents: the lines add up to the engine's figures, each
language prints them, a provisional payslip says so, and ``PayslipPdfs`` files each once."""

from __future__ import annotations

import asyncio
import io
from datetime import date
from decimal import Decimal
from pathlib import Path

import pypdf
import pytest
from babel.numbers import format_currency

from adapters.documents.payslip_builders import (
    german_payslip_document,
    provisional_payslip_document,
)
from adapters.documents.payslip_document import (
    LANGUAGES,
    Language,
    PayslipDocument,
    PayslipEmployer,
    PayslipMember,
)
from adapters.documents.payslip_labels import load_catalog
from adapters.documents.payslip_pdf import PayslipPdfs, render_payslip_pdf
from domain.payroll.de_engine import GermanPayslip, german_payslip
from domain.payroll.employment import EmploymentPeriod, EmploymentRecordDE
from domain.payroll.protocol import PayslipData
from tests.payroll_de.factories import record

PAY_DATE = date(2026, 3, 31)
EMPLOYER_DE = PayslipEmployer(
    name="coopflow eG",
    address_lines=("Musterstraße 12", "10115 Berlin"),
    establishment_number="12345678",
    tax_number="27/123/45678",
)
EMPLOYER_BE = PayslipEmployer(
    name="coopflow SCE",
    enterprise_number="0896755397",
    social_security_number="0123456-78",
)


def _member(language: Language = "de") -> PayslipMember:
    return PayslipMember(member_id="7", name="Jürgen Groß", language=language)


def _german(slip: GermanPayslip, language: Language = "de", expenses: int = 0) -> PayslipDocument:
    return german_payslip_document(
        payslip_id="42",
        payslip=slip,
        member=_member(language),
        employer=EMPLOYER_DE,
        period_start=date(2026, 3, 2),
        period_end=date(2026, 3, 6),
        expenses_cents=expenses,
    )


def _text(pdf: bytes) -> str:
    return "\n".join(p.extract_text() for p in pypdf.PdfReader(io.BytesIO(pdf)).pages)


def _money(cents: int, language: Language) -> str:
    return format_currency(Decimal(cents) / 100, "EUR", locale=language)


def _employee_sum(doc: PayslipDocument) -> int:
    return sum(
        line.amount_cents
        for line in doc.lines
        if line.section == "employee" and line.kind != "expenses"
    )


def _employer_sum(doc: PayslipDocument) -> int:
    return sum(line.amount_cents for line in doc.lines if line.section == "employer")


@pytest.mark.parametrize(
    ("rec", "gross"),
    [
        (record(church_member=True), 400_000),  # regular, church tax
        (record(tax_class=3), 950_000),  # above the KV/PV ceiling
        (record(), 150_000),  # Midijob: reduced employee base
        (record(minijob=True), 55_000),  # Minijob: employer flat tax, no wage tax
    ],
)
def test_german_lines_add_up_to_the_engines_figures(rec: EmploymentRecordDE, gross: int) -> None:
    slip = german_payslip(gross, rec, PAY_DATE)
    doc = _german(slip, expenses=2_500)
    assert _employee_sum(doc) == slip.net_cents
    assert slip.gross_cents + _employer_sum(doc) == slip.employer_cost_cents
    assert doc.totals.payout_cents == slip.net_cents + 2_500
    kinds = {line.kind for line in doc.lines}
    assert ("wage_tax" in kinds) == (slip.pap_year is not None)
    assert ("employer_flat_tax" in kinds) == (slip.employer_flat_tax_cents > 0)
    assert ("church_tax" in kinds) == (slip.church_tax_cents > 0)
    assert not doc.provisional


def test_a_midijob_shows_the_reduced_employee_base() -> None:
    slip = german_payslip(150_000, record(), PAY_DATE)
    assert slip.regime == "midijob"
    reduced = slip.contributions.employee_base_cents
    assert reduced is not None
    assert reduced < 150_000
    pension = next(line for line in _german(slip).lines if line.kind == "pension_insurance")
    assert pension.base_cents == reduced


@pytest.mark.parametrize("language", LANGUAGES)
def test_a_german_payslip_renders_in_each_language(language: Language) -> None:
    slip = german_payslip(400_000, record(church_member=True), PAY_DATE)
    text = _text(render_payslip_pdf(_german(slip, language)))
    lines = load_catalog(language)["lines"]
    labels = load_catalog(language)["labels"]
    for kind in ("health_insurance", "pension_insurance", "wage_tax", "church_tax"):
        assert lines[kind] in text
    assert "12345678" in text
    assert "27/123/45678" in text
    assert labels["tax_number"] in text
    assert labels["social_security_number"] not in text  # no Belgian number on a German slip
    for cents in (400_000, slip.net_cents, -slip.wage_tax_cents, slip.employer_cost_cents):
        assert _money(cents, language) in text
    assert labels["provisional"] not in text
    if language == "de":  # the German terms, not the Belgian ones
        for word in ("Lohnabrechnung", "Rentenversicherung", "Lohnsteuer", "Kirchensteuer"):
            assert word in text
        assert "Berufssteuervorabzug" not in text


def _provisional(jurisdiction: str, language: Language) -> PayslipDocument:
    data = PayslipData(
        pay_date=PAY_DATE,
        employment_budget_cents=500_000,
        gross_wage_cents=400_000,
        employee_contributions_cents=80_000,
        employer_contributions_cents=84_000,
        wage_tax_cents=50_000,
        net_wage_cents=270_000,
        expenses_cents=1_000,
        employer_cost_cents=484_000,
    )
    return provisional_payslip_document(
        payslip_id="43",
        jurisdiction=jurisdiction,
        data=data,
        member=_member(language),
        employer=EMPLOYER_BE if jurisdiction == "BE" else EMPLOYER_DE,
        period_start=date(2026, 3, 2),
        period_end=date(2026, 3, 6),
    )


@pytest.mark.parametrize(
    ("jurisdiction", "tax_line"), [("BE", "withholding_tax"), ("DE", "wage_tax")]
)
def test_a_provisional_payslip_is_marked_and_uses_the_jurisdictions_words(
    jurisdiction: str, tax_line: str
) -> None:
    doc = _provisional(jurisdiction, "fr")
    assert doc.provisional
    assert _employee_sum(doc) == 270_000
    assert {line.kind for line in doc.lines} >= {tax_line}
    text = _text(render_payslip_pdf(doc))
    catalog = load_catalog("fr")
    assert catalog["labels"]["provisional"] in text  # "Fiche de paie provisoire", under the title
    assert catalog["lines"][tax_line] in text
    assert "Provisoire" in text  # the note, too
    assert _money(271_000, "fr") in text  # payout = net + expenses


async def test_pdfs_are_filed_once_by_jurisdiction_and_year(tmp_path: Path) -> None:
    calls: list[str] = []

    def build() -> PayslipDocument:
        calls.append("built")
        return _provisional("DE", "de")

    pdfs = PayslipPdfs(tmp_path, lambda jurisdiction: EMPLOYER_DE)
    path = pdfs.path_for("DE", PAY_DATE, "43")
    assert path == tmp_path / "DE" / "2026" / "payslip-43.pdf"
    written = await asyncio.gather(pdfs.write(path, build), pdfs.write(path, build))
    content = path.read_bytes()
    assert list(written) == [path, path]
    assert content.startswith(b"%PDF-")
    # A later call (a retried step) keeps the file and renders nothing.
    await pdfs.write(path, lambda: pytest.fail("rendered again"))
    assert path.read_bytes() == content
    assert calls == ["built"]  # the second waited for the render lock, then found the file
    assert [p.name for p in path.parent.iterdir()] == ["payslip-43.pdf"]


def test_a_short_employment_shows_its_social_insurance_days() -> None:
    period = EmploymentPeriod(start=date(2026, 3, 2), end=date(2026, 3, 6))
    slip = german_payslip(300_000, record(), PAY_DATE, period)
    doc = german_payslip_document(
        payslip_id="7",
        payslip=slip,
        member=_german(slip).member,
        employer=_german(slip).employer,
        period_start=period.start,
        period_end=period.end,
    )
    assert doc.sv_days == 5
    text = _text(render_payslip_pdf(doc))
    assert "SV-Tage" in text
    # A whole month prints no such line.
    assert _german(german_payslip(300_000, record(), PAY_DATE)).sv_days is None
