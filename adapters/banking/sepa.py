"""Wage payouts as SEPA credit transfers (pain.001.001.09).

``Banking`` is what activities depend on. ``LocalSepaBanking`` writes one pain.001 file per
payout into a directory: the file a cooperative would upload to its bank. It checks IBANs with
``schwifty`` first because ``sepaxml`` validates against the XSD only, which accepts a wrong
IBAN checksum.

Idempotency: the payout id is the EndToEndId, the message id and the file name. A second call
with the same payout id writes nothing and returns the existing receipt (``created=False``), so
an activity retried after a crash can never pay twice.
"""

from __future__ import annotations

import asyncio
import functools
import re
import xml.etree.ElementTree as ET
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Annotated, Any, Protocol, TypedDict

import sepaxml
from pydantic import BaseModel, ConfigDict, Field
from schwifty import BIC, IBAN
from schwifty.exceptions import SchwiftyException
from sepaxml import SepaTransfer
from text_unidecode import unidecode  # sepaxml's transliteration: lengths as they will be written

from adapters.errors import InvalidBankAccount, PermanentAdapterError
from adapters.files import write_once

SEPA_SCHEMA = "pain.001.001.09"
# EndToEndId and MsgId are Max35Text; the id is also a file name, so keep it to safe characters.
_PAYOUT_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9.-]{0,34}")
MAX_REMITTANCE_CHARS = 140
# EPC rulebook: at most 999,999,999.99 EUR per transaction.
MAX_AMOUNT_CENTS = 99_999_999_999


class PayoutInstruction(BaseModel):
    model_config = ConfigDict(frozen=True)

    payout_id: str  # <= 35 chars of [A-Za-z0-9.-]; becomes the EndToEndId and the file name
    creditor_name: str  # transliterated to ASCII and cut at 70 characters (EPC limit)
    creditor_iban: str
    creditor_bic: str | None = None  # derived from the IBAN when missing
    amount_cents: Annotated[int, Field(strict=True, gt=0)]
    currency: str = "EUR"
    remittance: str  # <= 140 chars, RmtInf/Ustrd
    execution_date: date


class PayoutReceipt(BaseModel):
    model_config = ConfigDict(frozen=True)

    payout_id: str
    message_id: str
    file_path: str
    amount_cents: int
    created: bool  # False when the payout already existed and nothing was written


class BatchReceipt(BaseModel):
    model_config = ConfigDict(frozen=True)

    message_id: str
    file_path: str
    end_to_end_ids: tuple[str, ...]
    total_cents: int
    created: bool  # False: the batch was written before (a retried step); nothing written


class Banking(Protocol):
    async def pay(self, instruction: PayoutInstruction) -> PayoutReceipt: ...

    async def check(self, instruction: PayoutInstruction) -> None:
        """Refuse an instruction the bank would refuse (IBAN, BIC, lengths) before it is
        queued for a run."""
        ...

    async def pay_batch(
        self, message_id: str, instructions: list[PayoutInstruction]
    ) -> BatchReceipt: ...


class PaidTransfer(TypedDict):
    """One credit transfer read back from a pain.001 file."""

    message_id: str
    execution_date: str
    debtor_iban: str
    end_to_end_id: str
    amount_cents: int
    currency: str
    creditor_name: str
    creditor_iban: str
    creditor_bic: str | None
    remittance: str


