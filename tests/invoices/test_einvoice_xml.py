"""Every generated e-invoice XML passes its XSD and the official rules, run offline by
saxonche: the Factur-X CII the EN 16931 rules, every Peppol UBL EN 16931 and Peppol BIS
Billing 3.0; a tampered document fails with the rule that catches it."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from lxml import etree

from adapters.documents.einvoice_cii import build_cii
from adapters.documents.einvoice_ubl import build_ubl
from adapters.documents.einvoice_validation import EinvoiceValidator
from domain.invoice_document import InvoiceDocument
from tests.invoices import cases

RAM = "urn:un:unece:uncefact:data:standard:ReusableAggregateBusinessInformationEntity:100"
RSM = "urn:un:unece:uncefact:data:standard:CrossIndustryInvoice:100"
CBC = "urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2"
CAC = "urn:oasis:names:specification:ubl:schema:xsd:CommonAggregateComponents-2"
NS = {"ram": RAM, "rsm": RSM, "cbc": CBC, "cac": CAC}
BUYER_ENDPOINT = "/*/cac:AccountingCustomerParty/cac:Party/cbc:EndpointID"

DOCUMENTS: dict[str, Callable[[], InvoiceDocument]] = {
    **cases.VAT_CASES,
    "de_credit_note": lambda: cases.credit_note(cases.de_domestic_19()),
    "be_credit_note": lambda: cases.credit_note(cases.be_domestic_21()),
    "partly_paid": lambda: cases.make_case(paid_cents=100000),
    "be_to_de_business": cases.be_to_de_business,
    "be_to_ch_business": cases.be_to_ch_business,
    "de_public_buyer": cases.de_public_buyer,
    **cases.UNIT_CASES,
}


def _rule_ids(messages: list[str]) -> set[str]:
    return {m.split(":", 1)[0] for m in messages}


@pytest.mark.parametrize("name", DOCUMENTS)
def test_cii_passes_xsd_and_en16931_schematron(
    name: str, einvoice_validator: EinvoiceValidator
) -> None:
    xml = build_cii(DOCUMENTS[name]())
    assert einvoice_validator.validate_cii(xml) == []
    # Not even a warning (PEPPOL-EN16931-R008 empty elements and the like).
    assert einvoice_validator.cii_findings(xml) == []


@pytest.mark.parametrize("name", cases.PEPPOL_CASES)
def test_ubl_passes_xsd_en16931_and_the_official_peppol_rules(
    name: str, official_validator: EinvoiceValidator
) -> None:
    doc = cases.PEPPOL_CASES[name]()
    assert doc.goes_over_peppol
    xml = build_ubl(doc)
    assert official_validator.validate_ubl(xml) == []
    assert official_validator.ubl_findings(xml) == []  # no warning either


def test_who_gets_a_peppol_ubl() -> None:
    """The Belgian seller's business clients with a Peppol id; nobody else."""
    sent = {name for name, make in DOCUMENTS.items() if make().goes_over_peppol}
    assert sent == {
        "be_domestic_21",
        "be_credit_note",
        "be_to_de_business",
        "be_to_ch_business",
        "be_hours",
    }
    no_vat_id = cases.make_case(jurisdiction="BE", client_country="DE", client_vat_id=None)
    assert no_vat_id.buyer.is_business
    assert not no_vat_id.goes_over_peppol  # e-mail only: no Peppol participant id


def test_a_document_without_peppol_ids_is_refused_as_ubl() -> None:
    with pytest.raises(ValueError, match="buyer has no Peppol participant identifier"):
        build_ubl(cases.make_case(jurisdiction="BE", client_country="DE", client_vat_id=None))
    with pytest.raises(ValueError, match="seller has no Peppol participant identifier"):
        build_ubl(cases.de_domestic_19())


def _tamper(xml: bytes, path: str, value: str) -> bytes:
    root = etree.fromstring(xml)
    (element,) = root.xpath(path, namespaces=NS)
    element.text = value
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8")


def test_tampered_cii_grand_total_fails_br_co_15(einvoice_validator: EinvoiceValidator) -> None:
    xml = build_cii(cases.de_domestic_19())
    tampered = _tamper(xml, "//ram:GrandTotalAmount", "5713.00")
    assert tampered != xml
    errors = einvoice_validator.validate_cii(tampered)
    assert "BR-CO-15" in _rule_ids(errors)  # gross = net + VAT
    assert "BR-CO-16" in _rule_ids(errors)  # due = gross - paid


