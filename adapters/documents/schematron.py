"""Compile ISO Schematron (``queryBinding="xslt2"``) to an XSLT stylesheet that writes SVRL.

No ISO Schematron implementation is packaged for Python (lxml ships only the XSLT 1 skeleton,
which refuses xslt2 schemas), so this module compiles the subset the official e-invoice rule
files use (KoSIT XRechnung, Peppol BIS Billing 3.0) the way the ISO skeleton does:

- ``sch:ns`` and the namespaces declared on the schema root become the stylesheet's;
  top-level ``xsl:function`` / ``xsl:key`` are copied as they are;
- schema- and pattern-level ``sch:let`` become global variables (evaluated on the document),
  rule-level ``sch:let`` local ones;
- each active pattern is a mode; each of its rules a template matching the rule's context,
  earlier rules with higher priority, so that within a pattern a node fires only its first
  matching rule; the document is walked through elements and attributes (``@*|*``);
- a false ``sch:assert`` writes ``svrl:failed-assert``, a true ``sch:report``
  ``svrl:successful-report``, each with ``id``, ``flag``, ``role``, ``test``, the node's
  location in the skeleton's form, and the message (``sch:name`` and ``sch:value-of``
  evaluated);
- ``sch:include`` is replaced by the included element; ``sch:phase`` is honoured when the
  schema names a ``defaultPhase``, otherwise every pattern runs (``#ALL``).

Anything else (abstract patterns and rules, ``sch:extends``, diagnostics, other query
bindings) is refused with ``SchematronError`` rather than silently skipped: none of the rule
files uses it. ``only_ids`` keeps the asserts and reports with those ids (a rule that loses
them all still takes its nodes, so the other rules of its pattern fire as in the full schema).
"""

from __future__ import annotations

import copy
from collections.abc import Collection
from pathlib import Path

from lxml import etree

SCH = "http://purl.oclc.org/dsdl/schematron"
XSL = "http://www.w3.org/1999/XSL/Transform"
SVRL = "http://purl.oclc.org/dsdl/svrl"
XS = "http://www.w3.org/2001/XMLSchema"
OWN = "urn:coopflow:schematron-compiler"  # the compiler's own helper function

_SUPPORTED = {"schema", "title", "p", "ns", "let", "pattern", "rule", "assert", "report"}
_SUPPORTED |= {"name", "value-of", "emph", "dir", "span", "phase", "active", "include"}
_TOP_LEVEL_XSL = {"function", "key"}

# The location of the failing node, written as the ISO skeleton writes it
# (/*:Invoice[namespace-uri()='…'][1]/*:ID[namespace-uri()='…'][1]).
_LOCATION = """concat(
  string-join(for $e in $node/ancestor-or-self::* return concat('/',
    if (namespace-uri($e) = '') then name($e)
    else concat('*:', local-name($e), '[namespace-uri()=''', namespace-uri($e), ''']'),
    '[', 1 + count($e/preceding-sibling::*[local-name() = local-name($e)
                                            and namespace-uri() = namespace-uri($e)]), ']'), ''),
  if (not($node instance of attribute())) then ''
  else if (namespace-uri($node) = '') then concat('/@', name($node))
  else concat('/@*[local-name()=''', local-name($node), ''' and namespace-uri()=''',
              namespace-uri($node), ''']'))"""


class SchematronError(ValueError):
    """The schema uses something outside the subset this compiler implements."""


def _sch(name: str) -> str:
    return f"{{{SCH}}}{name}"


def _xsl(parent: etree._Element, tag: str, /, **attrib: str) -> etree._Element:
    return etree.SubElement(parent, f"{{{XSL}}}{tag}", attrib)


def _avt(text: str) -> str:
    """A literal for an attribute value template: braces doubled."""
    return text.replace("{", "{{").replace("}", "}}")