class LocalSepaBanking:
    """Writes ``<out_dir>/<payout_id>.xml``, one pain.001.001.09 file per payout."""

    def __init__(self, out_dir: Path, debtor_name: str, debtor_iban: str, debtor_bic: str) -> None:
        # A misconfigured cooperative account fails when the worker starts, not at the first payout.
        self._debtor_iban = parse_iban(debtor_iban, "the cooperative's (debtor) IBAN")
        self._debtor_bic = _parse_bic(debtor_bic, "the cooperative's (debtor) BIC")
        if not debtor_name.strip():
            raise PermanentAdapterError("the cooperative's (debtor) name is empty")
        self._debtor_name = debtor_name
        self._out_dir = Path(out_dir)

    async def pay(self, instruction: PayoutInstruction) -> PayoutReceipt:
        what = f"payout {instruction.payout_id!r}"
        creditor_iban = parse_iban(instruction.creditor_iban, f"creditor IBAN of {what}")
        creditor_bic = _creditor_bic(instruction.creditor_bic, creditor_iban, what)
        _check_instruction(instruction)
        return await asyncio.to_thread(self._pay, instruction, creditor_iban, creditor_bic)

    async def check(self, instruction: PayoutInstruction) -> None:
        what = f"payout {instruction.payout_id!r}"
        creditor_iban = parse_iban(instruction.creditor_iban, f"creditor IBAN of {what}")
        _creditor_bic(instruction.creditor_bic, creditor_iban, what)
        _check_instruction(instruction)

    async def pay_batch(
        self, message_id: str, instructions: list[PayoutInstruction]
    ) -> BatchReceipt:
        """One pain.001 file ``<message_id>.xml`` with every transfer (each booked on its own);
        written once: a second call with the same message id returns the file as it is."""
        if not _PAYOUT_ID.fullmatch(message_id):
            raise PermanentAdapterError(f"batch id {message_id!r} is not a SEPA message id")
        checked = []
        for instruction in instructions:
            what = f"payout {instruction.payout_id!r}"
            iban = parse_iban(instruction.creditor_iban, f"creditor IBAN of {what}")
            checked.append((instruction, iban, _creditor_bic(instruction.creditor_bic, iban, what)))
            _check_instruction(instruction)
        return await asyncio.to_thread(self._pay_batch, message_id, checked)

    def _pay_batch(
        self, message_id: str, checked: list[tuple[PayoutInstruction, IBAN, BIC]]
    ) -> BatchReceipt:
        path = self.file_for(message_id)
        created = not path.exists() and write_once(path, self._document(message_id, checked))
        written = read_payout_file(path)
        return BatchReceipt(
            message_id=message_id,
            file_path=str(path),
            end_to_end_ids=tuple(t["end_to_end_id"] for t in written),
            total_cents=sum(t["amount_cents"] for t in written),
            created=created,
        )

    def file_for(self, payout_id: str) -> Path:
        return self._out_dir / f"{payout_id}.xml"

    def _pay(self, instruction: PayoutInstruction, iban: IBAN, bic: BIC) -> PayoutReceipt:
        path = self.file_for(instruction.payout_id)
        if not path.exists():
            document = self._build(instruction, iban, bic)
            if write_once(path, document):
                return PayoutReceipt(
                    payout_id=instruction.payout_id,
                    message_id=instruction.payout_id,
                    file_path=str(path),
                    amount_cents=instruction.amount_cents,
                    created=True,
                )
        return _existing_receipt(path, instruction, iban)

    def _build(self, instruction: PayoutInstruction, iban: IBAN, bic: BIC) -> bytes:
        return self._document(instruction.payout_id, [(instruction, iban, bic)])

    def _document(
        self, message_id: str, checked: list[tuple[PayoutInstruction, IBAN, BIC]]
    ) -> bytes:
        config = {
            "name": self._debtor_name,
            "IBAN": self._debtor_iban.compact,
            "BIC": str(self._debtor_bic),
            # Each transaction booked on its own: a wage shows up alone on the statement.
            "batch": False,
            "currency": "EUR",
        }
        transfer = _SepaTransfer(config, msg_id=message_id)
        for instruction, iban, bic in checked:
            transfer.add_payment(
                {
                    "name": instruction.creditor_name,
                    "IBAN": iban.compact,
                    "BIC": str(bic),
                    "amount": instruction.amount_cents,
                    "currency": instruction.currency,
                    "execution_date": instruction.execution_date,
                    "description": instruction.remittance,
                    "endtoend_id": instruction.payout_id,
                }
            )
        # sepaxml would reload the XSD on every export (~0.2 s); validate with a cached one.
        document: bytes = transfer.export(validate=False, pretty_print=True)
        errors = list(_pain001_schema().iter_errors(document.decode()))
        if errors:
            raise PermanentAdapterError(
                f"payout batch {message_id!r} does not make a valid {SEPA_SCHEMA} file: "
                f"{errors[0].reason} at {errors[0].path}"
            )
        return document


