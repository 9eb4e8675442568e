"""The reconciliation workflow's contract: its activities' names and the values that cross
its boundary (one workflow per imported statement, id ``statement-<statement identity>``)."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict

from domain.money import format_eur

WORKFLOW_TYPE = "BankReconciliationWorkflow"
INBOX_WORKFLOW_TYPE = "BankInboxWorkflow"
MATCH_STATEMENT = "reconcile.match_statement"
SIGNAL_PAYMENTS = "reconcile.signal_payments"
IMPORT_INBOX = "reconcile.import_inbox"


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True)


class ReconcileInput(_Frozen):
    statement_id: int


class MatchCounts(_Frozen):
    """How the statement's new transactions came out (transactions already known from an
    earlier file are not matched again)."""

    matched: int = 0
    suggested: int = 0
    unmatched: int = 0
    refund: int = 0
    duplicate: int = 0
    payout: int = 0
    returned: int = 0
    ignored: int = 0
    # The statement's closing balance and the ledger's bank account on its day (camt.053)
    closing_cents: int | None = None
    ledger_cents: int | None = None

    @property
    def for_people(self) -> int:
        """Transactions in the finance queue."""
        return self.suggested + self.unmatched + self.refund + self.duplicate + self.returned

    def details(self) -> str:
        """The workflow's current details (Markdown, numbers only)."""
        return (
            f"**Matched** {self.matched} · **Suggested** {self.suggested} · "
            f"**Unmatched** {self.unmatched}\n\n"
            f"Refund cases {self.refund} · duplicates {self.duplicate} · our payouts "
            f"{self.payout} · returns {self.returned} · not incoming payments {self.ignored}"
            + self._balance()
        )

    def _balance(self) -> str:
        if self.closing_cents is None or self.ledger_cents is None:
            return ""
        closing = format_eur(self.closing_cents)
        if self.closing_cents == self.ledger_cents:
            return f"\n\n**Closing balance** {closing}, the same in the ledger"
        return (
            f"\n\n**Closing balance** {closing}, but the ledger's bank account has "
            f"{format_eur(self.ledger_cents)}: a statement before this one is missing or was "
            "read out of order"
        )


class ReconcileResult(_Frozen):
    statement_id: int
    counts: MatchCounts
    signalled: int  # payments handed to their orders


class InboxStatement(_Frozen):
    statement_id: int
    workflow_id: str
    summary: str


class InboxResult(_Frozen):
    imported: tuple[InboxStatement, ...] = ()
    refused: tuple[str, ...] = ()  # "<file>: <reason>"
    status_reports: tuple[str, ...] = ()  # pain.002 files read: "<file>: what they said"


def statement_summary(
    kind: str, booked_on: str, account_iban: str, line_count: int, credit_cents: int
) -> str:
    """The Temporal UI's one line for a statement: ``Statement 2026-12-05 · DE89…3000 ·
    1,204 lines · €312,455.10`` (money in; the IBAN shortened, it is ours but long)."""
    name = "Statement" if kind == "camt.053" else "Notification"
    iban = f"{account_iban[:4]}…{account_iban[-4:]}" if len(account_iban) > 8 else account_iban
    noun = "line" if line_count == 1 else "lines"
    return f"{name} {booked_on} · {iban} · {line_count:,} {noun} · {format_eur(credit_cents)} in"
