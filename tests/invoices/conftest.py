from __future__ import annotations

import pytest

from adapters.documents import einvoice_validation


@pytest.fixture(scope="session", autouse=True)
def _schematron_compiled() -> None:
    """Compile the Schematron stylesheets once for the whole session."""
    einvoice_validation.warm_up()