class _SepaTransfer(SepaTransfer):  # type: ignore[misc]  # sepaxml has no type hints
    """sepaxml's transfer with a message id we choose instead of a random one."""

    def __init__(self, config: dict[str, Any], msg_id: str) -> None:
        self._fixed_msg_id = msg_id
        super().__init__(config, schema=SEPA_SCHEMA, clean=True)

    def _create_header(self) -> None:
        # sepaxml builds the group header in its constructor from self.msg_id.
        self.msg_id = self._fixed_msg_id
        super()._create_header()


@functools.cache
def _pain001_schema() -> Any:
    # Imported here, as sepaxml does: importing xmlschema patches ElementTree.
    import xmlschema

    return xmlschema.XMLSchema(Path(sepaxml.__file__).parent / "schemas" / f"{SEPA_SCHEMA}.xsd")


def parse_iban(value: str, what: str) -> IBAN:
    """The IBAN, or InvalidBankAccount naming ``what`` and the reason (checksum, length...)."""
    try:
        return IBAN(value)
    except SchwiftyException as exc:
        raise InvalidBankAccount(f"{what} {value!r} is not a valid IBAN: {exc}") from exc


def _parse_bic(value: str, what: str) -> BIC:
    try:
        return BIC(value)
    except SchwiftyException as exc:
        raise InvalidBankAccount(f"{what} {value!r} is not a valid BIC: {exc}") from exc


def _creditor_bic(given: str | None, iban: IBAN, what: str) -> BIC:
    if given:
        return _parse_bic(given, f"creditor BIC of {what}")
    bic = iban.bic
    if bic is None:
        raise InvalidBankAccount(
            f"no BIC is known for the creditor IBAN {iban.formatted} of {what}; "
            "ask the member for their bank's BIC and store it with the IBAN"
        )
    return bic


def fit_remittance(text: str) -> str:
    """``text`` as it will be written (ASCII), cut to the 140 characters SEPA allows.

    For callers composing free text: ``pay`` refuses a longer remittance rather than cut a
    reference off, and transliteration can lengthen text ("€" becomes "EUR", "ß" "ss").
    """
    ascii_text: str = unidecode(text)
    return ascii_text[:MAX_REMITTANCE_CHARS].rstrip()


def _check_instruction(instruction: PayoutInstruction) -> None:
    what = f"payout {instruction.payout_id!r}"
    if not _PAYOUT_ID.fullmatch(instruction.payout_id):
        raise PermanentAdapterError(
            f"{what}: the payout id must be 1 to 35 characters of A-Z, a-z, 0-9, '-' or '.' "
            "(it becomes the SEPA EndToEndId and the file name)"
        )
    if instruction.currency != "EUR":
        raise PermanentAdapterError(
            f"{what}: SEPA credit transfers are in EUR only, not {instruction.currency!r}"
        )
    if instruction.amount_cents > MAX_AMOUNT_CENTS:
        raise PermanentAdapterError(f"{what}: amount exceeds the SEPA maximum of 999999999.99")
    if not instruction.creditor_name.strip():
        raise PermanentAdapterError(f"{what}: the creditor name is empty")
    remittance = unidecode(instruction.remittance)
    if not remittance.strip():
        raise PermanentAdapterError(f"{what}: the remittance information is empty")
    if len(remittance) > MAX_REMITTANCE_CHARS:
        raise PermanentAdapterError(
            f"{what}: the remittance information has {len(remittance)} characters "
            f"(after transliteration to ASCII); SEPA allows {MAX_REMITTANCE_CHARS}. "
            "Shorten it rather than let the bank cut the reference off."
        )


