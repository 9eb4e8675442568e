"""Postings of what the bank's statements say: the bank account in the ledger is the bank's.

Each imported statement line moves money between the bank account (``bank:<IBAN>``) and
``bank_clearing``, where the books put a payment received or a wage sent when they record it:
a client's transfer recorded by its order and read on the statement nets to zero in clearing;
what is left there is either recorded and not yet on a statement, or on a statement and not yet
explained (an unmatched line). The lines of one statement are posted summed per booking day
(the bank transactions keep the detail); the first statement of an account brings its opening
balance.
"""

from __future__ import annotations

from datetime import date

from domain.ledger import JournalEntry, Line, bank_account
from domain.money import Cents


def statement_day_booked(
    key: str, iban: str, day: date, credit_cents: Cents, debit_cents: Cents
) -> JournalEntry:
    """The new lines of one statement booked on ``day``: money in and money out."""
    bank = bank_account(iban)
    lines = [
        Line(account=bank, debit=credit_cents),
        Line(account="bank_clearing", credit=credit_cents),
        Line(account="bank_clearing", debit=debit_cents),
        Line(account=bank, credit=debit_cents),
    ]
    return JournalEntry(
        key=key,
        description=f"Bank statement lines of {day} on {iban}",
        lines=tuple(line for line in lines if line.debit or line.credit),
    )


def opening_balance(iban: str, cents: Cents, on: date) -> JournalEntry:
    """What the account held before the first statement read (a negative balance: overdrawn)."""
    bank = bank_account(iban)
    if cents >= 0:
        lines = (Line(account=bank, debit=cents), Line(account="opening_balances", credit=cents))
    else:
        lines = (Line(account="opening_balances", debit=-cents), Line(account=bank, credit=-cents))
    return JournalEntry(
        key=f"bank-opening:{iban}",
        description=f"Opening balance of {iban} on {on}",
        lines=tuple(line for line in lines if line.debit or line.credit),
    )