def _load(path: Path, seen: frozenset[Path] = frozenset()) -> etree._Element:
    """The schema (or included element) at ``path`` with its ``sch:include``s replaced."""
    path = path.resolve()
    if path in seen:
        raise SchematronError(f"{path.name} includes itself")
    root = etree.parse(str(path)).getroot()
    for include in list(root.iter(_sch("include"))):
        href = include.get("href") or ""
        if "#" in href:
            raise SchematronError(f"include of a fragment ({href}) is not supported")
        included = _load(path.parent / href, seen | {path})
        parent = include.getparent()
        if parent is None:
            raise SchematronError(f"{path.name} is only an include")
        parent.replace(include, included)
    return root


def _check_subset(schema: etree._Element) -> None:
    if schema.tag != _sch("schema"):
        raise SchematronError(f"not an ISO Schematron schema: {schema.tag}")
    binding = schema.get("queryBinding", "xslt")
    if binding not in ("xslt2", "xslt3"):
        raise SchematronError(f"queryBinding {binding!r} is not supported (xslt2, xslt3)")
    for element in schema.iter(_sch("*")):
        name = etree.QName(element).localname
        if name not in _SUPPORTED:
            raise SchematronError(f"sch:{name} is not supported")
        if element.get("abstract") == "true" or element.get("is-a"):
            raise SchematronError(f"abstract sch:{name} ({element.get('id')}) is not supported")
        if name == "let" and element.get("value") is None:
            raise SchematronError(f"sch:let {element.get('name')} without a value")
    for element in schema.iter(f"{{{XSL}}}*"):
        parent = element.getparent()
        if parent is schema and etree.QName(element).localname not in _TOP_LEVEL_XSL:
            raise SchematronError(f"top-level xsl:{etree.QName(element).localname}")


def _namespaces(schema: etree._Element) -> dict[str, str]:
    namespaces = {"xsl": XSL, "svrl": SVRL, "xs": XS, "schc": OWN}
    declared: dict[str, str] = {}
    for element in schema.iter():
        for prefix, uri in element.nsmap.items():
            if prefix is not None and uri != SCH:
                declared.setdefault(prefix, uri)
    for ns in schema.iter(_sch("ns")):
        prefix, uri = ns.get("prefix", ""), ns.get("uri", "")
        if namespaces.get(prefix, uri) != uri:
            raise SchematronError(f"prefix {prefix} is bound to two namespaces")
        namespaces[prefix] = uri
    for prefix, uri in declared.items():
        namespaces.setdefault(prefix, uri)
    return namespaces


def _active_patterns(schema: etree._Element) -> list[etree._Element]:
    patterns = list(schema.iter(_sch("pattern")))
    phase_id = schema.get("defaultPhase")
    if phase_id in (None, "#ALL"):
        return patterns
    phases = [p for p in schema.iter(_sch("phase")) if p.get("id") == phase_id]
    if not phases:
        raise SchematronError(f"defaultPhase {phase_id} is not defined")
    active = {a.get("pattern") for a in phases[0].iter(_sch("active"))}
    return [p for p in patterns if p.get("id") in active]


def _message(target: etree._Element, source: etree._Element) -> None:
    """The text of an assert or report, with ``sch:name`` and ``sch:value-of`` evaluated."""
    if source.text:
        _xsl(target, "text").text = source.text
    for child in source:
        if not isinstance(child.tag, str):  # comment or processing instruction
            pass
        elif child.tag == _sch("name"):
            _xsl(target, "value-of", select=f"name({child.get('path', '.')})")
        elif child.tag == _sch("value-of"):
            _xsl(target, "value-of", select=child.get("select", "."))
        elif child.tag in (_sch("emph"), _sch("dir"), _sch("span")):
            _message(target, child)
        else:
            raise SchematronError(f"{child.tag} inside an assert is not supported")
        if child.tail:
            _xsl(target, "text").text = child.tail


