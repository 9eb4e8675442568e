"""Running XML checks offline: an XSD with lxml, a Schematron (compiled XSLT as published, or
a ``.sch`` compiled by ``adapters.documents.schematron``) with Saxon-HE (saxonche), each giving
``Finding``s.

Schemas and stylesheets are compiled once per process (module-level cache, ≈0.1–0.4 s each; a
run then costs a few milliseconds). Saxon/C is not documented as thread-safe for one
executable, so compiling and transforms are serialised by a lock.
"""

from __future__ import annotations

import re
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from lxml import etree

from adapters.documents.schematron import compile_schematron

SVRL = "http://purl.oclc.org/dsdl/svrl"


@dataclass(frozen=True)
class Finding:
    """One failed rule: its id (``BR-CO-15``, ``XSD``…), ``fatal``/``warning``, the message."""

    rule_id: str
    flag: str
    message: str
    location: str = ""

    @property
    def is_error(self) -> bool:
        return self.flag not in ("warning", "information")

    def __str__(self) -> str:
        where = f" (at {self.location})" if self.location else ""
        return f"{self.rule_id}: {self.message}{where}"


@dataclass(frozen=True)
class Stylesheet:
    """A Schematron to run: a compiled ``.xsl``/``.xslt`` file, or a ``.sch`` source compiled
    here, optionally restricted to some rule ids (``only_ids``)."""

    path: Path
    only_ids: frozenset[str] | None = None

    def _compile(self, processor: Any) -> Any:
        compiler = processor.new_xslt30_processor()
        if self.path.suffix == ".sch":
            text = compile_schematron(self.path, only_ids=self.only_ids)
            return compiler.compile_stylesheet(stylesheet_text=text)
        # From the file, so that document('…') calls resolve next to it.
        return compiler.compile_stylesheet(stylesheet_file=str(self.path))


_lock = threading.Lock()
_schemas: dict[Path, etree.XMLSchema] = {}
_stylesheets: dict[Stylesheet, Any] = {}
_saxon: list[Any] = []


def _processor_locked() -> Any:
    if not _saxon:
        from saxonche import PySaxonProcessor

        _saxon.append(PySaxonProcessor(license=False))
    return _saxon[0]


def _executable_locked(stylesheet: Stylesheet) -> Any:
    if stylesheet not in _stylesheets:
        _stylesheets[stylesheet] = stylesheet._compile(_processor_locked())
    return _stylesheets[stylesheet]


def schema(path: Path) -> etree.XMLSchema:
    with _lock:
        if path not in _schemas:
            _schemas[path] = etree.XMLSchema(etree.parse(str(path)))
        return _schemas[path]


def compile_now(stylesheet: Stylesheet) -> None:
    """Compile ``stylesheet`` for this process now rather than on the first document."""
    with _lock:
        _executable_locked(stylesheet)


def xsd_findings(xml_bytes: bytes, xsd: Path) -> list[Finding]:
    try:
        tree = etree.fromstring(xml_bytes)
    except etree.XMLSyntaxError as err:
        return [Finding("XML", "fatal", str(err))]
    checker = schema(xsd)
    if checker.validate(tree):
        return []
    return [Finding("XSD", "fatal", e.message, f"line {e.line}") for e in checker.error_log]


def stylesheet_findings(xml_bytes: bytes, stylesheet: Stylesheet) -> list[Finding]:
    """Every failed assert and successful report of the Schematron, warnings included."""
    with _lock:
        processor = _processor_locked()
        executable = _executable_locked(stylesheet)
        node = processor.parse_xml(xml_text=xml_bytes.decode("utf-8"))
        svrl = executable.transform_to_string(xdm_node=node)
    if svrl is None:
        raise RuntimeError(f"Saxon returned no report for {stylesheet.path.name}")
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
