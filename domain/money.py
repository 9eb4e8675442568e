"""Money: integer cents in storage, ``Decimal`` in computation, rounded once, half-up, here."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

Cents = int

_ONE = Decimal(1)


def round_cents(value: Decimal) -> Cents:
    """The one rounding function: a Decimal amount of cents to whole cents, half-up."""
    if not isinstance(value, Decimal):
        raise TypeError(f"round_cents takes a Decimal, not {type(value).__name__}")
    return int(value.quantize(_ONE, rounding=ROUND_HALF_UP))


def percent_of(amount: Cents, rate: Decimal) -> Cents:
    """``rate`` (a fraction: 0.09 for 9 %) of ``amount`` cents, rounded once."""
    return round_cents(Decimal(amount) * rate)


def to_decimal_euros(amount: Cents) -> Decimal:
    """Cents as euros with two places (for documents and XML), exact."""
    return (Decimal(amount) / 100).quantize(Decimal("0.01"))


def parse_euros(text: str) -> Cents:
    """``"4800.00"`` → 480000. Refuses more than two decimals rather than rounding input."""
    try:
        value = Decimal(text)
    except ArithmeticError as exc:
        raise ValueError(f"{text!r} is not an amount") from exc
    if not value.is_finite():
        raise ValueError(f"{text!r} is not an amount")
    cents = value * 100
    if cents != cents.to_integral_value():
        raise ValueError(f"{text!r} has more than two decimals")
    return int(cents)


def format_eur(amount: Cents) -> str:
    """``480000`` → ``"€4,800.00"`` (English grouping; documents localise later)."""
    sign = "-" if amount < 0 else ""
    euros, cents = divmod(abs(amount), 100)
    return f"{sign}€{euros:,}.{cents:02d}"
