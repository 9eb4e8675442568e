"""Bank files made from small specs: camt.053 and camt.054 (.001.02 and .001.08), pain.002.

For the tests, the demo and the benchmarks: no real bank file can be shipped, so these are
written the way banks write them (German/Belgian style: ``TxDtls`` with references, related
parties and remittance), and every camt file validates against the vendored ISO 20022 schema
(tested). Balances are computed so they add up.

Streaming: entries may be a generator of 100,000 items. Each entry is serialised on its own
into a spooled temporary file while the total is summed, then the document is written around
it (the closing balance comes *before* the entries in a camt.053), so no big tree is built.

pain.002 status reports come from ``dev.bank_status_files`` and are re-exported here.
"""

from __future__ import annotations

import io
import shutil
import tempfile
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime
from typing import BinaryIO, Literal

from lxml import etree

from dev.bank_status_files import StatusLine, pain002_bytes, write_pain002
from domain.money import to_decimal_euros

__all__ = [
    "OUR_IBAN",
    "Batch",
    "Entry",
    "StatusLine",
    "Txn",
    "camt053_bytes",
    "camt054_bytes",
    "pain002_bytes",
    "write_camt053",
    "write_camt054",
    "write_pain002",
]

Direction = Literal["credit", "debit"]
Version = Literal["001.02", "001.08"]
OUR_IBAN = "DE89370400440532013000"
_NS = "urn:iso:std:iso:20022:tech:xsd:"
_MARK = b"<!--ENTRIES-->"
_DAY = date(2025, 3, 3)


@dataclass(frozen=True)
class Txn:
    """One transfer; on its own it is one entry, inside a ``Batch`` one ``TxDtls``."""

    amount_cents: int
    direction: Direction = "credit"
    counterparty_name: str = ""
    counterparty_iban: str = ""
    end_to_end_id: str = ""  # "" is written as NOTPROVIDED, as banks do
    structured_ref: str = ""  # an RF creditor reference (or any CdtrRefInf/Ref)
    unstructured: str = ""
    account_servicer_ref: str = ""  # the bank's reference (Ntry and TxDtls/Refs)
    entry_ref: str = ""  # NtryRef (entry level; ignored inside a batch)
    return_reason: str = ""  # RtrInf/Rsn/Cd: a returned transfer (e.g. AC04)
    booking_date: date = _DAY
    value_date: date | None = None


@dataclass(frozen=True)
class Batch:
    """One entry booking several transfers at once (a collective payout, a bulk credit)."""

    txns: tuple[Txn, ...]
    direction: Direction = "debit"
    entry_ref: str = ""
    account_servicer_ref: str = ""
    booking_date: date = _DAY
    with_amounts: bool = True  # False writes TxDtls without amounts (a file to refuse)

    @property
    def amount_cents(self) -> int:
        return sum(t.amount_cents for t in self.txns)


Entry = Txn | Batch


def write_camt053(
    out: BinaryIO,
    *,
    account_iban: str = OUR_IBAN,
    statement_id: str = "STMT-1",
    opening_cents: int = 0,
    entries: Iterable[Entry],
    version: Version = "001.08",
    message_id: str | None = None,
    statement_date: date = _DAY,
    closing_adjust_cents: int = 0,
) -> int:
    """A statement with opening (OPBD) and closing (CLBD) balances; returns the closing cents.

    ``closing_adjust_cents`` makes a statement whose balances do not add up.
    """
    ns = f"{_NS}camt.053.{version}"
    with tempfile.SpooledTemporaryFile(max_size=8 * 1024 * 1024) as spool:
        moved = _spool_entries(spool, entries, version, account_iban)
        closing = opening_cents + moved + closing_adjust_cents
        root = etree.Element(f"{{{ns}}}Document", nsmap={None: ns})
        stmt = _group(root, "BkToCstmrStmt", "Stmt", message_id or statement_id, statement_id)
        _account(stmt, account_iban)
        _balance(stmt, "OPBD", opening_cents, statement_date)
        _balance(stmt, "CLBD", closing, statement_date)
        _write_around(out, root, stmt, spool)
    return closing


