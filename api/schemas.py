"""Request and response bodies. Money is integer cents in ``*_cents`` fields, never a float;
every request field has its limits (``api.bounds``)."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Annotated, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    ValidationInfo,
    field_validator,
    model_validator,
)
from schwifty import BIC, IBAN
from stdnum.eu import vat as eu_vat

from api.bounds import Cents, Day, OrderNetCents, Ref, line, paragraph
from domain.bounds import clean_text
from domain.invoice_document import unit_price_cents
from domain.order_messages import EinvoiceProfile, Instalment, Language, OrderView, UnitCode
from domain.order_status import OrderStatus
from domain.payroll.protocol import PayslipData
from domain.policy import Jurisdiction
from domain.vat import EU_COUNTRIES


def as_utc(value: datetime) -> datetime:
    """SQLite hands back naive datetimes; everything the API stores is UTC."""
    return value if value.tzinfo else value.replace(tzinfo=UTC)


UtcDatetime = Annotated[datetime, AfterValidator(as_utc)]

_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


def _line(value: str) -> str:
    return clean_text(value)


def _email(value: str) -> str:
    value = value.strip()
    if not _EMAIL.match(value):
        raise ValueError(f"{value!r} is not an e-mail address (expected name@example.org)")
    return value.lower()


Email = Annotated[str, Field(max_length=320), AfterValidator(_line), AfterValidator(_email)]
Name = line(200, min_length=1)


class _Out(BaseModel):
    model_config = ConfigDict(from_attributes=True)


# ---- members and tokens ----


class BankAccount(BaseModel):
    """The member's account for wage payouts; also the body that changes it."""

    iban: str = Field(description="The member's account for wage payouts (checked with schwifty)")
    bic: str | None = Field(
        default=None,
        validate_default=True,
        description="Filled from the IBAN when the bank is known; required otherwise",
    )

    @field_validator("iban")
    @classmethod
    def _iban(cls, value: str) -> str:
        try:
            return IBAN(value).compact
        except ValueError as exc:
            raise ValueError(
                f"{value!r} is not a valid IBAN ({exc}); check it against the bank statement"
            ) from exc

    @field_validator("bic")
    @classmethod
    def _bic(cls, value: str | None, info: ValidationInfo) -> str | None:
        """Wages go out by SEPA transfer, which needs the BIC: take it from the IBAN when the
        bank is known, else ask for it now rather than fail at the first payout."""
        if value:
            try:
                return str(BIC(value).compact)
            except ValueError as exc:
                raise ValueError(f"{value!r} is not a valid BIC ({exc})") from exc
        iban = info.data.get("iban")
        if iban is None:  # the IBAN itself was refused; that error says enough
            return None
        derived = IBAN(iban).bic
        if derived is None:
            raise ValueError(
                f"no BIC is known for IBAN {iban}; add the bank's BIC so wages can be paid out"
            )
        return str(derived.compact)


class MemberCreate(BankAccount):
    name: Name
    email: Email
    jurisdiction: Jurisdiction
    language: Language = "en"


class StepRetried(BaseModel):
    order_id: int
    detail: str


class MemberOut(_Out):
    id: int
    name: str
    email: str
    jurisdiction: str
    language: str
    iban: str
    bic: str | None
    created_at: UtcDatetime | None = None


class MemberCreated(BaseModel):
    member: MemberOut
    token: str | None = Field(description="The member's bearer token, shown once")


class FinanceUserCreate(BaseModel):
    name: Name = Field(description="Who decides; recorded as decided_by on finance decisions")


# ---- clients ----


