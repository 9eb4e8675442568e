"""A business's Peppol participant identifier from its VAT ID; e-mail for everyone else."""

from __future__ import annotations

import pytest

from domain.invoice_builders import buyer_electronic_address
from domain.invoice_document import ElectronicAddress
from domain.peppol_ids import peppol_id_from_vat


@pytest.mark.parametrize(
    ("vat_id", "scheme", "value"),
    [
        ("BE0403123486", "0208", "0403123486"),  # enterprise number
        ("BE 0403.123.486", "0208", "0403123486"),
        ("DE136695976", "9930", "DE136695976"),
        ("FR40303265045", "9957", "FR40303265045"),
        ("NL123456789B01", "9944", "NL123456789B01"),
        ("ATU12345678", "9914", "ATU12345678"),
        ("EL094259216", "9933", "EL094259216"),  # Greece
        ("IT00743110157", "0211", "IT00743110157"),  # Partita IVA
        ("DK13585628", "0184", "DK13585628"),  # CVR
        ("SE556703748501", "0007", "5567037485"),  # organisation number
        ("NO974760673MVA", "0192", "974760673"),
        ("CHE-116.281.710 MWST", "0183", "CHE116281710"),  # UID
        ("GB980780684", "9932", "GB980780684"),
    ],
)
def test_vat_ids_give_the_scheme_their_peppol_community_uses(
    vat_id: str, scheme: str, value: str
) -> None:
    assert peppol_id_from_vat(vat_id) == ElectronicAddress(scheme=scheme, value=value)


@pytest.mark.parametrize("vat_id", ["US12-3456789", "BE12345", "SE5567037485", "DE"])
def test_no_identifier_for_unknown_countries_or_malformed_numbers(vat_id: str) -> None:
    assert peppol_id_from_vat(vat_id) is None


def test_consumers_and_businesses_without_a_peppol_id_are_reached_by_email() -> None:
    email = ElectronicAddress(scheme="EM", value="ap@client.example")
    assert buyer_electronic_address(
        is_business=False, vat_id="DE136695976", email="ap@client.example"
    ) == (email)
    assert buyer_electronic_address(is_business=True, vat_id=None, email="ap@client.example") == (
        email
    )
    assert buyer_electronic_address(is_business=True, vat_id=None, email=None) is None
    assert not email.is_peppol
    assert ElectronicAddress(scheme="9930", value="DE136695976").is_peppol
