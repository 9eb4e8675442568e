"""Server-rendered pages (signing link, finance desk): plain HTML, every value escaped."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from decimal import Decimal
from html import escape
from urllib.parse import parse_qs

from fastapi.responses import HTMLResponse

from api.page_texts import PayTexts
from api.schemas import FinanceCaseOut
from domain.money import format_eur

_STYLE = """
body{font-family:system-ui,sans-serif;max-width:60rem;margin:2rem auto;padding:0 1rem;color:#222}
table{border-collapse:collapse;width:100%}td,th{border-bottom:1px solid #ddd;padding:.4rem;
text-align:left;vertical-align:top}dt{font-weight:600}dd{margin:0 0 .6rem 0}
.msg{padding:.6rem;background:#eef6ee;border:1px solid #9c9}.err{padding:.6rem;background:#fbeaea;
border:1px solid #c99}input,select,button{font:inherit;margin:.15rem 0}form.inline{display:grid;
gap:.2rem;grid-template-columns:repeat(2,minmax(8rem,1fr))}
"""


def page(title: str, body: str, status: int = 200, *, lang: str = "en") -> HTMLResponse:
    return HTMLResponse(
        f"<!doctype html><html lang='{escape(lang)}'><head><meta charset='utf-8'>"
        f"<meta name='viewport' content='width=device-width,initial-scale=1'>"
        f"<title>{escape(title)}</title><style>{_STYLE}</style></head>"
        f"<body><h1>{escape(title)}</h1>{body}</body></html>",
        status_code=status,
        headers={"Cache-Control": "no-store"},
    )


def message_page(
    title: str, message: str, *, status: int = 200, error: bool = False, lang: str = "en"
) -> HTMLResponse:
    return page(
        title, f"<p class='{'err' if error else 'msg'}'>{escape(message)}</p>", status, lang=lang
    )


def form_fields(body: bytes) -> dict[str, str]:
    """``application/x-www-form-urlencoded`` → first value of each field."""
    parsed = parse_qs(body.decode("utf-8", errors="replace"), keep_blank_values=True)
    return {name: values[0] for name, values in parsed.items()}


def offer_page(
    texts: PayTexts,
    *,
    member_name: str,
    client_name: str,
    description: str,
    period_start: date,
    period_end: date,
    net_amount_cents: int,
    vat_rate: Decimal,
    vat_note: str,
    payment_terms_days: int,
    valid_until: date,
    open_: bool,
    closed_reason: str,
) -> HTMLResponse:
    """The offer in the client's language and locale (``texts``), with the form to answer."""
    t = texts.html
    rate = texts.fmt.percent(vat_rate * 100)
    period = t("period_value", start=texts.day(period_start), end=texts.day(period_end))
    details = (
        "<dl>"
        f"<dt>{t('from_label')}</dt><dd>{t('from_value', member=member_name)}</dd>"
        f"<dt>{t('for_label')}</dt><dd>{escape(client_name)}</dd>"
        f"<dt>{t('service_label')}</dt><dd>{escape(description)}</dd>"
        f"<dt>{t('period_label')}</dt><dd>{period}</dd>"
        f"<dt>{t('net_label')}</dt><dd>{escape(texts.money(net_amount_cents))}</dd>"
        f"<dt>{t('vat_label')}</dt><dd>{escape(rate)}"
        + (f" — {escape(vat_note)}" if vat_note else "")
        + "</dd>"
        f"<dt>{t('payment_label')}</dt><dd>{t('payment_value', days=str(payment_terms_days))}</dd>"
        f"<dt>{t('valid_label')}</dt><dd>{escape(texts.day(valid_until))}</dd>"
        "</dl>"
    )
    title = texts.text("title")
    lang = texts.language
    if not open_:
        return page(title, details + f"<p class='err'>{escape(closed_reason)}</p>", lang=lang)
    form = (
        "<form method='post'>"
        f"<p><label>{t('signer_label')}<br>"
        "<input name='signer_name' required maxlength='200' autocomplete='name'></label></p>"
        f"<p><label>{t('comment_label')}<br><textarea name='comment' rows='3' cols='50'"
        " maxlength='2000'></textarea></label></p>"
        f"<p><button name='decision' value='accept'>{t('accept')}</button> "
        f"<button name='decision' value='reject'>{t('reject')}</button></p>"
        "</form>"
    )
    return page(title, details + form, lang=lang)


def login_page(message: str = "", *, status: int = 200) -> HTMLResponse:
    note = f"<p class='err'>{escape(message)}</p>" if message else ""
    return page(
        "Finance desk — log in",
        note + "<form method='post' action='/finance/login'><p><label>Finance token<br>"
        "<input name='token' type='password' required size='50'></label></p>"
        "<p><button>Log in</button></p></form>",
        status,
    )


def _csrf(token: str) -> str:
    return f"<input type='hidden' name='csrf' value='{escape(token)}'>"


def _refund_form(case: FinanceCaseOut, today: date, csrf: str) -> str:
    action = f"/finance/cases/{case.case_id}/refunded"
    amount = f"{case.amount_due_cents // 100}.{case.amount_due_cents % 100:02d}"
    return (
        f"<form method='post' action='{action}' class='inline'>{_csrf(csrf)}"
        "<p>Invoice cancelled by a credit note: pay this back to the client by transfer, "
        "then record it.</p>"
        f"<label>Amount refunded (EUR)<input name='amount_eur' inputmode='decimal' "
        f"value='{amount}'></label>"
        f"<label>Refunded on<input type='date' name='refunded_on' value='{today}'></label>"
        "<label>Reference<input name='reference' maxlength='140'></label>"
        "<button>Record refund</button></form>"
    )


def _decision_form(case: FinanceCaseOut, today: date, csrf: str) -> str:
    if case.kind == "refund":
        return _refund_form(case, today, csrf)
    action = f"/finance/cases/{case.case_id}/decide"
    return (
        f"<form method='post' action='{action}' class='inline'>{_csrf(csrf)}"
        "<label>Decision<select name='kind'>"
        "<option value='record_payment'>record payment</option>"
        "<option value='extend'>extend due date</option>"
        "<option value='write_off'>write off (guarantee fund)</option>"
        "<option value='collection'>hand to collection</option>"
        "<option value='credit_note'>cancel the invoice by a credit note (note = reason)</option>"
        "</select></label>"
        f"<label>New due date<input type='date' name='new_due_date' min='{today}'></label>"
        "<label>Amount received (EUR)<input name='amount_eur' inputmode='decimal'"
        " placeholder='1234.56'></label>"
        f"<label>Received on<input type='date' name='received_on' value='{today}'></label>"
        "<label>Reference<input name='reference' maxlength='140'></label>"
        "<label>Note<input name='note' maxlength='2000'></label>"
        "<button>Decide</button></form>"
    )


def finance_page(
    cases: Sequence[FinanceCaseOut],
    *,
    who: str,
    today: date,
    message: str = "",
    error: str = "",
    status: int = 200,
    csrf: str,
) -> HTMLResponse:
    notes = ""
    if message:
        notes += f"<p class='msg'>{escape(message)}</p>"
    if error:
        notes += f"<p class='err'>{escape(error)}</p>"
    header = (
        f"<p>Logged in as {escape(who)}. "
        "<form method='post' action='/finance/logout' style='display:inline'>"
        f"{_csrf(csrf)}<button>Log out</button></form></p>"
    )
    if not cases:
        return page("Finance desk — open cases", header + notes + "<p>No open cases.</p>", status)
    rows = "".join(
        "<tr>"
        f"<td>#{c.case_id}<br>opened {c.opened_on}</td>"
        f"<td>order {c.order_id}<br>{escape(c.member_name)} → {escape(c.client_name)}</td>"
        f"<td>{escape(c.invoice_number)}<br>due {c.due_date}</td>"
        f"<td>{escape(format_eur(c.amount_due_cents))}<br>"
        + ("to refund" if c.kind == "refund" else f"dunning level {c.dunning_level}")
        + "</td>"
        f"<td>{_decision_form(c, today, csrf)}</td>"
        "</tr>"
        for c in cases
    )
    table = (
        "<table><thead><tr><th>Case</th><th>Order</th><th>Invoice</th><th>Due</th>"
        f"<th>Decision</th></tr></thead><tbody>{rows}</tbody></table>"
        "<p>Instalment plans: use <code>POST /finance/cases/{id}/decision</code> (see /docs).</p>"
    )
    return page("Finance desk — open cases", header + notes + table, status)
