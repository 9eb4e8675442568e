"""The invoice as a person reads it: HTML in the client's language → WeasyPrint PDF/A-3b with
the EN 16931 CII XML embedded as ``factur-x.xml`` (Factur-X), written in one pass, plus the e-mail
text.

Languages: every word comes from ``invoice_templates/<lang>.toml`` (one file per language, the
same keys in each; a missing key raises ``KeyError``: there is no English fallback). Numbers,
amounts and dates are formatted by Babel in the client's locale:

    de → de_DE, en → en_GB, fr → fr_FR, nl → nl_BE, it → it_IT, pl → pl_PL

except that a client in a country where the language is spoken gets that country's variant
(fr + BE → fr_BE, de + AT → de_AT, nl + NL → nl_NL, it + CH → it_CH, …; see ``locale_for``).

Only offline resources: the layout (``invoice.html`` styled by ``invoice.css``) uses the fonts
vendored in ``invoice_templates/fonts``; the URL fetcher serves those files and refuses
everything else (no network, no other file).
"""

from __future__ import annotations

import atexit
import html
import re
import tomllib
import zlib
from dataclasses import dataclass
from datetime import UTC, date, datetime
from decimal import Decimal
from functools import cache, lru_cache
from hashlib import md5
from pathlib import Path
from string import Template
from typing import Any
from xml.sax.saxutils import escape

from babel import Locale
from babel.dates import format_date
from babel.numbers import format_currency, format_decimal, format_percent

from adapters.documents.einvoice_cii import build_cii
from adapters.documents.rendering import RENDER_LOCK
from domain.invoice_document import InvoiceDocument, PostalAddress
from domain.invoice_wording import LANGUAGES
from domain.money import to_decimal_euros
from domain.order_messages import Language

TEMPLATE_DIR = Path(__file__).resolve().parent / "invoice_templates"

DEFAULT_LOCALE: dict[Language, str] = {
    "de": "de_DE",
    "en": "en_GB",
    "fr": "fr_FR",
    "nl": "nl_BE",
    "it": "it_IT",
    "pl": "pl_PL",
}
# Countries whose own variant of the language a client there reads.
_HOME_COUNTRIES: dict[Language, frozenset[str]] = {
    "de": frozenset({"DE", "AT", "CH", "LU", "BE", "LI"}),
    "en": frozenset({"GB", "IE", "MT"}),
    "fr": frozenset({"FR", "BE", "CH", "LU"}),
    "nl": frozenset({"BE", "NL"}),
    "it": frozenset({"IT", "CH"}),
    "pl": frozenset({"PL"}),
}


def locale_for(language: Language, country: str) -> str:
    if country.upper() in _HOME_COUNTRIES[language]:
        return f"{language}_{country.upper()}"
    return DEFAULT_LOCALE[language]


@cache
def labels(language: Language) -> dict[str, str]:
    """The labels of one language, exactly as its file holds them."""
    with (TEMPLATE_DIR / f"{language}.toml").open("rb") as f:
        data = tomllib.load(f)
    return {key: str(value).strip() for key, value in data.items()}


@cache
def _layout() -> Template:
    return Template((TEMPLATE_DIR / "invoice.html").read_text(encoding="utf-8"))


# ---- formatting in the client's locale ----


@dataclass(frozen=True)
class Formatter:
    locale: str
    currency: str = "EUR"

    def money(self, cents: int) -> str:
        return format_currency(to_decimal_euros(cents), self.currency, locale=self.locale)

    def day(self, value: date) -> str:
        return format_date(value, format="long", locale=self.locale)

    def percent(self, rate_percent: Decimal) -> str:
        return format_percent(rate_percent / 100, locale=self.locale, decimal_quantization=False)

    def quantity(self, value: Decimal) -> str:
        return format_decimal(value, locale=self.locale, decimal_quantization=False)

    def country(self, code: str) -> str:
        return str(Locale.parse(self.locale).territories.get(code, code))


def _e(value: object) -> str:
    return html.escape(str(value), quote=True)


def _iban(value: str) -> str:
    compact = value.replace(" ", "")
    return " ".join(compact[i : i + 4] for i in range(0, len(compact), 4))


