"""Typed inputs, messages and results of the order lifecycle workflow (pydantic converter).

Validation that needs nothing but the message lives here, so the API and the workflow's update
validators refuse the same bad input with the same words.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from domain.bounds import MAX_AMOUNT_CENTS
from domain.order_status import OrderStatus
from domain.policy import Jurisdiction

Language = Literal["de", "en", "fr", "nl", "it", "pl"]
# Which e-invoice the client receives besides the PDF with its embedded Factur-X CII (always
# EN 16931): "xrechnung" adds the CII under the German CIUS XRechnung 3.0 (public buyers, or
# any client that asks for it).
EinvoiceProfile = Literal["en16931", "xrechnung"]
# The units an order can be priced in (UN/ECE Recommendation 20 codes, as EN 16931 wants them)
UnitCode = Literal["LS", "HUR", "DAY"]


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True)


class OrderInput(_Frozen):
    """Everything the workflow needs, fixed when the member submits the order."""

    order_id: int
    member_id: int
    member_name: str
    client_id: int
    client_name: str
    client_email: str
    client_country: str
    client_is_business: bool
    client_vat_id: str | None = None
    client_language: Language = "en"
    # The client's own reference for its invoices (BT-10; a German public buyer's Leitweg-ID)
    # and the e-invoice it receives. Defaults keep the histories of older orders replayable.
    client_buyer_reference: str | None = None
    client_einvoice_profile: EinvoiceProfile = "en16931"
    jurisdiction: Jurisdiction
    description: str
    period_start: date
    period_end: date
    net_amount_cents: int = Field(gt=0)
    # What the net amount is for: a lump sum, or so many hours or days (the invoice line's
    # quantity and unit; net = quantity × unit price). Defaults keep older histories replayable.
    quantity: Decimal = Field(default=Decimal(1), gt=0)
    unit_code: UnitCode = "LS"
    vat_category: Literal["standard", "reduced"] = "standard"
    payment_terms_days: int = Field(default=30, ge=0, le=120)
    offer_valid_until: date
    # The client is blocked (more than 2 months overdue on an invoice): no wage guarantee,
    # the client pays first.
    prepayment_required: bool = False
    # Business date the workflow starts on (the API passes today's date).
    submitted_on: date
    # Wall-clock seconds per business day: 86400 in production, 1 in the demo. An input, so
    # replay never reads the environment.
    seconds_per_day: float = Field(default=86400, gt=0)

    @model_validator(mode="after")
    def _dates(self) -> OrderInput:
        if self.period_end < self.period_start:
            raise ValueError("the work period ends before it starts")
        if self.offer_valid_until < self.submitted_on:
            raise ValueError("the offer expires before it is submitted")
        return self


class OfferResponse(_Frozen):
    """The client's answer from the signing link (the API checked the token)."""

    decision: Literal["accept", "reject"]
    signer_name: str = Field(min_length=1, max_length=200)
    token_id: str = Field(min_length=1)
    comment: str = ""


class Expense(_Frozen):
    description: str = Field(min_length=1, max_length=200)
    amount_cents: int = Field(ge=0)
    incurred_on: date


class Completion(_Frozen):
    member_id: int
    actual_start: date
    actual_end: date
    work_days: int = Field(ge=1, le=366)
    expenses: tuple[Expense, ...] = ()

    @model_validator(mode="after")
    def _dates(self) -> Completion:
        if self.actual_end < self.actual_start:
            raise ValueError("the actual period ends before it starts")
        span = (self.actual_end - self.actual_start).days + 1
        if self.work_days > span:
            raise ValueError(f"{self.work_days} work days do not fit in a {span}-day period")
        return self

    @property
    def expenses_cents(self) -> int:
        return sum(e.amount_cents for e in self.expenses)


class Cancellation(_Frozen):
    requested_by: str
    reason: str = ""
    member_id: int | None = None  # set when a member cancels: must be the order's member


class RefundRecorded(_Frozen):
    """Money paid back to the client (a Stripe refund, a bank transfer by finance): signal
    ``refund_recorded``. ``refund_key`` is unique per refund: repeats change nothing."""

    refund_key: str = Field(min_length=1)
    amount_cents: int = Field(gt=0)
    refunded_on: date
    source: Literal["finance", "bank", "stripe"] = "stripe"
    reference: str = ""


class PaymentReceived(_Frozen):
    """A payment for the order's invoice (finance, bank reconciliation, Stripe)."""

    payment_key: str = Field(min_length=1)  # unique per payment: repeats change nothing
    amount_cents: int = Field(gt=0)
    received_on: date
    source: Literal["finance", "bank", "stripe"] = "finance"
    reference: str = ""