def write_camt054(
    out: BinaryIO,
    *,
    account_iban: str = OUR_IBAN,
    notification_id: str = "NTFCTN-1",
    entries: Iterable[Entry],
    version: Version = "001.08",
    message_id: str | None = None,
) -> None:
    """A debit/credit notification (no balances)."""
    ns = f"{_NS}camt.054.{version}"
    with tempfile.SpooledTemporaryFile(max_size=8 * 1024 * 1024) as spool:
        _spool_entries(spool, entries, version, account_iban)
        root = etree.Element(f"{{{ns}}}Document", nsmap={None: ns})
        container = _group(
            root, "BkToCstmrDbtCdtNtfctn", "Ntfctn", message_id or notification_id, notification_id
        )
        _account(container, account_iban)
        _write_around(out, root, container, spool)


def camt053_bytes(**kwargs: object) -> bytes:
    out = io.BytesIO()
    write_camt053(out, **kwargs)  # type: ignore[arg-type]
    return out.getvalue()


def camt054_bytes(**kwargs: object) -> bytes:
    out = io.BytesIO()
    write_camt054(out, **kwargs)  # type: ignore[arg-type]
    return out.getvalue()


# --- camt building blocks -----------------------------------------------------------------


def _group(
    root: etree._Element, message: str, container: str, msg_id: str, cid: str
) -> etree._Element:
    ns = etree.QName(root).namespace
    body = etree.SubElement(root, f"{{{ns}}}{message}")
    header = etree.SubElement(body, f"{{{ns}}}GrpHdr")
    etree.SubElement(header, f"{{{ns}}}MsgId").text = msg_id
    etree.SubElement(header, f"{{{ns}}}CreDtTm").text = _created()
    element = etree.SubElement(body, f"{{{ns}}}{container}")
    etree.SubElement(element, f"{{{ns}}}Id").text = cid
    etree.SubElement(element, f"{{{ns}}}ElctrncSeqNb").text = "1"
    etree.SubElement(element, f"{{{ns}}}CreDtTm").text = _created()
    return element


def _account(container: etree._Element, iban: str) -> None:
    ns = etree.QName(container).namespace
    account = etree.SubElement(container, f"{{{ns}}}Acct")
    etree.SubElement(etree.SubElement(account, f"{{{ns}}}Id"), f"{{{ns}}}IBAN").text = iban
    etree.SubElement(account, f"{{{ns}}}Ccy").text = "EUR"


def _balance(stmt: etree._Element, code: str, cents: int, on: date) -> None:
    ns = etree.QName(stmt).namespace
    bal = etree.SubElement(stmt, f"{{{ns}}}Bal")
    kind = etree.SubElement(etree.SubElement(bal, f"{{{ns}}}Tp"), f"{{{ns}}}CdOrPrtry")
    etree.SubElement(kind, f"{{{ns}}}Cd").text = code
    amount = etree.SubElement(bal, f"{{{ns}}}Amt", Ccy="EUR")
    amount.text = str(to_decimal_euros(abs(cents)))
    etree.SubElement(bal, f"{{{ns}}}CdtDbtInd").text = "DBIT" if cents < 0 else "CRDT"
    etree.SubElement(etree.SubElement(bal, f"{{{ns}}}Dt"), f"{{{ns}}}Dt").text = on.isoformat()


def _write_around(
    out: BinaryIO, root: etree._Element, container: etree._Element, spool: BinaryIO
) -> None:
    """The document with the spooled entries where the marker comment stands."""
    container.append(etree.Comment("ENTRIES"))
    document = etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True)
    before, after = document.split(_MARK)
    out.write(before)
    spool.seek(0)
    shutil.copyfileobj(spool, out)
    out.write(after)


def _spool_entries(spool: BinaryIO, entries: Iterable[Entry], version: Version, own: str) -> int:
    """Serialise each entry (no namespace prefix: it inherits the document's) and sum them."""
    moved = 0
    for entry in entries:
        spool.write(
            etree.tostring(_entry(entry, version, own), pretty_print=True, encoding="UTF-8")
        )
        moved += entry.amount_cents if entry.direction == "credit" else -entry.amount_cents
    return moved


