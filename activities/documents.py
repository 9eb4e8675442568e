"""The plain-text invoice e-mail used when no documents adapter renders the legal invoice
(offers and reminders are localized in ``adapters.mail.client_mail``).

The legal invoice document (PDF/A-3 with EN 16931 XML, in the client's language) is the
documents adapter's job; these texts carry every mandatory field so the e-mail stands alone.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from adapters.documents.invoice_documents import InvoiceDocuments
from adapters.mail.mailers import Mailer, OutgoingMail
from db.models import Invoice
from domain.breakdown import OrderBreakdown
from domain.invoice_document import InvoiceDocument
from domain.money import format_eur
from domain.order_messages import OrderInput


def invoice_text(invoice: Invoice, order: OrderInput, b: OrderBreakdown, coop_name: str) -> str:
    vat_line = (
        f"  VAT {b.vat_rate * 100:.0f} %:    {format_eur(b.vat_cents)}\n"
        if invoice.vat_treatment == "domestic"
        else f"  VAT: none. {invoice.vat_note}\n"
    )
    vat_ids = f"  Your VAT ID: {invoice.client_vat_id}\n" if invoice.client_vat_id else ""
    return (
        f"Invoice {invoice.number}\n"
        f"Issued {invoice.issue_date} by {coop_name} on behalf of {order.member_name}\n\n"
        f"To: {invoice.client_name}\n{invoice.client_address}\n{vat_ids}\n"
        f"Service: {invoice.description}\n"
        f"Service period: {invoice.period_start} to {invoice.period_end}\n\n"
        f"  Net:        {format_eur(b.net_cents)}\n"
        f"{vat_line}"
        f"  Total due:  {format_eur(b.gross_invoice_cents)}\n\n"
        f"Payable by {invoice.due_date} ({order.payment_terms_days} days after the invoice "
        f"date); in default from the following day without further notice.\n"
        f"Please quote the reference {invoice.creditor_reference} with your payment.\n"
    )


async def document_mail(
    documents: InvoiceDocuments, doc: InvoiceDocument, message_id: str, to: str
) -> OutgoingMail:
    """An invoice or credit note e-mail in the client's language with its legal documents
    attached (PDF/A-3 with the EN 16931 XML; the Peppol UBL and the XRechnung for the clients
    that get them, see ``InvoiceDocuments``)."""
    mail = await documents.mail_for(doc)
    return OutgoingMail(
        message_id=message_id,
        to=to,
        subject=mail.subject,
        body_text=mail.body,
        attachments=mail.attachments,
    )


async def send_and_record(
    sessions: async_sessionmaker[AsyncSession],
    mailer: Mailer,
    mail: OutgoingMail,
    model: Any,
    row_id: int,
) -> None:
    """Send a document's e-mail, then record its Message-ID on the document's row so a retried
    step does not send it again (a crash in between re-sends with the same Message-ID)."""
    await mailer.send(mail)
    async with sessions.begin() as session:
        await session.execute(
            update(model).where(model.id == row_id).values(mail_message_id=mail.message_id)
        )
