"""Finding references and invoice numbers in what a payer wrote; making names comparable."""

from __future__ import annotations

import pytest

from domain.banking.text import (
    find_references,
    invoice_number_key,
    name_tokens,
    reference_key,
    similarity,
)


def _keys(text: str, known: frozenset[str] = frozenset()) -> list[tuple[str, str]]:
    return [(found.kind, found.key) for found in find_references(text, known)]


@pytest.mark.parametrize(
    "text",
    [
        "RF18539007547034",
        "rf18539007547034",
        "RF18 5390 0754 7034",
        "Zahlung RF18 5390 0754 7034 danke",
        "ref:RF18539007547034.",
    ],
)
def test_an_rf_reference_is_found_however_spaced_or_cased(text: str) -> None:
    assert _keys(text) == [("rf", "RF18539007547034")]


def test_an_rf_reference_with_wrong_check_digits_is_not_a_reference() -> None:
    assert _keys("RF19 5390 0754 7034") == []


def test_where_a_spaced_rf_reference_ends_is_decided_by_the_lookup_then_the_check_digits() -> None:
    # The groups run on into the following word: the boundary with valid check digits wins.
    found = find_references("RF18 5390 0754 7034 DANKE")
    assert [(f.key, f.printed) for f in found] == [("RF18539007547034", "RF18 5390 0754 7034")]


def test_when_two_group_boundaries_have_valid_check_digits_our_reference_wins() -> None:
    # "RF18539007547034" and "RF18539007547034130" both pass mod 97.
    text = "RF18 5390 0754 7034 130 EUR"
    assert _keys(text) == [("rf", "RF18539007547034130")]
    assert _keys(text, frozenset({"RF18539007547034"})) == [("rf", "RF18539007547034")]


@pytest.mark.parametrize(
    "text",
    [
        "+++090/9337/55493+++",
        "***090/9337/55493***",
        "090/9337/55493",
        "090 9337 55493",
        "090933755493",
        "Mitteilung: +++ 090/9337/55493 +++ merci",
    ],
)
def test_a_belgian_structured_communication_is_found_as_banks_print_it(text: str) -> None:
    assert _keys(text) == [("ogm", "090933755493")]


def test_a_twelve_digit_number_failing_mod_97_is_not_a_structured_communication() -> None:
    assert _keys("090/9337/55494") == []


def test_twelve_digits_inside_a_word_are_not_a_structured_communication() -> None:
    # "DE090933755493" would pass mod 97, but it is part of a longer reference or account.
    assert _keys("DE090933755493 X090933755493") == []


@pytest.mark.parametrize(
    "text",
    [
        "DE-2026-000012",
        "de-2026-000012",
        "DE 2026 12",
        "DE2026000012",
        "de.2026.12",
        "DE/2026/0012",
    ],
)
def test_an_invoice_number_is_found_however_spaced_cased_or_padded(text: str) -> None:
    assert _keys(f"Rechnung {text} vom 3.5.") == [("number", "DE-2026-000012")]


def test_a_credit_note_number_is_not_an_invoice_number() -> None:
    assert _keys("Gutschrift CN-DE-2026-000003") == []
    assert invoice_number_key("CN-DE-2026-000003") is None


def test_several_references_come_in_the_order_written() -> None:
    text = "BE-2026-3, RF18539007547034 und +++090/9337/55493+++"
    assert _keys(text) == [
        ("number", "BE-2026-000003"),
        ("rf", "RF18539007547034"),
        ("ogm", "090933755493"),
    ]


def test_keys_of_stored_references_and_numbers() -> None:
    assert reference_key("+++090/9337/55493+++") == "090933755493"
    assert reference_key("rf18 5390 0754 7034") == "RF18539007547034"
    assert invoice_number_key("DE-2026-000012") == "DE-2026-000012"
    assert invoice_number_key("de 2026 12") == "DE-2026-000012"
    assert invoice_number_key("DE-2026-1234567") == "DE-2026-1234567"
    assert invoice_number_key("no number") is None


@pytest.mark.parametrize(
    ("name", "tokens"),
    [
        ("Müller Bau GmbH & Co. KG", ("muller", "bau")),
        ("MUELLER BAU", ("muller", "bau")),
        ("Dupont Frères S.A.", ("dupont", "freres")),
        ("B.V. Van den Berg", ("van", "den", "berg")),
        ("Dr. Jürgen Weiß", ("jurgen", "weiss")),
        ("Jürgen Weiss", ("jurgen", "weiss")),
        ("JUERGEN WEISS", ("jurgen", "weiss")),
    ],
)
def test_names_lose_case_accents_legal_forms_and_titles(name: str, tokens: tuple[str, ...]) -> None:
    assert name_tokens(name) == tokens


def test_similarity_ignores_word_order_and_is_a_percentage() -> None:
    assert similarity("bau muller", "bau muller") == 100
    assert 80 <= similarity("bau mulr", "bau muller") < 100
    assert similarity("acme", "bau muller") < 50
    assert similarity("", "acme") == 0
