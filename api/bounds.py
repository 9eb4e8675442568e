"""The API's input types with their limits (``domain.bounds``), in one place: every id, amount,
date and text field of a request uses one of these, so a breach is a 422 naming the field."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any

from fastapi import Path, Query
from pydantic import AfterValidator, Field

from domain.bounds import MAX_AMOUNT_CENTS, MAX_DB_INT, MAX_ORDER_NET_CENTS, check_day, clean_text


def _day(value: date) -> date:
    return check_day(value, date.today())


def _line(value: str) -> str:
    return clean_text(value)


def _paragraph(value: str) -> str:
    return clean_text(value, multiline=True)


# Path parameters (/orders/{order_id}): within the database's integers, else 422, never a 500.
IdPath = Annotated[int, Path(ge=1, le=MAX_DB_INT)]
# An id in a body.
Ref = Annotated[int, Field(ge=1, le=MAX_DB_INT)]
Limit = Annotated[int, Query(ge=1, le=500, description="At most this many items")]
Offset = Annotated[int, Query(ge=0, le=MAX_DB_INT, description="Skip this many items")]

# Money in cents: an order's net price, and any other amount a person types.
OrderNetCents = Annotated[
    int,
    Field(gt=0, le=MAX_ORDER_NET_CENTS, description="Net price in cents (480000 = €4,800.00)"),
]
Cents = Annotated[int, Field(gt=0, le=MAX_AMOUNT_CENTS)]

Day = Annotated[date, AfterValidator(_day)]


def line(max_length: int, min_length: int = 0) -> Any:
    """One line of text people will read: NFC, no control or bidi characters."""
    return Annotated[
        str, Field(min_length=min_length, max_length=max_length), AfterValidator(_line)
    ]


def paragraph(max_length: int, min_length: int = 0) -> Any:
    """Text with line breaks (an address, a description, a comment)."""
    return Annotated[
        str, Field(min_length=min_length, max_length=max_length), AfterValidator(_paragraph)
    ]