def test_tampered_ubl_total_fails_br_co_15(official_validator: EinvoiceValidator) -> None:
    xml = build_ubl(cases.be_domestic_21())
    tampered = _tamper(xml, "/*/cac:LegalMonetaryTotal/cbc:TaxInclusiveAmount", "5809.00")
    assert "BR-CO-15" in _rule_ids(official_validator.validate_ubl(tampered))


def test_cii_vat_id_on_an_outside_scope_invoice_fails_br_o_02(
    einvoice_validator: EinvoiceValidator,
) -> None:
    xml = build_cii(cases.ch_outside_scope())
    root = etree.fromstring(xml)
    (registration,) = root.xpath(
        "//ram:SellerTradeParty/ram:SpecifiedTaxRegistration/ram:ID", namespaces=NS
    )
    registration.set("schemeID", "VA")
    registration.text = "DE123456789"
    assert "BR-O-02" in _rule_ids(einvoice_validator.validate_cii(etree.tostring(root)))


def test_schema_errors_are_reported_before_the_rules(
    einvoice_validator: EinvoiceValidator,
) -> None:
    xml = build_cii(cases.de_domestic_19()).replace(
        b"<ram:TypeCode>380", b"<ram:Bogus/><ram:TypeCode>380"
    )
    errors = einvoice_validator.validate_cii(xml)
    assert errors
    assert all(e.startswith("XSD") for e in errors)


def test_cii_content_of_a_reverse_charge_invoice() -> None:
    root = etree.fromstring(build_cii(cases.fr_reverse_charge()))

    def texts(path: str) -> list[str]:
        return [e.text for e in root.xpath(path, namespaces=NS)]

    assert texts("//ram:GuidelineSpecifiedDocumentContextParameter/ram:ID") == [
        "urn:cen.eu:en16931:2017"
    ]
    assert texts("//ram:BusinessProcessSpecifiedDocumentContextParameter/ram:ID") == [
        "urn:fdc:peppol.eu:2017:poacc:billing:01:1.0"
    ]
    assert texts("//ram:SellerTradeParty/ram:SpecifiedTaxRegistration/ram:ID[@schemeID='VA']") == [
        "DE123456789"
    ]
    assert texts("//ram:BuyerTradeParty/ram:SpecifiedTaxRegistration/ram:ID[@schemeID='VA']") == [
        "FR40303265045"
    ]
    assert texts(
        "//ram:ApplicableHeaderTradeSettlement/ram:ApplicableTradeTax/ram:CategoryCode"
    ) == ["AE"]
    assert texts(
        "//ram:ApplicableHeaderTradeSettlement/ram:ApplicableTradeTax/ram:ExemptionReasonCode"
    ) == ["VATEX-EU-AE"]
    (reason,) = texts(
        "//ram:ApplicableHeaderTradeSettlement/ram:ApplicableTradeTax/ram:ExemptionReason"
    )
    assert "Steuerschuldnerschaft des Leistungsempfängers" in reason
    assert texts("//ram:PaymentReference") == [cases.fr_reverse_charge().creditor_reference]
    assert texts("//ram:IBANID") == ["DE89370400440532013000"]
    assert texts("//ram:DuePayableAmount") == ["4800.00"]


def test_cii_credit_note_refers_to_the_invoice() -> None:
    invoice = cases.de_domestic_19()
    root = etree.fromstring(build_cii(cases.credit_note(invoice)))
    assert root.xpath("string(//rsm:ExchangedDocument/ram:TypeCode)", namespaces=NS) == "381"
    assert (
        root.xpath("string(//ram:InvoiceReferencedDocument/ram:IssuerAssignedID)", namespaces=NS)
        == invoice.number
    )


def test_ubl_credit_note_is_a_creditnote_document() -> None:
    invoice = cases.be_domestic_21()
    root = etree.fromstring(build_ubl(cases.credit_note(invoice)))
    assert etree.QName(root).localname == "CreditNote"
    assert root.findtext("cbc:CreditNoteTypeCode", namespaces=NS) == "381"
    assert (
        root.findtext("cac:BillingReference/cac:InvoiceDocumentReference/cbc:ID", namespaces=NS)
        == invoice.number
    )
    assert root.find("cac:CreditNoteLine", NS) is not None


