"""The plain-text invoice e-mail used when no documents adapter renders the legal invoice
(offers and reminders are localized in ``adapters.client_mail``).

The legal invoice document (PDF/A-3 with EN 16931 XML, in the client's language) is the
documents adapter's job; these texts carry every mandatory field so the e-mail stands alone.
"""

from __future__ import annotations

from db.models import Invoice
from domain.breakdown import OrderBreakdown
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
