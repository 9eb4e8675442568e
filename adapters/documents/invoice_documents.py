"""The legal documents that go out with an invoice e-mail, rendered once per invoice number.

Germany and every client: the PDF/A-3 with the embedded EN 16931 CII XML (Factur-X). Belgian
business clients also get the Peppol BIS Billing 3.0 UBL. Every XML is validated (XSD and
EN 16931 Schematron) before it leaves: an invalid document is a permanent failure that ops see,
never a silently sent invoice. Files are written once under ``<out_dir>/<number>.*`` so a retried
activity attaches the same bytes.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from adapters.documents.einvoice_ubl import build_ubl
from adapters.documents.einvoice_validation import validate_cii, validate_ubl
from adapters.documents.invoice_pdf import render_invoice
from adapters.documents.invoice_text import email_text
from adapters.documents.rendering import RENDER_LOCK
from adapters.errors import PermanentAdapterError
from adapters.files import write_once
from adapters.mail.mailers import MailAttachment
from domain.invoice_builders import InvoiceRow, OrderFacts, invoice_document_from
from domain.invoice_document import InvoiceDocument, Seller


class InvalidInvoiceDocument(PermanentAdapterError):
    pass


@dataclass(frozen=True)
class InvoiceMail:
    subject: str
    body: str
    attachments: list[MailAttachment]


class InvoiceDocuments:
    def __init__(self, out_dir: Path, seller: Callable[[str], Seller]) -> None:
        self._out_dir = out_dir
        self._seller = seller

    def document(
        self, invoice: InvoiceRow, order: OrderFacts, jurisdiction: str, payment_link: str
    ) -> InvoiceDocument:
        return invoice_document_from(
            invoice, order, seller=self._seller(jurisdiction), payment_link=payment_link
        )

    async def mail_for(self, doc: InvoiceDocument) -> InvoiceMail:
        return await asyncio.to_thread(self._render, doc)

    def _render(self, doc: InvoiceDocument) -> InvoiceMail:
        with RENDER_LOCK:
            return self._render_locked(doc)

    def _render_locked(self, doc: InvoiceDocument) -> InvoiceMail:
        pdf_path = self._out_dir / f"{doc.number}.pdf"
        ubl_path = self._out_dir / f"{doc.number}.ubl.xml"
        peppol = doc.seller.address.country == "BE" and doc.buyer.is_business
        if not pdf_path.exists():
            rendered = render_invoice(doc)
            problems = validate_cii(rendered.cii_xml)
            if problems:
                raise InvalidInvoiceDocument(
                    f"invoice {doc.number} fails EN 16931: {'; '.join(problems[:5])}"
                )
            write_once(pdf_path, rendered.pdf)
        attachments = [
            MailAttachment(
                filename=pdf_path.name,
                content_type="application/pdf",
                content=pdf_path.read_bytes(),
            )
        ]
        if peppol:
            if not ubl_path.exists():
                ubl = build_ubl(doc)
                problems = validate_ubl(ubl)
                if problems:
                    raise InvalidInvoiceDocument(
                        f"Peppol UBL of {doc.number} is invalid: {'; '.join(problems[:5])}"
                    )
                write_once(ubl_path, ubl)
            attachments.append(
                MailAttachment(
                    filename=ubl_path.name,
                    content_type="application/xml",
                    content=ubl_path.read_bytes(),
                )
            )
        text = email_text(doc)
        return InvoiceMail(subject=text.subject, body=text.body, attachments=attachments)