def _address_html(address: PostalAddress, fmt: Formatter, with_country: bool) -> str:
    parts = [_e(line) for line in address.lines]
    city = " ".join(p for p in (address.postcode, address.city) if p)
    if city:
        parts.append(_e(city))
    if with_country:
        parts.append(_e(fmt.country(address.country)))
    return "\n".join(parts)  # shown with white-space: pre-line (fewer boxes than <br>)


def _rows(pairs: list[tuple[str, str]], css: str = "") -> str:
    cls = f' class="{css}"' if css else ""
    return "\n".join(f"<tr{cls}><th>{_e(k)}</th><td>{_e(v)}</td></tr>" for k, v in pairs)


def render_html(doc: InvoiceDocument) -> str:
    """The document as HTML in the client's language and locale."""
    lang = doc.language
    L = labels(lang)
    fmt = Formatter(locale_for(lang, doc.buyer.country), doc.currency)
    outside_scope = "O" in doc.categories
    reverse_charge = "AE" in doc.categories
    credit = doc.is_credit_note

    seller = doc.seller
    seller_ids = [f"{L['vat_id']}: {seller.vat_id}"]
    if seller.tax_number:
        seller_ids.append(f"{L['tax_number']}: {seller.tax_number}")
    if seller.legal_id:
        seller_ids.append(f"{L['register_number']}: {seller.legal_id}")

    meta: list[tuple[str, str]] = [
        (L["credit_note_number"] if credit else L["number"], doc.number),
        (L["credit_note_date"] if credit else L["issue_date"], fmt.day(doc.issue_date)),
        (L["service_period"], f"{fmt.day(doc.period_start)} – {fmt.day(doc.period_end)}"),
    ]
    if doc.due_date is not None:
        meta.append((L["due_date"], fmt.day(doc.due_date)))
    meta.append((L["reference"], doc.creditor_reference))

    buyer = doc.buyer
    buyer_lines = [_address_html(buyer.address, fmt, True)]
    if buyer.vat_id:
        label = L["buyer_tax_id"] if outside_scope else L["buyer_vat_id"]
        buyer_lines.append(f"{_e(label)}: {_e(buyer.vat_id)}")

    note = _e(doc.on_behalf_note)
    if credit and doc.preceding_invoice_number:
        corrects = L["corrects_invoice"].format(
            invoice=doc.preceding_invoice_number,
            date=fmt.day(doc.preceding_invoice_date or doc.issue_date),
        )
        note = f"<strong>{_e(corrects)}</strong>\n{note}"
        if doc.reason:
            note += f"\n{_e(L['reason'])}: {_e(doc.reason)}"

    line_rows = []
    for line in doc.lines:
        unit = L[f"unit_{line.unit_code}"]
        rate = "–" if line.vat_category == "O" else fmt.percent(line.vat_rate_percent)
        line_rows.append(
            "<tr>"
            f"<td>{_e(line.line_id)}</td><td>{_e(line.description)}</td>"
            f'<td class="num">{_e(fmt.quantity(line.quantity))} {_e(unit)}</td>'
            f'<td class="num">{_e(fmt.money(line.unit_net_cents))}</td>'
            f'<td class="num">{_e(rate)}</td>'
            f'<td class="num">{_e(fmt.money(line.net_cents))}</td>'
            "</tr>"
        )

    t = doc.totals
    totals: list[tuple[str, str]] = [(L["total_net"], fmt.money(t.net_cents))]
    for vat in doc.vat_breakdown:
        if vat.category == "S":
            label = L["vat_on"].format(
                rate=fmt.percent(vat.rate_percent), base=fmt.money(vat.taxable_cents)
            )
        else:
            label = L["no_vat"]
        totals.append((label, fmt.money(vat.tax_cents)))
    total_rows = [_rows(totals), _rows([(L["total_gross"], fmt.money(t.gross_cents))], "strong")]
    if credit:
        total_rows.append(_rows([(L["amount_credited"], fmt.money(t.due_cents))], "strong"))
    else:
        if t.paid_cents:
            total_rows.append(_rows([(L["paid"], fmt.money(t.paid_cents))]))
        total_rows.append(_rows([(L["amount_due"], fmt.money(t.due_cents))], "strong"))

    vat_wording = ""
    if reverse_charge or outside_scope:
        wording = L["reverse_charge"] if reverse_charge else L["outside_scope"]
        vat_wording = f'<p class="vat-note">{_e(wording)}</p>'
        if doc.legal_note:
            vat_wording += f'<p class="legal">{_e(doc.legal_note)}</p>'

    payment_block = ""
    if not credit:
        bank = [
            (L["account_holder"], seller.name),
            (L["iban"], _iban(seller.iban)),
            (L["bic"], seller.bic),
            (L["reference"], doc.creditor_reference),
        ]
        payment_block = (
            f'<h2>{_e(L["bank_transfer"])}</h2>\n<table class="meta">{_rows(bank)}</table>'
        )
        if doc.payment_link:
            link = _e(doc.payment_link)
            payment_block += f'\n<h2>{_e(L["pay_online"])}</h2>\n<p><a href="{link}">{link}</a></p>'

    values: dict[str, Any] = {
        "lang": lang,
        "title": _e(L["title_credit_note"] if credit else L["title_invoice"]),
        "number": _e(doc.number),
        "seller_name": _e(seller.name),
        "seller_address": _address_html(seller.address, fmt, True),
        "seller_ids": "\n".join(_e(x) for x in seller_ids),
        "meta_rows": _rows(meta),
        "buyer_name": _e(buyer.name),
        "buyer_block": "\n".join(buyer_lines),
        "note": note,
        "line_rows": "\n".join(line_rows),
        "total_rows": "\n".join(total_rows),
        "vat_wording": vat_wording,
        "payment_terms": _e(doc.payment_terms),
        "payment_block": payment_block,
    }
    values.update({f"l_{key}": _e(value) for key, value in L.items()})
    return _layout().substitute(values)


