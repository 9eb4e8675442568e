"""Worked invoice cases, one per VAT treatment, built the way the issue_invoice activity does:
an ``invoices`` row (here a plain dataclass with the same columns) and the order's input."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date
from decimal import Decimal
from typing import Any

from config import DEFAULT_SELLER_BE, DEFAULT_SELLER_DE
from domain.breakdown import compute_breakdown
from domain.invoice_builders import credit_note_for, invoice_document_from
from domain.invoice_document import InvoiceDocument, Seller
from domain.order_messages import EinvoiceProfile, Language, OrderInput, UnitCode
from domain.policy import Jurisdiction, policy_for
from domain.references import creditor_reference
from domain.vat import decide_vat

# The cooperative's default seller identities, as the worker uses them.
SELLER_DE = DEFAULT_SELLER_DE
SELLER_BE = DEFAULT_SELLER_BE
SELLERS: dict[str, Seller] = {"DE": SELLER_DE, "BE": SELLER_BE}


@dataclass
class InvoiceRowStub:
    """The columns of ``db.models.Invoice`` the document reads."""

    number: str
    issue_date: date
    due_date: date
    currency: str
    net_cents: int
    vat_rate: str
    vat_cents: int
    gross_cents: int
    vat_treatment: str
    vat_note: str
    creditor_reference: str
    client_name: str
    client_address: str
    client_vat_id: str | None
    description: str
    period_start: date
    period_end: date
    paid_cents: int = 0


def make_order(**overrides: object) -> OrderInput:
    fields: dict[str, object] = {
        "order_id": 7,
        "member_id": 3,
        "member_name": "Anna Beispiel",
        "client_id": 5,
        "client_name": "Muster GmbH",
        "client_email": "ap@client.example",
        "client_country": "DE",
        "client_is_business": True,
        "client_language": "de",
        "jurisdiction": "DE",
        "description": "Beratung",
        "period_start": date(2026, 2, 2),
        "period_end": date(2026, 2, 27),
        "net_amount_cents": 100000,
        "payment_terms_days": 30,
        "offer_valid_until": date(2026, 1, 31),
        "submitted_on": date(2026, 1, 20),
    }
    fields.update(overrides)
    return OrderInput.model_validate(fields)


def make_case(
    *,
    jurisdiction: Jurisdiction = "DE",
    client_country: str = "DE",
    client_is_business: bool = True,
    client_vat_id: str | None = None,
    client_name: str = "Muster GmbH",
    client_address: str = "Hauptstraße 1, 10115 Berlin",
    language: Language = "de",
    net_cents: int = 480000,
    vat_category: str = "standard",
    sequence: int = 42,
    paid_cents: int = 0,
    description: str = "Webdesign und Umsetzung der Projektseite",
    einvoice_profile: EinvoiceProfile = "en16931",
    buyer_reference: str | None = None,
    quantity: Decimal = Decimal(1),
    unit_code: UnitCode = "LS",
) -> InvoiceDocument:
    """The invoice document for one order, through the same domain functions as production."""
    issue = date(2026, 3, 2)
    policy = policy_for(jurisdiction, issue)
    vat = decide_vat(
        policy,
        client_country=client_country,
        client_is_business=client_is_business,
        client_vat_id=client_vat_id,
        category=vat_category,
    )
    b = compute_breakdown(policy, net_cents=net_cents, vat_rate=vat.rate)
    order = make_order(
        client_name=client_name,
        client_country=client_country,
        client_is_business=client_is_business,
        client_vat_id=client_vat_id,
        client_language=language,
        jurisdiction=jurisdiction,
        description=description,
        net_amount_cents=net_cents,
        vat_category="reduced" if vat_category == "reduced" else "standard",
        client_einvoice_profile=einvoice_profile,
        client_buyer_reference=buyer_reference,
        quantity=quantity,
        unit_code=unit_code,
    )
    row = InvoiceRowStub(
        number=f"{jurisdiction}-2026-{sequence:06d}",
        issue_date=issue,
        due_date=date(2026, 4, 1),
        currency="EUR",
        net_cents=b.net_cents,
        vat_rate=str(b.vat_rate),
        vat_cents=b.vat_cents,
        gross_cents=b.gross_invoice_cents,
        vat_treatment=vat.treatment.value,
        vat_note=vat.legal_note,
        creditor_reference=creditor_reference(jurisdiction, 2026, sequence),
        client_name=client_name,
        client_address=client_address,
        client_vat_id=client_vat_id,
        description=description,
        period_start=order.period_start,
        period_end=order.period_end,
        paid_cents=paid_cents,
    )
    return invoice_document_from(
        row,
        order,
        seller=SELLERS[jurisdiction],
        payment_link=f"https://pay.coopflow.example/i/{row.number}",
    )


def de_domestic_19() -> InvoiceDocument:
    return make_case()


def de_domestic_7() -> InvoiceDocument:
    return make_case(vat_category="reduced", description="Übertragung von Nutzungsrechten")


def be_domestic_21(**overrides: Any) -> InvoiceDocument:
    case: dict[str, Any] = {
        "jurisdiction": "BE",
        "client_country": "BE",
        "client_vat_id": "BE0403123486",
        "client_name": "Atelier Dupont SRL",
        "client_address": "Avenue Louise 54, 1050 Bruxelles",
        "language": "fr",
        "description": "Conception graphique du catalogue",
    }
    return make_case(**(case | overrides))


def fr_reverse_charge() -> InvoiceDocument:
    return make_case(
        client_country="FR",
        client_vat_id="FR40303265045",
        client_name="Studio Lumière SAS",
        client_address="12 rue de la Paix\n75002 Paris",
        language="fr",
        description="Traduction et relecture",
    )


def ch_outside_scope() -> InvoiceDocument:
    return make_case(
        client_country="CH",
        client_vat_id="CHE-123.456.788 MWST",
        client_name="Bergsicht AG",
        client_address="Bahnhofstrasse 10, 8001 Zürich",
        language="de",
        description="Fotoproduktion",
    )


def fr_consumer() -> InvoiceDocument:
    return make_case(
        client_country="FR",
        client_is_business=False,
        client_name="Camille Martin",
        client_address="3 place Bellecour, 69002 Lyon",
        language="fr",
        description="Cours de guitare",
    )


def be_to_de_business() -> InvoiceDocument:
    """The Belgian seller's reverse-charge invoice to a German business (Peppol 9930)."""
    return make_case(
        jurisdiction="BE",
        client_country="DE",
        client_vat_id="DE136695976",
        client_name="ACME GmbH",
        client_address="Hauptstraße 1, 10115 Berlin",
        language="de",
        description="Übersetzung des Katalogs",
    )


