"""A client's name planted with Markdown, HTML and a right-to-left override reaches ops in the
Temporal UI (summary, details, current details, step summaries) as the literal text it is."""

from __future__ import annotations

from datetime import date

from markdown_it import MarkdownIt

from api.temporal import static_details, static_summary
from domain.order_messages import InvoiceIssued, OrderInput
from domain.order_status import OrderStatus
from workflows.order.publishing import Shown, current_details

HOSTILE = "ACME [verify bank details](https://evil.example) <b>x</b> \u202eevil"
MD = MarkdownIt("commonmark", {"html": True})


def _order() -> OrderInput:
    return OrderInput(
        order_id=42,
        member_id=7,
        member_name="Ada *Lovelace*",
        client_id=3,
        client_name=HOSTILE,
        client_email="ap@acme.example",
        client_country="DE",
        client_is_business=True,
        jurisdiction="DE",
        description="Design",
        period_start=date(2026, 11, 2),
        period_end=date(2026, 11, 6),
        net_amount_cents=1_000,
        offer_valid_until=date(2026, 11, 30),
        submitted_on=date(2026, 11, 1),
    )


def _assert_literal(markdown: str) -> str:
    html = MD.render(markdown)
    assert "<a" not in html
    assert "<b>" not in html
    assert "<em>" not in html
    assert "\u202e" not in html
    return html


def test_summary_and_details_show_the_name_as_typed() -> None:
    summary = _assert_literal(static_summary(_order()))
    assert "ACME [verify bank details](https://evil.example) &lt;b&gt;x&lt;/b&gt;" in summary
    assert "&lt;U+202E&gt;evil" in summary
    assert "€10.00" in summary
    assert "Ada *Lovelace*" in summary
    details = _assert_literal(static_details(_order()))
    assert "<strong>Client</strong>" in details  # our own labels stay bold


def test_current_details_show_a_refused_steps_reason_as_typed() -> None:
    shown = Shown(
        status=OrderStatus.NEEDS_ATTENTION,
        waiting_for=f"ops: E-mail the offer to {HOSTILE} was refused: bad address",
        until=None,
        invoice=InvoiceIssued(
            invoice_id=1,
            number="DE-2026-000001",
            issue_date=date(2026, 11, 7),
            due_date=date(2026, 12, 7),
            gross_cents=1_190,
            creditor_reference="RF18539007547034",
        ),
        due_date=date(2026, 12, 7),
        amount_due=1_190,
        dunning_level=0,
        escalated=False,
        credit_note=None,
        refund_open=0,
        wage=None,
        wage_day=None,
    )
    html = _assert_literal(current_details(shown))
    assert "<strong>Waiting for</strong> ops: E-mail the offer to ACME [verify" in html
    assert "DE-2026-000001" in html