# ---- PDF/A-3 and Factur-X ----


_FONT_DIR = TEMPLATE_DIR / "fonts"


@cache
def _font_file(url: str) -> bytes:
    path = Path(url.removeprefix("file://")).resolve()
    if path.parent != _FONT_DIR or path.suffix != ".ttf":
        raise ValueError(f"invoice rendering fetches only its own fonts, not {url}")
    return path.read_bytes()


# The @font-face rules of invoice.css, for documents with a style sheet of their own.
_FONT_FACES = """
@font-face { font-family: "Invoice Sans"; font-weight: normal;
             src: url("fonts/InvoiceSans-Regular.ttf"); }
@font-face { font-family: "Invoice Sans"; font-weight: bold;
             src: url("fonts/InvoiceSans-Bold.ttf"); }
"""


@dataclass(frozen=True)
class _Engine:
    html: Any  # weasyprint.HTML
    fonts: Any  # FontConfiguration shared by every render (the two @font-face files)
    fetcher: Any  # serves the vendored fonts and nothing else
    stylesheet: Any  # weasyprint.CSS of invoice.css, parsed once
    stylesheet_fonts_only: Any  # the two @font-face rules alone (other documents: payslips)
    producer: str
    # Whether WeasyPrint can cut each font down to the glyphs a document uses with HarfBuzz's
    # subsetter (the C library libharfbuzz-subset, Debian package libharfbuzz-subset0): about a
    # millisecond, and the widths and Unicode map then cover those glyphs only. Without it
    # WeasyPrint subsets with fontTools, which costs more than the layout itself: the vendored
    # fonts (already cut to the Latin scripts the six languages need, ≈33 KB each) are then
    # embedded whole, compressed once per process (see `_reuse_compressed_fonts`).
    subset_fonts: bool


