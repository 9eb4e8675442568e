"""The legal content of an invoice, decided in the pure domain (no rendering)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from pydantic import ValidationError

from db.models import Invoice
from domain.invoice_builders import credit_note_for, invoice_document_from, parse_address
from domain.invoice_document import (
    VATEX_OUTSIDE_SCOPE,
    VATEX_REVERSE_CHARGE,
    InvoiceDocument,
    Totals,
)
from domain.invoice_wording import CREDIT_NOTE_TERMS, LANGUAGES, ON_BEHALF, PAYMENT_TERMS
from domain.vat import OUTSIDE_SCOPE_NOTE
from tests.invoices import cases


def test_de_domestic_19_percent() -> None:
    doc = cases.de_domestic_19()
    assert doc.kind == "invoice"
    (vat,) = doc.vat_breakdown
    assert (vat.category, vat.rate_percent) == ("S", Decimal("19.00"))
    assert (vat.taxable_cents, vat.tax_cents) == (480000, 91200)
    assert doc.totals == Totals(
        net_cents=480000, vat_cents=91200, gross_cents=571200, paid_cents=0, due_cents=571200
    )
    assert doc.seller.vat_id
    assert doc.seller.tax_number
    assert doc.creditor_reference.startswith("RF")
    assert doc.payment_link
    assert doc.payment_link.endswith(doc.number)
    assert doc.due_date == date(2026, 4, 1)
    assert (doc.period_start, doc.period_end) == (date(2026, 2, 2), date(2026, 2, 27))
    assert doc.payment_terms == PAYMENT_TERMS["de"].format(days=30)
    assert doc.member_name in doc.note
    assert doc.buyer_reference == "ORDER-7"


def test_de_domestic_7_percent() -> None:
    (vat,) = cases.de_domestic_7().vat_breakdown
    assert (vat.category, vat.rate_percent, vat.tax_cents) == ("S", Decimal("7.00"), 33600)


def test_be_domestic_21_percent_with_structured_communication() -> None:
    doc = cases.be_domestic_21()
    (vat,) = doc.vat_breakdown
    assert (vat.category, vat.rate_percent, vat.tax_cents) == ("S", Decimal("21.00"), 100800)
    assert doc.creditor_reference.startswith("+++")
    assert doc.creditor_reference.endswith("+++")
    assert doc.buyer.electronic_address is not None
    assert (doc.buyer.electronic_address.scheme, doc.buyer.electronic_address.value) == (
        "0208",
        "0403123486",
    )


def test_fr_business_reverse_charge_carries_both_vat_ids_and_the_legal_wording() -> None:
    doc = cases.fr_reverse_charge()
    (vat,) = doc.vat_breakdown
    assert (vat.category, vat.rate_percent, vat.tax_cents) == ("AE", Decimal("0.00"), 0)
    assert vat.exemption_reason_code == VATEX_REVERSE_CHARGE
    assert vat.exemption_reason is not None
    assert "Reverse charge" in vat.exemption_reason
    assert "Steuerschuldnerschaft des Leistungsempfängers" in vat.exemption_reason
    assert doc.seller.vat_id == "DE123456789"
    assert doc.buyer.vat_id == "FR40303265045"
    assert doc.totals.gross_cents == doc.totals.net_cents == 480000


def test_ch_business_is_outside_scope() -> None:
    doc = cases.ch_outside_scope()
    (vat,) = doc.vat_breakdown
    assert (vat.category, vat.tax_cents) == ("O", 0)
    assert vat.exemption_reason_code == VATEX_OUTSIDE_SCOPE
    assert vat.exemption_reason == OUTSIDE_SCOPE_NOTE


def test_fr_consumer_pays_the_domestic_rate() -> None:
    doc = cases.fr_consumer()
    (vat,) = doc.vat_breakdown
    assert (vat.category, vat.rate_percent) == ("S", Decimal("19.00"))
    assert doc.buyer.vat_id is None
    assert not doc.buyer.is_business
    assert doc.buyer.electronic_address is not None
    assert doc.buyer.electronic_address.scheme == "EM"


def test_partial_payment_reduces_the_amount_due() -> None:
    doc = cases.make_case(paid_cents=100000)
    assert (doc.totals.paid_cents, doc.totals.due_cents) == (100000, 471200)


def test_credit_note_names_the_invoice_and_keeps_it_intact() -> None:
    invoice = cases.de_domestic_19()
    before = invoice.model_dump()
    note = credit_note_for(
        invoice, number="DE-2026-G00001", issue_date=date(2026, 3, 9), reason="Cancelled"
    )
    assert invoice.model_dump() == before  # the invoice is never edited
    assert note.kind == "credit_note"
    assert note.number == "DE-2026-G00001"
    assert (note.preceding_invoice_number, note.preceding_invoice_date) == (
        invoice.number,
        invoice.issue_date,
    )
    assert note.totals.gross_cents == invoice.totals.gross_cents
    assert note.vat_breakdown == invoice.vat_breakdown
    assert note.payment_link is None
    assert note.due_date is None
    assert note.payment_terms == CREDIT_NOTE_TERMS["de"].format(invoice=invoice.number)
    assert invoice.number in note.note
    assert "Cancelled" in note.note


def test_credit_note_rules() -> None:
    invoice = cases.de_domestic_19()
    with pytest.raises(ValueError, match="own number"):
        credit_note_for(invoice, number=invoice.number, issue_date=date(2026, 3, 9))
    with pytest.raises(ValueError, match="predate"):
        credit_note_for(invoice, number="G1", issue_date=date(2026, 1, 1))
    note = credit_note_for(invoice, number="G1", issue_date=date(2026, 3, 9))
    with pytest.raises(ValueError, match="new invoice"):
        credit_note_for(note, number="G2", issue_date=date(2026, 3, 9))
    fields = dict(note)
    fields["preceding_invoice_number"] = None
    with pytest.raises(ValidationError, match="name the invoice"):
        InvoiceDocument(**fields)


def test_totals_must_balance() -> None:
    with pytest.raises(ValidationError, match="net \\+ VAT"):
        Totals(net_cents=100, vat_cents=19, gross_cents=120, due_cents=120)
    fields = dict(cases.de_domestic_19())
    fields["totals"] = Totals(net_cents=480000, vat_cents=0, gross_cents=480000, due_cents=480000)
    with pytest.raises(ValidationError, match="VAT breakdown"):
        InvoiceDocument(**fields)


def test_reverse_charge_without_client_vat_id_is_refused() -> None:
    fields = dict(cases.fr_reverse_charge())
    fields["buyer"] = fields["buyer"].model_copy(update={"vat_id": None})
    with pytest.raises(ValidationError, match="client's VAT ID"):
        InvoiceDocument(**fields)


def test_built_from_the_invoices_table_row() -> None:
    """The activity passes the ORM row itself: ``db.models.Invoice`` satisfies InvoiceRow."""
    stub = cases.InvoiceRowStub(
        number="DE-2026-000001",
        issue_date=date(2026, 3, 2),
        due_date=date(2026, 4, 1),
        currency="EUR",
        net_cents=100000,
        vat_rate="0.19",
        vat_cents=19000,
        gross_cents=119000,
        vat_treatment="domestic",
        vat_note="",
        creditor_reference="RF18DE202600000001",
        client_name="Muster GmbH",
        client_address="Hauptstraße 1\n10115 Berlin",
        client_vat_id=None,
        description="Beratung",
        period_start=date(2026, 2, 2),
        period_end=date(2026, 2, 27),
        paid_cents=0,
    )
    row = Invoice(**vars(stub))
    order = cases.make_order()
    from_row = invoice_document_from(
        row, order, seller=cases.SELLER_DE, payment_link="https://pay.example/x"
    )
    from_stub = invoice_document_from(
        stub, order, seller=cases.SELLER_DE, payment_link="https://pay.example/x"
    )
    assert from_row == from_stub
    assert from_row.buyer.address.city == "Berlin"


@pytest.mark.parametrize(
    ("text", "country", "lines", "postcode", "city"),
    [
        ("Hauptstraße 1, 10115 Berlin", "DE", ("Hauptstraße 1",), "10115", "Berlin"),
        ("12 rue de la Paix\n75002 Paris", "fr", ("12 rue de la Paix",), "75002", "Paris"),
        ("Avenue Louise 54, B-1050 Bruxelles", "BE", ("Avenue Louise 54",), "1050", "Bruxelles"),
        ("ul. Złota 44, 00-120 Warszawa", "PL", ("ul. Złota 44",), "00-120", "Warszawa"),
        ("Demo street 1", "DE", ("Demo street 1",), "", ""),
        ("", "CH", (), "", ""),
    ],
)
def test_parse_address(
    text: str, country: str, lines: tuple[str, ...], postcode: str, city: str
) -> None:
    address = parse_address(text, country)
    assert (address.lines, address.postcode, address.city) == (lines, postcode, city)
    assert address.country == country.upper()


@pytest.mark.parametrize("table", [PAYMENT_TERMS, CREDIT_NOTE_TERMS, ON_BEHALF])
def test_domain_wording_exists_in_every_language(table: dict[str, str]) -> None:
    assert set(table) == set(LANGUAGES)
    assert all(text.strip() for text in table.values())