class Instalment(_Frozen):
    due_on: date
    amount_cents: int = Field(gt=0, le=MAX_AMOUNT_CENTS)


class FinanceDecision(_Frozen):
    kind: Literal[
        "extend", "record_payment", "instalments", "write_off", "collection", "promise_to_pay"
    ]
    decided_by: str
    note: str = ""
    new_due_date: date | None = None
    promised_on: date | None = None  # promise_to_pay: the client said it pays by then
    payment: PaymentReceived | None = None
    instalments: tuple[Instalment, ...] = ()
    # Waive the charges and the interest to date first, then apply the decision to the
    # principal (extend, record a payment, a promise to pay, instalments).
    waive_charges: bool = False

    @model_validator(mode="after")
    def _fields(self) -> FinanceDecision:
        if self.waive_charges and self.kind in ("write_off", "collection"):
            raise ValueError(
                f"charges cannot be waived with {self.kind.replace('_', ' ')}: a write-off "
                "covers them already, the collection agency collects everything owed"
            )
        if self.kind == "extend" and self.new_due_date is None:
            raise ValueError("an extension needs new_due_date")
        if self.kind == "promise_to_pay" and self.promised_on is None:
            raise ValueError("a promise to pay needs promised_on")
        if self.kind == "record_payment" and self.payment is None:
            raise ValueError("recording a payment needs the payment")
        if self.kind == "instalments":
            if len(self.instalments) < 2:
                raise ValueError("an instalment plan needs at least two instalments")
            dates = [i.due_on for i in self.instalments]
            if dates != sorted(dates) or len(set(dates)) != len(dates):
                raise ValueError("instalment dates must be strictly increasing")
        return self


# ---- what activities return to the workflow ----


class InvoiceIssued(_Frozen):
    invoice_id: int
    number: str
    issue_date: date
    due_date: date
    gross_cents: int
    creditor_reference: str


class CreditNoteIssued(_Frozen):
    """The credit note that cancelled the order's invoice in full."""

    credit_note_id: int
    number: str
    issue_date: date
    gross_cents: int
    refund_due_cents: int  # everything the client paid on the order, now owed back


class RefundsStarted(_Frozen):
    """What the refund step did: Stripe refunds it created (booked at once) and what finance
    must pay back by bank transfer (a refund case)."""

    refunds: tuple[RefundRecorded, ...] = ()
    by_transfer_cents: int = 0
    case_id: int | None = None


class DunningNotice(_Frozen):
    level: int
    document_number: str
    charges_cents: int


class WagePaid(_Frozen):
    payslip_id: int
    payout_id: str
    payout_cents: int
    advanced_cents: int
    paid_on: date


class FinanceCaseOpened(_Frozen):
    case_id: int


# ---- what the workflow shows and returns ----


class OrderView(_Frozen):
    """Live state (Query)."""

    order_id: int
    status: OrderStatus
    waiting_for: str
    until: date | None = None
    invoice_number: str | None = None
    due_date: date | None = None
    gross_cents: int = 0
    paid_cents: int = 0
    principal_due_cents: int = 0
    charges_due_cents: int = 0
    dunning_level: int = 0
    escalated: bool = False
    wage_paid: bool = False
    wage_mode: Literal["per_order", "monthly"] = "per_order"  # monthly: no wage from the order
    payout_run: str | None = None  # the payout run the wage waits for, or went out in
    business_today: date
    credit_note_number: str | None = None
    refund_due_cents: int = 0
    # Interest accrued and not yet charged, up to business_today: paying principal + charges
    # + this today settles the invoice (orders collected by the former rules: 0).
    interest_to_date_cents: int = 0

    @property
    def settlement_cents(self) -> int:
        """What settles the invoice today."""
        return self.principal_due_cents + self.charges_due_cents + self.interest_to_date_cents


class OrderSummary(_Frozen):
    """The workflow's result: the order's financial summary."""

    order_id: int
    status: OrderStatus
    outcome: str
    invoice_number: str | None = None
    net_cents: int = 0
    vat_cents: int = 0
    gross_cents: int = 0
    paid_cents: int = 0
    charges_cents: int = 0
    written_off_cents: int = 0
    fee_cents: int = 0
    gross_wage_cents: int = 0
    net_wage_cents: int = 0
    payout_cents: int = 0
    advanced_by_guarantee_cents: int = 0
    dunning_level: int = 0
    closed_on: date | None = None
    interest_rate: Decimal | None = None
    credit_note_number: str | None = None
    refunded_cents: int = 0
