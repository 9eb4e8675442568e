"""camt.053 / camt.054 reader: what it makes of a file, and the files it refuses."""

from __future__ import annotations

import functools
import io
from dataclasses import replace
from datetime import date
from pathlib import Path

import pytest

from adapters.banking.camt import CamtReader, read_statement
from dev.bank_files import OUR_IBAN, Batch, Txn, camt053_bytes, camt054_bytes
from domain.banking.reason_codes import explain
from domain.banking.statement import BankLine, StatementError

MEMBER_IBAN = "DE02120300000000202051"
CLIENT_IBAN = "BE68539007547034"

ENTRIES = (
    Txn(
        480000,
        counterparty_name="Atelier Dupont SPRL",
        counterparty_iban=CLIENT_IBAN,
        end_to_end_id="INV-2025-0042",
        structured_ref="RF18539007547034",
        unstructured="Invoice 2025-0042",
        account_servicer_ref="BANK-0001",
    ),
    Txn(
        120050,
        direction="debit",
        counterparty_name="Jane Member",
        counterparty_iban=MEMBER_IBAN,
        end_to_end_id="PAYOUT-17",
        unstructured="Wage March",
        entry_ref="NTRY-2",
    ),
    Batch(
        (
            Txn(1000, counterparty_name="A. Member", counterparty_iban=MEMBER_IBAN),
            Txn(2500, counterparty_name="B. Member", end_to_end_id="PAYOUT-19"),
        ),
        entry_ref="BATCH-1",
    ),
    Txn(
        120050,
        return_reason="AC04",
        counterparty_name="Jane Member",
        counterparty_iban=MEMBER_IBAN,
        end_to_end_id="PAYOUT-17",
        account_servicer_ref="BANK-0009",
    ),
    Txn(999, counterparty_name="No Reference Ltd", unstructured="thanks"),
)
VERSIONS = ("001.02", "001.08")
CAMT = {("camt.053", v): functools.partial(camt053_bytes, version=v) for v in VERSIONS} | {
    ("camt.054", v): functools.partial(camt054_bytes, version=v) for v in VERSIONS
}


def read(data: bytes) -> list[BankLine]:
    return read_statement(io.BytesIO(data))[1]


def refusal(data: bytes) -> StatementError:
    with pytest.raises(StatementError) as caught:
        consume(data)
    return caught.value


def consume(data: bytes) -> None:
    list(CamtReader(io.BytesIO(data)).lines())


def line_of(data: bytes, needle: bytes, nth: int = 0) -> int:
    """1-based line of the ``nth`` occurrence of ``needle``."""
    lines = data.split(b"\n")
    hits = [i + 1 for i, text in enumerate(lines) if needle in text]
    return hits[nth]


# --- what is read ---------------------------------------------------------------------------


@pytest.mark.parametrize(("kind", "version"), sorted(CAMT))
def test_every_kind_and_version_reads_to_the_same_lines(kind: str, version: str) -> None:
    lines = read(CAMT[kind, version](entries=ENTRIES))
    reference = read(camt053_bytes(version="001.08", entries=ENTRIES))
    assert lines == reference
    assert len(lines) == 6  # the batch of two is split


def test_a_credit_with_all_references() -> None:
    header, lines = read_statement(io.BytesIO(camt053_bytes(entries=ENTRIES, opening_cents=50)))
    assert header.kind == "camt.053"
    assert header.version == "001.08"
    assert header.account_iban == OUR_IBAN
    assert header.currency == "EUR"
    assert header.opening is not None
    assert header.closing is not None
    assert header.opening.amount_cents == 50
    assert header.closing.amount_cents == 50 + 480000 - 120050 - 3500 + 120050 + 999
    first = lines[0]
    assert first.direction == "credit"
    assert first.amount_cents == 480000
    assert first.booking_date == date(2025, 3, 3)
    assert first.value_date == date(2025, 3, 3)
    assert first.account_servicer_ref == "BANK-0001"
    assert first.end_to_end_id == "INV-2025-0042"
    assert first.structured_refs == ("RF18539007547034",)
    assert first.unstructured == "Invoice 2025-0042"
    assert first.counterparty_name == "Atelier Dupont SPRL"
    assert first.counterparty_iban == CLIENT_IBAN
    assert first.bank_code == "PMNT/RCDT/ESCT"
    assert first.return_reason == ""
    assert first.identity == f"{OUR_IBAN}:asr:BANK-0001:0"


