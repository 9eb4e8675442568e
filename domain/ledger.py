"""Double-entry postings for an order's money flow. Each entry balances or is refused.

Accounts (the chart the database ledger uses):

- ``client_receivable``: what clients owe on invoices (asset)
- ``dunning_receivable``: fees, flat compensation and interest charged in reminders (asset)
- ``bank_clearing``: money the books say came in or went out through the bank (client
  payments, wages and refunds sent, the guarantee fund's transfers) until the bank's statement
  shows it (asset; German practice: Geldtransit). Zero when every movement is on a statement.
- ``bank:<IBAN>``: the cooperative's bank account as its statements show it (asset), fed only
  by imported statements against ``bank_clearing`` (``domain.bank_ledger``); its balance on a
  statement's date is the statement's closing balance
- ``opening_balances``: what the bank accounts held before their first statement was read
- ``vat_payable``: VAT owed to the tax office (liability)
- ``member_budget``: what an order makes available to its member (liability, zero when closed)
- ``coop_fee``: the cooperative's fee income
- ``dunning_income``: reminder fees, flat compensation and interest earned
- ``member_payable``: net wage and expenses owed to the member (liability)
- ``contributions_payable``: social-security contributions, both shares (liability)
- ``wage_tax_payable``: withheld wage tax (liability)
- ``guarantee_fund``: the mutual fund's cash that advances wages for unpaid invoices (asset)
- ``guarantee_fund_losses``: receivables written off against the fund (expense)
- ``client_overpayments``: money received beyond what was due (liability)
"""

from __future__ import annotations

from collections.abc import Iterable

from pydantic import BaseModel, ConfigDict, model_validator

from domain.breakdown import OrderBreakdown
from domain.errors import UnbalancedEntry
from domain.money import Cents

ACCOUNTS = (
    "client_receivable",
    "dunning_receivable",
    "bank_clearing",
    "opening_balances",
    "vat_payable",
    "member_budget",
    "coop_fee",
    "dunning_income",
    "member_payable",
    "contributions_payable",
    "wage_tax_payable",
    "guarantee_fund",
    "guarantee_fund_losses",
    "client_overpayments",
)


BANK_PREFIX = "bank:"


def bank_account(iban: str) -> str:
    """The ledger account of one of the cooperative's bank accounts: ``bank:DE89…``."""
    return BANK_PREFIX + iban


def is_bank_account(account: str) -> bool:
    iban = account.removeprefix(BANK_PREFIX)
    return account.startswith(BANK_PREFIX) and 15 <= len(iban) <= 34 and iban.isalnum()


class Line(BaseModel):
    model_config = ConfigDict(frozen=True)

    account: str
    debit: Cents = 0
    credit: Cents = 0


class JournalEntry(BaseModel):
    """``key`` makes posting idempotent: the database stores one entry per key."""

    model_config = ConfigDict(frozen=True)

    key: str
    description: str
    lines: tuple[Line, ...]

    @model_validator(mode="after")
    def _balances(self) -> JournalEntry:
        for line in self.lines:
            if line.account not in ACCOUNTS and not is_bank_account(line.account):
                raise UnbalancedEntry(f"unknown account {line.account!r}")
            if line.debit < 0 or line.credit < 0:
                raise UnbalancedEntry(f"negative amount on {line.account}")
        debits = sum(line.debit for line in self.lines)
        credits = sum(line.credit for line in self.lines)
        if debits != credits:
            raise UnbalancedEntry(f"entry {self.key} debits {debits} ≠ credits {credits}")
        return self


def _entry(key: str, description: str, lines: Iterable[Line]) -> JournalEntry:
    return JournalEntry(
        key=key,
        description=description,
        lines=tuple(line for line in lines if line.debit or line.credit),
    )


def invoice_issued(order_key: str, b: OrderBreakdown) -> JournalEntry:
    return _entry(
        f"{order_key}:invoice",
        "Invoice issued: client owes net + VAT, the net is the member's order budget",
        [
            Line(account="client_receivable", debit=b.gross_invoice_cents),
            Line(account="vat_payable", credit=b.vat_cents),
            Line(account="member_budget", credit=b.net_cents),
        ],
    )


