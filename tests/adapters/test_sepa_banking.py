from __future__ import annotations

import asyncio
import xml.etree.ElementTree as ET
from datetime import date
from pathlib import Path
from typing import Any

import pytest
import sepaxml
import xmlschema
from pydantic import ValidationError

from adapters.banking.sepa import (
    LocalSepaBanking,
    PayoutInstruction,
    fit_remittance,
    read_payout_file,
)
from adapters.errors import InvalidBankAccount, PermanentAdapterError

NS = "{urn:iso:std:iso:20022:tech:xsd:pain.001.001.09}"
XSD = Path(sepaxml.__file__).parent / "schemas" / "pain.001.001.09.xsd"
# Bayerische Landesbank test account: schwifty knows its BIC.
MEMBER_IBAN = "DE02120300000000202051"
MEMBER_BIC = "BYLADEM1001"


def make_instruction(**overrides: Any) -> PayoutInstruction:
    fields: dict[str, Any] = {
        "payout_id": "payout-42",
        "creditor_name": "Jürgen Müller",
        "creditor_iban": "DE02 1203 0000 0000 2020 51",
        "amount_cents": 123456,
        "remittance": "Lohn Auftrag 42 März 2026",
        "execution_date": date(2026, 3, 31),
    }
    fields.update(overrides)
    return PayoutInstruction(**fields)


def files_in(directory: Path) -> list[str]:
    return sorted(p.name for p in directory.iterdir()) if directory.exists() else []


async def test_payout_writes_a_valid_pain001_file(
    banking: LocalSepaBanking, payout_dir: Path
) -> None:
    receipt = await banking.pay(make_instruction())

    path = payout_dir / "payout-42.xml"
    assert receipt.created is True
    assert receipt.file_path == str(path)
    assert receipt.amount_cents == 123456
    assert receipt.message_id == "payout-42"
    xmlschema.XMLSchema(XSD).validate(str(path))  # raises if the file is not schema-valid
    root = ET.parse(path).getroot()
    assert root.tag == f"{NS}Document"
    tx = root.find(f"{NS}CstmrCdtTrfInitn/{NS}PmtInf/{NS}CdtTrfTxInf")
    assert tx is not None
    assert tx.findtext(f"{NS}PmtId/{NS}EndToEndId") == "payout-42"
    amount = tx.find(f"{NS}Amt/{NS}InstdAmt")
    assert amount is not None
    assert (amount.text, amount.get("Ccy")) == ("1234.56", "EUR")
    assert tx.findtext(f"{NS}CdtrAcct/{NS}Id/{NS}IBAN") == MEMBER_IBAN
    # No BIC was given: it is derived from the IBAN.
    assert tx.findtext(f"{NS}CdtrAgt/{NS}FinInstnId/{NS}BICFI") == MEMBER_BIC
    group = root.find(f"{NS}CstmrCdtTrfInitn/{NS}GrpHdr")
    assert group is not None
    assert group.findtext(f"{NS}CtrlSum") == "1234.56"
    assert group.findtext(f"{NS}MsgId") == "payout-42"


async def test_read_payout_file_round_trips(banking: LocalSepaBanking) -> None:
    receipt = await banking.pay(make_instruction(amount_cents=5, creditor_bic="BYLADEM1001"))

    assert read_payout_file(receipt.file_path) == [
        {
            "message_id": "payout-42",
            "execution_date": "2026-03-31",
            "debtor_iban": "DE89370400440532013000",
            "end_to_end_id": "payout-42",
            "amount_cents": 5,
            "currency": "EUR",
            # sepaxml transliterates to ASCII, as many banks require.
            "creditor_name": "Jurgen Muller",
            "creditor_iban": MEMBER_IBAN,
            "creditor_bic": "BYLADEM1001",
            "remittance": "Lohn Auftrag 42 Marz 2026",
        }
    ]


async def test_paying_the_same_payout_twice_writes_once(
    banking: LocalSepaBanking, payout_dir: Path
) -> None:
    first = await banking.pay(make_instruction())
    written = Path(first.file_path).read_bytes()

    second = await banking.pay(make_instruction())

    assert second.created is False
    assert (second.payout_id, second.message_id, second.file_path, second.amount_cents) == (
        first.payout_id,
        first.message_id,
        first.file_path,
        first.amount_cents,
    )
    assert Path(first.file_path).read_bytes() == written
    assert files_in(payout_dir) == ["payout-42.xml"]  # no temporary file left behind


