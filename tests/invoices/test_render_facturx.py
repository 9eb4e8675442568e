"""The Factur-X PDF written in one pass by WeasyPrint (no second parse and write by factur-x or
pypdf): PDF/A-3 metadata rules, the attachment's own metadata, the fonts as embedded, and
renders in one process that do not leak into each other through the shared style sheet and
fonts."""

from __future__ import annotations

import hashlib
import io
import re
import zlib
from typing import Any

import facturx
import pytest
from lxml import etree
from pypdf import PdfReader

from adapters.documents.einvoice_validation import EinvoiceValidator
from adapters.documents.invoice_pdf import RenderedInvoice, render_invoice
from adapters.documents.invoice_text import locale_for
from domain.invoice_wording import LANGUAGES
from tests.invoices import cases

RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
FX = "urn:factur-x:pdfa:CrossIndustryDocument:invoice:1p0#"
NS = {
    "rdf": RDF,
    "xmp": "http://ns.adobe.com/xap/1.0/",
    "pdfaSchema": "http://www.aiim.org/pdfa/ns/schema#",
    "pdfaProperty": "http://www.aiim.org/pdfa/ns/property#",
    "fx": FX,
}


@pytest.fixture(scope="module")
def credit_note() -> RenderedInvoice:
    return render_invoice(cases.credit_note(cases.de_domestic_19()))


def _reader(pdf: bytes) -> PdfReader:
    return PdfReader(io.BytesIO(pdf))


def _xmp(reader: PdfReader) -> etree._Element:
    data = reader.trailer["/Root"]["/Metadata"].get_object().get_data()
    assert data.startswith(b'<?xpacket begin="\xef\xbb\xbf"')
    assert re.search(rb"<\?xpacket end=\"r\"\?>\s*$", data)
    start, end = data.index(b"<x:xmpmeta"), data.index(b"</x:xmpmeta>") + len(b"</x:xmpmeta>")
    return etree.fromstring(data[start:end])


def _pdf_date(value: str) -> str:
    """D:20260302101500+00'00' → 20260302101500"""
    return value.removeprefix("D:")[:14]


def test_xmp_is_one_rdf_whose_descriptions_all_describe_this_document(
    credit_note: RenderedInvoice,
) -> None:
    xmp = _xmp(_reader(credit_note.pdf))
    (rdf,) = xmp.findall(f"{{{RDF}}}RDF")
    descriptions = rdf.findall(f"{{{RDF}}}Description")
    assert descriptions
    assert {d.get(f"{{{RDF}}}about") for d in descriptions} == {""}


def test_every_fx_property_in_the_xmp_is_declared_in_the_extension_schema(
    credit_note: RenderedInvoice,
) -> None:
    xmp = _xmp(_reader(credit_note.pdf))
    used = {etree.QName(e).localname for e in xmp.iter() if etree.QName(e).namespace == FX}
    assert used == {"DocumentType", "DocumentFileName", "Version", "ConformanceLevel"}
    (schema,) = xmp.xpath("//rdf:li[pdfaSchema:namespaceURI=$uri]", namespaces=NS, uri=FX)
    assert schema.findtext(f"{{{NS['pdfaSchema']}}}prefix") == "fx"
    declared = {str(name) for name in schema.xpath(".//pdfaProperty:name/text()", namespaces=NS)}
    assert declared == used
    # Factur-X names the hybrid document INVOICE whatever the CII type code (381 here).
    assert xmp.xpath("string(//fx:DocumentType)", namespaces=NS) == "INVOICE"


def test_info_dates_are_the_xmp_dates(credit_note: RenderedInvoice) -> None:
    reader = _reader(credit_note.pdf)
    xmp = _xmp(reader)
    info = reader.metadata
    assert info is not None
    for info_key, xmp_name in (("/CreationDate", "CreateDate"), ("/ModDate", "ModifyDate")):
        xmp_date = xmp.xpath(f"string(//xmp:{xmp_name})", namespaces=NS)
        assert _pdf_date(info[info_key]) == re.sub(r"\D", "", xmp_date)[:14]
    assert "/Keywords" not in info