def _entry(entry: Entry, version: Version, own: str) -> etree._Element:
    ntry = etree.Element("Ntry")
    if entry.entry_ref:
        _sub(ntry, "NtryRef", entry.entry_ref)
    _amount(ntry, entry.amount_cents)
    _sub(ntry, "CdtDbtInd", _cdt_dbt(entry.direction))
    if version == "001.02":
        _sub(ntry, "Sts", "BOOK")
    else:
        _sub(_sub(ntry, "Sts"), "Cd", "BOOK")
    _sub(_sub(ntry, "BookgDt"), "Dt", entry.booking_date.isoformat())
    value_date = entry.value_date if isinstance(entry, Txn) else None
    _sub(_sub(ntry, "ValDt"), "Dt", (value_date or entry.booking_date).isoformat())
    if entry.account_servicer_ref:
        _sub(ntry, "AcctSvcrRef", entry.account_servicer_ref)
    returned = isinstance(entry, Txn) and bool(entry.return_reason)
    _bank_code(ntry, entry.direction, returned)
    details = _sub(ntry, "NtryDtls")
    if isinstance(entry, Txn):
        _tx_details(details, entry, entry.direction, version, own, with_amount=True)
        return ntry
    batch = _sub(details, "Btch")
    _sub(batch, "NbOfTxs", str(len(entry.txns)))
    _amount(batch, entry.amount_cents, "TtlAmt")
    _sub(batch, "CdtDbtInd", _cdt_dbt(entry.direction))
    for txn in entry.txns:
        _tx_details(details, txn, entry.direction, version, own, entry.with_amounts)
    return ntry


def _tx_details(
    details: etree._Element,
    txn: Txn,
    direction: Direction,
    version: Version,
    own: str,
    with_amount: bool,
) -> None:
    tx = _sub(details, "TxDtls")
    refs = _sub(tx, "Refs")
    if txn.account_servicer_ref:
        _sub(refs, "AcctSvcrRef", txn.account_servicer_ref)
    _sub(refs, "EndToEndId", txn.end_to_end_id or "NOTPROVIDED")
    if with_amount and version == "001.08":
        _amount(tx, txn.amount_cents)
        _sub(tx, "CdtDbtInd", _cdt_dbt(direction))
    elif with_amount:
        _amount(_sub(_sub(tx, "AmtDtls"), "TxAmt"), txn.amount_cents)
    them = (txn.counterparty_name, txn.counterparty_iban)
    debtor, creditor = (them, ("", own)) if direction == "credit" else (("", own), them)
    parties = _sub(tx, "RltdPties")
    _party(parties, "Dbtr", debtor, version)
    _party(parties, "Cdtr", creditor, version)
    if txn.unstructured or txn.structured_ref:
        remittance = _sub(tx, "RmtInf")
        for start in range(0, len(txn.unstructured), 140):
            _sub(remittance, "Ustrd", txn.unstructured[start : start + 140])
        if txn.structured_ref:
            ref_info = _sub(_sub(remittance, "Strd"), "CdtrRefInf")
            ref_type = _sub(ref_info, "Tp")
            _sub(_sub(ref_type, "CdOrPrtry"), "Cd", "SCOR")
            if txn.structured_ref.startswith("RF"):
                _sub(ref_type, "Issr", "ISO")
            _sub(ref_info, "Ref", txn.structured_ref)
    if txn.return_reason:
        _sub(_sub(_sub(tx, "RtrInf"), "Rsn"), "Cd", txn.return_reason)


def _party(parties: etree._Element, role: str, who: tuple[str, str], version: Version) -> None:
    name, iban = who
    if name:
        party = _sub(parties, role)
        _sub(party if version == "001.02" else _sub(party, "Pty"), "Nm", name)
    if iban:
        _sub(_sub(_sub(parties, f"{role}Acct"), "Id"), "IBAN", iban)


def _bank_code(ntry: etree._Element, direction: Direction, returned: bool) -> None:
    domain = _sub(_sub(ntry, "BkTxCd"), "Domn")
    _sub(domain, "Cd", "PMNT")
    family = _sub(domain, "Fmly")
    # A returned payout comes back as a credit under the outgoing family, sub-family RRTN.
    _sub(family, "Cd", "ICDT" if returned or direction == "debit" else "RCDT")
    _sub(family, "SubFmlyCd", "RRTN" if returned else "ESCT")


def _amount(parent: etree._Element, cents: int, tag: str = "Amt") -> None:
    _sub(parent, tag, str(to_decimal_euros(cents))).set("Ccy", "EUR")


def _cdt_dbt(direction: Direction) -> str:
    return "CRDT" if direction == "credit" else "DBIT"


def _sub(parent: etree._Element, tag: str, text: str | None = None) -> etree._Element:
    element = etree.SubElement(parent, tag)
    if text is not None:
        element.text = text
    return element


def _created() -> str:
    return datetime(2025, 3, 3, 18, 0, 0).isoformat()
