"""A payslip PDF per language: localized labels and amounts formatted for that locale."""

from __future__ import annotations

import io
import shutil
from datetime import date
from decimal import Decimal
from pathlib import Path

import pypdf
import pytest
from babel.numbers import format_currency

from adapters.documents.payslip_builders import belgian_payslip_document
from adapters.documents.payslip_document import (
    LANGUAGES,
    Language,
    PayslipDocument,
    PayslipEmployer,
    PayslipMember,
)
from adapters.documents.payslip_html import render_payslip_html
from adapters.documents.payslip_labels import TEMPLATES, MissingTranslation, load_catalog
from adapters.documents.payslip_pdf import render_payslip_pdf, write_payslip_pdf
from domain.payroll.be_payroll import belgian_payslip
from domain.payroll.be_withholding import BelgianTaxRecord

EMPLOYER = PayslipEmployer(
    name="coopflow SCE",
    address_lines=("Rue Coenraets 72", "1060 Saint-Gilles"),
    enterprise_number="0896.755.397",
    social_security_number="051-1234567-89",
)
SLIP = belgian_payslip(400_000, "artist", BelgianTaxRecord(), date(2026, 3, 31))

# The words each language must show (from its own template, spelled out here on purpose).
EXPECTED_WORDS: dict[Language, tuple[str, ...]] = {
    "de": ("Lohnabrechnung", "Bruttolohn", "Berufssteuervorabzug", "Netto auszuzahlen", "Künstler"),
    "en": ("Payslip", "Gross wage", "Professional withholding tax", "Net pay", "Artist"),
    "fr": ("Fiche de paie", "Rémunération brute", "Précompte professionnel", "Net à payer"),
    "nl": ("Loonbrief", "Brutoloon", "Bedrijfsvoorheffing", "Netto te betalen", "Kunstenaar"),
    "it": ("Busta paga", "Retribuzione lorda", "Ritenuta fiscale alla fonte", "Netto da pagare"),
    "pl": ("Pasek wynagrodzenia", "Wynagrodzenie brutto", "Zaliczka na podatek dochodowy"),
}
EXPECTED_DATES: dict[Language, str] = {
    "de": "31. März 2026",
    "en": "March 31, 2026",
    "fr": "31 mars 2026",
    "nl": "31 maart 2026",
    "it": "31 marzo 2026",
    "pl": "31 marca 2026",
}


def _document(language: Language) -> PayslipDocument:
    member = PayslipMember(
        member_id="7",
        name="Zofia Łukasiewicz",
        address_lines=("Chaussée de Waterloo 1", "1060 Bruxelles"),
        language=language,
    )
    return belgian_payslip_document(
        payslip_id="order-42",
        payslip=SLIP,
        member=member,
        employer=EMPLOYER,
        period_start=date(2026, 3, 2),
        period_end=date(2026, 3, 20),
        expenses_cents=12_345,
    )


def _text(pdf: bytes) -> str:
    reader = pypdf.PdfReader(io.BytesIO(pdf))
    return "\n".join(page.extract_text() for page in reader.pages)


def _money(cents: int, language: Language) -> str:
    return format_currency(Decimal(cents) / 100, "EUR", locale=language)


@pytest.mark.parametrize("language", LANGUAGES)
def test_each_language_renders_its_labels_and_locale_amounts(language: Language) -> None:
    pdf = render_payslip_pdf(_document(language))
    assert pdf.startswith(b"%PDF-")
    text = _text(pdf)
    for word in EXPECTED_WORDS[language]:
        assert word in text
    assert EXPECTED_DATES[language] in text
    # Gross 4,000.00, ONSS -564.62, tax -806.56, net 2,628.82, payout 2,752.27 (net + 123.45),
    # employer cost 5,764.29: each as the locale writes it (e.g. "4.000,00 €" in German,
    # "€4,000.00" in English, "4 000,00 €" with a narrow no-break space in French).
    for cents in (400_000, -56_462, -80_656, 262_882, 275_227, 576_429, 12_345):
        assert _money(cents, language) in text
    assert "Łukasiewicz" in text


def test_formats_differ_per_locale() -> None:
    assert _money(400_000, "de") == "4.000,00\xa0€"
    assert _money(400_000, "en") == "€4,000.00"
    assert _money(400_000, "nl") == "€\xa04.000,00"


def test_every_language_has_every_label() -> None:
    for language in LANGUAGES:
        load_catalog(language)


def test_a_missing_translation_is_an_error_not_english(tmp_path: Path) -> None:
    shutil.copytree(TEMPLATES, tmp_path, dirs_exist_ok=True)
    catalog = tmp_path / "it.toml"
    catalog.write_text(
        "\n".join(
            line
            for line in catalog.read_text(encoding="utf-8").splitlines()
            if not line.startswith("withholding_tax")
        ),
        encoding="utf-8",
    )
    with pytest.raises(MissingTranslation, match=r"missing \['withholding_tax'\]"):
        load_catalog("it", tmp_path)
    with pytest.raises(MissingTranslation):
        render_payslip_html(_document("it"), tmp_path)


def test_an_unknown_language_is_refused() -> None:
    with pytest.raises(MissingTranslation, match="'es'"):
        load_catalog("es")


def test_the_pdf_is_written_once(tmp_path: Path) -> None:
    first = write_payslip_pdf(_document("fr"), tmp_path)
    content = first.read_bytes()
    again = write_payslip_pdf(_document("fr"), tmp_path)
    assert again == first == tmp_path / "payslip-order-42-fr.pdf"
    assert again.read_bytes() == content