@cache
def _engine() -> _Engine:
    from weasyprint import CSS, HTML, VERSION
    from weasyprint.text import ffi
    from weasyprint.text.fonts import FontConfiguration
    from weasyprint.urls import URLFetcher, URLFetcherResponse

    class OwnFontsOnly(URLFetcher):  # type: ignore[misc]
        """The vendored fonts, nothing else: no network, no other file, fails loudly."""

        def __init__(self) -> None:
            super().__init__(allowed_protocols=("file",), fail_on_errors=True)

        def fetch(self, url: str, headers: Any = None) -> Any:
            return URLFetcherResponse(url, _font_file(url), {"Content-Type": "font/ttf"})

    fonts = FontConfiguration()
    fetcher = OwnFontsOnly()
    # Parsing the style sheet also registers its @font-face files in `fonts`: done once here
    # instead of once per document (an inline <style> was a tenth of the rendering time).
    stylesheet = CSS(
        filename=str(TEMPLATE_DIR / "invoice.css"), url_fetcher=fetcher, font_config=fonts
    )
    fonts_only = CSS(
        string=_FONT_FACES,
        base_url=f"{TEMPLATE_DIR.as_uri()}/",
        url_fetcher=fetcher,
        font_config=fonts,
    )
    # The shared FontConfiguration removes its temporary folder when collected: let that
    # happen at exit while the modules it needs still exist.
    atexit.register(_engine.cache_clear)
    subset_fonts = getattr(ffi, "harfbuzz_subset", None) is not None
    return _Engine(
        HTML, fonts, fetcher, stylesheet, fonts_only, f"WeasyPrint {VERSION}", subset_fonts
    )


def shared_fonts() -> _Engine:
    """WeasyPrint with the vendored fonts registered once per process, for other documents
    set in them (payslips). Callers hold ``adapters.documents.rendering.RENDER_LOCK``."""
    return _engine()


def render_pdf(doc: InvoiceDocument, cii_xml: bytes) -> bytes:
    """The Factur-X PDF/A-3b: the visual invoice with ``cii_xml`` embedded as
    ``factur-x.xml``, written in one pass."""
    # One FontConfiguration is shared between renders: renders in one process take turns.
    with RENDER_LOCK:
        return _render_pdf(doc, cii_xml)


def _render_pdf(doc: InvoiceDocument, cii_xml: bytes) -> bytes:
    engine = _engine()
    document = engine.html(
        string=render_html(doc),
        base_url=f"{TEMPLATE_DIR.as_uri()}/",
        url_fetcher=engine.fetcher,
    )
    return bytes(
        document.write_pdf(
            stylesheets=[engine.stylesheet],
            font_config=engine.fonts,
            pdf_variant="pdf/a-3b",
            full_fonts=not engine.subset_fonts,
            uncompressed_pdf=False,
            custom_metadata=False,
            finisher=_FacturX(doc, cii_xml, engine.producer, engine.subset_fonts),
        )
    )


# The fx: properties, each declared in the PDF/A extension schema (Factur-X 1.0, §6.2.2).
_FX_PROPERTIES = (
    ("DocumentFileName", "The name of the embedded XML document"),
    ("DocumentType", "The type of the hybrid document in capital letters, e.g. INVOICE or ORDER"),
    ("Version", "The actual version of the standard applying to the embedded XML document"),
    ("ConformanceLevel", "The conformance level of the embedded XML document"),
)
_FX_PROPERTY = (
    '<rdf:li rdf:parseType="Resource"><pdfaProperty:name>{}</pdfaProperty:name>\n'
    "<pdfaProperty:valueType>Text</pdfaProperty:valueType>"
    "<pdfaProperty:category>external</pdfaProperty:category>\n"
    "<pdfaProperty:description>{}</pdfaProperty:description></rdf:li>"
)
_XMP = """<?xpacket begin="\ufeff" id="W5M0MpCehiHzreSzNTczkc9d"?>
<x:xmpmeta xmlns:x="adobe:ns:meta/">
<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">
<rdf:Description rdf:about="" xmlns:pdfaid="http://www.aiim.org/pdfa/ns/id/">
<pdfaid:part>3</pdfaid:part>
<pdfaid:conformance>B</pdfaid:conformance>
</rdf:Description>
<rdf:Description rdf:about="" xmlns:dc="http://purl.org/dc/elements/1.1/">
<dc:title><rdf:Alt><rdf:li xml:lang="x-default">{title}</rdf:li></rdf:Alt></dc:title>
<dc:creator><rdf:Seq><rdf:li>{author}</rdf:li></rdf:Seq></dc:creator>
<dc:description><rdf:Alt><rdf:li xml:lang="x-default">{subject}</rdf:li></rdf:Alt></dc:description>
</rdf:Description>
<rdf:Description rdf:about="" xmlns:pdf="http://ns.adobe.com/pdf/1.3/">
<pdf:Producer>{producer}</pdf:Producer>
</rdf:Description>
<rdf:Description rdf:about="" xmlns:xmp="http://ns.adobe.com/xap/1.0/">
<xmp:CreatorTool>{creator}</xmp:CreatorTool>
<xmp:CreateDate>{date}</xmp:CreateDate>
<xmp:ModifyDate>{date}</xmp:ModifyDate>
<xmp:MetadataDate>{date}</xmp:MetadataDate>
</rdf:Description>
<rdf:Description rdf:about=""
 xmlns:pdfaExtension="http://www.aiim.org/pdfa/ns/extension/"
 xmlns:pdfaSchema="http://www.aiim.org/pdfa/ns/schema#"
 xmlns:pdfaProperty="http://www.aiim.org/pdfa/ns/property#">
<pdfaExtension:schemas><rdf:Bag><rdf:li rdf:parseType="Resource">
<pdfaSchema:schema>Factur-X PDFA Extension Schema</pdfaSchema:schema>
<pdfaSchema:namespaceURI>urn:factur-x:pdfa:CrossIndustryDocument:invoice:1p0#</pdfaSchema:namespaceURI>
<pdfaSchema:prefix>fx</pdfaSchema:prefix>
<pdfaSchema:property><rdf:Seq>
{fx_properties}
</rdf:Seq></pdfaSchema:property>
</rdf:li></rdf:Bag></pdfaExtension:schemas>
</rdf:Description>
<rdf:Description rdf:about="" xmlns:fx="urn:factur-x:pdfa:CrossIndustryDocument:invoice:1p0#">
<fx:DocumentType>INVOICE</fx:DocumentType>
<fx:DocumentFileName>factur-x.xml</fx:DocumentFileName>
<fx:Version>1.0</fx:Version>
<fx:ConformanceLevel>EN 16931</fx:ConformanceLevel>
</rdf:Description>
</rdf:RDF>
</x:xmpmeta>
<?xpacket end="r"?>""".replace(
    "{fx_properties}", "\n".join(_FX_PROPERTY.format(*p) for p in _FX_PROPERTIES)
)