def test_a_debit_names_the_creditor() -> None:
    debit = read(camt053_bytes(entries=ENTRIES))[1]
    assert debit.direction == "debit"
    assert debit.counterparty_name == "Jane Member"
    assert debit.counterparty_iban == MEMBER_IBAN
    assert debit.entry_ref == "NTRY-2"
    assert debit.identity == f"{OUR_IBAN}:ntry:NTRY-2:0"


def test_a_batch_entry_is_split_into_its_transactions() -> None:
    batch = read(camt053_bytes(entries=ENTRIES))[2:4]
    assert [ln.amount_cents for ln in batch] == [1000, 2500]
    assert [ln.batch_index for ln in batch] == [0, 1]
    assert [ln.counterparty_name for ln in batch] == ["A. Member", "B. Member"]
    assert [ln.end_to_end_id for ln in batch] == ["", "PAYOUT-19"]
    assert {ln.entry_ref for ln in batch} == {"BATCH-1"}
    assert len({ln.identity for ln in batch}) == 2


@pytest.mark.parametrize("version", ["001.02", "001.08"])
def test_a_batch_without_amounts_per_transaction_is_refused(version: str) -> None:
    batch = Batch((Txn(100), Txn(200)), with_amounts=False)
    data = camt053_bytes(entries=[batch], version=version)
    error = refusal(data)
    assert "cannot be split" in error.reason
    assert error.line == line_of(data, b"<TxDtls>")


def test_a_batch_whose_transactions_do_not_add_up_is_refused() -> None:
    data = camt053_bytes(entries=[Batch((Txn(100), Txn(200)))])
    data = data.replace(b'<Amt Ccy="EUR">2.00</Amt>', b'<Amt Ccy="EUR">2.01</Amt>')
    assert "add up to" in refusal(data).reason


def test_a_batch_announcing_another_count_is_refused() -> None:
    data = camt053_bytes(entries=[Batch((Txn(100), Txn(200)))])
    data = data.replace(b"<NbOfTxs>2</NbOfTxs>", b"<NbOfTxs>3</NbOfTxs>")
    assert "announces 3 transactions but details 2" in refusal(data).reason


def test_notprovided_is_no_end_to_end_id() -> None:
    data = camt053_bytes(entries=[Txn(100, end_to_end_id="")])
    assert b"<EndToEndId>NOTPROVIDED</EndToEndId>" in data
    assert read(data)[0].end_to_end_id == ""


def test_a_returned_payout_gives_its_reason() -> None:
    returned = read(camt053_bytes(entries=ENTRIES))[4]
    assert returned.is_return
    assert returned.return_reason == "AC04"
    assert returned.direction == "credit"
    assert returned.end_to_end_id == "PAYOUT-17"
    assert returned.counterparty_iban == MEMBER_IBAN
    assert returned.bank_code == "PMNT/ICDT/RRTN"
    assert explain(returned.return_reason).startswith("AC04: the account is closed")


def test_a_return_reported_with_the_original_parties_names_the_member() -> None:
    """Some banks keep us as the debtor of the credit that brings a payout back."""
    data = camt053_bytes(entries=[Txn(500, return_reason="AC04")], version="001.02")
    parties = b"<Dbtr><Nm>Coop</Nm></Dbtr><DbtrAcct><Id><IBAN>%s</IBAN></Id></DbtrAcct>" % (
        OUR_IBAN.encode()
    )
    member = b"<Cdtr><Nm>Jane</Nm></Cdtr><CdtrAcct><Id><IBAN>%s</IBAN></Id></CdtrAcct>" % (
        MEMBER_IBAN.encode()
    )
    start, end = data.index(b"<RltdPties>"), data.index(b"</RltdPties>")
    data = data[:start] + b"<RltdPties>" + parties + member + data[end:]
    line = read(data)[0]
    assert (line.counterparty_name, line.counterparty_iban) == ("Jane", MEMBER_IBAN)


