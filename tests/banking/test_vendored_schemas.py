"""The vendored ISO 20022 schemas: unchanged, shipped in the image, and what our fixtures meet."""

from __future__ import annotations

import hashlib
import re
from pathlib import Path

import pytest
from lxml import etree

from adapters.banking.iso20022 import CAMT_VERSIONS, SCHEMA_DIR, camt_schema, split_namespace
from dev.bank_files import Batch, Txn, camt053_bytes, camt054_bytes

ROOT = Path(__file__).resolve().parents[2]


def test_the_schemas_are_the_ones_the_readme_lists() -> None:
    readme = (SCHEMA_DIR / "README.md").read_text()
    found = re.findall(r"^([0-9a-f]{64})  (camt\.\S+\.xsd)$", readme, re.M)
    listed = {name: digest for digest, name in found}
    on_disk = {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in SCHEMA_DIR.glob("*.xsd")}
    assert on_disk == listed
    assert set(on_disk) == {f"{m}.{v}.xsd" for m, v in CAMT_VERSIONS}


def test_the_image_ships_the_schemas_next_to_the_code() -> None:
    dockerfile = (ROOT / "Dockerfile").read_text()
    assert re.search(r"^COPY vendor/ vendor/$", dockerfile, re.M)
    assert SCHEMA_DIR == ROOT / "vendor" / "iso20022"


def test_namespaces() -> None:
    assert split_namespace("urn:iso:std:iso:20022:tech:xsd:camt.053.001.08") == (
        "camt.053",
        "001.08",
    )
    assert split_namespace("urn:iso:std:iso:20022:tech:xsd:pain.002.001.03") == (
        "pain.002",
        "001.03",
    )
    assert split_namespace("urn:example") is None


ENTRIES = [
    Txn(
        480000,
        counterparty_name="Atelier Dupont SPRL",
        counterparty_iban="BE68539007547034",
        end_to_end_id="INV-2025-0042",
        structured_ref="RF18539007547034",
        unstructured="x" * 300,  # split into several Ustrd of 140
        account_servicer_ref="BANK-0001",
    ),
    Txn(
        120050,
        direction="debit",
        counterparty_name="Jane",
        counterparty_iban="DE02120300000000202051",
    ),
    Txn(120050, return_reason="AC04", entry_ref="R-1"),
    Batch((Txn(1000, counterparty_name="A"), Txn(2500)), entry_ref="B-1"),
    Batch((Txn(1000), Txn(2500)), direction="credit", with_amounts=False),
]


@pytest.mark.parametrize(("message", "version"), sorted(CAMT_VERSIONS))
def test_every_generated_file_validates(message: str, version: str) -> None:
    write = camt053_bytes if message == "camt.053" else camt054_bytes
    document = etree.fromstring(write(entries=ENTRIES, version=version))
    schema = camt_schema(message, version)
    assert schema.validate(document), schema.error_log