CREATOR_TOOL = "coopflow"


class _FacturX:
    """WeasyPrint finisher: turns its PDF/A-3b into Factur-X before the file is written.

    Attaches the CII as ``factur-x.xml`` (AFRelationship Data, in the EmbeddedFiles name tree
    and the catalog's AF array) and replaces WeasyPrint's XMP with one that adds the Factur-X
    extension schema and EN 16931 conformance level. The Info dictionary and the XMP are
    written from the same values, as PDF/A requires (ISO 19005-3 §6.6.2.3.1)."""

    def __init__(
        self, doc: InvoiceDocument, cii_xml: bytes, producer: str, subset_fonts: bool
    ) -> None:
        self._doc = doc
        self._xml = cii_xml
        self._producer = producer
        self._subset_fonts = subset_fonts

    def __call__(self, document: Any, pdf: Any) -> None:
        import pydyf

        doc = self._doc
        now = datetime.now(UTC).replace(microsecond=0)
        pdf_date = pydyf.String(now.strftime("D:%Y%m%d%H%M%S+00'00'"))
        L = labels(doc.language)
        title = L["title_credit_note"] if doc.is_credit_note else L["title_invoice"]
        info = {
            "Title": f"{doc.seller.name}: {title} {doc.number}",
            "Author": doc.seller.name,
            "Subject": f"{title} {doc.number} — {doc.buyer.name}",
            "Creator": CREATOR_TOOL,
            "Producer": self._producer,
        }
        pdf.info.clear()
        pdf.info.update({key: pydyf.String(value) for key, value in info.items()})
        pdf.info["CreationDate"] = pdf.info["ModDate"] = pdf_date

        xmp = _XMP.format(
            title=escape(info["Title"]),
            author=escape(info["Author"]),
            subject=escape(info["Subject"]),
            producer=escape(info["Producer"]),
            creator=escape(info["Creator"]),
            date=now.isoformat(),
        ).encode("utf-8")
        metadata = pdf.objects[int(pdf.catalog["Metadata"].split()[0])]
        metadata.stream = [xmp]

        embedded = pydyf.Stream(
            [self._xml],
            pydyf.Dictionary(
                {
                    "Type": "/EmbeddedFile",
                    "Subtype": "/text#2fxml",
                    "Params": pydyf.Dictionary(
                        {
                            "Size": len(self._xml),
                            "CheckSum": f"<{md5(self._xml, usedforsecurity=False).hexdigest()}>",
                            "ModDate": pdf_date,
                        }
                    ),
                }
            ),
            compress=True,
        )
        pdf.add_object(embedded)
        filespec = pydyf.Dictionary(
            {
                "Type": "/Filespec",
                "F": pydyf.String("factur-x.xml"),
                "UF": pydyf.String("factur-x.xml"),
                "EF": pydyf.Dictionary({"F": embedded.reference, "UF": embedded.reference}),
                "Desc": pydyf.String("Factur-X XML file"),
                "AFRelationship": "/Data",
            }
        )
        pdf.add_object(filespec)
        names = pydyf.Dictionary(
            {"Names": pydyf.Array([pydyf.String("factur-x.xml"), filespec.reference])}
        )
        pdf.add_object(names)
        pdf.catalog.setdefault("Names", pydyf.Dictionary())["EmbeddedFiles"] = names.reference
        pdf.catalog["AF"] = pydyf.Array([filespec.reference])
        pdf.catalog["PageMode"] = "/UseAttachments"
        pdf.catalog["Lang"] = pydyf.String(
            locale_for(doc.language, doc.buyer.country).replace("_", "-")
        )
        if not self._subset_fonts:
            _reuse_compressed_fonts(pdf)