class ClientCreate(BaseModel):
    name: Name
    email: Email
    address: paragraph(1000) = ""
    country: str = Field(min_length=2, max_length=2, description="ISO 3166-1 alpha-2, e.g. DE")
    is_business: bool = True
    vat_id: line(20) | None = None
    language: Language = "en"
    buyer_reference: line(100) | None = Field(
        default=None,
        description="The client's own reference on its invoices (BT-10), e.g. the Leitweg-ID "
        "of a German public buyer; default ORDER-<order id>.",
    )
    einvoice_profile: EinvoiceProfile = Field(
        default="en16931",
        description="'xrechnung': the client also receives its invoices as XRechnung 3.0 "
        "(German public buyers, or any client that asks for it).",
    )

    @field_validator("country")
    @classmethod
    def _country(cls, value: str) -> str:
        value = value.upper()
        if not value.isalpha():
            raise ValueError(f"{value!r} is not an ISO 3166 two-letter country code (e.g. DE)")
        return value

    @model_validator(mode="after")
    def _vat_id(self) -> ClientCreate:
        if not self.vat_id:
            self.vat_id = None
            return self
        if self.country in EU_COUNTRIES or self.vat_id[:2].upper() in EU_COUNTRIES | {"EL"}:
            try:
                self.vat_id = str(eu_vat.validate(self.vat_id))
            except ValueError as exc:
                raise ValueError(
                    f"vat_id {self.vat_id!r} is not a valid EU VAT number ({exc}); check it in VIES"
                ) from exc
        return self


class ClientOut(_Out):
    id: int
    member_id: int
    name: str
    email: str
    address: str
    country: str
    is_business: bool
    vat_id: str | None
    language: str
    buyer_reference: str | None = None
    einvoice_profile: EinvoiceProfile = "en16931"
    created_at: UtcDatetime | None = None


# ---- orders ----


class OrderCreate(BaseModel):
    client_id: Ref
    description: paragraph(2000, min_length=1)
    period_start: Day
    period_end: Day
    net_amount_cents: OrderNetCents
    quantity: Decimal = Field(
        default=Decimal(1),
        gt=0,
        le=100_000,
        decimal_places=2,
        description="How many units the net amount is for (e.g. 5 days, 12.5 hours)",
    )
    unit: UnitCode = Field(
        default="LS",
        description="LS lump sum, HUR hours, DAY days (UN/ECE Rec. 20, as on the e-invoice)",
    )
    vat_category: Literal["standard", "reduced"] = "standard"
    payment_terms_days: int = Field(default=30, ge=0, le=120)
    offer_valid_until: Day | None = Field(default=None, description="Default: today + 14 days")

    @model_validator(mode="after")
    def _period(self) -> OrderCreate:
        if self.period_end < self.period_start:
            raise ValueError("period_end is before period_start; swap or correct the dates")
        unit_price_cents(self.net_amount_cents, self.quantity)  # whole cents per unit
        return self


class OrderOut(_Out):
    id: int
    member_id: int
    member_name: str
    client_id: int
    client_name: str
    description: str
    jurisdiction: str
    period_start: date
    period_end: date
    net_amount_cents: int
    quantity: Decimal
    unit_code: str
    vat_category: str
    payment_terms_days: int
    offer_valid_until: date
    status: str
    workflow_id: str | None
    signed_by: str | None
    actual_start: date | None
    actual_end: date | None
    work_days: int | None
    amount_due_cents: int
    dunning_level: int
    escalated: bool
    created_at: UtcDatetime | None = None
    signing_url: str | None = Field(default=None, description="Only in the submit answer")
    view: OrderView | None = Field(default=None, description="Live state from the workflow")
    view_error: str | None = Field(default=None, description="Why the live state is missing")


class ExpenseCreate(BaseModel):
    description: line(200, min_length=1)
    amount_cents: Cents
    incurred_on: Day


class ExpenseOut(_Out):
    id: int
    order_id: int
    description: str
    amount_cents: int
    incurred_on: date


class CompleteRequest(BaseModel):
    actual_start: Day
    actual_end: Day
    work_days: int = Field(ge=1, le=366)


class CancelRequest(BaseModel):
    reason: paragraph(500) = ""


class OfferAnswer(BaseModel):
    decision: Literal["accept", "reject"]
    signer_name: line(200, min_length=1)
    comment: paragraph(2000) = ""


class OfferAnswered(BaseModel):
    order_id: int
    decision: Literal["accept", "reject"]
    status: OrderStatus
    message: str


# ---- invoices, payslips, payments ----


