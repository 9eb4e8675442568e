"""The official e-invoice rule sets and where each lies in the rules directory
(``Settings.einvoice_rules_dir``, ``COOPFLOW_EINVOICE_RULES_DIR``).

The files are the publishers' own, unchanged (see the directory's README): operators install
each new release there (about twice a year) and nothing in the project changes. A versioned
file name (``PEPPOL-EN16931-UBL-3.0.18.xslt``) is found by pattern; the newest version wins.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from lxml import etree

from adapters.documents.xml_rules import Stylesheet


def _version_order(path: Path) -> list[tuple[int, str]]:
    """``…-3.0.9.xslt`` before ``…-3.0.18.xslt``: numbers compare as numbers."""
    return [
        (int(part), "") if part.isdigit() else (-1, part) for part in re.split(r"(\d+)", path.name)
    ]


def rule_list_ids(path: Path) -> frozenset[str]:
    """The rule ids of a KoSIT rule list (``peppol-rule-list.xml``: the Peppol rules XRechnung
    takes over; commented-out entries are not taken)."""
    root = etree.parse(str(path)).getroot()
    return frozenset((e.text or "").strip() for e in root if isinstance(e.tag, str))


@dataclass(frozen=True)
class RuleFile:
    """One published artefact: what it is and its path (or pattern) under the rules dir."""

    name: str
    pattern: str
    # A rule list restricting a Schematron to the rule ids it names.
    only_ids_from: str | None = None

    def path(self, rules_dir: Path) -> Path | None:
        matches = sorted(rules_dir.glob(self.pattern), key=_version_order)
        # Resolved, so that a folder reached through a link shares the compiled stylesheets.
        return matches[-1].resolve() if matches else None

    def stylesheet(self, rules_dir: Path) -> Stylesheet | None:
        """What to run, or ``None`` when a file of it is missing."""
        path = self.path(rules_dir)
        if path is None:
            return None
        if self.only_ids_from is None:
            return Stylesheet(path)
        listing = rules_dir / self.only_ids_from
        if not listing.is_file():
            return None
        return Stylesheet(path, rule_list_ids(listing))

    def missing(self, rules_dir: Path) -> str:
        """Why it cannot run, for the validator's report."""
        wanted = (
            self.pattern
            if self.only_ids_from is None
            else f"{self.pattern} with {self.only_ids_from}"
        )
        return f"{self.name} not run: no {wanted} in {rules_dir} (COOPFLOW_EINVOICE_RULES_DIR)"


UBL_INVOICE_XSD = RuleFile(
    "OASIS UBL 2.1 Invoice schema", "oasis-ubl-2.1-xsd/xsd/maindoc/UBL-Invoice-2.1.xsd"
)
UBL_CREDIT_NOTE_XSD = RuleFile(
    "OASIS UBL 2.1 CreditNote schema", "oasis-ubl-2.1-xsd/xsd/maindoc/UBL-CreditNote-2.1.xsd"
)
EN16931_UBL = RuleFile(
    "EN 16931 rules for UBL (CEN)", "cen-en16931/ubl/xslt/EN16931-UBL-validation.xslt"
)
EN16931_CII = RuleFile(
    "EN 16931 rules for CII (CEN)", "cen-en16931/cii/xslt/EN16931-CII-validation.xslt"
)
PEPPOL_BIS_UBL = RuleFile(
    "Peppol BIS Billing 3.0 rules for UBL", "peppol-bis-3/PEPPOL-EN16931-UBL-*.xslt"
)
XRECHNUNG_CII = RuleFile(
    "KoSIT XRechnung 3.0 rules for CII", "kosit-xrechnung/cii/XRechnung-CII-validation.sch"
)
# KoSIT's XRechnung release merges these Peppol rules into its own (its peppol-rule-list.xml).
XRECHNUNG_PEPPOL_CII = RuleFile(
    "Peppol BIS Billing 3.0 rules XRechnung takes over (CII)",
    "peppol-bis-3/PEPPOL-EN16931-CII.sch",
    only_ids_from="kosit-xrechnung/peppol-rule-list.xml",
)

SCHEMAS = (UBL_INVOICE_XSD, UBL_CREDIT_NOTE_XSD)
UBL_RULES = (EN16931_UBL, PEPPOL_BIS_UBL)
XRECHNUNG_RULES = (EN16931_CII, XRECHNUNG_CII, XRECHNUNG_PEPPOL_CII)
