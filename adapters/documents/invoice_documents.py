"""The legal documents that go out with an invoice e-mail, rendered once per invoice number.

Every client: the PDF/A-3 with the embedded EN 16931 CII XML (Factur-X). The Belgian seller's
business clients with a Peppol participant identifier also get the Peppol BIS Billing 3.0 UBL
(``InvoiceDocument.goes_over_peppol``); clients with the XRechnung profile the CII as
XRechnung 3.0. Every XML is validated (``EinvoiceValidator``) before it leaves: an invalid
document — or one the official rules could not check — is a permanent failure that ops see,
never a silently sent invoice. Files are written once under ``<out_dir>/<number>.*`` so a
retried activity attaches the same bytes.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from adapters.documents.einvoice_cii import build_xrechnung
from adapters.documents.einvoice_ubl import build_ubl
from adapters.documents.einvoice_validation import EinvoiceValidator
from adapters.documents.invoice_pdf import render_invoice
from adapters.documents.invoice_text import email_text
from adapters.documents.render_pool import RenderPool, render_invoice_mail
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
    def __init__(
        self,
        out_dir: Path,
        seller: Callable[[str], Seller],
        validator: EinvoiceValidator,
        pool: RenderPool | None = None,
    ) -> None:
        self._out_dir = out_dir
        self._seller = seller
        self._validator = validator
        self._pool = pool  # render in its processes (adapters.documents.render_pool)

    def document(
        self, invoice: InvoiceRow, order: OrderFacts, jurisdiction: str, payment_link: str
    ) -> InvoiceDocument:
        return invoice_document_from(
            invoice, order, seller=self._seller(jurisdiction), payment_link=payment_link
        )

    async def mail_for(self, doc: InvoiceDocument) -> InvoiceMail:
        if self._pool is not None:
            mail: InvoiceMail = await self._pool.run(
                render_invoice_mail, self._out_dir, self._validator.rules_dir, doc
            )
            return mail
        return await asyncio.to_thread(self.render_now, doc)

    def render_now(self, doc: InvoiceDocument) -> InvoiceMail:
        """Render here and now (a thread of the worker, or a process of the pool)."""
        with RENDER_LOCK:
            return self._render_locked(doc)

    def _render_locked(self, doc: InvoiceDocument) -> InvoiceMail:
        pdf_path = self._out_dir / f"{doc.number}.pdf"
        if not pdf_path.exists():
            rendered = render_invoice(doc)
            self._check(doc, "EN 16931 (Factur-X)", self._validator.validate_cii(rendered.cii_xml))
            write_once(pdf_path, rendered.pdf)
        attachments = [_attachment(pdf_path, "application/pdf")]
        if doc.goes_over_peppol:
            attachments.append(
                self._xml(doc, "ubl", "Peppol BIS 3 UBL", build_ubl, self._validator.validate_ubl)
            )
        if doc.einvoice_profile == "xrechnung":
            attachments.append(
                self._xml(
                    doc,
                    "xrechnung",
                    "XRechnung",
                    build_xrechnung,
                    lambda xml: self._validator.validate_cii(xml, "xrechnung"),
                )
            )
        text = email_text(doc)
        return InvoiceMail(subject=text.subject, body=text.body, attachments=attachments)

    def _xml(
        self,
        doc: InvoiceDocument,
        suffix: str,
        what: str,
        build: Callable[[InvoiceDocument], bytes],
        validate: Callable[[bytes], list[str]],
    ) -> MailAttachment:
        path = self._out_dir / f"{doc.number}.{suffix}.xml"
        if not path.exists():
            try:
                xml = build(doc)
            except ValueError as exc:  # e.g. a Belgian seller configured without a Peppol id
                raise InvalidInvoiceDocument(f"{doc.number}: no {what}: {exc}") from exc
            self._check(doc, what, validate(xml))
            write_once(path, xml)
        return _attachment(path, "application/xml")

    @staticmethod
    def _check(doc: InvoiceDocument, what: str, problems: list[str]) -> None:
        if problems:
            raise InvalidInvoiceDocument(f"{doc.number} fails {what}: {'; '.join(problems[:5])}")


def _attachment(path: Path, content_type: str) -> MailAttachment:
    return MailAttachment(filename=path.name, content_type=content_type, content=path.read_bytes())