def _reuse_compressed_fonts(pdf: Any) -> None:
    """Whole embedded fonts are the same bytes in every document: deflate them once per
    process instead of once per document (pydyf compresses at level 9 when writing)."""
    import pydyf

    for obj in pdf.objects:
        if isinstance(obj, pydyf.Stream) and obj.compress and "Length1" in obj.extra:
            if len(obj.stream) != 1:
                continue
            (content,) = obj.stream
            obj.stream = [_deflated(content)]
            obj.compress = False
            obj.extra["Filter"] = "/FlateDecode"


@lru_cache(maxsize=8)
def _deflated(content: bytes) -> bytes:
    return zlib.compress(content, level=9)


@dataclass(frozen=True)
class RenderedInvoice:
    pdf: bytes  # PDF/A-3b with factur-x.xml embedded
    cii_xml: bytes


def render_invoice(doc: InvoiceDocument) -> RenderedInvoice:
    """PDF/A-3 + embedded EN 16931 CII: the Factur-X/ZUGFeRD invoice or credit note."""
    xml = build_cii(doc)
    return RenderedInvoice(pdf=render_pdf(doc, xml), cii_xml=xml)


# ---- e-mail text ----


@dataclass(frozen=True)
class MailText:
    subject: str
    body: str


def email_text(doc: InvoiceDocument) -> MailText:
    """The plain-text e-mail that carries the document, in the client's language."""
    L = labels(doc.language)
    fmt = Formatter(locale_for(doc.language, doc.buyer.country), doc.currency)
    common = {
        "client": doc.buyer.name,
        "number": doc.number,
        "seller": doc.seller.name,
        "member": doc.member_name,
        "issue_date": fmt.day(doc.issue_date),
        "payment_terms": doc.payment_terms,
        "description": "; ".join(line.description for line in doc.lines),
    }
    if doc.is_credit_note:
        subject = L["email_credit_note_subject"].format(**common)
        body = L["email_credit_note_body"].format(
            invoice=doc.preceding_invoice_number,
            amount=fmt.money(doc.totals.gross_cents),
            **common,
        )
    else:
        assert doc.due_date is not None
        subject = L["email_invoice_subject"].format(**common)
        body = L["email_invoice_body"].format(
            amount_due=fmt.money(doc.totals.due_cents),
            due_date=fmt.day(doc.due_date),
            account_holder=doc.seller.name,
            iban=_iban(doc.seller.iban),
            bic=doc.seller.bic,
            reference=doc.creditor_reference,
            payment_link=doc.payment_link or "",
            **common,
        )
    return MailText(subject=subject, body=re.sub(r"\n{3,}", "\n\n", body).strip() + "\n")


__all__ = [
    "DEFAULT_LOCALE",
    "LANGUAGES",
    "MailText",
    "RenderedInvoice",
    "email_text",
    "labels",
    "locale_for",
    "render_html",
    "render_invoice",
    "render_pdf",
]
