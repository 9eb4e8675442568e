"""Server-rendered pages of the signing and pay links: plain HTML, every value escaped. (The
finance desk renders Jinja2 templates: ``api.templating``.)"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from html import escape
from urllib.parse import parse_qs

from fastapi.responses import HTMLResponse

from api.page_texts import PayTexts
from domain.money import Cents, parse_euros

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


def typed_euros(text: str) -> Cents:
    """An amount a person typed in a form, in euros: a decimal comma reads as a point
    (``"1234,56"``), at most two decimals (``domain.money.parse_euros``)."""
    return parse_euros(text.replace(",", ".").strip())


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
