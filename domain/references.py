"""Creditor references a client quotes when paying: ISO 11649 ``RF`` (Germany) and the Belgian
structured communication ``+++ddd/dddd/dddcc+++`` (OGM/VCS)."""

from __future__ import annotations

import re

from domain.policy import Jurisdiction


def _mod97_numeric(text: str) -> int:
    """ISO 7064 mod 97-10 over letters mapped A=10 … Z=35."""
    digits = "".join(str(int(ch, 36)) for ch in text)
    return int(digits) % 97


def rf_reference(base: str) -> str:
    """``RF`` + 2 check digits + base (alphanumeric, ≤ 21 characters)."""
    base = re.sub(r"[^0-9A-Za-z]", "", base).upper()
    if not 1 <= len(base) <= 21:
        raise ValueError(f"RF reference base must be 1-21 alphanumerics, got {base!r}")
    check = 98 - _mod97_numeric(base + "RF00")
    return f"RF{check:02d}{base}"


def is_valid_rf(reference: str) -> bool:
    ref = reference.replace(" ", "").upper()
    if not re.fullmatch(r"RF\d{2}[0-9A-Z]{1,21}", ref):
        return False
    return _mod97_numeric(ref[4:] + ref[:4]) == 1


def ogm_reference(number: int) -> str:
    """Belgian structured communication from a number of up to 10 digits."""
    if not 0 <= number < 10**10:
        raise ValueError("structured communication base must have at most 10 digits")
    check = number % 97 or 97
    digits = f"{number:010d}{check:02d}"
    return f"+++{digits[:3]}/{digits[3:7]}/{digits[7:]}+++"


def is_valid_ogm(reference: str) -> bool:
    digits = re.sub(r"\D", "", reference)
    if len(digits) != 12:
        return False
    base, check = int(digits[:10]), int(digits[10:])
    return (base % 97 or 97) == check


def creditor_reference(jurisdiction: Jurisdiction, year: int, sequence: int) -> str:
    """The reference printed on an invoice of series ``jurisdiction``/``year``."""
    if jurisdiction == "BE":
        return ogm_reference((year % 100) * 10**8 + sequence)
    return rf_reference(f"{jurisdiction}{year}{sequence:08d}")