def test_the_attachment_carries_its_own_size_checksum_and_type(
    credit_note: RenderedInvoice, einvoice_validator: EinvoiceValidator
) -> None:
    root = _reader(credit_note.pdf).trailer["/Root"]
    (filespec,) = [ref.get_object() for ref in root["/AF"]]
    stream = filespec["/EF"]["/F"].get_object()
    params = stream["/Params"]
    xml = credit_note.cii_xml
    assert stream.get_data() == xml
    assert params["/Size"] == len(xml)
    checksum = params["/CheckSum"]
    raw = checksum.original_bytes if hasattr(checksum, "original_bytes") else bytes(checksum)
    assert raw == hashlib.md5(xml).digest()
    assert params["/ModDate"].startswith("D:")
    assert stream["/Subtype"] == "/text/xml"
    assert root["/PageMode"] == "/UseAttachments"
    assert b"<ram:TypeCode>381</ram:TypeCode>" in xml
    extracted = facturx.get_xml_from_pdf(credit_note.pdf, check_xsd=True)[1]
    assert einvoice_validator.validate_cii(extracted) == []


def _font_files(reader: PdfReader) -> list[Any]:
    streams = []
    for font in reader.pages[0]["/Resources"]["/Font"].values():
        font = font.get_object()
        descendant = font["/DescendantFonts"][0].get_object()
        streams.append(descendant["/FontDescriptor"].get_object()["/FontFile2"].get_object())
    return streams


def test_embedded_fonts_are_whole_truetype_files_of_the_declared_length(
    credit_note: RenderedInvoice,
) -> None:
    """Whether WeasyPrint subsets them (HarfBuzz subsetter present) or they are embedded whole
    with a deflate computed once per process, each FontFile2 inflates to a TrueType file
    whose length is its /Length1."""
    fonts = _font_files(_reader(credit_note.pdf))
    assert len(fonts) == 2  # regular and bold
    for stream in fonts:
        assert stream["/Filter"] == "/FlateDecode"
        data = zlib.decompress(stream._data)
        assert data[:4] == b"\x00\x01\x00\x00"
        assert len(data) == stream["/Length1"]


@pytest.mark.parametrize("language", LANGUAGES)
def test_each_language_embeds_its_own_xml_and_declares_its_locale(language: str) -> None:
    doc = cases.make_case(language=language, client_country="BE")
    rendered = render_invoice(doc)
    reader = _reader(rendered.pdf)
    assert reader.trailer["/Root"]["/Lang"] == locale_for(language, "BE").replace("_", "-")
    filename, xml = facturx.get_xml_from_pdf(rendered.pdf, check_xsd=False)
    assert (filename, xml) == ("factur-x.xml", rendered.cii_xml)
    assert doc.number in reader.metadata["/Title"]


def _text(pdf: bytes) -> str:
    return " ".join(_reader(pdf).pages[0].extract_text().split())


def test_renders_in_one_process_do_not_leak_into_each_other() -> None:
    """The style sheet, fonts and URL fetcher are shared between renders: a document rendered
    after others reads exactly as when rendered before them."""
    first = cases.de_domestic_19()
    other = cases.make_case(
        client_country="FR",
        client_vat_id="FR40303265045",
        client_name="Atelier Autre SARL",
        language="fr",
        sequence=777,
    )
    assert other.number != first.number
    before = render_invoice(first)
    render_invoice(other)
    render_invoice(cases.credit_note(first))
    after = render_invoice(first)
    assert _text(after.pdf) == _text(before.pdf)
    assert after.cii_xml == before.cii_xml
    assert other.number not in _text(after.pdf)
    assert "Atelier Autre" not in _text(after.pdf)
