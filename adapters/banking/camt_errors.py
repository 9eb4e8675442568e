"""Why a camt file is refused, and on which line: for ``adapters.banking.camt``.

lxml validates a stream without telling where the schema broke (its errors carry line 0), and
with entity resolution off it also loses the line of a well-formedness error. So a refused file
is read again, only then: first without the schema (the parser's own message and line for XML
that is not well-formed), then with the schema one line per read, stopping at the first line
after which the schema reports an error. Both readings clear what they have read, so a refused
100 MB file costs time, not memory.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from contextlib import AbstractContextManager
from typing import IO, Any, Final

from lxml import etree

from adapters.banking.iso20022 import CAMT_VERSIONS, split_namespace
from domain.banking.statement import StatementError

CHUNK: Final = 64 * 1024
# No entities expanded, no DTD or network access, libxml2's size limits kept.
PARSER_OPTIONS: Final[dict[str, Any]] = {
    "resolve_entities": False,
    "no_network": True,
    "huge_tree": False,
}
CONTAINERS: Final[dict[str, str]] = {"camt.053": "Stmt", "camt.054": "Ntfctn"}
_NAMESPACE_IN_MESSAGE: Final = re.compile(r"\{[^}]*\}")

Opener = Callable[[], AbstractContextManager[IO[bytes]]]


class _SchemaBroken(Exception):
    """Raised out of lxml's read loop: the schema broke on or before ``line``."""

    def __init__(self, line: int) -> None:
        super().__init__(line)
        self.line = line


class Chunks:
    """A file as lxml reads it: ``size`` bytes per read or, with ``size=None``, one line per
    read, raising ``_SchemaBroken`` as soon as ``error_log`` (when set) shows an error."""

    def __init__(self, stream: IO[bytes], size: int | None) -> None:
        self._stream = stream
        self._size = size
        self.line = 0
        self.error_log: Callable[[], etree._ListErrorLog] | None = None

    def read(self, _n: int = -1) -> bytes:
        if self._size is not None:
            return self._stream.read(self._size)
        if self.error_log is not None and has_errors(self.error_log()):
            raise _SchemaBroken(self.line)
        data = self._stream.readline()
        if data:
            self.line += 1
        return data


def has_errors(log: etree._ListErrorLog) -> bool:
    return bool(len(log)) and any(e.level >= etree.ErrorLevels.ERROR for e in log)


def diagnose(opener: Opener, schema: etree.XMLSchema, ntry_tag: str, what: str) -> StatementError:
    """The reason and line of whatever made a streaming reading of the file fail."""
    with opener() as stream:
        events = etree.iterparse(
            Chunks(stream, CHUNK), events=("end",), tag=ntry_tag, **PARSER_OPTIONS
        )
        try:
            _drain(events)
        except etree.XMLSyntaxError as exc:
            reason = f"the file is not well-formed XML: {exc.msg}"
            return StatementError(reason, exc.lineno or None)
    with opener() as stream:
        lines = Chunks(stream, None)
        events = etree.iterparse(
            lines, events=("end",), tag=ntry_tag, schema=schema, **PARSER_OPTIONS
        )
        lines.error_log = lambda: events.error_log
        try:
            _drain(events)
        except _SchemaBroken as broken:
            return StatementError(_schema_reason(events.error_log, what), broken.line)
        except etree.XMLSyntaxError:
            pass
        return StatementError(_schema_reason(events.error_log, what), None)


def _drain(events: etree.iterparse) -> None:
    for _event, element in events:
        element.clear()
        parent = element.getparent()
        while parent is not None and element.getprevious() is not None:
            del parent[0]


def _schema_reason(log: etree._ListErrorLog, what: str) -> str:
    errors = [e for e in log if e.level >= etree.ErrorLevels.ERROR]
    message = _NAMESPACE_IN_MESSAGE.sub("", errors[0].message) if errors else "unknown error"
    return f"the file does not follow the ISO 20022 {what} schema: {message}"


def message_of(root: etree._Element) -> tuple[str, str]:
    """The (message, version) of a camt.053/054 root element we read, else StatementError."""
    qname = etree.QName(root)
    found = split_namespace(qname.namespace or "")
    if qname.localname != "Document" or found is None:
        raise StatementError(
            f"this XML file is not an ISO 20022 bank statement (its root is <{qname.localname}> "
            f"in namespace {qname.namespace or 'none'!r})",
            root.sourceline,
        )
    message, version = found
    if message == "pain.002":
        raise StatementError(
            "this is a payment status report (pain.002), not a bank statement: import it as a "
            "status report",
            root.sourceline,
        )
    if message not in CONTAINERS:
        raise StatementError(
            f"this is an ISO 20022 {message} message, not a bank statement (camt.053) or "
            "notification (camt.054)",
            root.sourceline,
        )
    if (message, version) not in CAMT_VERSIONS:
        known = " and ".join(sorted(v for m, v in CAMT_VERSIONS if m == message))
        raise StatementError(
            f"{message} version {version} is not one we read ({known}); ask the bank for one "
            "of those",
            root.sourceline,
        )
    return message, version


def several(element: etree._Element) -> StatementError:
    return StatementError(
        "the file holds several statements; we take one statement (one account) per file: "
        "ask the bank for one file per account and day",
        element.sourceline,
    )
