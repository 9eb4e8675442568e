"""The Schematron compiler (``adapters.documents.schematron``) against the reference: the
official Peppol BIS Billing 3.0 rules, compiled by us from their source
(``PEPPOL-EN16931-UBL.sch``, release 3.0.19) and as OpenPeppol/KoSIT publish them compiled
(``PEPPOL-EN16931-UBL-3.0.18.xslt``), must find the same things in the same documents.

The two releases differ only in code lists and a few national rules (checked statically
below): the EAS code list lost 9901/9906/9907 and gained 0154, 0158, 0194, 0203, 0205, 0217,
0225, 0240; VAT category ``B`` and some currencies were added or retired; DK-R-003/004/008,
PEPPOL-COMMON-R042 and the context of PEPPOL-EN16931-R051 changed. None of that touches the
project's documents; the one deliberate difference tested is an endpoint scheme.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from lxml import etree

from adapters.documents.einvoice_ubl import build_ubl
from adapters.documents.schematron import SchematronError, compile_schematron
from adapters.documents.xml_rules import Finding, Stylesheet, stylesheet_findings
from tests.invoices import cases

CBC = "urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2"
CAC = "urn:oasis:names:specification:ubl:schema:xsd:CommonAggregateComponents-2"
NS = {"cbc": CBC, "cac": CAC}
SCH = "http://purl.oclc.org/dsdl/schematron"
XSL = "http://www.w3.org/1999/XSL/Transform"
SVRL = "http://purl.oclc.org/dsdl/svrl"


@pytest.fixture(scope="module")
def peppol(einvoice_rules_dir: Path) -> tuple[Stylesheet, Stylesheet]:
    """(published 3.0.18 XSLT, our compilation of the 3.0.19 source)."""
    folder = einvoice_rules_dir / "peppol-bis-3"
    return Stylesheet(folder / "PEPPOL-EN16931-UBL-3.0.18.xslt"), Stylesheet(
        folder / "PEPPOL-EN16931-UBL.sch"
    )


def _key(finding: Finding) -> tuple[str, str, str, str]:
    return (finding.rule_id, finding.flag, finding.location, finding.message)


def _both(xml: bytes, peppol: tuple[Stylesheet, Stylesheet]) -> tuple[list[tuple], list[tuple]]:
    published, ours = peppol
    return (
        sorted(map(_key, stylesheet_findings(xml, published))),
        sorted(map(_key, stylesheet_findings(xml, ours))),
    )


def _broken_ubl() -> bytes:
    """One UBL with many faults at once, each for another Peppol rule."""
    root = etree.fromstring(build_ubl(cases.be_to_de_business()))

    def one(path: str) -> etree._Element:
        (element,) = root.xpath(path, namespaces=NS)
        return element

    one("/*/cbc:CustomizationID").text = "urn:cen.eu:en16931:2017"  # R004
    reference = one("/*/cbc:BuyerReference")
    reference.getparent().remove(reference)  # R003
    buyer = one("/*/cac:AccountingCustomerParty/cac:Party/cbc:EndpointID")
    buyer.set("schemeID", "EM")  # CL008
    buyer.text = "ap@client.example"
    one("/*/cac:AccountingSupplierParty/cac:Party/cbc:EndpointID").text = "0896755398"  # R043
    one("/*/cac:InvoiceLine/cac:Price/cbc:PriceAmount").text = "4700.00"  # R120
    second = etree.Element(f"{{{CBC}}}Note")
    second.text = "a second note"
    one("/*/cbc:Note").addnext(second)  # R002
    one("/*/cac:PaymentMeans/cbc:PaymentID").text = ""  # R008
    one("/*/cac:InvoiceLine/cbc:LineExtensionAmount").set("currencyID", "USD")  # R051
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8")


@pytest.mark.parametrize("name", cases.PEPPOL_CASES)
def test_compiled_source_and_published_xslt_agree_on_every_generated_ubl(
    name: str, peppol: tuple[Stylesheet, Stylesheet]
) -> None:
    published, ours = _both(build_ubl(cases.PEPPOL_CASES[name]()), peppol)
    assert published == ours == []


def test_compiled_source_and_published_xslt_agree_on_a_broken_ubl(
    peppol: tuple[Stylesheet, Stylesheet],
) -> None:
    published, ours = _both(_broken_ubl(), peppol)
    assert published == ours  # ids, flags, locations and messages
    assert {rule_id for rule_id, *_ in ours} == {
        "PEPPOL-EN16931-R002",
        "PEPPOL-EN16931-R003",
        "PEPPOL-EN16931-R004",
        "PEPPOL-EN16931-R008",
        "PEPPOL-EN16931-R051",
        "PEPPOL-EN16931-R120",
        "PEPPOL-EN16931-CL008",
        "PEPPOL-COMMON-R043",
    }


@pytest.mark.parametrize(
    ("scheme", "found_by"),
    [("9906", "3.0.19 source"), ("0154", "3.0.18 xslt"), ("9930", "neither")],
)
def test_the_releases_differ_only_where_their_code_lists_do(
    scheme: str, found_by: str, peppol: tuple[Stylesheet, Stylesheet]
) -> None:
    """9906 (old Italian VAT) left the EAS list in 3.0.19, 0154 joined it."""
    root = etree.fromstring(build_ubl(cases.be_to_de_business()))
    (buyer,) = root.xpath("/*/cac:AccountingCustomerParty/cac:Party/cbc:EndpointID", namespaces=NS)
    buyer.set("schemeID", scheme)
    published, ours = _both(etree.tostring(root), peppol)
    cl008 = {
        "3.0.18 xslt": any(f[0] == "PEPPOL-EN16931-CL008" for f in published),
        "3.0.19 source": any(f[0] == "PEPPOL-EN16931-CL008" for f in ours),
    }
    assert [release for release, found in cl008.items() if found] == (
        [] if found_by == "neither" else [found_by]
    )


def test_both_releases_have_the_same_rule_ids_and_flags(einvoice_rules_dir: Path) -> None:
    folder = einvoice_rules_dir / "peppol-bis-3"
    source = etree.parse(str(folder / "PEPPOL-EN16931-UBL.sch"))
    in_source = {
        (a.get("id"), a.get("flag")) for a in source.iter(f"{{{SCH}}}assert", f"{{{SCH}}}report")
    }
    compiled = etree.parse(str(folder / "PEPPOL-EN16931-UBL-3.0.18.xslt"))
    in_compiled = set()
    for result in compiled.iter(f"{{{SVRL}}}failed-assert", f"{{{SVRL}}}successful-report"):
        attributes = {a.get("name"): a.text for a in result.iter(f"{{{XSL}}}attribute")}
        in_compiled.add((attributes.get("id"), attributes.get("flag")))
    assert in_source == in_compiled
    assert len(in_source) > 100


# ---- the compiler's semantics on small schemas ----

HEAD = f'<schema xmlns="{SCH}" xmlns:xsl="{XSL}" queryBinding="xslt2">'


def _run(
    tmp_path: Path, body: str, xml: str, only_ids: set[str] | None = None, head: str = HEAD
) -> list[tuple[str, str, str]]:
    path = tmp_path / f"rules-{len(list(tmp_path.iterdir()))}.sch"
    path.write_text(f"{head}{body}</schema>")
    stylesheet = Stylesheet(path, frozenset(only_ids) if only_ids is not None else None)
    return [(f.rule_id, f.flag, f.message) for f in stylesheet_findings(xml.encode(), stylesheet)]


def test_within_a_pattern_a_node_fires_its_first_rule_only(tmp_path: Path) -> None:
    body = """
      <pattern>
        <rule context="item[@kind = 'a']"><assert id="A" test="false()">a</assert></rule>
        <rule context="item"><assert id="ANY" test="false()">any</assert></rule>
      </pattern>
      <pattern>
        <rule context="item"><report id="SEEN" test="true()" flag="warning">seen</report></rule>
      </pattern>"""
    found = _run(tmp_path, body, "<doc><item kind='a'/><item kind='b'/></doc>")
    assert sorted(rule_id for rule_id, *_ in found) == ["A", "ANY", "SEEN", "SEEN"]


def test_lets_functions_names_and_values_in_messages(tmp_path: Path) -> None:
    body = """
      <ns prefix="u" uri="utils"/>
      <let name="limit" value="/doc/@limit"/>
      <xsl:function name="u:twice" as="xs:integer" xmlns:xs="http://www.w3.org/2001/XMLSchema">
        <xsl:param name="n"/><xsl:sequence select="2 * xs:integer($n)"/>
      </xsl:function>
      <pattern>
        <let name="doubled" value="u:twice($limit)"/>
        <rule context="amount">
          <let name="value" value="xs:integer(.)"/>
          <assert id="MAX" flag="fatal" test="$value le $doubled"><name/> <value-of
            select="$value"/> exceeds {2 × <value-of select="$limit"/>}</assert>
          <report id="EQNAME" flag="warning" test="exists(Q{}amount)">no children</report>
        </rule>
      </pattern>"""
    found = _run(tmp_path, body, "<doc limit='5'><amount>7</amount><amount>11</amount></doc>")
    assert found == [("MAX", "fatal", "amount 11 exceeds {2 × 5}")]
    assert _run(tmp_path, body, "<doc limit='5'><amount><amount>1</amount></amount></doc>") == [
        ("EQNAME", "warning", "no children")
    ]


def test_includes_phases_and_a_rule_id_filter(tmp_path: Path) -> None:
    (tmp_path / "part.sch").write_text(
        f'<pattern xmlns="{SCH}" id="included"><rule context="doc">'
        '<assert id="INC" test="false()">included</assert>'
        '<assert id="OTHER" test="false()">other</assert></rule></pattern>'
    )
    body = """<phase id="main"><active pattern="included"/></phase>
      <include href="part.sch"/>
      <pattern id="skipped"><rule context="doc"><assert id="NO" test="false()">x</assert>
      </rule></pattern>"""
    assert [f[0] for f in _run(tmp_path, body, "<doc/>")] == ["INC", "OTHER", "NO"]
    assert [f[0] for f in _run(tmp_path, body, "<doc/>", only_ids={"INC"})] == ["INC"]
    phased = HEAD.replace(">", ' defaultPhase="main">', 1)
    assert [f[0] for f in _run(tmp_path, body, "<doc/>", head=phased)] == ["INC", "OTHER"]


@pytest.mark.parametrize(
    ("schema", "refusal"),
    [
        (f'<schema xmlns="{SCH}"><pattern/></schema>', "queryBinding"),
        (f'{HEAD}<pattern abstract="true" id="p"/></schema>', "abstract"),
        (f'{HEAD}<pattern><rule abstract="true" id="r"/></pattern></schema>', "abstract"),
        (
            f'{HEAD}<pattern><rule context="a"><extends rule="r"/></rule></pattern></schema>',
            "extends",
        ),
        (f"{HEAD}<diagnostics/></schema>", "diagnostics"),
        (f'{HEAD}<xsl:template match="/"/></schema>', "xsl:template"),
    ],
)
def test_what_the_compiler_does_not_implement_is_refused(
    schema: str, refusal: str, tmp_path: Path
) -> None:
    path = tmp_path / "unsupported.sch"
    path.write_text(schema)
    with pytest.raises(SchematronError, match=re.escape(refusal)):
        compile_schematron(path)


@pytest.mark.parametrize(
    "name",
    [
        "peppol-bis-3/PEPPOL-EN16931-UBL.sch",
        "peppol-bis-3/PEPPOL-EN16931-CII.sch",
        "kosit-xrechnung/cii/XRechnung-CII-validation.sch",
        "kosit-xrechnung/ubl/XRechnung-UBL-validation.sch",
    ],
)
def test_every_official_source_compiles(name: str, einvoice_rules_dir: Path) -> None:
    assert compile_schematron(einvoice_rules_dir / name).startswith("<xsl:stylesheet")


def test_locations_name_elements_and_attributes_like_the_iso_skeleton(tmp_path: Path) -> None:
    path = tmp_path / "where.sch"
    path.write_text(
        f'{HEAD}<ns prefix="x" uri="urn:x"/><pattern>'
        '<rule context="x:item/@kind"><assert id="KIND" test=". = \'a\'">kind</assert></rule>'
        "</pattern></schema>"
    )
    xml = b'<doc xmlns:x="urn:x"><x:item kind="a"/><x:item kind="b"/></doc>'
    (finding,) = stylesheet_findings(xml, Stylesheet(path))
    assert finding.location == "/doc[1]/item[2]/@kind"
