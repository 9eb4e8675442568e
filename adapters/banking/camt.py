"""Streaming reader of bank statements (camt.053) and notifications (camt.054).

Versions .001.02 and .001.08, told apart by the document's namespace. The file is validated
against the vendored ISO 20022 schema of its version *while* it streams (lxml ``iterparse``
with ``schema=``), and each ``Ntry`` is cleared once read, so memory stays flat however long the
statement is. The XML parser resolves no entities, reads no DTD and never touches the network.

Refused, with a ``StatementError`` naming the line and the reason in plain words: a file that
is not XML, is not a camt.053/054 of a version we read, breaks the schema, holds several
statements, has amounts in another currency than EUR or with fractions of a cent, or whose
balances do not add up (opening + entries ≠ closing).

Atomicity is the caller's part: ``lines()`` may raise after it has yielded lines (a schema
violation near the end of the file, the balance check after the last line), so collect the
lines and store them only once ``lines()`` has finished.
"""

from __future__ import annotations

import shutil
import tempfile
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import replace
from pathlib import Path
from typing import IO, BinaryIO, Final

from lxml import etree

from adapters.banking.camt_entry import (
    CURRENCY,
    Paths,
    amount_cents,
    date_of,
    datetime_of,
    entry_lines,
    text,
)
from adapters.banking.camt_errors import (
    CHUNK,
    CONTAINERS,
    PARSER_OPTIONS,
    Chunks,
    diagnose,
    has_errors,
    message_of,
    several,
)
from adapters.banking.iso20022 import camt_schema
from domain.banking.statement import (
    Balance,
    BankLine,
    MessageKind,
    StatementError,
    StatementHeader,
    check_balances,
)

_PEEK_LIMIT: Final = 64 * 1024


