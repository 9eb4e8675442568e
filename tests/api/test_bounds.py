"""Every id, amount, date and text a request carries has its limits: a breach is a 422 naming
the field, never a 500, never a row or a document with a number no book can hold or a name
that reads differently from what it says."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import httpx
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pydantic import ValidationError

from api.schemas import ClientCreate, OrderCreate, PaymentCreate
from domain.bounds import (
    BIDI_CONTROLS,
    MAX_AMOUNT_CENTS,
    MAX_DB_INT,
    MAX_ORDER_NET_CENTS,
    date_window,
)
from tests.api.api_helpers import ADMIN, bearer, create_client, create_member
from tests.api.test_api_basics import assert_problem

TODAY = date.today()
FIRST, LAST = date_window(TODAY)


def _fields(problem: dict[str, Any]) -> set[str]:
    return {error["field"] for error in problem.get("errors", [])}


@pytest.mark.parametrize(
    "path",
    [
        f"/orders/{MAX_DB_INT + 1}",
        f"/orders/{10**30}",
        "/orders/0",
        f"/clients/{MAX_DB_INT + 1}",
        f"/orders?offset={MAX_DB_INT + 1}",
    ],
)
async def test_ids_and_offsets_beyond_the_database_are_422(
    api: httpx.AsyncClient, path: str
) -> None:
    response = await api.get(path, headers=ADMIN)
    assert response.status_code == 422, response.text


async def test_an_order_beyond_the_cooperatives_limit_is_refused(api: httpx.AsyncClient) -> None:
    _, token = await create_member(api)
    client = await create_client(api, token)
    body = {
        "client_id": client["id"],
        "description": "Big",
        "period_start": str(TODAY),
        "period_end": str(TODAY + timedelta(days=3)),
    }
    for cents in (MAX_ORDER_NET_CENTS + 1, 9 * 10**18, 10**30):
        response = await api.post(
            "/orders", headers=bearer(token), json=body | {"net_amount_cents": cents}
        )
        problem = assert_problem(response, 422, "validation-error")
        assert "net_amount_cents" in str(_fields(problem)), problem
    response = await api.post(
        "/orders",
        headers=bearer(token),
        json=body | {"net_amount_cents": 100, "period_end": "9999-12-31"},
    )
    assert "period_end" in str(_fields(assert_problem(response, 422, "validation-error")))


@pytest.mark.parametrize(
    "name", ["Evil \u202e00.01€", "ACME\x00GmbH", "ACME\r\nBcc: all@example.org", "A\u2066B"]
)
async def test_a_name_with_control_or_bidi_characters_is_refused(
    api: httpx.AsyncClient, name: str
) -> None:
    _, token = await create_member(api)
    response = await api.post(
        "/clients",
        headers=bearer(token),
        json={"name": name, "email": "ap@acme.example", "country": "DE"},
    )
    problem = assert_problem(response, 422, "validation-error")
    assert "name" in str(_fields(problem)), problem


async def test_names_are_stored_in_nfc(api: httpx.AsyncClient) -> None:
    _, token = await create_member(api)
    client = await create_client(api, token, name="Cafe\u0301 Müller")  # e + combining acute
    assert client["name"] == "Café Müller"


# ---- the property: whatever a request carries, what passes is within bounds ----

ints = st.one_of(st.integers(), st.integers(min_value=-(2**70), max_value=2**70))
days = st.dates(min_value=date(1, 1, 1), max_value=date(9999, 12, 31))
texts = st.text(max_size=300)


def _clean(text: str) -> bool:
    return not any(c in BIDI_CONTROLS or (ord(c) < 32 and c not in "\n\t") for c in text)


@settings(max_examples=300, deadline=None)
@given(client_id=ints, cents=ints, start=days, end=days, description=texts)
def test_an_order_that_passes_is_bounded(
    client_id: int, cents: int, start: date, end: date, description: str
) -> None:
    try:
        order = OrderCreate(
            client_id=client_id,
            description=description,
            period_start=start,
            period_end=end,
            net_amount_cents=cents,
        )
    except ValidationError:
        return
    assert 1 <= order.client_id <= MAX_DB_INT
    assert 0 < order.net_amount_cents <= MAX_ORDER_NET_CENTS
    assert FIRST <= order.period_start <= order.period_end <= LAST
    assert _clean(order.description)


@settings(max_examples=300, deadline=None)
@given(order_id=ints, cents=ints, on=days, reference=texts)
def test_a_payment_that_passes_is_bounded(
    order_id: int, cents: int, on: date, reference: str
) -> None:
    try:
        payment = PaymentCreate(
            order_id=order_id, amount_cents=cents, received_on=on, reference=reference
        )
    except ValidationError:
        return
    assert 1 <= payment.order_id <= MAX_DB_INT
    assert 0 < payment.amount_cents <= MAX_AMOUNT_CENTS
    assert FIRST <= payment.received_on <= LAST
    assert _clean(payment.reference)
    assert "\n" not in payment.reference


@settings(max_examples=300, deadline=None)
@given(name=texts, address=texts, vat_id=st.one_of(st.none(), texts))
def test_a_client_that_passes_is_bounded(name: str, address: str, vat_id: str | None) -> None:
    try:
        client = ClientCreate(
            name=name, email="ap@acme.example", address=address, country="DE", vat_id=vat_id
        )
    except ValidationError:
        return
    assert 1 <= len(client.name) <= 200
    assert _clean(client.name)
    assert "\n" not in client.name
    assert _clean(client.address)
    assert client.vat_id is None or _clean(client.vat_id)