def test_entries_that_are_not_booked_give_no_line() -> None:
    data = camt054_bytes(entries=[Txn(100, entry_ref="P"), Txn(200, entry_ref="B")])
    data = data.replace(b"<Cd>BOOK</Cd>", b"<Cd>PDNG</Cd>", 1)
    assert [ln.entry_ref for ln in read(data)] == ["B"]


def test_a_booking_date_given_as_date_time() -> None:
    data = camt053_bytes(entries=[Txn(100)])
    booked = b"<BookgDt>\n    <Dt>2025-03-03</Dt>"
    assert booked in data
    data = data.replace(booked, b"<BookgDt>\n    <DtTm>2025-03-04T23:10:00+01:00</DtTm>")
    assert read(data)[0].booking_date == date(2025, 3, 4)


def test_a_debit_balance_is_negative() -> None:
    header, _ = read_statement(
        io.BytesIO(camt053_bytes(entries=[Txn(100, direction="debit")], opening_cents=-500))
    )
    assert header.opening is not None
    assert header.closing is not None
    assert (header.opening.amount_cents, header.closing.amount_cents) == (-500, -600)


def test_a_notification_has_no_balances() -> None:
    reader = CamtReader(io.BytesIO(camt054_bytes(entries=ENTRIES, notification_id="N-7")))
    assert reader.header.kind == "camt.054"
    assert reader.header.statement_id == "N-7"
    assert reader.header.opening is None
    assert reader.header.closing is None


# --- identity -------------------------------------------------------------------------------


def test_a_notified_transaction_has_the_same_identity_in_the_statement_that_follows() -> None:
    entries = list(ENTRIES)
    notified = read(camt054_bytes(entries=entries, version="001.02"))
    stated = read(camt053_bytes(entries=[Txn(7, entry_ref="OTHER"), *entries], version="001.08"))
    assert [ln.identity for ln in notified] == [ln.identity for ln in stated[1:]]


def test_two_identical_transfers_without_references_stay_two() -> None:
    same = Txn(2500, counterparty_name="Client", counterparty_iban=CLIENT_IBAN, unstructured="x")
    lines = read(camt053_bytes(entries=[same, same, replace(same, amount_cents=2501)]))
    assert [ln.occurrence for ln in lines] == [0, 1, 0]
    assert len({ln.identity for ln in lines}) == 3
    again = read(camt054_bytes(entries=[same, same]))
    assert [ln.identity for ln in again] == [ln.identity for ln in lines[:2]]


# --- sources and streaming ------------------------------------------------------------------


def test_a_path_and_an_unseekable_stream_are_read_alike(tmp_path: Path) -> None:
    data = camt053_bytes(entries=ENTRIES)
    path = tmp_path / "statement.xml"
    path.write_bytes(data)

    class Pipe(io.RawIOBase):
        def __init__(self) -> None:
            self._data = io.BytesIO(data)

        def readable(self) -> bool:
            return True

        def readinto(self, buffer: bytearray) -> int:  # type: ignore[override]
            chunk = self._data.read(len(buffer))
            buffer[: len(chunk)] = chunk
            return len(chunk)

    assert read_statement(path) == read_statement(Pipe()) == read_statement(io.BytesIO(data))


def test_lines_streams_and_can_be_read_once() -> None:
    data = camt053_bytes(entries=(Txn(100 + i, entry_ref=f"E{i}") for i in range(20000)))

    class Counting(io.BytesIO):
        taken = 0

        def read(self, size: int | None = -1) -> bytes:
            chunk = super().read(size)
            self.taken += len(chunk)
            return chunk

    source = Counting(data)
    reader = CamtReader(source)
    source.taken = 0
    lines = reader.lines()
    first = next(lines)
    assert first.entry_ref == "E0"
    assert source.taken < len(data) / 20  # the first line came before the file was read
    assert sum(1 for _ in lines) == 19999
    with pytest.raises(RuntimeError):
        next(reader.lines())


def test_the_header_is_known_before_any_line_is_read() -> None:
    reader = CamtReader(io.BytesIO(camt053_bytes(entries=ENTRIES, statement_id="S-9")))
    assert reader.header.statement_id == "S-9"
    assert reader.header.identity == f"{OUR_IBAN}:camt.053:S-9"
