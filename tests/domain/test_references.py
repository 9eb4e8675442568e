"""Creditor references: ISO 11649 RF and the Belgian structured communication."""

from __future__ import annotations

import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from stdnum import iso11649
from stdnum.be import ogm_vcs

from domain.references import (
    ReferenceSpaceExhausted,
    creditor_reference,
    is_valid_ogm,
    is_valid_rf,
    ogm_check_digits_hold,
    ogm_reference,
    rf_check_digits_hold,
    rf_reference,
)

ALPHANUMERIC = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
bases = st.text(alphabet=ALPHANUMERIC, min_size=1, max_size=21)
ogm_numbers = st.integers(min_value=0, max_value=10**10 - 1)


def _change_digit(text: str, position: int, replace_with: int) -> str:
    """Replace the ``position``-th digit of ``text`` by another digit."""
    indexes = [i for i, ch in enumerate(text) if ch.isdigit()]
    i = indexes[position % len(indexes)]
    new = str((int(text[i]) + 1 + replace_with % 9) % 10)
    assert new != text[i]
    return text[:i] + new + text[i + 1 :]


def test_rf_reference_known_value() -> None:
    # The ISO 11649 example.
    assert rf_reference("539007547034") == "RF18539007547034"
    assert iso11649.is_valid("RF18539007547034")


@settings(max_examples=300, deadline=None)
@given(bases)
def test_rf_reference_validates_with_stdnum(base: str) -> None:
    reference = rf_reference(base)
    assert reference == f"RF{reference[2:4]}{base.upper()}"
    assert iso11649.is_valid(reference)
    assert is_valid_rf(reference)
    assert is_valid_rf(iso11649.format(reference))  # grouped by four with spaces


@settings(max_examples=300, deadline=None)
@given(bases, st.integers(min_value=0), st.integers(min_value=0))
def test_is_valid_rf_rejects_a_changed_digit(base: str, position: int, replace: int) -> None:
    reference = rf_reference(base)
    tampered = _change_digit(reference, position, replace)
    assert not is_valid_rf(tampered)
    assert not iso11649.is_valid(tampered)


def test_rf_reference_strips_separators() -> None:
    assert rf_reference("de-2026/0001") == rf_reference("DE20260001")


@pytest.mark.parametrize("base", ["", "---", "A" * 22])
def test_rf_reference_refuses_bad_length(base: str) -> None:
    with pytest.raises(ValueError, match="1-21 alphanumerics"):
        rf_reference(base)


@pytest.mark.parametrize("text", ["", "RF", "RF18", "XX18539007547034", "RF1A539007547034"])
def test_is_valid_rf_rejects_malformed(text: str) -> None:
    assert not is_valid_rf(text)


@settings(max_examples=300, deadline=None)
@given(ogm_numbers)
def test_ogm_reference_validates_with_stdnum(number: int) -> None:
    reference = ogm_reference(number)
    assert re.fullmatch(r"\+\+\+\d{3}/\d{4}/\d{5}\+\+\+", reference)
    digits = re.sub(r"\D", "", reference)
    assert int(digits[:10]) == number
    assert ogm_vcs.is_valid(reference)
    assert is_valid_ogm(reference)


@settings(max_examples=100, deadline=None)
@given(st.integers(min_value=0, max_value=(10**10 - 1) // 97))
def test_ogm_check_digits_are_97_for_multiples_of_97(k: int) -> None:
    reference = ogm_reference(k * 97)
    assert reference.endswith("97+++")
    assert ogm_vcs.is_valid(reference)
    assert is_valid_ogm(reference)


@pytest.mark.parametrize(
    ("number", "reference"),
    [
        (0, "+++000/0000/00097+++"),
        (97, "+++000/0000/09797+++"),
        (1, "+++000/0000/00101+++"),
        (9_999_999_999, "+++999/9999/99948+++"),  # 9999999999 % 97 == 48
    ],
)
def test_ogm_reference_examples(number: int, reference: str) -> None:
    assert ogm_reference(number) == reference


@pytest.mark.parametrize("number", [-1, 10**10])
def test_ogm_reference_refuses_out_of_range(number: int) -> None:
    with pytest.raises(ValueError, match="at most 10 digits"):
        ogm_reference(number)


@settings(max_examples=300, deadline=None)
@given(ogm_numbers, st.integers(min_value=0), st.integers(min_value=0))
def test_is_valid_ogm_rejects_a_changed_digit(number: int, position: int, replace: int) -> None:
    tampered = _change_digit(ogm_reference(number), position, replace)
    assert not is_valid_ogm(tampered)
    assert not ogm_vcs.is_valid(tampered)


@pytest.mark.parametrize("text", ["", "+++000/0000/000+++", "+++000/0000/0000097+++"])
def test_is_valid_ogm_rejects_wrong_length(text: str) -> None:
    assert not is_valid_ogm(text)


def test_creditor_reference_be_is_structured_communication() -> None:
    reference = creditor_reference("BE", 2026, 42)
    number = 26 * 10**8 + 42
    assert reference == ogm_reference(number)
    assert reference == f"+++260/0000/042{number % 97:02d}+++"
    assert ogm_vcs.is_valid(reference)


def test_creditor_reference_de_is_rf() -> None:
    reference = creditor_reference("DE", 2026, 42)
    assert reference.startswith("RF")
    assert reference[4:] == "DE202600000042"
    assert iso11649.is_valid(reference)


@settings(max_examples=200, deadline=None)
@given(
    st.sampled_from(["DE", "BE"]),
    st.integers(min_value=2025, max_value=2099),
    st.integers(min_value=1, max_value=10**8 - 2),  # the next one still fits
)
def test_creditor_reference_is_valid_and_distinct_per_sequence(
    jurisdiction: str, year: int, sequence: int
) -> None:
    reference = creditor_reference(jurisdiction, year, sequence)  # type: ignore[arg-type]
    validator = ogm_vcs.is_valid if jurisdiction == "BE" else iso11649.is_valid
    assert validator(reference)
    assert reference != creditor_reference(jurisdiction, year, sequence + 1)  # type: ignore[arg-type]
    assert reference != creditor_reference(jurisdiction, year + 1, sequence)  # type: ignore[arg-type]


@given(st.from_regex(r"RF[0-9]{2}[0-9A-Z]{1,21}", fullmatch=True))
def test_rf_check_digits_follow_iso_7064(compact: str) -> None:
    """Against the textbook computation: letters A=10 … Z=35 written out, mod 97 = 1."""
    moved = compact[4:] + compact[:4]
    assert rf_check_digits_hold(compact) == (int("".join(str(int(c, 36)) for c in moved)) % 97 == 1)
    assert is_valid_rf(compact) == rf_check_digits_hold(compact)


@given(st.from_regex(r"[0-9]{12}", fullmatch=True))
def test_ogm_check_digits_are_the_first_ten_modulo_97(digits: str) -> None:
    expected = (int(digits[:10]) % 97 or 97) == int(digits[10:])
    assert ogm_check_digits_hold(digits) == expected == is_valid_ogm(digits)


def test_a_belgian_reference_beyond_eight_digits_of_sequence_is_refused_not_wrapped() -> None:
    last = creditor_reference("BE", 2026, 99_999_999)
    assert last != creditor_reference("BE", 2027, 0)
    with pytest.raises(ReferenceSpaceExhausted, match="99,999,999 invoices a year"):
        creditor_reference("BE", 2026, 100_000_000)  # would have been 2027's invoice 0
    assert creditor_reference("DE", 2026, 100_000_000) != creditor_reference("DE", 2026, 1)