class CamtReader:
    """One camt.053 or camt.054 file: ``header`` at once, then ``lines()`` once, streaming.

    ``header`` is read eagerly by the constructor, from the start of the file up to the first
    entry, so a caller can see which account and statement this is (``header.identity``)
    before reading the lines. ``source`` is a path or a binary file object; a file object that
    cannot seek is first copied to a temporary file (spilled to disk past 16 MB).
    """

    def __init__(self, source: Path | str | BinaryIO) -> None:
        self._path: Path | None = None
        self._stream: IO[bytes] | None = None
        if isinstance(source, (str, Path)):
            self._path = Path(source)
        elif source.seekable():
            self._stream, self._start = source, source.tell()
        else:
            spool = tempfile.SpooledTemporaryFile(max_size=16 * 1024 * 1024)
            shutil.copyfileobj(source, spool)
            self._stream, self._start = spool, 0
        message, version = self._peek()
        self.kind: MessageKind = "camt.053" if message == "camt.053" else "camt.054"
        self.version = version
        self._q = Paths(f"urn:iso:std:iso:20022:tech:xsd:{message}.{version}")
        self._schema = camt_schema(message, version)
        self._container = self._q(CONTAINERS[message])
        self._closing_line: int | None = None
        self.header: StatementHeader = self._read_header()
        self._read = False

    def lines(self) -> Iterator[BankLine]:
        """Every booked transaction in file order, batch entries split into their ``TxDtls``.

        A generator: the file is read as the lines are taken. Raises ``StatementError`` (maybe
        after the last line: see the module docstring); can be called once.
        """
        if self._read:
            raise RuntimeError("CamtReader.lines() reads the file once; make a new reader")
        self._read = True
        ntry_tag = self._q("Ntry")
        moved = 0
        seen: Counter[str] = Counter()
        containers = 0
        statement: etree._Element | None = None
        with self._open() as stream:
            for element in self._elements(stream, (ntry_tag, self._container)):
                if element.tag == self._container:
                    containers += 1
                    if containers > 1:
                        raise several(element)
                    continue
                parent = element.getparent()
                if statement is None:
                    statement = parent
                elif parent is not statement:
                    raise several(element)
                for line in entry_lines(element, self.header.account_iban):
                    moved += line.amount_cents if line.direction == "credit" else -line.amount_cents
                    if not (line.account_servicer_ref or line.entry_ref):
                        key = line.identity
                        line = replace(line, occurrence=seen[key])
                        seen[key] += 1
                    yield line
                # Flat memory: drop the entry and everything before it in the statement.
                element.clear()
                while element.getprevious() is not None:
                    del parent[0]
        check_balances(self.header, moved, self._closing_line)

    # --- reading the file -------------------------------------------------------------------

    @contextmanager
    def _open(self) -> Iterator[IO[bytes]]:
        if self._path is not None:
            with self._path.open("rb") as stream:
                yield stream
            return
        assert self._stream is not None
        self._stream.seek(self._start)
        yield self._stream

    def _peek(self) -> tuple[str, str]:
        """The (message, version) the root element's namespace names, from the first 64 KB."""
        pull = etree.XMLPullParser(events=("start",), **PARSER_OPTIONS)
        read = 0
        root: etree._Element | None = None
        with self._open() as stream:
            while root is None and read < _PEEK_LIMIT:
                chunk = stream.read(4096)
                if not chunk:
                    break
                read += len(chunk)
                try:
                    pull.feed(chunk)
                except etree.XMLSyntaxError as exc:
                    reason = f"this is not an XML file ({exc.msg})"
                    raise StatementError(reason, exc.lineno) from None
                for _event, element in pull.read_events():
                    root = element
                    break
        if root is None:
            reason = "the file is empty" if read == 0 else "this is not an XML file"
            raise StatementError(reason, None)
        if root.getroottree().docinfo.doctype:
            # Entities are never expanded anyway; a DTD in a bank file is a sign of tampering.
            raise StatementError(
                "the file declares a DTD (<!DOCTYPE>); bank statements have none and we do "
                "not read files that do",
                1,
            )
        return message_of(root)

    def _elements(self, stream: IO[bytes], tags: tuple[str, ...]) -> Iterator[etree._Element]:
        """End events of ``tags``, validated as they stream; any error becomes the
        StatementError that ``diagnose`` finds (a second reading, for refused files only)."""
        events = etree.iterparse(
            Chunks(stream, CHUNK), events=("end",), tag=tags, schema=self._schema, **PARSER_OPTIONS
        )
        try:
            for _event, element in events:
                if has_errors(events.error_log):
                    raise self._diagnose()
                yield element
        except etree.XMLSyntaxError:
            raise self._diagnose() from None
        if has_errors(events.error_log):
            raise self._diagnose()

    def _diagnose(self) -> StatementError:
        return diagnose(self._open, self._schema, self._q("Ntry"), f"{self.kind}.{self.version}")

    # --- header and balances --------------------------------------------------------------

    def _read_header(self) -> StatementHeader:
        with self._open() as stream:
            for element in self._elements(stream, (self._q("Ntry"), self._container)):
                container = element if element.tag == self._container else element.getparent()
                assert container is not None
                return self._header(container)
        raise StatementError(f"the {self.kind} holds no statement", None)  # schema forbids it

    def _header(self, container: etree._Element) -> StatementHeader:
        q = self._q
        group = container.getparent()
        account = container.find(q("Acct"))
        # Both required by the schema.
        assert group is not None
        assert account is not None
        iban = text(account, "Id/IBAN", q)
        if not iban:
            raise StatementError(
                "the account is not identified by an IBAN; we only read IBAN accounts",
                account.sourceline,
            )
        currency = text(account, "Ccy", q)
        if currency and currency != CURRENCY:
            raise StatementError(
                f"the account is in {currency}; we only take euro (EUR) accounts",
                account.sourceline,
            )
        balances: dict[str, Balance] = {}
        for element in container.findall(q("Bal")):
            code = text(element, "Tp/CdOrPrtry/Cd", q)
            amount_el = element.find(q("Amt"))
            on = date_of(element.find(q("Dt")), q)
            if code not in ("OPBD", "PRCD", "CLBD") or amount_el is None or on is None:
                continue
            cents = amount_cents(amount_el)
            signed = -cents if text(element, "CdtDbtInd", q) == "DBIT" else cents
            balances.setdefault(code, Balance(amount_cents=signed, on=on))
            if code == "CLBD":
                self._closing_line = element.sourceline
        return StatementHeader(
            kind=self.kind,
            version=self.version,
            message_id=text(group, "GrpHdr/MsgId", q),
            statement_id=text(container, "Id", q),
            account_iban=iban.replace(" ", ""),
            currency=CURRENCY,
            created_at=datetime_of(text(group, "GrpHdr/CreDtTm", q)),
            sequence=text(container, "ElctrncSeqNb", q) or text(container, "LglSeqNb", q),
            opening=balances.get("OPBD") or balances.get("PRCD"),
            closing=balances.get("CLBD"),
        )


def read_statement(source: Path | str | BinaryIO) -> tuple[StatementHeader, list[BankLine]]:
    """The header and all lines of a small file, or StatementError (then nothing is returned)."""
    reader = CamtReader(source)
    return reader.header, list(reader.lines())