def _existing_receipt(path: Path, instruction: PayoutInstruction, iban: IBAN) -> PayoutReceipt:
    transfers = [t for t in read_payout_file(path) if t["end_to_end_id"] == instruction.payout_id]
    if len(transfers) != 1:
        raise PermanentAdapterError(
            f"{path} exists but does not hold exactly one transfer with EndToEndId "
            f"{instruction.payout_id!r}; inspect the file by hand"
        )
    paid = transfers[0]
    if paid["amount_cents"] != instruction.amount_cents or paid["creditor_iban"] != iban.compact:
        raise PermanentAdapterError(
            f"payout {instruction.payout_id!r} was already written to {path} for "
            f"{paid['amount_cents']} cents to {paid['creditor_iban']}; it cannot be reused for "
            f"{instruction.amount_cents} cents to {iban.compact}"
        )
    return PayoutReceipt(
        payout_id=instruction.payout_id,
        message_id=paid["message_id"],
        file_path=str(path),
        amount_cents=paid["amount_cents"],
        created=False,
    )


def read_payout_file(path: Path | str) -> list[PaidTransfer]:
    """The credit transfers in a pain.001 file (any pain.001 version), in file order."""
    root = ET.parse(path).getroot()
    ns = root.tag[1 : root.tag.index("}")] if root.tag.startswith("{") else ""

    def q(tag_path: str) -> str:
        return "/".join(f"{{{ns}}}{tag}" if ns else tag for tag in tag_path.split("/"))

    def text(element: ET.Element, tag_path: str) -> str:
        found = element.find(q(tag_path))
        if found is None or found.text is None:
            raise ValueError(f"{path}: missing {tag_path}")
        return found.text

    def optional_text(element: ET.Element, tag_path: str) -> str | None:
        found = element.find(q(tag_path))
        return None if found is None else found.text

    initiation = root.find(q("CstmrCdtTrfInitn"))
    if initiation is None:
        raise ValueError(f"{path}: not a pain.001 credit transfer initiation")
    message_id = text(initiation, "GrpHdr/MsgId")
    transfers: list[PaidTransfer] = []
    for info in initiation.findall(q("PmtInf")):
        # pain.001.001.03 has ReqdExctnDt as a date, later versions wrap it in Dt.
        execution_date = optional_text(info, "ReqdExctnDt/Dt") or text(info, "ReqdExctnDt")
        debtor_iban = text(info, "DbtrAcct/Id/IBAN")
        for tx in info.findall(q("CdtTrfTxInf")):
            amount = tx.find(q("Amt/InstdAmt"))
            if amount is None or amount.text is None:
                raise ValueError(f"{path}: missing Amt/InstdAmt")
            transfers.append(
                PaidTransfer(
                    message_id=message_id,
                    execution_date=execution_date,
                    debtor_iban=debtor_iban,
                    end_to_end_id=text(tx, "PmtId/EndToEndId"),
                    amount_cents=_to_cents(amount.text),
                    currency=amount.get("Ccy", ""),
                    creditor_name=text(tx, "Cdtr/Nm"),
                    creditor_iban=text(tx, "CdtrAcct/Id/IBAN"),
                    creditor_bic=optional_text(tx, "CdtrAgt/FinInstnId/BICFI")
                    or optional_text(tx, "CdtrAgt/FinInstnId/BIC"),
                    remittance=optional_text(tx, "RmtInf/Ustrd") or "",
                )
            )
    return transfers


def _to_cents(amount: str) -> int:
    cents = Decimal(amount.strip()) * 100
    if cents != cents.to_integral_value():
        raise ValueError(f"amount {amount!r} has fractions of a cent")
    return int(cents)
