"""The invoice at completion: a gapless number, the documents, the e-mail with its payment link."""

from __future__ import annotations

from collections.abc import Callable

from sqlalchemy import select, update
from temporalio import activity

from activities import documents
from activities.errors import permanent_errors
from activities.heartbeat import heartbeating
from activities.order_base import OrderSteps
from adapters.documents.invoice_documents import InvoiceDocuments
from adapters.mail.mailers import Mailer, OutgoingMail
from db import ledger, pay_link_tokens
from db.invoice_numbers import format_invoice_number, take_next_number
from db.models import (
    Invoice,
    Order,
)
from domain import ledger as entries
from domain import order_steps as steps
from domain.breakdown import OrderBreakdown
from domain.invoice_document import Seller
from domain.order_contract import order_workflow_id
from domain.order_messages import (
    InvoiceIssued,
    OrderInput,
)
from domain.order_status import OrderStatus
from domain.references import creditor_reference


class InvoiceSteps(OrderSteps):
    """Issue the order's invoice (once, whatever retries it)."""

    _documents: InvoiceDocuments | None
    _mailer: Mailer
    _coop_name: str
    _seller: Callable[[str], Seller]
    _base_url: str

    # ------------------------------------------------------------------ invoice

    @activity.defn(name=steps.ISSUE_INVOICE)
    @heartbeating
    @permanent_errors
    async def issue_invoice(self, request: steps.IssueInvoice) -> InvoiceIssued:
        order = request.order
        b = request.breakdown
        async with self._sessions.begin() as session:
            invoice = await session.scalar(
                select(Invoice).where(Invoice.order_id == order.order_id)
            )
            if invoice is None:
                year = request.issue_date.year
                sequence = await take_next_number(session, order.jurisdiction, year)
                client = (await self._order(session, order.order_id)).client
                invoice = Invoice(
                    order_id=order.order_id,
                    number=format_invoice_number(order.jurisdiction, year, sequence),
                    jurisdiction=order.jurisdiction,
                    year=year,
                    sequence=sequence,
                    issue_date=request.issue_date,
                    due_date=request.due_date,
                    net_cents=b.net_cents,
                    vat_rate=str(b.vat_rate),
                    vat_cents=b.vat_cents,
                    gross_cents=b.gross_invoice_cents,
                    vat_treatment=request.vat.treatment.value,
                    vat_note=request.vat.legal_note,
                    creditor_reference=creditor_reference(order.jurisdiction, year, sequence),
                    client_name=order.client_name,
                    client_address=client.address,
                    client_vat_id=order.client_vat_id,
                    description=order.description,
                    period_start=request.actual_start,
                    period_end=request.actual_end,
                )
                session.add(invoice)
                await session.flush()
                # The invoice's payment link; Stripe's payment behind it is made when the
                # client opens it (api.services.pay_links). Each document carries a public
                # token of its own (db.pay_link_tokens).
                await pay_link_tokens.payment_link(session, invoice.id)
                key = order_workflow_id(order.order_id)
                await ledger.post(
                    session,
                    entries.invoice_issued(key, b),
                    order_id=order.order_id,
                    posted_on=request.issue_date,
                )
                await ledger.post(
                    session,
                    entries.fee_charged(key, b),
                    order_id=order.order_id,
                    posted_on=request.issue_date,
                )
                await session.execute(
                    update(Order)
                    .where(Order.id == order.order_id)
                    .values(
                        actual_start=request.actual_start,
                        actual_end=request.actual_end,
                        work_days=request.work_days,
                        status=OrderStatus.INVOICED.value,
                        amount_due_cents=b.gross_invoice_cents,
                    )
                )
        if invoice.mail_message_id is None:
            message_id = f"<invoice-{invoice.number}@coopflow>"
            mail = await self._invoice_mail(message_id, invoice, order, b)
            await documents.send_and_record(self._sessions, self._mailer, mail, Invoice, invoice.id)
        return InvoiceIssued(
            invoice_id=invoice.id,
            number=invoice.number,
            issue_date=invoice.issue_date,
            due_date=invoice.due_date,
            gross_cents=invoice.gross_cents,
            creditor_reference=invoice.creditor_reference,
        )

    async def _invoice_mail(
        self, message_id: str, invoice: Invoice, order: OrderInput, b: OrderBreakdown
    ) -> OutgoingMail:
        """The invoice e-mail in the client's language, with the PDF/A-3 (Factur-X) and, for a
        Belgian business client, the Peppol UBL attached."""
        if self._documents is None:
            return OutgoingMail(
                message_id=message_id,
                to=order.client_email,
                subject=f"Invoice {invoice.number} from {self._coop_name}",
                body_text=documents.invoice_text(invoice, order, b, self._coop_name),
            )
        doc = self._documents.document(
            invoice, order, order.jurisdiction, payment_link=await self._payment_link(invoice.id)
        )
        return await documents.document_mail(self._documents, doc, message_id, order.client_email)

    async def _payment_link(self, invoice_id: int) -> str:
        """A new ``/pay/<token>`` for a document about the invoice (a token per document:
        only hashes are stored, so a token cannot be read back for the next one)."""
        async with self._sessions.begin() as session:
            link = await pay_link_tokens.payment_link(session, invoice_id)
            token = await pay_link_tokens.mint(session, link.id)
        return f"{self._base_url}/pay/{token}"
