"""What goes with an invoice e-mail: the Factur-X PDF always, the Peppol UBL for the Belgian
seller's business clients with a Peppol id, the XRechnung for clients with that profile; each
XML validated before it leaves, and not sent when the official rules could not check it."""

from __future__ import annotations

from pathlib import Path

import pytest

from adapters.documents.einvoice_validation import EinvoiceValidator
from adapters.documents.invoice_documents import InvalidInvoiceDocument, InvoiceDocuments
from config import default_seller
from domain.invoice_document import ElectronicAddress
from tests.invoices import cases


async def test_a_public_buyer_gets_the_pdf_and_its_xrechnung(
    tmp_path: Path, official_validator: EinvoiceValidator
) -> None:
    doc = cases.de_public_buyer()
    mail = await InvoiceDocuments(tmp_path, default_seller, official_validator).mail_for(doc)
    assert [a.filename for a in mail.attachments] == [
        f"{doc.number}.pdf",
        f"{doc.number}.xrechnung.xml",
    ]
    xml = mail.attachments[1].content
    assert official_validator.cii_findings(xml, "xrechnung") == []
    assert (tmp_path / f"{doc.number}.xrechnung.xml").read_bytes() == xml


async def test_a_german_business_of_the_belgian_seller_gets_the_peppol_ubl(
    tmp_path: Path, official_validator: EinvoiceValidator
) -> None:
    doc = cases.be_to_de_business()
    mail = await InvoiceDocuments(tmp_path, default_seller, official_validator).mail_for(doc)
    assert [a.filename for a in mail.attachments] == [
        f"{doc.number}.pdf",
        f"{doc.number}.ubl.xml",
    ]
    assert b'schemeID="9930">DE136695976<' in mail.attachments[1].content


async def test_no_ubl_leaves_unchecked_when_the_rules_are_missing(tmp_path: Path) -> None:
    validator = EinvoiceValidator(tmp_path / "no-rules")
    documents = InvoiceDocuments(tmp_path / "out", default_seller, validator)
    with pytest.raises(InvalidInvoiceDocument, match="RULES-NOT-RUN.*Peppol BIS Billing 3.0"):
        await documents.mail_for(cases.be_domestic_21())
    assert not (tmp_path / "out" / f"{cases.be_domestic_21().number}.ubl.xml").exists()


async def test_a_belgian_seller_without_a_peppol_id_stops_the_invoice(
    tmp_path: Path, official_validator: EinvoiceValidator
) -> None:
    """A configuration mistake is a permanent failure ops see, not an error retried forever."""
    misconfigured = default_seller("BE").model_copy(
        update={"electronic_address": ElectronicAddress(scheme="EM", value="billing@coop.example")}
    )
    doc = cases.be_domestic_21().model_copy(update={"seller": misconfigured})
    documents = InvoiceDocuments(tmp_path, lambda _: misconfigured, official_validator)
    with pytest.raises(InvalidInvoiceDocument, match="seller has no Peppol participant"):
        await documents.mail_for(doc)
