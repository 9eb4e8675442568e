"""Files the camt reader refuses, each with a line and a reason a finance person can read."""

from __future__ import annotations

import io

import pytest

from adapters.banking.camt import CamtReader
from dev.bank_files import Txn, camt053_bytes, camt054_bytes, pain002_bytes
from domain.banking.statement import BankLine, StatementError

ENTRIES = [Txn(100 + i, entry_ref=f"E{i}", counterparty_name="Client") for i in range(300)]


def refusal(data: bytes) -> StatementError:
    with pytest.raises(StatementError) as caught:
        consume(data)
    return caught.value


def consume(data: bytes) -> None:
    list(CamtReader(io.BytesIO(data)).lines())


def line_of(data: bytes, needle: bytes, nth: int = 0) -> int:
    hits = [i + 1 for i, text in enumerate(data.split(b"\n")) if needle in text]
    return hits[nth]


def test_a_file_that_is_not_xml() -> None:
    error = refusal(b"Date;Amount;Name\n2025-03-03;12.00;Client\n")
    assert "not an XML file" in error.reason
    assert error.line == 1


def test_an_empty_file() -> None:
    assert refusal(b"").reason == "the file is empty"


def test_a_truncated_file_names_the_line_where_it_breaks() -> None:
    data = camt053_bytes(entries=ENTRIES)
    cut = data[: len(data) // 2].rsplit(b"\n", 1)[0] + b"\n</Ntry>\n"
    error = refusal(cut)
    assert "not well-formed XML" in error.reason
    assert error.line == cut.count(b"\n")


def test_a_bank_statement_of_another_format() -> None:
    error = refusal(b'<?xml version="1.0"?>\n<Document xmlns="urn:example:statement"/>\n')
    assert "not an ISO 20022 bank statement" in error.reason
    assert error.line == 2


def test_an_unknown_camt_version_says_which_we_read() -> None:
    data = camt053_bytes(entries=ENTRIES).replace(b"camt.053.001.08", b"camt.053.001.04")
    error = refusal(data)
    assert error.reason == (
        "camt.053 version 001.04 is not one we read (001.02 and 001.08); ask the bank for one "
        "of those"
    )


def test_a_status_report_is_not_a_statement() -> None:
    error = refusal(pain002_bytes(original_message_id="M", group_status="ACCP"))
    assert "payment status report (pain.002)" in error.reason


def test_another_iso_message_is_not_a_statement() -> None:
    data = camt053_bytes(entries=ENTRIES).replace(b"camt.053.001.08", b"camt.052.001.08")
    assert "camt.052 message, not a bank statement" in refusal(data).reason


@pytest.mark.parametrize("nth", [0, 150, 299])
def test_a_schema_violation_names_its_line(nth: int) -> None:
    data = camt053_bytes(entries=ENTRIES)
    target = line_of(data, b"<CdtDbtInd>CRDT</CdtDbtInd>", nth + 2)  # after the two balances
    lines = data.split(b"\n")
    lines[target - 1] = lines[target - 1].replace(b"CRDT", b"CREDIT")
    error = refusal(b"\n".join(lines))
    assert error.line == target
    assert "does not follow the ISO 20022 camt.053.001.08 schema" in error.reason
    assert "Element 'CdtDbtInd': [facet 'enumeration'] The value 'CREDIT'" in error.reason
    assert "urn:iso" not in error.reason  # namespaces are noise to a reader


def test_a_schema_violation_in_the_header_is_refused_by_the_constructor() -> None:
    data = camt054_bytes(entries=ENTRIES, version="001.02").replace(b"<IBAN>DE89", b"<IBAN>de89")
    with pytest.raises(StatementError) as caught:
        CamtReader(io.BytesIO(data))
    assert caught.value.line == line_of(data, b"<IBAN>")
    assert "Element 'IBAN'" in caught.value.reason


def test_a_missing_element_is_refused() -> None:
    data = camt053_bytes(entries=ENTRIES, version="001.02")
    data = data.replace(b"<Sts>BOOK</Sts>", b"", 1)
    error = refusal(data)
    assert "This element is not expected" in error.reason
    assert error.line == line_of(data, b"<BookgDt>", 0)


def test_balances_that_do_not_add_up_are_refused_after_the_last_line() -> None:
    data = camt053_bytes(entries=ENTRIES, opening_cents=1000, closing_adjust_cents=-1)
    reader = CamtReader(io.BytesIO(data))
    seen: list[BankLine] = []
    with pytest.raises(StatementError) as caught:
        seen.extend(reader.lines())
    assert len(seen) == len(ENTRIES)  # so a caller must store only after lines() finished
    assert caught.value.reason.startswith("the balances do not add up: opening 1000 + entries")
    assert caught.value.line == line_of(data, b"<Cd>CLBD</Cd>") - 3  # its <Bal>


def test_an_amount_with_three_decimals_is_refused() -> None:
    data = camt053_bytes(entries=[Txn(12345)]).replace(b">123.45<", b">123.456<")
    error = refusal(data)
    assert error.reason == (
        "the amount 123.456 has more than two decimals; a euro amount has whole cents"
    )
    assert error.line == line_of(data, b">123.456<")  # the closing balance comes first


def test_another_currency_is_refused() -> None:
    data = camt053_bytes(entries=[Txn(12345)]).replace(b"<Ccy>EUR</Ccy>", b"<Ccy>USD</Ccy>")
    assert "the account is in USD" in refusal(data).reason
    data = camt054_bytes(entries=[Txn(12345)]).replace(b'Ccy="EUR"', b'Ccy="CHF"')
    assert "an amount is in CHF" in refusal(data).reason


def test_several_statements_in_one_file_are_refused() -> None:
    data = camt053_bytes(entries=ENTRIES[:3])
    start, end = data.index(b"<Stmt>"), data.index(b"</Stmt>") + len(b"</Stmt>")
    statement = data[start:end]
    doubled = data[:end] + b"\n" + statement.replace(b"<Id>STMT-1</Id>", b"<Id>STMT-2</Id>")
    doubled += data[end:]
    error = refusal(doubled)
    assert "several statements" in error.reason
    assert error.line is not None
    assert error.line > data[:end].count(b"\n")


def test_an_account_without_iban_is_refused() -> None:
    data = camt053_bytes(entries=ENTRIES[:1]).replace(
        b"<IBAN>DE89370400440532013000</IBAN>", b"<Othr><Id>0532013000</Id></Othr>"
    )
    assert "not identified by an IBAN" in refusal(data).reason


@pytest.mark.parametrize(
    "entity", [b'<!ENTITY x SYSTEM "file:///etc/passwd">', b'<!ENTITY x "expanded">']
)
def test_a_file_with_a_dtd_is_refused(entity: bytes) -> None:
    data = camt053_bytes(entries=ENTRIES[:1]).replace(
        b"<?xml version='1.0' encoding='UTF-8'?>",
        b'<?xml version="1.0"?>\n<!DOCTYPE Document [' + entity + b"]>",
    )
    data = data.replace(b"<Nm>Client</Nm>", b"<Nm>&x;</Nm>")
    with pytest.raises(StatementError) as caught:
        CamtReader(io.BytesIO(data))
    assert "declares a DTD" in caught.value.reason
