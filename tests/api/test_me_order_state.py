"""An order's state in words, from its live view (unit tests of ``api.me_order_state``)."""

from __future__ import annotations

from datetime import date

from api.me_labels import labels
from api.me_order_state import state_words
from domain.order_messages import OrderView
from domain.order_status import OrderStatus

EN = labels("en")
DE = labels("de")


def view(status: OrderStatus, **values: object) -> OrderView:
    return OrderView.model_validate(
        {
            "order_id": 1,
            "status": status,
            "waiting_for": "",
            "business_today": date(2026, 12, 7),
        }
        | values
    )


def test_states_in_words() -> None:
    awaiting = view(OrderStatus.AWAITING_SIGNATURE, until=date(2026, 12, 12))
    assert state_words("AwaitingSignature", awaiting, None, EN) == (
        "waiting for the client's signature until 12 Dec 2026"
    )
    invoiced = view(OrderStatus.INVOICED, due_date=date(2026, 12, 23))
    assert state_words("Invoiced", invoiced, None, EN) == "invoiced, due 23 Dec 2026"
    assert (
        state_words("Invoiced", invoiced, None, DE)
        == "in Rechnung gestellt, fällig am 23. Dez. 2026"
    )
    overdue = view(OrderStatus.OVERDUE, due_date=date(2026, 11, 2), dunning_level=2)
    assert state_words("Overdue", overdue, None, EN) == "overdue since 2 Nov 2026 (reminder 2)"
    paid = view(OrderStatus.CLOSED, wage_paid=True)
    assert state_words("Closed", paid, None, EN) == "wage paid"
    assert state_words("Draft", None, None, EN) == "draft, not sent yet"
    away = state_words("Invoiced", None, "the workflow service did not answer", EN)
    assert away == "state not available just now"


def test_every_status_has_words_in_every_language() -> None:
    for words in (EN, DE, labels("pl"), labels("../en")):
        for status in OrderStatus:
            assert state_words(status.value, view(status), None, words)
            assert state_words(status.value, None, None, words)