def fee_charged(order_key: str, b: OrderBreakdown) -> JournalEntry:
    return _entry(
        f"{order_key}:fee",
        "Cooperative fee and employment-budget contribution",
        [
            Line(account="member_budget", debit=b.coop_share_cents),
            Line(account="coop_fee", credit=b.coop_share_cents),
        ],
    )


def payroll_posted(order_key: str, b: OrderBreakdown) -> JournalEntry:
    return _entry(
        f"{order_key}:payroll",
        "Payroll: employer cost, gross wage and expenses leave the member budget",
        [
            Line(
                account="member_budget",
                debit=b.employer_contributions_cents + b.gross_wage_cents + b.expenses_cents,
            ),
            Line(account="member_payable", credit=b.payout_cents),
            Line(account="contributions_payable", credit=b.contributions_cents),
            Line(account="wage_tax_payable", credit=b.wage_tax_cents),
        ],
    )


def payslip_posted(
    order_key: str,
    *,
    employer_cost: Cents,
    employee_contributions: Cents,
    employer_contributions: Cents,
    wage_tax: Cents,
    net_wage: Cents,
    expenses: Cents,
    remainder: Cents,
) -> JournalEntry:
    """An exact payslip: the employer cost, the expenses and the budget remainder leave the
    member budget; net and expenses are owed to the member, both contribution shares to social
    security, the taxes to the tax office, the remainder (the cents no gross could spend) goes
    to the cooperative as rounding, so the member budget closes at zero."""
    return _entry(
        f"{order_key}:payroll",
        "Payroll: employer cost, expenses and rounding remainder leave the member budget",
        [
            Line(account="member_budget", debit=employer_cost + expenses + remainder),
            Line(account="member_payable", credit=net_wage + expenses),
            Line(
                account="contributions_payable",
                credit=employee_contributions + employer_contributions,
            ),
            Line(account="wage_tax_payable", credit=wage_tax),
            Line(account="coop_fee", credit=remainder),
        ],
    )


def wage_paid(
    order_key: str, payout_cents: Cents, advanced_cents: Cents, attempt: int = 1
) -> JournalEntry:
    """The payout leaves the bank; what the client has not yet paid is advanced by the
    guarantee fund into the bank first. ``attempt`` 2, 3…: the wage paid again after the bank
    rejected or returned it (nothing advanced a second time)."""
    return _entry(
        f"{order_key}:payout" + (f"-{attempt}" if attempt > 1 else ""),
        "Net wage and expenses paid out"
        + (" (advanced by the guarantee fund)" if advanced_cents else "")
        + (f" (attempt {attempt})" if attempt > 1 else ""),
        [
            Line(account="member_payable", debit=payout_cents),
            Line(account="bank_clearing", debit=advanced_cents),
            Line(account="guarantee_fund", credit=advanced_cents),
            Line(account="bank_clearing", credit=payout_cents),
        ],
    )


def wage_returned(payout_key: str, payout_cents: Cents, kind: str) -> JournalEntry:
    """The bank rejected or returned a payout: the money is back in (or never left) the bank
    and the member is owed the wage again. The guarantee fund's advance stays where it is."""
    return _entry(
        f"payout:{payout_key}:failed",
        f"Wage payout {payout_key} {kind} by the bank",
        [
            Line(account="bank_clearing", debit=payout_cents),
            Line(account="member_payable", credit=payout_cents),
        ],
    )


def payment_received(
    order_key: str,
    payment_key: str,
    *,
    to_principal: Cents,
    to_charges: Cents,
    overpaid: Cents,
    fund_repaid: Cents,
) -> JournalEntry:
    """A client payment: principal first, then dunning charges, the excess is held for refund;
    any guarantee-fund advance is repaid from it."""
    return _entry(
        f"{order_key}:payment:{payment_key}",
        "Client payment" + (" (repays the guarantee fund's advance)" if fund_repaid else ""),
        [
            Line(account="bank_clearing", debit=to_principal + to_charges + overpaid),
            Line(account="client_receivable", credit=to_principal),
            Line(account="dunning_receivable", credit=to_charges),
            Line(account="client_overpayments", credit=overpaid),
            Line(account="guarantee_fund", debit=fund_repaid),
            Line(account="bank_clearing", credit=fund_repaid),
        ],
    )


