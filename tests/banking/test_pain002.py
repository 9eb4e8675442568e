"""pain.002 payment status reports: accepted, rejected with a reason, and refused files."""

from __future__ import annotations

import io
from pathlib import Path

import pytest

from adapters.banking.pain002 import read_status_report
from dev.bank_status_files import StatusLine, pain002_bytes
from domain.banking.reason_codes import explain
from domain.banking.statement import StatementError
from domain.banking.status_report import StatusReportError, describe_status


def report(**kwargs: object) -> bytes:
    kwargs.setdefault("original_message_id", "PAYOUT-17")
    return pain002_bytes(**kwargs)


@pytest.mark.parametrize("version", ["001.03", "001.10"])
def test_an_accepted_transfer(version: str) -> None:
    data = report(
        version=version,
        message_id="STS-9",
        group_status="ACCP",
        transactions=[StatusLine("PAYOUT-17", "ACSC")],
    )
    status = read_status_report(io.BytesIO(data))
    assert status.version == version
    assert status.message_id == "STS-9"
    assert status.original_message_id == "PAYOUT-17"
    assert status.original_message_type == "pain.001.001.09"
    assert status.group_status == "ACCP"
    assert not status.whole_file_rejected
    tx = status.status_of("PAYOUT-17")
    assert tx is not None
    assert tx.is_accepted
    assert not tx.is_rejected
    assert (tx.status, tx.reason_code, tx.payment_info_id) == ("ACSC", "", "PMT-1")
    assert describe_status(tx.status) == "ACSC: the transfer is settled: the money left our account"


def test_a_rejected_transfer_with_its_reason() -> None:
    data = report(
        group_status="PART",
        transactions=[
            StatusLine("PAYOUT-17", "RJCT", "AC04", "Konto erloschen", instruction_id="I-17"),
            StatusLine("PAYOUT-18", "ACCP"),
        ],
    )
    status = read_status_report(io.BytesIO(data))
    rejected = status.status_of("PAYOUT-17")
    assert rejected is not None
    assert rejected.is_rejected
    assert rejected.reason_code == "AC04"
    assert rejected.additional_info == "Konto erloschen"
    assert rejected.original_instruction_id == "I-17"
    assert explain(rejected.reason_code) == (
        "AC04: the account is closed; ask the member for their new IBAN"
    )
    accepted = status.status_of("PAYOUT-18")
    assert accepted is not None
    assert accepted.is_accepted
    assert status.status_of("PAYOUT-99") is None


def test_a_whole_file_rejected_without_transaction_details() -> None:
    status = read_status_report(io.BytesIO(report(group_status="RJCT", group_reason_code="FF01")))
    assert status.whole_file_rejected
    assert status.group_reason_code == "FF01"
    assert status.transactions == ()


def test_a_transaction_without_its_own_status_takes_its_payment_information_status() -> None:
    data = report(payment_info_status="RJCT", transactions=[StatusLine("PAYOUT-17", "ACCP")])
    data = data.replace(b"<TxSts>ACCP</TxSts>", b"")
    status = read_status_report(io.BytesIO(data))
    assert status.transactions[0].status == "RJCT"


def test_a_path_is_read(tmp_path: Path) -> None:
    path = tmp_path / "status.xml"
    path.write_bytes(report(group_status="ACTC"))
    assert read_status_report(path).group_status == "ACTC"


# --- refused --------------------------------------------------------------------------------


def refusal(data: bytes) -> StatusReportError:
    with pytest.raises(StatusReportError) as caught:
        read_status_report(io.BytesIO(data))
    return caught.value


def test_refusals_are_statement_errors() -> None:
    assert issubclass(StatusReportError, StatementError)


def test_not_xml() -> None:
    error = refusal(b"MsgId;Status\nPAYOUT-17;RJCT\n")
    assert "not an XML file" in error.reason
    assert error.line == 1


def test_a_statement_is_not_a_status_report() -> None:
    camt = b'<Document xmlns="urn:iso:std:iso:20022:tech:xsd:camt.053.001.08"/>'
    error = refusal(camt)
    assert "bank statement or notification (camt.053)" in error.reason


def test_an_unknown_version() -> None:
    error = refusal(report(group_status="ACCP").replace(b"pain.002.001.03", b"pain.002.001.05"))
    assert error.reason == "pain.002 version 001.05 is not one we read (001.03 and 001.10)"


def test_a_missing_original_message_id_names_its_line() -> None:
    data = report(group_status="ACCP").replace(b"<OrgnlMsgId>PAYOUT-17</OrgnlMsgId>", b"")
    error = refusal(data)
    assert error.reason == ("the payment status report has no original message id (OrgnlMsgId)")
    assert error.line == 8


def test_a_transfer_without_end_to_end_id() -> None:
    data = report(transactions=[StatusLine("PAYOUT-17", "RJCT", "AC04")])
    error = refusal(data.replace(b"<OrgnlEndToEndId>PAYOUT-17</OrgnlEndToEndId>", b""))
    assert "no original end-to-end id" in error.reason


def test_a_report_without_any_status() -> None:
    assert "gives no status" in refusal(report()).reason


def test_a_malformed_status_code() -> None:
    data = report(transactions=[StatusLine("PAYOUT-17", "rejected")])
    assert "'rejected' is not an ISO 20022 payment status code" in refusal(data).reason
