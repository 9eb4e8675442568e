"""Building the legal invoice document (``domain.invoice_document``) from what the database
and the workflow hold, and the credit note that cancels an invoice in full.
"""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal
from typing import Protocol

from domain.invoice_document import (
    UNIT_LUMP_SUM,
    VATEX_OUTSIDE_SCOPE,
    VATEX_REVERSE_CHARGE,
    Buyer,
    ElectronicAddress,
    InvoiceDocument,
    InvoiceLine,
    PostalAddress,
    Seller,
    Totals,
    VatBreakdown,
    VatCategory,
    unit_price_cents,
)
from domain.invoice_wording import CREDIT_NOTE_TERMS, payment_terms_text
from domain.order_messages import EinvoiceProfile, Language, UnitCode
from domain.peppol_ids import peppol_id_from_vat


class InvoiceRow(Protocol):
    """The columns of ``db.models.Invoice`` the document needs (read structurally, so the pure
    domain never imports the database layer)."""

    @property
    def number(self) -> str: ...
    @property
    def issue_date(self) -> date: ...
    @property
    def due_date(self) -> date: ...
    @property
    def currency(self) -> str: ...
    @property
    def net_cents(self) -> int: ...
    @property
    def vat_rate(self) -> str: ...
    @property
    def vat_cents(self) -> int: ...
    @property
    def gross_cents(self) -> int: ...
    @property
    def vat_treatment(self) -> str: ...
    @property
    def vat_note(self) -> str: ...
    @property
    def creditor_reference(self) -> str: ...
    @property
    def client_name(self) -> str: ...
    @property
    def client_address(self) -> str: ...
    @property
    def client_vat_id(self) -> str | None: ...
    @property
    def description(self) -> str: ...
    @property
    def period_start(self) -> date: ...
    @property
    def period_end(self) -> date: ...
    @property
    def paid_cents(self) -> int: ...


class OrderFacts(Protocol):
    """The fields of ``domain.order_messages.OrderInput`` the document needs."""

    @property
    def order_id(self) -> int: ...
    @property
    def member_name(self) -> str: ...
    @property
    def client_email(self) -> str: ...
    @property
    def client_country(self) -> str: ...
    @property
    def client_is_business(self) -> bool: ...
    @property
    def client_language(self) -> Language: ...
    @property
    def client_buyer_reference(self) -> str | None: ...
    @property
    def client_einvoice_profile(self) -> EinvoiceProfile: ...
    @property
    def payment_terms_days(self) -> int: ...
    @property
    def quantity(self) -> Decimal: ...
    @property
    def unit_code(self) -> UnitCode: ...


# "postcode city": 4-6 digits (DE, BE, FR, IT, CH, AT, NL…), PL 00-120, PT 1000-001, UK
# "SW1A 1AA"; an optional country prefix such as "B-1050" or "D 10115".
_POSTCODE_CITY = re.compile(
    r"^(?:[A-Z]{1,3}[- ])?(\d{4,6}(?:-\d{3})?|\d{2}-\d{3}|[A-Z]{1,2}\d[A-Z\d]? \d[A-Z]{2})\s+(.+)$"
)


def parse_address(text: str, country: str) -> PostalAddress:
    """A free-text address as the clients table holds it (``"Hauptstraße 1, 10115 Berlin"``,
    or one part a line) split into street lines, postcode and city. The last part that reads
    "postcode city" gives both; everything else stays a street line."""
    parts = [p.strip() for p in re.split(r"[\n,;]", text) if p.strip()]
    postcode = city = ""
    for index in range(len(parts) - 1, -1, -1):
        match = _POSTCODE_CITY.match(parts[index])
        if match:
            postcode, city = match.group(1), match.group(2)
            del parts[index]
            break
    return PostalAddress(lines=tuple(parts), postcode=postcode, city=city, country=country.upper())


def _category(treatment: str, rate: Decimal) -> VatCategory:
    if treatment == "reverse_charge":
        return "AE"
    if treatment == "outside_scope":
        return "O"
    if treatment == "domestic" and rate > 0:
        return "S"
    raise ValueError(f"no VAT category for treatment {treatment!r} at rate {rate}")


def _percent(rate: Decimal) -> Decimal:
    """A fraction (``0.19``) as the percentage the XML carries (``19.00``)."""
    return (rate * 100).quantize(Decimal("0.01"))