def _check(template: etree._Element, check: etree._Element) -> None:
    test = check.get("test", "")
    is_assert = check.tag == _sch("assert")
    if is_assert:
        choose = _xsl(template, "choose")
        _xsl(choose, "when", test=test)
        parent = _xsl(choose, "otherwise")
    else:
        parent = _xsl(template, "if", test=test)
    kind = "failed-assert" if is_assert else "successful-report"
    attrib = {"test": _avt(test)}
    for name in ("id", "flag", "role"):
        if check.get(name) is not None:
            attrib[name] = _avt(check.get(name, ""))
    result = etree.SubElement(parent, f"{{{SVRL}}}{kind}", attrib)
    _xsl(result, "attribute", name="location", select="schc:location(.)")
    _message(etree.SubElement(result, f"{{{SVRL}}}text"), check)


def _pattern(
    stylesheet: etree._Element, pattern: etree._Element, mode: str, keep: Collection[str] | None
) -> None:
    rules = list(pattern.iter(_sch("rule")))
    for index, rule in enumerate(rules):
        template = _xsl(
            stylesheet,
            "template",
            match=rule.get("context", ""),
            mode=mode,
            priority=str(1000 + len(rules) - index),
        )
        for child in rule:
            if child.tag == _sch("let"):
                _xsl(
                    template, "variable", name=child.get("name", ""), select=child.get("value", "")
                )
            elif child.tag in (_sch("assert"), _sch("report")):
                if keep is None or child.get("id") in keep:
                    _check(template, child)
        _xsl(template, "apply-templates", select="@*|*", mode=mode)
    _xsl(stylesheet, "template", match="text()", mode=mode, priority="-1")
    walk = _xsl(stylesheet, "template", match="@*|node()", mode=mode, priority="-2")
    _xsl(walk, "apply-templates", select="@*|*", mode=mode)


def compile_schematron(path: Path, *, only_ids: Collection[str] | None = None) -> str:
    """The XSLT (as text) that validates a document against the Schematron at ``path`` and
    writes an SVRL report; with ``only_ids``, only those asserts and reports are kept."""
    schema = _load(path)
    _check_subset(schema)
    namespaces = _namespaces(schema)
    stylesheet = etree.Element(f"{{{XSL}}}stylesheet", {"version": "2.0"}, nsmap=namespaces)
    _xsl(stylesheet, "output", method="xml", indent="no")
    for child in schema:
        if isinstance(child.tag, str) and etree.QName(child).namespace == XSL:
            stylesheet.append(copy.deepcopy(child))
    location = _xsl(stylesheet, "function", name="schc:location", **{"as": "xs:string"})
    _xsl(location, "param", name="node", **{"as": "node()"})
    _xsl(location, "sequence", select=_LOCATION)

    patterns = _active_patterns(schema)
    global_lets = [c for c in schema if c.tag == _sch("let")]
    global_lets += [c for p in patterns for c in p if c.tag == _sch("let")]
    names = [let.get("name") for let in global_lets]
    if len(set(names)) != len(names):
        raise SchematronError("two global sch:let with the same name")
    for let in global_lets:
        _xsl(stylesheet, "variable", name=let.get("name", ""), select=let.get("value", ""))

    root = _xsl(stylesheet, "template", match="/")
    title = schema.findtext(_sch("title")) or ""
    output = etree.SubElement(root, f"{{{SVRL}}}schematron-output", {"title": _avt(title)})
    for ns in schema.iter(_sch("ns")):
        etree.SubElement(
            output,
            f"{{{SVRL}}}ns-prefix-in-attribute-values",
            {"prefix": _avt(ns.get("prefix", "")), "uri": _avt(ns.get("uri", ""))},
        )
    for index, pattern in enumerate(patterns):
        mode = f"M{index}"
        attrib = {"id": _avt(pattern.get("id", ""))} if pattern.get("id") else {}
        etree.SubElement(output, f"{{{SVRL}}}active-pattern", attrib)
        _xsl(output, "apply-templates", select="/", mode=mode)
        _pattern(stylesheet, pattern, mode, only_ids)
    return etree.tostring(stylesheet, encoding="unicode")
