from __future__ import annotations

from pathlib import Path

import pytest

from adapters.documents.einvoice_validation import EinvoiceValidator
from config import Settings


@pytest.fixture(scope="session")
def einvoice_validator() -> EinvoiceValidator:
    """The validator on the configured rules directory, everything compiled once for the
    session. Checks of the Factur-X CII need nothing from that directory."""
    validator = EinvoiceValidator(Settings().einvoice_rules_dir)
    validator.warm_up()
    return validator


@pytest.fixture(scope="session")
def official_validator(
    einvoice_rules_dir: Path, einvoice_validator: EinvoiceValidator
) -> EinvoiceValidator:
    """The validator, for tests that need the official rule files (UBL, XRechnung)."""
    return einvoice_validator
