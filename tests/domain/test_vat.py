"""VAT treatment: domestic, reverse charge, outside scope; the EU-only wage guarantee."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from domain.guarantee import guarantee_applies
from domain.policy import policy_for
from domain.vat import VatTreatment, decide_vat

DE = policy_for("DE", date(2026, 3, 1))
BE = policy_for("BE", date(2026, 3, 1))


@pytest.mark.parametrize(
    ("policy", "country", "category", "rate"),
    [
        (DE, "DE", "standard", Decimal("0.19")),
        (DE, "DE", "reduced", Decimal("0.07")),
        (DE, "de", "standard", Decimal("0.19")),
        (BE, "BE", "standard", Decimal("0.21")),
        (BE, "BE", "reduced", Decimal("0.06")),
    ],
)
def test_domestic_rates(policy: object, country: str, category: str, rate: Decimal) -> None:
    decision = decide_vat(
        policy,  # type: ignore[arg-type]
        client_country=country,
        client_is_business=True,
        client_vat_id="DE123456789",
        category=category,
    )
    assert decision.treatment is VatTreatment.DOMESTIC
    assert decision.rate == rate
    assert decision.legal_note == ""


def test_domestic_consumer_pays_domestic_rate() -> None:
    decision = decide_vat(DE, client_country="DE", client_is_business=False, client_vat_id=None)
    assert decision.treatment is VatTreatment.DOMESTIC
    assert decision.rate == Decimal("0.19")


@pytest.mark.parametrize("category", ["standard", "reduced"])
def test_french_business_with_vat_id_is_reverse_charge(category: str) -> None:
    decision = decide_vat(
        DE,
        client_country="FR",
        client_is_business=True,
        client_vat_id="FR40303265045",
        category=category,
    )
    assert decision.treatment is VatTreatment.REVERSE_CHARGE
    assert decision.rate == Decimal(0)
    assert "Steuerschuldnerschaft des Leistungsempfängers" in decision.legal_note
    assert "Reverse charge" in decision.legal_note
    assert "Art. 196" in decision.legal_note


def test_belgian_supplier_to_german_business_is_reverse_charge() -> None:
    decision = decide_vat(
        BE, client_country="DE", client_is_business=True, client_vat_id="DE123456789"
    )
    assert decision.treatment is VatTreatment.REVERSE_CHARGE
    assert decision.rate == 0
    # Belgian law, not §13b UStG, on a Belgian invoice.
    assert "art. 21 §2 Code TVA / WBTW" in decision.legal_note
    assert "13b" not in decision.legal_note


@pytest.mark.parametrize("vat_id", [None, ""])
def test_french_business_without_vat_id_pays_domestic_rate(vat_id: str | None) -> None:
    decision = decide_vat(DE, client_country="FR", client_is_business=True, client_vat_id=vat_id)
    assert decision.treatment is VatTreatment.DOMESTIC
    assert decision.rate == Decimal("0.19")


def test_french_consumer_pays_domestic_rate() -> None:
    decision = decide_vat(DE, client_country="FR", client_is_business=False, client_vat_id=None)
    assert decision.treatment is VatTreatment.DOMESTIC
    assert decision.rate == Decimal("0.19")
    assert decision.legal_note == ""


def test_french_consumer_reduced_category() -> None:
    decision = decide_vat(
        DE, client_country="FR", client_is_business=False, client_vat_id=None, category="reduced"
    )
    assert decision.rate == Decimal("0.07")


@pytest.mark.parametrize("country", ["CH", "US", "ch", "GB"])
def test_non_eu_business_is_outside_scope(country: str) -> None:
    decision = decide_vat(
        DE, client_country=country, client_is_business=True, client_vat_id="CHE-123.456.789"
    )
    assert decision.treatment is VatTreatment.OUTSIDE_SCOPE
    assert decision.rate == Decimal(0)
    assert "outside the EU" in decision.legal_note


def test_non_eu_consumer_pays_domestic_rate() -> None:
    decision = decide_vat(BE, client_country="CH", client_is_business=False, client_vat_id=None)
    assert decision.treatment is VatTreatment.DOMESTIC
    assert decision.rate == Decimal("0.21")


@pytest.mark.parametrize("country", ["DE", "BE", "FR", "it", "NL", "PL", "AT", "GR", "HR"])
def test_guarantee_applies_in_the_eu(country: str) -> None:
    assert guarantee_applies(country)


@pytest.mark.parametrize("country", ["CH", "US", "GB", "NO", "ch", ""])
def test_guarantee_does_not_apply_outside_the_eu(country: str) -> None:
    assert not guarantee_applies(country)
