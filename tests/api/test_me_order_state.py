"""An order's state in words, from its live view (unit tests of ``api.me_order_state``)."""

from __future__ import annotations

import string
import tomllib
from datetime import date

from api.me_labels import LABELS_DIR, browser_language, labels
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
    for words in (EN, DE, labels("pl"), labels("es"), labels("../en")):
        for status in OrderStatus:
            assert state_words(status.value, view(status), None, words)
            assert state_words(status.value, None, None, words)


def _placeholders(text: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(text) if name}


def test_every_language_has_every_label_with_the_same_placeholders() -> None:
    english = tomllib.loads((LABELS_DIR / "en.toml").read_text(encoding="utf-8"))
    files = sorted(LABELS_DIR.glob("*.toml"))
    assert [f.stem for f in files] == ["de", "en", "fr", "it", "nl", "pl"]
    for file in files:
        own = tomllib.loads(file.read_text(encoding="utf-8"))
        assert own.keys() == english.keys(), file.stem
        for key, text in english.items():
            assert _placeholders(own[key]) == _placeholders(text), (file.stem, key)
        assert len(own["months"].split()) == 12, file.stem
        assert labels(file.stem)["lang"] == file.stem
    assert labels("es")["lang"] == "en"
    assert labels("../en")["lang"] == "en"


def test_before_log_in_the_browsers_language() -> None:
    assert browser_language("de-DE,de;q=0.9,en;q=0.8") == "de"
    assert browser_language("es-ES, fr;q=0.5, en;q=0.7") == "en"
    assert browser_language("es, nl-BE;q=0.4") == "nl"
    assert browser_language("") == "en"
    assert browser_language("../x, pl;q=oops, it;q=0.1") == "it"
