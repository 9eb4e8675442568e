"""XRechnung 3.0: the CII a client with the XRechnung profile receives passes EN 16931 and
KoSIT's rules (with the Peppol rules KoSIT takes over), run offline from their Schematron
sources; the CII as it was before fails them where it lacked something."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from lxml import etree

from adapters.documents.einvoice_cii import GUIDELINE_XRECHNUNG, build_cii, build_xrechnung
from adapters.documents.einvoice_rules import XRECHNUNG_PEPPOL_CII
from adapters.documents.einvoice_validation import EinvoiceValidator
from adapters.documents.xml_rules import Stylesheet, stylesheet_findings
from domain.invoice_document import InvoiceDocument
from tests.invoices import cases
from tests.invoices.test_einvoice_xml import DOCUMENTS, NS, _rule_ids

SETTLEMENT = "//ram:ApplicableHeaderTradeSettlement"


def _without(xml: bytes, path: str) -> bytes:
    root = etree.fromstring(xml)
    found = root.xpath(path, namespaces=NS)
    assert found, path
    for element in found:
        element.getparent().remove(element)
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8")


@pytest.mark.parametrize("name", DOCUMENTS)
def test_every_document_passes_en16931_and_xrechnung(
    name: str, official_validator: EinvoiceValidator
) -> None:
    xml = build_xrechnung(DOCUMENTS[name]())
    assert official_validator.validate_cii(xml, "xrechnung") == []
    # Not even a warning: BR-DE-21 (specification identifier), BR-DE-27/28 (contact formats).
    assert official_validator.cii_findings(xml, "xrechnung") == []


def test_the_public_buyer_gets_its_leitweg_id_and_the_xrechnung_identifier() -> None:
    doc = cases.de_public_buyer()
    assert doc.einvoice_profile == "xrechnung"
    root = etree.fromstring(build_xrechnung(doc))

    def text(path: str) -> str:
        return str(root.xpath(f"string({path})", namespaces=NS))

    assert text("//ram:GuidelineSpecifiedDocumentContextParameter/ram:ID") == GUIDELINE_XRECHNUNG
    assert text("//ram:BuyerReference") == "11-0-01-04-12345-67"
    contact = "//ram:SellerTradeParty/ram:DefinedTradeContact"
    assert text(f"{contact}/ram:PersonName") == "Buchhaltung"
    assert text(f"{contact}/ram:TelephoneUniversalCommunication/ram:CompleteNumber")
    assert text(f"{contact}/ram:EmailURIUniversalCommunication/ram:URIID") == (
        "billing@coopflow.example"
    )


Make = Callable[[], InvoiceDocument]


@pytest.mark.parametrize(
    ("make", "remove", "rule"),
    [
        # Every CII lacked the seller contact (BG-6).
        (cases.de_domestic_19, "//ram:SellerTradeParty/ram:DefinedTradeContact", "BR-DE-2"),
        # Credit notes carried no payment instructions (BG-16).
        (
            lambda: cases.credit_note(cases.de_domestic_19()),
            f"{SETTLEMENT}/ram:SpecifiedTradeSettlementPaymentMeans",
            "BR-DE-1",
        ),
        # Outside-scope invoices had no rate in their VAT breakdown (BT-119).
        (
            cases.ch_outside_scope,
            f"{SETTLEMENT}/ram:ApplicableTradeTax/ram:RateApplicablePercent",
            "BR-DE-14",
        ),
        # No business process (BT-23): a Peppol rule XRechnung takes over.
        (
            cases.de_domestic_19,
            "//ram:BusinessProcessSpecifiedDocumentContextParameter",
            "PEPPOL-EN16931-R001",
        ),
    ],
)
def test_what_the_former_cii_lacked_fails_xrechnung(
    make: Make, remove: str, rule: str, official_validator: EinvoiceValidator
) -> None:
    xml = _without(build_xrechnung(make()), remove)
    assert _rule_ids(official_validator.validate_cii(xml, "xrechnung")) == {rule}


def test_the_factur_x_cii_is_not_declared_xrechnung(official_validator: EinvoiceValidator) -> None:
    """The PDF's CII keeps the EN 16931 identifier Factur-X requires; as an XRechnung it only
    earns KoSIT's warning BR-DE-21, so XRechnung clients get their own file."""
    findings = official_validator.cii_findings(build_cii(cases.de_domestic_19()), "xrechnung")
    assert [(f.rule_id, f.flag) for f in findings] == [("BR-DE-21", "warning")]


def test_only_the_peppol_rules_kosit_lists_are_run_on_xrechnung(einvoice_rules_dir: Path) -> None:
    """The full Peppol CII rules object to an XRechnung (its specification identifier R004, two
    notes R002, an e-mail endpoint CL008); KoSIT leaves those rules out of XRechnung."""
    xml = build_xrechnung(cases.de_domestic_19())
    subset = XRECHNUNG_PEPPOL_CII.stylesheet(einvoice_rules_dir)
    assert subset is not None
    assert subset.only_ids is not None
    assert "PEPPOL-EN16931-R001" in subset.only_ids
    assert {f.rule_id for f in stylesheet_findings(xml, Stylesheet(subset.path))} == {
        "PEPPOL-EN16931-R002",
        "PEPPOL-EN16931-R004",
        "PEPPOL-EN16931-CL008",
    }
    assert stylesheet_findings(xml, subset) == []
