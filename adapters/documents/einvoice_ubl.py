"""Peppol BIS Billing 3.0 UBL 2.1 Invoice and CreditNote, built with lxml from an
``InvoiceDocument`` (Belgian B2B invoices must go over Peppol from 1 January 2026).

The element order follows the UBL 2.1 schema (it is a sequence: a logical order that differs
is schema-invalid); ``adapters.documents.einvoice_validation.validate_ubl`` checks the result.

Mapping choices (the same as in the CII, see ``adapters.documents.einvoice_cii``):
- Endpoints (BT-34/BT-49, mandatory in Peppol): Peppol participant identifiers only — the
  seller's enterprise number (0208) and the one the buyer's VAT ID gives
  (``domain.peppol_ids``). A document without them is refused: an ``EM`` (e-mail) endpoint is
  fatal in Peppol (PEPPOL-EN16931-CL008), and such a buyer gets no UBL
  (``InvoiceDocument.goes_over_peppol``).
- Buyer reference (BT-10, PEPPOL-EN16931-R003): the cooperative's order number the client
  signed, unless the client gave its own.
- Exactly one document-level note (PEPPOL-EN16931-R002): the "on behalf of" note; the payment
  link goes with the payment terms (BT-20), the only other free text the buyer reads.
- Category O: no VAT IDs (BR-O-02); the seller is identified by its legal registration.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from lxml import etree

from domain.invoice_document import PAYMENT_SEPA_CREDIT_TRANSFER, InvoiceDocument, PostalAddress
from domain.money import to_decimal_euros

NS_INVOICE = "urn:oasis:names:specification:ubl:schema:xsd:Invoice-2"
NS_CREDIT_NOTE = "urn:oasis:names:specification:ubl:schema:xsd:CreditNote-2"
CAC = "urn:oasis:names:specification:ubl:schema:xsd:CommonAggregateComponents-2"
CBC = "urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2"

CUSTOMIZATION_ID = "urn:cen.eu:en16931:2017#compliant#urn:fdc:peppol.eu:2017:poacc:billing:3.0"
PROFILE_ID = "urn:fdc:peppol.eu:2017:poacc:billing:01:1.0"
TYPE_INVOICE = "380"
TYPE_CREDIT_NOTE = "381"


def _cbc(parent: etree._Element, tag: str, text: object, **attrib: str) -> etree._Element:
    element = etree.SubElement(parent, f"{{{CBC}}}{tag}", attrib)
    element.text = text.isoformat() if isinstance(text, date) else str(text)
    return element


def _cac(parent: etree._Element, name: str) -> etree._Element:
    return etree.SubElement(parent, f"{{{CAC}}}{name}")


def _money(parent: etree._Element, name: str, cents: int, currency: str) -> None:
    _cbc(parent, name, to_decimal_euros(cents), currencyID=currency)


def _percent(rate: Decimal) -> str:
    return str(rate.quantize(Decimal("0.01")))


def _address(parent: etree._Element, address: PostalAddress) -> None:
    postal = _cac(parent, "PostalAddress")
    lines = list(address.lines)
    if lines:
        _cbc(postal, "StreetName", lines[0])
    if len(lines) > 1:
        _cbc(postal, "AdditionalStreetName", lines[1])
    if address.city:
        _cbc(postal, "CityName", address.city)
    if address.postcode:
        _cbc(postal, "PostalZone", address.postcode)
    if len(lines) > 2:
        _cbc(_cac(postal, "AddressLine"), "Line", ", ".join(lines[2:]))
    _cbc(_cac(postal, "Country"), "IdentificationCode", address.country)


def _tax_scheme(parent: etree._Element, company_id: str, scheme: str) -> None:
    party_tax = _cac(parent, "PartyTaxScheme")
    _cbc(party_tax, "CompanyID", company_id)
    _cbc(_cac(party_tax, "TaxScheme"), "ID", scheme)


def _seller(root: etree._Element, doc: InvoiceDocument, outside_scope: bool) -> None:
    s = doc.seller
    party = _cac(_cac(root, "AccountingSupplierParty"), "Party")
    _cbc(party, "EndpointID", s.electronic_address.value, schemeID=s.electronic_address.scheme)
    _cbc(_cac(party, "PartyName"), "Name", s.name)
    _address(party, s.address)
    if not outside_scope:
        _tax_scheme(party, s.vat_id, "VAT")
    if s.tax_number:
        _tax_scheme(party, s.tax_number, "TAX")  # BT-32, seller tax registration
    legal = _cac(party, "PartyLegalEntity")
    _cbc(legal, "RegistrationName", s.name)
    if s.legal_id:
        attrib = {"schemeID": s.legal_id_scheme} if s.legal_id_scheme else {}
        _cbc(legal, "CompanyID", s.legal_id, **attrib)
    contact = _cac(party, "Contact")
    if s.contact_name:
        _cbc(contact, "Name", s.contact_name)
    if s.phone:
        _cbc(contact, "Telephone", s.phone)
    _cbc(contact, "ElectronicMail", s.email)


def _buyer(root: etree._Element, doc: InvoiceDocument, outside_scope: bool) -> None:
    b = doc.buyer
    party = _cac(_cac(root, "AccountingCustomerParty"), "Party")
    if b.electronic_address is not None:
        _cbc(party, "EndpointID", b.electronic_address.value, schemeID=b.electronic_address.scheme)
    _cbc(_cac(party, "PartyName"), "Name", b.name)
    _address(party, b.address)
    if b.vat_id and not outside_scope:
        _tax_scheme(party, b.vat_id, "VAT")
    legal = _cac(party, "PartyLegalEntity")
    _cbc(legal, "RegistrationName", b.name)
    if b.electronic_address is not None and b.electronic_address.scheme == "0208":
        _cbc(legal, "CompanyID", b.electronic_address.value, schemeID="0208")
    elif outside_scope and b.vat_id:
        _cbc(legal, "CompanyID", b.vat_id)
    if b.email:
        _cbc(_cac(party, "Contact"), "ElectronicMail", b.email)


def _tax_category(
    parent: etree._Element,
    name: str,
    category: str,
    rate: Decimal,
    reason_code: str | None = None,
    reason: str | None = None,
) -> None:
    element = _cac(parent, name)
    _cbc(element, "ID", category)
    if category != "O":
        _cbc(element, "Percent", _percent(rate))
    if reason_code:
        _cbc(element, "TaxExemptionReasonCode", reason_code)
    if reason:
        _cbc(element, "TaxExemptionReason", reason)
    _cbc(_cac(element, "TaxScheme"), "ID", "VAT")


def build_ubl(doc: InvoiceDocument) -> bytes:
    """The Peppol BIS Billing 3.0 UBL document (UTF-8 bytes): an ``Invoice``, or a
    ``CreditNote`` for a credit note. ``ValueError`` when seller or buyer has no Peppol
    participant identifier."""
    buyer_address = doc.buyer.electronic_address
    if not doc.seller.electronic_address.is_peppol:
        raise ValueError(f"{doc.number}: the seller has no Peppol participant identifier")
    if buyer_address is None or not buyer_address.is_peppol:
        raise ValueError(f"{doc.number}: the buyer has no Peppol participant identifier")
    credit = doc.is_credit_note
    cur = doc.currency
    outside_scope = "O" in doc.categories
    root = etree.Element(
        f"{{{NS_CREDIT_NOTE if credit else NS_INVOICE}}}{'CreditNote' if credit else 'Invoice'}",
        nsmap={None: NS_CREDIT_NOTE if credit else NS_INVOICE, "cac": CAC, "cbc": CBC},
    )
    _cbc(root, "CustomizationID", CUSTOMIZATION_ID)
    _cbc(root, "ProfileID", PROFILE_ID)
    _cbc(root, "ID", doc.number)
    _cbc(root, "IssueDate", doc.issue_date)
    if credit:
        _cbc(root, "CreditNoteTypeCode", TYPE_CREDIT_NOTE)
    else:
        assert doc.due_date is not None
        _cbc(root, "DueDate", doc.due_date)
        _cbc(root, "InvoiceTypeCode", TYPE_INVOICE)
    _cbc(root, "Note", doc.note)
    _cbc(root, "DocumentCurrencyCode", cur)
    _cbc(root, "BuyerReference", doc.buyer_reference)
    period = _cac(root, "InvoicePeriod")
    _cbc(period, "StartDate", doc.period_start)
    _cbc(period, "EndDate", doc.period_end)
    if doc.preceding_invoice_number:
        reference = _cac(_cac(root, "BillingReference"), "InvoiceDocumentReference")
        _cbc(reference, "ID", doc.preceding_invoice_number)
        if doc.preceding_invoice_date is not None:
            _cbc(reference, "IssueDate", doc.preceding_invoice_date)

    _seller(root, doc, outside_scope)
    _buyer(root, doc, outside_scope)
    _cbc(_cac(root, "Delivery"), "ActualDeliveryDate", doc.period_end)

    means = _cac(root, "PaymentMeans")
    if doc.payment_means_code == PAYMENT_SEPA_CREDIT_TRANSFER:
        _cbc(means, "PaymentMeansCode", doc.payment_means_code, name="SEPA credit transfer")
        _cbc(means, "PaymentID", doc.creditor_reference)
        account = _cac(means, "PayeeFinancialAccount")
        _cbc(account, "ID", doc.seller.iban)
        _cbc(account, "Name", doc.seller.name)
        _cbc(_cac(account, "FinancialInstitutionBranch"), "ID", doc.seller.bic)
    else:
        _cbc(means, "PaymentMeansCode", doc.payment_means_code)
    terms = doc.payment_terms
    if doc.payment_link:
        terms += f" {doc.payment_link}"
    _cbc(_cac(root, "PaymentTerms"), "Note", terms)

    tax_total = _cac(root, "TaxTotal")
    _money(tax_total, "TaxAmount", doc.totals.vat_cents, cur)
    for vat in doc.vat_breakdown:
        subtotal = _cac(tax_total, "TaxSubtotal")
        _money(subtotal, "TaxableAmount", vat.taxable_cents, cur)
        _money(subtotal, "TaxAmount", vat.tax_cents, cur)
        _tax_category(
            subtotal,
            "TaxCategory",
            vat.category,
            vat.rate_percent,
            vat.exemption_reason_code,
            vat.exemption_reason,
        )

    t = doc.totals
    monetary = _cac(root, "LegalMonetaryTotal")
    _money(monetary, "LineExtensionAmount", t.net_cents, cur)
    _money(monetary, "TaxExclusiveAmount", t.net_cents, cur)
    _money(monetary, "TaxInclusiveAmount", t.gross_cents, cur)
    if t.paid_cents:
        _money(monetary, "PrepaidAmount", t.paid_cents, cur)
    _money(monetary, "PayableAmount", t.due_cents, cur)

    _lines(root, doc, credit)
    return bytes(etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True))


def _lines(root: etree._Element, doc: InvoiceDocument, credit: bool) -> None:
    cur = doc.currency
    for line in doc.lines:
        element = _cac(root, "CreditNoteLine" if credit else "InvoiceLine")
        _cbc(element, "ID", line.line_id)
        _cbc(
            element,
            "CreditedQuantity" if credit else "InvoicedQuantity",
            line.quantity,
            unitCode=line.unit_code,
        )
        _money(element, "LineExtensionAmount", line.net_cents, cur)
        item = _cac(element, "Item")
        _cbc(item, "Name", line.description)
        _tax_category(item, "ClassifiedTaxCategory", line.vat_category, line.vat_rate_percent)
        price = _cac(element, "Price")
        _money(price, "PriceAmount", line.unit_net_cents, cur)
