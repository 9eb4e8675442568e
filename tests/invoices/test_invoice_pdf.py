"""The Factur-X PDF: PDF/A-3b as far as it can be checked offline, with the EN 16931 XML
embedded the way Factur-X/ZUGFeRD readers look for it."""

from __future__ import annotations

import io
import re

import facturx
import pytest
from lxml import etree
from pypdf import PdfReader

from adapters.documents.einvoice_validation import EinvoiceValidator
from adapters.documents.invoice_pdf import RenderedInvoice, render_invoice
from tests.invoices import cases

RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
XMP_NS = {
    "x": "adobe:ns:meta/",
    "rdf": RDF,
    "pdfaid": "http://www.aiim.org/pdfa/ns/id/",
    "dc": "http://purl.org/dc/elements/1.1/",
    "pdf": "http://ns.adobe.com/pdf/1.3/",
    "xmp": "http://ns.adobe.com/xap/1.0/",
    "fx": "urn:factur-x:pdfa:CrossIndustryDocument:invoice:1p0#",
}


@pytest.fixture(scope="module")
def rendered() -> RenderedInvoice:
    return render_invoice(cases.fr_reverse_charge())


@pytest.fixture(scope="module")
def reader(rendered: RenderedInvoice) -> PdfReader:
    return PdfReader(io.BytesIO(rendered.pdf))


def _xmp(reader: PdfReader) -> etree._Element:
    data = reader.trailer["/Root"]["/Metadata"].get_object().get_data()
    start, end = data.index(b"<x:xmpmeta"), data.index(b"</x:xmpmeta>") + len(b"</x:xmpmeta>")
    return etree.fromstring(data[start:end])


def _one(xmp: etree._Element, path: str) -> str:
    (value,) = xmp.xpath(path, namespaces=XMP_NS)
    return str(value).strip()


def test_xmp_declares_pdfa_3b_and_the_factur_x_en16931_extension(reader: PdfReader) -> None:
    xmp = _xmp(reader)
    assert _one(xmp, "//pdfaid:part/text()") == "3"
    assert _one(xmp, "//pdfaid:conformance/text()") == "B"
    assert _one(xmp, "//fx:DocumentFileName/text()") == "factur-x.xml"
    assert _one(xmp, "//fx:DocumentType/text()") == "INVOICE"
    assert _one(xmp, "//fx:ConformanceLevel/text()") == "EN 16931"
    # The extension schema that PDF/A requires for the fx: properties is described.
    schemas = xmp.xpath("//*[local-name()='namespaceURI']/text()")
    assert XMP_NS["fx"] in [s.strip() for s in schemas]


def test_embedded_file_is_the_cii_with_relationship_data(
    rendered: RenderedInvoice, reader: PdfReader, einvoice_validator: EinvoiceValidator
) -> None:
    root = reader.trailer["/Root"]
    (filespec,) = [ref.get_object() for ref in root["/AF"].get_object()]
    assert filespec["/F"] == filespec["/UF"] == "factur-x.xml"
    assert filespec["/AFRelationship"] == "/Data"
    stream = filespec["/EF"]["/F"].get_object()
    assert stream["/Subtype"] == "/text/xml"
    assert stream.get_data() == rendered.cii_xml
    names = root["/Names"]["/EmbeddedFiles"]["/Names"]
    assert names[0] == "factur-x.xml"
    # What a Factur-X reader extracts is valid EN 16931.
    filename, xml = facturx.get_xml_from_pdf(rendered.pdf, check_xsd=True)
    assert filename == "factur-x.xml"
    assert einvoice_validator.validate_cii(xml) == []


def test_output_intent_and_embedded_fonts(reader: PdfReader) -> None:
    root = reader.trailer["/Root"]
    (intent,) = [i.get_object() for i in root["/OutputIntents"]]
    assert intent["/S"] == "/GTS_PDFA1"
    assert intent["/DestOutputProfile"].get_object().get_data()[36:40] == b"acsp"  # ICC
    fonts = {}
    for page in reader.pages:
        for font in page["/Resources"]["/Font"].values():
            font = font.get_object()
            fonts[font["/BaseFont"]] = font
    assert fonts
    for name, font in fonts.items():
        descriptor = (
            font.get("/FontDescriptor")
            or font["/DescendantFonts"][0].get_object()["/FontDescriptor"]
        ).get_object()
        assert any(k in descriptor for k in ("/FontFile", "/FontFile2", "/FontFile3")), name
        # Only the vendored fonts: nothing comes from the machine's fontconfig.
        assert re.fullmatch(r"/[A-Z]{6}\+Invoice-Sans(-Bold)?", name), name


def test_info_dictionary_matches_the_xmp(reader: PdfReader) -> None:
    """PDF/A: Info entries with an XMP analogue must be equivalent to it."""
    xmp = _xmp(reader)
    info = reader.metadata
    assert info is not None
    assert info["/Title"] == _one(xmp, "//dc:title//rdf:li/text()")
    assert info["/Author"] == _one(xmp, "//dc:creator//rdf:li/text()")
    assert info["/Subject"] == _one(xmp, "//dc:description//rdf:li/text()")
    assert info["/Creator"] == _one(xmp, "//xmp:CreatorTool/text()")
    assert info["/Producer"] == _one(xmp, "//pdf:Producer/text()")
    assert "/Keywords" not in info or xmp.xpath("//pdf:Keywords", namespaces=XMP_NS)
    created = _one(xmp, "//xmp:CreateDate/text()")
    assert info["/CreationDate"].startswith("D:" + re.sub(r"\D", "", created)[:12])


def test_not_encrypted_one_page_and_language(reader: PdfReader) -> None:
    assert not reader.is_encrypted
    assert len(reader.pages) == 1
    assert reader.trailer["/Root"]["/Lang"] == "fr-FR"
    assert reader.pdf_header in ("%PDF-1.7", "%PDF-1.6")


def test_reverse_charge_pdf_shows_both_vat_ids_and_the_wording(reader: PdfReader) -> None:
    text = " ".join(reader.pages[0].extract_text().split())
    assert "DE123456789" in text
    assert "FR40303265045" in text
    assert "Autoliquidation" in text
    assert "Steuerschuldnerschaft des Leistungsempfängers" in text  # the stored legal note
    assert "RF" in text
    assert "https://pay.coopflow.example/i/" in text


def _text(pdf: bytes) -> str:
    page = PdfReader(io.BytesIO(pdf)).pages[0]
    return " ".join(page.extract_text().replace("\xa0", " ").replace("\u202f", " ").split())


def test_outside_scope_pdf_says_why_there_is_no_vat() -> None:
    text = _text(render_invoice(cases.ch_outside_scope()).pdf)
    assert "Nicht im Inland steuerbare Leistung" in text
    assert "CHE-123.456.788 MWST" in text


def test_credit_note_pdf_names_the_invoice() -> None:
    invoice = cases.de_domestic_19()
    rendered = render_invoice(cases.credit_note(invoice))
    text = _text(rendered.pdf)
    assert "Rechnungskorrektur" in text
    assert f"Storniert die Rechnung {invoice.number} vom 2. März 2026" in text
    assert "5.712,00 €" in text
    assert b"<ram:TypeCode>381</ram:TypeCode>" in rendered.cii_xml