def test_ubl_peppol_identifiers_of_a_belgian_b2b_invoice() -> None:
    root = etree.fromstring(build_ubl(cases.be_domestic_21()))
    assert root.findtext("cbc:CustomizationID", namespaces=NS) == (
        "urn:cen.eu:en16931:2017#compliant#urn:fdc:peppol.eu:2017:poacc:billing:3.0"
    )
    assert (
        root.findtext("cbc:ProfileID", namespaces=NS)
        == "urn:fdc:peppol.eu:2017:poacc:billing:01:1.0"
    )
    seller = root.find("cac:AccountingSupplierParty/cac:Party/cbc:EndpointID", NS)
    buyer = root.find("cac:AccountingCustomerParty/cac:Party/cbc:EndpointID", NS)
    assert (seller.get("schemeID"), seller.text) == ("0208", "0896755397")
    assert (buyer.get("schemeID"), buyer.text) == ("0208", "0403123486")
    assert root.findtext("cac:PaymentMeans/cbc:PaymentID", namespaces=NS).startswith("+++")


def test_business_buyers_outside_belgium_have_their_vat_based_peppol_id() -> None:
    for make, expected in (
        (cases.be_to_de_business, ("9930", "DE136695976")),
        (cases.be_to_ch_business, ("0183", "CHE116281710")),
    ):
        root = etree.fromstring(build_ubl(make()))
        (buyer,) = root.xpath(BUYER_ENDPOINT, namespaces=NS)
        assert (buyer.get("schemeID"), buyer.text) == expected


def test_the_former_email_endpoint_fails_peppol_cl008(
    official_validator: EinvoiceValidator,
) -> None:
    """Until now a business buyer outside Belgium was addressed by e-mail (EAS ``EM``): valid
    EN 16931, fatal in Peppol. The official rules find it; the hand-written subset did not."""
    root = etree.fromstring(build_ubl(cases.be_to_de_business()))
    (buyer,) = root.xpath(BUYER_ENDPOINT, namespaces=NS)
    buyer.set("schemeID", "EM")
    buyer.text = "ap@client.example"
    errors = official_validator.validate_ubl(etree.tostring(root))
    assert _rule_ids(errors) == {"PEPPOL-EN16931-CL008"}
    assert "/AccountingCustomerParty[1]/Party[1]/EndpointID[1]" in errors[0]


def _without(xml: bytes, path: str) -> bytes:
    root = etree.fromstring(xml)
    for element in root.xpath(path, namespaces=NS):
        element.getparent().remove(element)
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8")


@pytest.mark.parametrize(
    ("change", "rules"),
    [
        (
            lambda x: _tamper(x, "/*/cbc:CustomizationID", "urn:cen.eu:en16931:2017"),
            {"PEPPOL-EN16931-R004"},
        ),
        (lambda x: _without(x, "/*/cbc:BuyerReference"), {"PEPPOL-EN16931-R003"}),
        (lambda x: _tamper(x, "/*/cbc:BuyerReference", " "), {"PEPPOL-EN16931-R008"}),
        (lambda x: _tamper(x, BUYER_ENDPOINT, "0403123487"), {"PEPPOL-COMMON-R043"}),
        (
            lambda x: _tamper(x, "/*/cac:InvoiceLine/cac:Price/cbc:PriceAmount", "4700.00"),
            {"PEPPOL-EN16931-R120"},
        ),
        (
            lambda x: x.replace(b"<cbc:Note>", b"<cbc:Note>x</cbc:Note><cbc:Note>", 1),
            {"PEPPOL-EN16931-R002"},
        ),
    ],
)
def test_the_official_peppol_rules_catch_their_case(
    change: Callable[[bytes], bytes], rules: set[str], official_validator: EinvoiceValidator
) -> None:
    tampered = change(build_ubl(cases.be_domestic_21()))
    assert _rule_ids(official_validator.validate_ubl(tampered)) == rules


@pytest.mark.parametrize(
    ("name", "quantity", "unit", "price"),
    [("de_five_days", "5", "DAY", "960.00"), ("be_hours", "12.5", "HUR", "96.00")],
)
def test_an_order_in_days_or_hours_is_billed_in_them(
    name: str, quantity: str, unit: str, price: str
) -> None:
    doc = cases.UNIT_CASES[name]()
    cii = etree.fromstring(build_cii(doc))
    billed = cii.find(".//ram:BilledQuantity", NS)
    assert billed is not None
    assert (billed.get("unitCode"), billed.text) == (unit, quantity)
    assert cii.findtext(".//ram:NetPriceProductTradePrice/ram:ChargeAmount", namespaces=NS) == price
