"""The vendored ISO 20022 schemas and the namespaces that name them.

The schemas sit in ``vendor/iso20022`` at the root of the repository (see its README for where
they come from). They are found relative to this file rather than through package data because
they are not Python and belong to no package; the Dockerfile copies ``vendor/`` next to
``adapters/`` so the same relative path holds in the image.
"""

from __future__ import annotations

import functools
from pathlib import Path
from typing import Final

from lxml import etree

SCHEMA_DIR: Final = Path(__file__).resolve().parents[2] / "vendor" / "iso20022"
NAMESPACE_PREFIX: Final = "urn:iso:std:iso:20022:tech:xsd:"
# The (message, version) pairs we read and have a schema for.
CAMT_VERSIONS: Final = frozenset(
    {
        ("camt.053", "001.02"),
        ("camt.053", "001.08"),
        ("camt.054", "001.02"),
        ("camt.054", "001.08"),
    }
)


def split_namespace(namespace: str) -> tuple[str, str] | None:
    """``urn:iso:std:iso:20022:tech:xsd:camt.053.001.08`` → ``("camt.053", "001.08")``.

    None for anything that is not an ISO 20022 message namespace.
    """
    if not namespace.startswith(NAMESPACE_PREFIX):
        return None
    name = namespace[len(NAMESPACE_PREFIX) :]
    parts = name.split(".")
    if len(parts) != 4 or not all(parts):
        return None
    return f"{parts[0]}.{parts[1]}", f"{parts[2]}.{parts[3]}"


def namespace_of(message: str, version: str) -> str:
    return f"{NAMESPACE_PREFIX}{message}.{version}"


def schema_path(message: str, version: str) -> Path:
    return SCHEMA_DIR / f"{message}.{version}.xsd"


@functools.cache
def camt_schema(message: str, version: str) -> etree.XMLSchema:
    """The compiled schema (compiled once per process: about 0.1 s each)."""
    if (message, version) not in CAMT_VERSIONS:
        raise ValueError(f"no vendored schema for {message}.{version}")
    path = schema_path(message, version)
    if not path.is_file():
        raise FileNotFoundError(
            f"the ISO 20022 schema {path} is missing: the deployment must ship the repository's "
            "vendor/iso20022 folder next to adapters/ (see the Dockerfile)"
        )
    # The schemas are self-contained (no xs:import/include), so nothing is fetched.
    parser = etree.XMLParser(resolve_entities=False, no_network=True)
    return etree.XMLSchema(etree.parse(str(path), parser))
