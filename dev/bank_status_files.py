"""Payment status reports (pain.002.001.03 / .001.10) made from small specs, for tests and the
demo: what a bank answers to the pain.001 files ``adapters.banking.sepa`` writes.

Re-exported by ``dev.bank_files``. No pain.002 schema is vendored (none is on PyPI); the
structure follows the ISO 20022 message definition (``CstmrPmtStsRpt``: ``GrpHdr``,
``OrgnlGrpInfAndSts``, ``OrgnlPmtInfAndSts/TxInfAndSts``), identical in both versions for the
elements written here.
"""

from __future__ import annotations

import io
from collections.abc import Iterable
from dataclasses import dataclass
from typing import BinaryIO, Literal

from lxml import etree

PainVersion = Literal["001.03", "001.10"]


@dataclass(frozen=True)
class StatusLine:
    """The status the bank gives one transfer of the original pain.001."""

    end_to_end_id: str
    status: str = "ACCP"  # ACCP, ACSC, ACSP, RJCT, PDNG...
    reason_code: str = ""  # e.g. AC04 with RJCT
    additional_info: str = ""
    instruction_id: str = ""


def write_pain002(
    out: BinaryIO,
    *,
    message_id: str = "STS-1",
    original_message_id: str,
    transactions: Iterable[StatusLine] = (),
    group_status: str = "",
    group_reason_code: str = "",
    payment_info_id: str = "PMT-1",
    payment_info_status: str = "",
    original_message_type: str = "pain.001.001.09",
    version: PainVersion = "001.03",
) -> None:
    ns = f"urn:iso:std:iso:20022:tech:xsd:pain.002.{version}"

    def sub(parent: etree._Element, tag: str, text: str | None = None) -> etree._Element:
        element = etree.SubElement(parent, f"{{{ns}}}{tag}")
        if text is not None:
            element.text = text
        return element

    def reason(parent: etree._Element, code: str, info: str = "") -> None:
        if code or info:
            reason_info = sub(parent, "StsRsnInf")
            if code:
                sub(sub(reason_info, "Rsn"), "Cd", code)
            if info:
                sub(reason_info, "AddtlInf", info)

    root = etree.Element(f"{{{ns}}}Document", nsmap={None: ns})
    body = sub(root, "CstmrPmtStsRpt")
    header = sub(body, "GrpHdr")
    sub(header, "MsgId", message_id)
    sub(header, "CreDtTm", "2025-03-04T09:00:00")
    group = sub(body, "OrgnlGrpInfAndSts")
    sub(group, "OrgnlMsgId", original_message_id)
    sub(group, "OrgnlMsgNmId", original_message_type)
    if group_status:
        sub(group, "GrpSts", group_status)
    reason(group, group_reason_code)
    lines = list(transactions)
    if lines or payment_info_status:
        payment = sub(body, "OrgnlPmtInfAndSts")
        sub(payment, "OrgnlPmtInfId", payment_info_id)
        if payment_info_status:
            sub(payment, "PmtInfSts", payment_info_status)
        for line in lines:
            tx = sub(payment, "TxInfAndSts")
            if line.instruction_id:
                sub(tx, "OrgnlInstrId", line.instruction_id)
            sub(tx, "OrgnlEndToEndId", line.end_to_end_id)
            sub(tx, "TxSts", line.status)
            reason(tx, line.reason_code, line.additional_info)
    out.write(etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True))


def pain002_bytes(**kwargs: object) -> bytes:
    out = io.BytesIO()
    write_pain002(out, **kwargs)  # type: ignore[arg-type]
    return out.getvalue()