def buyer_electronic_address(
    *, is_business: bool, vat_id: str | None, email: str | None
) -> ElectronicAddress | None:
    """A business is reached by the Peppol participant identifier its VAT ID gives
    (``domain.peppol_ids``: 0208 + enterprise number in Belgium, 9930 + VAT ID in Germany…);
    a consumer, or a business whose VAT ID gives none, by e-mail (scheme EM, valid in
    EN 16931 but not in Peppol: such a buyer gets no UBL)."""
    peppol_id = peppol_id_from_vat(vat_id) if is_business and vat_id else None
    if peppol_id is not None:
        return peppol_id
    if email:
        return ElectronicAddress(scheme="EM", value=email)
    return None


def invoice_document_from(
    invoice: InvoiceRow,
    order: OrderFacts,
    *,
    seller: Seller,
    payment_link: str,
) -> InvoiceDocument:
    """The legal invoice for an ``invoices`` row and the order it bills (one line: the agreed
    service over the service period, as a lump sum or so many hours or days)."""
    quantity, unit = order.quantity, order.unit_code
    try:
        unit_price = unit_price_cents(invoice.net_cents, quantity)
    except ValueError:  # a net that is not the order's: bill it as one lump sum
        quantity, unit, unit_price = Decimal(1), UNIT_LUMP_SUM, invoice.net_cents
    rate = Decimal(invoice.vat_rate)
    category = _category(invoice.vat_treatment, rate)
    percent = _percent(rate) if category == "S" else Decimal("0.00")
    country = order.client_country.upper()
    buyer = Buyer(
        name=invoice.client_name,
        address=parse_address(invoice.client_address, country),
        vat_id=invoice.client_vat_id or None,
        is_business=order.client_is_business,
        email=order.client_email,
        electronic_address=buyer_electronic_address(
            is_business=order.client_is_business,
            vat_id=invoice.client_vat_id,
            email=order.client_email,
        ),
    )
    reason_code = {"AE": VATEX_REVERSE_CHARGE, "O": VATEX_OUTSIDE_SCOPE}.get(category)
    return InvoiceDocument(
        kind="invoice",
        number=invoice.number,
        issue_date=invoice.issue_date,
        period_start=invoice.period_start,
        period_end=invoice.period_end,
        currency=invoice.currency,
        seller=seller,
        buyer=buyer,
        member_name=order.member_name,
        buyer_reference=order.client_buyer_reference or f"ORDER-{order.order_id}",
        lines=(
            InvoiceLine(
                line_id="1",
                description=invoice.description,
                quantity=quantity,
                unit_code=unit,
                unit_net_cents=unit_price,
                net_cents=invoice.net_cents,
                vat_category=category,
                vat_rate_percent=percent,
            ),
        ),
        vat_breakdown=(
            VatBreakdown(
                category=category,
                rate_percent=percent,
                taxable_cents=invoice.net_cents,
                tax_cents=invoice.vat_cents,
                exemption_reason=invoice.vat_note if reason_code else None,
                exemption_reason_code=reason_code,
            ),
        ),
        totals=Totals(
            net_cents=invoice.net_cents,
            vat_cents=invoice.vat_cents,
            gross_cents=invoice.gross_cents,
            paid_cents=invoice.paid_cents,
            due_cents=invoice.gross_cents - invoice.paid_cents,
        ),
        due_date=invoice.due_date,
        payment_terms=payment_terms_text(order.client_language, order.payment_terms_days),
        creditor_reference=invoice.creditor_reference,
        payment_link=payment_link,
        language=order.client_language,
        legal_note=invoice.vat_note,
        einvoice_profile=order.client_einvoice_profile,
    )


def credit_note_for(
    invoice: InvoiceDocument, *, number: str, issue_date: date, reason: str = ""
) -> InvoiceDocument:
    """The credit note that cancels ``invoice`` in full: same lines, same VAT, its own number
    and date, naming the invoice. The invoice itself is never edited or deleted."""
    if invoice.is_credit_note:
        raise ValueError("a credit note is cancelled by a new invoice, not by a credit note")
    if number == invoice.number:
        raise ValueError("a credit note has its own number")
    if issue_date < invoice.issue_date:
        raise ValueError("a credit note cannot predate the invoice it cancels")
    totals = invoice.totals
    fields = dict(invoice)
    fields.update(
        {
            "kind": "credit_note",
            "number": number,
            "issue_date": issue_date,
            "preceding_invoice_number": invoice.number,
            "preceding_invoice_date": invoice.issue_date,
            "totals": Totals(
                net_cents=totals.net_cents,
                vat_cents=totals.vat_cents,
                gross_cents=totals.gross_cents,
                paid_cents=0,
                due_cents=totals.gross_cents,
            ),
            "due_date": None,
            "payment_terms": CREDIT_NOTE_TERMS[invoice.language].format(invoice=invoice.number),
            "payment_link": None,
            "reason": reason,
        }
    )
    return InvoiceDocument(**fields)
