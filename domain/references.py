"""Creditor references a client quotes when paying: ISO 11649 ``RF`` (Germany) and the Belgian
structured communication ``+++ddd/dddd/dddcc+++`` (OGM/VCS)."""

from __future__ import annotations

import re

from domain.errors import DomainError
from domain.policy import Jurisdiction

_LETTERS_AS_NUMBERS = str.maketrans({chr(c): str(c - 55) for c in range(ord("A"), ord("Z") + 1)})
_RF_SHAPE = re.compile(r"RF\d{2}[0-9A-Z]{1,21}")
_NOT_DIGIT = re.compile(r"\D")


def _mod97_numeric(text: str) -> int:
    """ISO 7064 mod 97-10 over digits and capital letters mapped A=10 … Z=35."""
    return int(text.translate(_LETTERS_AS_NUMBERS)) % 97


def rf_check_digits_hold(compact: str) -> bool:
    """The check digits of an RF reference already in shape (``RF``, two digits, 1-21 of
    0-9A-Z, no spaces): the bank matcher calls this for every candidate it finds."""
    return _mod97_numeric(compact[4:] + compact[:4]) == 1


def ogm_check_digits_hold(digits: str) -> bool:
    """The check digits of a structured communication's 12 digits: the first 10 modulo 97
    (97 for 0) are the last two."""
    return (int(digits[:10]) % 97 or 97) == int(digits[10:])


def rf_reference(base: str) -> str:
    """``RF`` + 2 check digits + base (alphanumeric, ≤ 21 characters)."""
    base = re.sub(r"[^0-9A-Za-z]", "", base).upper()
    if not 1 <= len(base) <= 21:
        raise ValueError(f"RF reference base must be 1-21 alphanumerics, got {base!r}")
    check = 98 - _mod97_numeric(base + "RF00")
    return f"RF{check:02d}{base}"


def is_valid_rf(reference: str) -> bool:
    ref = reference.replace(" ", "").upper()
    return _RF_SHAPE.fullmatch(ref) is not None and rf_check_digits_hold(ref)


def ogm_reference(number: int) -> str:
    """Belgian structured communication from a number of up to 10 digits."""
    if not 0 <= number < 10**10:
        raise ValueError("structured communication base must have at most 10 digits")
    check = number % 97 or 97
    digits = f"{number:010d}{check:02d}"
    return f"+++{digits[:3]}/{digits[3:7]}/{digits[7:]}+++"


def is_valid_ogm(reference: str) -> bool:
    digits = _NOT_DIGIT.sub("", reference)
    return len(digits) == 12 and ogm_check_digits_hold(digits)


# A Belgian structured communication holds 10 digits before its check digits: two for the
# year, eight for the invoice's sequence in it.
OGM_SEQUENCES_PER_YEAR = 10**8


class ReferenceSpaceExhausted(DomainError):
    code = "reference-space-exhausted"


def creditor_reference(jurisdiction: Jurisdiction, year: int, sequence: int) -> str:
    """The reference printed on an invoice of series ``jurisdiction``/``year``. Belgian ones
    are unique as long as a year's sequence fits in eight digits: beyond, refused (it would
    repeat the next year's first references), never wrapped."""
    if jurisdiction == "BE":
        if not 0 <= sequence < OGM_SEQUENCES_PER_YEAR:
            raise ReferenceSpaceExhausted(
                f"invoice {sequence} of {year} has no unique Belgian structured communication: "
                f"its ten digits hold {OGM_SEQUENCES_PER_YEAR - 1:,} invoices a year"
            )
        return ogm_reference((year % 100) * OGM_SEQUENCES_PER_YEAR + sequence)
    return rf_reference(f"{jurisdiction}{year}{sequence:08d}")
