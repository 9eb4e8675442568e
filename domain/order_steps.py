"""The order workflow's activity steps: their names and typed requests.

The workflow calls activities by these names (it never imports the activity code, which
touches the database); the activity classes register under the same names.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Literal

from pydantic import BaseModel, ConfigDict

from domain.breakdown import OrderBreakdown
from domain.order_messages import FinanceDecision, OrderInput, PaymentReceived, RefundRecorded
from domain.order_status import OrderStatus
from domain.vat import VatDecision

SEND_OFFER = "send_offer"
PROJECT_STATUS = "project_status"
DECLARE_EMPLOYMENT = "declare_employment"
ISSUE_INVOICE = "issue_invoice"
APPLY_PAYMENT = "apply_payment"
UNAPPLIED_PAYMENTS = "unapplied_payments"
SEND_REMINDER = "send_reminder"
CHARGE_INTEREST = "charge_interest"
WAIVE_CHARGES = "waive_charges"
OPEN_FINANCE_CASE = "open_finance_case"
RECORD_DECISION = "record_decision"
WRITE_OFF = "write_off"
RUN_PAYROLL = "run_payroll"  # flat rates (histories before the exact engines)
RUN_EXACT_PAYROLL = "run_exact_payroll"
PAY_WAGE = "pay_wage"
CLOSE_ORDER = "close_order"
ISSUE_CREDIT_NOTE = "issue_credit_note"
REFUND_CLIENT = "refund_client"
BOOK_REFUND = "book_refund"


class _Step(BaseModel):
    model_config = ConfigDict(frozen=True)


class ProjectStatus(_Step):
    order_id: int
    status: OrderStatus
    amount_due_cents: int = 0
    dunning_level: int = 0
    escalated: bool = False
    signed_by: str | None = None
    # Interest not yet charged: accrued up to interest_runs_from, running from then on
    interest_runs_from: date | None = None
    interest_accrued_cents: int = 0


class SendOffer(_Step):
    order: OrderInput


class DeclareEmployment(_Step):
    order_id: int
    kind: Literal["start", "end"]
    period_start: date
    period_end: date


class IssueInvoice(_Step):
    order: OrderInput
    breakdown: OrderBreakdown
    vat: VatDecision
    issue_date: date
    due_date: date
    actual_start: date
    actual_end: date
    work_days: int


class ApplyPayment(_Step):
    order_id: int
    invoice_id: int
    payment: PaymentReceived
    to_principal_cents: int
    to_charges_cents: int
    overpaid_cents: int
    fund_repaid_cents: int


class UnappliedPayments(_Step):
    order_id: int


class SendReminder(_Step):
    order: OrderInput
    invoice_id: int
    level: int
    name: str
    issue_date: date
    pay_by: date
    principal_due_cents: int
    fee_cents: int
    flat_compensation_cents: int
    interest_cents: int
    interest_rate: Decimal
    earlier_charges_due_cents: int = 0  # charges of earlier reminders still unpaid


class ChargeInterest(_Step):
    """Interest accrued up to a payment's day, charged as a document of its own."""

    order_id: int
    invoice_id: int
    payment_key: str
    on: date
    interest_cents: int
    interest_rate: Decimal  # the rate of ``on``'s half-year
    principal_due_cents: int  # before the payment


class WaiveCharges(_Step):
    """Charges left after the principal was paid, below the policy's threshold: waived."""

    order_id: int
    invoice_id: int
    on: date
    charges_cents: int
    case_id: int | None = None  # waived by finance's decision on this case


class OpenFinanceCase(_Step):
    order_id: int
    invoice_id: int
    opened_on: date
    amount_due_cents: int
    dunning_level: int
    attempt: int  # a re-escalation opens a new case


class RecordDecision(_Step):
    case_id: int
    decision: FinanceDecision


class WriteOff(_Step):
    order_id: int
    invoice_id: int
    case_id: int
    principal_cents: int
    charges_cents: int
    on: date


class RunPayroll(_Step):
    order: OrderInput
    breakdown: OrderBreakdown
    pay_date: date
    actual_start: date
    actual_end: date
    work_days: int


class PayrollDone(_Step):
    payslip_id: int
    engine: str  # DE | BE | provisional
    gross_wage_cents: int
    net_wage_cents: int
    payout_cents: int  # net wage + reimbursed expenses


class PayWage(_Step):
    order: OrderInput
    payslip_id: int
    payout_cents: int
    advanced_cents: int
    execution_date: date


class CloseOrder(_Step):
    order_id: int
    status: OrderStatus
    on: date
    # The member is on a monthly salary: the order's employment budget stays in the member's
    # budget (one pot), so the order closes with it.
    monthly_salary: bool = False


class IssueCreditNote(_Step):
    """Cancel the order's invoice in full by a credit note (its own gapless series)."""

    order: OrderInput
    invoice_id: int
    breakdown: OrderBreakdown
    issue_date: date
    reason: str
    requested_by: str = ""  # who cancelled (finance's name)
    principal_paid_cents: int  # paid on the invoice: owed back to the client
    charges_paid_cents: int  # dunning charges paid: owed back too, the claim was void
    charges_open_cents: int  # dunning charges not paid: cancelled
    overpaid_cents: int  # already held for the client


class RefundClient(_Step):
    """Pay back ``amount_cents``: Stripe payments through Stripe, the rest by finance."""

    order_id: int
    invoice_id: int
    amount_cents: int
    on: date


class BookRefund(_Step):
    order_id: int
    refund: RefundRecorded
    from_overpayments_cents: int  # money held for the client
    reopened_cents: int  # a refund of money that was due: the invoice is open again
    closes_case_id: int | None = None  # the refund case this refund completes