def be_to_ch_business() -> InvoiceDocument:
    """The Belgian seller's outside-scope invoice to a Swiss business (Peppol 0183, the UID)."""
    return make_case(
        jurisdiction="BE",
        client_country="CH",
        client_vat_id="CHE-116.281.710 MWST",
        client_name="Helvetia AG",
        client_address="Bahnhofstrasse 10, 8001 Zürich",
        language="de",
        description="Fotoproduktion",
    )


def de_public_buyer() -> InvoiceDocument:
    """A German public buyer with the XRechnung profile and its Leitweg-ID as buyer
    reference."""
    return make_case(
        client_vat_id="DE811128135",
        client_name="Bezirksamt Mitte von Berlin",
        client_address="Karl-Marx-Allee 31, 10178 Berlin",
        description="Moderation des Bürgerdialogs",
        einvoice_profile="xrechnung",
        buyer_reference="11-0-01-04-12345-67",
    )


def credit_note(invoice: InvoiceDocument | None = None) -> InvoiceDocument:
    invoice = invoice or de_domestic_19()
    return credit_note_for(
        invoice,
        number=invoice.number.replace("-000", "-G00"),
        issue_date=date(2026, 3, 9),
        reason="Order cancelled.",
    )


def de_five_days() -> InvoiceDocument:
    """Five days at €960.00: the line says 5 DAY at 96000 cents."""
    return make_case(quantity=Decimal(5), unit_code="DAY")


def be_hours() -> InvoiceDocument:
    """12.5 hours at €96.00 for a Belgian business: UBL over Peppol with unit HUR."""
    return be_domestic_21(net_cents=120000, quantity=Decimal("12.5"), unit_code="HUR")


VAT_CASES = {
    "de_domestic_19": de_domestic_19,
    "de_domestic_7": de_domestic_7,
    "be_domestic_21": be_domestic_21,
    "fr_reverse_charge": fr_reverse_charge,
    "ch_outside_scope": ch_outside_scope,
    "fr_consumer": fr_consumer,
}

# Every document the project sends as Peppol UBL (``InvoiceDocument.goes_over_peppol``).
PEPPOL_CASES = {
    "be_domestic_21": be_domestic_21,
    "be_to_de_business": be_to_de_business,
    "be_to_ch_business": be_to_ch_business,
    "be_credit_note": lambda: credit_note(be_domestic_21()),
    "be_to_de_credit_note": lambda: credit_note(be_to_de_business()),
    "be_hours": be_hours,
    "be_hours_credit_note": lambda: credit_note(be_hours()),
}
UNIT_CASES = {"de_five_days": de_five_days, "be_hours": be_hours}

__all__ = ["PEPPOL_CASES", "UNIT_CASES", "VAT_CASES", "credit_note", "make_case", "replace"]
