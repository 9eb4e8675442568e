"""What a bank statement (camt.053) or notification (camt.054) says, as plain values.

One ``BankLine`` per transaction: a batch booking (one entry, several ``TxDtls``) becomes one
line per transaction. Amounts are positive integer cents; ``credit`` is money in.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime
from typing import Literal, Protocol

from domain.money import Cents

MessageKind = Literal["camt.053", "camt.054"]
Direction = Literal["credit", "debit"]


@dataclass(frozen=True)
class BankLine:
    """One transaction as the bank reports it."""

    account_iban: str  # our account
    currency: str
    direction: Direction
    amount_cents: Cents  # > 0, in ``currency``
    booking_date: date
    value_date: date | None
    # References the bank gives (empty when absent); the identity is built from them.
    account_servicer_ref: str  # TxDtls/Refs/AcctSvcrRef, else Ntry/AcctSvcrRef
    entry_ref: str  # Ntry/NtryRef
    end_to_end_id: str  # TxDtls/Refs/EndToEndId ("NOTPROVIDED" counts as empty)
    # What the payer wrote: structured creditor references (RF…, Belgian +++…+++) and free text.
    structured_refs: tuple[str, ...]
    unstructured: str  # RmtInf/Ustrd, the parts joined with a space
    counterparty_name: str  # the debtor of a credit, the creditor of a debit
    counterparty_iban: str  # "" when the bank does not say
    bank_code: str  # BkTxCd/Domn/Cd/Fmly/Cd/SubFmlyCd joined with "/", e.g. "PMNT/RCDT/ESCT"
    return_reason: str  # RtrInf/Rsn/Cd of a returned transfer (AC04, MD07…), else ""
    batch_index: int  # position inside a batch entry (0 for a single transaction)
    # Position of this line among lines of the same file that look identical (fallback identity).
    occurrence: int = 0

    @property
    def is_return(self) -> bool:
        return bool(self.return_reason)

    @property
    def identity(self) -> str:
        """Stable across files: the same transaction in a camt.054 and in the camt.053 that
        follows it, or in the same file imported twice, has the same identity.

        1. the bank's own reference of the transaction (``AcctSvcrRef``), with the position in
           a batch when the reference is the entry's;
        2. else the entry reference (``NtryRef``) with the batch position;
        3. else a digest of what the line says (account, booking date, direction, amount,
           end-to-end id, counterparty, remittance) and its occurrence among identical lines
           of its file (two identical transfers on one day stay two).
        """
        if self.account_servicer_ref:
            return _bounded(
                f"{self.account_iban}:asr:{self.account_servicer_ref}:{self.batch_index}"
            )
        if self.entry_ref:
            return _bounded(f"{self.account_iban}:ntry:{self.entry_ref}:{self.batch_index}")
        said = "|".join(
            (
                self.account_iban,
                self.booking_date.isoformat(),
                self.direction,
                str(self.amount_cents),
                self.end_to_end_id,
                self.counterparty_iban,
                self.counterparty_name,
                " ".join(self.structured_refs),
                self.unstructured,
                str(self.occurrence),
            )
        )
        return f"{self.account_iban}:sha:{hashlib.sha256(said.encode()).hexdigest()[:40]}"


def _bounded(identity: str) -> str:
    """Identities are stored in a 100-character column: long bank references are digested."""
    if len(identity) <= 100:
        return identity
    return identity[:50] + ":" + hashlib.sha256(identity.encode()).hexdigest()[:40]


@dataclass(frozen=True)
class Balance:
    amount_cents: Cents  # signed: negative when the balance is a debit
    on: date


@dataclass(frozen=True)
class StatementHeader:
    """The statement or notification around the lines."""

    kind: MessageKind
    version: str  # "001.02", "001.08"
    message_id: str  # GrpHdr/MsgId
    statement_id: str  # Stmt/Id or Ntfctn/Id
    account_iban: str
    currency: str
    created_at: datetime
    sequence: str  # ElctrncSeqNb or LglSeqNb, "" when absent
    opening: Balance | None  # OPBD or PRCD (camt.053 only)
    closing: Balance | None  # CLBD (camt.053 only)

    @property
    def identity(self) -> str:
        """One import per statement: the account, the kind and the bank's statement id."""
        return _bounded(f"{self.account_iban}:{self.kind}:{self.statement_id}")


class StatementError(ValueError):
    """A file that is not a statement we can take, with where and why (nothing is imported)."""

    def __init__(self, reason: str, line: int | None = None) -> None:
        self.reason = reason
        self.line = line
        super().__init__(f"line {line}: {reason}" if line else reason)


def check_balances(header: StatementHeader, moved: Cents, line: int | None = None) -> None:
    """Opening balance + ``moved`` (credits − debits of the lines, a running total: a streamed
    statement keeps no lines) = closing balance (camt.053). Raises StatementError at ``line``."""
    if header.opening is None or header.closing is None:
        return
    if header.opening.amount_cents + moved != header.closing.amount_cents:
        raise StatementError(
            f"the balances do not add up: opening {header.opening.amount_cents} + entries "
            f"{moved} ≠ closing {header.closing.amount_cents} cents",
            line,
        )


class StatementSource(Protocol):
    """A statement being read (``adapters.banking.camt.CamtReader``): its header is known once
    the first line was read; reading the lines to the end checks the file (XSD, balances) and
    raises ``StatementError`` on the first problem."""

    @property
    def header(self) -> StatementHeader: ...

    def lines(self) -> Iterator[BankLine]: ...