def dunning_charged(order_key: str, level: int, charges_cents: Cents) -> JournalEntry:
    return _entry(
        f"{order_key}:dunning:{level}",
        f"Dunning level {level}: fees, flat compensation and interest",
        [
            Line(account="dunning_receivable", debit=charges_cents),
            Line(account="dunning_income", credit=charges_cents),
        ],
    )


def interest_charged(order_key: str, payment_key: str, cents: Cents) -> JournalEntry:
    """Interest accrued up to a payment's day, charged on its own document."""
    return _entry(
        f"{order_key}:interest:{payment_key}",
        "Late-payment interest up to the day of payment",
        [
            Line(account="dunning_receivable", debit=cents),
            Line(account="dunning_income", credit=cents),
        ],
    )


def charges_waived(order_key: str, cents: Cents, case_id: int | None = None) -> JournalEntry:
    """Charges waived: left after the principal was paid and too small to chase, or (with
    ``case_id``) by finance's decision on that case."""
    if case_id is not None:
        key = f"{order_key}:charges-waived-case-{case_id}"
        description = f"Late-payment charges waived by finance (case {case_id})"
    else:
        key = f"{order_key}:charges-waived"
        description = "Remaining late-payment charges waived (below the threshold)"
    return _entry(
        key,
        description,
        [
            Line(account="dunning_income", debit=cents),
            Line(account="dunning_receivable", credit=cents),
        ],
    )


def written_off(order_key: str, *, principal_cents: Cents, charges_cents: Cents) -> JournalEntry:
    """Finance writes off what is still owed: the principal against the guarantee fund, the
    dunning charges against the income they created."""
    return _entry(
        f"{order_key}:write-off",
        "Written off against the guarantee fund",
        [
            Line(account="guarantee_fund_losses", debit=principal_cents),
            Line(account="client_receivable", credit=principal_cents),
            Line(account="dunning_income", debit=charges_cents),
            Line(account="dunning_receivable", credit=charges_cents),
        ],
    )


def credit_note_issued(
    order_key: str,
    b: OrderBreakdown,
    *,
    principal_paid: Cents,
    charges_paid: Cents,
    charges_open: Cents,
) -> JournalEntry:
    """The invoice cancelled in full: VAT and the member budget go back, the fee is returned
    to the budget, open dunning charges are cancelled, and everything the client paid on the
    invoice or its charges is now held for the client (to be refunded). The member budget and
    the receivable close at zero."""
    return _entry(
        f"{order_key}:credit-note",
        "Credit note: invoice cancelled in full; what the client paid is owed back",
        [
            Line(account="vat_payable", debit=b.vat_cents),
            Line(account="member_budget", debit=b.net_cents),
            Line(account="client_receivable", credit=b.gross_invoice_cents - principal_paid),
            Line(account="client_overpayments", credit=principal_paid),
            Line(account="coop_fee", debit=b.coop_share_cents),
            Line(account="member_budget", credit=b.coop_share_cents),
            Line(account="dunning_income", debit=charges_open + charges_paid),
            Line(account="dunning_receivable", credit=charges_open),
            Line(account="client_overpayments", credit=charges_paid),
        ],
    )


def refund_paid(
    order_key: str, refund_key: str, *, from_overpayments: Cents, reopened: Cents
) -> JournalEntry:
    """Money paid back to the client: first what was held for it; a refund of money that was
    due re-opens the receivable (the client owes it again)."""
    return _entry(
        f"{order_key}:refund:{refund_key}",
        "Refund to the client" + (" (re-opens the invoice)" if reopened else ""),
        [
            Line(account="client_overpayments", debit=from_overpayments),
            Line(account="client_receivable", debit=reopened),
            Line(account="bank_clearing", credit=from_overpayments + reopened),
        ],
    )
