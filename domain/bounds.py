"""The limits of what the cooperative accepts, in one place: amounts, database integers, dates,
and text that other people will read (clients, ops, finance, the tax office's XML).

The API turns a breach into a 422 naming the field; below it, activities treat data no rule
foresaw as permanent (``activities.errors``), so nothing retries for ever.
"""

from __future__ import annotations

import unicodedata
from datetime import date

# Ids and offsets: what the databases store (SQLite INTEGER and PostgreSQL BIGINT are 64-bit).
MAX_DB_INT = 2**63 - 1
# The cooperative's own limit per order (its policy, not a legal figure): €10,000,000.00 net.
# Larger work is split into several orders or handled by finance. Every amount a person types
# (a payment, a refund, an expense, an instalment) stays below what the largest order can owe
# with VAT and dunning charges.
MAX_ORDER_NET_CENTS = 1_000_000_000
MAX_AMOUNT_CENTS = 2 * MAX_ORDER_NET_CENTS
# Dates: within this many years of today (no year 1, no year 9999).
DATE_WINDOW_YEARS = 10

# Bidirectional embeddings, overrides and isolates, and the marks that steer them: U+202E makes
# "€10.00" read "00.01€".
BIDI_CONTROLS = frozenset(
    "\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"
)


def clean_text(value: str, *, multiline: bool = False) -> str:
    """``value`` in Unicode NFC, or ValueError naming the first character that has no place in
    a name or a description: control characters (line breaks only where ``multiline``),
    bidi controls, unassigned and private-use code points, lone surrogates."""
    value = unicodedata.normalize("NFC", value)
    if multiline:
        value = value.replace("\r\n", "\n")
    for char in value:
        if char in BIDI_CONTROLS:
            raise ValueError(
                f"contains the bidirectional control character U+{ord(char):04X}, which can "
                "make text read differently from what it says; type it without"
            )
        category = unicodedata.category(char)
        if category == "Cc" and not (multiline and char in "\n\t"):
            raise ValueError(f"contains the control character U+{ord(char):04X}")
        if category in ("Cs", "Co", "Cn"):
            raise ValueError(f"contains U+{ord(char):04X}, which is not a character to print")
    return value


def date_window(today: date) -> tuple[date, date]:
    def shifted(years: int) -> date:
        try:
            return today.replace(year=today.year + years)
        except ValueError:  # 29 February
            return today.replace(year=today.year + years, day=28)

    return shifted(-DATE_WINDOW_YEARS), shifted(DATE_WINDOW_YEARS)


def check_day(value: date, today: date) -> date:
    first, last = date_window(today)
    if not first <= value <= last:
        raise ValueError(f"must lie between {first} and {last}")
    return value
