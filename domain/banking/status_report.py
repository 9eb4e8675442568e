"""What a payment status report (pain.002) says about the transfers we sent (pain.001).

The bank answers a pain.001 file with a pain.002: first that it took the file (``ACTC``,
``ACCP``), later, for some banks, that the money left (``ACSP``, ``ACSC``), or that a transfer
or the whole file was refused (``RJCT``) with a reason code (``domain.banking.reason_codes``
explains them). Plain values; reading the XML is ``adapters.banking.pain002``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Final

from domain.banking.statement import StatementError

# ISO 20022 ExternalPaymentTransactionStatus1Code, the values banks send in pain.002.
STATUS_MEANINGS: Final[dict[str, str]] = {
    "RCVD": "the bank received the file",
    "ACTC": "the file passed the bank's technical checks",
    "ACCP": "the bank accepted the transfer (customer profile checked)",
    "ACWC": "the bank accepted the transfer with changes",
    "ACWP": "the bank accepted the transfer but will not post it yet",
    "ACSP": "the bank accepted the transfer and settlement is in progress",
    "ACSC": "the transfer is settled: the money left our account",
    "ACCC": "the transfer is settled on the beneficiary's account",
    "ACFC": "the bank accepted the file after checking funds",
    "PART": "some transfers were accepted, others rejected",
    "PDNG": "the transfer is pending at the bank",
    "RJCT": "the bank rejected the transfer",
    "CANC": "the transfer was cancelled",
}
ACCEPTED: Final = frozenset({"ACTC", "ACCP", "ACWC", "ACWP", "ACSP", "ACSC", "ACCC", "ACFC"})
REJECTED: Final = "RJCT"


class StatusReportError(StatementError):
    """A pain.002 file we cannot take (not XML, not a pain.002, missing what we need)."""


@dataclass(frozen=True)
class TransactionStatus:
    """The status of one transfer of the original pain.001."""

    end_to_end_id: str  # OrgnlEndToEndId: our payout id
    status: str  # TxSts, else the status of its payment information or of the group
    reason_code: str  # StsRsnInf/Rsn/Cd (or Prtry), "" when none is given
    additional_info: str  # StsRsnInf/AddtlInf, the parts joined with a space
    original_instruction_id: str  # OrgnlInstrId, "" when absent
    payment_info_id: str  # OrgnlPmtInfId of the payment information it belongs to

    @property
    def is_rejected(self) -> bool:
        return self.status == REJECTED

    @property
    def is_accepted(self) -> bool:
        return self.status in ACCEPTED


@dataclass(frozen=True)
class StatusReport:
    """One pain.002: the group status and the status of each transfer it names."""

    version: str  # "001.03", "001.10"
    message_id: str  # GrpHdr/MsgId of the report
    created_at: datetime
    original_message_id: str  # OrgnlMsgId: the MsgId of our pain.001
    original_message_type: str  # OrgnlMsgNmId, e.g. "pain.001.001.09"
    group_status: str  # GrpSts, "" when the bank reports per transaction only
    group_reason_code: str
    group_additional_info: str
    transactions: tuple[TransactionStatus, ...]

    @property
    def whole_file_rejected(self) -> bool:
        """Rejected as a file: every transfer of the original message failed, named or not."""
        return self.group_status == REJECTED

    def status_of(self, end_to_end_id: str) -> TransactionStatus | None:
        """The last status given for ``end_to_end_id`` in this report, None if not named."""
        found = None
        for tx in self.transactions:
            if tx.end_to_end_id == end_to_end_id:
                found = tx
        return found


def describe_status(code: str) -> str:
    """``"ACSC"`` → ``"ACSC: the transfer is settled: the money left our account"``."""
    meaning = STATUS_MEANINGS.get(code)
    return f"{code}: {meaning}" if meaning else f"{code}: a status code we do not know"
