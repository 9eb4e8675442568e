"""The invoice or credit note as HTML in the client's language and locale: the one layout
(``invoice_templates/invoice.html``, styled by ``invoice.css`` when printed) filled with the
document's values and every label of its language."""

from __future__ import annotations

import html
from functools import cache
from string import Template
from typing import Any

from adapters.documents.invoice_text import TEMPLATE_DIR, Formatter, _iban, labels, locale_for
from domain.invoice_document import InvoiceDocument, PostalAddress


@cache
def _layout() -> Template:
    return Template((TEMPLATE_DIR / "invoice.html").read_text(encoding="utf-8"))


def _e(value: object) -> str:
    return html.escape(str(value), quote=True)


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


__all__ = ["render_html"]