async def test_concurrent_payouts_of_one_id_create_exactly_one_file(
    banking: LocalSepaBanking, payout_dir: Path
) -> None:
    receipts = await asyncio.gather(*(banking.pay(make_instruction()) for _ in range(8)))

    assert [r.created for r in receipts].count(True) == 1
    assert files_in(payout_dir) == ["payout-42.xml"]
    assert len(read_payout_file(payout_dir / "payout-42.xml")) == 1


async def test_reusing_a_payout_id_for_another_amount_is_refused(
    banking: LocalSepaBanking,
) -> None:
    await banking.pay(make_instruction(amount_cents=100))

    with pytest.raises(PermanentAdapterError, match="already written"):
        await banking.pay(make_instruction(amount_cents=200))


async def test_bad_iban_checksum_is_refused_and_nothing_written(
    banking: LocalSepaBanking, payout_dir: Path
) -> None:
    with pytest.raises(InvalidBankAccount, match=r"DE89370400440532013001.*checksum"):
        await banking.pay(make_instruction(creditor_iban="DE89370400440532013001"))

    assert files_in(payout_dir) == []


async def test_unknown_bic_is_refused_unless_given(
    banking: LocalSepaBanking, payout_dir: Path
) -> None:
    # A valid Belgian IBAN whose bank code schwifty's registry does not know.
    iban = "BE68539007547034"
    with pytest.raises(InvalidBankAccount, match="no BIC is known"):
        await banking.pay(make_instruction(creditor_iban=iban))
    assert files_in(payout_dir) == []

    receipt = await banking.pay(make_instruction(creditor_iban=iban, creditor_bic="GKCCBEBB"))
    assert read_payout_file(receipt.file_path)[0]["creditor_bic"] == "GKCCBEBB"


async def test_malformed_bic_is_refused(banking: LocalSepaBanking) -> None:
    with pytest.raises(InvalidBankAccount, match="not a valid BIC"):
        await banking.pay(make_instruction(creditor_bic="NOTABIC"))


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"payout_id": "p" * 36}, "1 to 35 characters"),
        ({"payout_id": "../escape"}, "1 to 35 characters"),
        ({"remittance": "x" * 141}, "141 characters"),
        # "€" becomes "EUR" when transliterated: 140 characters turn into 142.
        ({"remittance": "x" * 139 + "€"}, "142 characters"),
        ({"remittance": "  "}, "remittance information is empty"),
        ({"creditor_name": ""}, "creditor name is empty"),
        ({"currency": "USD"}, "EUR only"),
        ({"amount_cents": 100_000_000_000}, "SEPA maximum"),
    ],
)
async def test_unusable_instructions_are_refused(
    banking: LocalSepaBanking, payout_dir: Path, overrides: dict[str, Any], message: str
) -> None:
    with pytest.raises(PermanentAdapterError, match=message):
        await banking.pay(make_instruction(**overrides))

    assert files_in(payout_dir) == []


async def test_longest_allowed_values_are_accepted(banking: LocalSepaBanking) -> None:
    receipt = await banking.pay(make_instruction(payout_id="p" * 35, remittance="r" * 140))

    assert read_payout_file(receipt.file_path)[0]["remittance"] == "r" * 140


async def test_fit_remittance_makes_free_text_payable(banking: LocalSepaBanking) -> None:
    text = fit_remittance("Wage order 42: Straße " + "€" * 60)

    assert len(text) <= 140
    receipt = await banking.pay(make_instruction(remittance=text))
    assert read_payout_file(receipt.file_path)[0]["remittance"] == text


@pytest.mark.parametrize("amount", [0, -1, 12.5, "100"])
def test_amount_must_be_positive_integer_cents(amount: object) -> None:
    with pytest.raises(ValidationError):
        make_instruction(amount_cents=amount)


def test_bad_cooperative_account_fails_at_construction(payout_dir: Path) -> None:
    with pytest.raises(InvalidBankAccount, match="debtor"):
        LocalSepaBanking(payout_dir, "coopflow SCE", "DE89370400440532013001", "COBADEFFXXX")
