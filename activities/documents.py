"""Plain-text bodies of the e-mails the lifecycle sends (offer, invoice, reminder).

The legal invoice document (PDF/A-3 with EN 16931 XML, in the client's language) is the
documents adapter's job; these texts carry every mandatory field so the e-mail stands alone.
"""

from __future__ import annotations

from db.models import Invoice
from domain import order_steps as steps
from domain.breakdown import OrderBreakdown
from domain.money import format_eur
from domain.order_messages import OrderInput


def offer_text(order: OrderInput, link: str, coop_name: str) -> str:
    return (
        f"Hello {order.client_name},\n\n"
        f"{order.member_name}, a member of {coop_name}, offers you:\n\n"
        f"  {order.description}\n"
        f"  Period: {order.period_start} to {order.period_end}\n"
        f"  Price: {format_eur(order.net_amount_cents)} excl. VAT\n"
        f"  Payment terms: {order.payment_terms_days} days after the invoice\n\n"
        f"Accept or reject the offer here (no login needed), until {order.offer_valid_until}:\n"
        f"{link}\n\n"
        f"{coop_name}\n"
    )


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


def reminder_text(
    request: steps.SendReminder, invoice: Invoice, number: str, coop_name: str
) -> str:
    charges = []
    if request.fee_cents:
        charges.append(f"  Reminder fee:          {format_eur(request.fee_cents)}")
    if request.flat_compensation_cents:
        charges.append(f"  Flat compensation:     {format_eur(request.flat_compensation_cents)}")
    if request.interest_cents:
        charges.append(
            f"  Interest ({request.interest_rate * 100:.2f} % p.a.): "
            f"{format_eur(request.interest_cents)}"
        )
    charge_block = "\n".join(charges) + "\n" if charges else "  No charges with this notice.\n"
    return (
        f"{request.name} ({number})\n\n"
        f"Our invoice {invoice.number} of {invoice.issue_date}, due {invoice.due_date}, "
        f"still shows {format_eur(request.principal_due_cents)} open.\n\n"
        f"Charges with this notice (a separate document; the invoice is unchanged):\n"
        f"{charge_block}\n"
        f"Please pay by {request.pay_by}, quoting {invoice.creditor_reference}.\n\n"
        f"{coop_name}\n"
    )
