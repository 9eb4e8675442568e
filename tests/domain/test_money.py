"""Money: one half-up rounding function, strict parsing, English formatting."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from domain.money import format_eur, parse_euros, percent_of, round_cents, to_decimal_euros


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (Decimal("0.5"), 1),
        (Decimal("1.5"), 2),
        (Decimal("2.5"), 3),  # banker's rounding would give 2
        (Decimal("2.4999"), 2),
        (Decimal("0.49"), 0),
        (Decimal("3"), 3),
        # ROUND_HALF_UP rounds ties away from zero, so negatives mirror positives.
        (Decimal("-0.5"), -1),
        (Decimal("-2.5"), -3),
        (Decimal("-2.4"), -2),
        (Decimal("0"), 0),
    ],
)
def test_round_cents_is_half_up_away_from_zero(value: Decimal, expected: int) -> None:
    result = round_cents(value)
    assert result == expected
    assert type(result) is int


@pytest.mark.parametrize("value", [0.5, 1, "1.5", None])
def test_round_cents_refuses_anything_but_decimal(value: object) -> None:
    with pytest.raises(TypeError, match="round_cents takes a Decimal"):
        round_cents(value)  # type: ignore[arg-type]


@settings(max_examples=300, deadline=None)
@given(st.decimals(min_value=-(10**12), max_value=10**12, places=4, allow_nan=False))
def test_round_cents_is_within_half_a_cent_and_symmetric(value: Decimal) -> None:
    rounded = round_cents(value)
    assert abs(Decimal(rounded) - value) <= Decimal("0.5")
    assert round_cents(-value) == -rounded


def test_percent_of_rounds_once_half_up() -> None:
    assert percent_of(480000, Decimal("0.09")) == 43200
    assert percent_of(278605, Decimal("0.10")) == 27861  # 27860.5 → up
    assert percent_of(1, Decimal("0.5")) == 1
    assert percent_of(1, Decimal("0.49")) == 0


def test_to_decimal_euros_has_two_places() -> None:
    assert to_decimal_euros(480000) == Decimal("4800.00")
    assert str(to_decimal_euros(480000)) == "4800.00"
    assert str(to_decimal_euros(5)) == "0.05"
    assert str(to_decimal_euros(-1234)) == "-12.34"


@pytest.mark.parametrize(
    ("text", "cents"),
    [
        ("4800.00", 480000),
        ("4800", 480000),
        ("0.01", 1),
        ("12.5", 1250),
        ("-3.20", -320),
    ],
)
def test_parse_euros(text: str, cents: int) -> None:
    result = parse_euros(text)
    assert result == cents
    assert type(result) is int


@pytest.mark.parametrize("text", ["1.005", "4800.001", "0.999", "-0.001"])
def test_parse_euros_refuses_three_decimals(text: str) -> None:
    with pytest.raises(ValueError, match="more than two decimals"):
        parse_euros(text)


@settings(max_examples=300, deadline=None)
@given(st.integers(min_value=-(10**12), max_value=10**12))
def test_parse_euros_round_trips_to_decimal_euros(cents: int) -> None:
    assert parse_euros(str(to_decimal_euros(cents))) == cents


@pytest.mark.parametrize(
    ("cents", "text"),
    [
        (480000, "€4,800.00"),
        (0, "€0.00"),
        (5, "€0.05"),
        (99, "€0.99"),
        (100, "€1.00"),
        (123456789, "€1,234,567.89"),
        (-1250, "-€12.50"),
        (-5, "-€0.05"),
    ],
)
def test_format_eur(cents: int, text: str) -> None:
    assert format_eur(cents) == text


@settings(max_examples=300, deadline=None)
@given(st.integers(min_value=-(10**12), max_value=10**12))
def test_format_eur_reads_back(cents: int) -> None:
    text = format_eur(cents)
    assert parse_euros(text.replace("€", "").replace(",", "")) == cents


def test_round_cents_agrees_with_quantize_half_up() -> None:
    value = Decimal("1234.5")
    assert round_cents(value) == int(value.quantize(Decimal(1), rounding=ROUND_HALF_UP)) == 1235