class DunningDocumentOut(_Out):
    id: int
    number: str
    level: int
    name: str
    issue_date: date
    principal_due_cents: int
    fee_cents: int
    flat_compensation_cents: int
    interest_cents: int
    interest_rate: str
    pay_by: date


class PaymentOut(_Out):
    id: int
    payment_key: str
    order_id: int
    amount_cents: int
    received_on: date
    source: str
    reference: str
    recorded_by: str
    applied: bool


class InvoiceOut(_Out):
    id: int
    order_id: int
    number: str
    jurisdiction: str
    issue_date: date
    due_date: date
    currency: str
    net_cents: int
    vat_rate: str
    vat_cents: int
    gross_cents: int
    vat_treatment: str
    vat_note: str
    creditor_reference: str
    client_name: str
    client_vat_id: str | None
    description: str
    period_start: date
    period_end: date
    paid_cents: int
    status: str


class CreditNoteOut(_Out):
    """The credit note that cancelled an invoice in full (its own gapless series)."""

    id: int
    number: str
    issue_date: date
    net_cents: int
    vat_cents: int
    gross_cents: int
    refund_due_cents: int
    reason: str


class InvoiceDetail(InvoiceOut):
    dunning_documents: list[DunningDocumentOut] = []
    payments: list[PaymentOut] = []
    credit_note: CreditNoteOut | None = None


class PayslipOut(PayslipData):
    """The payslip's figures as the payroll computed them, with the order and period."""

    model_config = ConfigDict(from_attributes=True)

    id: int
    order_id: int
    member_id: int
    jurisdiction: str
    period_start: date
    period_end: date
    work_days: int


class PaymentCreate(BaseModel):
    order_id: Ref
    amount_cents: Cents
    received_on: Day
    reference: line(140) = ""
    payment_key: str | None = Field(
        default=None,
        min_length=1,
        max_length=100,
        description="Unique per payment (e.g. the bank's transaction id); generated if omitted",
    )


class PaymentRecorded(PaymentOut):
    created: bool = Field(description="False when this payment_key was already recorded")


# ---- finance ----


class FinanceCaseOut(BaseModel):
    case_id: int
    # overdue: an escalated invoice to decide on; refund: money to pay back after a credit note
    kind: Literal["overdue", "refund"] = "overdue"
    order_id: int
    member_name: str
    client_name: str
    invoice_id: int
    invoice_number: str
    due_date: date
    opened_on: date
    amount_due_cents: int
    dunning_level: int


class DecisionPayment(BaseModel):
    amount_cents: Cents
    received_on: Day
    reference: line(140) = ""
    payment_key: str | None = Field(default=None, min_length=1, max_length=100)


class CreditNoteRequest(BaseModel):
    """Cancel an issued invoice in full; the reason is printed on the credit note."""

    reason: paragraph(500, min_length=3)


class RefundRequest(BaseModel):
    """A refund finance paid to the client by bank transfer, for a refund case."""

    amount_cents: Cents
    refunded_on: Day
    reference: line(140) = ""
    refund_key: str | None = Field(default=None, min_length=1, max_length=100)


class RefundRecordedOut(BaseModel):
    case_id: int
    order_id: int
    refund_key: str
    amount_cents: int
    message: str


class DecisionRequest(BaseModel):
    kind: Literal[
        "extend", "record_payment", "instalments", "write_off", "collection", "promise_to_pay"
    ]
    note: paragraph(2000) = ""
    new_due_date: Day | None = None
    promised_on: Day | None = Field(
        default=None,
        description="promise_to_pay: the day the client promised to pay everything owed by; "
        "the order waits until then and goes back to finance if it is not paid",
    )
    payment: DecisionPayment | None = None
    instalments: list[Instalment] = []
    waive_charges: bool = Field(
        default=False,
        description="waive the charges (fees, flat compensation, interest charged) and the "
        "interest accrued to date first, then apply the decision to the principal; not with "
        "write_off or collection",
    )


class Health(BaseModel):
    status: Literal["ok"] = "ok"
